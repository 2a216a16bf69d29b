"""Catalogue for assignment 02_two_layer_nets: typical wrong answers and correct alternatives.

Each WRONG entry edits the instructor solution of one answer cell (``replace``: pairs of
old -> new text, each old text must occur in the solution) or gives the whole cell (``code``);
``fails`` names the test cell that must lose points. Each CORRECT entry must get full points.
The three answer cells share one structure (forward + backward of a two-layer ReLU network),
so the same edit texts recur with a different cell.
"""

DELTA2 = 'delta2 = (cache["y"] - t) / n'

WRONG = [
    # --- regression
    dict(cell="regression", name="missing /N in the output gradient", fails="test_backward_regression",
         replace=[(DELTA2, 'delta2 = cache["y"] - t')]),
    dict(cell="regression", name="W2 instead of W2.T on the way back", fails="test_backward_regression",
         replace=[('dx1 = delta2 @ params["W2"].T', 'dx1 = delta2 @ params["W2"]')]),
    dict(cell="regression", name="bias gradient not summed over the batch", fails="test_backward_regression",
         replace=[("db2 = np.sum(delta2, axis=0)", "db2 = delta2")]),
    dict(cell="regression", name="ReLU mask not applied", fails="test_backward_regression",
         replace=[('delta1 = dx1 * cache["mask"]', "delta1 = dx1")]),
    dict(cell="regression", name="the 1/2 of the loss kept in the gradient: / (2N)",
         fails="test_backward_regression",
         replace=[(DELTA2, 'delta2 = (cache["y"] - t) / (2 * n)')]),
    dict(cell="regression", name="divides by t.size (N*M) instead of N", fails="test_backward_regression",
         replace=[("n = t.shape[0]", "n = t.size")]),
    dict(cell="regression", name="dW2 from the pre-activation a1 instead of x1",
         fails="test_backward_regression",
         replace=[('cache = {"x": x, "mask": a1 > 0, "x1": x1, "y": y}',
                   'cache = {"x": x, "mask": a1 > 0, "a1": a1, "x1": x1, "y": y}'),
                  ('dW2 = cache["x1"].T @ delta2', 'dW2 = cache["a1"].T @ delta2')]),
    dict(cell="regression", name="mask applied to db1 but not to dW1", fails="test_backward_regression",
         replace=[('dW1 = cache["x"].T @ delta1', 'dW1 = cache["x"].T @ dx1')]),
    dict(cell="regression", name="ReLU applied to the output too", fails="test_forward_regression",
         replace=[('y = x1 @ params["W2"] + params["b2"]',
                   'y = np.maximum(x1 @ params["W2"] + params["b2"], 0.0)')]),
    dict(cell="regression", name="forward forgets b1", fails="test_forward_regression",
         replace=[('a1 = x @ params["W1"] + params["b1"]', 'a1 = x @ params["W1"]')]),
    # --- regression: the nodes of the derivation
    dict(cell="regression", name="dE/dX1 reported after the ReLU mask", fails="test_backward_regression",
         replace=[('"X1": dx1', '"X1": delta1')]),
    dict(cell="regression", name="node gradients of the summed loss (dE/dA2 without /N)",
         fails="test_backward_regression", replace=[('"A2": delta2', '"A2": delta2 * n')]),
    dict(cell="regression", name="dE/dA1 without the ReLU's slope", fails="test_backward_regression",
         replace=[('"A1": delta1', '"A1": dx1')]),
    dict(cell="regression", name="node gradients left out", fails="test_backward_regression",
         replace=[(', "A2": delta2, "X1": dx1, "A1": delta1}', '}')]),
    # --- binary
    dict(cell="binary", name="missing /N in the output gradient", fails="test_backward_binary",
         replace=[(DELTA2, 'delta2 = cache["y"] - t')]),
    dict(cell="binary", name="sigmoid derivative applied again on top of (y - t)",
         fails="test_backward_binary",
         replace=[(DELTA2, 'delta2 = (cache["y"] - t) * cache["y"] * (1 - cache["y"]) / n')]),
    dict(cell="binary", name="output gradient with the wrong sign (t - y)", fails="test_backward_binary",
         replace=[(DELTA2, 'delta2 = (t - cache["y"]) / n')]),
    dict(cell="binary", name="hidden bias gradient not summed", fails="test_backward_binary",
         replace=[("db1 = np.sum(delta1, axis=0)", "db1 = delta1")]),
    dict(cell="binary", name="ReLU mask not applied", fails="test_backward_binary",
         replace=[('delta1 = dx1 * cache["mask"]', "delta1 = dx1")]),
    dict(cell="binary", name="dW1 transposed (delta1.T @ x)", fails="test_backward_binary",
         replace=[('dW1 = cache["x"].T @ delta1', 'dW1 = delta1.T @ cache["x"]')]),
    dict(cell="binary", name="forward returns the scores, not the probabilities",
         fails="test_forward_binary",
         replace=[("y = sigmoid(a2)", "y = a2")]),
    dict(cell="binary", name="sigmoid applied to the hidden layer instead of ReLU",
         fails="test_forward_binary",
         replace=[("x1 = np.maximum(a1, 0.0)", "x1 = sigmoid(a1)")]),
    # --- multiclass
    dict(cell="multiclass", name="missing /N in the output gradient", fails="test_backward_multiclass",
         replace=[(DELTA2, 'delta2 = cache["y"] - t')]),
    dict(cell="multiclass", name="divides by t.size (N*K) instead of N", fails="test_backward_multiclass",
         replace=[("n = t.shape[0]", "n = t.size")]),
    dict(cell="multiclass", name="ReLU mask not applied", fails="test_backward_multiclass",
         replace=[('delta1 = dx1 * cache["mask"]', "delta1 = dx1")]),
    dict(cell="multiclass", name="W2 instead of W2.T on the way back", fails="test_backward_multiclass",
         replace=[('dx1 = delta2 @ params["W2"].T', 'dx1 = delta2 @ params["W2"]')]),
    dict(cell="multiclass", name="output bias gradient summed over the classes (axis=1)",
         fails="test_backward_multiclass",
         replace=[("db2 = np.sum(delta2, axis=0)", "db2 = np.sum(delta2, axis=1)")]),
    dict(cell="multiclass", name="bias gradient kept 2-D (keepdims=True)", fails="test_backward_multiclass",
         replace=[("db1 = np.sum(delta1, axis=0)", "db1 = np.sum(delta1, axis=0, keepdims=True)")]),
    dict(cell="multiclass", name="own softmax normalized over the batch (axis=0)",
         fails="test_forward_multiclass",
         replace=[("y = softmax(a2)", "e = np.exp(a2)\n    y = e / e.sum(axis=0, keepdims=True)")]),
    dict(cell="multiclass", name="own softmax without subtracting the row maximum (overflows)",
         fails="test_forward_multiclass",
         replace=[("y = softmax(a2)", "e = np.exp(a2)\n    y = e / e.sum(axis=1, keepdims=True)")]),
    dict(cell="multiclass", name="forward forgets b2", fails="test_forward_multiclass",
         replace=[('a2 = x1 @ params["W2"] + params["b2"]', 'a2 = x1 @ params["W2"]')]),
    # --- state across calls, extreme scores (issue #18)
    dict(cell="regression", name="delta computed in place in the cached y (cache[\"y\"] -= t)",
         fails="test_backward_regression",
         replace=[("delta2 = (cache[\"y\"] - t) / n",
                   "delta2 = cache[\"y\"]\n    delta2 -= t\n    delta2 /= n")]),
    dict(cell="binary", name="delta computed in place in the cached y (cache[\"y\"] -= t)",
         fails="test_backward_binary",
         replace=[("delta2 = (cache[\"y\"] - t) / n",
                   "delta2 = cache[\"y\"]\n    delta2 -= t\n    delta2 /= n")]),
    dict(cell="multiclass", name="delta computed in place in the cached y (cache[\"y\"] -= t)",
         fails="test_backward_multiclass",
         replace=[("delta2 = (cache[\"y\"] - t) / n",
                   "delta2 = cache[\"y\"]\n    delta2 -= t\n    delta2 /= n")]),
    dict(cell="binary", name="own sigmoid as exp(a) / (1 + exp(a)) (NaN for large scores)",
         fails="test_forward_binary",
         replace=[("y = sigmoid(a2)", "y = np.exp(a2) / (1.0 + np.exp(a2))")]),
]

CORRECT = [
    # --- regression
    dict(cell="regression", name="tuple cache, mask from the ReLU output, /N at the end", code='''
def forward_regression(params, x):
    W1, b1, W2, b2 = (params[key] for key in ("W1", "b1", "W2", "b2"))
    z1 = np.maximum(0, np.dot(x, W1) + b1)
    y = np.dot(z1, W2) + b2
    return y, (x, z1, y)


def backward_regression(params, cache, t):
    x, z1, y = cache
    batch = len(x)
    d_out = y - t                        # gradient of the summed loss; divide by N at the end
    d_hidden = np.dot(d_out, params["W2"].T) * (z1 > 0)
    return {"W2": np.dot(z1.T, d_out) / batch, "b2": d_out.sum(axis=0) / batch,
            "W1": np.dot(x.T, d_hidden) / batch, "b1": d_hidden.sum(axis=0) / batch,
            "A2": d_out / batch, "X1": np.dot(d_out, params["W2"].T) / batch,
            "A1": d_hidden / batch}
'''),
    dict(cell="regression", name="looped over the examples with outer products", code='''
def forward_regression(params, x):
    a1 = x @ params["W1"] + params["b1"]
    z1 = np.where(a1 > 0, a1, 0.0)
    y = z1 @ params["W2"] + params["b2"]
    return y, {"x": x, "a1": a1, "z1": z1, "y": y}


def backward_regression(params, cache, t):
    n = t.shape[0]
    grads = {key: np.zeros_like(value) for key, value in params.items()}
    grads["A2"], grads["X1"], grads["A1"] = (np.zeros_like(cache["y"]), np.zeros_like(cache["z1"]),
                                             np.zeros_like(cache["a1"]))
    for i in range(n):
        d_y = (cache["y"][i] - t[i]) / n
        grads["A2"][i] = d_y
        grads["W2"] += np.outer(cache["z1"][i], d_y)
        grads["b2"] += d_y
        grads["X1"][i] = params["W2"] @ d_y
        d_a1 = grads["X1"][i] * (cache["a1"][i] > 0)
        grads["A1"][i] = d_a1
        grads["W1"] += np.outer(cache["x"][i], d_a1)
        grads["b1"] += d_a1
    return grads
'''),
    dict(cell="regression", name="einsum and np.heaviside", code='''
def forward_regression(params, x):
    a1 = np.einsum("nk,kh->nh", x, params["W1"]) + params["b1"]
    z1 = a1 * np.heaviside(a1, 0.0)
    y = np.einsum("nh,hm->nm", z1, params["W2"]) + params["b2"]
    return y, dict(x=x, a1=a1, z1=z1, y=y)


def backward_regression(params, cache, t):
    delta = (cache["y"] - t) / t.shape[0]
    grads = {"A2": delta, "W2": np.einsum("nh,nm->hm", cache["z1"], delta), "b2": delta.sum(0)}
    grads["X1"] = np.einsum("nm,hm->nh", delta, params["W2"])
    delta = grads["X1"] * np.heaviside(cache["a1"], 0.0)
    grads["A1"] = delta
    grads["W1"] = np.einsum("nk,nh->kh", cache["x"], delta)
    grads["b1"] = delta.sum(0)
    return grads
'''),
    # --- binary
    dict(cell="binary", name="own overflow-free sigmoid, mask from the output, /N at the end", code='''
def stable_sigmoid(a):
    out = np.empty_like(a)
    positive = a >= 0
    out[positive] = 1.0 / (1.0 + np.exp(-a[positive]))
    e = np.exp(a[~positive])
    out[~positive] = e / (1.0 + e)
    return out


def forward_binary(params, x):
    hidden = np.maximum(x.dot(params["W1"]) + params["b1"], 0)
    prob = stable_sigmoid(hidden.dot(params["W2"]) + params["b2"])
    return prob, (x, hidden, prob)


def backward_binary(params, cache, t):
    x, hidden, prob = cache
    n = x.shape[0]
    d_scores = prob - t
    d_hidden = d_scores.dot(params["W2"].T) * (hidden > 0)
    return {"W1": x.T.dot(d_hidden) / n, "b1": d_hidden.sum(axis=0) / n,
            "W2": hidden.T.dot(d_scores) / n, "b2": d_scores.sum(axis=0) / n}
'''),
    dict(cell="binary", name="tanh form of the sigmoid, bias gradients as ones @ delta", code='''
def forward_binary(params, x):
    a1 = x @ params["W1"] + params["b1"]
    mask = a1 > 0
    z1 = a1 * mask
    a2 = z1 @ params["W2"] + params["b2"]
    y = 0.5 * (1.0 + np.tanh(0.5 * a2))
    return y, {"x": x, "mask": mask, "z1": z1, "y": y}


def backward_binary(params, cache, t):
    n = len(t)
    ones = np.ones(n)
    d2 = (cache["y"] - t) / n
    d1 = (d2 @ params["W2"].T) * cache["mask"]
    return {"W1": cache["x"].T @ d1, "b1": ones @ d1, "W2": cache["z1"].T @ d2, "b2": ones @ d2}
'''),
    # --- multiclass
    dict(cell="multiclass", name="log-sum-exp softmax, subtract 1 at the target class", code='''
def forward_multiclass(params, x):
    z1 = np.maximum(x @ params["W1"] + params["b1"], 0)
    scores = z1 @ params["W2"] + params["b2"]
    shifted = scores - scores.max(axis=1, keepdims=True)
    y = np.exp(shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True)))
    return y, {"x": x, "z1": z1, "y": y}


def backward_multiclass(params, cache, t):
    n = t.shape[0]
    delta = cache["y"].copy()
    delta[np.arange(n), t.argmax(axis=1)] -= 1.0
    delta /= n
    dz1 = delta @ params["W2"].T
    dz1[cache["z1"] <= 0] = 0.0
    return {"W2": cache["z1"].T @ delta, "b2": delta.sum(axis=0),
            "W1": cache["x"].T @ dz1, "b1": dz1.sum(axis=0)}
'''),
    dict(cell="multiclass", name="row-by-row softmax and a loop over the examples", code='''
def forward_multiclass(params, x):
    a1 = x @ params["W1"] + params["b1"]
    z1 = np.maximum(a1, 0)
    a2 = z1 @ params["W2"] + params["b2"]
    y = np.empty_like(a2)
    for i, row in enumerate(a2):
        e = np.exp(row - row.max())
        y[i] = e / e.sum()
    return y, (x, a1, z1, y)


def backward_multiclass(params, cache, t):
    x, a1, z1, y = cache
    n = len(x)
    grads = {key: np.zeros_like(value) for key, value in params.items()}
    for i in range(n):
        d2 = (y[i] - t[i]) / n
        d1 = (params["W2"] @ d2) * (a1[i] > 0)
        grads["W2"] += np.outer(z1[i], d2)
        grads["b2"] += d2
        grads["W1"] += np.outer(x[i], d1)
        grads["b1"] += d1
    return grads
'''),
]
