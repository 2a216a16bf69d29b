"""The false-fail fuzzer (grading/fuzz.py): each rewrite changes one site, keeps the result up to
rounding, and leaves interfaces (default arguments) and non-arithmetic operands alone.
Grading every variant of every solution is tests/test_assignments.py's job."""
import ast

import numpy as np
import pytest

from grading import fuzz

LAYER = '''
class Affine:
    def __init__(self, W, b, eps=1e-7):
        self.W, self.b, self.eps = W, b, eps

    def forward(self, x):
        """x (N, K) -> (N, M)."""
        self.x = x
        return x @ self.W + self.b

    def backward(self, dout):
        self.dW = np.dot(self.x.T, dout)
        self.db = np.sum(dout, axis=0)
        dx = dout @ self.W.T
        dx -= dout.mean(axis=1, keepdims=True)
        return dx


def loss(y, t):
    n = y.shape[0] + 0
    return -np.sum(t * np.log(y + 1e-7)) / n + 0.5 * np.sum((y - t) ** 2) / n + np.sqrt(np.sum(y * y))
'''


def run(code):
    """Execute ``code`` and compute everything it defines on seeded inputs."""
    space = {"np": np}
    exec(compile(code, "<variant>", "exec"), space)
    rng = np.random.default_rng(0)
    W, b = rng.normal(size=(4, 3)), rng.normal(size=3)
    x, dout = rng.normal(size=(5, 4)), rng.normal(size=(5, 3))
    layer = space["Affine"](W, b)
    x_before, dout_before = x.copy(), dout.copy()
    out = layer.forward(x)
    dx = layer.backward(dout)
    y = rng.uniform(0.05, 0.95, size=(5, 3))
    t = np.eye(3)[rng.integers(0, 3, 5)]
    assert np.array_equal(x, x_before) and np.array_equal(dout, dout_before)
    return [out, dx, layer.dW, layer.db, np.array(space["loss"](y, t))]


def changed_lines(a, b):
    return [line for line in b.splitlines() if line not in a.splitlines()]


def test_every_rewrite_finds_a_site_in_the_sample():
    kinds = {v.name.split(" ")[0] for v in fuzz.cell_variants("sample", LAYER)}
    assert kinds == {r.name for r in fuzz.REWRITES}, kinds


def test_every_variant_differs_and_computes_the_same_up_to_rounding():
    expected = run(LAYER)
    variants = fuzz.cell_variants("sample", LAYER)
    assert len(variants) >= 15
    for variant in variants:
        assert variant.code != ast.unparse(ast.parse(LAYER)), variant.name
        got = run(variant.code)
        tolerance = 2e-6 if variant.name.startswith("eps") else 1e-12
        for g, e in zip(got, expected):
            assert np.allclose(g, e, rtol=tolerance, atol=tolerance), variant.name


def test_each_variant_changes_one_site():
    base = ast.unparse(ast.parse(LAYER))
    for variant in fuzz.cell_variants("sample", LAYER):
        assert len(changed_lines(base, variant.code)) == 1, variant.name


@pytest.mark.parametrize("code,expected", [
    ("z = a @ b", "z = np.dot(a, b)"),
    ("z = np.dot(a, b)", "z = a @ b"),
    ("z = np.sum(a, axis=0)", "z = np.sum(a[::-1], axis=0)"),
    ("z = a.sum(axis=0, keepdims=True)", "z = a[::-1].sum(axis=0, keepdims=True)"),
    ("z = np.mean(a, axis=1)", "z = np.sum(a, axis=1) / np.shape(a)[1]"),
    ("z = a / b", "z = a * (1.0 / b)"),
    ("z = a ** 2", "z = a * a"),
    ("z = np.sqrt(a)", "z = a ** 0.5"),
    ("z = a + b + c", "z = a + (b + c)"),
])
def test_rewrite_forms(code, expected):
    assert expected in [v.code for v in fuzz.cell_variants("c", code)]


def test_guards_span_the_range_a_correct_answer_may_use():
    found = {v.code for v in fuzz.cell_variants("c", "z = np.log(y + 1e-7)")}
    assert found == {"z = np.log(y + 1e-12)", "z = np.log(y + 1e-06)"}
    unguarded = {v.code for v in fuzz.cell_variants("c", "z = np.log(y)")}
    assert unguarded == {"z = np.log(y + 1e-12)", "z = np.log(y + 1e-06)"}


def test_default_arguments_are_an_interface_and_never_rewritten():
    code = "def f(v, low=0.5 + 1e-07, scale=1.0 / 3):\n    return v"
    assert fuzz.cell_variants("c", code) == []


def test_shapes_tuples_and_strings_are_not_arithmetic():
    code = "s = x.shape + (1,)\nn = len(x) * 2\nm = 'a' + 'b' + 'c'\nk = (1, 2) * 3"
    assert fuzz.cell_variants("c", code) == []


def test_in_place_updates_of_arguments_or_aliases_stay_in_place():
    code = ("def update(params, grads, lr):\n"
            "    w = params['W']\n"
            "    w -= lr * grads['W']\n"
            "    step = lr * grads['b']\n"
            "    step += 0\n"
            "    params['b'] -= step\n")
    out_of_place = [v for v in fuzz.cell_variants("c", code) if v.name.startswith("out-of-place")]
    assert [v.code.count("step = step + 0") for v in out_of_place] == [1]


def test_sites_are_capped_and_spread_over_the_cell():
    code = "\n".join(f"z{i} = a{i} @ b{i}" for i in range(10))
    matmul = [v for v in fuzz.cell_variants("c", code) if v.name.startswith("matmul")]
    assert len(matmul) == fuzz.MAX_SITES
    touched = [next(i for i in range(10) if f"np.dot(a{i}, b{i})" in v.code) for v in matmul]
    assert touched[0] == 0 and touched[-1] == 9


def test_code_that_does_not_parse_has_no_variants():
    assert fuzz.cell_variants("c", "def f(:\n    pass") == []


def test_cells_of_the_autodiff_engine_get_no_numpy_only_rewrites():
    code = ("def loss(X, t, w):\n"
            "    y = ad.sigmoid(X @ w)\n"
            "    return -(t * ad.log(y)).mean(axis=0)\n")
    kinds = {v.name.split(" ")[0] for v in fuzz.cell_variants("c", code)}
    assert kinds == {"eps"}, kinds  # the engine's log gets a guard; no np.dot, np.sum, np.copy
    assert any("ad.log(y + 1e-06)" in v.code for v in fuzz.cell_variants("c", code))


def test_an_argument_the_solution_writes_into_is_never_copied():
    perturbing = '''
def gradient(f, x, h=1e-5):
    out = np.zeros(x.shape)
    for i in np.ndindex(x.shape):
        keep = x[i]
        x[i] = keep + h
        up = f(x)
        x[i] = keep
        out[i] = (up - f(x)) / h
    return out


def scale(x, factor):
    return x * factor
'''
    copied = [v.code for v in fuzz.cell_variants("c", perturbing) if v.name.startswith("copy")]
    assert len(copied) == 1, copied  # only scale's x: gradient writes into its x
    assert "return x * factor" in copied[0].split("x = np.copy(x)", 1)[1]
