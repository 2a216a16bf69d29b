"""Every layer's backward pass against numerical gradients (float64, small seeded shapes)."""
import numpy as np
import pytest

from common.gradient_check import check_layer, numerical_gradient, rel_error
from common.layers import (Affine, BatchNormalization, Dropout, MeanSquaredError, Relu, Sigmoid,
                           SigmoidWithLoss, SoftmaxWithLoss, gradient_name)

N, K, L = 5, 4, 3


def away_from_zero(rng, shape):
    """Inputs with |x| >= 0.1, so ReLU's kink at 0 is never inside a finite difference."""
    x = rng.uniform(0.1, 2.0, size=shape)
    return x * rng.choice([-1.0, 1.0], size=shape)


def make_affine(rng):
    return Affine(rng.standard_normal((K, L)), rng.standard_normal(L))


def make_bn(rng):
    return BatchNormalization(rng.uniform(0.5, 1.5, K), rng.standard_normal(K))


PLAIN_LAYERS = {
    "Affine": (make_affine, (N, K), {}),
    "Relu": (lambda rng: Relu(), (N, K), {}),
    "Sigmoid": (lambda rng: Sigmoid(), (N, K), {}),
    "BatchNormalization-train": (make_bn, (N, K), {"training": True}),
    "BatchNormalization-inference": (make_bn, (N, K), {"training": False}),
}


@pytest.mark.parametrize("name", PLAIN_LAYERS)
@pytest.mark.parametrize("seed", [0, 1])
def test_backward_matches_numerical_gradient(name, seed):
    factory, shape, kwargs = PLAIN_LAYERS[name]
    rng = np.random.default_rng(seed)
    check_layer(factory(rng), away_from_zero(rng, shape), forward_kwargs=kwargs)


def test_affine_flattens_images_and_returns_dx_in_input_shape():
    rng = np.random.default_rng(0)
    layer = Affine(rng.standard_normal((6, 2)), np.zeros(2))
    x = rng.standard_normal((3, 1, 2, 3))
    assert layer.forward(x).shape == (3, 2)
    assert layer.backward(np.ones((3, 2))).shape == x.shape
    check_layer(layer, x)


def test_mean_squared_error_layer():
    rng = np.random.default_rng(2)
    y, t = rng.standard_normal((N, 2)), rng.standard_normal((N, 2))
    layer = MeanSquaredError()
    assert layer.forward(y, t) == pytest.approx(np.sum((y - t) ** 2) / (2 * N))
    check_layer(layer, y, t)


def test_sigmoid_with_loss():
    rng = np.random.default_rng(3)
    x = rng.standard_normal((N, 1))
    t = rng.integers(0, 2, size=(N, 1)).astype(float)
    check_layer(SigmoidWithLoss(), x, t)


@pytest.mark.parametrize("labels_as_integers", [False, True])
def test_softmax_with_loss(labels_as_integers):
    rng = np.random.default_rng(4)
    x = rng.standard_normal((N, L))
    labels = rng.integers(0, L, size=N)
    t = labels if labels_as_integers else np.eye(L)[labels]
    layer = SoftmaxWithLoss()
    p = np.exp(x) / np.exp(x).sum(axis=1, keepdims=True)
    assert layer.forward(x, t) == pytest.approx(-np.mean(np.log(p[np.arange(N), labels])))
    check_layer(layer, x, t)


def test_softmax_with_loss_large_scores_are_finite():
    layer = SoftmaxWithLoss()
    loss = layer.forward(np.array([[1000.0, 0.0], [0.0, 1000.0]]), np.array([0, 0]))
    assert np.isfinite(loss) and np.all(np.isfinite(layer.backward()))


def test_batchnorm_training_output_is_normalized():
    rng = np.random.default_rng(5)
    x = rng.normal(3.0, 2.0, size=(200, K))
    layer = BatchNormalization(np.ones(K), np.zeros(K))
    y = layer.forward(x, training=True)
    np.testing.assert_allclose(y.mean(axis=0), 0, atol=1e-10)
    np.testing.assert_allclose(y.var(axis=0), 1, atol=1e-6)


def test_batchnorm_running_statistics_and_inference():
    rng = np.random.default_rng(6)
    layer = BatchNormalization(np.ones(K), np.zeros(K), momentum=0.9)
    batches = [rng.normal(1.0, 2.0, size=(50, K)) for _ in range(3)]
    mean, var = np.zeros(K), np.ones(K)
    for b in batches:
        layer.forward(b, training=True)
        mean = 0.9 * mean + 0.1 * b.mean(axis=0)
        var = 0.9 * var + 0.1 * b.var(axis=0)
    np.testing.assert_allclose(layer.running_mean, mean)
    np.testing.assert_allclose(layer.running_var, var)
    x = rng.normal(size=(1, K))
    y = layer.forward(x, training=False)
    np.testing.assert_allclose(y, (x - mean) / np.sqrt(var + layer.eps))
    # inference does not touch the running statistics
    np.testing.assert_allclose(layer.running_mean, mean)


@pytest.mark.parametrize("inverted", [False, True])
def test_dropout_backward_with_fixed_mask(inverted):
    rng = np.random.default_rng(7)
    layer = Dropout(drop_prob=0.4, inverted=inverted, rng=np.random.default_rng(0))
    x = rng.standard_normal((N, K))
    dout = rng.standard_normal((N, K))
    layer.forward(x, training=True)
    mask = layer.mask.copy()
    dx = layer.backward(dout)
    scale = 1 / 0.6 if inverted else 1.0

    def f(x_):  # the same mask every time: the layer is linear in x
        return np.sum(x_ * mask * scale * dout)

    assert rel_error(dx, numerical_gradient(f, x.copy())) < 1e-8


@pytest.mark.parametrize("inverted", [False, True])
def test_dropout_expected_activation_matches_inference(inverted):
    layer = Dropout(drop_prob=0.3, inverted=inverted, rng=np.random.default_rng(1))
    x = np.ones((2000, 50))
    train_mean = layer.forward(x, training=True).mean()
    test_out = layer.forward(x, training=False)
    # 100,000 Bernoulli draws: the standard error of the mean is < 0.003
    assert abs(train_mean - test_out.mean()) < 0.015
    np.testing.assert_array_equal(test_out, layer.forward(x, training=False))


def test_dropout_mask_is_fresh_and_not_shared_with_input():
    layer = Dropout(drop_prob=0.5, rng=np.random.default_rng(2))
    x = np.ones((20, 20))
    y1 = layer.forward(x)
    m1 = layer.mask
    layer.forward(x)
    assert not np.array_equal(m1, layer.mask)
    assert not np.shares_memory(y1, x) and np.all(x == 1)


def test_dropout_rejects_bad_probability():
    with pytest.raises(ValueError, match="drop_prob"):
        Dropout(drop_prob=1.0)


@pytest.mark.parametrize("name", ["Affine", "Relu", "Sigmoid", "BatchNormalization-train"])
def test_layers_do_not_mutate_inputs(name):
    factory, shape, kwargs = PLAIN_LAYERS[name]
    rng = np.random.default_rng(8)
    layer = factory(rng)
    x = away_from_zero(rng, shape)
    x0 = x.copy()
    out = layer.forward(x, **kwargs)
    dout = np.ones_like(out)
    layer.backward(dout)
    np.testing.assert_array_equal(x, x0)
    np.testing.assert_array_equal(dout, 1.0)


@pytest.mark.parametrize("name", PLAIN_LAYERS)
def test_declared_parameters_are_arrays_with_stored_gradients(name):
    factory, shape, kwargs = PLAIN_LAYERS[name]
    rng = np.random.default_rng(9)
    layer = factory(rng)
    out = layer.forward(away_from_zero(rng, shape), **kwargs)
    layer.backward(np.ones_like(out))
    for param in layer.param_names:
        value, grad = getattr(layer, param), getattr(layer, gradient_name(param))
        assert isinstance(value, np.ndarray) and grad.shape == value.shape


def test_parameter_declarations():
    assert Affine.param_names == ("W", "b")
    assert BatchNormalization.param_names == ("gamma", "beta")
    for cls in (Relu, Sigmoid, Dropout, MeanSquaredError, SigmoidWithLoss, SoftmaxWithLoss):
        assert cls.param_names == ()
    assert gradient_name("gamma") == "dgamma"
