"""Weight penalties of the unit "Regularization": their value and their gradient.

The penalty of a network acts on its weight matrices ``W`` only, never on biases or
batch-norm parameters::

    penalty = λ2 Σ_l ||W_l||² + λ1 Σ_l |W_l|
    ∂penalty/∂W_l = 2 λ2 W_l + λ1 sign(W_l)

(no factor 1/2 in front of the squared norm). :class:`common.network.MultiLayerNet` calls these
two functions when one of its ``weight_decay_l2`` / ``weight_decay_l1`` strengths is not 0.
"""
import numpy as np


def weight_penalty(weights, *, l2=0.0, l1=0.0):
    """The penalty ``l2 Σ ||W||² + l1 Σ |W|`` over a sequence of weight matrices.

    Parameters
    ----------
    weights : iterable of ndarray
        The weight matrices (no biases).
    l2, l1 : float
        Strengths of the squared and of the absolute-value penalty (0: that one is off).

    Returns
    -------
    float
    """
    total = 0.0
    for W in weights:
        if l2:
            total += l2 * float(np.sum(W * W))
        if l1:
            total += l1 * float(np.sum(np.abs(W)))
    return total


def penalty_gradient(W, *, l2=0.0, l1=0.0):
    """The gradient ``2 l2 W + l1 sign(W)`` of :func:`weight_penalty` with respect to one ``W``.

    Parameters
    ----------
    W : ndarray
        One weight matrix.
    l2, l1 : float

    Returns
    -------
    ndarray, shape and dtype of ``W`` (a new array)
    """
    grad = np.zeros_like(W)
    if l2:
        grad += 2 * l2 * W
    if l1:
        grad += l1 * np.sign(W)
    return grad
