"""Gradient-based optimizers: SGD, Momentum, AdaGrad, RMSProp and Adam.

Every optimizer has the same interface::

    optimizer.update(params, grads)

``params`` and ``grads`` are dicts of NumPy arrays with the same keys (``"W1"``, ``"b1"``, ...)
and, key by key, the same shapes. ``update`` changes the arrays of ``params`` **in place**:
after the call ``params["W1"]`` is still the very same array object, holding new values, so a
network that keeps references to its weight arrays sees the update. ``grads`` is only read.

Notation in the docstrings: ``theta`` is one parameter array, ``g`` its gradient ``dE/dtheta``,
``lr`` the learning rate; products, squares, square roots and divisions act element-wise.

State arrays (velocities, running averages) are created the first time a key is seen, with
the parameter's shape and dtype, so a float32 network stays float32. Hyperparameters are kept
as Python floats; NumPy does not let a Python float upcast a float32 array.
"""
import math

import numpy as np


def _check_positive(name, value):
    """Return ``value`` as a float after checking that it is a positive number."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} must be a number, got {value!r}.")
    if not value > 0:
        raise ValueError(f"{name} must be positive, got {value}.")
    return float(value)


def _check_fraction(name, value):
    """Return ``value`` as a float after checking that ``0 <= value < 1``."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} must be a number, got {value!r}.")
    if not 0 <= value < 1:
        raise ValueError(f"{name} must satisfy 0 <= {name} < 1, got {value}.")
    return float(value)


def _check_params_and_grads(params, grads):
    """Raise a clear error unless ``params`` and ``grads`` match key by key and shape by shape.

    Everything is checked before any array is touched, so a bad call never leaves the
    parameters half updated.
    """
    if not isinstance(params, dict) or not isinstance(grads, dict):
        raise TypeError("update(params, grads) expects two dicts of arrays keyed like 'W1', 'b1'; "
                        f"got {type(params).__name__} and {type(grads).__name__}.")
    for key in grads:
        if key not in params:
            raise ValueError(f"grads has the key {key!r}, but params has no parameter of that name "
                             f"(params keys: {list(params)}). Every gradient needs a parameter "
                             "with the same key.")
    for key, param in params.items():
        if key not in grads:
            raise ValueError(f"params[{key!r}] has no gradient: grads has no key {key!r} "
                             f"(grads keys: {list(grads)}). Did the backward pass store it?")
        if not isinstance(param, np.ndarray) or not np.issubdtype(param.dtype, np.floating):
            raise TypeError(f"params[{key!r}] must be a floating-point NumPy array (it is updated "
                            f"in place), got {type(param).__name__} "
                            f"{getattr(param, 'dtype', '')}. Use np.asarray(..., dtype=float).")
        grad_shape = np.shape(grads[key])
        if grad_shape != param.shape:
            raise ValueError(f"grads[{key!r}] has shape {grad_shape} but params[{key!r}] has shape "
                             f"{param.shape}; a gradient must have the shape of its parameter.")


def _apply_scaled_step(param, scale, numerator, square_avg, eps, out=None):
    """Do ``param -= scale * numerator / (sqrt(square_avg) + eps)`` in place.

    One scratch array (``out``, reused between calls when given) holds the step; the in-place
    calls reuse it instead of allocating a new temporary for every operation (this matters
    for large float32 networks).
    """
    step = np.sqrt(square_avg, out=out)    # sqrt(square_avg)
    step += eps                            # sqrt(square_avg) + eps
    np.divide(numerator, step, out=step)   # numerator / (sqrt(square_avg) + eps)
    step *= scale
    param -= step


class Optimizer:
    """Base class: checks the input and hands each (parameter, gradient) pair to ``_step``.

    Subclasses implement ``_step(key, param, grad)``, which updates ``param`` in place.

    Attributes
    ----------
    lr : float
        Learning rate. It may be changed between updates (a learning-rate schedule).
    """

    def __init__(self, lr):
        self.lr = lr
        self._stores = []  # the state dicts (key -> array) of a subclass, for shape checks

    @property
    def lr(self):
        return self._lr

    @lr.setter
    def lr(self, value):
        self._lr = _check_positive("lr", value)

    def update(self, params, grads):
        """Update every array of ``params`` in place, using the gradient with the same key.

        Parameters
        ----------
        params : dict[str, ndarray]
            Parameter arrays (floating point), e.g. ``{"W1": (K, L), "b1": (L,), ...}``.
        grads : dict[str, ndarray]
            Gradients, same keys and shapes as ``params``. Not modified.

        Raises
        ------
        ValueError
            If a key is in one dict but not in the other, or a gradient's shape differs from
            its parameter's shape.
        TypeError
            If a parameter is not a floating-point ndarray.
        """
        _check_params_and_grads(params, grads)
        for store in self._stores:
            for key, state in store.items():
                if key in params and state.shape != params[key].shape:
                    raise ValueError(f"this optimizer holds state of shape {state.shape} for "
                                     f"{key!r}, but params[{key!r}] now has shape "
                                     f"{params[key].shape}. Create a new optimizer for a new "
                                     "network.")
        self._begin_update()
        for key, param in params.items():
            self._step(key, param, np.asarray(grads[key]))

    def _begin_update(self):
        """Hook called once per ``update`` call, before any parameter (Adam counts steps here)."""

    def _step(self, key, param, grad):
        raise NotImplementedError

    @staticmethod
    def _state(store, key, param):
        """Return ``store[key]``, creating a zero array like ``param`` the first time."""
        if key not in store:
            store[key] = np.zeros_like(param)
        return store[key]


class SGD(Optimizer):
    """Plain (stochastic) gradient descent.

    .. math:: \\theta \\leftarrow \\theta - \\mathrm{lr}\\, g
    """

    def __init__(self, lr=0.01):
        super().__init__(lr)
        self._scratch = {}  # one reusable array per parameter for lr * g (no temporaries)

    def _step(self, key, param, grad):
        step = self._state(self._scratch, key, param)
        np.multiply(grad, self.lr, out=step)
        param -= step


class Momentum(Optimizer):
    """Gradient descent with momentum (a velocity ``v`` per parameter, starting at 0).

    .. math::
        v &\\leftarrow \\alpha v - \\mathrm{lr}\\, g \\\\
        \\theta &\\leftarrow \\theta + v

    with ``alpha = momentum`` (``0 <= alpha < 1``); ``alpha = 0`` is plain SGD.
    """

    def __init__(self, lr=0.01, momentum=0.9):
        super().__init__(lr)
        self.momentum = _check_fraction("momentum", momentum)
        self.v = {}
        self._stores = [self.v]

    def _step(self, key, param, grad):
        v = self._state(self.v, key, param)
        v *= self.momentum
        v -= self.lr * grad
        param += v


class AdaGrad(Optimizer):
    """AdaGrad: each entry's step shrinks with the sum of its squared gradients ``h`` (from 0).

    .. math::
        h &\\leftarrow h + g^2 \\\\
        \\theta &\\leftarrow \\theta - \\mathrm{lr}\\, \\frac{g}{\\sqrt{h} + \\epsilon}
    """

    def __init__(self, lr=0.01, eps=1e-7):
        super().__init__(lr)
        self.eps = _check_positive("eps", eps)
        self.h = {}
        self._stores = [self.h]

    def _step(self, key, param, grad):
        h = self._state(self.h, key, param)
        h += grad * grad
        _apply_scaled_step(param, self.lr, grad, h, self.eps)


class RMSProp(Optimizer):
    """RMSProp: like AdaGrad, but ``h`` is a decaying average, so old gradients are forgotten.

    .. math::
        h &\\leftarrow \\rho h + (1 - \\rho)\\, g^2 \\\\
        \\theta &\\leftarrow \\theta - \\mathrm{lr}\\, \\frac{g}{\\sqrt{h} + \\epsilon}

    with ``rho = decay_rate`` (``0 <= rho < 1``) and ``h`` starting at 0.
    """

    def __init__(self, lr=0.01, decay_rate=0.99, eps=1e-7):
        super().__init__(lr)
        self.decay_rate = _check_fraction("decay_rate", decay_rate)
        self.eps = _check_positive("eps", eps)
        self.h = {}
        self._stores = [self.h]

    def _step(self, key, param, grad):
        h = self._state(self.h, key, param)
        h *= self.decay_rate
        h += (1.0 - self.decay_rate) * (grad * grad)
        _apply_scaled_step(param, self.lr, grad, h, self.eps)


class Adam(Optimizer):
    """Adam: momentum on the gradient (``m``) plus an RMSProp-style scale (``v``).

    ``m`` and ``v`` (called ``s`` and ``r`` in the handout) start at 0; ``t`` is the number of
    updates made so far, counting the current one (``t = 1`` on the first call).

    ``form="implementation"`` (default, the handout's form for coding) folds both bias
    corrections into the learning rate:

    .. math::
        m &\\leftarrow m + (1 - \\beta_1)(g - m) \\qquad (= \\beta_1 m + (1 - \\beta_1) g) \\\\
        v &\\leftarrow v + (1 - \\beta_2)(g^2 - v) \\qquad (= \\beta_2 v + (1 - \\beta_2) g^2) \\\\
        \\mathrm{lr}_t &= \\mathrm{lr}\\, \\frac{\\sqrt{1 - \\beta_2^t}}{1 - \\beta_1^t} \\\\
        \\theta &\\leftarrow \\theta - \\mathrm{lr}_t\\, \\frac{m}{\\sqrt{v} + \\epsilon}

    ``form="original"`` (Kingma and Ba, 2014) corrects ``m`` and ``v`` themselves:

    .. math::
        \\hat m = \\frac{m}{1 - \\beta_1^t}, \\quad \\hat v = \\frac{v}{1 - \\beta_2^t}, \\quad
        \\theta \\leftarrow \\theta - \\mathrm{lr}\\, \\frac{\\hat m}{\\sqrt{\\hat v} + \\epsilon}

    The two forms agree up to where ``eps`` enters: multiplying out, the original step is
    ``lr_t * m / (sqrt(v) + eps * sqrt(1 - beta2**t))``, so it equals the implementation step
    with ``eps`` replaced by ``eps * sqrt(1 - beta2**t)``. With a small ``eps`` the difference
    is negligible. Without the corrections the first step would be about
    ``lr * (1 - beta1) / sqrt(1 - beta2)`` (3.2 lr with the defaults); with them every
    entry moves by about ``lr`` on the first step.
    """

    FORMS = ("implementation", "original")

    def __init__(self, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8, form="implementation"):
        super().__init__(lr)
        self.beta1 = _check_fraction("beta1", beta1)
        self.beta2 = _check_fraction("beta2", beta2)
        self.eps = _check_positive("eps", eps)
        if form not in self.FORMS:
            raise ValueError(f"form must be one of {self.FORMS}, got {form!r}.")
        self.form = form
        self.t = 0
        self.m = {}
        self.v = {}
        self._scratch = {}
        self._stores = [self.m, self.v, self._scratch]

    def _begin_update(self):
        self.t += 1

    def _step(self, key, param, grad):
        m = self._state(self.m, key, param)
        v = self._state(self.v, key, param)
        bias1 = 1.0 - self.beta1 ** self.t  # Python floats: keep float32 arrays float32
        bias2 = 1.0 - self.beta2 ** self.t
        if self.form == "implementation":
            # The same arithmetic as the formulas above, done in place with one scratch array
            # per parameter (no temporaries: the update runs once per parameter and batch).
            tmp = self._state(self._scratch, key, param)
            np.subtract(grad, m, out=tmp)
            tmp *= 1.0 - self.beta1
            m += tmp                              # m += (1 - beta1) (g - m)
            np.multiply(grad, grad, out=tmp)
            tmp -= v
            tmp *= 1.0 - self.beta2
            v += tmp                              # v += (1 - beta2) (g^2 - v)
            lr_t = self.lr * math.sqrt(bias2) / bias1
            _apply_scaled_step(param, lr_t, m, v, self.eps, out=tmp)
        else:  # written as in the paper, for reading rather than speed
            m += (1.0 - self.beta1) * (grad - m)
            v += (1.0 - self.beta2) * (grad * grad - v)
            v_hat = v / bias2
            m_hat = m / bias1
            param -= self.lr * m_hat / (np.sqrt(v_hat) + self.eps)
