"""Catalogue for assignment 05_multilayer_nets: typical wrong answers and correct alternatives.

Each WRONG entry edits the instructor solution of one answer cell (``replace``: pairs of
old -> new text, each old text must occur in the solution) or gives the whole cell (``code``);
``fails`` names the test cell that must lose points. Each CORRECT entry must get full points.
"""

WRONG = [
    # --- LayerNet.__init__
    dict(cell="layer_net", name="keys numbered from 0 (W0, b0, ...)", fails="test_init",
         replace=[("for i in range(1, n_affine + 1):\n"
                   "            self.params[f\"W{i}\"] = weight_std * rng.standard_normal((sizes[i - 1], sizes[i]))\n"
                   "            self.params[f\"b{i}\"] = np.zeros(sizes[i])\n"
                   "            self.layers.append(Affine(self.params[f\"W{i}\"], self.params[f\"b{i}\"]))\n"
                   "            if i < n_affine:",
                   "for i in range(n_affine):\n"
                   "            self.params[f\"W{i}\"] = weight_std * rng.standard_normal((sizes[i], sizes[i + 1]))\n"
                   "            self.params[f\"b{i}\"] = np.zeros(sizes[i + 1])\n"
                   "            self.layers.append(Affine(self.params[f\"W{i}\"], self.params[f\"b{i}\"]))\n"
                   "            if i < n_affine - 1:")]),
    dict(cell="layer_net", name="layers get copies of the parameter arrays", fails="test_init",
         replace=[("Affine(self.params[f\"W{i}\"], self.params[f\"b{i}\"])",
                   "Affine(self.params[f\"W{i}\"].copy(), self.params[f\"b{i}\"].copy())")]),
    dict(cell="layer_net", name="one activation object shared by all hidden layers", siblings=["shared activation object breaks the gradient"], fails="test_init",
         replace=[("        self.params = {}\n",
                   "        act = activation_layers[activation]()\n        self.params = {}\n"),
                  ("self.layers.append(activation_layers[activation]())", "self.layers.append(act)")]),
    dict(cell="layer_net", name="shared activation object breaks the gradient", siblings=["one activation object shared by all hidden layers"], fails="test_gradient",
         replace=[("        self.params = {}\n",
                   "        act = activation_layers[activation]()\n        self.params = {}\n"),
                  ("self.layers.append(activation_layers[activation]())", "self.layers.append(act)")]),
    dict(cell="layer_net", name="activation after the last Affine too", fails="test_init",
         replace=[("            if i < n_affine:\n                self.layers.append(",
                   "            if True:\n                self.layers.append(")]),
    dict(cell="layer_net", name="W of shape (n_out, n_in)", fails="test_init",
         replace=[("rng.standard_normal((sizes[i - 1], sizes[i]))",
                   "rng.standard_normal((sizes[i], sizes[i - 1]))")]),
    dict(cell="layer_net", name="uniform instead of normal weights", fails="test_init",
         replace=[("rng.standard_normal((sizes[i - 1], sizes[i]))",
                   "rng.random((sizes[i - 1], sizes[i]))")]),
    dict(cell="layer_net", name="unseeded np.random.randn", fails="test_init",
         replace=[("weight_std * rng.standard_normal((sizes[i - 1], sizes[i]))",
                   "weight_std * np.random.randn(sizes[i - 1], sizes[i])")]),
    dict(cell="layer_net", name="weights scaled by std squared", fails="test_init",
         replace=[("weight_std * rng.standard_normal", "weight_std ** 2 * rng.standard_normal")]),
    # --- predict
    dict(cell="layer_net", name="predict returns softmax probabilities", siblings=["loss applies softmax twice"], fails="test_predict",
         replace=[("class LayerNet:", "from common.functions import softmax\n\n\nclass LayerNet:"),
                  ("            out = layer.forward(out)\n        return out",
                   "            out = layer.forward(out)\n        return softmax(out)")]),
    dict(cell="layer_net", name="predict skips the last Affine layer", siblings=["loss misses the last Affine layer"], fails="test_predict",
         replace=[("        for layer in self.layers:\n            out = layer.forward(out)",
                   "        for layer in self.layers[:-1]:\n            out = layer.forward(out)")]),
    dict(cell="layer_net", name="predict feeds x to every layer (no chaining)", fails="test_predict",
         replace=[("        for layer in self.layers:\n            out = layer.forward(out)",
                   "        for layer in self.layers:\n            out = layer.forward(x)")]),
    # --- loss
    dict(cell="layer_net", name="loss misses the last Affine layer", siblings=["predict skips the last Affine layer"], fails="test_loss",
         replace=[("        return self.last_layer.forward(self.predict(x), t)",
                   "        out = x\n        for layer in self.layers[:-1]:\n"
                   "            out = layer.forward(out)\n"
                   "        return self.last_layer.forward(out, t)")]),
    dict(cell="layer_net", name="loss applies softmax twice", siblings=["predict returns softmax probabilities"], fails="test_loss",
         replace=[("class LayerNet:", "from common.functions import softmax\n\n\nclass LayerNet:"),
                  ("return self.last_layer.forward(self.predict(x), t)",
                   "return self.last_layer.forward(softmax(self.predict(x)), t)")]),
    dict(cell="layer_net", name="loss takes the scores for probabilities", fails="test_loss",
         replace=[("class LayerNet:", "from common.functions import cross_entropy\n\n\nclass LayerNet:"),
                  ("return self.last_layer.forward(self.predict(x), t)",
                   "return cross_entropy(self.predict(x), t)")]),
    dict(cell="layer_net", name="loss summed over the batch", fails="test_loss",
         replace=[("return self.last_layer.forward(self.predict(x), t)",
                   "return self.last_layer.forward(self.predict(x), t) * len(x)")]),
    # --- gradient
    dict(cell="layer_net", name="backward walks the layers in forward order", fails="test_gradient",
         replace=[("for layer in reversed(self.layers):", "for layer in self.layers:")]),
    dict(cell="layer_net", name="db taken from the wrong Affine layer", fails="test_gradient",
         replace=[("grads[f\"b{i}\"] = layer.db", "grads[f\"b{i}\"] = affine_layers[-i].db")]),
    dict(cell="layer_net", name="gradient keys numbered from 0", fails="test_gradient",
         replace=[("enumerate(affine_layers, start=1)", "enumerate(affine_layers)")]),
    dict(cell="layer_net", name="no forward pass inside gradient", fails="test_gradient",
         replace=[("        self.loss(x, t)\n        dout = self.last_layer.backward(1)",
                   "        dout = self.last_layer.backward(1)")]),
    dict(cell="layer_net", name="result of backward not passed on", fails="test_gradient",
         replace=[("            dout = layer.backward(dout)", "            layer.backward(dout)")]),
    dict(cell="layer_net", name="starts from Y - T without the loss layer's 1/N", fails="test_gradient",
         replace=[("dout = self.last_layer.backward(1)",
                   "dout = self.last_layer.y - self.last_layer.t")]),
    dict(cell="layer_net", name="gradients divided by N again", fails="test_gradient",
         replace=[("grads[f\"W{i}\"] = layer.dW\n            grads[f\"b{i}\"] = layer.db",
                   "grads[f\"W{i}\"] = layer.dW / len(x)\n            grads[f\"b{i}\"] = layer.db / len(x)")]),
    dict(cell="layer_net", name="gradients read before the backward pass", fails="test_gradient",
         replace=[("        for layer in reversed(self.layers):\n            dout = layer.backward(dout)\n"
                   "        grads = {}\n"
                   "        affine_layers = [layer for layer in self.layers if isinstance(layer, Affine)]\n"
                   "        for i, layer in enumerate(affine_layers, start=1):\n"
                   "            grads[f\"W{i}\"] = layer.dW\n"
                   "            grads[f\"b{i}\"] = layer.db\n",
                   "        grads = {}\n"
                   "        affine_layers = [layer for layer in self.layers if isinstance(layer, Affine)]\n"
                   "        for i, layer in enumerate(affine_layers, start=1):\n"
                   "            grads[f\"W{i}\"] = layer.dW\n"
                   "            grads[f\"b{i}\"] = layer.db\n"
                   "        for layer in reversed(self.layers):\n            dout = layer.backward(dout)\n")]),
    # --- accuracy
    dict(cell="accuracy", name="count instead of fraction", fails="test_accuracy",
         replace=[("return float(np.mean(scores.argmax(axis=1) == labels))",
                   "return float(np.sum(scores.argmax(axis=1) == labels))")]),
    dict(cell="accuracy", name="one-hot targets compared as they are", fails="test_accuracy",
         replace=[("labels = t.argmax(axis=1) if t.ndim == 2 else t", "labels = t")]),
    dict(cell="accuracy", name="always takes the arg-max of t", fails="test_accuracy",
         replace=[("labels = t.argmax(axis=1) if t.ndim == 2 else t", "labels = np.argmax(t, axis=-1)")]),
    dict(cell="accuracy", name="arg-max over the batch axis", fails="test_accuracy",
         replace=[("scores.argmax(axis=1) == labels", "scores.argmax(axis=0) == labels")]),
    dict(cell="accuracy", name="percent instead of fraction", fails="test_accuracy",
         replace=[("return float(np.mean(scores.argmax(axis=1) == labels))",
                   "return 100 * float(np.mean(scores.argmax(axis=1) == labels))")]),
    # --- state across calls (issue #18)
    dict(cell="layer_net", name="gradients added to the ones of earlier calls", fails="test_gradient",
         replace=[("        grads = {}\n", "        grads = self.__dict__.setdefault(\"_sums\", {})\n"),
                  ("            grads[f\"W{i}\"] = layer.dW\n            grads[f\"b{i}\"] = layer.db\n",
                   "            grads[f\"W{i}\"] = grads.get(f\"W{i}\", 0) + layer.dW\n"
                   "            grads[f\"b{i}\"] = grads.get(f\"b{i}\", 0) + layer.db\n")]),
    # --- gradient_shrink_per_layer: the factor derived
    dict(cell="gradient_shrink_per_layer", name="forgets the sigmoid's slope",
         fails="test_gradient_shrink_per_layer",
         replace=[("return slope_at_zero * weight_std * np.sqrt(width)",
                   "return weight_std * np.sqrt(width)")]),
    dict(cell="gradient_shrink_per_layer", name="width instead of its square root",
         fails="test_gradient_shrink_per_layer",
         replace=[("weight_std * np.sqrt(width)", "weight_std * width")]),
    dict(cell="gradient_shrink_per_layer", name="sigmoid slope 1/2 at 0 (sigma(0) itself)",
         fails="test_gradient_shrink_per_layer",
         replace=[("slope_at_zero = 0.25", "slope_at_zero = 0.5")]),
    dict(cell="gradient_shrink_per_layer", name="variances instead of rms (s**2 n)",
         fails="test_gradient_shrink_per_layer",
         replace=[("weight_std * np.sqrt(width)", "weight_std ** 2 * width")]),
]

CORRECT = [
    dict(cell="layer_net", name="layers first, params taken from them; reduce; manual loss", code='''
from functools import reduce

from common.functions import cross_entropy, softmax


class LayerNet:
    def __init__(self, sizes, activation="relu", weight_std=0.01, seed=0):
        rng = np.random.default_rng(seed)
        self.layers = []
        self.params = {}
        n = len(sizes) - 1
        for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:]), start=1):
            affine = Affine(rng.normal(0.0, weight_std, size=(n_in, n_out)), np.zeros(n_out))
            self.params["W" + str(i)] = affine.W
            self.params["b" + str(i)] = affine.b
            self.layers.append(affine)
            if i != n:
                self.layers.append(Relu() if activation == "relu" else Sigmoid())
        self.last_layer = SoftmaxWithLoss()

    def predict(self, x):
        return reduce(lambda h, layer: layer.forward(h), self.layers, x)

    def loss(self, x, t):
        return cross_entropy(softmax(self.predict(x)), t)

    def gradient(self, x, t):
        self.last_layer.forward(self.predict(x), t)
        dout = self.last_layer.backward()
        grads = {}
        i = len(self.params) // 2
        for layer in self.layers[::-1]:
            dout = layer.backward(dout)
            if isinstance(layer, Affine):
                grads["W" + str(i)] = layer.dW
                grads["b" + str(i)] = layer.db
                i -= 1
        return grads

    def numerical_gradient(self, x, t):
        return {key: numerical_gradient(lambda _: self.loss(x, t), param)
                for key, param in self.params.items()}
'''),
    dict(cell="layer_net", name="OrderedDict, index arithmetic, copied gradients", code='''
from collections import OrderedDict


class LayerNet:
    def __init__(self, sizes, activation="relu", weight_std=0.01, seed=0):
        rng = np.random.default_rng(seed)
        self.params = OrderedDict()
        for i in range(1, len(sizes)):
            self.params[f"W{i}"] = rng.standard_normal((sizes[i - 1], sizes[i])) * weight_std
            self.params[f"b{i}"] = np.zeros(sizes[i])
        self.layers = []
        n_affine = len(sizes) - 1
        for i in range(1, n_affine + 1):
            self.layers.append(Affine(self.params[f"W{i}"], self.params[f"b{i}"]))
            if i < n_affine:
                if activation == "relu":
                    self.layers.append(Relu())
                else:
                    self.layers.append(Sigmoid())
        self.last_layer = SoftmaxWithLoss()

    def predict(self, x):
        h = x
        for i in range(len(self.layers)):
            h = self.layers[i].forward(h)
        return h

    def loss(self, x, t):
        scores = self.predict(x)
        return float(self.last_layer.forward(scores, t))

    def gradient(self, x, t):
        self.loss(x, t)
        d = self.last_layer.backward(dout=1)
        for j in range(len(self.layers) - 1, -1, -1):
            d = self.layers[j].backward(d)
        n_affine = (len(self.layers) + 1) // 2
        grads = OrderedDict()
        for i in range(1, n_affine + 1):
            grads[f"W{i}"] = self.layers[2 * (i - 1)].dW.copy()
            grads[f"b{i}"] = self.layers[2 * (i - 1)].db.copy()
        return grads

    def numerical_gradient(self, x, t):
        return {key: numerical_gradient(lambda _: self.loss(x, t), param)
                for key, param in self.params.items()}
'''),
    dict(cell="layer_net", name="activations built after the Affine layers, grads by zip", code='''
class LayerNet:
    def __init__(self, sizes, activation="relu", weight_std=0.01, seed=0):
        rng = np.random.default_rng(seed)
        kind = {"relu": Relu, "sigmoid": Sigmoid}[activation]
        shapes = list(zip(sizes[:-1], sizes[1:]))
        self.params = {}
        for i, (a, b) in enumerate(shapes, start=1):
            self.params[f"W{i}"] = weight_std * rng.standard_normal((a, b))
            self.params[f"b{i}"] = np.zeros(b)
        affines = [Affine(self.params[f"W{i}"], self.params[f"b{i}"])
                   for i in range(1, len(shapes) + 1)]
        self.layers = [affines[0]]
        for affine in affines[1:]:
            self.layers += [kind(), affine]
        self.last_layer = SoftmaxWithLoss()

    def predict(self, x):
        for layer in self.layers:
            x = layer.forward(x)
        return x

    def loss(self, x, t):
        return self.last_layer.forward(self.predict(x), t)

    def gradient(self, x, t):
        self.loss(x, t)
        dout = self.last_layer.backward(1)
        for layer in reversed(self.layers):
            dout = layer.backward(dout)
        affines = self.layers[::2]
        keys = [(f"W{i}", f"b{i}") for i in range(1, len(affines) + 1)]
        grads = {}
        for (kw, kb), layer in zip(keys, affines):
            grads[kw], grads[kb] = layer.dW, layer.db
        return grads

    def numerical_gradient(self, x, t):
        return {key: numerical_gradient(lambda _: self.loss(x, t), param)
                for key, param in self.params.items()}
'''),
    dict(cell="accuracy", name="explicit loop", code='''
def accuracy(scores, t):
    correct = 0
    for n in range(len(scores)):
        target = np.argmax(t[n]) if np.ndim(t[n]) == 1 else t[n]
        if np.argmax(scores[n]) == target:
            correct += 1
    return correct / len(scores)
'''),
    dict(cell="accuracy", name="count_nonzero with a shape test", code='''
def accuracy(scores, t):
    predicted = np.argmax(scores, axis=1)
    if np.shape(t) == np.shape(scores):
        t = np.argmax(t, axis=1)
    return np.count_nonzero(predicted == t) / scores.shape[0]
'''),
    # --- gradient_shrink_per_layer
    dict(cell="gradient_shrink_per_layer", name="sqrt(n) s / 4", code='''
def gradient_shrink_per_layer(width, weight_std):
    return np.sqrt(width) * weight_std / 4
'''),
    dict(cell="gradient_shrink_per_layer", name="the slope computed from the sigmoid", code='''
def gradient_shrink_per_layer(width, weight_std):
    y = 1.0 / (1.0 + np.exp(-0.0))
    return y * (1 - y) * (weight_std ** 2 * width) ** 0.5
'''),
]
