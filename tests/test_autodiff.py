"""Tests of common.autodiff: every backward rule against central differences, plus the engine."""
import doctest
import warnings

import numpy as np
import pytest

import common.autodiff as ad
from common.autodiff import Tensor

TOL = 1e-7


def central_difference(f, x, h=1e-6):
    """d f / d x by central differences; f() reads x, which is perturbed in place and restored."""
    grad = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        saved = x[idx]
        x[idx] = saved + h
        f_plus = f()
        x[idx] = saved - h
        f_minus = f()
        x[idx] = saved
        grad[idx] = (f_plus - f_minus) / (2 * h)
    return grad


def rel_error(a, b):
    return np.max(np.abs(a - b)) / max(1e-8, np.max(np.abs(a) + np.abs(b)))


def assert_grads_match(build, arrays, seed_rng=None):
    """Compare engine gradients of every input with central differences.

    `build(*tensors)` returns a Tensor. If it is not a scalar, a fixed random seed gradient R
    is used, i.e. the checked function is sum(build(...) * R).
    """
    tensors = [Tensor(a) for a in arrays]
    out = build(*tensors)
    seed = np.ones(out.shape) if seed_rng is None else seed_rng.standard_normal(out.shape)
    out.backward(grad=seed)
    for i, t in enumerate(tensors):
        def f():
            return float(np.sum(build(*[Tensor(a) for a in arrays]).data * seed))
        numeric = central_difference(f, arrays[i])
        err = rel_error(t.grad, numeric)
        assert err < TOL, f"input {i}: relative error {err:.2e} between engine and numerical grad"


def normal(*shape):
    return lambda rng: rng.standard_normal(shape)


def positive(*shape):
    return lambda rng: rng.uniform(0.5, 2.0, shape)


def away_from_zero(*shape):
    return lambda rng: rng.choice([-1.0, 1.0], shape) * rng.uniform(0.2, 2.0, shape)


ONE_HOT = np.eye(4)[[0, 3, 1]]
LABELS = np.array([2, 0, 3])

OP_CASES = {
    "add": (lambda a, b: a + b, [normal(3, 4), normal(3, 4)]),
    "sub": (lambda a, b: a - b, [normal(3, 4), normal(3, 4)]),
    "neg": (lambda a: -a, [normal(3, 4)]),
    "mul": (lambda a, b: a * b, [normal(3, 4), normal(3, 4)]),
    "div": (lambda a, b: a / b, [normal(3, 4), positive(3, 4)]),
    "pow3": (lambda a: a ** 3, [normal(3, 4)]),
    "pow_half": (lambda a: a ** 0.5, [positive(3, 4)]),
    "pow_minus1": (lambda a: a ** -1, [positive(3, 4)]),
    "exp": (lambda a: a.exp(), [normal(3, 4)]),
    "log": (lambda a: a.log(), [positive(3, 4)]),
    "matmul": (lambda a, b: a @ b, [normal(3, 4), normal(4, 2)]),
    "sum_all": (lambda a: a.sum(), [normal(3, 4)]),
    "sum_axis0": (lambda a: a.sum(axis=0), [normal(3, 4)]),
    "sum_axis1_keepdims": (lambda a: a.sum(axis=1, keepdims=True), [normal(3, 4)]),
    "sum_axis_minus1_3d": (lambda a: ad.sum(a, axis=-1), [normal(2, 3, 4)]),
    "mean_all": (lambda a: a.mean(), [normal(3, 4)]),
    "mean_axis0": (lambda a: a.mean(axis=0), [normal(3, 4)]),
    "mean_axis1_keepdims": (lambda a: a.mean(axis=1, keepdims=True), [normal(3, 4)]),
    "relu": (lambda a: a.relu(), [away_from_zero(3, 4)]),
    "sigmoid": (lambda a: a.sigmoid(), [normal(3, 4)]),
    "sce_one_hot": (lambda a: ad.softmax_cross_entropy(a, ONE_HOT), [normal(3, 4)]),
    "sce_labels": (lambda a: ad.softmax_cross_entropy(a, LABELS), [normal(3, 4)]),
    "number_times": (lambda a: 2.5 * a, [normal(3, 4)]),
    "number_minus": (lambda a: 1.0 - a, [normal(3, 4)]),
    "minus_number": (lambda a: a - 1.0, [normal(3, 4)]),
    "number_over": (lambda a: 1.0 / a, [positive(3, 4)]),
    "array_matmul": (lambda a: np.linspace(-1, 1, 6).reshape(2, 3) @ a, [normal(3, 4)]),
}


@pytest.mark.parametrize("case", sorted(OP_CASES))
def test_op_gradient_matches_central_differences(case):
    build, makers = OP_CASES[case]
    rng = np.random.default_rng(1)
    assert_grads_match(build, [make(rng) for make in makers], seed_rng=rng)


@pytest.mark.parametrize("shapes", [((4, 3), (3,)), ((4, 3), ()), ((4, 1), (4, 3)),
                                    ((3,), (4, 3)), ((1, 3), (4, 1))])
@pytest.mark.parametrize("op", ["add", "sub", "mul", "div"])
def test_broadcast_gradient_is_summed_back_to_operand_shape(op, shapes):
    rng = np.random.default_rng(2)
    arrays = [rng.uniform(0.5, 2.0, s) for s in shapes]
    build = getattr(ad, op)
    a, b = Tensor(arrays[0]), Tensor(arrays[1])
    build(a, b).sum().backward()
    assert a.grad.shape == arrays[0].shape and b.grad.shape == arrays[1].shape
    assert_grads_match(build, arrays, seed_rng=rng)


def test_bias_gradient_is_column_sum_and_scalar_gradient_is_total():
    x = Tensor(np.arange(6.0).reshape(2, 3))
    b = Tensor(np.zeros(3))
    s = Tensor(2.0)
    (s * (x + b)).sum().backward()
    np.testing.assert_array_equal(b.grad, [4.0, 4.0, 4.0])
    assert s.grad == pytest.approx(15.0)


def test_node_used_twice_accumulates():
    rng = np.random.default_rng(3)
    xv, yv = rng.standard_normal((2, 3)), rng.standard_normal((2, 3))
    x, y = Tensor(xv), Tensor(yv)
    (x * y + x.exp()).sum().backward()
    np.testing.assert_allclose(x.grad, yv + np.exp(xv), rtol=1e-12)
    np.testing.assert_allclose(y.grad, xv, rtol=1e-12)
    assert_grads_match(lambda a, b: (a * b + a.exp()).sum(), [xv.copy(), yv.copy()])

    x = Tensor(xv)
    (x * x).sum().backward()
    np.testing.assert_allclose(x.grad, 2 * xv, rtol=1e-12)


def test_diamond_graph():
    xv = np.random.default_rng(4).standard_normal(5)
    assert_grads_match(lambda x: ((2 * x) * x.sigmoid() - x ** 2).mean(), [xv])


def test_backward_twice_gives_the_same_gradient():
    x = Tensor([1.0, -2.0, 3.0])
    y = (x * x).sum()
    y.backward()
    first = x.grad.copy()
    y.backward()
    np.testing.assert_array_equal(x.grad, first)
    np.testing.assert_array_equal(first, [2.0, -4.0, 6.0])
    y.zero_grad()
    np.testing.assert_array_equal(x.grad, 0.0)


def test_two_layer_network_gradients():
    rng = np.random.default_rng(5)
    X, W, b = rng.standard_normal((5, 3)), rng.standard_normal((3, 4)), rng.standard_normal(4)
    W2, labels = rng.standard_normal((4, 3)), np.array([0, 2, 1, 1, 2])
    assert np.min(np.abs(X @ W + b)) > 1e-3, "pre-activations must stay away from the ReLU kink"

    def net(X, W, b, W2):
        return ad.softmax_cross_entropy((X @ W + b).relu() @ W2, labels)

    assert_grads_match(net, [X, W, b, W2])


def numpy_cross_entropy(x, labels):
    p = np.exp(x) / np.exp(x).sum(axis=1, keepdims=True)
    return -np.mean(np.log(p[np.arange(len(x)), labels])), p


def test_softmax_cross_entropy_matches_numpy_in_both_target_forms():
    rng = np.random.default_rng(6)
    x, labels = rng.standard_normal((6, 4)), rng.integers(0, 4, 6)
    expected, p = numpy_cross_entropy(x, labels)
    for targets in (labels, np.eye(4)[labels]):
        logits = Tensor(x)
        loss = ad.softmax_cross_entropy(logits, targets)
        assert loss.shape == ()
        assert loss.item() == pytest.approx(expected, rel=1e-12)
        loss.backward()
        np.testing.assert_allclose(logits.grad, (p - np.eye(4)[labels]) / 6, atol=1e-15)


def test_softmax_cross_entropy_large_logits_are_finite():
    logits = Tensor([[1000.0, 0.0, -1000.0], [1000.0, 0.0, -1000.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(over="raise", invalid="raise", divide="raise"):
            loss = ad.softmax_cross_entropy(logits, np.array([0, 1]))
            loss.backward()
    assert loss.item() == pytest.approx(500.0)  # row 1: 0, row 2: 1000; mean 500
    assert np.all(np.isfinite(logits.grad))
    np.testing.assert_allclose(logits.grad, [[0, 0, 0], [0.5, -0.5, 0]], atol=1e-12)


@pytest.mark.parametrize("targets, match", [
    (np.array([0.0, 1.0, 2.0]), "integers"), (np.array([0, 1, 4]), "0..3"),
    (np.ones((3, 3)), "shape"), (np.ones((3, 4)), "sum to 1")])
def test_softmax_cross_entropy_rejects_bad_targets(targets, match):
    with pytest.raises((ValueError, TypeError), match=match):
        ad.softmax_cross_entropy(Tensor(np.zeros((3, 4))), targets)


def test_logistic_regression_gradient_equals_hand_derivation():
    rng = np.random.default_rng(7)
    X, wv, bv = rng.standard_normal((8, 3)), rng.standard_normal((3, 1)), rng.standard_normal(1)
    t = rng.integers(0, 2, (8, 1)).astype(float)
    w, b = Tensor(wv), Tensor(bv)
    y = (X @ w + b).sigmoid()
    loss = -(t * y.log() + (1 - t) * (1 - y).log()).mean()
    loss.backward()
    y_np = 1 / (1 + np.exp(-(X @ wv + bv)))
    np.testing.assert_allclose(w.grad, X.T @ (y_np - t) / 8, rtol=1e-10)
    np.testing.assert_allclose(b.grad, np.sum(y_np - t, keepdims=True)[0] / 8, rtol=1e-10)


def test_sigmoid_has_no_overflow_at_large_inputs():
    x = Tensor([-1000.0, 0.0, 1000.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(over="raise", invalid="raise", divide="raise"):
            y = x.sigmoid()
            y.sum().backward()
    np.testing.assert_array_equal(y.data, [0.0, 0.5, 1.0])
    np.testing.assert_array_equal(x.grad, [0.0, 0.25, 0.0])


def test_backward_on_non_scalar_needs_a_seed():
    x = Tensor(np.ones((2, 3)))
    y = 3 * x
    with pytest.raises(ValueError, match="scalar"):
        y.backward()
    with pytest.raises(ValueError, match="shape"):
        y.backward(grad=np.ones(3))
    y.backward(grad=np.full((2, 3), 2.0))
    np.testing.assert_array_equal(x.grad, 6.0)


def test_replacing_a_backward_rule_takes_effect_and_is_restored():
    def doubled_mul_backward(out_grad, a, b, out):
        return 2 * out_grad * b, 2 * out_grad * a

    x = Tensor([1.0, 2.0])
    with ad.override_rule("mul", doubled_mul_backward):
        (x * 3.0).sum().backward()
        np.testing.assert_array_equal(x.grad, [6.0, 6.0])
    (x * 3.0).sum().backward()
    np.testing.assert_array_equal(x.grad, [3.0, 3.0])
    assert ad.BACKWARD_RULES["mul"] is ad.mul_backward

    ad.BACKWARD_RULES["exp"] = lambda out_grad, a, out: out_grad * 0.0  # bare array is accepted
    try:
        x.exp().sum().backward()
        np.testing.assert_array_equal(x.grad, 0.0)
    finally:
        ad.BACKWARD_RULES["exp"] = ad.exp_backward
    x.exp().sum().backward()
    np.testing.assert_allclose(x.grad, np.exp([1.0, 2.0]))


def test_wrong_rule_output_gives_a_clear_error():
    x = Tensor(np.ones((2, 2)))
    with ad.override_rule("matmul", lambda g, a, b, out: (g @ b, a @ g[:, :1])):
        with pytest.raises(ValueError, match=r"shape \(2, 1\) for an input of shape \(2, 2\)"):
            (x @ x).sum().backward()
    with ad.override_rule("mul", lambda g, a, b, out: (g * b,)):
        with pytest.raises(ValueError, match="returned 1 gradients"):
            (x * x).sum().backward()
    with pytest.raises(ValueError, match="unknown op"):
        with ad.override_rule("mull", ad.mul_backward):
            pass


def test_trace_lists_nodes_in_topological_order_with_labels():
    a, x, y = Tensor(2.0, name="a"), Tensor([1.0, 2.0], name="x"), Tensor([0.5, 1.0], name="y")
    z = ((a * x - y) ** 2).sum()
    nodes, edges = ad.trace(z)
    assert [n.label for n in nodes].count("mul") == 1
    assert {n.label for n in nodes} == {"a", "x", "y", "mul", "sub", "pow", "sum"}
    assert nodes[-1] is z and len(edges) == 6
    position = {id(n): i for i, n in enumerate(nodes)}
    assert all(position[id(p)] < position[id(c)] for p, c in edges)
    square = x * x
    assert ad.trace(square)[1] == [(x, square), (x, square)]


def test_deep_chain_needs_no_recursion():
    x = Tensor(1.0)
    y = x
    for _ in range(3000):
        y = y + 1.0
    y.backward()
    assert x.grad == 1.0


def test_construction_and_operators_with_plain_arrays():
    values = np.array([1, 2, 3])
    t = Tensor(values)
    assert t.data.dtype == np.float64 and t.grad.shape == (3,)
    t.data += 1
    np.testing.assert_array_equal(values, [1, 2, 3])  # the caller's array is not shared
    assert isinstance(np.ones(3) * t, Tensor) and isinstance(np.ones(3) - t, Tensor)
    np.testing.assert_array_equal((np.ones(3) - t).data, [-1.0, -2.0, -3.0])
    with pytest.raises(TypeError, match="exponent"):
        t ** Tensor(2.0)
    with pytest.raises(ValueError, match="2-D"):
        t @ t


def test_module_docstring_example_runs():
    result = doctest.testmod(ad, verbose=False)
    assert result.attempted > 0 and result.failed == 0
