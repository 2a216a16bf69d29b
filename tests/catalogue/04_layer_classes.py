"""Catalogue for assignment 04_layer_classes: typical wrong answers and correct alternatives.

Each WRONG entry edits the instructor solution of one answer cell (``replace``: pairs of
old -> new text, each old text must occur in the solution) or gives the whole cell (``code``);
``fails`` names the test cell that must lose points. Each CORRECT entry must get full points.
"""

WRONG = [
    # --- affine
    dict(cell="affine", name="dW = x @ dout (missing transpose)", fails="test_affine_backward",
         replace=[("self.dW = self.x.T @ dout", "self.dW = self.x @ dout")]),
    dict(cell="affine", name="bias gradient not summed over the batch", fails="test_affine_backward",
         replace=[("self.db = np.sum(dout, axis=0)", "self.db = dout")]),
    dict(cell="affine", name="dx = dout @ W (W instead of W.T)", fails="test_affine_backward",
         replace=[("return dout @ self.W.T", "return dout @ self.W")]),
    dict(cell="affine", name="bias gradient summed over the wrong axis", fails="test_affine_backward",
         replace=[("self.db = np.sum(dout, axis=0)", "self.db = np.sum(dout, axis=1)")]),
    dict(cell="affine", name="dW divided by N again", fails="test_affine_backward",
         replace=[("self.dW = self.x.T @ dout", "self.dW = self.x.T @ dout / dout.shape[0]")]),
    dict(cell="affine", name="forward forgets the bias", fails="test_affine_forward",
         replace=[("return x @ self.W + self.b", "return x @ self.W")]),
    # --- relu
    dict(cell="relu", name="backward ignores the mask", fails="test_relu",
         replace=[("return dout * self.mask", "return dout")]),
    dict(cell="relu", name="forward zeroes x in place", fails="test_relu",
         replace=[("self.mask = x > 0\n        return x * self.mask",
                   "self.mask = x > 0\n        out = x\n        out[~self.mask] = 0\n        return out")]),
    dict(cell="relu", name="backward zeroes dout in place", fails="test_relu",
         replace=[("return dout * self.mask", "dout[~self.mask] = 0\n        return dout")]),
    dict(cell="relu", name="mask of the negative inputs", fails="test_relu",
         replace=[("self.mask = x > 0", "self.mask = x < 0")]),
    # --- sigmoid
    dict(cell="sigmoid", name="backward from the input x instead of the output y", fails="test_sigmoid",
         replace=[("self.y = 1.0 / (1.0 + np.exp(-x))", "self.x = x\n        self.y = 1.0 / (1.0 + np.exp(-x))"),
                  ("return dout * self.y * (1.0 - self.y)", "return dout * self.x * (1.0 - self.x)")]),
    dict(cell="sigmoid", name="backward missing the (1 - y) factor", fails="test_sigmoid",
         replace=[("return dout * self.y * (1.0 - self.y)", "return dout * self.y")]),
    dict(cell="sigmoid", name="sign error in the exponent", fails="test_sigmoid",
         replace=[("np.exp(-x)", "np.exp(x)")]),
    dict(cell="sigmoid", name="backward ignores dout", fails="test_sigmoid",
         replace=[("return dout * self.y * (1.0 - self.y)", "return self.y * (1.0 - self.y)")]),
    # --- sigmoid with loss
    dict(cell="sigmoid_with_loss", name="backward missing /N", fails="test_sigmoid_with_loss",
         replace=[("return dout * (self.y - self.t) / n", "return dout * (self.y - self.t)")]),
    dict(cell="sigmoid_with_loss", name="loss summed, not averaged", fails="test_sigmoid_with_loss",
         replace=[("np.log(1 - self.y + 1e-12)) / n", "np.log(1 - self.y + 1e-12))")]),
    dict(cell="sigmoid_with_loss", name="backward with the wrong sign", fails="test_sigmoid_with_loss",
         replace=[("return dout * (self.y - self.t) / n", "return dout * (self.t - self.y) / n")]),
    dict(cell="sigmoid_with_loss", name="backward ignores dout", fails="test_sigmoid_with_loss",
         replace=[("return dout * (self.y - self.t) / n", "return (self.y - self.t) / n")]),
    # --- softmax
    dict(cell="softmax", name="no max subtraction (overflows)", siblings=["global instead of row maximum"], fails="test_softmax",
         replace=[("shifted = x - np.max(x, axis=1, keepdims=True)", "shifted = x")]),
    dict(cell="softmax", name="normalized over columns (axis=0)", fails="test_softmax",
         replace=[("np.sum(e, axis=1, keepdims=True)", "np.sum(e, axis=0, keepdims=True)"),
                  ("np.max(x, axis=1, keepdims=True)", "np.max(x, axis=0, keepdims=True)")]),
    dict(cell="softmax", name="sum without keepdims", fails="test_softmax",
         replace=[("np.sum(e, axis=1, keepdims=True)", "np.sum(e, axis=1)")]),
    dict(cell="softmax", name="global instead of row maximum", siblings=["no max subtraction (overflows)"], fails="test_softmax",
         replace=[("np.max(x, axis=1, keepdims=True)", "np.max(x)")]),
    # --- softmax with loss
    dict(cell="softmax_with_loss", name="backward missing /N", fails="test_softmax_with_loss",
         replace=[("return dout * (self.y - self.t) / n", "return dout * (self.y - self.t)")]),
    dict(cell="softmax_with_loss", name="loss summed, not averaged", fails="test_softmax_with_loss",
         replace=[("np.log(self.y + 1e-12)) / n", "np.log(self.y + 1e-12))")]),
    dict(cell="softmax_with_loss", name="backward (T - Y)/N", fails="test_softmax_with_loss",
         replace=[("return dout * (self.y - self.t) / n", "return dout * (self.t - self.y) / n")]),
    dict(cell="softmax_with_loss", name="backward ignores dout", fails="test_softmax_with_loss",
         replace=[("return dout * (self.y - self.t) / n", "return (self.y - self.t) / n")]),
    # --- state across calls, exact zeros, extreme scores (issue #18)
    dict(cell="affine", name="dW and db accumulated across backward calls (+=)",
         fails="test_affine_backward",
         replace=[("self.dW = self.x.T @ dout\n        self.db = np.sum(dout, axis=0)",
                   "if self.dW is None:\n            self.dW, self.db = 0, 0\n"
                   "        self.dW = self.dW + self.x.T @ dout\n"
                   "        self.db = self.db + np.sum(dout, axis=0)")]),
    dict(cell="affine", name="x kept from the first forward only", fails="test_affine_backward",
         replace=[("        self.x = x\n        return x @ self.W + self.b",
                   "        if self.x is None:\n            self.x = x\n"
                   "        return x @ self.W + self.b")]),
    dict(cell="relu", name="backward multiplies the stored mask in place", fails="test_relu",
         replace=[("self.mask = x > 0\n        return x * self.mask",
                   "self.mask = (x > 0).astype(float)\n        return x * self.mask"),
                  ("return dout * self.mask", "self.mask *= dout\n        return self.mask")]),
    dict(cell="relu", name="backward as y / x (NaN at x == 0)", fails="test_relu", code='''
class Relu:
    def __init__(self):
        self.mask = None

    def forward(self, x):
        self.x = x
        self.out = np.maximum(0, x)
        self.mask = x > 0
        return self.out

    def backward(self, dout):
        with np.errstate(invalid="ignore", divide="ignore"):
            return dout * self.out / self.x
'''),
    dict(cell="relu", name="mask kept from the first forward only", fails="test_relu",
         replace=[("        self.mask = x > 0\n",
                   "        if self.mask is None:\n            self.mask = x > 0\n")]),
    dict(cell="sigmoid", name="backward overwrites self.y with y (1 - y)", fails="test_sigmoid",
         replace=[("return dout * self.y * (1.0 - self.y)",
                   "self.y *= 1.0 - self.y\n        return dout * self.y")]),
    dict(cell="sigmoid_with_loss", name="unguarded log (NaN for large scores)",
         fails="test_sigmoid_with_loss",
         replace=[("np.log(self.y + 1e-12)", "np.log(self.y)"),
                  ("np.log(1 - self.y + 1e-12)", "np.log(1 - self.y)")]),
    dict(cell="sigmoid_with_loss", name="backward subtracts t from self.y in place",
         fails="test_sigmoid_with_loss",
         replace=[("return dout * (self.y - self.t) / n",
                   "self.y -= self.t\n        return dout * self.y / n")]),
    dict(cell="softmax_with_loss", name="unguarded log (NaN for large scores)", siblings=["per-example mean of row sums, unguarded"],
         fails="test_softmax_with_loss",
         replace=[("np.log(self.y + 1e-12)", "np.log(self.y)")]),
    dict(cell="softmax_with_loss", name="unguarded log of the true class only (inf when it is 0)",
         fails="test_softmax_with_loss",
         replace=[("self.loss = -np.sum(t * np.log(self.y + 1e-12)) / n",
                   "self.loss = -np.mean(np.log(np.sum(t * self.y, axis=1)))")]),
    dict(cell="softmax_with_loss", name="backward subtracts T from self.y in place",
         fails="test_softmax_with_loss",
         replace=[("return dout * (self.y - self.t) / n",
                   "self.y -= self.t\n        return dout * self.y / n")]),
    dict(cell="softmax_with_loss", name="per-example mean of row sums, unguarded", siblings=["unguarded log (NaN for large scores)"],
         fails="test_softmax_with_loss", code='''
class SoftmaxWithLoss:
    def __init__(self):
        self.y = self.t = self.loss = None

    def forward(self, x, t):
        self.y = softmax(x)
        self.t = t
        self.loss = -np.mean(np.sum(t * np.log(self.y), axis=1))
        return self.loss

    def backward(self, dout=1):
        return dout * (self.y - self.t) / self.t.shape[0]
'''),
]

CORRECT = [
    dict(cell="affine", name="looped gradients, stored copy of x", code='''
class Affine:
    def __init__(self, W, b):
        self.W, self.b = W, b
        self.x = self.dW = self.db = None

    def forward(self, x):
        self.x = x.copy()
        return np.dot(x, self.W) + self.b

    def backward(self, dout):
        self.dW = np.zeros_like(self.W)
        self.db = np.zeros_like(self.b)
        for n in range(dout.shape[0]):
            self.dW += np.outer(self.x[n], dout[n])
            self.db += dout[n]
        return np.dot(dout, self.W.T)
'''),
    dict(cell="affine", name="einsum", code='''
class Affine:
    def __init__(self, W, b):
        self.W = W
        self.b = b

    def forward(self, x):
        self.x = x
        return np.einsum("nk,kl->nl", x, self.W) + self.b

    def backward(self, dout):
        self.dW = np.einsum("nk,nl->kl", self.x, dout)
        self.db = dout.sum(axis=0)
        return np.einsum("nl,kl->nk", dout, self.W)
'''),
    dict(cell="relu", name="np.maximum and np.where", code='''
class Relu:
    def __init__(self):
        self.mask = None

    def forward(self, x):
        self.mask = x > 0
        return np.maximum(x, 0)

    def backward(self, dout):
        return np.where(self.mask, dout, 0.0)
'''),
    dict(cell="relu", name="mask of non-positive inputs with copies", code='''
class Relu:
    def __init__(self):
        self.mask = None

    def forward(self, x):
        self.mask = (x <= 0)
        out = x.copy()
        out[self.mask] = 0
        return out

    def backward(self, dout):
        dx = dout.copy()
        dx[self.mask] = 0
        return dx
'''),
    dict(cell="sigmoid", name="overflow-free with np.where", code='''
class Sigmoid:
    def __init__(self):
        self.y = None

    def forward(self, x):
        e = np.exp(-np.abs(x))
        self.y = np.where(x >= 0, 1 / (1 + e), e / (1 + e))
        return self.y

    def backward(self, dout):
        return dout * (1 - self.y) * self.y
'''),
    dict(cell="sigmoid", name="tanh identity", code='''
class Sigmoid:
    def __init__(self):
        self.y = None

    def forward(self, x):
        self.y = 0.5 * (1 + np.tanh(0.5 * x))
        return self.y

    def backward(self, dout):
        return dout * (self.y - self.y ** 2)
'''),
    dict(cell="sigmoid_with_loss", name="stable log-sum-exp loss, np.mean", code='''
class SigmoidWithLoss:
    def __init__(self):
        self.y = self.t = self.loss = None

    def forward(self, x, t):
        self.t = t
        self.y = 1 / (1 + np.exp(-x))
        # -[t log y + (1 - t) log(1 - y)] = log(1 + e^x) - t x
        self.loss = np.mean(np.logaddexp(0, x) - t * x)
        return self.loss

    def backward(self, dout=1):
        return dout * (self.y - self.t) / len(self.y)
'''),
    dict(cell="sigmoid_with_loss", name="clipped probabilities", code='''
class SigmoidWithLoss:
    def __init__(self):
        self.y = None
        self.t = None

    def forward(self, x, t):
        self.y = 1.0 / (1.0 + np.exp(-x))
        self.t = t
        p = np.clip(self.y, 1e-15, 1 - 1e-15)
        return float(-np.mean(t * np.log(p) + (1 - t) * np.log(1 - p)))

    def backward(self, dout=1):
        batch_size = self.t.shape[0]
        return (self.y - self.t) * (dout / batch_size)
'''),
    dict(cell="softmax", name="log-sum-exp", code='''
def softmax(x):
    m = x.max(axis=1, keepdims=True)
    log_z = m + np.log(np.exp(x - m).sum(axis=1, keepdims=True))
    return np.exp(x - log_z)
'''),
    dict(cell="softmax", name="row by row loop", code='''
def softmax(x):
    out = np.empty_like(x, dtype=float)
    for i, row in enumerate(x):
        e = np.exp(row - row.max())
        out[i] = e / e.sum()
    return out
'''),
    dict(cell="softmax_with_loss", name="per-example mean of row sums, guard 1e-7", code='''
class SoftmaxWithLoss:
    def __init__(self):
        self.y = self.t = self.loss = None

    def forward(self, x, t):
        self.y = softmax(x)
        self.t = t
        self.loss = -np.mean(np.sum(t * np.log(self.y + 1e-7), axis=1))
        return self.loss

    def backward(self, dout=1):
        return dout * (self.y - self.t) / self.t.shape[0]
'''),
    dict(cell="softmax_with_loss", name="log-sum-exp loss", code='''
class SoftmaxWithLoss:
    def __init__(self):
        self.y = None
        self.t = None

    def forward(self, x, t):
        m = x.max(axis=1, keepdims=True)
        log_z = m[:, 0] + np.log(np.exp(x - m).sum(axis=1))
        self.y = softmax(x)
        self.t = t
        return float(np.mean(log_z - np.sum(t * x, axis=1)))

    def backward(self, dout=1):
        n = len(self.t)
        return (self.y - self.t) / n * dout
'''),
    dict(cell="relu", name="np.where backward, gradient 1 at x == 0", code='''
class Relu:
    def __init__(self):
        self.mask = None

    def forward(self, x):
        self.mask = x >= 0
        return np.where(x > 0, x, 0.0)

    def backward(self, dout):
        return np.where(self.mask, dout, 0.0)
'''),
    dict(cell="relu", name="heaviside mask (1/2 at x == 0)", code='''
class Relu:
    def __init__(self):
        self.mask = None

    def forward(self, x):
        self.mask = np.heaviside(x, 0.5)
        return np.maximum(x, 0)

    def backward(self, dout):
        return dout * self.mask
'''),
    dict(cell="sigmoid_with_loss", name="np.where picks the log of the true class, guard 1e-6", code='''
class SigmoidWithLoss:
    def __init__(self):
        self.y = self.t = self.loss = None

    def forward(self, x, t):
        self.t = t
        self.y = 1.0 / (1.0 + np.exp(-x))
        p = np.where(t == 1, self.y, 1 - self.y)
        self.loss = -np.mean(np.log(p + 1e-6))
        return self.loss

    def backward(self, dout=1):
        return dout * (self.y - self.t) / self.y.shape[0]
'''),
    dict(cell="softmax_with_loss", name="clipped probabilities (eps 1e-6), backward on a copy", code='''
class SoftmaxWithLoss:
    def __init__(self):
        self.y = self.t = self.loss = None

    def forward(self, x, t):
        self.y = softmax(x)
        self.t = t
        p = np.clip(self.y, 1e-6, 1.0)
        self.loss = float(-(t * np.log(p)).sum() / len(x))
        return self.loss

    def backward(self, dout=1):
        dx = self.y.copy()
        dx -= self.t
        return dx * dout / len(dx)
'''),
]
