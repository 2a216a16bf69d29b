"""Catalogue for assignment 06_optimizers: typical wrong answers and correct alternatives.

Each WRONG entry edits the instructor solution of one answer cell (``replace``: pairs of
old -> new text, each old text must occur in the solution) or gives the whole cell (``code``);
``fails`` names the test cell that must lose points. Each CORRECT entry must get full points.
"""

WRONG = [
    # --- SGD
    dict(cell="sgd", name="steps uphill (+= instead of -=)", fails="test_sgd",
         replace=[("params[key] -= self.lr * grads[key]", "params[key] += self.lr * grads[key]")]),
    dict(cell="sgd", name="puts a new array into params instead of updating in place",
         fails="test_sgd",
         replace=[("params[key] -= self.lr * grads[key]",
                   "params[key] = params[key] - self.lr * grads[key]")]),
    dict(cell="sgd", name="forgets the learning rate", fails="test_sgd",
         replace=[("params[key] -= self.lr * grads[key]", "params[key] -= grads[key]")]),
    dict(cell="sgd", name="returns after the first key", fails="test_sgd",
         replace=[("params[key] -= self.lr * grads[key]",
                   "params[key] -= self.lr * grads[key]\n            return")]),
    dict(cell="sgd", name="scales grads in place", fails="test_sgd",
         replace=[("params[key] -= self.lr * grads[key]",
                   "grads[key] *= self.lr\n            params[key] -= grads[key]")]),
    # --- Momentum
    dict(cell="momentum", name="velocity sign flipped (v = a v + lr g, theta += v)",
         fails="test_momentum",
         replace=[("self.momentum * self.v[key] - self.lr * grads[key]",
                   "self.momentum * self.v[key] + self.lr * grads[key]")]),
    dict(cell="momentum", name="theta -= v with the handout's v", fails="test_momentum",
         replace=[("params[key] += self.v[key]", "params[key] -= self.v[key]")]),
    dict(cell="momentum", name="one velocity shared by all keys", fails="test_momentum", code='''
class Momentum:
    def __init__(self, lr=0.01, momentum=0.9):
        self.lr = lr
        self.momentum = momentum
        self.v = None

    def update(self, params, grads):
        for key in params:
            if self.v is None:
                self.v = np.zeros_like(params[key])
            self.v = self.momentum * self.v - self.lr * grads[key]
            params[key] += self.v
'''),
    dict(cell="momentum", name="velocity never stored (always starts from 0)", fails="test_momentum",
         replace=[("self.v[key] = self.momentum * self.v[key] - self.lr * grads[key]\n"
                   "            params[key] += self.v[key]",
                   "v = self.momentum * self.v[key] - self.lr * grads[key]\n"
                   "            params[key] += v")]),
    dict(cell="momentum", name="theta moved with the old velocity", fails="test_momentum",
         replace=[("self.v[key] = self.momentum * self.v[key] - self.lr * grads[key]\n"
                   "            params[key] += self.v[key]",
                   "params[key] += self.v[key]\n"
                   "            self.v[key] = self.momentum * self.v[key] - self.lr * grads[key]")]),
    dict(cell="momentum", name="new array put into params", fails="test_momentum",
         replace=[("params[key] += self.v[key]", "params[key] = params[key] + self.v[key]")]),
    # --- AdaGrad
    dict(cell="adagrad", name="h not accumulated (h = g * g)", fails="test_adagrad",
         replace=[("self.h[key] += grads[key] * grads[key]",
                   "self.h[key] = grads[key] * grads[key]")]),
    dict(cell="adagrad", name="h sums gradients, not their squares", fails="test_adagrad",
         replace=[("self.h[key] += grads[key] * grads[key]", "self.h[key] += grads[key]")]),
    dict(cell="adagrad", name="no square root", fails="test_adagrad",
         replace=[("np.sqrt(self.h[key])", "self.h[key]")]),
    dict(cell="adagrad", name="one accumulator shared by all keys", fails="test_adagrad", code='''
class AdaGrad:
    def __init__(self, lr=0.01, eps=1e-7):
        self.lr = lr
        self.eps = eps
        self.h = None

    def update(self, params, grads):
        for key in params:
            if self.h is None:
                self.h = np.zeros_like(params[key])
            self.h += grads[key] ** 2
            params[key] -= self.lr * grads[key] / (np.sqrt(self.h) + self.eps)
'''),
    dict(cell="adagrad", name="new array put into params", fails="test_adagrad",
         replace=[("params[key] -= self.lr * grads[key] / (np.sqrt(self.h[key]) + self.eps)",
                   "params[key] = params[key] - self.lr * grads[key] / "
                   "(np.sqrt(self.h[key]) + self.eps)")]),
    # --- RMSProp
    dict(cell="rmsprop", name="average of g, not of g * g", fails="test_rmsprop",
         replace=[("(1 - self.decay_rate) * g * g", "(1 - self.decay_rate) * g")]),
    dict(cell="rmsprop", name="decay weights swapped", fails="test_rmsprop",
         replace=[("self.decay_rate * self.h[key] + (1 - self.decay_rate) * g * g",
                   "(1 - self.decay_rate) * self.h[key] + self.decay_rate * g * g")]),
    dict(cell="rmsprop", name="no decay (AdaGrad-like sum)", fails="test_rmsprop",
         replace=[("self.decay_rate * self.h[key] + (1 - self.decay_rate) * g * g",
                   "self.h[key] + (1 - self.decay_rate) * g * g")]),
    dict(cell="rmsprop", name="h = g * g (no average)", fails="test_rmsprop",
         replace=[("self.decay_rate * self.h[key] + (1 - self.decay_rate) * g * g", "g * g")]),
    dict(cell="rmsprop", name="one average shared by all keys", fails="test_rmsprop", code='''
class RMSProp:
    def __init__(self, lr=0.01, decay_rate=0.99, eps=1e-7):
        self.lr = lr
        self.decay_rate = decay_rate
        self.eps = eps
        self.h = 0.0

    def update(self, params, grads):
        for key in params:
            g = grads[key]
            self.h = self.decay_rate * self.h + (1 - self.decay_rate) * g * g
            params[key] -= self.lr * g / (np.sqrt(self.h) + self.eps)
'''),
    # --- Adam
    dict(cell="adam", name="no bias correction", fails="test_adam",
         replace=[("lr_t = self.lr * np.sqrt(1 - self.beta2 ** self.t) / (1 - self.beta1 ** self.t)",
                   "lr_t = self.lr")]),
    dict(cell="adam", name="t incremented once per key", fails="test_adam",
         replace=[("        self.t += 1\n"
                   "        lr_t = self.lr * np.sqrt(1 - self.beta2 ** self.t) / (1 - self.beta1 ** self.t)\n"
                   "        for key in params:\n",
                   "        for key in params:\n"
                   "            self.t += 1\n"
                   "            lr_t = self.lr * np.sqrt(1 - self.beta2 ** self.t) / (1 - self.beta1 ** self.t)\n")]),
    dict(cell="adam", name="only the gradient average corrected", fails="test_adam",
         replace=[("lr_t = self.lr * np.sqrt(1 - self.beta2 ** self.t) / (1 - self.beta1 ** self.t)",
                   "lr_t = self.lr / (1 - self.beta1 ** self.t)")]),
    dict(cell="adam", name="corrected rate stored back into self.lr (compounds)", fails="test_adam",
         replace=[("lr_t = self.lr * np.sqrt(1 - self.beta2 ** self.t) / (1 - self.beta1 ** self.t)",
                   "self.lr = self.lr * np.sqrt(1 - self.beta2 ** self.t) / (1 - self.beta1 ** self.t)\n"
                   "        lr_t = self.lr")]),
    dict(cell="adam", name="correction without the square root", fails="test_adam",
         replace=[("np.sqrt(1 - self.beta2 ** self.t)", "(1 - self.beta2 ** self.t)")]),
    dict(cell="adam", name="t counted after the step (t = 0 on the first call)", fails="test_adam",
         replace=[("        self.t += 1\n", ""),
                  ("params[key] -= lr_t * self.s[key] / (np.sqrt(self.r[key]) + self.eps)",
                   "params[key] -= lr_t * self.s[key] / (np.sqrt(self.r[key]) + self.eps)\n"
                   "        self.t += 1")]),
    dict(cell="adam", name="r averages g, not g * g", fails="test_adam",
         replace=[("(1 - self.beta2) * g * g", "(1 - self.beta2) * g")]),
    dict(cell="adam", name="raw gradient instead of its average in the step", fails="test_adam",
         replace=[("params[key] -= lr_t * self.s[key] /", "params[key] -= lr_t * g /")]),
    dict(cell="adam", name="averages shared by all keys", fails="test_adam", code='''
class Adam:
    def __init__(self, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
        self.lr, self.beta1, self.beta2, self.eps = lr, beta1, beta2, eps
        self.t = 0
        self.s = 0.0
        self.r = 0.0

    def update(self, params, grads):
        self.t += 1
        lr_t = self.lr * np.sqrt(1 - self.beta2 ** self.t) / (1 - self.beta1 ** self.t)
        for key in params:
            g = grads[key]
            self.s = self.beta1 * self.s + (1 - self.beta1) * g
            self.r = self.beta2 * self.r + (1 - self.beta2) * g * g
            params[key] -= lr_t * self.s / (np.sqrt(self.r) + self.eps)
'''),
    dict(cell="adam", name="new array put into params", fails="test_adam",
         replace=[("params[key] -= lr_t * self.s[key] / (np.sqrt(self.r[key]) + self.eps)",
                   "params[key] = params[key] - lr_t * self.s[key] / "
                   "(np.sqrt(self.r[key]) + self.eps)")]),
    # --- exact zeros and state across instances (issue #18)
    dict(cell="adagrad", name="no eps in the denominator (0/0 on a zero gradient)",
         fails="test_adagrad",
         replace=[("(np.sqrt(self.h[key]) + self.eps)", "np.sqrt(self.h[key])")]),
    dict(cell="rmsprop", name="no eps in the denominator (0/0 on a zero gradient)",
         fails="test_rmsprop",
         replace=[("(np.sqrt(self.h[key]) + self.eps)", "np.sqrt(self.h[key])")]),
    dict(cell="adam", name="no eps in the denominator (0/0 on a zero gradient)",
         fails="test_adam",
         replace=[("(np.sqrt(self.r[key]) + self.eps)", "np.sqrt(self.r[key])")]),
    dict(cell="momentum", name="velocities in a module-level dict shared by instances",
         fails="test_momentum",
         replace=[("        for key in params:\n            if key not in self.v:",
                   "        self.v = _VELOCITIES\n        for key in params:\n"
                   "            if key not in self.v:"),
                  ("class Momentum:", "_VELOCITIES = {}\n\n\nclass Momentum:")]),
    dict(cell="adagrad", name="accumulators in a class-level dict shared by instances",
         fails="test_adagrad",
         replace=[("        for key in params:\n            if key not in self.h:",
                   "        self.h = AdaGrad.shared_h\n        for key in params:\n"
                   "            if key not in self.h:"),
                  ('    """AdaGrad: h <- h + g * g; theta <- theta - lr * g / (sqrt(h) + eps)."""\n',
                   '    """AdaGrad: h <- h + g * g; theta <- theta - lr * g / (sqrt(h) + eps)."""\n'
                   '    shared_h = {}\n')]),
    dict(cell="rmsprop", name="averages in a module-level dict shared by instances",
         fails="test_rmsprop",
         replace=[("        for key in params:\n            if key not in self.h:",
                   "        self.h = _AVERAGES\n        for key in params:\n"
                   "            if key not in self.h:"),
                  ("class RMSProp:", "_AVERAGES = {}\n\n\nclass RMSProp:")]),
    dict(cell="adam", name="averages in module-level dicts shared by instances",
         fails="test_adam",
         replace=[("        self.t += 1\n",
                   "        self.t += 1\n        self.s, self.r = _S, _R\n"),
                  ("class Adam:", "_S, _R = {}, {}\n\n\nclass Adam:")]),
]

CORRECT = [
    dict(cell="sgd", name="items() loop on the arrays themselves", code='''
class SGD:
    def __init__(self, lr=0.01):
        self.lr = lr

    def update(self, params, grads):
        for key, value in params.items():
            value -= self.lr * grads[key]
'''),
    dict(cell="sgd", name="np.subtract with out=", code='''
class SGD:
    def __init__(self, lr=0.01):
        self.lr = lr

    def update(self, params, grads):
        for key in grads:
            np.subtract(params[key], self.lr * grads[key], out=params[key])
'''),
    dict(cell="sgd", name="slice assignment", code='''
class SGD:
    def __init__(self, lr=0.01):
        self.lr = lr

    def update(self, params, grads):
        for key in params:
            params[key][...] = params[key] - self.lr * np.asarray(grads[key])
'''),
    dict(cell="momentum", name="opposite sign convention (v += lr g; theta -= v)", code='''
class Momentum:
    def __init__(self, lr=0.01, momentum=0.9):
        self.lr = lr
        self.momentum = momentum
        self.v = {}

    def update(self, params, grads):
        for key, theta in params.items():
            v = self.v.setdefault(key, np.zeros_like(theta))
            v *= self.momentum
            v += self.lr * grads[key]
            theta -= v
'''),
    dict(cell="momentum", name="all velocities created on the first call", code='''
class Momentum:
    def __init__(self, lr=0.01, momentum=0.9):
        self.lr = lr
        self.momentum = momentum
        self.v = None

    def update(self, params, grads):
        if self.v is None:
            self.v = {key: np.zeros_like(value) for key, value in params.items()}
        for key in params:
            step = self.momentum * self.v[key] - self.lr * grads[key]
            params[key] += step
            self.v[key] = step
'''),
    dict(cell="momentum", name="one-line form theta += a v - lr g", code='''
class Momentum:
    def __init__(self, lr=0.01, momentum=0.9):
        self.lr = lr
        self.momentum = momentum
        self.v = {}

    def update(self, params, grads):
        for key in params:
            old = self.v.get(key, 0.0)
            params[key] += self.momentum * old - self.lr * grads[key]
            self.v[key] = self.momentum * old - self.lr * grads[key]
'''),
    dict(cell="adagrad", name="eps inside the square root, setdefault", code='''
class AdaGrad:
    def __init__(self, lr=0.01, eps=1e-7):
        self.lr = lr
        self.eps = eps
        self.h = {}

    def update(self, params, grads):
        for key, theta in params.items():
            g = grads[key]
            h = self.h.setdefault(key, np.zeros_like(theta))
            h += g ** 2
            theta -= self.lr * g / np.sqrt(h + self.eps)
'''),
    dict(cell="adagrad", name="new accumulator arrays each step, np.square", code='''
class AdaGrad:
    def __init__(self, lr=0.01, eps=1e-7):
        self.lr = lr
        self.eps = eps
        self.h = {}

    def update(self, params, grads):
        for key in params:
            self.h[key] = self.h.get(key, 0.0) + np.square(grads[key])
            step = self.lr * grads[key] / (np.sqrt(self.h[key]) + self.eps)
            params[key] -= step
'''),
    dict(cell="rmsprop", name="h += (1 - rho)(g^2 - h)", code='''
class RMSProp:
    def __init__(self, lr=0.01, decay_rate=0.99, eps=1e-7):
        self.lr = lr
        self.decay_rate = decay_rate
        self.eps = eps
        self.h = {}

    def update(self, params, grads):
        for key, theta in params.items():
            g = grads[key]
            h = self.h.setdefault(key, np.zeros_like(theta))
            h += (1.0 - self.decay_rate) * (g * g - h)
            theta -= self.lr * g / (np.sqrt(h) + self.eps)
'''),
    dict(cell="rmsprop", name="dict comprehension on first call, eps in sqrt", code='''
class RMSProp:
    def __init__(self, lr=0.01, decay_rate=0.99, eps=1e-7):
        self.lr = lr
        self.decay_rate = decay_rate
        self.eps = eps
        self.h = None

    def update(self, params, grads):
        if self.h is None:
            self.h = {k: np.zeros_like(p) for k, p in params.items()}
        rho = self.decay_rate
        for k in params:
            self.h[k] *= rho
            self.h[k] += (1 - rho) * grads[k] ** 2
            params[k] -= self.lr * grads[k] / np.sqrt(self.h[k] + self.eps)
'''),
    dict(cell="adam", name="original form with bias-corrected averages", code='''
class Adam:
    def __init__(self, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
        self.lr = lr
        self.beta1 = beta1
        self.beta2 = beta2
        self.eps = eps
        self.t = 0
        self.s = {}
        self.r = {}

    def update(self, params, grads):
        self.t += 1
        for key, theta in params.items():
            g = grads[key]
            s = self.s.get(key, np.zeros_like(theta))
            r = self.r.get(key, np.zeros_like(theta))
            s = self.beta1 * s + (1 - self.beta1) * g
            r = self.beta2 * r + (1 - self.beta2) * g ** 2
            self.s[key], self.r[key] = s, r
            s_hat = s / (1 - self.beta1 ** self.t)
            r_hat = r / (1 - self.beta2 ** self.t)
            theta -= self.lr * s_hat / (np.sqrt(r_hat) + self.eps)
'''),
    dict(cell="adam", name="in-place averages, counter after the loop, eps in sqrt", code='''
class Adam:
    def __init__(self, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
        self.lr = lr
        self.beta1 = beta1
        self.beta2 = beta2
        self.eps = eps
        self.t = 0
        self.s = {}
        self.r = {}

    def update(self, params, grads):
        t = self.t + 1
        scale = self.lr * (1 - self.beta2 ** t) ** 0.5 / (1 - self.beta1 ** t)
        for key in params:
            if key not in self.s:
                self.s[key] = np.zeros_like(params[key])
                self.r[key] = np.zeros_like(params[key])
            g = grads[key]
            self.s[key] += (1 - self.beta1) * (g - self.s[key])
            self.r[key] += (1 - self.beta2) * (g * g - self.r[key])
            params[key] -= scale * self.s[key] / np.sqrt(self.r[key] + self.eps)
        self.t = t
'''),
    dict(cell="adagrad", name="zero where h is 0 (np.divide with where=), no eps", code='''
class AdaGrad:
    def __init__(self, lr=0.01, eps=1e-7):
        self.lr = lr
        self.eps = eps
        self.h = {}

    def update(self, params, grads):
        for key in params:
            g = grads[key]
            h = self.h.setdefault(key, np.zeros_like(params[key]))
            h += g * g
            root = np.sqrt(h)
            params[key] -= self.lr * np.divide(g, root, out=np.zeros_like(g), where=root > 0)
'''),
    dict(cell="adam", name="denominator max(sqrt(r_hat), eps), original form", code='''
class Adam:
    def __init__(self, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
        self.lr, self.beta1, self.beta2, self.eps = lr, beta1, beta2, eps
        self.t = 0
        self.s = {}
        self.r = {}

    def update(self, params, grads):
        self.t += 1
        for key in params:
            g = grads[key]
            self.s[key] = self.beta1 * self.s.get(key, 0.0) + (1 - self.beta1) * g
            self.r[key] = self.beta2 * self.r.get(key, 0.0) + (1 - self.beta2) * g * g
            s_hat = self.s[key] / (1 - self.beta1 ** self.t)
            r_hat = self.r[key] / (1 - self.beta2 ** self.t)
            params[key] -= self.lr * s_hat / np.maximum(np.sqrt(r_hat), self.eps)
'''),
]
