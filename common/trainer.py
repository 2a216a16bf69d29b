"""Mini-batch training loop: shuffle, update, evaluate, record one row per epoch.

The trainer works with any network that has

* ``params`` (dict of arrays) and ``gradient(x, t)`` returning a dict with the same keys,
* ``loss(x, t, training=False)`` returning a float,
* optionally ``accuracy(x, t)`` (without it, or when ``network.is_classifier`` is False,
  the accuracy columns are NaN),

and any optimizer with ``update(params, grads)`` (and an ``lr`` attribute when a learning-rate
schedule is used). :class:`common.network.MultiLayerNet` and the classes of
:mod:`common.optimizers` fit.
"""
import math
import time

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

COLUMNS = ["epoch", "train_loss", "train_acc", "test_loss", "test_acc", "seconds"]
EVAL_CHUNK = 1000  # examples per forward pass when evaluating (bounds the memory used)


def _positive_int(name, value):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}.")
    return int(value)


def _check_pair(x, t, what):
    """Return ``x, t`` as arrays after checking that they hold the same number of examples."""
    x, t = np.asarray(x), np.asarray(t)
    if x.ndim == 0 or t.ndim == 0 or len(x) != len(t):
        raise ValueError(f"x_{what} and t_{what} must hold the same number of examples (one row "
                         f"each), got shapes {x.shape} and {t.shape}.")
    if len(x) == 0:
        raise ValueError(f"x_{what} is empty; pass at least one example.")
    return x, t


class Trainer:
    """Train ``network`` with ``optimizer`` by mini-batch gradient descent.

    Every epoch visits each training example exactly once: the indices are a fresh random
    permutation (from ``np.random.default_rng(seed)``), cut into batches of ``batch_size``; the
    last batch is smaller when ``batch_size`` does not divide the number of examples.

    Parameters
    ----------
    network, optimizer : see the module docstring
    x_train : ndarray, shape (N, ...)
    t_train : ndarray, shape (N,) or (N, K)
    x_test, t_test : ndarray, optional
        Held-out data; without it the test columns are NaN.
    epochs : int
        Passes over the training set made by one :meth:`train` call.
    batch_size : int
    seed : int
        Seed of the shuffling and of the evaluation subset.
    eval_sample : int, optional
        Evaluate loss and accuracy at the end of each epoch on at most this many examples of
        each set (a fixed random subset); None evaluates on all of them.
    progress : bool
        Show a tqdm progress bar over the mini-batches; False prints nothing.
    lr_schedule : callable, optional
        ``lr_schedule(epoch)`` (epoch counted from 1) returns a multiplier; during that epoch
        ``optimizer.lr`` is the optimizer's initial learning rate times the multiplier.

    Attributes
    ----------
    history : pandas.DataFrame
        One row per epoch trained so far, columns ``epoch`` (from 1), ``train_loss`` (mean of the
        epoch's mini-batch losses, training mode), ``train_acc``, ``test_loss``, ``test_acc``
        (inference mode, at the end of the epoch) and ``seconds`` (wall time of the epoch,
        evaluation included).
    """

    def __init__(self, network, optimizer, x_train, t_train, x_test=None, t_test=None, *,
                 epochs=10, batch_size=100, seed=0, eval_sample=None, progress=True,
                 lr_schedule=None):
        if not (hasattr(network, "params") and hasattr(network, "gradient")):
            raise TypeError("network needs a params dict and a gradient(x, t) method, "
                            f"got {type(network).__name__}.")
        if not hasattr(optimizer, "update"):
            raise TypeError("optimizer needs an update(params, grads) method, "
                            f"got {type(optimizer).__name__}.")
        self.x_train, self.t_train = _check_pair(x_train, t_train, "train")
        if (x_test is None) != (t_test is None):
            raise ValueError("pass both x_test and t_test, or neither.")
        self.x_test, self.t_test = (None, None) if x_test is None else _check_pair(x_test, t_test,
                                                                                   "test")
        self.epochs = _positive_int("epochs", epochs)
        self.batch_size = _positive_int("batch_size", batch_size)
        if eval_sample is not None:
            eval_sample = _positive_int("eval_sample", eval_sample)
        if lr_schedule is not None:
            if not callable(lr_schedule):
                raise TypeError("lr_schedule must be a function epoch -> multiplier, or None.")
            if not hasattr(optimizer, "lr"):
                raise TypeError("lr_schedule needs an optimizer with an lr attribute.")
        self.network, self.optimizer = network, optimizer
        self.progress, self.lr_schedule = progress, lr_schedule
        self.base_lr = getattr(optimizer, "lr", None)
        self.rng = np.random.default_rng(seed)
        # The evaluation subsets are drawn once, from their own generator, so that the shuffling
        # is the same whatever eval_sample is.
        eval_rng = np.random.default_rng([seed, 1])
        self._train_eval = self._subset(self.x_train, self.t_train, eval_sample, eval_rng)
        self._test_eval = (None if self.x_test is None
                           else self._subset(self.x_test, self.t_test, eval_sample, eval_rng))
        self.history = pd.DataFrame(columns=COLUMNS)

    @staticmethod
    def _subset(x, t, size, rng):
        if size is None or size >= len(x):
            return x, t
        chosen = np.sort(rng.choice(len(x), size=size, replace=False))
        return x[chosen], t[chosen]

    def evaluate(self, x, t):
        """Mean loss (inference mode) and accuracy of the network on ``(x, t)``."""
        loss_sum = acc_sum = 0.0
        has_accuracy = (hasattr(self.network, "accuracy")
                        and getattr(self.network, "is_classifier", True))
        for start in range(0, len(x), EVAL_CHUNK):
            xb, tb = x[start:start + EVAL_CHUNK], t[start:start + EVAL_CHUNK]
            loss_sum += self.network.loss(xb, tb, training=False) * len(xb)
            if has_accuracy:
                acc_sum += self.network.accuracy(xb, tb) * len(xb)
        return loss_sum / len(x), (acc_sum / len(x) if has_accuracy else math.nan)

    def train(self):
        """Run ``epochs`` epochs and return :attr:`history` (calling again trains further)."""
        n = len(self.x_train)
        batches = math.ceil(n / self.batch_size)
        first = len(self.history) + 1
        rows = []
        with tqdm(total=self.epochs * batches, disable=not self.progress, unit="batch") as bar:
            for epoch in range(first, first + self.epochs):
                bar.set_description(f"epoch {epoch}/{first + self.epochs - 1}")
                start = time.perf_counter()
                if self.lr_schedule is not None:
                    self.optimizer.lr = self.base_lr * self.lr_schedule(epoch)
                order = self.rng.permutation(n)
                losses = []
                for i in range(0, n, self.batch_size):
                    chosen = order[i:i + self.batch_size]
                    losses.append(self._step(self.x_train[chosen], self.t_train[chosen]))
                    bar.update(1)
                train_loss, train_acc = self.evaluate(*self._train_eval)
                test_loss, test_acc = (math.nan, math.nan) if self._test_eval is None \
                    else self.evaluate(*self._test_eval)
                rows.append({"epoch": epoch, "train_loss": float(np.mean(losses)),
                             "train_acc": train_acc, "test_loss": test_loss,
                             "test_acc": test_acc, "seconds": time.perf_counter() - start})
                bar.set_postfix(loss=f"{rows[-1]['train_loss']:.4f}", test_acc=f"{test_acc:.4f}")
        new = pd.DataFrame(rows, columns=COLUMNS)
        self.history = new if self.history.empty else pd.concat([self.history, new],
                                                                 ignore_index=True)
        return self.history

    def _step(self, x, t):
        """One update on one mini-batch; returns the batch's loss."""
        grads = self.network.gradient(x, t)
        loss = getattr(self.network, "last_loss", None)
        if loss is None:  # a network that does not report it: one more forward pass
            loss = self.network.loss(x, t)
        self.optimizer.update(self.network.params, grads)
        return float(loss)


def train(network, optimizer, data, **kwargs):
    """Train with a :class:`Trainer` and return its history.

    ``data`` is ``((x_train, t_train), (x_test, t_test))``, as returned by the loaders of
    :mod:`common.datasets`, or just ``(x_train, t_train)``. Keyword arguments go to
    :class:`Trainer`.
    """
    if len(data) == 2 and all(isinstance(part, (tuple, list)) for part in data):
        (x_train, t_train), (x_test, t_test) = data
    else:
        (x_train, t_train), (x_test, t_test) = data, (None, None)
    return Trainer(network, optimizer, x_train, t_train, x_test, t_test, **kwargs).train()
