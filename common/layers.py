"""Layer classes with forward and backward passes.

Every layer follows the same interface (after the lecture handout):

* ``forward(x)`` returns the output and keeps what the backward pass will need;
* ``backward(dout)`` takes ``dout = ∂E/∂(output)`` and returns ``dx = ∂E/∂x``; a layer with
  parameters also stores their gradients, e.g. ``self.dW`` and ``self.db``;
* every layer declares its trainable arrays in the class attribute ``param_names``, e.g.
  ``("W", "b")`` (empty for a layer without parameters); the gradient of parameter ``name`` is
  stored in the attribute ``gradient_name(name)``, that is ``"d" + name``. Networks and
  :func:`common.gradient_check.check_layer` find the parameters through this declaration;
* loss layers take ``forward(x, t)`` and ``backward(dout=1)``;
* a layer that behaves differently in training and at inference takes
  ``forward(x, training=True)`` and says so with ``has_training_mode = True``.

No method changes ``x`` or ``dout`` in place. Batches are rows: ``x`` has shape ``(N, K)``.
"""
import numpy as np

from common.functions import binary_cross_entropy, cross_entropy, sigmoid, softmax
from common.preprocessing import one_hot


def gradient_name(param_name):
    """Attribute in which ``backward`` stores the gradient of a parameter: ``"d" + param_name``.

    Parameters
    ----------
    param_name : str
        An entry of a layer's ``param_names``, e.g. ``"W"``.

    Returns
    -------
    str, e.g. ``"dW"``
    """
    return "d" + param_name


class Affine:
    """Fully connected layer ``Y = X W + b``.

    Parameters
    ----------
    W : ndarray, shape (K, L)
    b : ndarray, shape (L,)

    Inputs with more than two dimensions (e.g. images ``(N, 1, 28, 28)``) are flattened to
    ``(N, K)``; ``dx`` is returned in the input's shape.

    Attributes
    ----------
    need_dx : bool
        A network sets this to False on its first layer: nothing upstream needs ``dx`` there,
        and skipping ``dout @ W.T`` saves a large matrix product per batch (``backward`` then
        returns None).
    """

    param_names = ("W", "b")

    def __init__(self, W, b):
        self.W = W
        self.b = b
        self.x = None
        self.dW = None
        self.db = None
        self.need_dx = True

    def forward(self, x):
        """``x`` (N, K) -> ``X W + b`` (N, L)."""
        self.x_shape = x.shape
        self.x = x.reshape(x.shape[0], -1)
        out = self.x @ self.W
        out += self.b  # in place on the fresh product: one array fewer than `x @ W + b`
        return out

    def backward(self, dout):
        """``dout`` (N, L) -> ``dx`` (N, K); stores ``dW = Xᵀ dout`` and ``db = Σ_n dout``."""
        self.dW = self.x.T @ dout
        self.db = dout.sum(axis=0)
        if not self.need_dx:
            return None
        return (dout @ self.W.T).reshape(self.x_shape)


class Relu:
    """Rectified linear unit ``Y = max(0, X)``; keeps the mask ``X > 0`` for backward."""

    param_names = ()

    def __init__(self):
        self.mask = None

    def forward(self, x):
        self.mask = x > 0
        return np.maximum(x, 0)

    def backward(self, dout):
        """``dx = dout`` where ``x > 0``, else 0."""
        return dout * self.mask


class Sigmoid:
    """Logistic sigmoid ``Y = 1 / (1 + exp(-X))``; keeps the output ``Y`` for backward."""

    param_names = ()

    def __init__(self):
        self.y = None

    def forward(self, x):
        self.y = sigmoid(x)
        return self.y

    def backward(self, dout):
        """``dx = dout * Y * (1 - Y)`` (from the output, not the input)."""
        return dout * self.y * (1.0 - self.y)


class MeanSquaredError:
    """Regression loss ``E = 1/(2N) Σ_n ||y_n - t_n||²``.

    ``forward(y, t)`` with predictions and targets of the same shape ``(N, D)``;
    ``backward(dout=1)`` returns ``∂E/∂y = (y - t) / N``.
    """

    param_names = ()

    def __init__(self):
        self.y = None
        self.t = None
        self.loss = None

    def forward(self, y, t):
        t = np.asarray(t)
        if t.shape != y.shape:
            raise ValueError(f"MeanSquaredError: predictions {y.shape} and targets {t.shape} "
                             "differ in shape; reshape the targets, e.g. t.reshape(-1, 1).")
        self.y, self.t = y, t
        n = y.shape[0]
        self.loss = float(np.sum((y - t) ** 2) / (2 * n))
        return self.loss

    def backward(self, dout=1):
        n = self.y.shape[0]
        return dout * (self.y - self.t) / n


class SigmoidWithLoss:
    """Sigmoid output with binary cross-entropy, for two-class problems.

    ``forward(x, t)`` takes scores ``x`` of shape (N, 1) and labels ``t`` in {0, 1} of the same
    shape, returns ``E = -1/N Σ [t log y + (1 - t) log(1 - y)]`` with ``y = sigmoid(x)``.
    ``backward(dout=1)`` returns ``∂E/∂x = (y - t) / N``.
    """

    param_names = ()

    def __init__(self):
        self.y = None
        self.t = None
        self.loss = None

    def forward(self, x, t):
        self.t = np.asarray(t).reshape(x.shape)
        self.y = sigmoid(x)
        self.loss = binary_cross_entropy(self.y, self.t)
        return self.loss

    def backward(self, dout=1):
        n = self.y.shape[0]
        return dout * (self.y - self.t) / n


class SoftmaxWithLoss:
    """Softmax output with cross-entropy, for K-class problems.

    ``forward(x, t)`` takes scores ``x`` of shape (N, K) and targets ``t`` as one-hot rows
    (N, K) or integer labels (N,), returns ``E = -1/N Σ_n Σ_k t_nk log y_nk`` with
    ``y = softmax(x)``. ``backward(dout=1)`` returns ``∂E/∂x = (Y - T) / N``.
    """

    param_names = ()

    def __init__(self):
        self.y = None
        self.t = None
        self.loss = None

    def forward(self, x, t):
        t = np.asarray(t)
        self.y = softmax(x)
        if t.ndim == 1:  # integer labels -> one-hot rows, so backward is always (Y - T) / N
            t = one_hot(t, self.y.shape[1], dtype=self.y.dtype)
        self.t = t
        self.loss = cross_entropy(self.y, self.t)
        return self.loss

    def backward(self, dout=1):
        n = self.y.shape[0]
        return dout * (self.y - self.t) / n


class BatchNormalization:
    """Batch normalization over the batch axis.

    Training: ``μ = mean(X)``, ``v = mean((X - μ)²)``, ``X̃ = (X - μ) / sqrt(v + ε)``,
    ``Y = γ X̃ + β`` (all means over axis 0), and running statistics
    ``running = momentum * running + (1 - momentum) * batch`` are kept for inference.
    Inference normalizes with the running mean and variance instead of the batch's.

    Parameters
    ----------
    gamma, beta : ndarray, shape (K,)
        Scale and shift (usually initialized to ones and zeros).
    momentum : float
        Weight of the old running statistics in each update.
    eps : float
        Added to the variance before the square root.
    """

    has_training_mode = True
    param_names = ("gamma", "beta")

    def __init__(self, gamma, beta, momentum=0.9, eps=1e-8):
        self.gamma = gamma
        self.beta = beta
        self.momentum = momentum
        self.eps = eps
        self.running_mean = np.zeros_like(gamma)
        self.running_var = np.ones_like(gamma)
        self.dgamma = None
        self.dbeta = None

    def forward(self, x, training=True):
        """``x`` (N, K) -> ``y`` (N, K)."""
        if training:
            mu = x.mean(axis=0)
            var = ((x - mu) ** 2).mean(axis=0)
            m = self.momentum
            self.running_mean = m * self.running_mean + (1 - m) * mu
            self.running_var = m * self.running_var + (1 - m) * var
        else:
            mu, var = self.running_mean, self.running_var
        self.training = training
        self.std = np.sqrt(var + self.eps)
        self.x_hat = (x - mu) / self.std
        return self.gamma * self.x_hat + self.beta

    def backward(self, dout):
        """The handout's formulas: ``c = mean(dY)``, ``d = mean(X̃ * dY)``,
        ``dX = γ/σ (dY - c - X̃ d)``; ``dγ = Σ X̃ * dY``, ``dβ = Σ dY``."""
        self.dbeta = dout.sum(axis=0)
        self.dgamma = (self.x_hat * dout).sum(axis=0)
        if not self.training:  # statistics were constants: the layer is affine in x
            return dout * self.gamma / self.std
        c = dout.mean(axis=0)
        d = (self.x_hat * dout).mean(axis=0)
        return self.gamma / self.std * (dout - c - self.x_hat * d)


class Dropout:
    """Dropout: in training, each unit is zeroed independently with probability ``drop_prob``.

    Two equivalent conventions, both with the same expected activation:

    * the handout's (``inverted=False``): training ``Y = X * M``, inference ``Y = X * (1 - p)``;
    * inverted dropout (``inverted=True``): training ``Y = X * M / (1 - p)``, inference ``Y = X``.

    ``M`` is a fresh 0/1 mask per forward pass (1 with probability ``1 - p``); backward is
    ``dX = dY * M`` (divided by ``1 - p`` in the inverted form).

    Parameters
    ----------
    drop_prob : float in [0, 1)
    inverted : bool
    rng : numpy.random.Generator, optional
        Source of the masks; defaults to ``np.random.default_rng()``.
    """

    has_training_mode = True
    param_names = ()

    def __init__(self, drop_prob=0.5, inverted=False, rng=None):
        if not 0 <= drop_prob < 1:
            raise ValueError(f"Dropout: drop_prob must be in [0, 1), got {drop_prob}.")
        self.drop_prob = drop_prob
        self.inverted = inverted
        self.rng = np.random.default_rng() if rng is None else rng
        self.mask = None

    def forward(self, x, training=True):
        keep = 1.0 - self.drop_prob
        if not training:
            self.mask = None
            return x if self.inverted else x * keep
        self.mask = self.rng.random(x.shape) >= self.drop_prob
        self.scale = 1.0 / keep if self.inverted else 1.0
        return x * self.mask * self.scale

    def backward(self, dout):
        if self.mask is None:  # after an inference pass the layer is a constant scaling
            return dout if self.inverted else dout * (1.0 - self.drop_prob)
        return dout * self.mask * self.scale
