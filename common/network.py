"""A fully connected network of any depth, built from the layer classes.

Every hidden layer is the sequence ::

    Affine -> [BatchNormalization] -> activation (Relu or Sigmoid) -> [Dropout]

and the network ends with one more ``Affine`` (the scores) followed by a loss layer. The layers
sit in a Python list, in forward order, so ``predict`` walks the list from the front and
``gradient`` walks it backwards. The trainable arrays are collected in the dict ``params``
under the names each layer declares in ``param_names``, numbered by layer (``"W1"``, ``"b1"``,
``"gamma1"``, ``"beta1"``, ..., ``"W<L>"``, ``"b<L>"``); these are the very arrays the layers
compute with, so an optimizer that updates ``params`` in place trains the network.

Weight penalties (lecture unit "Regularization", :mod:`common.regularization`) act on the
weight matrices ``W`` only, never on biases or batch-norm parameters:
``loss = data loss + λ2 Σ_l ||W_l||² + λ1 Σ_l |W_l|``.
"""
import numpy as np

from common.gradient_check import numerical_gradient as _numerical_gradient
from common.initializers import init_weights
from common.layers import (Affine, BatchNormalization, Dropout, MeanSquaredError, Relu, Sigmoid,
                           SigmoidWithLoss, SoftmaxWithLoss, gradient_name)
from common.regularization import penalty_gradient, weight_penalty

ACTIVATIONS = {"relu": Relu, "sigmoid": Sigmoid}
LOSSES = {"softmax": SoftmaxWithLoss, "sigmoid": SigmoidWithLoss, "mse": MeanSquaredError}
DEFAULT_INIT = {"relu": "he", "sigmoid": "xavier"}


def _choice(what, value, allowed):
    """Return ``value`` if it is one of ``allowed``, else raise a ValueError listing them."""
    if value not in allowed:
        names = ", ".join(map(repr, allowed))
        raise ValueError(f"unknown {what} {value!r}; choose one of {names}.")
    return value


def _non_negative(name, value):
    if isinstance(value, bool) or not isinstance(value, (int, float, np.number)) or not value >= 0:
        raise ValueError(f"{name} must be a number >= 0, got {value!r}.")
    return float(value)


class MultiLayerNet:
    """Fully connected network ``input -> hidden_sizes... -> output`` with a loss layer on top.

    Parameters
    ----------
    input_size : int
        Features per example ``K`` (784 for flattened 28x28 images).
    hidden_sizes : sequence of int
        Units of each hidden layer, e.g. ``[100, 100]``; empty for no hidden layer.
    output_size : int
        Number of scores per example (classes for ``"softmax"``).
    activation : {"relu", "sigmoid"}
    init : {"he", "xavier", "glorot"} or float
        Standard deviation rule of the initial weights, or a fixed std; defaults to ``"he"`` for
        ReLU and ``"xavier"`` for sigmoid. The weights are drawn by
        :func:`common.initializers.init_weights`. Biases start at 0, ``gamma`` at 1, ``beta`` at 0.
    batch_norm : bool
        Put a ``BatchNormalization`` layer after every hidden ``Affine``.
    dropout : float
        Drop probability of a ``Dropout`` layer after every hidden activation (0: no dropout).
    dropout_inverted : bool
        Use inverted dropout (rescale in training) instead of the handout's form.
    weight_decay_l2, weight_decay_l1 : float
        Penalty strengths ``λ2`` and ``λ1`` (see the module docstring).
    loss : {"softmax", "sigmoid", "mse"}
        Softmax + cross-entropy (classes), sigmoid + binary cross-entropy (0/1 targets), or
        half mean squared error (regression).
    dtype : numpy float type
        Type of every parameter; inputs are cast to it, so a float32 net stays float32.
    seed : int
        Seed of ``np.random.default_rng`` for the initial weights and the dropout masks.
    """

    def __init__(self, input_size, hidden_sizes, output_size, *, activation="relu", init=None,
                 batch_norm=False, dropout=0.0, dropout_inverted=False, weight_decay_l2=0.0,
                 weight_decay_l1=0.0, loss="softmax", dtype=np.float64, seed=0):
        _choice("activation", activation, tuple(ACTIVATIONS))
        _choice("loss", loss, tuple(LOSSES))
        if isinstance(hidden_sizes, (int, np.integer)):
            raise TypeError(f"hidden_sizes must be a list of layer widths, e.g. [{hidden_sizes}] "
                            f"for one hidden layer; got the number {hidden_sizes}.")
        sizes = [input_size, *hidden_sizes, output_size]
        if any(isinstance(s, bool) or not isinstance(s, (int, np.integer)) or s < 1 for s in sizes):
            raise ValueError("layer sizes must be positive integers, got "
                             f"input_size={input_size!r}, hidden_sizes={hidden_sizes!r}, "
                             f"output_size={output_size!r}.")
        if not 0 <= dropout < 1:
            raise ValueError(f"dropout is a drop probability in [0, 1), got {dropout!r}.")
        self.dtype = np.dtype(dtype)
        if not np.issubdtype(self.dtype, np.floating):
            raise TypeError(f"dtype must be a float type such as np.float32, got {self.dtype}.")
        self.input_size, self.output_size = int(input_size), int(output_size)
        self.loss_name = loss
        self.is_classifier = not (loss == "mse" and output_size == 1)  # has an accuracy
        self.weight_decay_l2 = _non_negative("weight_decay_l2", weight_decay_l2)
        self.weight_decay_l1 = _non_negative("weight_decay_l1", weight_decay_l1)
        init = DEFAULT_INIT[activation] if init is None else init
        rng = np.random.default_rng(seed)
        initial = init_weights(sizes, init, rng=rng, dtype=self.dtype)  # W1, b1, ..., WL, bL

        self.params = {}     # name -> array, shared with the layers
        self.layers = []     # every layer except the loss, in forward order
        self._owners = []    # (param name, layer, attribute): where each gradient is found
        n_affine = len(sizes) - 1
        for i in range(1, n_affine + 1):
            n_out = sizes[i]
            affine = Affine(initial[f"W{i}"], initial[f"b{i}"])
            affine.need_dx = i > 1  # nothing needs the gradient of the input data
            self._add(affine, i)
            if i == n_affine:
                break  # the output Affine has no activation after it
            if batch_norm:
                self._add(BatchNormalization(np.ones(n_out, dtype=self.dtype),
                                             np.zeros(n_out, dtype=self.dtype)), i)
            self._add(ACTIVATIONS[activation](), i)
            if dropout > 0:
                self._add(Dropout(dropout, inverted=dropout_inverted, rng=rng), i)
        self.loss_layer = LOSSES[loss]()
        self.weight_keys = [f"W{i}" for i in range(1, n_affine + 1)]
        self.last_loss = None  # loss of the latest gradient() call (the trainer reads it)

    def _add(self, layer, index):
        """Append ``layer`` and register each parameter it declares in ``param_names`` (none if it
        declares nothing) under the key ``name + str(index)`` (``"W1"``, ``"gamma2"``, ...)."""
        self.layers.append(layer)
        for attribute in getattr(layer, "param_names", ()):
            key = f"{attribute}{index}"
            self.params[key] = getattr(layer, attribute)
            self._owners.append((key, layer, attribute))

    # ----------------------------------------------------------------------------- inputs
    def _inputs(self, x):
        """Return ``x`` as an (N, input_size) array of the network's dtype, or raise."""
        x = np.asarray(x)
        if x.ndim < 2:
            raise ValueError(f"x must be a batch of shape (N, {self.input_size}), got shape "
                             f"{x.shape}; for a single example use x.reshape(1, -1).")
        width = int(np.prod(x.shape[1:]))
        if width != self.input_size:
            raise ValueError(f"the network expects {self.input_size} features per example, got "
                             f"{width}: x has shape {x.shape}. Flatten each example or build the "
                             f"network with input_size={width}.")
        return x.reshape(x.shape[0], width).astype(self.dtype, copy=False)

    def _targets(self, t, n):
        """Targets in the form the loss layer needs: integer labels stay integers (softmax),
        everything else becomes an array of the network's dtype shaped like the scores."""
        t = np.asarray(t)
        if t.shape[:1] != (n,):
            raise ValueError(f"got {n} examples but targets of shape {t.shape}; pass one label "
                             "or one target row per example.")
        if self.loss_name == "softmax" and t.ndim == 1:
            if not np.issubdtype(t.dtype, np.integer):
                raise ValueError(f"1-D targets must be integer class labels, got dtype {t.dtype}; "
                                 "use t.astype(int) or pass one-hot rows.")
            return t
        if t.ndim == 1:
            t = t.reshape(n, 1)
        return t.astype(self.dtype, copy=False)

    # ---------------------------------------------------------------------- forward passes
    def predict(self, x, training=False):
        """Scores of the output layer (before softmax / sigmoid).

        Parameters
        ----------
        x : array_like, shape (N, input_size) (or (N, ...) with that many features)
        training : bool
            Batch norm and dropout in training mode (True) or inference mode (False).

        Returns
        -------
        ndarray, shape (N, output_size), of the network's dtype
        """
        out = self._inputs(x)
        for layer in self.layers:
            if getattr(layer, "has_training_mode", False):
                out = layer.forward(out, training=training)
            else:
                out = layer.forward(out)
        return out

    def penalty(self):
        """Weight penalty ``λ2 Σ ||W||² + λ1 Σ |W|`` over the weight matrices (a float)."""
        if not (self.weight_decay_l2 or self.weight_decay_l1):
            return 0.0
        return weight_penalty((self.params[key] for key in self.weight_keys),
                              l2=self.weight_decay_l2, l1=self.weight_decay_l1)

    def loss(self, x, t, training=True):
        """Mean data loss over the batch plus the weight penalty (a float).

        ``t`` is one-hot (N, K) or integer labels (N,) for ``"softmax"``, 0/1 values shaped like
        the scores (or (N,) for one output) for ``"sigmoid"``, targets for ``"mse"``.
        """
        scores = self.predict(x, training=training)
        data_loss = self.loss_layer.forward(scores, self._targets(t, scores.shape[0]))
        return float(data_loss) + self.penalty()

    def accuracy(self, x, t):
        """Fraction of correct predictions, in inference mode.

        Classes are the arg-max of the scores, compared with integer labels (N,) or the arg-max
        of one-hot rows (N, K). With the ``"sigmoid"`` loss each score is a yes/no answer:
        ``score > 0`` (probability above 1/2) compared with the 0/1 targets.
        """
        scores = self.predict(x, training=False)
        t = np.asarray(t)
        if self.loss_name == "sigmoid":
            return float(np.mean((scores > 0) == self._targets(t, scores.shape[0]).astype(bool)))
        if scores.shape[1] == 1:
            raise ValueError("accuracy needs class scores, but this network has a single output "
                             "(regression); compare predict(x) with the targets instead.")
        labels = np.argmax(t, axis=1) if t.ndim == 2 else t
        return float(np.mean(np.argmax(scores, axis=1) == labels))

    # ----------------------------------------------------------------------------- gradients
    def gradient(self, x, t):
        """Gradients of :meth:`loss` (training mode) by backpropagation.

        One forward pass, then ``backward`` through the loss layer and the layer list in reverse.
        Every weight gradient also gets the penalty's ``2 λ2 W + λ1 sign(W)``.

        Returns
        -------
        dict
            Same keys and shapes as ``params``. The loss of this forward pass is stored in
            ``self.last_loss``.
        """
        self.last_loss = self.loss(x, t, training=True)
        dout = self.loss_layer.backward(1)
        for layer in reversed(self.layers):
            dout = layer.backward(dout)
        grads = {key: getattr(layer, gradient_name(attribute))
                 for key, layer, attribute in self._owners}
        if self.weight_decay_l2 or self.weight_decay_l1:
            for key in self.weight_keys:
                grads[key] = grads[key] + penalty_gradient(
                    self.params[key], l2=self.weight_decay_l2, l1=self.weight_decay_l1)
        return grads

    def numerical_gradient(self, x, t):
        """Central-difference gradients of :meth:`loss` (training mode), for checking on tiny nets.

        Needs a float64 network without dropout (a new dropout mask on every forward pass would
        make the differences meaningless). Batch-norm running statistics are left as they were.

        Returns
        -------
        dict, same keys and shapes as ``params``
        """
        if any(isinstance(layer, Dropout) for layer in self.layers):
            raise ValueError("numerical_gradient cannot check a network with dropout: every "
                             "forward pass draws a new mask. Check a copy built with dropout=0.")
        norms = [layer for layer in self.layers if isinstance(layer, BatchNormalization)]
        saved = [(bn.running_mean.copy(), bn.running_var.copy()) for bn in norms]
        grads = {key: _numerical_gradient(lambda _: self.loss(x, t, training=True), param)
                 for key, param in self.params.items()}
        for bn, (mean, var) in zip(norms, saved):
            bn.running_mean, bn.running_var = mean, var
        return grads
