"""MultiLayerNet: backpropagation against numerical gradients, penalties, shared parameters,
dtypes, dropout modes and error messages (float64, tiny seeded networks)."""
import numpy as np
import pytest

from common.gradient_check import check_gradient, numerical_gradient
from common.initializers import init_weights
from common.layers import (Affine, BatchNormalization, Dropout, Relu, Sigmoid, SigmoidWithLoss,
                           SoftmaxWithLoss)
from common.network import MultiLayerNet
from common.optimizers import Adam

N, SIZES = 6, (4, [5, 3], 3)  # a 4-5-3-3 network on 6 examples
KINK_MARGIN = 1e-3            # ReLU inputs must be at least this far from 0


def make_data(loss, seed=0, n=N, n_in=4, n_out=3):
    """Inputs and targets that suit ``loss`` (integer labels, 0/1 targets, real targets)."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, n_in))
    if loss == "softmax":
        t = rng.integers(0, n_out, size=n)
    elif loss == "sigmoid":
        t = rng.integers(0, 2, size=(n, n_out)).astype(np.float64)
    else:
        t = rng.standard_normal((n, n_out))
    return x, t


def relu_inputs(net, x):
    """The arrays that enter the ReLU layers in a training-mode forward pass."""
    seen, out = [], x
    for layer in net.layers:
        if isinstance(layer, Relu):
            seen.append(out)
        out = layer.forward(out, training=True) if getattr(layer, "has_training_mode", False) \
            else layer.forward(out)
    return seen


def assert_gradients_match(net, grads, numeric, n):
    """Every gradient within 1e-6 relative error; a gradient that is exactly zero in theory (the
    bias of an Affine followed by batch norm: the normalization removes any shift) is checked
    with an absolute tolerance instead, because a relative error of two zeros is just noise."""
    for key in net.params:
        if np.max(np.abs(numeric[key])) < 1e-9:
            assert np.max(np.abs(grads[key])) < 1e-12, f"{key}: should be 0, got {grads[key]}"
        else:
            check_gradient("d" + key, grads[key], numeric[key], threshold=1e-6, batch_size=n)


PENALTIES = {"none": {}, "l2": {"weight_decay_l2": 0.1}, "l1": {"weight_decay_l1": 0.05},
             "l2+l1": {"weight_decay_l2": 0.03, "weight_decay_l1": 0.02}}


@pytest.mark.parametrize("penalty", PENALTIES)
@pytest.mark.parametrize("loss", ["softmax", "sigmoid", "mse"])
@pytest.mark.parametrize("batch_norm", [False, True])
@pytest.mark.parametrize("activation", ["relu", "sigmoid"])
def test_backprop_matches_numerical_gradient(activation, batch_norm, loss, penalty):
    net = MultiLayerNet(*SIZES, activation=activation, batch_norm=batch_norm, loss=loss, seed=1,
                        **PENALTIES[penalty])
    x, t = make_data(loss)
    for a in relu_inputs(net, x):  # a precondition, so a failure below is never a kink artefact
        assert np.min(np.abs(a)) > KINK_MARGIN, "pick another seed: a ReLU input is near 0"
    grads = net.gradient(x, t)
    assert set(grads) == set(net.params)
    assert_gradients_match(net, grads, net.numerical_gradient(x, t), N)


def test_bias_before_batch_norm_has_zero_gradient():
    net = MultiLayerNet(*SIZES, batch_norm=True, seed=1)
    x, t = make_data("softmax")
    grads = net.gradient(x, t)
    assert np.max(np.abs(grads["b1"])) < 1e-12 and np.max(np.abs(grads["b2"])) < 1e-12
    assert np.max(np.abs(grads["b3"])) > 1e-3  # the output bias is not followed by batch norm


def test_one_hot_and_integer_labels_give_the_same_loss_and_gradients():
    net = MultiLayerNet(*SIZES, seed=2)
    x, labels = make_data("softmax", seed=3)
    one_hot = np.eye(3)[labels]
    assert net.loss(x, labels) == pytest.approx(net.loss(x, one_hot), rel=1e-12)
    g_int, g_hot = net.gradient(x, labels), net.gradient(x, one_hot)
    for key in net.params:
        np.testing.assert_allclose(g_int[key], g_hot[key], rtol=1e-12, atol=1e-15)


def test_dropout_network_gradient_with_replayed_masks():
    """With the same masks in every forward pass, backprop through Dropout layers is exact."""
    for inverted in (False, True):
        net = MultiLayerNet(*SIZES, dropout=0.3, dropout_inverted=inverted, seed=1)
        x, t = make_data("softmax")
        dropouts = [layer for layer in net.layers if isinstance(layer, Dropout)]

        def replay_masks():
            for i, layer in enumerate(dropouts):
                layer.rng = np.random.default_rng(100 + i)

        replay_masks()
        grads = net.gradient(x, t)
        assert any(not layer.mask.all() for layer in dropouts)  # some unit was really dropped

        def f(_):
            replay_masks()
            return net.loss(x, t)

        numeric = {key: numerical_gradient(f, p) for key, p in net.params.items()}
        assert_gradients_match(net, grads, numeric, N)


def test_numerical_gradient_refuses_dropout_and_keeps_running_statistics():
    x, t = make_data("softmax")
    with pytest.raises(ValueError, match="dropout"):
        MultiLayerNet(*SIZES, dropout=0.5).numerical_gradient(x, t)
    net = MultiLayerNet(*SIZES, batch_norm=True)
    bn = net.layers[1]
    before = bn.running_mean.copy(), bn.running_var.copy()
    net.numerical_gradient(x, t)
    np.testing.assert_array_equal(bn.running_mean, before[0])
    np.testing.assert_array_equal(bn.running_var, before[1])


# ------------------------------------------------------------------------------- penalties
def nets_with_and_without(**penalty):
    """Two networks with equal parameters (nonzero biases and BN parameters), one penalized."""
    plain = MultiLayerNet(*SIZES, batch_norm=True, seed=4)
    penalized = MultiLayerNet(*SIZES, batch_norm=True, seed=4, **penalty)
    rng = np.random.default_rng(5)
    for key in plain.params:
        if not key.startswith("W"):  # biases 0 and gamma 1 would hide a wrong penalty
            plain.params[key][...] = rng.uniform(0.5, 1.5, plain.params[key].shape)
        penalized.params[key][...] = plain.params[key]
    return plain, penalized


def test_l2_penalty_is_the_sum_of_squared_weights_without_a_half():
    plain, penalized = nets_with_and_without(weight_decay_l2=0.1)
    x, t = make_data("softmax")
    expected = 0.1 * sum(np.sum(plain.params[k] ** 2) for k in ("W1", "W2", "W3"))
    assert penalized.loss(x, t) - plain.loss(x, t) == pytest.approx(expected, rel=1e-10)


def test_l1_penalty_is_the_sum_of_absolute_weights():
    plain, penalized = nets_with_and_without(weight_decay_l1=0.05)
    x, t = make_data("softmax")
    expected = 0.05 * sum(np.sum(np.abs(plain.params[k])) for k in ("W1", "W2", "W3"))
    assert penalized.loss(x, t) - plain.loss(x, t) == pytest.approx(expected, rel=1e-10)


def test_penalty_gradients_touch_weights_only():
    plain, penalized = nets_with_and_without(weight_decay_l2=0.1, weight_decay_l1=0.05)
    x, t = make_data("softmax")
    g0, g1 = plain.gradient(x, t), penalized.gradient(x, t)
    for key in plain.params:
        if key.startswith("W"):
            W = plain.params[key]
            np.testing.assert_allclose(g1[key] - g0[key], 2 * 0.1 * W + 0.05 * np.sign(W),
                                       rtol=1e-10, atol=1e-14)
        else:  # b, gamma, beta: exactly the same gradient as without the penalty
            np.testing.assert_array_equal(g1[key], g0[key])


def test_negative_penalty_is_rejected():
    with pytest.raises(ValueError, match="weight_decay_l2"):
        MultiLayerNet(*SIZES, weight_decay_l2=-0.1)


# ------------------------------------------------------------------- structure and sharing
def test_layer_order_and_parameter_names():
    net = MultiLayerNet(*SIZES, batch_norm=True, dropout=0.2)
    kinds = [type(layer) for layer in net.layers]
    assert kinds == [Affine, BatchNormalization, Relu, Dropout] * 2 + [Affine]
    assert isinstance(net.loss_layer, SoftmaxWithLoss)
    assert list(net.params) == ["W1", "b1", "gamma1", "beta1", "W2", "b2", "gamma2", "beta2",
                                "W3", "b3"]
    assert [net.params[k].shape for k in ("W1", "W2", "W3")] == [(4, 5), (5, 3), (3, 3)]
    sigmoid_net = MultiLayerNet(4, [], 1, activation="sigmoid", loss="sigmoid")
    assert [type(layer) for layer in sigmoid_net.layers] == [Affine]
    assert isinstance(sigmoid_net.loss_layer, SigmoidWithLoss)
    assert [type(layer) for layer in MultiLayerNet(*SIZES, activation="sigmoid").layers] == \
        [Affine, Sigmoid, Affine, Sigmoid, Affine]


def test_params_are_the_parameters_the_layers_declare():
    net = MultiLayerNet(*SIZES, batch_norm=True, dropout=0.2)
    declared = [name for layer in net.layers for name in layer.param_names]
    assert [key.rstrip("0123456789") for key in net.params] == declared
    grads = net.gradient(*make_data("softmax"))
    assert list(grads) == list(net.params)


def test_params_are_the_arrays_the_layers_use():
    net = MultiLayerNet(*SIZES, batch_norm=True)
    assert net.params["W1"] is net.layers[0].W and net.params["gamma1"] is net.layers[1].gamma
    x, t = make_data("softmax")
    before = net.predict(x)
    net.params["b3"] += 1.0  # the output bias shifts every score by exactly 1
    np.testing.assert_allclose(net.predict(x), before + 1.0, rtol=1e-12)
    net.params["W1"] *= 2.0
    assert not np.allclose(net.predict(x), before + 1.0)


def test_optimizer_update_trains_the_layers():
    net = MultiLayerNet(*SIZES, seed=3)
    x, t = make_data("softmax", seed=3)
    arrays = dict(net.params)
    loss_before = net.loss(x, t)
    optimizer = Adam(lr=0.01)
    for _ in range(20):
        optimizer.update(net.params, net.gradient(x, t))
    assert all(net.params[k] is arrays[k] for k in arrays)
    assert net.loss(x, t) < loss_before


def test_same_seed_same_weights_other_seed_other_weights():
    a, b, c = (MultiLayerNet(*SIZES, seed=s) for s in (7, 7, 8))
    np.testing.assert_array_equal(a.params["W2"], b.params["W2"])
    assert not np.allclose(a.params["W2"], c.params["W2"])


def test_weights_are_drawn_by_init_weights():
    net = MultiLayerNet(*SIZES, activation="sigmoid", dtype=np.float32, seed=4)
    expected = init_weights([4, 5, 3, 3], "xavier", rng=np.random.default_rng(4), dtype=np.float32)
    for key, value in expected.items():
        assert net.params[key].dtype == value.dtype
        np.testing.assert_array_equal(net.params[key], value)


def test_init_reaches_the_weights():
    std = lambda net: float(np.std(net.params["W1"]))
    assert std(MultiLayerNet(784, [200], 10, init=0.01)) == pytest.approx(0.01, rel=0.02)
    assert std(MultiLayerNet(784, [200], 10)) == pytest.approx(np.sqrt(2 / 784), rel=0.02)
    sigmoid = MultiLayerNet(784, [200], 10, activation="sigmoid")  # Xavier by default
    assert std(sigmoid) == pytest.approx(np.sqrt(2 / (784 + 200)), rel=0.02)


# ------------------------------------------------------------------------- modes and dtypes
@pytest.mark.parametrize("loss", ["softmax", "sigmoid", "mse"])
def test_float32_network_stays_float32(loss):
    net = MultiLayerNet(*SIZES, batch_norm=True, dropout=0.2, loss=loss, dtype=np.float32,
                        weight_decay_l2=0.01, weight_decay_l1=0.01)
    x, t = make_data(loss)  # float64 inputs: the network casts them
    assert all(p.dtype == np.float32 for p in net.params.values())
    assert net.predict(x).dtype == np.float32
    assert net.predict(x, training=True).dtype == np.float32
    grads = net.gradient(x, t)
    assert {key: g.dtype for key, g in grads.items()} == {key: np.float32 for key in net.params}
    assert np.isfinite(net.loss(x, t))
    Adam().update(net.params, grads)
    assert all(p.dtype == np.float32 for p in net.params.values())


def test_float32_and_float64_networks_agree():
    x, t = make_data("softmax")
    net64 = MultiLayerNet(*SIZES, seed=5)
    net32 = MultiLayerNet(*SIZES, seed=5, dtype=np.float32)
    np.testing.assert_allclose(net32.predict(x), net64.predict(x), rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("inverted", [False, True])
def test_dropout_is_random_in_training_and_deterministic_at_inference(inverted):
    net = MultiLayerNet(4, [50, 50], 3, dropout=0.5, dropout_inverted=inverted, seed=0)
    x, _ = make_data("softmax")
    np.testing.assert_array_equal(net.predict(x), net.predict(x))
    assert not np.allclose(net.predict(x, training=True), net.predict(x, training=True))
    plain = MultiLayerNet(4, [50, 50], 3, seed=0)  # same weights, no dropout layers
    if inverted:  # inverted dropout is the identity at inference
        np.testing.assert_allclose(net.predict(x), plain.predict(x), rtol=1e-12)
    else:  # the handout's form scales the units by 1 - p at inference
        assert not np.allclose(net.predict(x), plain.predict(x))


def test_batch_norm_inference_uses_running_statistics():
    net = MultiLayerNet(*SIZES, batch_norm=True)
    x, t = make_data("softmax")
    first = net.predict(x)
    net.gradient(x, t)  # a training pass moves the running statistics
    assert not np.allclose(net.predict(x), first)
    np.testing.assert_array_equal(net.predict(x[:2]), net.predict(x)[:2])  # per example


# ------------------------------------------------------------------------------- accuracy
def test_accuracy_with_integer_and_one_hot_labels():
    net = MultiLayerNet(4, [8], 3, seed=0)
    x, labels = make_data("softmax", n=50)
    predicted = np.argmax(net.predict(x), axis=1)
    expected = float(np.mean(predicted == labels))
    assert 0 < expected < 1
    assert net.accuracy(x, labels) == expected
    assert net.accuracy(x, np.eye(3)[labels]) == expected
    assert net.accuracy(x, predicted) == 1.0


def test_binary_accuracy_thresholds_scores_at_zero():
    net = MultiLayerNet(4, [8], 1, loss="sigmoid", seed=0)
    x, _ = make_data("softmax", n=50)
    said_yes = net.predict(x)[:, 0] > 0
    assert 0 < said_yes.mean() < 1
    assert net.accuracy(x, said_yes.astype(int)) == 1.0
    assert net.accuracy(x, (~said_yes).astype(float).reshape(-1, 1)) == 0.0


def test_images_are_flattened():
    net = MultiLayerNet(4, [5], 3)
    x = np.random.default_rng(0).standard_normal((6, 1, 2, 2))
    np.testing.assert_array_equal(net.predict(x), net.predict(x.reshape(6, 4)))


# --------------------------------------------------------------------------------- errors
def test_wrong_input_width_says_what_was_expected():
    net = MultiLayerNet(784, [10], 10)
    with pytest.raises(ValueError, match="expects 784 features per example, got 64"):
        net.predict(np.zeros((5, 64)))
    with pytest.raises(ValueError, match="expects 784 features per example, got 64"):
        net.gradient(np.zeros((5, 64)), np.zeros(5, dtype=int))
    with pytest.raises(ValueError, match=r"reshape\(1, -1\)"):
        net.predict(np.zeros(784))


def test_targets_must_match_the_batch():
    net = MultiLayerNet(*SIZES)
    x, t = make_data("softmax")
    with pytest.raises(ValueError, match="6 examples"):
        net.loss(x, t[:4])
    with pytest.raises(ValueError, match="integer class labels"):
        net.loss(x, t.astype(float))


@pytest.mark.parametrize("kwargs, listed", [
    ({"activation": "tanh"}, "'relu', 'sigmoid'"),
    ({"loss": "hinge"}, "'softmax', 'sigmoid', 'mse'"),
    ({"init": "lecun"}, "he"),
])
def test_unknown_names_list_the_allowed_ones(kwargs, listed):
    with pytest.raises(ValueError, match=listed):
        MultiLayerNet(*SIZES, **kwargs)


def test_bad_sizes_and_dropout_are_rejected():
    with pytest.raises(ValueError, match="positive integers"):
        MultiLayerNet(4, [5, 0], 3)
    with pytest.raises(TypeError, match=r"e.g. \[100\]"):
        MultiLayerNet(784, 100, 10)
    with pytest.raises(ValueError, match=r"\[0, 1\)"):
        MultiLayerNet(*SIZES, dropout=1.0)
