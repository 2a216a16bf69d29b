"""Tests for common.initializers: standard deviations, sampled variances, shapes, dtypes, errors."""
import math

import numpy as np
import pytest

from common.initializers import he_std, init_weights, weight_std, xavier_std


def test_he_std():
    assert he_std(2) == pytest.approx(1.0)
    assert he_std(100) == pytest.approx(math.sqrt(0.02))
    assert he_std(np.int64(50)) == pytest.approx(0.2)


def test_xavier_std_is_the_courses_glorot_form():
    assert xavier_std(1, 1) == pytest.approx(1.0)
    assert xavier_std(100, 300) == pytest.approx(math.sqrt(2 / 400))


@pytest.mark.parametrize("init, expected", [
    ("he", math.sqrt(2 / 100)),
    ("He", math.sqrt(2 / 100)),
    ("xavier", math.sqrt(2 / 150)),
    ("glorot", math.sqrt(2 / 150)),
    (0.01, 0.01),
    (1, 1.0),
])
def test_weight_std(init, expected):
    assert weight_std(init, 100, 50) == pytest.approx(expected)


@pytest.mark.parametrize("init, expected_var", [
    ("he", 2 / 1000),
    ("xavier", 2 / 2000),
    (0.05, 0.05 ** 2),
])
def test_sampled_weights_have_the_intended_mean_and_variance(init, expected_var):
    # 10**6 samples: the sample variance has relative standard error sqrt(2/10**6) ~ 0.0014,
    # so a 1% tolerance is about 7 standard errors; the mean's standard error is std/1000.
    W = init_weights([1000, 1000], init, rng=np.random.default_rng(0))["W1"]
    assert W.var() == pytest.approx(expected_var, rel=0.01)
    assert abs(W.mean()) < 5 * math.sqrt(expected_var) / 1000


def test_each_layer_uses_its_own_sizes():
    # 40000 and 30000 samples: std relative standard error below 0.4%, tolerance 2%.
    params = init_weights([400, 100, 300], "xavier", rng=np.random.default_rng(1))
    assert params["W1"].std() == pytest.approx(math.sqrt(2 / 500), rel=0.02)
    assert params["W2"].std() == pytest.approx(math.sqrt(2 / 400), rel=0.02)
    params = init_weights([400, 100, 300], "he", rng=np.random.default_rng(1))
    assert params["W1"].std() == pytest.approx(math.sqrt(2 / 400), rel=0.02)
    assert params["W2"].std() == pytest.approx(math.sqrt(2 / 100), rel=0.02)


def test_keys_shapes_and_zero_biases():
    params = init_weights([5, 4, 3, 2], rng=np.random.default_rng(2))
    assert list(params) == ["W1", "b1", "W2", "b2", "W3", "b3"]
    assert params["W1"].shape == (5, 4) and params["b1"].shape == (4,)
    assert params["W2"].shape == (4, 3) and params["b2"].shape == (3,)
    assert params["W3"].shape == (3, 2) and params["b3"].shape == (2,)
    for layer in (1, 2, 3):
        np.testing.assert_array_equal(params[f"b{layer}"], 0.0)
        assert np.all(params[f"W{layer}"] != 0.0)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_dtype(dtype):
    params = init_weights([6, 3, 2], rng=np.random.default_rng(3), dtype=dtype)
    for key, arr in params.items():
        assert arr.dtype == dtype, f"{key} has dtype {arr.dtype}"


def test_same_seed_same_weights_other_seed_other_weights():
    a = init_weights([8, 6, 4], rng=np.random.default_rng(42))
    b = init_weights([8, 6, 4], rng=np.random.default_rng(42))
    c = init_weights([8, 6, 4], rng=np.random.default_rng(43))
    for key in a:
        np.testing.assert_array_equal(a[key], b[key])
    assert not np.array_equal(a["W1"], c["W1"])


def test_float32_weights_are_the_rounded_float64_weights():
    w64 = init_weights([8, 6], rng=np.random.default_rng(5))["W1"]
    w32 = init_weights([8, 6], rng=np.random.default_rng(5), dtype=np.float32)["W1"]
    np.testing.assert_array_equal(w32, w64.astype(np.float32))


def test_unknown_name_lists_the_allowed_ones():
    with pytest.raises(ValueError, match="'he', 'xavier', 'glorot'"):
        weight_std("kaiming", 10, 10)
    with pytest.raises(ValueError, match="unknown weight initialization 'lecun'"):
        init_weights([3, 2], "lecun", rng=np.random.default_rng(0))


@pytest.mark.parametrize("std", [0, -0.1, float("nan")])
def test_non_positive_fixed_std_is_an_error(std):
    with pytest.raises(ValueError, match="positive"):
        weight_std(std, 10, 10)


@pytest.mark.parametrize("call, error", [
    (lambda: weight_std(None, 10, 10), TypeError),
    (lambda: he_std(0), ValueError),
    (lambda: xavier_std(10, 2.5), TypeError),
    (lambda: init_weights([10], rng=np.random.default_rng(0)), ValueError),
    (lambda: init_weights([10, 0, 3], rng=np.random.default_rng(0)), ValueError),
    (lambda: init_weights([10, 3], rng=0), TypeError),
    (lambda: init_weights([10, 3], rng=np.random.default_rng(0), dtype=np.int32), TypeError),
])
def test_bad_arguments_are_errors(call, error):
    with pytest.raises(error):
        call()
