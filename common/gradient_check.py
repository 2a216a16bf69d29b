"""Numerical gradients and the checks that compare them with a backward pass.

A backward pass is trusted only after it agrees with central differences

    ∂f/∂x_i ≈ (f(x + h e_i) - f(x - h e_i)) / (2h),

computed in float64 on small inputs kept away from kinks (ReLU at 0). Agreement is measured by
the relative error ``max|a - b| / max(1e-8, max(|a| + |b|))``: about 1e-9 for a correct
gradient, 0.1 or more for a wrong formula.

The check functions raise :class:`GradientCheckError` with a short message naming the
gradient, the relative error, the threshold and, on a line of its own, a hint chosen for the
kind of layer (a loss layer divides by the batch size, no other layer does), so a failing
test reads like advice rather than a long traceback.
"""
import numpy as np

from common.layers import gradient_name

DEFAULT_THRESHOLD = 1e-6

# Parameters looked for on a layer that does not declare ``param_names`` (e.g. a class written
# in a notebook): every one of these attributes that is a NumPy array is checked.
PARAMETER_NAMES = ("W", "b", "gamma", "beta")


class GradientCheckError(AssertionError):
    """A gradient (or a value) differs from its reference; the message says how and why."""


def numerical_gradient(f, x, h=1e-5):
    """Central-difference gradient of a scalar function.

    Parameters
    ----------
    f : callable
        ``f(x)`` returns a float. It may also ignore its argument and read ``x`` through a
        layer that holds the same array: ``x`` is perturbed in place, one entry at a time.
    x : ndarray of float64, any shape
        The point; it is restored exactly before returning.
    h : float
        Step size.

    Returns
    -------
    ndarray of float64, same shape as ``x``
    """
    if not isinstance(x, np.ndarray) or x.dtype != np.float64:
        raise TypeError("numerical_gradient needs a float64 NumPy array (float32 is too coarse "
                        f"for finite differences); got {type(x).__name__} "
                        f"{getattr(x, 'dtype', '')}. Use x.astype(np.float64).")
    grad = np.zeros_like(x)
    it = np.nditer(x, flags=["multi_index"])
    for _ in it:
        i = it.multi_index
        original = x[i]
        x[i] = original + h
        f_plus = float(f(x))
        x[i] = original - h
        f_minus = float(f(x))
        x[i] = original
        grad[i] = (f_plus - f_minus) / (2 * h)
    return grad


def rel_error(a, b):
    """Relative error ``max|a - b| / max(1e-8, max(|a| + |b|))`` of two arrays of one shape."""
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    return float(np.max(np.abs(a - b)) / max(1e-8, float(np.max(np.abs(a) + np.abs(b)))))


# What kind of layer a gradient belongs to, for hints that fit it (see :func:`layer_kind`).
LOSS, AFFINE, NORMALIZATION, ELEMENTWISE, LAYER, OTHER = (
    "loss", "affine", "normalization", "elementwise", "layer", "other")
# the kinds :func:`check_layer` finds for a layer that is not a loss: checked with
# f = Σ forward(x) * dout, so none of its gradients is divided by the batch size
LAYER_KINDS = (AFFINE, NORMALIZATION, ELEMENTWISE, LAYER)

# Hints for a gradient that is not a multiple of the right one, by (gradient, layer kind);
# (gradient, None) applies to any kind. Each names the rule, never another layer's.
FORMULA_HINTS = {
    ("dW", AFFINE): "dW is x.T @ dout (the shape of W).",
    ("db", AFFINE): "db is dout summed over the batch axis: np.sum(dout, axis=0).",
    ("dx", AFFINE): "dx is dout @ W.T (the shape of x).",
    ("dx", NORMALIZATION): ("dx has three terms: through x_hat directly, through the batch "
                            "mean\n    and through the batch variance; check that all three "
                            "are there."),
    ("dgamma", None): "dgamma is (dout * x_hat) summed over the batch axis.",
    ("dbeta", None): "dbeta is dout summed over the batch axis.",
    ("dx", LOSS): "dx is dout * (y - t) / N, with y the output after softmax or sigmoid.",
    ("dx", ELEMENTWISE): ("dx is dout times this layer's derivative, entry by entry,\n"
                          "    from the values kept in forward."),
}
GENERIC_HINT = "compare your formula with the lecture's backward rule."


def layer_kind(layer, loss=False):
    """The kind of ``layer`` that hints are chosen by: a loss layer (``loss``), one with a
    weight matrix ``W`` (affine), one with ``gamma`` (batch normalization), one without
    parameters (element by element: ReLU, sigmoid, dropout), or another layer.
    (:func:`check_gradient` called on its own, e.g. for a whole network, has kind
    :data:`OTHER`.)"""
    if loss:
        return LOSS
    if isinstance(getattr(layer, "gamma", None), np.ndarray):
        return NORMALIZATION
    if isinstance(getattr(layer, "W", None), np.ndarray):
        return AFFINE
    declared = getattr(layer, "param_names", None)
    if not declared and not any(isinstance(getattr(layer, p, None), np.ndarray)
                                for p in PARAMETER_NAMES):
        return ELEMENTWISE
    return LAYER


# The smallest (and, inverted, the largest) factor between the analytic and the numeric
# gradient that a hint reports; further apart, the numeric one is rounding noise around 0.
MIN_FACTOR = 1e-4


def _hint(name, analytic, numeric, batch_size, kind=OTHER):
    """Guess the usual mistake from how the analytic gradient differs from the numeric one.

    A gradient that is a multiple of the right one gets a hint about that factor: a factor
    of N (the batch size) means a missing or extra ``/ N``, and which of the two depends on
    the layer: only a loss layer divides by N (its loss is a mean); every other layer's
    gradients are sums over the batch, never means. Otherwise the hint names the rule for
    this gradient of this kind of layer (:data:`FORMULA_HINTS`).
    """
    if not np.any(analytic):
        return "it is all zeros: is the gradient computed and stored?"
    denom = float(np.sum(numeric * numeric))
    if denom > 0:
        ratio = float(np.sum(analytic * numeric)) / denom
        # A numeric gradient that is only rounding noise (the loss does not depend on the
        # parameter) can look like a huge multiple of the analytic one: no factor to report.
        plausible = MIN_FACTOR <= abs(ratio) <= 1 / MIN_FACTOR
        fits = plausible and rel_error(analytic, ratio * numeric) < 1e-3
        n = batch_size
        if fits and n and n > 1 and abs(ratio - n) < 1e-3 * n:
            if kind in LAYER_KINDS:
                return f"it is N={n} times too large: remove the factor N."
            return f"it is N={n} times too large: divide by N (the loss is a mean)."
        if fits and n and n > 1 and abs(ratio - 1 / n) < 1e-3 / n:
            if kind == LOSS:
                return f"it is N={n} times too small: divide by N only once."
            if kind in LAYER_KINDS:
                if name in ("db", "dbeta"):
                    return f"it is N={n} times too small: sum dout, do not average it."
                return f"it is N={n} times too small: do not divide by N (the loss layer does)."
            return f"it is N={n} times too small: divided by N where it should not be, or twice?"
        if fits and abs(ratio + 1) < 1e-3:
            return "it has the wrong sign."
        if fits:
            return f"it is {ratio:.3g} times the right value: check constant factors."
    return FORMULA_HINTS.get((name, kind)) or FORMULA_HINTS.get((name, None)) or GENERIC_HINT


def check_gradient(name, analytic, numeric, threshold=DEFAULT_THRESHOLD, batch_size=None,
                   kind=OTHER):
    """Raise :class:`GradientCheckError` unless ``analytic`` matches ``numeric``.

    Parameters
    ----------
    name : str
        What is compared, e.g. ``"dW"``; used in the message.
    analytic, numeric : ndarray
        The backward pass's gradient and the numerical one; shapes must match.
    threshold : float
        Largest accepted relative error.
    batch_size : int, optional
        Lets the hint recognise a missing or doubled ``/N``.
    kind : str
        The kind of layer (:func:`layer_kind`), for a hint that fits it.
    """
    problem = _compare(name, analytic, numeric, threshold, batch_size, kind)
    if problem:
        raise GradientCheckError(problem)


def _compare(name, analytic, numeric, threshold, batch_size=None, kind=OTHER):
    """Return a short description of the mismatch (its hint on a line of its own), or None
    when the gradients agree."""
    numeric = np.asarray(numeric)
    if analytic is None:
        return f"{name}: not computed (it is None); set it in backward."
    analytic = np.asarray(analytic)
    if analytic.shape != numeric.shape:
        hint = ""
        if analytic.ndim == numeric.ndim + 1 and analytic.shape[1:] == numeric.shape:
            hint = "\n  hint: sum over the batch axis (axis=0)."
        elif analytic.shape == numeric.shape[::-1]:
            hint = "\n  hint: it looks transposed."
        return f"{name}: shape {analytic.shape}, expected {numeric.shape}.{hint}"
    if not np.all(np.isfinite(analytic)):
        return f"{name}: contains NaN or inf."
    err = rel_error(analytic, numeric)
    if not err <= threshold:
        return (f"{name}: relative error {err:.2e} > threshold {threshold:.0e}\n  hint: "
                + _hint(name, analytic, numeric, batch_size, kind))
    return None


def _values(array, limit=8):
    """``array``'s values for a message: all of them when few, else the first ``limit``."""
    flat = np.asarray(array, dtype=np.float64).ravel()
    shown = [f"{value:.4g}" for value in flat[:limit]] + (["..."] if flat.size > limit else [])
    return "[" + ", ".join(shown) + "]"


def check_close(name, actual, expected, rtol=1e-6, atol=1e-8, hint=""):
    """Raise :class:`GradientCheckError` unless ``actual`` is close to ``expected``.

    For forward values: same shape, and ``|actual - expected| <= atol + rtol |expected|``.
    The message shows the largest difference, both values at that entry and, for small
    arrays, the values got and expected (row by row, flattened), then ``hint`` on its own
    line.
    """
    expected = np.asarray(expected)
    hint_line = f"\n  hint: {hint}" if hint else ""
    if actual is None:
        raise GradientCheckError(f"{name}: got None; did you forget to return it?")
    actual = np.asarray(actual)
    if actual.shape != expected.shape:
        raise GradientCheckError(f"{name}: shape {actual.shape}, expected {expected.shape}."
                                 + hint_line)
    try:
        close = np.allclose(actual, expected, rtol=rtol, atol=atol)
    except TypeError:
        raise GradientCheckError(f"{name}: got {actual.dtype} values, expected numbers."
                                 + hint_line) from None
    if not close:
        diff = np.abs(actual.astype(np.float64) - expected.astype(np.float64))
        if not np.all(np.isfinite(actual)):
            worst_text = "it contains NaN or inf"
        else:
            i = np.unravel_index(int(np.argmax(diff)), diff.shape) if diff.ndim else ()
            at = f" at index {tuple(int(k) for k in i)}" if diff.ndim else ""
            worst_text = (f"differs from the expected value by up to {float(diff[i]):.3g}\n"
                          f"  {at.strip() or 'value'}: got {float(actual[i]):.6g}, expected "
                          f"{float(expected[i]):.6g}")
        lines = [f"{name}: {worst_text}"]
        if actual.size > 1:
            lines += [f"  got      {_values(actual)}", f"  expected {_values(expected)}"]
        raise GradientCheckError("\n".join(lines) + hint_line)


def check_layer(layer, x, t=None, *, forward_kwargs=None, threshold=DEFAULT_THRESHOLD, seed=0):
    """Check a layer's backward pass against numerical gradients.

    For an ordinary layer the scalar checked is ``f = Σ forward(x) * dout`` with a fixed random
    ``dout``; for a loss layer (``t`` given) it is the loss ``forward(x, t)`` with
    ``backward(1)``. Checked: ``dx`` and, for every parameter of the layer, the gradient its
    backward pass stored (``dW`` for ``W``: see :func:`common.layers.gradient_name`). The
    parameters are those the class declares in ``param_names``; a layer without that attribute
    has its ``W``, ``b``, ``gamma`` and ``beta`` checked, those of them that are arrays. Also
    checked: ``x`` and ``dout`` are not changed in place.

    Parameters
    ----------
    layer : object with ``forward`` and ``backward``
    x : ndarray of float64, shape (N, ...)
    t : ndarray, optional
        Targets; makes ``layer`` a loss layer.
    forward_kwargs : dict, optional
        Extra arguments to ``forward``, e.g. ``{"training": True}``.
    threshold : float
    seed : int
        Seed of ``dout``.

    Raises
    ------
    GradientCheckError
        Listing every gradient that failed, one line each, each hint on a line of its own
        (chosen for the kind of layer, :func:`layer_kind`); also when a declared parameter,
        or the attribute for its gradient, is missing.
    """
    kwargs = forward_kwargs or {}
    x = np.array(x, dtype=np.float64)  # our own copy: the checks perturb it
    x_before = x.copy()
    n = x.shape[0]

    if t is None:
        out = layer.forward(x, **kwargs)
        dout = np.random.default_rng(seed).standard_normal(np.shape(out))
        dout_before = dout.copy()
        dx = layer.backward(dout)

        def f(_):
            return float(np.sum(layer.forward(x, **kwargs) * dout))
    else:
        layer.forward(x, t, **kwargs)
        dout = dout_before = None
        dx = layer.backward(1)

        def f(_):
            return float(layer.forward(x, t, **kwargs))

    kind = layer_kind(layer, loss=t is not None)
    problems = []
    if not np.array_equal(x, x_before):
        problems.append("forward or backward changed x in place; compute new arrays instead.")
    if dout is not None and not np.array_equal(dout, dout_before):
        problems.append("backward changed dout in place; compute a new array instead.")
    analytic = {"dx": None if dx is None else np.array(dx, dtype=np.float64)}
    targets = {"dx": x}
    declared = getattr(layer, "param_names", None)
    if declared is None:
        names = [p for p in PARAMETER_NAMES if isinstance(getattr(layer, p, None), np.ndarray)]
    else:
        names = []
        for p in declared:
            value = getattr(layer, p, None)
            if not isinstance(value, np.ndarray):
                problems.append(f"{p} is declared in param_names but the layer's {p} is "
                                f"{type(value).__name__}, not a NumPy array.")
            elif not hasattr(layer, gradient_name(p)):
                problems.append(f"{p} is declared in param_names but the layer has no attribute "
                                f"{gradient_name(p)}; backward must store the gradient of {p} "
                                f"in self.{gradient_name(p)}.")
            else:
                names.append(p)
    for p in names:
        grad = getattr(layer, gradient_name(p), None)
        analytic[gradient_name(p)] = None if grad is None else np.array(grad, dtype=np.float64)
        targets[gradient_name(p)] = getattr(layer, p)

    for name, array in targets.items():
        if array.dtype != np.float64:
            problems.append(f"{name[1:]} is {array.dtype}; gradient checks need float64.")
            continue
        numeric = numerical_gradient(f, array)
        problem = _compare(name, analytic[name], numeric, threshold, batch_size=n, kind=kind)
        if problem:
            problems.append(problem)
    if problems:
        raise GradientCheckError("\n".join(
            [f"{type(layer).__name__} gradient check failed:"]
            + ["  " + line for problem in problems for line in problem.splitlines()]))
