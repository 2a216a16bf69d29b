"""Initial weights for fully connected networks: He, Xavier/Glorot, or a fixed standard deviation.

Each weight matrix ``W_l`` of shape ``(n_{l-1}, n_l)`` is drawn from a normal distribution with
mean 0 and standard deviation ``sigma_l``; every bias starts at 0. Why the choice of ``sigma_l``
matters: an affine layer multiplies the variance of its input by about ``n_{l-1} * sigma_l**2``,
so a badly chosen ``sigma_l`` makes the activations shrink to 0 or blow up layer after layer.

- He (for ReLU):               ``sigma_l**2 = 2 / n_{l-1}``
- Xavier / Glorot (sigmoid):  ``sigma_l**2 = 2 / (n_{l-1} + n_l)``  (the course's form)
"""
import math
import numbers

import numpy as np

INIT_NAMES = ("he", "xavier", "glorot")


def _check_size(name, n):
    """Raise unless ``n`` is a positive integer (a number of units)."""
    if isinstance(n, bool) or not isinstance(n, numbers.Integral):
        raise TypeError(f"{name} must be a whole number of units, got {n!r}.")
    if n <= 0:
        raise ValueError(f"{name} must be positive, got {n}.")


def he_std(n_in):
    """He standard deviation ``sqrt(2 / n_in)``, for layers followed by ReLU.

    Parameters
    ----------
    n_in : int
        Number of inputs of the layer (units of the previous layer), positive.

    Returns
    -------
    float
    """
    _check_size("n_in", n_in)
    return math.sqrt(2.0 / n_in)


def xavier_std(n_in, n_out):
    """Xavier/Glorot standard deviation ``sqrt(2 / (n_in + n_out))``, for sigmoid or tanh layers.

    Parameters
    ----------
    n_in, n_out : int
        Numbers of inputs and outputs of the layer, positive.

    Returns
    -------
    float
    """
    _check_size("n_in", n_in)
    _check_size("n_out", n_out)
    return math.sqrt(2.0 / (n_in + n_out))


def weight_std(init, n_in, n_out):
    """Standard deviation of the weights of an ``(n_in, n_out)`` layer under the strategy ``init``.

    Parameters
    ----------
    init : {"he", "xavier", "glorot"} or float
        A strategy name (case-insensitive; "glorot" is another name for "xavier") or a
        positive number used as a fixed standard deviation, such as ``0.01``.
    n_in, n_out : int
        Numbers of inputs and outputs of the layer, positive.

    Returns
    -------
    float

    Raises
    ------
    ValueError
        For an unknown name (the message lists the allowed ones) or a non-positive number.
    TypeError
        If ``init`` is neither a string nor a number.
    """
    if isinstance(init, str):
        name = init.lower()
        if name == "he":
            return he_std(n_in)
        if name in ("xavier", "glorot"):
            return xavier_std(n_in, n_out)
        raise ValueError(f"unknown weight initialization {init!r}; use one of {INIT_NAMES} "
                         "or a positive number for a fixed standard deviation.")
    if isinstance(init, bool) or not isinstance(init, numbers.Real):
        raise TypeError(f"init must be one of {INIT_NAMES} or a positive number, got {init!r}.")
    if not init > 0:  # also rejects nan
        raise ValueError(f"a fixed weight standard deviation must be positive, got {init}.")
    return float(init)


def init_weights(layer_sizes, init="he", *, rng, dtype=np.float64):
    """Random weights and zero biases for a stack of affine layers.

    Parameters
    ----------
    layer_sizes : sequence of int
        ``[n_0, n_1, ..., n_L]``: the input size followed by the size of every layer
        (at least two numbers).
    init : {"he", "xavier", "glorot"} or float, default "he"
        How to choose each layer's standard deviation; see :func:`weight_std`.
    rng : numpy.random.Generator
        Source of randomness, e.g. ``np.random.default_rng(0)``; the same seed gives the same
        weights.
    dtype : floating dtype, default np.float64
        Dtype of every returned array. The weights are drawn in float64 and then converted, so
        a float32 network gets the float64 weights of the same seed, rounded.

    Returns
    -------
    dict[str, ndarray]
        ``{"W1": (n_0, n_1), "b1": (n_1,), ..., "WL": (n_{L-1}, n_L), "bL": (n_L,)}``, in
        that order. ``W_l`` has mean 0 and standard deviation ``weight_std(init, n_{l-1}, n_l)``.
    """
    if not isinstance(rng, np.random.Generator):
        raise TypeError("rng must be a numpy Generator; create one with "
                        f"np.random.default_rng(seed), got {type(rng).__name__}.")
    dtype = np.dtype(dtype)
    if not np.issubdtype(dtype, np.floating):
        raise TypeError(f"dtype must be a floating-point type such as np.float64, got {dtype}.")
    sizes = list(layer_sizes)
    if len(sizes) < 2:
        raise ValueError("layer_sizes needs the input size and at least one layer size, "
                         f"e.g. [784, 100, 10]; got {sizes}.")
    for i, n in enumerate(sizes):
        _check_size(f"layer_sizes[{i}]", n)

    params = {}
    for layer, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:]), start=1):
        std = weight_std(init, n_in, n_out)
        weights = rng.standard_normal((n_in, n_out))
        weights *= std
        params[f"W{layer}"] = weights.astype(dtype, copy=False)
        params[f"b{layer}"] = np.zeros(n_out, dtype=dtype)
    return params
