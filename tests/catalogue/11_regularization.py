"""Catalogue for assignment 11_regularization: typical wrong answers and correct alternatives.

Each WRONG entry edits the instructor solution of one answer cell (``replace``: pairs of
old -> new text, each old text must occur in the solution) or gives the whole cell (``code``);
``fails`` names the test cell that must lose points. Each CORRECT entry must get full points.
"""

_L2_PENALTY = '''
def l2_penalty(params, alpha):
    return alpha * sum(float(np.sum(value ** 2)) for key, value in params.items()
                       if key.startswith("W"))
'''
_L1_PENALTY = '''
def l1_penalty(params, alpha):
    return alpha * sum(float(np.sum(np.abs(value))) for key, value in params.items()
                       if key.startswith("W"))
'''

WRONG = [
    # --- L2
    dict(cell="l2", name="L2 gradient without the 2", fails="test_l2",
         replace=[("2 * alpha * value if", "alpha * value if")]),
    dict(cell="l2", name="penalty applied to biases too", fails="test_l2",
         replace=[('''return alpha * sum(float(np.sum(value ** 2)) for key, value in params.items()
                       if key.startswith("W"))''',
                   "return alpha * sum(float(np.sum(value ** 2)) for value in params.values())")]),
    dict(cell="l2", name="gradient applied to biases too", fails="test_l2",
         replace=[('''2 * alpha * value if key.startswith("W") else np.zeros_like(value)''',
                   "2 * alpha * value")]),
    dict(cell="l2", name="sum of absolute values instead of squares", fails="test_l2",
         replace=[("np.sum(value ** 2)", "np.sum(np.abs(value))")]),
    dict(cell="l2", name="norm not squared", fails="test_l2",
         replace=[("np.sum(value ** 2)", "np.linalg.norm(value)")]),
    dict(cell="l2", name="alpha applied twice in the gradient", fails="test_l2",
         replace=[("2 * alpha * value if", "2 * alpha * (alpha * value) if")]),
    dict(cell="l2", name="mean of the squares instead of the sum", fails="test_l2",
         replace=[("np.sum(value ** 2)", "np.mean(value ** 2)")]),
    dict(cell="l2", name="everything except b penalized (gamma, beta too)", fails="test_l2",
         replace=[('if key.startswith("W"))', 'if not key.startswith("b"))'),
                  ('if key.startswith("W") else', 'if not key.startswith("b") else')]),
    dict(cell="l2", name="gradient dict without the bias keys", fails="test_l2",
         replace=[('''{key: 2 * alpha * value if key.startswith("W") else np.zeros_like(value)
            for key, value in params.items()}''',
                   '''{key: 2 * alpha * value for key, value in params.items()
            if key.startswith("W")}''')]),
    # --- L1
    dict(cell="l1", name="L1 gradient alpha * W instead of alpha * sign(W)", fails="test_l1",
         replace=[("alpha * np.sign(value) if", "alpha * value if")]),
    dict(cell="l1", name="L1 gradient alpha * |W| (sign lost)", fails="test_l1",
         replace=[("alpha * np.sign(value) if", "alpha * np.abs(value) if")]),
    dict(cell="l1", name="penalty applied to biases too", fails="test_l1",
         replace=[('''return alpha * sum(float(np.sum(np.abs(value))) for key, value in params.items()
                       if key.startswith("W"))''',
                   "return alpha * sum(float(np.sum(np.abs(value))) for value in params.values())")]),
    dict(cell="l1", name="gradient applied to biases too", fails="test_l1",
         replace=[('''alpha * np.sign(value) if key.startswith("W") else np.zeros_like(value)''',
                   "alpha * np.sign(value)")]),
    dict(cell="l1", name="squares instead of absolute values", fails="test_l1",
         replace=[("np.sum(np.abs(value))", "np.sum(value ** 2)")]),
    dict(cell="l1", name="alpha applied twice", fails="test_l1",
         replace=[("alpha * np.sign(value) if", "alpha * alpha * np.sign(value) if")]),
    dict(cell="l1", name="everything except b penalized (gamma, beta too)", fails="test_l1",
         replace=[('if key.startswith("W"))', 'if not key.startswith("b"))'),
                  ('if key.startswith("W") else', 'if not key.startswith("b") else')]),
    # --- soft thresholding
    dict(cell="soft_threshold", name="sign lost", fails="test_soft_threshold",
         replace=[("np.sign(v) * np.maximum(np.abs(v) - tau, 0.0)", "np.maximum(np.abs(v) - tau, 0.0)")]),
    dict(cell="soft_threshold", name="shift without the clamp at 0", fails="test_soft_threshold",
         replace=[("np.sign(v) * np.maximum(np.abs(v) - tau, 0.0)", "v - tau * np.sign(v)")]),
    dict(cell="soft_threshold", name="clip instead of shrink", fails="test_soft_threshold",
         replace=[("np.sign(v) * np.maximum(np.abs(v) - tau, 0.0)", "np.clip(v, -tau, tau)")]),
    dict(cell="soft_threshold", name="only the positive side", fails="test_soft_threshold",
         replace=[("np.sign(v) * np.maximum(np.abs(v) - tau, 0.0)", "np.maximum(v - tau, 0.0)")]),
    dict(cell="soft_threshold", name="changes v in place", fails="test_soft_threshold",
         code='''
def soft_threshold(v, tau):
    small = np.abs(v) <= tau
    v -= tau * np.sign(v)
    v[small] = 0.0
    return v
'''),
    # --- the solver
    dict(cell="penalized_descent", name="L2 step without the 2", fails="test_penalized_descent",
         replace=[("grad_f(w) + 2 * alpha * w", "grad_f(w) + alpha * w")]),
    dict(cell="penalized_descent", name="threshold alpha instead of lr * alpha",
         fails="test_penalized_descent",
         replace=[("soft_threshold(w - lr * grad_f(w), lr * alpha)",
                   "soft_threshold(w - lr * grad_f(w), alpha)")]),
    dict(cell="penalized_descent", name="constant-step subgradient for L1 (never settles at 0)",
         fails="test_penalized_descent",
         replace=[("w = soft_threshold(w - lr * grad_f(w), lr * alpha)",
                   "w = w - lr * (grad_f(w) + alpha * np.sign(w))")]),
    dict(cell="penalized_descent", name="L1 step with w instead of sign(w)",
         fails="test_penalized_descent",
         replace=[("w = soft_threshold(w - lr * grad_f(w), lr * alpha)",
                   "w = w - lr * (grad_f(w) + alpha * w)")]),
    dict(cell="penalized_descent", name="w0 updated in place", fails="test_penalized_descent",
         replace=[("w = np.array(w0, dtype=float)", "w = w0"),
                  ("w = w - lr * (grad_f(w) + 2 * alpha * w)", "w -= lr * (grad_f(w) + 2 * alpha * w)"),
                  ("w = soft_threshold(w - lr * grad_f(w), lr * alpha)",
                   "w[:] = soft_threshold(w - lr * grad_f(w), lr * alpha)")]),
    dict(cell="penalized_descent", name="l1 and l2 swapped", fails="test_penalized_descent",
         replace=[('if kind == "l2":', 'if kind == "l1":')]),
    # --- the schedule
    dict(cell="step_decay", name="epochs counted from 0 (drops one epoch early)",
         fails="test_step_decay",
         replace=[("factor ** ((epoch - 1) // drop_every)", "factor ** (epoch // drop_every)")]),
    dict(cell="step_decay", name="linear instead of a power", fails="test_step_decay",
         replace=[("factor ** ((epoch - 1) // drop_every)", "factor * ((epoch - 1) // drop_every)")]),
    dict(cell="step_decay", name="smooth exponential decay (true division)", fails="test_step_decay",
         replace=[("factor ** ((epoch - 1) // drop_every)", "factor ** ((epoch - 1) / drop_every)")]),
    dict(cell="step_decay", name="rounded instead of floored", fails="test_step_decay",
         replace=[("factor ** ((epoch - 1) // drop_every)", "factor ** round((epoch - 1) / drop_every)")]),
    # --- exact zeros, state across calls (issue #18)
    dict(cell="l1", name="L1 gradient as alpha * W / |W| (NaN at 0)", fails="test_l1",
         replace=[("alpha * np.sign(value) if key.startswith", "alpha * value / np.abs(value) if key.startswith")]),
    dict(cell="step_decay", name="schedule counts its calls instead of reading the epoch",
         fails="test_step_decay", code='''
def step_decay(drop_every, factor=0.1):
    calls = [0]

    def schedule(epoch):
        calls[0] += 1
        return factor ** ((calls[0] - 1) // drop_every)
    return schedule
'''),
    # --- the handout's two questions (issue #21)
    dict(cell="choose_configuration", name="chosen by the test accuracy", fails="test_choose_configuration",
         replace=[('["val_acc"].mean()', '["test_acc"].mean()')]),
    dict(cell="choose_configuration", name="chosen by the training accuracy", fails="test_choose_configuration",
         replace=[('["val_acc"].mean()', '["train_acc"].mean()')]),
    dict(cell="choose_configuration", name="chosen by the best single run", fails="test_choose_configuration",
         replace=[('["val_acc"].mean()', '["val_acc"].max()')]),
    dict(cell="choose_configuration", name="the row label of the best run instead of its configuration",
         fails="test_choose_configuration",
         code="""
def choose_configuration(results):
    return results["val_acc"].idxmax()
"""),
    dict(cell="choose_configuration", name="grouped by config only (the drop ignored)", fails="test_choose_configuration",
         code="""
def choose_configuration(results):
    best = results.groupby("config")["val_acc"].mean().idxmax()
    return best, True
"""),
    dict(cell="choose_configuration", name="smallest train-validation gap instead of the best validation",
         fails="test_choose_configuration",
         code="""
def choose_configuration(results):
    gap = (results["train_acc"] - results["val_acc"]).groupby([results["config"], results["lr_drop"]]).mean()
    return gap.idxmin()
"""),
    dict(cell="lr_drop_gain", name="sign reversed (without minus with)", fails="test_lr_drop_gain",
         replace=[("return means[True] - means[False]", "return means[False] - means[True]")]),
    dict(cell="lr_drop_gain", name="gain measured on the test set", fails="test_lr_drop_gain",
         replace=[('["val_acc"].mean()', '["test_acc"].mean()')]),
    dict(cell="lr_drop_gain", name="configs run one way only kept (NaN)", fails="test_lr_drop_gain",
         replace=[("    means = means.dropna()\n", "")]),
    dict(cell="lr_drop_gain", name="seed-by-seed differences, seeds assumed to match", fails="test_lr_drop_gain",
         code="""
def lr_drop_gain(results):
    on = results[results["lr_drop"]].sort_values(["config", "seed"])
    off = results[~results["lr_drop"]].sort_values(["config", "seed"])
    n = min(len(on), len(off))
    diff = on["val_acc"].to_numpy()[:n] - off["val_acc"].to_numpy()[:n]
    return pd.Series(diff, index=on["config"].to_numpy()[:n]).groupby(level=0).mean()
"""),
    dict(cell="lr_drop_gain", name="ratio instead of difference", fails="test_lr_drop_gain",
         replace=[("return means[True] - means[False]", "return means[True] / means[False]")]),
    dict(cell="lr_drop_reason", name="(a) escaping a local minimum", fails="test_lr_drop_reason",
         replace=[('LR_DROP_REASON = "b"', 'LR_DROP_REASON = "a"')]),
    dict(cell="lr_drop_reason", name="(c) the drop strengthens L2", fails="test_lr_drop_reason",
         replace=[('LR_DROP_REASON = "b"', 'LR_DROP_REASON = "c"')]),
    dict(cell="lr_drop_reason", name="(d) learning stops, so no overfitting", fails="test_lr_drop_reason",
         replace=[('LR_DROP_REASON = "b"', 'LR_DROP_REASON = "d"')]),
    dict(cell="lr_drop_reason", name="the letter in upper case", fails="test_lr_drop_reason",
         replace=[('LR_DROP_REASON = "b"', 'LR_DROP_REASON = "B"')]),
]

CORRECT = [
    dict(cell="choose_configuration", name="pivot table, then the maximum by hand", code="""
def choose_configuration(results):
    table = results.pivot_table(index=["config", "lr_drop"], values="val_acc", aggfunc="mean")
    best = table["val_acc"].to_numpy().argmax()
    config, lr_drop = table.index[best]
    return (config, lr_drop)
"""),
    dict(cell="choose_configuration", name="dictionary of lists", code="""
def choose_configuration(results):
    runs = {}
    for config, drop, acc in zip(results["config"], results["lr_drop"], results["val_acc"]):
        runs.setdefault((config, bool(drop)), []).append(acc)
    return max(runs, key=lambda key: sum(runs[key]) / len(runs[key]))
"""),
    dict(cell="lr_drop_gain", name="two group means and an inner join", code="""
def lr_drop_gain(results):
    with_drop = results[results["lr_drop"] == True].groupby("config")["val_acc"].mean()
    without = results[results["lr_drop"] == False].groupby("config")["val_acc"].mean()
    both = with_drop.index.intersection(without.index)
    return (with_drop[both] - without[both]).sort_index()
"""),
    dict(cell="lr_drop_gain", name="loop over configs with boolean masks", code="""
def lr_drop_gain(results):
    gains = {}
    for config in sorted(set(results["config"])):
        runs = results[results["config"] == config]
        drop = runs["lr_drop"].astype(bool)
        if drop.any() and (~drop).any():
            gains[config] = runs.loc[drop, "val_acc"].mean() - runs.loc[~drop, "val_acc"].mean()
    return pd.Series(gains, dtype=float)
"""),
    dict(cell="lr_drop_reason", name="the letter in single quotes", code="""
LR_DROP_REASON = 'b'
"""),
    dict(cell="lr_drop_reason", name="the letter lower-cased from a capital", code="""
LR_DROP_REASON = "B".lower()
"""),
    dict(cell="l2", name="explicit loops with np.dot and copies", code='''
def l2_penalty(params, alpha):
    total = 0.0
    for key in params:
        if key[0] == "W":
            flat = params[key].ravel()
            total += np.dot(flat, flat)
    return alpha * total


def l2_gradient(params, alpha):
    grads = {}
    for key, value in params.items():
        if key[0] == "W":
            grads[key] = 2.0 * alpha * value.copy()
        else:
            grads[key] = np.zeros(value.shape)
    return grads
'''),
    dict(cell="l2", name="np.square and the squared Frobenius norm", code='''
def l2_penalty(params, alpha):
    weights = [params[k] for k in sorted(params) if k.startswith("W")]
    return float(alpha * np.sum([np.linalg.norm(W) ** 2 for W in weights]))


def l2_gradient(params, alpha):
    return {k: (np.multiply(2 * alpha, v) if k.startswith("W") else 0.0 * v)
            for k, v in params.items()}
'''),
    dict(cell="l1", name="1-norm of the flattened weights, np.where gradient", code='''
def l1_penalty(params, alpha):
    total = 0.0
    for key, W in params.items():
        if key.startswith("W"):
            total += np.linalg.norm(W.ravel(), 1)
    return alpha * total


def l1_gradient(params, alpha):
    grads = {}
    for key, value in params.items():
        grads[key] = np.where(value > 0, alpha, -alpha) if key.startswith("W") else np.zeros_like(value)
    return grads
'''),
    dict(cell="l1", name="penalty as sum of |W| over a list, sign * alpha", code='''
def l1_penalty(params, alpha):
    weights = [v for k, v in params.items() if k[:1] == "W"]
    return alpha * float(sum(np.abs(W).sum() for W in weights))


def l1_gradient(params, alpha):
    out = {k: np.zeros_like(v) for k, v in params.items()}
    for k, v in params.items():
        if k[:1] == "W":
            out[k] = np.sign(v) * alpha
    return out
'''),
    dict(cell="soft_threshold", name="v minus its clipped part", code='''
def soft_threshold(v, tau):
    return v - np.clip(v, -tau, tau)
'''),
    dict(cell="soft_threshold", name="np.where", code='''
def soft_threshold(v, tau):
    v = np.asarray(v, dtype=float)
    return np.where(np.abs(v) > tau, v - tau * np.sign(v), 0.0)
'''),
    dict(cell="penalized_descent", name="subgradient steps with a shrinking step size", code='''
def penalized_descent(grad_f, w0, alpha, kind="l1", lr=0.05, steps=2000):
    w = np.array(w0, dtype=float)
    for t in range(steps):
        if kind == "l2":
            w = w - lr * (grad_f(w) + 2 * alpha * w)
        else:
            eta = lr / np.sqrt(t + 1)
            w = w - eta * (grad_f(w) + alpha * np.sign(w))
    return w
'''),
    dict(cell="penalized_descent", name="weight-decay form and inline prox with early stop", code='''
def penalized_descent(grad_f, w0, alpha, kind="l1", lr=0.05, steps=2000):
    w = w0.astype(float)
    for step in range(steps):
        if kind == "l1":
            v = w - lr * grad_f(w)
            new = v - np.clip(v, -lr * alpha, lr * alpha)
        else:
            new = (1 - 2 * lr * alpha) * w - lr * grad_f(w)
        if np.allclose(new, w, rtol=0, atol=1e-12):
            return new
        w = new
    return w
'''),
    dict(cell="step_decay", name="math.floor", code='''
import math


def step_decay(drop_every, factor=0.1):
    return lambda epoch: factor ** math.floor((epoch - 1) / drop_every)
'''),
    dict(cell="step_decay", name="a callable class with a loop", code='''
class _StepDecay:
    def __init__(self, drop_every, factor):
        self.drop_every = drop_every
        self.factor = factor

    def __call__(self, epoch):
        multiplier = 1.0
        boundary = self.drop_every
        while epoch > boundary:
            multiplier *= self.factor
            boundary += self.drop_every
        return multiplier


def step_decay(drop_every, factor=0.1):
    return _StepDecay(drop_every, factor)
'''),
    dict(cell="l1", name="np.where subgradient (-alpha at 0)", replace=[
        ("alpha * np.sign(value) if key.startswith", "np.where(value > 0, alpha, -alpha) if key.startswith")]),
]
