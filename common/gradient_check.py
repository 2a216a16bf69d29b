"""Numerical gradients and the checks that compare them with a backward pass.

A backward pass is trusted only after it agrees with central differences

    ∂f/∂x_i ≈ (f(x + h e_i) - f(x - h e_i)) / (2h),

computed in float64 on small inputs kept away from kinks (ReLU at 0). Agreement is measured by
the relative error ``max|a - b| / max(1e-8, max(|a| + |b|))``: about 1e-9 for a correct
gradient, 0.1 or more for a wrong formula.

The check functions raise :class:`GradientCheckError` with one short message naming the
gradient, the relative error, the threshold and a hint, so a failing test reads like advice
rather than a long traceback.
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


def _hint(name, analytic, numeric, batch_size):
    """Guess the usual mistake from how the analytic gradient differs from the numeric one."""
    if not np.any(analytic):
        return "it is all zeros: is the gradient computed and stored?"
    denom = float(np.sum(numeric * numeric))
    if denom > 0:
        ratio = float(np.sum(analytic * numeric)) / denom
        fits = rel_error(analytic, ratio * numeric) < 1e-3
        if fits and batch_size and abs(ratio - batch_size) < 1e-3 * batch_size:
            return f"it is N={batch_size} times too large: divide by the batch size N."
        if fits and batch_size and abs(ratio - 1 / batch_size) < 1e-3 / batch_size:
            return f"it is N={batch_size} times too small: divide by N only once."
        if fits and abs(ratio + 1) < 1e-3:
            return "it has the wrong sign."
        if fits:
            return f"it is {ratio:.3g} times the right value: check constant factors."
    return {
        "dW": "dW should be xᵀ @ dout (shape of W).",
        "db": "db should be dout summed over the batch axis (axis=0).",
        "dx": "dx should be expressed with the stored forward values (e.g. dout @ W.T).",
    }.get(name, "compare your formula with the lecture's backward rule.")


def check_gradient(name, analytic, numeric, threshold=DEFAULT_THRESHOLD, batch_size=None):
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
    """
    problem = _compare(name, analytic, numeric, threshold, batch_size)
    if problem:
        raise GradientCheckError(problem)


def _compare(name, analytic, numeric, threshold, batch_size=None):
    """Return a one-line description of the mismatch, or None when the gradients agree."""
    numeric = np.asarray(numeric)
    if analytic is None:
        return f"{name}: not computed (it is None); set it in backward."
    analytic = np.asarray(analytic)
    if analytic.shape != numeric.shape:
        hint = ""
        if analytic.ndim == numeric.ndim + 1 and analytic.shape[1:] == numeric.shape:
            hint = " Sum over the batch axis (axis=0)."
        elif analytic.shape == numeric.shape[::-1]:
            hint = " It looks transposed."
        return f"{name}: shape {analytic.shape}, expected {numeric.shape}.{hint}"
    if not np.all(np.isfinite(analytic)):
        return f"{name}: contains NaN or inf."
    err = rel_error(analytic, numeric)
    if not err <= threshold:
        return (f"{name}: relative error {err:.2e} > threshold {threshold:.0e}; hint: "
                + _hint(name, analytic, numeric, batch_size))
    return None


def check_close(name, actual, expected, rtol=1e-6, atol=1e-8, hint=""):
    """Raise :class:`GradientCheckError` unless ``actual`` is close to ``expected``.

    For forward values: same shape, and ``|actual - expected| <= atol + rtol |expected|``.
    """
    expected = np.asarray(expected)
    if actual is None:
        raise GradientCheckError(f"{name}: got None; did you forget to return it?")
    actual = np.asarray(actual)
    if actual.shape != expected.shape:
        raise GradientCheckError(f"{name}: shape {actual.shape}, expected {expected.shape}. {hint}")
    if not np.allclose(actual, expected, rtol=rtol, atol=atol):
        worst = float(np.max(np.abs(actual - expected)))
        raise GradientCheckError(f"{name}: differs from the expected value by up to {worst:.3g}. "
                                 f"{hint}".rstrip())


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
        Listing every gradient that failed, one line each; also when a declared parameter, or
        the attribute for its gradient, is missing.
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
        problem = _compare(name, analytic[name], numeric, threshold, batch_size=n)
        if problem:
            problems.append(problem)
    if problems:
        raise GradientCheckError(f"{type(layer).__name__} gradient check failed: "
                                 + " | ".join(problems))
