"""Tests for common.preprocessing: splitting, one-hot encoding, standardizing."""
import numpy as np
import pytest

from common.preprocessing import one_hot, standardize, train_test_split


def test_train_test_split_is_seeded_disjoint_and_complete():
    x = np.arange(50, dtype=np.float64).reshape(25, 2)
    t = np.arange(25)
    x_before = x.copy()
    (x_train, t_train), (x_test, t_test) = train_test_split(x, t, test_fraction=0.2, seed=0)
    assert len(t_test) == 5 and len(t_train) == 20
    assert set(t_train).isdisjoint(t_test)
    assert sorted(np.concatenate([t_train, t_test])) == list(range(25))
    np.testing.assert_array_equal(x_train[:, 0], 2 * t_train)  # rows stay with their targets
    (_, t_train_again), _ = train_test_split(x, t, seed=0)
    np.testing.assert_array_equal(t_train_again, t_train)
    (_, t_train_other), _ = train_test_split(x, t, seed=1)
    assert not np.array_equal(t_train_other, t_train)
    np.testing.assert_array_equal(x, x_before)
    with pytest.raises(ValueError, match="test_fraction"):
        train_test_split(x, t, test_fraction=1.0)
    with pytest.raises(ValueError, match="one target per example"):
        train_test_split(x, t[:-1])


def test_one_hot():
    encoded = one_hot(np.array([2, 0, 1, 2]))
    np.testing.assert_array_equal(encoded, [[0, 0, 1], [1, 0, 0], [0, 1, 0], [0, 0, 1]])
    assert encoded.dtype == np.float64
    assert one_hot([1], num_classes=4, dtype=np.float32).shape == (1, 4)
    with pytest.raises(ValueError, match="0..2"):
        one_hot([0, 3], num_classes=3)
    with pytest.raises(ValueError, match="0..2"):
        one_hot([-1, 0], num_classes=3)  # not wrapped around to the last class
    np.testing.assert_array_equal(one_hot(np.array([1.0, 0.0])), [[0, 1], [1, 0]])
    with pytest.raises(ValueError, match="1-D"):
        one_hot(np.zeros((2, 2), dtype=int))


def test_standardize_uses_training_statistics_only():
    rng = np.random.default_rng(0)
    x_train = rng.normal(5.0, 3.0, size=(40, 3))
    x_train[:, 2] = 7.0  # a constant column
    x_test = rng.normal(-20.0, 10.0, size=(10, 3))
    train_copy, test_copy = x_train.copy(), x_test.copy()
    xs_train, xs_test, mean, std = standardize(x_train, x_test)
    np.testing.assert_allclose(xs_train[:, :2].mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(xs_train[:, :2].std(axis=0), 1.0)
    np.testing.assert_array_equal(xs_train[:, 2], 0.0)
    np.testing.assert_allclose(mean, x_train.mean(axis=0))
    np.testing.assert_allclose(std[:2], x_train[:, :2].std(axis=0))
    assert std[2] == 1.0
    np.testing.assert_allclose(xs_test, (x_test - mean) / std)
    assert abs(xs_test[:, 0].mean()) > 2.0  # test data are NOT re-centred on their own mean
    np.testing.assert_array_equal(x_train, train_copy)
    np.testing.assert_array_equal(x_test, test_copy)
