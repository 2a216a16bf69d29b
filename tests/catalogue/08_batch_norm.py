"""Catalogue for assignment 08_batch_norm: typical wrong answers and correct alternatives.

Each WRONG entry edits the instructor solution of one answer cell (``replace``: pairs of
old -> new text, each old text must occur in the solution) or gives the whole cell (``code``);
``fails`` names the test cell that must lose points. Each CORRECT entry must get full points.
"""

WRONG = [
    # --- standardize
    dict(cell="standardize", name="test set standardized with its own statistics", fails="test_standardize",
         replace=[("return (x_train - mean) / std, (x_test - mean) / std",
                   "return (x_train - mean) / std, (x_test - x_test.mean(axis=0)) / x_test.std(axis=0)")]),
    dict(cell="standardize", name="statistics of the whole array (no axis)", fails="test_standardize",
         replace=[("mean = x_train.mean(axis=0)", "mean = x_train.mean()"),
                  ("std = x_train.std(axis=0)", "std = x_train.std()")]),
    dict(cell="standardize", name="unbiased standard deviation (ddof=1)", fails="test_standardize",
         replace=[("std = x_train.std(axis=0)", "std = x_train.std(axis=0, ddof=1)")]),
    dict(cell="standardize", name="divided by the variance", fails="test_standardize",
         replace=[("std = x_train.std(axis=0)", "std = x_train.var(axis=0)")]),
    dict(cell="standardize", name="rows instead of columns (axis=1)", fails="test_standardize",
         replace=[("mean = x_train.mean(axis=0)", "mean = x_train.mean(axis=1, keepdims=True)"),
                  ("std = x_train.std(axis=0)", "std = x_train.std(axis=1, keepdims=True)"),
                  ("(x_test - mean) / std", "(x_test - x_test.mean(axis=1, keepdims=True)) / x_test.std(axis=1, keepdims=True)")]),
    dict(cell="standardize", name="modifies x_train in place", fails="test_standardize",
         replace=[("return (x_train - mean) / std, (x_test - mean) / std",
                   "x_train -= mean\n    x_train /= std\n    return x_train, (x_test - mean) / std")]),
    # --- batch norm: forward in training mode
    dict(cell="batch_norm", name="unbiased batch variance (ddof=1)", siblings=["running variance with ddof=1"], fails="test_bn_forward",
         replace=[("var = ((x - mu) ** 2).mean(axis=0)", "var = x.var(axis=0, ddof=1)")]),
    dict(cell="batch_norm", name="normalized over the neurons (axis=1)", fails="test_bn_forward",
         replace=[("mu = x.mean(axis=0)\n", "mu = x.mean(axis=1, keepdims=True)\n"),
                  ("var = ((x - mu) ** 2).mean(axis=0)", "var = ((x - mu) ** 2).mean(axis=1, keepdims=True)"),
                  ("self.running_mean = m * self.running_mean + (1 - m) * mu",
                   "self.running_mean = m * self.running_mean + (1 - m) * x.mean(axis=0)"),
                  ("self.running_var = m * self.running_var + (1 - m) * var",
                   "self.running_var = m * self.running_var + (1 - m) * x.var(axis=0)")]),
    dict(cell="batch_norm", name="gamma and beta swapped", fails="test_bn_forward",
         replace=[("return self.gamma * self.x_hat + self.beta", "return self.beta * self.x_hat + self.gamma")]),
    dict(cell="batch_norm", name="divided by the variance, not the standard deviation", fails="test_bn_forward",
         replace=[("self.std = np.sqrt(var + self.eps)", "self.std = var + self.eps")]),
    dict(cell="batch_norm", name="centers x in place", fails="test_bn_forward",
         replace=[("        self.std = np.sqrt(var + self.eps)\n        self.x_hat = (x - mu) / self.std",
                   "        self.std = np.sqrt(var + self.eps)\n        x -= mu\n        self.x_hat = x / self.std")]),
    # --- batch norm: running statistics
    dict(cell="batch_norm", name="momentum applied to the new batch instead of the old value",
         fails="test_bn_running_statistics",
         replace=[("self.running_mean = m * self.running_mean + (1 - m) * mu",
                   "self.running_mean = (1 - m) * self.running_mean + m * mu"),
                  ("self.running_var = m * self.running_var + (1 - m) * var",
                   "self.running_var = (1 - m) * self.running_var + m * var")]),
    dict(cell="batch_norm", name="running variance averages the standard deviation",
         fails="test_bn_running_statistics",
         replace=[("self.running_var = m * self.running_var + (1 - m) * var",
                   "self.running_var = m * self.running_var + (1 - m) * np.sqrt(var)")]),
    dict(cell="batch_norm", name="running variance with ddof=1", siblings=["unbiased batch variance (ddof=1)"], fails="test_bn_running_statistics",
         replace=[("self.running_var = m * self.running_var + (1 - m) * var",
                   "self.running_var = m * self.running_var + (1 - m) * x.var(axis=0, ddof=1)")]),
    dict(cell="batch_norm", name="running statistics never stored (local variables)",
         fails="test_bn_running_statistics",
         replace=[("self.running_mean = m * self.running_mean + (1 - m) * mu",
                   "running_mean = m * self.running_mean + (1 - m) * mu"),
                  ("self.running_var = m * self.running_var + (1 - m) * var",
                   "running_var = m * self.running_var + (1 - m) * var")]),
    dict(cell="batch_norm", name="momentum hard-coded as 0.9", fails="test_bn_running_statistics",
         replace=[("m = self.momentum", "m = 0.9")]),
    dict(cell="batch_norm", name="running statistics overwritten by the last batch",
         fails="test_bn_running_statistics",
         replace=[("self.running_mean = m * self.running_mean + (1 - m) * mu", "self.running_mean = mu"),
                  ("self.running_var = m * self.running_var + (1 - m) * var", "self.running_var = var")]),
    # --- batch norm: inference
    dict(cell="batch_norm", name="batch statistics at inference (one example gives beta)",
         fails="test_bn_inference",
         replace=[("            mu, var = self.running_mean, self.running_var",
                   "            mu, var = x.mean(axis=0), x.var(axis=0)")]),
    dict(cell="batch_norm", name="running statistics also updated at inference", fails="test_bn_inference",
         code='''
class BatchNormalization:
    def __init__(self, gamma, beta, momentum=0.9, eps=1e-8):
        self.gamma = gamma
        self.beta = beta
        self.momentum = momentum
        self.eps = eps
        self.running_mean = np.zeros_like(gamma)
        self.running_var = np.ones_like(gamma)
        self.dgamma = None
        self.dbeta = None

    def forward(self, x, training=True):
        mu = x.mean(axis=0)
        var = x.var(axis=0)
        self.running_mean = self.momentum * self.running_mean + (1 - self.momentum) * mu
        self.running_var = self.momentum * self.running_var + (1 - self.momentum) * var
        if not training:
            mu, var = self.running_mean, self.running_var
        self.std = np.sqrt(var + self.eps)
        self.x_hat = (x - mu) / self.std
        return self.gamma * self.x_hat + self.beta

    def backward(self, dout):
        self.dbeta = dout.sum(axis=0)
        self.dgamma = (self.x_hat * dout).sum(axis=0)
        c = dout.mean(axis=0)
        d = (self.x_hat * dout).mean(axis=0)
        return self.gamma / self.std * (dout - c - self.x_hat * d)
'''),
    dict(cell="batch_norm", name="inference divides by the running variance", fails="test_bn_inference",
         replace=[("        else:\n            mu, var = self.running_mean, self.running_var",
                   "        else:\n            self.x_hat = (x - self.running_mean) / (self.running_var + self.eps)\n"
                   "            return self.gamma * self.x_hat + self.beta")]),
    dict(cell="batch_norm", name="inference forgets gamma and beta", fails="test_bn_inference",
         replace=[("        else:\n            mu, var = self.running_mean, self.running_var",
                   "        else:\n            return (x - self.running_mean) / np.sqrt(self.running_var + self.eps)")]),
    # --- batch norm: backward
    dict(cell="batch_norm", name="mean and variance treated as constants: dx = gamma/sigma * dout",
         fails="test_bn_backward",
         replace=[("return self.gamma / self.std * (dout - c - self.x_hat * d)",
                   "return self.gamma / self.std * dout")]),
    dict(cell="batch_norm", name="dx misses the mean term c", fails="test_bn_backward",
         replace=[("return self.gamma / self.std * (dout - c - self.x_hat * d)",
                   "return self.gamma / self.std * (dout - self.x_hat * d)")]),
    dict(cell="batch_norm", name="dx misses the x_hat * d term", fails="test_bn_backward",
         replace=[("return self.gamma / self.std * (dout - c - self.x_hat * d)",
                   "return self.gamma / self.std * (dout - c)")]),
    dict(cell="batch_norm", name="dx without gamma", fails="test_bn_backward",
         replace=[("return self.gamma / self.std * (dout - c - self.x_hat * d)",
                   "return (dout - c - self.x_hat * d) / self.std")]),
    dict(cell="batch_norm", name="dgamma = sum(dout) (x_hat forgotten)", fails="test_bn_backward",
         replace=[("self.dgamma = (self.x_hat * dout).sum(axis=0)", "self.dgamma = dout.sum(axis=0)")]),
    dict(cell="batch_norm", name="dbeta averaged instead of summed", fails="test_bn_backward",
         replace=[("self.dbeta = dout.sum(axis=0)", "self.dbeta = dout.mean(axis=0)")]),
    dict(cell="batch_norm", name="d computed from dout alone", fails="test_bn_backward",
         replace=[("d = (self.x_hat * dout).mean(axis=0)", "d = dout.mean(axis=0)")]),
    dict(cell="batch_norm", name="dgamma not summed over the batch", fails="test_bn_backward",
         replace=[("self.dgamma = (self.x_hat * dout).sum(axis=0)", "self.dgamma = self.x_hat * dout")]),
    # --- default mode, exact zeros, state across calls (issue #18)
    dict(cell="batch_norm", name="forward(x) defaults to inference", fails="test_bn_forward",
         replace=[("def forward(self, x, training=True):", "def forward(self, x, training=False):")]),
    dict(cell="batch_norm", name="no eps in the training normalization (0 / 0 for a constant column)",
         fails="test_bn_forward",
         replace=[("        self.std = np.sqrt(var + self.eps)\n",
                   "        self.std = np.sqrt(var) if training else np.sqrt(var + self.eps)\n")]),
    dict(cell="batch_norm", name="dgamma and dbeta accumulated across backward calls",
         fails="test_bn_backward",
         replace=[("        self.dbeta = dout.sum(axis=0)\n        self.dgamma = (self.x_hat * dout).sum(axis=0)\n",
                   "        if self.dbeta is None:\n            self.dbeta, self.dgamma = 0.0, 0.0\n"
                   "        self.dbeta = self.dbeta + dout.sum(axis=0)\n"
                   "        self.dgamma = self.dgamma + (self.x_hat * dout).sum(axis=0)\n")]),
    dict(cell="batch_norm", name="backward scales the stored x_hat in place", fails="test_bn_backward",
         replace=[("        d = (self.x_hat * dout).mean(axis=0)\n"
                   "        return self.gamma / self.std * (dout - c - self.x_hat * d)",
                   "        d = (self.x_hat * dout).mean(axis=0)\n"
                   "        self.x_hat *= d\n"
                   "        return self.gamma / self.std * (dout - c - self.x_hat)")]),
    # --- batch norm: the backward pass node by node (issue #21)
    dict(cell="bn_node_gradients", name="dE/dx_hat without gamma", fails="test_bn_node_gradients",
         replace=[('grads["x_hat"] = gamma * dout', 'grads["x_hat"] = dout')]),
    dict(cell="bn_node_gradients", name="dE/dsigma with the wrong sign", fails="test_bn_node_gradients",
         replace=[('grads["sigma"] = -(grads["x_hat"] * xc).sum(axis=0) / sigma ** 2',
                   'grads["sigma"] = (grads["x_hat"] * xc).sum(axis=0) / sigma ** 2')]),
    dict(cell="bn_node_gradients", name="dE/dsigma not summed over the batch (a broadcast statistic)",
         fails="test_bn_node_gradients",
         replace=[('grads["sigma"] = -(grads["x_hat"] * xc).sum(axis=0) / sigma ** 2',
                   'grads["sigma"] = -(grads["x_hat"] * xc) / sigma ** 2')]),
    dict(cell="bn_node_gradients", name="dE/dv misses the 1/2 of the square root's derivative",
         fails="test_bn_node_gradients",
         replace=[('grads["v"] = grads["sigma"] / (2 * sigma)', 'grads["v"] = grads["sigma"] / sigma')]),
    dict(cell="bn_node_gradients", name="dE/dxc only through x_hat (xc is used twice)",
         fails="test_bn_node_gradients",
         replace=[('grads["xc"] = grads["x_hat"] / sigma + grads["v"] * 2 * xc / n',
                   'grads["xc"] = grads["x_hat"] / sigma')]),
    dict(cell="bn_node_gradients", name="dE/dxc through v without the 1/N of the mean",
         fails="test_bn_node_gradients",
         replace=[('grads["xc"] = grads["x_hat"] / sigma + grads["v"] * 2 * xc / n',
                   'grads["xc"] = grads["x_hat"] / sigma + grads["v"] * 2 * xc')]),
    dict(cell="bn_node_gradients", name="dE/dmu with a plus sign", fails="test_bn_node_gradients",
         replace=[('grads["mu"] = -grads["xc"].sum(axis=0)', 'grads["mu"] = grads["xc"].sum(axis=0)')]),
    dict(cell="bn_node_gradients", name="dE/dx misses the path through mu", fails="test_bn_node_gradients",
         replace=[('grads["x"] = grads["xc"] + grads["mu"] / n', 'grads["x"] = grads["xc"]')]),
    dict(cell="bn_node_gradients", name="dE/dx: mu's gradient not shared out over the N rows",
         fails="test_bn_node_gradients",
         replace=[('grads["x"] = grads["xc"] + grads["mu"] / n', 'grads["x"] = grads["xc"] + grads["mu"]')]),
    dict(cell="bn_node_gradients", name="dE/dgamma from dout alone", fails="test_bn_node_gradients",
         replace=[('"gamma": (x_hat * dout).sum(axis=0)', '"gamma": dout.sum(axis=0)')]),
    dict(cell="bn_node_gradients", name="eps hard-coded as 1e-8 (the argument ignored)",
         fails="test_bn_node_gradients",
         replace=[("sigma = np.sqrt(v + eps)", "sigma = np.sqrt(v + 1e-8)")]),
    dict(cell="bn_node_gradients", name="variance with ddof=1 in the graph", fails="test_bn_node_gradients",
         replace=[("v = (xc ** 2).mean(axis=0)", "v = (xc ** 2).sum(axis=0) / (n - 1)")]),
    dict(cell="bn_node_gradients", name="dout scaled in place", fails="test_bn_node_gradients",
         replace=[('grads["x_hat"] = gamma * dout', 'dout *= gamma\n    grads["x_hat"] = dout')]),
]

CORRECT = [
    dict(cell="bn_node_gradients", name="column by column with scalar steps", code='''
def batch_norm_node_gradients(x, gamma, dout, eps=1e-8):
    n, k = x.shape
    names = ("x_hat", "xc", "x", "sigma", "v", "mu", "gamma", "beta")
    out = {name: np.zeros(x.shape if name in ("x_hat", "xc", "x") else k) for name in names}
    for j in range(k):
        col, g = x[:, j], dout[:, j]
        mu = sum(col) / n
        xc = col - mu
        v = sum(xc * xc) / n
        sigma = (v + eps) ** 0.5
        x_hat = xc / sigma
        out["beta"][j] = g.sum()
        out["gamma"][j] = (g * x_hat).sum()
        dxh = gamma[j] * g
        out["x_hat"][:, j] = dxh
        dsigma = sum(-dxh[i] * xc[i] / sigma ** 2 for i in range(n))
        dv = dsigma * 0.5 * (v + eps) ** -0.5
        dxc = dxh / sigma + dv * 2.0 * xc / n
        dmu = -dxc.sum()
        out["sigma"][j], out["v"][j], out["mu"][j] = dsigma, dv, dmu
        out["xc"][:, j] = dxc
        out["x"][:, j] = dxc + dmu / n
    return out
'''),
    dict(cell="bn_node_gradients", name="the handout's graph (v from x and mu) and the compact dx", code='''
def batch_norm_node_gradients(x, gamma, dout, eps=1e-8):
    n = len(x)
    mean = np.mean(x, axis=0, keepdims=True)
    centered = x - mean
    var = np.var(x, axis=0, keepdims=True)
    std = np.sqrt(var + eps)
    x_hat = centered / std
    dx_hat = dout * gamma
    dstd = -np.sum(dx_hat * x_hat, axis=0, keepdims=True) / std
    dvar = dstd / (2.0 * std)
    dcentered = dx_hat / std + 2.0 * centered * dvar / n
    # mu also enters var = mean((x - mu)**2): that path adds -2 dvar mean(x - mu), which is 0
    dmean = -np.sum(dx_hat / std, axis=0, keepdims=True) - 2.0 * dvar * np.mean(centered, axis=0, keepdims=True)
    c = dout.mean(axis=0)
    d = (x_hat * dout).mean(axis=0)
    return {"x_hat": dx_hat, "sigma": dstd.ravel(), "v": dvar.ravel(), "xc": dcentered,
            "mu": dmean.ravel(), "x": gamma / std * (dout - c - x_hat * d),
            "gamma": np.sum(x_hat * dout, axis=0), "beta": np.sum(dout, axis=0)}
'''),
    dict(cell="standardize", name="np.mean and np.sqrt of np.var, one helper", code='''
def standardize(x_train, x_test):
    mu = np.mean(x_train, axis=0, keepdims=True)
    sigma = np.sqrt(np.var(x_train, axis=0, keepdims=True))

    def scale(x):
        return (x - mu) / sigma

    return scale(x_train), scale(x_test)
'''),
    dict(cell="standardize", name="column by column loop", code='''
def standardize(x_train, x_test):
    train_out = np.empty(x_train.shape)
    test_out = np.empty(x_test.shape)
    for k in range(x_train.shape[1]):
        column = x_train[:, k]
        m = column.sum() / len(column)
        s = np.sqrt(((column - m) ** 2).sum() / len(column))
        train_out[:, k] = (column - m) / s
        test_out[:, k] = (x_test[:, k] - m) / s
    return train_out, test_out
'''),
    dict(cell="batch_norm", name="step-by-step computational-graph backward, np.var", code='''
class BatchNormalization:
    def __init__(self, gamma, beta, momentum=0.9, eps=1e-8):
        self.gamma = gamma
        self.beta = beta
        self.momentum = momentum
        self.eps = eps
        self.running_mean = np.zeros_like(gamma)
        self.running_var = np.ones_like(gamma)
        self.dgamma = None
        self.dbeta = None

    def forward(self, x, training=True):
        if not training:
            x_hat = (x - self.running_mean) / np.sqrt(self.running_var + self.eps)
            return self.gamma * x_hat + self.beta
        self.xc = x - np.mean(x, axis=0)
        self.var = np.var(x, axis=0)
        self.inv_std = 1.0 / np.sqrt(self.var + self.eps)
        self.x_hat = self.xc * self.inv_std
        self.running_mean = self.momentum * self.running_mean + (1 - self.momentum) * np.mean(x, axis=0)
        self.running_var = self.momentum * self.running_var + (1 - self.momentum) * self.var
        return self.gamma * self.x_hat + self.beta

    def backward(self, dout):
        n = dout.shape[0]
        self.dbeta = np.sum(dout, axis=0)
        self.dgamma = np.sum(dout * self.x_hat, axis=0)
        dx_hat = dout * self.gamma
        dvar = np.sum(dx_hat * self.xc, axis=0) * -0.5 * self.inv_std ** 3
        dmu = -np.sum(dx_hat, axis=0) * self.inv_std - 2.0 * dvar * np.mean(self.xc, axis=0)
        return dx_hat * self.inv_std + dvar * 2.0 * self.xc / n + dmu / n
'''),
    dict(cell="batch_norm", name="per-neuron Jacobian loop, in-place running updates", code='''
class BatchNormalization:
    def __init__(self, gamma, beta, momentum=0.9, eps=1e-8):
        self.gamma = gamma
        self.beta = beta
        self.momentum = momentum
        self.eps = eps
        self.running_mean = np.zeros_like(gamma)
        self.running_var = np.ones_like(gamma)
        self.dgamma = None
        self.dbeta = None

    def forward(self, x, training=True):
        if training:
            mean = x.sum(axis=0) / x.shape[0]
            var = ((x - mean) ** 2).sum(axis=0) / x.shape[0]
            self.running_mean *= self.momentum
            self.running_mean += (1 - self.momentum) * mean
            self.running_var *= self.momentum
            self.running_var += (1 - self.momentum) * var
        else:
            mean = self.running_mean.copy()
            var = self.running_var.copy()
        self.sigma = np.sqrt(var + self.eps)
        self.normalized = (x - mean) / self.sigma
        return self.normalized * self.gamma + self.beta

    def backward(self, dout):
        n, k = dout.shape
        dx = np.zeros(dout.shape)
        for j in range(k):
            z = self.normalized[:, j]
            jacobian = (np.eye(n) - 1.0 / n - np.outer(z, z) / n) / self.sigma[j]
            dx[:, j] = self.gamma[j] * jacobian @ dout[:, j]
        self.dgamma = np.einsum("nk,nk->k", self.normalized, dout)
        self.dbeta = dout.sum(axis=0)
        return dx
'''),
    dict(cell="batch_norm", name="x.std with eps outside the root, formula with N", code='''
class BatchNormalization:
    def __init__(self, gamma, beta, momentum=0.9, eps=1e-8):
        self.gamma = gamma
        self.beta = beta
        self.momentum = momentum
        self.eps = eps
        self.running_mean = np.zeros_like(gamma)
        self.running_var = np.ones_like(gamma)
        self.dgamma = None
        self.dbeta = None

    def forward(self, x, training=True):
        if training:
            mu, sd = x.mean(axis=0), x.std(axis=0)
            self.running_mean = self.momentum * self.running_mean + (1 - self.momentum) * mu
            self.running_var = self.momentum * self.running_var + (1 - self.momentum) * sd ** 2
        else:
            mu, sd = self.running_mean, np.sqrt(self.running_var)
        self.sd = sd + self.eps
        self.xh = (x - mu) / self.sd
        return self.gamma * self.xh + self.beta

    def backward(self, dout):
        n = len(dout)
        self.dbeta = dout.sum(axis=0)
        self.dgamma = (dout * self.xh).sum(axis=0)
        return self.gamma * (n * dout - self.dbeta - self.xh * self.dgamma) / (n * self.sd)
'''),
]
