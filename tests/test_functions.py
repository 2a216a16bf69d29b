import warnings

import numpy as np
import pytest

from common.functions import (binary_cross_entropy, cross_entropy, mean_squared_error, relu,
                              sigmoid, softmax)


def test_sigmoid_values_and_no_overflow_warning():
    x = np.array([-1000.0, -2.0, 0.0, 2.0, 1000.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        y = sigmoid(x)
    np.testing.assert_allclose(y[1:4], 1 / (1 + np.exp(-x[1:4])))
    assert y[0] == 0.0 and y[-1] == 1.0


def test_sigmoid_keeps_float32():
    assert sigmoid(np.ones(3, dtype=np.float32)).dtype == np.float32


def test_relu():
    np.testing.assert_array_equal(relu(np.array([-1.0, 0.0, 2.5])), [0.0, 0.0, 2.5])


def test_softmax_rows_sum_to_one_and_large_scores_are_safe():
    x = np.array([[1.0, 2.0, 3.0], [1000.0, 1000.0, 990.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        y = softmax(x)
    np.testing.assert_allclose(y.sum(axis=1), 1.0)
    e = np.exp([1.0, 2.0, 3.0])
    np.testing.assert_allclose(y[0], e / e.sum())
    np.testing.assert_allclose(y[1, :2], 0.5, atol=1e-4)


def test_cross_entropy_one_hot_and_labels_agree_and_are_means():
    y = np.array([[0.7, 0.2, 0.1], [0.1, 0.1, 0.8]])
    labels = np.array([0, 2])
    expected = -(np.log(0.7) + np.log(0.8)) / 2
    assert cross_entropy(y, labels) == pytest.approx(expected)
    assert cross_entropy(y, np.eye(3)[labels]) == pytest.approx(expected)


def test_cross_entropy_no_log_zero():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loss = cross_entropy(np.array([[1.0, 0.0]]), np.array([1]))
    assert np.isfinite(loss) and loss > 20


def test_cross_entropy_bad_targets_message():
    with pytest.raises(ValueError, match="one label"):
        cross_entropy(np.full((3, 2), 0.5), np.array([0, 1]))


def test_binary_cross_entropy():
    y = np.array([[0.9], [0.2]])
    t = np.array([[1.0], [0.0]])
    assert binary_cross_entropy(y, t) == pytest.approx(-(np.log(0.9) + np.log(0.8)) / 2)


def test_mean_squared_error_is_half_mean():
    y = np.array([[1.0], [3.0]])
    t = np.array([[0.0], [1.0]])
    assert mean_squared_error(y, t) == pytest.approx((1 + 4) / (2 * 2))
    with pytest.raises(ValueError, match="reshape"):
        mean_squared_error(y, t.ravel())
