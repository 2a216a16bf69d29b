import numpy as np
import pytest

from common.gradient_check import (GradientCheckError, check_close, check_gradient, check_layer,
                                   numerical_gradient, rel_error)
from common.layers import Affine


def test_numerical_gradient_of_known_function_and_x_unchanged():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((3, 4))
    x0 = x.copy()
    grad = numerical_gradient(lambda v: np.sum(v ** 3), x)
    np.testing.assert_allclose(grad, 3 * x0 ** 2, rtol=1e-7)
    np.testing.assert_array_equal(x, x0)


def test_numerical_gradient_refuses_float32():
    with pytest.raises(TypeError, match="float64"):
        numerical_gradient(np.sum, np.ones(3, dtype=np.float32))


def test_rel_error():
    assert rel_error(np.ones(3), np.ones(3)) == 0.0
    assert rel_error(np.array([1.0]), np.array([3.0])) == pytest.approx(0.5)
    assert rel_error(np.zeros(2), np.zeros(2)) == 0.0


class AffineMissingN(Affine):
    """Typical mistake: the upstream gradient is multiplied by the batch size."""

    def backward(self, dout):
        return super().backward(dout * self.x.shape[0])


class AffineUnsummedBias(Affine):
    def backward(self, dout):
        dx = super().backward(dout)
        self.db = dout
        return dx


class AffineInPlace(Affine):
    def backward(self, dout):
        dout *= 1.0
        dout += 0.0
        dout[0, 0] += 1.0
        return super().backward(dout)


def make(cls, seed=0):
    rng = np.random.default_rng(seed)
    return cls(rng.standard_normal((4, 3)), rng.standard_normal(3)), rng.standard_normal((5, 4))


def test_check_layer_passes_correct_layer():
    layer, x = make(Affine)
    check_layer(layer, x)


def test_check_layer_message_names_gradient_error_threshold_and_hint():
    layer, x = make(AffineMissingN)
    with pytest.raises(GradientCheckError) as info:
        check_layer(layer, x)
    msg = str(info.value)
    assert "dW" in msg and "threshold" in msg and "N=5 times too large" in msg
    lines = msg.splitlines()
    assert lines[0] == "AffineMissingN gradient check failed:"
    assert any(line.strip().startswith("hint: it is N=5 times too large") for line in lines)
    assert len(msg) < 1200 and all(len(line) < 100 for line in lines)


def test_check_layer_reports_unsummed_bias():
    layer, x = make(AffineUnsummedBias)
    with pytest.raises(GradientCheckError, match=r"(?s)db: shape \(5, 3\).*\n +hint: sum over the batch axis \(axis=0\)"):
        check_layer(layer, x)


def test_check_layer_reports_in_place_change_of_dout():
    layer, x = make(AffineInPlace)
    with pytest.raises(GradientCheckError, match="in place"):
        check_layer(layer, x)


class Scale:
    """A toy layer ``Y = alpha * X`` (alpha of shape (K,)) with a declared parameter ``alpha``,
    which is none of W, b, gamma, beta."""

    param_names = ("alpha",)

    def __init__(self, alpha):
        self.alpha = alpha
        self.dalpha = None

    def forward(self, x):
        self.x = x
        return self.alpha * x

    def backward(self, dout):
        self.dalpha = (self.x * dout).sum(axis=0)
        return self.alpha * dout


class ScaleWrongGradient(Scale):
    def backward(self, dout):
        dx = super().backward(dout)
        self.dalpha = 2 * self.dalpha
        return dx


class ScaleWithoutGradient(Scale):
    def __init__(self, alpha):
        self.alpha = alpha

    def backward(self, dout):
        return self.alpha * dout


class UndeclaredAffine:
    """As a student writes it: W and b but no param_names, so they are found by name."""

    def __init__(self, W, b):
        self.W, self.b = W, b

    def forward(self, x):
        self.x = x
        return x @ self.W + self.b

    def backward(self, dout):
        self.dW = self.x.T @ dout
        self.db = 2 * dout.sum(axis=0)  # wrong on purpose
        return dout @ self.W.T


def make_scale(cls, seed=0):
    rng = np.random.default_rng(seed)
    return cls(rng.uniform(0.5, 2.0, 3)), rng.standard_normal((5, 3))


def test_check_layer_checks_a_declared_parameter():
    check_layer(*make_scale(Scale))
    with pytest.raises(GradientCheckError, match=r"(?s)dalpha: relative error .*2 times the right"):
        check_layer(*make_scale(ScaleWrongGradient))


def test_check_layer_names_a_missing_gradient_attribute():
    with pytest.raises(GradientCheckError,
                       match=r"alpha is declared in param_names but the layer has no attribute "
                             r"dalpha; backward must store the gradient of alpha in self\.dalpha"):
        check_layer(*make_scale(ScaleWithoutGradient))


def test_check_layer_names_a_declared_parameter_that_is_not_an_array():
    layer, x = make_scale(Scale)
    layer.param_names = ("alpha", "beta")
    with pytest.raises(GradientCheckError, match="beta is declared in param_names but the "
                                                 "layer's beta is NoneType, not a NumPy array"):
        check_layer(layer, x)


def test_check_layer_finds_w_and_b_of_an_undeclared_layer():
    layer, x = make(UndeclaredAffine)
    assert not hasattr(layer, "param_names")
    with pytest.raises(GradientCheckError, match="db: relative error") as info:
        check_layer(layer, x)
    assert "dW" not in str(info.value)


def test_check_gradient_and_check_close():
    check_gradient("dW", np.ones(3), np.ones(3))
    with pytest.raises(GradientCheckError, match="wrong sign"):
        check_gradient("dW", -np.arange(1.0, 4.0), np.arange(1.0, 4.0))
    with pytest.raises(GradientCheckError, match="None"):
        check_gradient("db", None, np.ones(3))
    check_close("y", np.array([1.0, 2.0]), [1.0, 2.0])
    with pytest.raises(GradientCheckError, match=r"shape \(2,\), expected \(3,\)"):
        check_close("y", np.ones(2), np.ones(3))


# --- hints that point the right way for the kind of layer (the catalogued mistakes of
# tests/catalogue/04_layer_classes.py and 08_batch_norm.py)


class AffineMeanBias(Affine):
    def backward(self, dout):
        dx = super().backward(dout)
        self.db = dout.mean(axis=0)  # the mistake: the bias gradient is a sum, never a mean
        return dx


def _message(layer, x, t=None):
    with pytest.raises(GradientCheckError) as info:
        check_layer(layer, x, t)
    return str(info.value)


def test_an_averaged_bias_gradient_is_told_to_sum_not_to_divide_once():
    msg = _message(*make(AffineMeanBias))
    assert "db: relative error" in msg and "N=5 times too small" in msg
    assert "do not average" in msg and "only once" not in msg


class SoftmaxLossDividedTwice:
    def forward(self, x, t):
        e = np.exp(x - x.max(axis=1, keepdims=True))
        self.y, self.t = e / e.sum(axis=1, keepdims=True), t
        return -np.sum(t * np.log(self.y)) / len(x)

    def backward(self, dout=1):
        return dout * (self.y - self.t) / len(self.y) ** 2  # the mistake: / N twice


def test_a_loss_layer_divided_twice_is_told_to_divide_once():
    rng = np.random.default_rng(1)
    msg = _message(SoftmaxLossDividedTwice(), rng.standard_normal((5, 3)),
                   np.eye(3)[[0, 1, 2, 0, 1]])
    assert "N=5 times too small: divide by N only once" in msg


class BatchNormWithoutMeanAndVariancePaths:
    """Batch normalization whose dx treats the batch mean and variance as constants."""

    def __init__(self, d):
        self.gamma, self.beta = np.linspace(0.5, 1.5, d), np.linspace(-0.2, 0.3, d)

    def forward(self, x):
        self.sigma = np.sqrt(x.var(axis=0) + 1e-7)
        self.x_hat = (x - x.mean(axis=0)) / self.sigma
        return self.gamma * self.x_hat + self.beta

    def backward(self, dout):
        self.dgamma = np.sum(dout * self.x_hat, axis=0)
        self.dbeta = np.sum(dout, axis=0)
        return self.gamma / self.sigma * dout  # the mistake: two of the three terms missing


def test_batch_norm_missing_terms_is_not_told_about_w():
    msg = _message(BatchNormWithoutMeanAndVariancePaths(4),
                   np.random.default_rng(2).standard_normal((6, 4)))
    assert "dx: relative error" in msg and "dgamma" not in msg and "dbeta" not in msg
    assert "W.T" not in msg and "batch mean" in msg and "variance" in msg


class ReluWithoutMask:
    def forward(self, x):
        self.mask = x > 0
        return x * self.mask

    def backward(self, dout):
        return dout  # the mistake


def test_an_elementwise_layer_gets_an_elementwise_hint():
    x = np.random.default_rng(3).uniform(0.1, 1.0, (4, 5)) * np.array([1.0, -1.0, 1.0, -1.0, 1.0])
    msg = _message(ReluWithoutMask(), x)
    assert "W.T" not in msg and "entry by entry" in msg


def test_check_close_shows_the_values_got_and_expected_then_the_hint():
    got = np.array([[-0.0316, 0.0316], [-0.0316, 0.0316]])
    with pytest.raises(GradientCheckError) as info:
        check_close("W after Adam's first step", got, [[-0.01, 0.01], [-0.01, 0.01]],
                    rtol=1e-4, hint="a step of about 3.16 lr: the bias correction is missing")
    lines = str(info.value).splitlines()
    assert lines[0] == "W after Adam's first step: differs from the expected value by up to 0.0216"
    assert "got -0.0316, expected -0.01" in lines[1]
    assert lines[2].split() == ["got", "[-0.0316,", "0.0316,", "-0.0316,", "0.0316]"]
    assert lines[3].split() == ["expected", "[-0.01,", "0.01,", "-0.01,", "0.01]"]
    assert lines[-1] == "  hint: a step of about 3.16 lr: the bias correction is missing"
    with pytest.raises(GradientCheckError, match=r"(?s)got 2, expected 1"):
        check_close("loss", 2.0, 1.0)


def test_a_numeric_gradient_that_is_only_rounding_noise_gets_no_factor_hint():
    # the loss does not depend on the parameter: the numeric gradient is noise around 0 (here
    # even proportional to the analytic one), and "it is -1.8e+10 times the right value" would
    # change with the machine's rounding
    analytic = np.array([0.3, -0.2, 0.1])
    for noise in (analytic * -5.5e-11, np.array([-3e-12, 1e-12, 5e-12])):
        with pytest.raises(GradientCheckError) as info:
            check_gradient("db2", analytic, noise)
        assert "times the right value" not in str(info.value), str(info.value)
    with pytest.raises(GradientCheckError) as info:  # a real factor is still reported
        check_gradient("db2", analytic, analytic / 3)
    assert "it is 3 times the right value" in str(info.value)
