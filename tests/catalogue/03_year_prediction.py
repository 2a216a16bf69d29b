"""Catalogue for assignment 03_year_prediction: typical wrong answers and correct alternatives.

Each WRONG entry edits the instructor solution of one answer cell (``replace``: pairs of
old -> new text, each old text must occur in the solution) or gives the whole cell (``code``);
``fails`` names the test cell that must lose points. Each CORRECT entry must get full points.
"""

WRONG = [
    # --- standardize
    dict(cell="standardize", name="test set standardized with its own statistics",
         fails="test_standardize",
         replace=[("(x_test - mean) / std, mean, std",
                   "(x_test - x_test.mean(axis=0)) / x_test.std(axis=0), mean, std")]),
    dict(cell="standardize", name="statistics of train and test pooled", fails="test_standardize",
         replace=[("mean = x_train.mean(axis=0)",
                   "mean = np.concatenate([x_train, x_test]).mean(axis=0)"),
                  ("std = x_train.std(axis=0)",
                   "std = np.concatenate([x_train, x_test]).std(axis=0)")]),
    dict(cell="standardize", name="std with ddof=1 (pandas' default)", fails="test_standardize",
         replace=[("std = x_train.std(axis=0)", "std = x_train.std(axis=0, ddof=1)")]),
    dict(cell="standardize", name="one mean and std for the whole matrix (no axis)",
         fails="test_standardize",
         replace=[("mean = x_train.mean(axis=0)", "mean = x_train.mean()"),
                  ("std = x_train.std(axis=0)", "std = x_train.std()")]),
    dict(cell="standardize", name="test set centred but not scaled", fails="test_standardize",
         replace=[("(x_test - mean) / std, mean, std", "x_test - mean, mean, std")]),
    dict(cell="standardize", name="standardizes the caller's arrays in place",
         fails="test_standardize", code='''
def standardize(x_train, x_test):
    mean = x_train.mean(axis=0)
    std = x_train.std(axis=0)
    x_train -= mean
    x_train /= std
    x_test -= mean
    x_test /= std
    return x_train, x_test, mean, std
'''),
    dict(cell="standardize", name="imported from common instead of written",
         fails="test_standardize", code='''
from common.preprocessing import standardize
'''),
    # --- predict
    dict(cell="predict", name="no ReLU on the hidden layer", fails="test_predict",
         replace=[('np.maximum(x @ params["W1"] + params["b1"], 0.0)',
                   'x @ params["W1"] + params["b1"]')]),
    dict(cell="predict", name="ReLU on the output as well", fails="test_predict",
         replace=[('return hidden @ params["W2"] + params["b2"]',
                   'return np.maximum(hidden @ params["W2"] + params["b2"], 0.0)')]),
    dict(cell="predict", name="output bias forgotten", fails="test_predict",
         replace=[('return hidden @ params["W2"] + params["b2"]', 'return hidden @ params["W2"]')]),
    dict(cell="predict", name="sigmoid instead of ReLU", fails="test_predict",
         replace=[('np.maximum(x @ params["W1"] + params["b1"], 0.0)',
                   '1.0 / (1.0 + np.exp(-(x @ params["W1"] + params["b1"])))')]),
    dict(cell="predict", name="returns a flat (N,) array", fails="test_predict",
         replace=[('return hidden @ params["W2"] + params["b2"]',
                   'return (hidden @ params["W2"] + params["b2"]).ravel()')]),
    # --- loss_and_gradients
    dict(cell="loss_and_gradients", name="output gradient missing /N",
         fails="test_loss_and_gradients", replace=[("dy = (y - t) / n", "dy = y - t")]),
    dict(cell="loss_and_gradients", name="loss without the factor 1/2",
         fails="test_loss_and_gradients", replace=[("/ (2 * n))", "/ n)")]),
    dict(cell="loss_and_gradients", name="loss summed, not averaged",
         fails="test_loss_and_gradients", replace=[("/ (2 * n))", "/ 2)")]),
    dict(cell="loss_and_gradients", name="ReLU mask forgotten in the backward pass",
         fails="test_loss_and_gradients",
         replace=[('da1 = (dy @ params["W2"].T) * mask', 'da1 = dy @ params["W2"].T')]),
    dict(cell="loss_and_gradients", name="hidden bias gradient not summed over the batch",
         fails="test_loss_and_gradients",
         replace=[('grads["b1"] = np.sum(da1, axis=0)', 'grads["b1"] = da1')]),
    dict(cell="loss_and_gradients", name="dW2 from the pre-activation A1 instead of X1",
         fails="test_loss_and_gradients", replace=[('"W2": x1.T @ dy', '"W2": a1.T @ dy')]),
    dict(cell="loss_and_gradients", name="output bias gradient averaged instead of summed",
         fails="test_loss_and_gradients",
         replace=[('"b2": np.sum(dy, axis=0)', '"b2": np.mean(dy, axis=0)')]),
    # --- train
    dict(cell="train", name="no shuffling", fails="test_train",
         replace=[("order = rng.permutation(n)", "order = np.arange(n)")]),
    dict(cell="train", name="shuffled once, before the epochs", siblings=["a new generator with the same seed every epoch"], fails="test_train",
         replace=[("    history = []\n    for _ in range(epochs):\n        order = rng.permutation(n)\n",
                   "    history = []\n    order = rng.permutation(n)\n    for _ in range(epochs):\n")]),
    dict(cell="train", name="a new generator with the same seed every epoch", siblings=["shuffled once, before the epochs"], fails="test_train",
         replace=[("order = rng.permutation(n)",
                   "order = np.random.default_rng(seed).permutation(n)")]),
    dict(cell="train", name="last, smaller mini-batch dropped", fails="test_train",
         replace=[("range(0, n, batch_size)", "range(0, n - batch_size + 1, batch_size)")]),
    dict(cell="train", name="x shuffled but t taken in the original order", fails="test_train",
         replace=[("t[batch]", "t[start:start + batch_size]")]),
    dict(cell="train", name="gradient ascent (sign error)", fails="test_train",
         replace=[("params[key] -= lr * grads[key]", "params[key] += lr * grads[key]")]),
    dict(cell="train", name="learning rate forgotten", fails="test_train",
         replace=[("params[key] -= lr * grads[key]", "params[key] -= grads[key]")]),
    dict(cell="train", name="updates a new local dict; the caller's params never change",
         fails="test_train",
         replace=[("for key in params:\n                params[key] -= lr * grads[key]",
                   "params = {key: params[key] - lr * grads[key] for key in params}")]),
    dict(cell="train", name="history holds the last mini-batch loss", fails="test_train",
         replace=[("history.append(float(np.mean(losses)))", "history.append(float(loss))")]),
    # --- metrics
    dict(cell="metrics", name="no flattening: (M, 1) - (M,) broadcasts to (M, M)",
         fails="test_metrics",
         replace=[("errors = np.ravel(y_pred) - np.ravel(y_true)", "errors = y_pred - y_true")]),
    dict(cell="metrics", name="rmse without the square root", fails="test_metrics",
         replace=[("float(np.sqrt(np.mean(errors ** 2)))", "float(np.mean(errors ** 2))")]),
    dict(cell="metrics", name="mae without the absolute value", fails="test_metrics",
         replace=[("float(np.mean(np.abs(errors)))", "float(np.mean(errors))")]),
    dict(cell="metrics", name="rmse from the sum, not the mean", fails="test_metrics",
         replace=[("np.sqrt(np.mean(errors ** 2))", "np.sqrt(np.sum(errors ** 2))")]),
    dict(cell="metrics", name="rmse with the loss's factor 1/2", fails="test_metrics",
         replace=[("np.sqrt(np.mean(errors ** 2))", "np.sqrt(np.mean(errors ** 2) / 2)")]),
    # --- predict_original
    dict(cell="predict_original", name="standardized predictions returned as they are",
         fails="test_predict_original",
         replace=[("return (t_mean + t_std * predict(params, x)).ravel()",
                   "return predict(params, x).ravel()")]),
    dict(cell="predict_original", name="standardizes again instead of undoing it",
         fails="test_predict_original",
         replace=[("return (t_mean + t_std * predict(params, x)).ravel()",
                   "return ((predict(params, x) - t_mean) / t_std).ravel()")]),
    dict(cell="predict_original", name="mean not added back", fails="test_predict_original",
         replace=[("(t_mean + t_std * predict(params, x))", "(t_std * predict(params, x))")]),
    dict(cell="predict_original", name="not multiplied by the std", fails="test_predict_original",
         replace=[("(t_mean + t_std * predict(params, x))", "(t_mean + predict(params, x))")]),
    dict(cell="predict_original", name="returns an (N, 1) column", fails="test_predict_original",
         replace=[("return (t_mean + t_std * predict(params, x)).ravel()",
                   "return t_mean + t_std * predict(params, x)")]),
    dict(cell="predict_original", name="np.squeeze without axis (breaks for one example)",
         fails="test_predict_original",
         replace=[("return (t_mean + t_std * predict(params, x)).ravel()",
                   "return np.squeeze(t_mean + t_std * predict(params, x))")]),
    # --- uneven batches, disturbed global RNG (issue #18)
    dict(cell="train", name="epoch loss divided by N // batch_size (wrong for a smaller last batch)",
         fails="test_train",
         replace=[("history.append(float(np.mean(losses)))",
                   "history.append(float(np.sum(losses) / max(n // batch_size, 1)))")]),
    dict(cell="train", name="shuffled with the global np.random.permutation", fails="test_train",
         replace=[("order = rng.permutation(n)", "order = np.random.permutation(n)")]),
    dict(cell="train", name="global np.random seeded with seed, then np.random.permutation",
         fails="test_train",
         replace=[("rng = np.random.default_rng(seed)\n", "np.random.seed(seed)\n"),
                  ("order = rng.permutation(n)", "order = np.random.permutation(n)")]),
]

CORRECT = [
    dict(cell="standardize", name="column loop with explicit sums", code='''
def standardize(x_train, x_test):
    n, k = x_train.shape
    mean = np.zeros(k)
    std = np.zeros(k)
    for j in range(k):
        column = x_train[:, j]
        mean[j] = column.sum() / n
        std[j] = np.sqrt(((column - mean[j]) ** 2).sum() / n)
    return (x_train - mean) / std, (x_test - mean) / std, mean, std
'''),
    dict(cell="standardize", name="keepdims, then flattened statistics", code='''
def standardize(x_train, x_test):
    mu = np.mean(x_train, axis=0, keepdims=True)
    sigma = np.sqrt(np.mean((x_train - mu) ** 2, axis=0, keepdims=True))
    return (x_train - mu) / sigma, (x_test - mu) / sigma, mu.ravel(), sigma.ravel()
'''),
    dict(cell="standardize", name="pandas with ddof=0", code='''
def standardize(x_train, x_test):
    frame = pd.DataFrame(x_train)
    mean = frame.mean().to_numpy()
    std = frame.std(ddof=0).to_numpy()
    train_std = (pd.DataFrame(x_train) - mean) / std
    test_std = (pd.DataFrame(x_test) - mean) / std
    return train_std.to_numpy(), test_std.to_numpy(), mean, std
'''),
    dict(cell="predict", name="mask multiplication with np.dot", code='''
def predict(params, x):
    a1 = np.dot(x, params["W1"]) + params["b1"]
    x1 = a1 * (a1 > 0)
    return np.dot(x1, params["W2"]) + params["b2"]
'''),
    dict(cell="predict", name="einsum and np.where", code='''
def predict(params, x):
    a1 = np.einsum("nk,kh->nh", x, params["W1"]) + params["b1"]
    return np.where(a1 > 0, a1, 0.0) @ params["W2"] + params["b2"]
'''),
    dict(cell="predict", name="one example at a time", code='''
def predict(params, x):
    out = np.empty((x.shape[0], 1))
    for i, row in enumerate(x):
        hidden = np.maximum(0.0, row @ params["W1"] + params["b1"])
        out[i] = hidden @ params["W2"] + params["b2"]
    return out
'''),
    dict(cell="loss_and_gradients", name="0.5 * mean and np.where", code='''
def loss_and_gradients(params, x, t):
    W1, b1, W2, b2 = params["W1"], params["b1"], params["W2"], params["b2"]
    a1 = x @ W1 + b1
    h = np.maximum(a1, 0)
    err = h @ W2 + b2 - t
    loss = 0.5 * np.mean(err ** 2)
    d_out = err / len(x)
    d_a1 = np.where(a1 > 0, d_out @ W2.T, 0.0)
    return loss, {"W1": x.T @ d_a1, "b1": d_a1.sum(axis=0),
                  "W2": h.T @ d_out, "b2": d_out.sum(axis=0)}
'''),
    dict(cell="loss_and_gradients", name="per-example loop accumulating gradients", code='''
def loss_and_gradients(params, x, t):
    n = len(x)
    grads = {key: np.zeros_like(value) for key, value in params.items()}
    loss = 0.0
    for xn, tn in zip(x, t):
        a1 = xn @ params["W1"] + params["b1"]          # (H,)
        h = np.maximum(a1, 0)
        e = h @ params["W2"] + params["b2"] - tn       # (1,)
        loss += 0.5 * float(e[0] ** 2) / n
        grads["W2"] += np.outer(h, e) / n
        grads["b2"] += e / n
        da1 = (params["W2"] @ e) * (a1 > 0) / n        # (H,)
        grads["W1"] += np.outer(xn, da1)
        grads["b1"] += da1
    return loss, grads
'''),
    dict(cell="loss_and_gradients", name="reuses predict, zeroes a copy with a boolean index", code='''
def loss_and_gradients(params, x, t):
    y = predict(params, x)
    n = y.shape[0]
    loss = np.sum((y - t) ** 2) / n / 2
    a1 = x @ params["W1"] + params["b1"]
    dy = (y - t) / n
    dh = dy @ params["W2"].T
    dh[a1 <= 0] = 0.0
    return loss, {"W1": x.T @ dh, "b1": dh.sum(0),
                  "W2": np.maximum(a1, 0).T @ dy, "b2": dy.sum(0)}
'''),
    dict(cell="train", name="rng.shuffle, while loop, new arrays stored in the dict", code='''
def train(params, x, t, lr, epochs, batch_size, seed=0):
    rng = np.random.default_rng(seed)
    indices = np.arange(len(x))
    history = []
    for epoch in range(epochs):
        rng.shuffle(indices)
        total, count = 0.0, 0
        start = 0
        while start < len(x):
            rows = indices[start:start + batch_size]
            loss, grads = loss_and_gradients(params, x[rows], t[rows])
            for name, grad in grads.items():
                params[name] = params[name] - lr * grad
            total += loss
            count += 1
            start += batch_size
        history.append(total / count)
    return history
'''),
    dict(cell="train", name="shuffled copies, np.array_split and common's SGD", code='''
from common.optimizers import SGD


def train(params, x, t, lr, epochs, batch_size, seed=0):
    rng = np.random.default_rng(seed)
    optimizer = SGD(lr=lr)
    n_batches = int(np.ceil(len(x) / batch_size))
    history = np.zeros(epochs)
    for epoch in range(epochs):
        perm = rng.permutation(len(x))
        x_shuffled, t_shuffled = x[perm], t[perm]
        losses = []
        for xb, tb in zip(np.array_split(x_shuffled, n_batches),
                          np.array_split(t_shuffled, n_batches)):
            loss, grads = loss_and_gradients(params, xb, tb)
            optimizer.update(params, grads)
            losses.append(loss)
        history[epoch] = np.mean(losses)
    return history
'''),
    dict(cell="train", name="rng.choice without replacement, list of batches", code='''
def train(params, x, t, lr, epochs, batch_size, seed=0):
    rng = np.random.default_rng(seed)
    n = x.shape[0]
    history = []
    for _ in range(epochs):
        order = rng.choice(n, size=n, replace=False)
        batches = [order[i:i + batch_size] for i in range(0, n, batch_size)]
        epoch_losses = []
        for batch in batches:
            loss, grads = loss_and_gradients(params, x[batch, :], t[batch, :])
            for key, value in params.items():
                value -= lr * grads[key]
            epoch_losses.append(loss)
        history.append(sum(epoch_losses) / len(epoch_losses))
    return history
'''),
    dict(cell="metrics", name="norm and flatten", code='''
def rmse(y_pred, y_true):
    d = np.asarray(y_pred, dtype=float).reshape(-1) - np.asarray(y_true, dtype=float).reshape(-1)
    return np.linalg.norm(d) / np.sqrt(d.size)


def mae(y_pred, y_true):
    d = np.asarray(y_pred).flatten() - np.asarray(y_true).flatten()
    return np.abs(d).sum() / d.size
'''),
    dict(cell="metrics", name="plain Python loops with math.sqrt", code='''
import math


def rmse(y_pred, y_true):
    a, b = np.ravel(y_pred), np.ravel(y_true)
    return math.sqrt(sum((p - q) ** 2 for p, q in zip(a, b)) / len(a))


def mae(y_pred, y_true):
    a, b = np.ravel(y_pred), np.ravel(y_true)
    return sum(abs(p - q) for p, q in zip(a, b)) / len(a)
'''),
    dict(cell="metrics", name="scikit-learn's metrics on flattened arrays", code='''
from sklearn.metrics import mean_absolute_error, mean_squared_error


def rmse(y_pred, y_true):
    return float(np.sqrt(mean_squared_error(np.ravel(y_true), np.ravel(y_pred))))


def mae(y_pred, y_true):
    return float(mean_absolute_error(np.ravel(y_true), np.ravel(y_pred)))
'''),
    dict(cell="predict_original", name="first column, scalar statistics", code='''
def predict_original(params, x, t_mean, t_std):
    return predict(params, x)[:, 0] * t_std[0] + t_mean[0]
'''),
    dict(cell="predict_original", name="reshape(-1) before un-standardizing", code='''
def predict_original(params, x, t_mean, t_std):
    standardized = predict(params, x).reshape(-1)
    return standardized * t_std + t_mean
'''),
    dict(cell="predict_original", name="squeeze with an explicit axis", code='''
def predict_original(params, x, t_mean, t_std):
    return np.squeeze(predict(params, x) * t_std + t_mean, axis=1)
'''),
]
