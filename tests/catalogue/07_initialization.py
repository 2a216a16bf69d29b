"""Catalogue for assignment 07_initialization: typical wrong answers and correct alternatives.

Each WRONG entry edits the instructor solution of one answer cell (``replace``: pairs of
old -> new text, each old text must occur in the solution) or gives the whole cell (``code``);
``fails`` names the test cell that must lose points. Each CORRECT entry must get full points.
"""

WRONG = [
    # --- he_normal
    dict(cell="he_normal", name="He with n_out instead of n_in", fails="test_he_normal",
         replace=[("std = np.sqrt(2.0 / n_in)", "std = np.sqrt(2.0 / n_out)")]),
    dict(cell="he_normal", name="He without the factor 2", fails="test_he_normal",
         replace=[("std = np.sqrt(2.0 / n_in)", "std = np.sqrt(1.0 / n_in)")]),
    dict(cell="he_normal", name="variance used as the standard deviation", fails="test_he_normal",
         replace=[("std = np.sqrt(2.0 / n_in)", "std = 2.0 / n_in")]),
    dict(cell="he_normal", name="global np.random instead of rng", fails="test_he_normal",
         replace=[("return std * rng.standard_normal((n_in, n_out))",
                   "return std * np.random.randn(n_in, n_out)")]),
    dict(cell="he_normal", name="own generator with a fixed seed", fails="test_he_normal",
         replace=[("return std * rng.standard_normal((n_in, n_out))",
                   "return std * np.random.default_rng(0).standard_normal((n_in, n_out))")]),
    dict(cell="he_normal", name="uniform [0, 1) numbers (not centred)", fails="test_he_normal",
         replace=[("return std * rng.standard_normal((n_in, n_out))",
                   "return std * rng.random((n_in, n_out))")]),
    dict(cell="he_normal", name="fan-in plus fan-out in He", fails="test_he_normal",
         replace=[("std = np.sqrt(2.0 / n_in)", "std = np.sqrt(2.0 / (n_in + n_out))")]),
    # --- xavier_normal
    dict(cell="xavier_normal", name="Xavier without the 2", fails="test_xavier_normal",
         replace=[("std = np.sqrt(2.0 / (n_in + n_out))", "std = np.sqrt(1.0 / (n_in + n_out))")]),
    dict(cell="xavier_normal", name="He's formula used for Xavier", fails="test_xavier_normal",
         replace=[("std = np.sqrt(2.0 / (n_in + n_out))", "std = np.sqrt(2.0 / n_in)")]),
    dict(cell="xavier_normal", name="variance used as the standard deviation",
         fails="test_xavier_normal",
         replace=[("std = np.sqrt(2.0 / (n_in + n_out))", "std = 2.0 / (n_in + n_out)")]),
    dict(cell="xavier_normal", name="missing parentheses: 2 / n_in + n_out",
         fails="test_xavier_normal",
         replace=[("std = np.sqrt(2.0 / (n_in + n_out))", "std = np.sqrt(2.0 / n_in + n_out)")]),
    dict(cell="xavier_normal", name="product of the sizes instead of the sum",
         fails="test_xavier_normal",
         replace=[("std = np.sqrt(2.0 / (n_in + n_out))", "std = np.sqrt(2.0 / (n_in * n_out))")]),
    dict(cell="xavier_normal", name="shape (n_out, n_in)", fails="test_xavier_normal",
         replace=[("size=(n_in, n_out)", "size=(n_out, n_in)")]),
    dict(cell="xavier_normal", name="global np.random.normal", fails="test_xavier_normal",
         replace=[("return rng.normal(0.0, std, size=(n_in, n_out))",
                   "return np.random.normal(0.0, std, size=(n_in, n_out))")]),
    # --- forward_activations
    dict(cell="forward_activations", name="keeps the pre-activations", fails="test_forward_activations",
         replace=[("outputs.append(h)", "outputs.append(a)")]),
    dict(cell="forward_activations", name="every layer fed with x (not chained)",
         fails="test_forward_activations",
         replace=[("a = h @ W", "a = x @ W")]),
    dict(cell="forward_activations", name="input included as the first element",
         fails="test_forward_activations",
         replace=[("outputs = []", "outputs = [x]")]),
    dict(cell="forward_activations", name="returns only the last layer",
         fails="test_forward_activations",
         replace=[("return outputs", "return h")]),
    dict(cell="forward_activations", name="ReLU written as np.max(a, 0) (a reduction)",
         fails="test_forward_activations",
         replace=[("h = np.maximum(a, 0.0)", "h = np.max(a, 0)")]),
    dict(cell="forward_activations", name="activation argument ignored (always sigmoid)",
         fails="test_forward_activations",
         replace=[('if activation == "sigmoid":', 'if True:')]),
    dict(cell="forward_activations", name="activation also applied to the input",
         fails="test_forward_activations",
         replace=[("    h = x\n", "    h = np.maximum(x, 0.0) if activation == 'relu' else 1.0 / (1.0 + np.exp(-x))\n")]),
    # --- activation_statistics
    dict(cell="activation_statistics", name="std per unit (axis=0), then averaged",
         fails="test_activation_statistics",
         replace=[('"std": np.std(h)', '"std": np.std(h, axis=0).mean()')]),
    dict(cell="activation_statistics", name="std per example (axis=1), then averaged",
         fails="test_activation_statistics",
         replace=[('"std": np.std(h)', '"std": np.std(h, axis=1).mean()')]),
    dict(cell="activation_statistics", name="sample std (ddof=1)", fails="test_activation_statistics",
         replace=[('"std": np.std(h)', '"std": np.std(h, ddof=1)')]),
    dict(cell="activation_statistics", name="sigmoid thresholds used for ReLU",
         fails="test_activation_statistics",
         replace=[("saturated = np.mean(h == 0)", "saturated = np.mean((h < 0.01) | (h > 0.99))")]),
    dict(cell="activation_statistics", name="only the lower end counted for sigmoid",
         fails="test_activation_statistics",
         replace=[("saturated = np.mean((h < 0.01) | (h > 0.99))", "saturated = np.mean(h < 0.01)")]),
    dict(cell="activation_statistics", name="count instead of fraction",
         fails="test_activation_statistics",
         replace=[("saturated = np.mean((h < 0.01) | (h > 0.99))",
                   "saturated = np.sum((h < 0.01) | (h > 0.99))"),
                  ("saturated = np.mean(h == 0)", "saturated = np.sum(h == 0)")]),
    dict(cell="activation_statistics", name="and instead of or", fails="test_activation_statistics",
         replace=[("(h < 0.01) | (h > 0.99)", "(h < 0.01) & (h > 0.99)")]),
    dict(cell="activation_statistics", name="percent instead of fraction",
         fails="test_activation_statistics",
         replace=[('"saturated": saturated', '"saturated": 100 * saturated')]),
    # --- distribution shape, disturbed global RNG, exact zeros, extreme inputs (issue #18)
    dict(cell="he_normal", name="uniform numbers with the right std", fails="test_he_normal",
         replace=[("return std * rng.standard_normal((n_in, n_out))",
                   "return rng.uniform(-np.sqrt(3) * std, np.sqrt(3) * std, (n_in, n_out))")]),
    dict(cell="he_normal", name="normal truncated at 2 std, rescaled to the right std",
         fails="test_he_normal",
         replace=[("return std * rng.standard_normal((n_in, n_out))",
                   "z = rng.standard_normal((n_in, n_out))\n"
                   "    bad = np.abs(z) > 2\n"
                   "    while bad.any():\n"
                   "        z[bad] = rng.standard_normal(int(bad.sum()))\n"
                   "        bad = np.abs(z) > 2\n"
                   "    return std * z / 0.8796")]),
    dict(cell="he_normal", name="global np.random seeded from rng (changes np.random's state)",
         fails="test_he_normal",
         replace=[("return std * rng.standard_normal((n_in, n_out))",
                   "np.random.seed(int(rng.integers(2 ** 31)))\n"
                   "    return std * np.random.randn(n_in, n_out)")]),
    dict(cell="xavier_normal", name="Glorot uniform (limit sqrt(6 / (n_in + n_out)))",
         fails="test_xavier_normal",
         replace=[("return rng.normal(0.0, std, size=(n_in, n_out))",
                   "limit = np.sqrt(6.0 / (n_in + n_out))\n"
                   "    return rng.uniform(-limit, limit, size=(n_in, n_out))")]),
    dict(cell="xavier_normal", name="sum of two uniforms (triangular) with the right std",
         fails="test_xavier_normal",
         replace=[("return rng.normal(0.0, std, size=(n_in, n_out))",
                   "u = rng.random((2, n_in, n_out))\n"
                   "    return (u[0] + u[1] - 1.0) * np.sqrt(6.0) * std")]),
    dict(cell="forward_activations", name="sigmoid as exp(a) / (1 + exp(a)) (NaN for large a)",
         fails="test_forward_activations",
         replace=[("h = 1.0 / (1.0 + np.exp(-a))", "h = np.exp(a) / (1.0 + np.exp(a))")]),
    dict(cell="activation_statistics", name="ReLU saturated counted with np.isclose(h, 0)", siblings=["ReLU saturated counted as h < 1e-6"],
         fails="test_activation_statistics",
         replace=[("saturated = np.mean(h == 0)", "saturated = np.mean(np.isclose(h, 0))")]),
    dict(cell="activation_statistics", name="ReLU saturated counted as h < 1e-6", siblings=["ReLU saturated counted with np.isclose(h, 0)"],
         fails="test_activation_statistics",
         replace=[("saturated = np.mean(h == 0)", "saturated = np.mean(h < 1e-6)")]),
    # --- init_params (issue #21: initialization built into the network)
    dict(cell="init_params", name="He and Xavier swapped", fails="test_init_params",
         replace=[('weights = he_normal(n_in, n_out, rng)\n        elif isinstance(init, str) and init == "xavier":\n            weights = xavier_normal(n_in, n_out, rng)',
                   'weights = xavier_normal(n_in, n_out, rng)\n        elif isinstance(init, str) and init == "xavier":\n            weights = he_normal(n_in, n_out, rng)')]),
    dict(cell="init_params", name="layers numbered from 0 (W0, b0)", fails="test_init_params",
         replace=[("enumerate(zip(sizes[:-1], sizes[1:]), start=1)", "enumerate(zip(sizes[:-1], sizes[1:]))")]),
    dict(cell="init_params", name="random biases", fails="test_init_params",
         replace=[('params[f"b{layer}"] = np.zeros(n_out)', 'params[f"b{layer}"] = rng.standard_normal(n_out)')]),
    dict(cell="init_params", name="bias of shape (1, n_out)", fails="test_init_params",
         replace=[('params[f"b{layer}"] = np.zeros(n_out)', 'params[f"b{layer}"] = np.zeros((1, n_out))')]),
    dict(cell="init_params", name="integer zeros as biases", fails="test_init_params",
         replace=[('params[f"b{layer}"] = np.zeros(n_out)', 'params[f"b{layer}"] = np.zeros(n_out, dtype=int)')]),
    dict(cell="init_params", name="a number init ignored (standard deviation 1)", fails="test_init_params",
         replace=[("weights = init * rng.standard_normal((n_in, n_out))", "weights = rng.standard_normal((n_in, n_out))")]),
    dict(cell="init_params", name="a number init used as the variance", fails="test_init_params",
         replace=[("weights = init * rng.standard_normal((n_in, n_out))",
                   "weights = np.sqrt(init) * rng.standard_normal((n_in, n_out))")]),
    dict(cell="init_params", name="unknown init falls back to He", fails="test_init_params",
         replace=[("""            raise ValueError(f"init must be 'he', 'xavier' or a standard deviation, got {init!r}")""",
                   "            weights = he_normal(n_in, n_out, rng)")]),
    dict(cell="init_params", name="ValueError that does not say what is allowed", fails="test_init_params",
         replace=[("""raise ValueError(f"init must be 'he', 'xavier' or a standard deviation, got {init!r}")""",
                   """raise ValueError(f"unknown init {init!r}")""")]),
    dict(cell="init_params", name="the output layer left out", fails="test_init_params",
         replace=[("enumerate(zip(sizes[:-1], sizes[1:]), start=1)", "enumerate(zip(sizes[:-2], sizes[1:-1]), start=1)")]),
    dict(cell="init_params", name="a fresh generator with a fixed seed in each layer", fails="test_init_params",
         replace=[("weights = he_normal(n_in, n_out, rng)", "weights = he_normal(n_in, n_out, np.random.default_rng(0))"),
                  ("weights = xavier_normal(n_in, n_out, rng)", "weights = xavier_normal(n_in, n_out, np.random.default_rng(0))")]),
    dict(cell="init_params", name="He with the layer's fan-out", fails="test_init_params",
         replace=[("weights = he_normal(n_in, n_out, rng)", "weights = np.sqrt(2 / n_out) * rng.standard_normal((n_in, n_out))")]),
    dict(cell="init_params", name="one weight array shared by equal-sized layers", fails="test_init_params",
         code='''
def init_params(sizes, init, rng):
    cache = {}
    params = {}
    for layer, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:]), start=1):
        if (n_in, n_out) not in cache:
            if init == "he":
                cache[n_in, n_out] = he_normal(n_in, n_out, rng)
            elif init == "xavier":
                cache[n_in, n_out] = xavier_normal(n_in, n_out, rng)
            elif isinstance(init, (int, float)):
                cache[n_in, n_out] = init * rng.standard_normal((n_in, n_out))
            else:
                raise ValueError("init must be 'he', 'xavier' or a number")
        params[f"W{layer}"] = cache[n_in, n_out]
        params[f"b{layer}"] = np.zeros(n_out)
    return params
'''),
]

CORRECT = [
    dict(cell="init_params", name="formulas written out, a dict of standard deviations, rng.normal", code='''
def init_params(sizes, init, rng):
    sizes = list(sizes)
    rules = {"he": lambda a, b: np.sqrt(2.0 / a), "xavier": lambda a, b: np.sqrt(2.0 / (a + b))}
    if isinstance(init, str):
        if init not in rules:
            raise ValueError(f"unknown init {init!r}: use one of {sorted(rules)} or a standard deviation")
        std_of = rules[init]
    elif isinstance(init, (int, float, np.floating)):
        std_of = lambda a, b: float(init)
    else:
        raise ValueError(f"init is 'he', 'xavier' or a number, not {init!r}")
    out = {}
    for i in range(1, len(sizes)):
        out["W" + str(i)] = rng.normal(0.0, std_of(sizes[i - 1], sizes[i]), size=(sizes[i - 1], sizes[i]))
        out["b" + str(i)] = np.zeros(sizes[i], dtype=np.float64)
    return out
'''),
    dict(cell="init_params", name="all weights first, then all biases", code='''
def init_params(sizes, init, rng):
    draw = {"he": he_normal, "xavier": xavier_normal}
    if isinstance(init, str) and init in draw:
        make = draw[init]
    elif not isinstance(init, str) and np.isscalar(init) and init is not None:
        make = lambda n_in, n_out, g: init * g.standard_normal((n_in, n_out))
    else:
        raise ValueError("init must be 'he', 'xavier' or a standard deviation (a number)")
    pairs = list(zip(sizes[:-1], sizes[1:]))
    weights = {f"W{i + 1}": make(n_in, n_out, rng) for i, (n_in, n_out) in enumerate(pairs)}
    biases = {f"b{i + 1}": np.zeros(n_out) for i, (_, n_out) in enumerate(pairs)}
    return {**weights, **biases}
'''),
    dict(cell="he_normal", name="rng.normal with math.sqrt", code='''
import math


def he_normal(n_in, n_out, rng):
    return rng.normal(loc=0.0, scale=math.sqrt(2 / n_in), size=(n_in, n_out))
'''),
    dict(cell="he_normal", name="divide standard normals by sqrt(n_in / 2)", code='''
def he_normal(n_in, n_out, rng):
    z = rng.standard_normal(size=(n_in, n_out))
    return z / np.sqrt(n_in / 2)
'''),
    dict(cell="he_normal", name="variance first, then its square root", code='''
def he_normal(n_in, n_out, rng):
    variance = 2 / n_in
    weights = rng.normal(scale=variance ** 0.5, size=(n_in, n_out))
    return weights
'''),
    dict(cell="xavier_normal", name="one over the mean fan size", code='''
def xavier_normal(n_in, n_out, rng):
    fan_avg = (n_in + n_out) / 2
    return rng.standard_normal((n_in, n_out)) * np.sqrt(1 / fan_avg)
'''),
    dict(cell="xavier_normal", name="variance then ** 0.5, standard_normal with size=", code='''
def xavier_normal(n_in, n_out, rng):
    var = 2.0 / (n_in + n_out)
    return var ** 0.5 * rng.standard_normal(size=(n_in, n_out))
'''),
    dict(cell="forward_activations", name="np.where ReLU, tanh sigmoid, dict of functions", code='''
def forward_activations(x, weights, activation):
    functions = {
        "sigmoid": lambda a: 0.5 * (1 + np.tanh(a / 2)),
        "relu": lambda a: np.where(a > 0, a, 0.0),
    }
    f = functions[activation]
    result = []
    for W in weights:
        x = f(np.dot(x, W))
        result.append(x)
    return result
'''),
    dict(cell="forward_activations", name="previous output read from the list, np.clip", code='''
def forward_activations(x, weights, activation):
    outputs = []
    for i, W in enumerate(weights):
        inputs = x if i == 0 else outputs[-1]
        a = inputs @ W
        if activation == "relu":
            outputs.append(np.clip(a, 0, None))
        else:
            outputs.append(np.exp(-np.logaddexp(0, -a)))
    return outputs
'''),
    dict(cell="activation_statistics", name="pandas Series with ddof=0, dict of lists", code='''
def activation_statistics(activations, activation):
    table = {"mean": [], "std": [], "saturated": []}
    for h in activations:
        values = pd.Series(h.ravel())
        table["mean"].append(values.mean())
        table["std"].append(values.std(ddof=0))
        if activation == "relu":
            table["saturated"].append((values == 0).mean())
        else:
            table["saturated"].append(values.between(0.01, 0.99).eq(False).mean())
    return pd.DataFrame(table)
'''),
    dict(cell="activation_statistics", name="count_nonzero, variance, extra columns", code='''
def activation_statistics(activations, activation):
    rows = []
    for number, h in enumerate(activations, start=1):
        n = h.size
        if activation == "sigmoid":
            flat = np.count_nonzero(h < 0.01) + np.count_nonzero(h > 0.99)
        else:
            flat = np.count_nonzero(h == 0)
        rows.append({"layer": number, "mean": h.sum() / n, "std": float(np.sqrt(h.var())),
                     "saturated": flat / n, "min": h.min(), "max": h.max()})
    return pd.DataFrame(rows).set_index("layer")
'''),
    dict(cell="he_normal", name="Box-Muller from rng.random", code='''
def he_normal(n_in, n_out, rng):
    u1 = 1.0 - rng.random((n_in, n_out))
    u2 = rng.random((n_in, n_out))
    z = np.sqrt(-2.0 * np.log(u1)) * np.cos(2 * np.pi * u2)
    return np.sqrt(2.0 / n_in) * z
'''),
    dict(cell="xavier_normal", name="drawn transposed, then .T", code='''
def xavier_normal(n_in, n_out, rng):
    return (rng.standard_normal((n_out, n_in)) * (2.0 / (n_in + n_out)) ** 0.5).T
'''),
    dict(cell="activation_statistics", name="ReLU saturated as h <= 0, sigmoid with np.logical_or",
         replace=[("saturated = np.mean(h == 0)", "saturated = np.count_nonzero(h <= 0) / h.size"),
                  ("saturated = np.mean((h < 0.01) | (h > 0.99))",
                   "saturated = np.mean(np.logical_or(h < 0.01, h > 0.99))")]),
]
