"""Catalogue for assignment 10_dropout: typical wrong answers and correct alternatives.

Each WRONG entry edits the instructor solution of one answer cell (``replace``: pairs of
old -> new text, each old text must occur in the solution) or gives the whole cell (``code``);
``fails`` names the test cell that must lose points. Each CORRECT entry must get full points.
"""

_INIT = '''
    def __init__(self, drop_prob=0.5, rng=None):
        self.drop_prob = drop_prob
        self.rng = np.random.default_rng() if rng is None else rng
        self.mask = None
'''

WRONG = [
    # --- the handout's dropout
    dict(cell="dropout", name="not rescaled at inference", fails="test_dropout_forward",
         replace=[("return x * (1.0 - self.drop_prob)", "return x")]),
    dict(cell="dropout", name="inference scaled by p instead of 1 - p", fails="test_dropout_forward",
         replace=[("return x * (1.0 - self.drop_prob)", "return x * self.drop_prob")]),
    dict(cell="dropout", name="mask keeps with probability p (drop and keep swapped)",
         fails="test_dropout_statistics",
         replace=[("self.mask = self.rng.random(x.shape) >= self.drop_prob",
                   "self.mask = self.rng.random(x.shape) < self.drop_prob")]),
    dict(cell="dropout", name="backward without the mask", fails="test_dropout_backward",
         replace=[("return dout * self.mask", "return dout")]),
    dict(cell="dropout", name="backward draws a new mask", fails="test_dropout_backward",
         replace=[("return dout * self.mask",
                   "return dout * (self.rng.random(dout.shape) >= self.drop_prob)")]),
    dict(cell="dropout", name="mask shared by reference with x (x zeroed in place)", siblings=["x multiplied by the mask in place"],
         fails="test_dropout_forward",
         replace=[("self.mask = self.rng.random(x.shape) >= self.drop_prob\n            return x * self.mask",
                   "self.mask = x\n            self.mask[self.rng.random(x.shape) < self.drop_prob] = 0\n"
                   "            return self.mask")]),
    dict(cell="dropout", name="x multiplied by the mask in place", siblings=["mask shared by reference with x (x zeroed in place)"], fails="test_dropout_forward",
         replace=[("return x * self.mask", "x *= self.mask\n            return x")]),
    dict(cell="dropout", name="backward zeroes dout in place", fails="test_dropout_backward",
         replace=[("return dout * self.mask", "dout[~self.mask] = 0\n        return dout")]),
    dict(cell="dropout", name="mask drawn once and reused", fails="test_dropout_forward",
         replace=[("self.mask = self.rng.random(x.shape) >= self.drop_prob",
                   "if self.mask is None or self.mask.shape != x.shape:\n"
                   "                self.mask = self.rng.random(x.shape) >= self.drop_prob")]),
    dict(cell="dropout", name="global np.random instead of self.rng", fails="test_dropout_forward",
         replace=[("self.mask = self.rng.random(x.shape) >= self.drop_prob",
                   "self.mask = np.random.rand(*x.shape) > self.drop_prob")]),
    dict(cell="dropout", name="one mask row shared by the whole batch", fails="test_dropout_forward",
         replace=[("self.mask = self.rng.random(x.shape) >= self.drop_prob",
                   "self.mask = self.rng.random(x.shape[1:]) >= self.drop_prob")]),
    # --- inverted dropout
    dict(cell="inverted_dropout", name="scales at inference too", fails="test_inverted_forward",
         replace=[("        return x\n", "        return x / (1.0 - self.drop_prob)\n")]),
    dict(cell="inverted_dropout", name="handout's inference scaling kept", fails="test_inverted_forward",
         replace=[("        return x\n", "        return x * (1.0 - self.drop_prob)\n")]),
    dict(cell="inverted_dropout", name="training not rescaled", fails="test_inverted_forward",
         replace=[("return x * self.mask / (1.0 - self.drop_prob)", "return x * self.mask")]),
    dict(cell="inverted_dropout", name="training multiplied by 1 - p instead of divided",
         fails="test_inverted_forward",
         replace=[("return x * self.mask / (1.0 - self.drop_prob)",
                   "return x * self.mask * (1.0 - self.drop_prob)")]),
    dict(cell="inverted_dropout", name="backward without the 1/(1 - p)", fails="test_inverted_backward",
         replace=[("return dout * self.mask / (1.0 - self.drop_prob)", "return dout * self.mask")]),
    dict(cell="inverted_dropout", name="backward without the mask", fails="test_inverted_backward",
         replace=[("return dout * self.mask / (1.0 - self.drop_prob)",
                   "return dout / (1.0 - self.drop_prob)")]),
    dict(cell="inverted_dropout", name="mask keeps with probability p", fails="test_inverted_statistics",
         replace=[("self.mask = self.rng.random(x.shape) >= self.drop_prob",
                   "self.mask = self.rng.random(x.shape) < self.drop_prob")]),
    # --- exact counts, default modes, disturbed global RNG, state across calls, exact zeros
    # (issue #18)
    dict(cell="dropout", name="drops exactly round(p * n) entries (permutation)",
         fails="test_dropout_forward",
         replace=[("        if training:\n            self.mask = self.rng.random(x.shape) >= self.drop_prob",
                   '        if training:\n            n_drop = int(round(self.drop_prob * x.size))\n            dropped = self.rng.permutation(x.size)[:n_drop]\n            self.mask = np.ones(x.size, dtype=bool)\n            self.mask[dropped] = False\n            self.mask = self.mask.reshape(x.shape)')]),
    dict(cell="inverted_dropout", name="drops exactly round(p * n) entries (permutation)",
         fails="test_inverted_forward",
         replace=[("        if training:\n            self.mask = self.rng.random(x.shape) >= self.drop_prob",
                   '        if training:\n            n_drop = int(round(self.drop_prob * x.size))\n            dropped = self.rng.permutation(x.size)[:n_drop]\n            self.mask = np.ones(x.size, dtype=bool)\n            self.mask[dropped] = False\n            self.mask = self.mask.reshape(x.shape)')]),
    dict(cell="inverted_dropout", name="forward(x) defaults to inference", fails="test_inverted_forward",
         replace=[("def forward(self, x, training=True):", "def forward(self, x, training=False):")]),
    dict(cell="dropout", name="global np.random seeded from self.rng (changes np.random's state)",
         fails="test_dropout_forward",
         replace=[("self.mask = self.rng.random(x.shape) >= self.drop_prob",
                   "np.random.seed(int(self.rng.integers(2 ** 31)))\n"
                   "            self.mask = np.random.rand(*x.shape) >= self.drop_prob")]),
    dict(cell="dropout", name="inference pass replaces the mask with ones", fails="test_dropout_backward",
         replace=[("        return x * (1.0 - self.drop_prob)",
                   "        self.mask = np.ones(x.shape, dtype=bool)\n"
                   "        return x * (1.0 - self.drop_prob)")]),
    dict(cell="inverted_dropout", name="inference pass replaces the mask with ones",
         fails="test_inverted_backward",
         replace=[("            return x * self.mask / (1.0 - self.drop_prob)\n        return x",
                   "            return x * self.mask / (1.0 - self.drop_prob)\n"
                   "        self.mask = np.ones(x.shape, dtype=bool)\n        return x")]),
    dict(cell="dropout", name="backward recovers the mask as y / x (NaN where x == 0)",
         fails="test_dropout_backward",
         replace=[("            return x * self.mask\n",
                   "            self.x, self.y = x.copy(), x * self.mask\n            return self.y\n"),
                  ("        return dout * self.mask", "        return dout * (self.y / self.x)")]),
    dict(cell="inverted_dropout", name="backward recovers the scaled mask as y / x (NaN where x == 0)",
         fails="test_inverted_backward",
         replace=[("            return x * self.mask / (1.0 - self.drop_prob)\n",
                   "            self.x = x.copy()\n"
                   "            self.y = x * self.mask / (1.0 - self.drop_prob)\n"
                   "            return self.y\n"),
                  ("        return dout * self.mask / (1.0 - self.drop_prob)",
                   "        return dout * (self.y / self.x)")]),
    dict(cell="inverted_dropout", name="backward rescales the stored mask in place",
         fails="test_inverted_backward",
         replace=[("self.mask = self.rng.random(x.shape) >= self.drop_prob",
                   "self.mask = (self.rng.random(x.shape) >= self.drop_prob).astype(float)"),
                  ("        return dout * self.mask / (1.0 - self.drop_prob)",
                   "        self.mask /= 1.0 - self.drop_prob\n        return dout * self.mask")]),
]

CORRECT = [
    dict(cell="dropout", name="binomial mask of floats, np.where at backward", code='''
class Dropout:
''' + _INIT + '''
    def forward(self, x, training=True):
        keep = 1.0 - self.drop_prob
        if not training:
            return keep * x
        self.mask = self.rng.binomial(1, keep, size=x.shape).astype(float)
        return np.where(self.mask == 1.0, x, 0.0)

    def backward(self, dout):
        return np.where(self.mask == 1.0, dout, 0.0)
'''),
    dict(cell="dropout", name="uniform < keep, copy and zero", code='''
class Dropout:
''' + _INIT + '''
    def forward(self, x, training=True):
        if training:
            self.mask = self.rng.uniform(0.0, 1.0, size=x.shape) < 1 - self.drop_prob
            out = x.copy()
            out[~self.mask] = 0.0
            return out
        return x - self.drop_prob * x

    def backward(self, dout):
        dx = np.array(dout, dtype=float)
        dx[~self.mask] = 0.0
        return dx
'''),
    dict(cell="dropout", name="dropped-entry mask (inverse boolean)", code='''
class Dropout:
''' + _INIT + '''
    def forward(self, x, training=True):
        if not training:
            return x * (1 - self.drop_prob)
        self.dropped = self.rng.random(size=x.shape) < self.drop_prob
        self.mask = ~self.dropped
        return np.multiply(x, self.mask)

    def backward(self, dout):
        return np.multiply(dout, ~self.dropped)
'''),
    dict(cell="inverted_dropout", name="scaled mask stored", code='''
class InvertedDropout:
''' + _INIT + '''
    def forward(self, x, training=True):
        if not training:
            return x.copy()
        keep = 1.0 - self.drop_prob
        self.mask = (self.rng.random(x.shape) < keep) / keep
        return x * self.mask

    def backward(self, dout):
        return dout * self.mask
'''),
    dict(cell="inverted_dropout", name="binomial with np.where", code='''
class InvertedDropout:
''' + _INIT + '''
    def forward(self, x, training=True):
        if training:
            keep = 1 - self.drop_prob
            self.mask = self.rng.binomial(n=1, p=keep, size=np.shape(x))
            return np.where(self.mask > 0, x / keep, 0.0)
        return x

    def backward(self, dout):
        return np.where(self.mask > 0, dout / (1 - self.drop_prob), 0.0)
'''),
    dict(cell="dropout", name="mask from rng.binomial, training as a keyword", code='''
class Dropout:
    def __init__(self, drop_prob=0.5, rng=None):
        self.drop_prob = drop_prob
        self.rng = np.random.default_rng() if rng is None else rng
        self.mask = None

    def forward(self, x, training=True):
        if not training:
            return (1.0 - self.drop_prob) * x
        self.mask = self.rng.binomial(1, 1.0 - self.drop_prob, size=np.shape(x)).astype(bool)
        return np.where(self.mask, x, 0.0)

    def backward(self, dout):
        return np.where(self.mask, dout, 0.0)
'''),
]
