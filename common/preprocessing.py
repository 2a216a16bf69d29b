"""Preparing data for a network: splitting, one-hot encoding and standardizing.

Conventions (the row-vector convention of the course, as in :mod:`common.datasets`):

* one example per row: inputs ``x`` have shape ``(N, K)`` (or ``(N, ...)``), targets ``t``
  shape ``(N,)`` for integer class labels or ``(N, C)`` for one-hot rows;
* every function returns new arrays and never modifies its inputs;
* randomness is seeded (``np.random.default_rng(seed)``), so the same call gives the same
  result;
* statistics are taken from the training set only and applied unchanged to the test set, so
  nothing about the test set leaks into training.
"""

from __future__ import annotations

import numpy as np

__all__ = ["train_test_split", "one_hot", "standardize"]


def train_test_split(x: np.ndarray, t: np.ndarray, *, test_fraction: float = 0.2, seed: int = 0):
    """Shuffle the examples with a seeded generator and split them in two.

    Parameters
    ----------
    x : numpy.ndarray, shape (N, ...)
        Inputs, one example per row.
    t : numpy.ndarray, shape (N, ...)
        Targets, one per row of ``x``.
    test_fraction : float
        Share of the examples that go to the test set, strictly between 0 and 1
        (rounded to a whole number of examples, at least one in each set).
    seed : int
        Seed of ``np.random.default_rng``; the same seed gives the same split.

    Returns
    -------
    (x_train, t_train), (x_test, t_test)
        New arrays (the inputs are not modified); the two sets share no example.
    """
    x, t = np.asarray(x), np.asarray(t)
    if len(x) != len(t):
        raise ValueError(f"x has {len(x)} rows but t has {len(t)}; they must have one target per example.")
    if not 0.0 < test_fraction < 1.0:
        raise ValueError(f"test_fraction must be strictly between 0 and 1, got {test_fraction}.")
    n = len(x)
    if n < 2:
        raise ValueError(f"Need at least 2 examples to split, got {n}.")
    n_test = min(max(1, round(n * test_fraction)), n - 1)
    order = np.random.default_rng(seed).permutation(n)
    test_idx, train_idx = order[:n_test], order[n_test:]
    return (x[train_idx], t[train_idx]), (x[test_idx], t[test_idx])


def one_hot(labels, num_classes: int | None = None, dtype=np.float64) -> np.ndarray:
    """Encode integer class labels as one-hot rows.

    Parameters
    ----------
    labels : array-like of int, shape (N,)
        Class indices in ``0 .. num_classes - 1``.
    num_classes : int, optional
        Number of classes C; defaults to ``max(labels) + 1``.
    dtype : numpy dtype
        Type of the result.

    Returns
    -------
    numpy.ndarray, shape (N, C)
        Row ``n`` is all zeros except a 1 in column ``labels[n]``.
    """
    labels = np.asarray(labels)
    if labels.ndim != 1:
        raise ValueError(f"labels must be a 1-D array of class indices, got shape {labels.shape}.")
    if labels.size and not np.issubdtype(labels.dtype, np.integer):
        if not np.all(labels == np.round(labels)):
            raise ValueError("labels must be whole numbers (class indices such as 0, 1, 2).")
    labels = labels.astype(np.int64)
    if num_classes is None:
        num_classes = int(labels.max()) + 1 if labels.size else 0
    if labels.size and (labels.min() < 0 or labels.max() >= num_classes):
        raise ValueError(
            f"labels must lie in 0..{num_classes - 1} for num_classes={num_classes}, "
            f"got values from {labels.min()} to {labels.max()}."
        )
    encoded = np.zeros((labels.size, num_classes), dtype=dtype)
    encoded[np.arange(labels.size), labels] = 1
    return encoded


def standardize(x_train: np.ndarray, x_test: np.ndarray):
    """Shift and scale each column to mean 0 and standard deviation 1, using training statistics.

    The mean and standard deviation come from ``x_train`` only, so no information from the test
    set leaks into training. Columns that are constant in the training set (std 0) are divided
    by 1 instead, which maps them to 0.

    Parameters
    ----------
    x_train : numpy.ndarray, shape (N, K) or (N,)
        Training data.
    x_test : numpy.ndarray, shape (M, K) or (M,)
        Test data (same number of columns).

    Returns
    -------
    x_train_std : numpy.ndarray, shape (N, K)
    x_test_std : numpy.ndarray, shape (M, K)
        New arrays; the inputs are not modified.
    mean : numpy.ndarray, shape (K,)
        Column means of ``x_train``.
    std : numpy.ndarray, shape (K,)
        Column standard deviations of ``x_train`` that were divided by (0 replaced by 1).
    """
    x_train = np.asarray(x_train, dtype=np.float64)
    x_test = np.asarray(x_test, dtype=np.float64)
    if x_train.shape[1:] != x_test.shape[1:]:
        raise ValueError(
            f"x_train has shape {x_train.shape} and x_test {x_test.shape}; they need the same "
            "number of columns."
        )
    if len(x_train) == 0:
        raise ValueError("x_train is empty; standardizing needs at least one training example.")
    mean = x_train.mean(axis=0)
    std = x_train.std(axis=0)
    std = np.where(std == 0, 1.0, std)
    return (x_train - mean) / std, (x_test - mean) / std, mean, std
