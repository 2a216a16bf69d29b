"""Activation and loss functions on NumPy arrays.

Conventions (as in the lecture handout): a mini-batch is a 2-D array of shape ``(N, K)`` with
one example per row, and every loss is a mean over the ``N`` examples of the batch.
"""
import numpy as np

from common.preprocessing import one_hot

# Probabilities are clipped to [_TINY, 1] before a logarithm, so log(0) never happens.
_TINY = 1e-12


def sigmoid(x):
    """Logistic sigmoid ``1 / (1 + exp(-x))``, computed without overflow.

    For ``x >= 0`` it uses ``1 / (1 + exp(-x))``, for ``x < 0`` the equal form
    ``exp(x) / (1 + exp(x))``; either way the exponent is never positive, so large ``|x|``
    raises no overflow warning.

    Parameters
    ----------
    x : array_like, any shape

    Returns
    -------
    ndarray, same shape as ``x``, values in [0, 1].
    """
    x = np.asarray(x)
    if not np.issubdtype(x.dtype, np.floating):
        x = x.astype(np.float64)
    e = np.exp(-np.abs(x))  # in (0, 1]: never overflows
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e)).astype(x.dtype, copy=False)


def relu(x):
    """Rectified linear unit ``max(0, x)``, element-wise; same shape and dtype as ``x``."""
    return np.maximum(x, 0)


def softmax(x):
    """Row-wise softmax of a batch of scores.

    The row maximum is subtracted before exponentiating; this does not change the result
    (numerator and denominator are both multiplied by ``exp(-max)``) but keeps ``exp`` from
    overflowing.

    Parameters
    ----------
    x : ndarray, shape (N, K) or (K,)
        Unnormalized scores.

    Returns
    -------
    ndarray, same shape as ``x``; every row is positive and sums to 1.
    """
    x = np.asarray(x)
    shifted = x - np.max(x, axis=-1, keepdims=True)
    e = np.exp(shifted)
    return e / np.sum(e, axis=-1, keepdims=True)


def _as_batch(y, t):
    """Return ``(y, t)`` as a 2-D batch, with integer labels turned into one-hot rows."""
    y = np.asarray(y)
    t = np.asarray(t)
    if y.ndim == 1:  # a single example: one row
        y = y.reshape(1, -1)
        t = t.reshape(1) if t.ndim == 0 else t.reshape(1, -1)
    if t.ndim == 1 and y.shape[1] > 1:  # integer class labels
        if t.shape[0] != y.shape[0]:
            raise ValueError(
                f"cross_entropy: got {y.shape[0]} predictions but {t.shape[0]} labels; "
                "pass one label (or one one-hot row) per example.")
        if not np.issubdtype(t.dtype, np.integer):
            raise ValueError("cross_entropy: 1-D targets must be integer class labels "
                             f"(got dtype {t.dtype}); pass one-hot rows or integer labels.")
        t = one_hot(t, y.shape[1], dtype=y.dtype)
    if t.shape != y.shape:
        raise ValueError(f"cross_entropy: targets of shape {t.shape} do not match predictions "
                         f"of shape {y.shape}; pass one-hot rows (N, K) or integer labels (N,).")
    return y, t


def cross_entropy(y, t):
    """Cross-entropy ``-1/N Σ_n Σ_k t_nk log y_nk`` of predicted probabilities.

    Parameters
    ----------
    y : ndarray, shape (N, K)
        Predicted probabilities (e.g. softmax outputs); a single example may be given as (K,).
    t : ndarray, shape (N, K) one-hot, or (N,) integer labels

    Returns
    -------
    float
        The mean over the batch. Probabilities are clipped away from 0, so no ``log(0)``.
    """
    y, t = _as_batch(y, t)
    n = y.shape[0]
    return float(-np.sum(t * np.log(np.clip(y, _TINY, 1.0))) / n)


def binary_cross_entropy(y, t):
    """Binary cross-entropy ``-1/N Σ [t log y + (1 - t) log(1 - y)]``.

    Parameters
    ----------
    y : ndarray, shape (N, 1) or (N,)
        Predicted probabilities of class 1.
    t : ndarray, same shape as ``y``, values in {0, 1}

    Returns
    -------
    float, the mean over the batch (no ``log(0)``).
    """
    y = np.asarray(y)
    t = np.asarray(t).reshape(y.shape)
    n = y.shape[0] if y.ndim else 1
    y = np.clip(y, _TINY, 1.0 - _TINY)
    return float(-np.sum(t * np.log(y) + (1 - t) * np.log(1 - y)) / n)


def mean_squared_error(y, t):
    """Half mean squared error ``1/(2N) Σ_n ||y_n - t_n||²``, as in the handout.

    Parameters
    ----------
    y : ndarray, shape (N, D) or (N,)
        Predictions.
    t : ndarray, same shape as ``y``
        Targets.

    Returns
    -------
    float
    """
    y = np.asarray(y)
    t = np.asarray(t)
    if y.shape != t.shape:
        raise ValueError(f"mean_squared_error: predictions {y.shape} and targets {t.shape} "
                         "differ in shape; reshape the targets, e.g. t.reshape(-1, 1).")
    n = y.shape[0] if y.ndim else 1
    return float(np.sum((y - t) ** 2) / (2 * n))
