"""A small reverse-mode automatic-differentiation engine over NumPy arrays (unit 1).

Every operation on a `Tensor` returns a new node that remembers its inputs (``parents``), the
name of the operation (``op``) and the constants the operation used (``attrs``). The nodes form
a computational graph. ``loss.backward()`` walks that graph from the output back to the inputs
(reverse topological order) and applies the chain rule at each node: the node's ``grad``
(d loss / d node) is turned into gradients of its inputs by the node's *backward rule*, and
those are added (``+=``) to the inputs' ``grad``.

The backward rules live in one table, ``BACKWARD_RULES``, mapping an op name to a function::

    rule(out_grad, *inputs, out, **attrs) -> tuple with one gradient per input

All arguments are plain arrays: ``out_grad`` is d loss / d out, ``inputs`` are the input
values, ``out`` is the output value and ``attrs`` are the op's constants (``p`` for pow,
``axis`` and ``keepdims`` for sum and mean, one-hot ``targets`` for softmax_cross_entropy).
If an input was broadcast in the forward pass, the engine sums its gradient back to the
input's shape, so a rule may return gradients shaped like ``out``. Rules are looked up when
backward runs, so a notebook can plug in its own rule:

>>> import numpy as np
>>> from common import autodiff as ad
>>> def my_mul_backward(out_grad, a, b, out):
...     return out_grad * b, out_grad * a
>>> x = ad.Tensor([1.0, 2.0])
>>> with ad.override_rule("mul", my_mul_backward):  # the old rule comes back afterwards
...     (x * x).sum().backward()
>>> x.grad
array([2., 4.])

(``ad.BACKWARD_RULES["mul"] = my_mul_backward`` also works; restore with ``ad.mul_backward``.)
Op names: add sub neg mul div pow exp log matmul sum mean relu sigmoid softmax_cross_entropy.

``backward()`` first sets the grad of every node in the graph to zero (``zero_grad``), so after
the call each ``grad`` holds the derivative of *this* output; a second call gives the same
numbers, not twice them. Inside one call, a node used several times (``x * x``, or ``x``
feeding two branches) receives the sum of all its contributions.
"""
import contextlib

import numpy as np

from common.functions import sigmoid as _sigmoid
from common.functions import softmax as _softmax
from common.preprocessing import one_hot as _one_hot


class Tensor:
    """A node of the computational graph: an array value and the gradient with respect to it.

    Parameters
    ----------
    data : float, list or np.ndarray
        The value. It is copied, so the caller's array is never changed by the engine.
    name : str, optional
        A name shown when the graph is drawn (see `trace`).
    dtype : numpy dtype, default np.float64

    Attributes
    ----------
    data : np.ndarray
    grad : np.ndarray, same shape as ``data``; zeros until ``backward`` fills it.
    parents : tuple of Tensor, the inputs of the op that made this node (empty for a leaf).
    op : str or None, the op name, a key of ``BACKWARD_RULES`` (None for a leaf).
    attrs : dict, the constants the op's backward rule receives as keyword arguments.
    """

    __array_ufunc__ = None  # makes `ndarray + Tensor` call Tensor.__radd__ instead of NumPy

    def __init__(self, data, name=None, dtype=np.float64, *, parents=(), op=None, attrs=None):
        if isinstance(data, Tensor):
            raise TypeError("Tensor() was given a Tensor; use it as it is, or pass its .data.")
        self.data = np.array(data, dtype=dtype)
        self.grad = np.zeros_like(self.data)
        self.name, self.parents, self.op = name, tuple(parents), op
        self.attrs = dict(attrs or {})

    @property
    def shape(self): return self.data.shape

    @property
    def ndim(self): return self.data.ndim

    @property
    def size(self): return self.data.size

    def item(self):
        """The value of a size-1 tensor as a Python float."""
        return self.data.item()

    @property
    def label(self):
        """Text for a graph drawing: the op (and name) of an op node, else the name or value."""
        if self.op is not None:
            return self.op if self.name is None else f"{self.name} = {self.op}"
        if self.name is not None:
            return self.name
        return f"{self.data.item():g}" if self.size == 1 else f"array {self.shape}"

    def __repr__(self):
        extra = "".join(f", {k}={v!r}" for k, v in (("op", self.op), ("name", self.name)) if v)
        return f"Tensor({self.data!r}{extra})"

    # Operators: plain numbers and arrays on either side are wrapped as constant leaves.
    def __add__(self, other): return add(self, other)
    def __radd__(self, other): return add(other, self)
    def __sub__(self, other): return sub(self, other)
    def __rsub__(self, other): return sub(other, self)
    def __mul__(self, other): return mul(self, other)
    def __rmul__(self, other): return mul(other, self)
    def __truediv__(self, other): return div(self, other)
    def __rtruediv__(self, other): return div(other, self)
    def __matmul__(self, other): return matmul(self, other)
    def __rmatmul__(self, other): return matmul(other, self)
    def __neg__(self): return neg(self)
    def __pow__(self, p): return power(self, p)
    def exp(self): return exp(self)
    def log(self): return log(self)
    def relu(self): return relu(self)
    def sigmoid(self): return sigmoid(self)
    def sum(self, axis=None, keepdims=False): return sum(self, axis, keepdims)
    def mean(self, axis=None, keepdims=False): return mean(self, axis, keepdims)

    # The graph and the backward pass.
    def topological_order(self):
        """All nodes this tensor depends on (itself included), every node after its parents."""
        order, visited, stack = [], set(), [(self, False)]
        while stack:  # depth-first search with an explicit stack: no recursion limit
            node, parents_done = stack.pop()
            if parents_done:
                order.append(node)
            elif node not in visited:
                visited.add(node)
                stack.append((node, True))  # comes off the stack after all its parents
                stack.extend((p, False) for p in node.parents if p not in visited)
        return order

    def zero_grad(self):
        """Set the grad of every node in this tensor's graph to zeros."""
        for node in self.topological_order():
            node.grad = np.zeros_like(node.data)

    def backward(self, grad=None):
        """Fill ``grad`` of every node in the graph with d(self)/d(node).

        Parameters
        ----------
        grad : array of shape ``self.shape``, optional
            The seed d loss / d self. Needed when self is not a scalar; defaults to 1.
        """
        if grad is None:
            if self.size != 1:
                raise ValueError(
                    f"backward() needs a scalar output, but this tensor has shape {self.shape}. "
                    "Reduce it first (e.g. y.sum().backward()) or pass a seed gradient: "
                    f"y.backward(grad=...) with an array of shape {self.shape}.")
            grad = np.ones_like(self.data)
        grad = np.array(grad, dtype=self.data.dtype)
        if grad.shape != self.shape:
            raise ValueError(f"the seed gradient has shape {grad.shape}, but the tensor has "
                             f"shape {self.shape}; they must be equal.")
        order = self.topological_order()
        for node in order:  # start from zero: these grads are for this output only
            node.grad = np.zeros_like(node.data)
        self.grad = grad
        for node in reversed(order):
            node._backward()

    def _backward(self):
        """Apply this node's backward rule and add the results to the parents' grads."""
        if not self.parents:
            return
        if self.op not in BACKWARD_RULES:
            raise KeyError(f"no backward rule for op {self.op!r}; add one to BACKWARD_RULES.")
        rule = BACKWARD_RULES[self.op]
        grads = rule(self.grad, *(p.data for p in self.parents), self.data, **self.attrs)
        if not isinstance(grads, (tuple, list)):
            grads = (grads,)  # a one-input rule may return the array itself
        if len(grads) != len(self.parents):
            raise ValueError(f"the backward rule of {self.op!r} returned {len(grads)} gradients, "
                             f"but the op has {len(self.parents)} inputs.")
        for parent, g in zip(self.parents, grads):
            g = _unbroadcast(np.asarray(g, dtype=parent.data.dtype), parent.shape)
            if g.shape != parent.shape:
                raise ValueError(f"the backward rule of {self.op!r} returned a gradient of shape "
                                 f"{g.shape} for an input of shape {parent.shape}.")
            parent.grad += g


def _unbroadcast(grad, shape):
    """Sum `grad` over the axes that broadcasting added or stretched, giving back `shape`."""
    extra = grad.ndim - len(shape)
    if extra > 0:
        grad = grad.sum(axis=tuple(range(extra)))
    stretched = tuple(i for i, n in enumerate(shape)
                      if n == 1 and i < grad.ndim and grad.shape[i] != 1)
    return grad.sum(axis=stretched, keepdims=True) if stretched else grad


def _as_tensor(x):
    return x if isinstance(x, Tensor) else Tensor(x)


def _node(data, op, parents, **attrs):
    """The output node of `op` with value `data`."""
    data = np.asarray(data)
    return Tensor(data, dtype=data.dtype, parents=parents, op=op, attrs=attrs)


# Forward functions: each computes the value and records how it was made.
def add(a, b):
    a, b = _as_tensor(a), _as_tensor(b)
    return _node(a.data + b.data, "add", (a, b))


def sub(a, b):
    a, b = _as_tensor(a), _as_tensor(b)
    return _node(a.data - b.data, "sub", (a, b))


def neg(a):
    a = _as_tensor(a)
    return _node(-a.data, "neg", (a,))


def mul(a, b):
    a, b = _as_tensor(a), _as_tensor(b)
    return _node(a.data * b.data, "mul", (a, b))


def div(a, b):
    a, b = _as_tensor(a), _as_tensor(b)
    return _node(a.data / b.data, "div", (a, b))


def power(a, p):
    """``a ** p`` for a constant number p (the exponent gets no gradient)."""
    if isinstance(p, Tensor) or np.ndim(p) != 0:
        raise TypeError("the exponent of ** must be a plain number; for a tensor exponent y "
                        "write exp(y * log(x)) instead of x ** y.")
    a = _as_tensor(a)
    return _node(a.data ** p, "pow", (a,), p=p)


def exp(a):
    a = _as_tensor(a)
    return _node(np.exp(a.data), "exp", (a,))


def log(a):
    a = _as_tensor(a)
    return _node(np.log(a.data), "log", (a,))


def matmul(a, b):
    """Matrix product of two 2-D tensors, (N, K) @ (K, L) -> (N, L)."""
    a, b = _as_tensor(a), _as_tensor(b)
    if a.ndim != 2 or b.ndim != 2:
        raise ValueError(f"matmul needs two 2-D arrays, got shapes {a.shape} and {b.shape}; "
                         "reshape a vector of shape (K,) to a column (K, 1) or a row (1, K).")
    return _node(a.data @ b.data, "matmul", (a, b))


def sum(a, axis=None, keepdims=False):
    """Sum over `axis` (None: all elements), like np.sum."""
    a = _as_tensor(a)
    return _node(a.data.sum(axis=axis, keepdims=keepdims), "sum", (a,),
                 axis=axis, keepdims=keepdims)


def mean(a, axis=None, keepdims=False):
    """Mean over `axis` (None: all elements), like np.mean."""
    a = _as_tensor(a)
    return _node(a.data.mean(axis=axis, keepdims=keepdims), "mean", (a,),
                 axis=axis, keepdims=keepdims)


def relu(a):
    a = _as_tensor(a)
    return _node(np.maximum(a.data, 0.0), "relu", (a,))


def sigmoid(a):
    """1 / (1 + exp(-a)), computed without overflow by `common.functions.sigmoid`."""
    a = _as_tensor(a)
    return _node(_sigmoid(a.data), "sigmoid", (a,))


def _check_targets(targets, shape):
    """Check the targets against logits of `shape` (N, K) and return them as one-hot (N, K)."""
    n, k = shape
    t = np.asarray(targets.data if isinstance(targets, Tensor) else targets)
    if t.shape == (n,):
        if not np.issubdtype(t.dtype, np.integer):
            raise TypeError(f"label targets of shape ({n},) must be integers, got dtype "
                            f"{t.dtype}; convert them with .astype(int).")
        if n and (t.min() < 0 or t.max() >= k):
            raise ValueError(f"labels must lie in 0..{k - 1}, got {t.min()}..{t.max()}.")
        return _one_hot(t, k)
    if t.shape != (n, k):
        raise ValueError(f"targets must be one-hot rows of shape {(n, k)} or integer labels "
                         f"of shape ({n},), but got shape {t.shape}.")
    if not np.allclose(t.sum(axis=1), 1.0):
        raise ValueError("every row of the targets must sum to 1 (one-hot rows).")
    return t.astype(np.float64)


def softmax_cross_entropy(logits, targets):
    """Softmax followed by the mean cross-entropy, fused into one node.

    Parameters
    ----------
    logits : Tensor of shape (N, K)
    targets : array of shape (N, K) with one-hot rows, or integer labels of shape (N,).
        Plain data: no gradient flows to the targets.

    Returns
    -------
    Tensor of shape (): -(1/N) sum_n sum_k t_nk log softmax(x_n)_k.
    """
    logits = _as_tensor(logits)
    if logits.ndim != 2:
        raise ValueError(f"softmax_cross_entropy needs logits of shape (N, K), got {logits.shape}.")
    t = _check_targets(targets, logits.shape)
    shifted = logits.data - logits.data.max(axis=1, keepdims=True)
    log_softmax = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    return _node(-(t * log_softmax).sum() / len(t), "softmax_cross_entropy", (logits,), targets=t)


# Backward rules: the gradient of each input, given out_grad = d loss / d out. Each rule is
# one line of the chain rule; compare them with the formula summary of the lecture.
def add_backward(out_grad, a, b, out): return out_grad, out_grad
def sub_backward(out_grad, a, b, out): return out_grad, -out_grad
def neg_backward(out_grad, a, out): return (-out_grad,)
def mul_backward(out_grad, a, b, out): return out_grad * b, out_grad * a
def div_backward(out_grad, a, b, out): return out_grad / b, -out_grad * a / b ** 2
def pow_backward(out_grad, a, out, p): return (out_grad * p * a ** (p - 1),)
def exp_backward(out_grad, a, out): return (out_grad * out,)
def log_backward(out_grad, a, out): return (out_grad / a,)
def matmul_backward(out_grad, a, b, out): return out_grad @ b.T, a.T @ out_grad
def relu_backward(out_grad, a, out): return (out_grad * (a > 0),)
def sigmoid_backward(out_grad, a, out): return (out_grad * out * (1.0 - out),)


def sum_backward(out_grad, a, out, axis, keepdims):
    """Every summed element gets the gradient of its sum: copy out_grad back over `axis`."""
    if axis is not None and not keepdims:
        out_grad = np.expand_dims(out_grad, axis)  # put the reduced axes back, with length 1
    return (np.broadcast_to(out_grad, a.shape),)


def mean_backward(out_grad, a, out, axis, keepdims):
    """Like sum, divided by the number of elements averaged."""
    (spread,) = sum_backward(out_grad, a, out, axis, keepdims)
    return (spread * (out.size / a.size),)


def softmax_cross_entropy_backward(out_grad, logits, out, targets):
    """(softmax(x) - T) / N, times the upstream gradient."""
    return (out_grad * (_softmax(logits) - targets) / len(logits),)


BACKWARD_RULES = {
    "add": add_backward, "sub": sub_backward, "neg": neg_backward, "mul": mul_backward,
    "div": div_backward, "pow": pow_backward, "exp": exp_backward, "log": log_backward,
    "matmul": matmul_backward, "sum": sum_backward, "mean": mean_backward,
    "relu": relu_backward, "sigmoid": sigmoid_backward,
    "softmax_cross_entropy": softmax_cross_entropy_backward,
}


@contextlib.contextmanager
def override_rule(op, rule):
    """Use `rule` as the backward rule of `op` inside a ``with`` block, then restore the old one."""
    if op not in BACKWARD_RULES:
        raise ValueError(f"unknown op {op!r}; the ops are {sorted(BACKWARD_RULES)}.")
    previous = BACKWARD_RULES[op]
    BACKWARD_RULES[op] = rule
    try:
        yield
    finally:
        BACKWARD_RULES[op] = previous


def trace(output):
    """The nodes and edges of the graph that produced `output`, for drawing it.

    Returns
    -------
    nodes : list of Tensor
        Topological order: inputs first, `output` last. ``node.label`` is the text to show.
    edges : list of (parent, child) pairs of Tensor
        One per input slot, so ``x * x`` gives the edge (x, mul) twice.
    """
    nodes = output.topological_order()
    return nodes, [(parent, node) for node in nodes for parent in node.parents]
