"""common.regularization: the weight penalties and their gradients."""
import numpy as np

from common.gradient_check import check_gradient, numerical_gradient
from common.regularization import penalty_gradient, weight_penalty


def test_penalty_is_the_sum_over_every_matrix():
    rng = np.random.default_rng(0)
    weights = [rng.standard_normal((3, 4)), rng.standard_normal((4, 2))]
    expected = sum(0.1 * np.sum(W ** 2) + 0.05 * np.sum(np.abs(W)) for W in weights)
    assert np.isclose(weight_penalty(weights, l2=0.1, l1=0.05), expected)
    assert weight_penalty(weights) == 0.0


def test_gradient_matches_numerical_gradient_away_from_zero():
    rng = np.random.default_rng(1)
    W = rng.standard_normal((3, 4))
    W[np.abs(W) < 0.1] = 0.5  # sign(W) has no derivative at 0
    numeric = numerical_gradient(lambda _: weight_penalty([W], l2=0.3, l1=0.2), W)
    check_gradient("W", penalty_gradient(W, l2=0.3, l1=0.2), numeric)


def test_gradient_is_a_new_array_of_the_weights_dtype():
    W = np.ones((2, 2), dtype=np.float32)
    grad = penalty_gradient(W, l2=0.5)
    assert grad.dtype == np.float32 and grad is not W
    assert np.array_equal(grad, np.ones((2, 2)))
    assert not penalty_gradient(W).any()
