"""Tests for common.optimizers: update rules, in-place updates, dtypes, convergence, bad input."""
import math

import numpy as np
import pytest

from common.optimizers import SGD, AdaGrad, Adam, Momentum, RMSProp

ALL_OPTIMIZERS = [SGD, Momentum, AdaGrad, RMSProp, Adam]


# --- a tiny problem: three entries, two steps with different gradients ---------------------

def _start():
    return {"W1": np.array([[1.0, -2.0]]), "b1": np.array([0.5])}


GRADS_1 = {"W1": np.array([[0.5, -1.0]]), "b1": np.array([2.0])}
GRADS_2 = {"W1": np.array([[-1.0, 0.25]]), "b1": np.array([2.0])}

# (start value, first gradient, second gradient) of each entry, in the order W1[0,0], W1[0,1], b1[0]
ENTRIES = [(1.0, 0.5, -1.0), (-2.0, -1.0, 0.25), (0.5, 2.0, 2.0)]


def _two_steps(optimizer):
    """Apply GRADS_1 then GRADS_2; return the three entries as a flat array."""
    params = _start()
    optimizer.update(params, GRADS_1)
    optimizer.update(params, GRADS_2)
    return np.concatenate([params["W1"].ravel(), params["b1"]])


def test_sgd_two_steps_by_hand():
    # w <- w - 0.1 g, twice:
    #   W1[0,0]: 1.0 - 0.1*0.5 - 0.1*(-1.0) = 1.05
    #   W1[0,1]: -2.0 - 0.1*(-1.0) - 0.1*0.25 = -1.925
    #   b1[0]:   0.5 - 0.1*2.0 - 0.1*2.0 = 0.1
    np.testing.assert_allclose(_two_steps(SGD(lr=0.1)), [1.05, -1.925, 0.1], rtol=1e-12)


def test_momentum_two_steps_by_hand():
    # v <- 0.9 v - 0.1 g ; w <- w + v, with v = 0 at the start:
    #   W1[0,0]: v = -0.05, w = 0.95;  v = 0.9*(-0.05) + 0.1 = 0.055,   w = 1.005
    #   W1[0,1]: v = 0.1,   w = -1.9;  v = 0.9*0.1 - 0.025 = 0.065,     w = -1.835
    #   b1[0]:   v = -0.2,  w = 0.3;   v = 0.9*(-0.2) - 0.2 = -0.38,    w = -0.08
    got = _two_steps(Momentum(lr=0.1, momentum=0.9))
    np.testing.assert_allclose(got, [1.005, -1.835, -0.08], rtol=1e-12)


def test_momentum_with_zero_momentum_is_sgd():
    np.testing.assert_allclose(_two_steps(Momentum(lr=0.1, momentum=0.0)),
                               _two_steps(SGD(lr=0.1)), rtol=1e-12)


def test_adagrad_two_steps_by_hand():
    lr, eps = 0.1, 1e-7
    expected = []
    for w, g1, g2 in ENTRIES:
        h = g1 * g1
        w = w - lr * g1 / (math.sqrt(h) + eps)
        h = h + g2 * g2
        w = w - lr * g2 / (math.sqrt(h) + eps)
        expected.append(w)
    # e.g. W1[0,0]: 1 - 0.1*0.5/0.5 = 0.9, then 0.9 + 0.1*1/sqrt(1.25) = 0.98944...
    assert expected[0] == pytest.approx(0.9 + 0.1 / math.sqrt(1.25), rel=1e-6)
    np.testing.assert_allclose(_two_steps(AdaGrad(lr=lr, eps=eps)), expected, rtol=1e-12)


def test_rmsprop_two_steps_by_hand():
    lr, rho, eps = 0.1, 0.99, 1e-7
    expected = []
    for w, g1, g2 in ENTRIES:
        h = (1 - rho) * g1 * g1
        w = w - lr * g1 / (math.sqrt(h) + eps)
        h = rho * h + (1 - rho) * g2 * g2
        w = w - lr * g2 / (math.sqrt(h) + eps)
        expected.append(w)
    np.testing.assert_allclose(_two_steps(RMSProp(lr=lr, decay_rate=rho, eps=eps)),
                               expected, rtol=1e-12)


def _adam_by_hand(lr, b1, b2, eps, form):
    """Two Adam steps on ENTRIES, written out with scalar arithmetic."""
    expected = []
    for w, g1, g2 in ENTRIES:
        m = v = 0.0
        for t, g in ((1, g1), (2, g2)):
            m = b1 * m + (1 - b1) * g
            v = b2 * v + (1 - b2) * g * g
            if form == "implementation":
                lr_t = lr * math.sqrt(1 - b2 ** t) / (1 - b1 ** t)
                w = w - lr_t * m / (math.sqrt(v) + eps)
            else:
                m_hat = m / (1 - b1 ** t)
                v_hat = v / (1 - b2 ** t)
                w = w - lr * m_hat / (math.sqrt(v_hat) + eps)
        expected.append(w)
    return expected


@pytest.mark.parametrize("form", ["implementation", "original"])
@pytest.mark.parametrize("eps", [1e-8, 0.1])  # a large eps makes the two forms differ visibly
def test_adam_two_steps_by_hand(form, eps):
    got = _two_steps(Adam(lr=0.1, beta1=0.9, beta2=0.999, eps=eps, form=form))
    np.testing.assert_allclose(got, _adam_by_hand(0.1, 0.9, 0.999, eps, form), rtol=1e-12)


def test_adam_forms_differ_only_through_eps():
    # With eps = 0.1 the two forms must give different numbers (eps enters at different places)...
    impl = _two_steps(Adam(lr=0.1, eps=0.1, form="implementation"))
    orig = _two_steps(Adam(lr=0.1, eps=0.1, form="original"))
    assert np.max(np.abs(impl - orig)) > 1e-3
    # ...and the same numbers when eps is (almost) zero.
    impl = _two_steps(Adam(lr=0.1, eps=1e-300, form="implementation"))
    orig = _two_steps(Adam(lr=0.1, eps=1e-300, form="original"))
    np.testing.assert_allclose(impl, orig, rtol=1e-12)


@pytest.mark.parametrize("form", ["implementation", "original"])
def test_adam_first_step_moves_each_parameter_by_about_lr(form):
    # With the bias corrections the first step is lr * g / (|g| + tiny) = lr * sign(g), whatever
    # the size of g. Without them it would be lr * 0.1 / sqrt(0.001), about 3.16 lr.
    lr = 0.01
    rng = np.random.default_rng(0)
    grad = rng.choice([-1.0, 1.0], size=(4, 5)) * 10.0 ** rng.uniform(-2, 2, size=(4, 5))
    start = rng.standard_normal((4, 5))
    params = {"W1": start.copy()}
    Adam(lr=lr, form=form).update(params, {"W1": grad})
    step = params["W1"] - start
    np.testing.assert_allclose(np.abs(step), lr, rtol=1e-3,
                               err_msg="Adam's first step should be about lr for every entry")
    np.testing.assert_array_equal(np.sign(step), -np.sign(grad))


def test_adam_original_and_implementation_forms_agree_over_50_steps():
    # Gradient of f(p) = sum(a * p**2), so each path depends on its own previous steps.
    rng = np.random.default_rng(1)
    a = rng.uniform(0.5, 50.0, size=(3, 4))
    start = rng.standard_normal((3, 4))
    paths = {}
    for form in ("implementation", "original"):
        params = {"W1": start.copy()}
        opt = Adam(lr=0.01, form=form)
        for _ in range(50):
            opt.update(params, {"W1": 2 * a * params["W1"]})
        paths[form] = params["W1"]
    assert np.max(np.abs(paths["implementation"] - start)) > 0.2  # the parameters really moved
    np.testing.assert_allclose(paths["implementation"], paths["original"], rtol=0, atol=1e-6)


def test_adam_counts_one_step_per_update_call_not_per_parameter():
    opt = Adam()
    opt.update(_start(), GRADS_1)
    assert opt.t == 1


# --- properties shared by every optimizer ------------------------------------------------

@pytest.mark.parametrize("make", ALL_OPTIMIZERS)
def test_update_is_in_place_and_leaves_grads_alone(make):
    params = _start()
    before = {key: arr for key, arr in params.items()}
    old_values = {key: arr.copy() for key, arr in params.items()}
    grads = {key: arr.copy() for key, arr in GRADS_1.items()}
    make().update(params, grads)
    for key in params:
        assert params[key] is before[key], f"params[{key!r}] was replaced, not updated in place"
        assert not np.array_equal(params[key], old_values[key]), f"params[{key!r}] did not move"
        np.testing.assert_array_equal(grads[key], GRADS_1[key])


@pytest.mark.parametrize("make", ALL_OPTIMIZERS)
@pytest.mark.parametrize("grad_dtype", [np.float32, np.float64])
def test_float32_parameters_stay_float32(make, grad_dtype):
    params = {key: arr.astype(np.float32) for key, arr in _start().items()}
    opt = make()
    for grads in (GRADS_1, GRADS_2, GRADS_1):
        opt.update(params, {key: g.astype(grad_dtype) for key, g in grads.items()})
    for key, arr in params.items():
        assert arr.dtype == np.float32, f"params[{key!r}] became {arr.dtype}"
        assert np.all(np.isfinite(arr))
    for name in ("v", "h", "m"):
        for key, state in getattr(opt, name, {}).items():
            assert state.dtype == np.float32, f"state {name}[{key!r}] is {state.dtype}"


@pytest.mark.parametrize("make, lr, steps", [
    (SGD, 0.009, 1000),      # lr < 2/200, or the y direction diverges
    (Momentum, 0.005, 1000),
    (AdaGrad, 1.0, 1000),
    (RMSProp, 0.05, 1000),
    (Adam, 0.1, 1000),
])
def test_each_optimizer_finds_the_minimum_of_an_elongated_bowl(make, lr, steps):
    # f(x, y) = x**2 + 100 y**2 from (10, 1), as in the handout; minimum at (0, 0).
    # Tolerance: both coordinates within 1e-3 of 0 after `steps` updates.
    params = {"xy": np.array([10.0, 1.0])}
    opt = make(lr=lr)
    for _ in range(steps):
        x, y = params["xy"]
        opt.update(params, {"xy": np.array([2 * x, 200 * y])})
    assert np.max(np.abs(params["xy"])) < 1e-3, f"{make.__name__} ended at {params['xy']}"


def test_changing_lr_between_updates_takes_effect():
    params = {"w": np.array([1.0])}
    opt = SGD(lr=0.1)
    opt.update(params, {"w": np.array([1.0])})
    opt.lr = 0.5
    opt.update(params, {"w": np.array([1.0])})
    np.testing.assert_allclose(params["w"], [1.0 - 0.1 - 0.5])


# --- bad input ----------------------------------------------------------------------------

@pytest.mark.parametrize("make", ALL_OPTIMIZERS)
def test_gradient_without_parameter_is_an_error(make):
    params = _start()
    grads = dict(GRADS_1, W2=np.ones((1, 2)))
    with pytest.raises(ValueError, match="'W2'"):
        make().update(params, grads)
    np.testing.assert_array_equal(params["W1"], _start()["W1"])  # nothing was touched


@pytest.mark.parametrize("make", ALL_OPTIMIZERS)
def test_parameter_without_gradient_is_an_error(make):
    with pytest.raises(ValueError, match="'b1'"):
        make().update(_start(), {"W1": GRADS_1["W1"]})


@pytest.mark.parametrize("make", ALL_OPTIMIZERS)
def test_shape_mismatch_is_an_error(make):
    params = _start()
    grads = {"W1": np.ones((2, 1)), "b1": GRADS_1["b1"]}
    with pytest.raises(ValueError, match=r"grads\['W1'\] has shape \(2, 1\).*\(1, 2\)"):
        make().update(params, grads)
    np.testing.assert_array_equal(params["b1"], _start()["b1"])  # checked before any update


def test_non_float_or_non_dict_input_is_an_error():
    with pytest.raises(TypeError, match="floating-point"):
        SGD().update({"w": np.array([1, 2])}, {"w": np.array([1, 1])})
    with pytest.raises(TypeError, match="dicts"):
        SGD().update([np.ones(2)], [np.ones(2)])


def test_reusing_a_stateful_optimizer_on_a_new_shape_is_an_error():
    opt = Momentum()
    opt.update({"w": np.ones(3)}, {"w": np.ones(3)})
    with pytest.raises(ValueError, match="new optimizer"):
        opt.update({"w": np.ones(4)}, {"w": np.ones(4)})


@pytest.mark.parametrize("build", [
    lambda: SGD(lr=0),
    lambda: SGD(lr=-0.1),
    lambda: Momentum(momentum=1.0),
    lambda: RMSProp(decay_rate=1.5),
    lambda: AdaGrad(eps=0),
    lambda: Adam(beta2=1.0),
    lambda: Adam(form="paper"),
])
def test_bad_hyperparameters_are_errors(build):
    with pytest.raises(ValueError):
        build()
