"""Catalogue for assignment 01_autodiff: typical wrong answers and correct alternatives.

Each WRONG entry edits the instructor solution of one answer cell (``replace``: pairs of
old -> new text, each old text must occur in the solution) or gives the whole cell (``code``);
``fails`` names the test cell that must lose points. Each CORRECT entry must get full points.
The correct alternatives of Part A compute the same derivatives another way: with the engine,
with a finite difference, a factorized or simplified formula, or einsum.
"""

WRONG = [
    # --- 0.1: central differences
    dict(cell="central_difference_gradient", name="one-sided difference (f(x + h) - f(x)) / h",
         fails="test_central_difference_gradient",
         replace=[("        x[index] = original - h\n        f_minus = float(f(x))\n",
                   "        x[index] = original\n        f_minus = float(f(x))\n"),
                  ("(f_plus - f_minus) / (2 * h)", "(f_plus - f_minus) / h")]),
    dict(cell="central_difference_gradient", name="divides by h instead of 2h",
         fails="test_central_difference_gradient",
         replace=[("(f_plus - f_minus) / (2 * h)", "(f_plus - f_minus) / h")]),
    dict(cell="central_difference_gradient", name="does not restore x",
         fails="test_central_difference_gradient",
         replace=[("        x[index] = original\n        grad", "        grad")]),
    dict(cell="central_difference_gradient", name="perturbs all entries at once",
         fails="test_central_difference_gradient", code=r"""
def central_difference_gradient(f, x, h=1e-5):
    original = x.copy()
    x += h
    f_plus = float(f(x))
    x[...] = original - h
    f_minus = float(f(x))
    x[...] = original
    return np.full(x.shape, (f_plus - f_minus) / (2 * h))
"""),
    dict(cell="central_difference_gradient", name="perturbs a copy (f that reads x misses it)",
         fails="test_central_difference_gradient", code=r"""
def central_difference_gradient(f, x, h=1e-5):
    grad = np.zeros(x.shape)
    for index in np.ndindex(x.shape):
        up, down = x.copy(), x.copy()
        up[index] += h
        down[index] -= h
        grad[index] = (float(f(up)) - float(f(down))) / (2 * h)
    return grad
"""),
    # --- 0.2: relative error
    dict(cell="relative_error", name="no floor: 0 / 0 is NaN", fails="test_relative_error",
         replace=[("max(1e-8, float(np.max(np.abs(a) + np.abs(b))))",
                   "float(np.max(np.abs(a) + np.abs(b)))")]),
    dict(cell="relative_error", name="divides by |b| only", fails="test_relative_error",
         replace=[("max(1e-8, float(np.max(np.abs(a) + np.abs(b))))",
                   "max(1e-8, float(np.max(np.abs(b))))")]),
    dict(cell="relative_error", name="mean difference instead of the largest",
         fails="test_relative_error",
         replace=[("float(np.max(np.abs(a - b))", "float(np.mean(np.abs(a - b))")]),
    dict(cell="relative_error", name="ratio of norms", fails="test_relative_error",
         replace=[("return float(np.max(np.abs(a - b)) / max(1e-8, float(np.max(np.abs(a) + np.abs(b)))))",
                   "return float(np.linalg.norm(a - b) / max(1e-8, np.linalg.norm(a) + np.linalg.norm(b)))")]),
    dict(cell="relative_error", name="max |a| + max |b| in the denominator",
         fails="test_relative_error",
         replace=[("float(np.max(np.abs(a) + np.abs(b)))",
                   "float(np.max(np.abs(a)) + np.max(np.abs(b)))")]),
    # --- A1: tanh
    dict(cell="p1", name="tanh slope 1 - u (square missing)", fails="test_p1",
         replace=[("return 1.0 - u ** 2", "return 1.0 - u")]),
    dict(cell="p1", name="tanh slope 1 + u**2 (sign slip)", fails="test_p1",
         replace=[("return 1.0 - u ** 2", "return 1.0 + u ** 2")]),
    dict(cell="p1", name="tanh slope written with x instead of u", fails="test_p1",
         replace=[("return 1.0 - u ** 2", "return 1.0 - x ** 2")]),
    dict(cell="p1", name="forgets the upstream factor dz/du", fails="test_p1",
         replace=[("return dz_du * p1_du_dx(x)", "return p1_du_dx(x)")]),
    dict(cell="p1", name="divides by du/dx instead of multiplying", fails="test_p1",
         replace=[("return dz_du * p1_du_dx(x)", "return dz_du / p1_du_dx(x)")]),
    # --- A2: sigmoid + squared error
    dict(cell="p2", name="copies the cross-entropy result u - t", fails="test_p2",
         replace=[("return (u - t) * u * (1.0 - u)", "return u - t")]),
    dict(cell="p2", name="sign error t - u", fails="test_p2",
         replace=[("return (u - t) * u * (1.0 - u)", "return (t - u) * u * (1.0 - u)")]),
    dict(cell="p2", name="sigmoid slope written with x", fails="test_p2",
         replace=[("return (u - t) * u * (1.0 - u)", "return (u - t) * x * (1.0 - x)")]),
    dict(cell="p2", name="forgets that the 1/2 cancels the 2", fails="test_p2",
         replace=[("return (u - t) * u * (1.0 - u)", "return 2 * (u - t) * u * (1.0 - u)")]),
    # --- A3: one input, two paths
    dict(cell="p3", name="follows only the path through u", fails="test_p3",
         replace=[("return dz_du * du_dx + dz_dv * dv_dx", "return dz_du * du_dx")]),
    dict(cell="p3", name="multiplies the two paths instead of adding", fails="test_p3",
         replace=[("return dz_du * du_dx + dz_dv * dv_dx",
                   "return (dz_du * du_dx) * (dz_dv * dv_dx)")]),
    dict(cell="p3", name="d/dx log(1 + x**2) = 1/(1 + x**2) (inner derivative lost)",
         fails="test_p3",
         replace=[("dv_dx = 2.0 * x / (1.0 + x ** 2)", "dv_dx = 1.0 / (1.0 + x ** 2)")]),
    dict(cell="p3", name="power rule slip 3x instead of 3x**2", fails="test_p3",
         replace=[("du_dx = 3.0 * x ** 2", "du_dx = 3.0 * x")]),
    dict(cell="p3", name="ignores the upstream derivatives", fails="test_p3",
         replace=[("return dz_du * du_dx + dz_dv * dv_dx", "return du_dx + dv_dx")]),
    # --- A4: two inputs, cross paths
    dict(cell="p4", name="misses the cross paths (x -> v, y -> u)", fails="test_p4",
         replace=[("return dz_du * du_dx + dz_dv * dv_dx, dz_du * du_dy + dz_dv * dv_dy",
                   "return dz_du * du_dx, dz_dv * dv_dy")]),
    dict(cell="p4", name="cross derivatives with the wrong sign", fails="test_p4",
         replace=[("du_dx, du_dy = y / square, -x / square", "du_dx, du_dy = y / square, x / square"),
                  ("dv_dx, dv_dy = -y / square, x / square", "dv_dx, dv_dy = y / square, x / square")]),
    dict(cell="p4", name="quotient rule without the square", fails="test_p4",
         replace=[("square = (x + y) ** 2", "square = x + y")]),
    dict(cell="p4", name="upstream derivatives swapped", fails="test_p4",
         replace=[("return dz_du * du_dx + dz_dv * dv_dx, dz_du * du_dy + dz_dv * dv_dy",
                   "return dz_dv * du_dx + dz_du * dv_dx, dz_dv * du_dy + dz_du * dv_dy")]),
    # --- A5: cross-entropy on top of A4
    dict(cell="p5", name="upstream derivatives +s/u, +t/v (minus lost)", fails="test_p5",
         replace=[("p4_dz_dxy(x, y, -s / u, -t / v)", "p4_dz_dxy(x, y, s / u, t / v)")]),
    dict(cell="p5", name="stops at dz/du, dz/dv", fails="test_p5",
         replace=[("return p4_dz_dxy(x, y, -s / u, -t / v)", "return -s / u, -t / v")]),
    dict(cell="p5", name="targets s and t swapped", fails="test_p5",
         replace=[("p4_dz_dxy(x, y, -s / u, -t / v)", "p4_dz_dxy(x, y, -t / u, -s / v)")]),
    dict(cell="p5", name="copies softmax's u - s, v - t", fails="test_p5",
         replace=[("return p4_dz_dxy(x, y, -s / u, -t / v)", "return u - s, v - t")]),
    # --- A6: affine map
    dict(cell="p6", name="dz/dy @ W (missing transpose)", fails="test_p6",
         replace=[("dz_dx = dz_dy @ W.T", "dz_dx = dz_dy @ W")]),
    dict(cell="p6", name="dz/dW transposed (outer(dz_dy, x))", fails="test_p6",
         replace=[("dz_dW = np.outer(x, dz_dy)", "dz_dW = np.outer(dz_dy, x)")]),
    dict(cell="p6", name="dz/db summed to one number", fails="test_p6",
         replace=[("dz_db = np.array(dz_dy, dtype=np.float64)", "dz_db = np.sum(dz_dy)")]),
    dict(cell="p6", name="dz/dW = W times dz/dy (factor of the wrong matrix)", fails="test_p6",
         replace=[("dz_dW = np.outer(x, dz_dy)", "dz_dW = W * dz_dy")]),
    # --- A7: batch, matrix product, squared error
    dict(cell="q1", name="forgets the mean over the batch (1/N)", fails="test_q1",
         replace=[("q1_dE_dY = (Y - T) / N", "q1_dE_dY = Y - T")]),
    dict(cell="q1", name="dE/dY = T - Y (sign error)", fails="test_q1",
         replace=[("q1_dE_dY = (Y - T) / N", "q1_dE_dY = (T - Y) / N")]),
    dict(cell="q1", name="dE/dW from Y instead of dE/dY", fails="test_q1",
         replace=[("q1_dE_dW = X.T @ q1_dE_dY", "q1_dE_dW = X.T @ Y")]),
    dict(cell="q1", name="forgets that the 1/2 cancels the 2", fails="test_q1",
         replace=[("q1_dE_dY = (Y - T) / N", "q1_dE_dY = 2 * (Y - T) / N")]),
    # --- A8: softmax + cross-entropy
    dict(cell="q2", name="dE/dY = T - softmax (sign error)", fails="test_q2",
         replace=[("q2_dE_dY = (P - T) / N", "q2_dE_dY = (T - P) / N")]),
    dict(cell="q2", name="dE/dY = softmax / N (forgets the target)", fails="test_q2",
         replace=[("q2_dE_dY = (P - T) / N", "q2_dE_dY = P / N")]),
    dict(cell="q2", name="softmax over the batch axis", fails="test_q2",
         replace=[("np.exp(Y).sum(axis=1, keepdims=True)", "np.exp(Y).sum(axis=0, keepdims=True)")]),
    dict(cell="q2", name="forgets the mean over the batch (1/N)", fails="test_q2",
         replace=[("q2_dE_dY = (P - T) / N", "q2_dE_dY = P - T")]),
    # --- A9: broadcast biases
    dict(cell="q3", name="dE/db not summed over the rows", fails="test_q3",
         replace=[("q3_dE_db = dE_dY.sum(axis=0)", "q3_dE_db = dE_dY")]),
    dict(cell="q3", name="dE/db summed over axis 1", fails="test_q3",
         replace=[("q3_dE_db = dE_dY.sum(axis=0)", "q3_dE_db = dE_dY.sum(axis=1)")]),
    dict(cell="q3", name="dE/db averaged instead of summed", fails="test_q3",
         replace=[("q3_dE_db = dE_dY.sum(axis=0)", "q3_dE_db = dE_dY.mean(axis=0)")]),
    dict(cell="q3", name="dE/dc summed over the columns' axis 0", fails="test_q3",
         replace=[("q3_dE_dc = dE_dY.sum(axis=1, keepdims=True)",
                   "q3_dE_dc = dE_dY.sum(axis=0, keepdims=True)")]),
    dict(cell="q3", name="dE/dc without keepdims (shape (4,))", fails="test_q3",
         replace=[("q3_dE_dc = dE_dY.sum(axis=1, keepdims=True)", "q3_dE_dc = dE_dY.sum(axis=1)")]),
    dict(cell="q3", name="dE/dX multiplied by X", fails="test_q3",
         replace=[("q3_dE_dX = dE_dY.copy()", "q3_dE_dX = dE_dY * X")]),
    # --- A10: three factors, by shapes
    dict(cell="triple_product_grads", name="dE/dA with the factors in the wrong order",
         fails="test_triple_product_grads",
         replace=[("dE_dA = dE_dY @ (B @ C).T", "dE_dA = dE_dY @ B.T @ C.T")]),
    dict(cell="triple_product_grads", name="dE/dB without the factor C", fails="test_triple_product_grads",
         replace=[("dE_dB = A.T @ dE_dY @ C.T", "dE_dB = A.T @ dE_dY")]),
    dict(cell="triple_product_grads", name="dE/dB with C and A swapped sides",
         fails="test_triple_product_grads",
         replace=[("dE_dB = A.T @ dE_dY @ C.T", "dE_dB = C @ dE_dY.T @ A")]),
    dict(cell="triple_product_grads", name="dE/dC = A B dE/dY (transpose missing)",
         fails="test_triple_product_grads",
         replace=[("dE_dC = (A @ B).T @ dE_dY", "dE_dC = A.T @ B.T @ dE_dY")]),
    # --- B1: mul
    dict(cell="mul_backward", name="gradients of a and b swapped", fails="test_mul_backward",
         replace=[("return out_grad * b, out_grad * a", "return out_grad * a, out_grad * b")]),
    dict(cell="mul_backward", name="ignores out_grad", fails="test_mul_backward",
         replace=[("return out_grad * b, out_grad * a", "return b, a")]),
    dict(cell="mul_backward", name="changes out_grad in place", fails="test_mul_backward",
         replace=[("return out_grad * b, out_grad * a",
                   "grad_a = out_grad\n    grad_a *= b\n    return grad_a, out_grad * a")]),
    dict(cell="mul_backward", name="sums b's gradient over the batch itself",
         fails="test_mul_backward",
         replace=[("return out_grad * b, out_grad * a",
                   "return out_grad * b, (out_grad * a).sum(axis=0)")]),
    # --- B2: div
    dict(cell="div_backward", name="dE/db with a plus sign", fails="test_div_backward",
         replace=[("-out_grad * a / b ** 2", "out_grad * a / b ** 2")]),
    dict(cell="div_backward", name="dE/db without the numerator a", fails="test_div_backward",
         replace=[("-out_grad * a / b ** 2", "-out_grad / b ** 2")]),
    dict(cell="div_backward", name="dE/db = -a/b (b not squared)", fails="test_div_backward",
         replace=[("-out_grad * a / b ** 2", "-out_grad * a / b")]),
    dict(cell="div_backward", name="dE/da = out_grad * b", fails="test_div_backward",
         replace=[("return out_grad / b,", "return out_grad * b,")]),
    dict(cell="div_backward", name="dE/db = -out_grad * out (forgets 1/b)",
         fails="test_div_backward",
         replace=[("-out_grad * a / b ** 2", "-out_grad * out")]),
    # --- B3: exp
    dict(cell="exp_backward", name="ignores out_grad", fails="test_exp_backward",
         replace=[("return (out_grad * out,)", "return (out,)")]),
    dict(cell="exp_backward", name="local derivative a instead of exp(a)",
         fails="test_exp_backward",
         replace=[("return (out_grad * out,)", "return (out_grad * a,)")]),
    dict(cell="exp_backward", name="exp(-a) instead of exp(a)", fails="test_exp_backward",
         replace=[("return (out_grad * out,)", "return (out_grad * np.exp(-a),)")]),
    dict(cell="exp_backward", name="exp applied to out_grad", fails="test_exp_backward",
         replace=[("return (out_grad * out,)", "return (np.exp(out_grad),)")]),
    # --- B4: sigmoid
    dict(cell="sigmoid_backward", name="uses the input a instead of the output",
         fails="test_sigmoid_backward",
         replace=[("out_grad * out * (1.0 - out)", "out_grad * a * (1.0 - a)")]),
    dict(cell="sigmoid_backward", name="ignores out_grad", fails="test_sigmoid_backward",
         replace=[("out_grad * out * (1.0 - out)", "out * (1.0 - out)")]),
    dict(cell="sigmoid_backward", name="missing the factor (1 - out)",
         fails="test_sigmoid_backward",
         replace=[("out_grad * out * (1.0 - out)", "out_grad * out")]),
    dict(cell="sigmoid_backward", name="quotient rule without the square",
         fails="test_sigmoid_backward",
         replace=[("out_grad * out * (1.0 - out)",
                   "out_grad * np.exp(-a) / (1.0 + np.exp(-a))")]),
    # --- B5: matmul
    dict(cell="matmul_backward", name="no transposes", fails="test_matmul_backward",
         replace=[("return out_grad @ b.T, a.T @ out_grad", "return out_grad @ b, a @ out_grad")]),
    dict(cell="matmul_backward", name="the two gradients swapped", fails="test_matmul_backward",
         replace=[("return out_grad @ b.T, a.T @ out_grad", "return a.T @ out_grad, out_grad @ b.T")]),
    dict(cell="matmul_backward", name="dE/db = out_grad^T a (transposed)",
         fails="test_matmul_backward",
         replace=[("return out_grad @ b.T, a.T @ out_grad", "return out_grad @ b.T, out_grad.T @ a")]),
    dict(cell="matmul_backward", name="divides by the batch size", fails="test_matmul_backward",
         replace=[("return out_grad @ b.T, a.T @ out_grad",
                   "return out_grad @ b.T, a.T @ out_grad / a.shape[0]")]),
    # --- C1: logistic loss as a graph
    dict(cell="logistic_loss", name="sum instead of mean", fails="test_logistic_loss",
         replace=[("ad.log(1 - y)).mean()", "ad.log(1 - y)).sum()")]),
    dict(cell="logistic_loss", name="missing minus sign", fails="test_logistic_loss",
         replace=[("return -(t * ad.log(y)", "return (t * ad.log(y)")]),
    dict(cell="logistic_loss", name="missing the (1 - t) log(1 - y) term",
         fails="test_logistic_loss",
         replace=[("return -(t * ad.log(y) + (1 - t) * ad.log(1 - y)).mean()",
                   "return -(t * ad.log(y)).mean()")]),
    dict(cell="logistic_loss", name="forgets the bias", fails="test_logistic_loss",
         replace=[("ad.sigmoid(X @ w + b)", "ad.sigmoid(X @ w)")]),
    dict(cell="logistic_loss", name="computes with .data: no graph, no gradient",
         fails="test_logistic_loss", code='''
def logistic_loss(X, t, w, b):
    y = 1.0 / (1.0 + np.exp(-(X @ w.data + b.data)))
    return Tensor(-np.mean(t * np.log(y) + (1 - t) * np.log(1 - y)))
'''),
    # --- C2: hand-derived gradient
    dict(cell="logistic_gradient", name="dw missing /N", fails="test_logistic_gradient",
         replace=[("dw = X.T @ (y - t) / n", "dw = X.T @ (y - t)")]),
    dict(cell="logistic_gradient", name="dw with (t - y)", fails="test_logistic_gradient",
         replace=[("dw = X.T @ (y - t) / n", "dw = X.T @ (t - y) / n")]),
    dict(cell="logistic_gradient", name="db not summed over the batch",
         fails="test_logistic_gradient",
         replace=[("db = np.sum(y - t, axis=0) / n", "db = (y - t) / n")]),
    dict(cell="logistic_gradient", name="db summed to a 0-d number, not shape (1,)",
         fails="test_logistic_gradient",
         replace=[("db = np.sum(y - t, axis=0) / n", "db = np.sum(y - t) / n")]),
    dict(cell="logistic_gradient", name="prediction without the bias",
         fails="test_logistic_gradient",
         replace=[("np.exp(-(X @ w + b))", "np.exp(-(X @ w))")]),
    # --- C3: training
    dict(cell="train_logistic", name="gradient ascent", fails="test_train_logistic",
         replace=[("w = w - lr * w_node.grad", "w = w + lr * w_node.grad"),
                  ("b = b - lr * b_node.grad", "b = b + lr * b_node.grad")]),
    dict(cell="train_logistic", name="b never updated", fails="test_train_logistic",
         replace=[("        b = b - lr * b_node.grad\n", "")]),
    dict(cell="train_logistic", name="one step too few", fails="test_train_logistic",
         replace=[("for _ in range(n_steps):", "for _ in range(n_steps - 1):")]),
    dict(cell="train_logistic", name="forgets loss.backward()", fails="test_train_logistic",
         replace=[("        loss.backward()\n", "")]),
    dict(cell="train_logistic", name="records the loss Tensors, not floats",
         fails="test_train_logistic",
         replace=[("losses.append(loss.item())", "losses.append(loss)")]),
    # --- exact zeros (issue #18)
    dict(cell="mul_backward", name="dE/da = out_grad * out / a (0 / 0 where a == 0)",
         fails="test_mul_backward",
         replace=[("return out_grad * b, out_grad * a",
                   "with np.errstate(invalid=\"ignore\", divide=\"ignore\"):\n"
                   "        return out_grad * out / a, out_grad * out / b")]),
    dict(cell="div_backward", name="dE/da = out_grad * out / a (0 / 0 where a == 0)",
         fails="test_div_backward",
         replace=[("return out_grad / b, -out_grad * a / b ** 2",
                   "with np.errstate(invalid=\"ignore\", divide=\"ignore\"):\n"
                   "        return out_grad * out / a, -out_grad * out / b")]),
    # --- C4: softmax + cross-entropy from primitives
    dict(cell="softmax_cross_entropy_graph", name="sum over the batch instead of the mean",
         fails="test_softmax_cross_entropy_graph",
         replace=[("return -(T * log_softmax).sum() / Y.shape[0]", "return -(T * log_softmax).sum()")]),
    dict(cell="softmax_cross_entropy_graph", name="no shift: exp overflows for large scores",
         fails="test_softmax_cross_entropy_graph",
         replace=[("shifted = Y - Y.data.max(axis=1, keepdims=True)", "shifted = Y")]),
    dict(cell="softmax_cross_entropy_graph", name="log of the probabilities (log(0) = -inf)",
         fails="test_softmax_cross_entropy_graph",
         replace=[("log_softmax = shifted - ad.log(ad.exp(shifted).sum(axis=1, keepdims=True))",
                   "exps = ad.exp(shifted)\n    log_softmax = ad.log(exps / exps.sum(axis=1, keepdims=True))")]),
    dict(cell="softmax_cross_entropy_graph", name="normalizes over the batch axis",
         fails="test_softmax_cross_entropy_graph",
         replace=[("ad.exp(shifted).sum(axis=1, keepdims=True)", "ad.exp(shifted).sum(axis=0, keepdims=True)")]),
    dict(cell="softmax_cross_entropy_graph", name="uses the fused node",
         fails="test_softmax_cross_entropy_graph",
         replace=[("return -(T * log_softmax).sum() / Y.shape[0]", "return ad.softmax_cross_entropy(Y, T)")]),
    dict(cell="softmax_cross_entropy_graph", name="missing minus sign",
         fails="test_softmax_cross_entropy_graph",
         replace=[("return -(T * log_softmax).sum() / Y.shape[0]", "return (T * log_softmax).sum() / Y.shape[0]")]),
]

CORRECT = [
    # --- 0.1
    dict(cell="central_difference_gradient", name="flat view and np.nditer", code=r"""
def central_difference_gradient(f, x, h=1e-5):
    grad = np.empty_like(x, dtype=np.float64)
    it = np.nditer(x, flags=["multi_index"])
    for _ in it:
        i = it.multi_index
        keep = float(x[i])
        x[i] = keep + h
        up = f(x)
        x[i] = keep - h
        down = f(x)
        x[i] = keep
        grad[i] = (float(up) - float(down)) / (2.0 * h)
    return grad
"""),
    dict(cell="central_difference_gradient", name="loop over x.reshape(-1) (a view)", code=r"""
def central_difference_gradient(f, x, h=1e-5):
    flat = x.reshape(-1)
    grad = np.zeros(flat.size)
    for i in range(flat.size):
        old = flat[i]
        flat[i] = old + h
        plus = f(x)
        flat[i] = old - h
        minus = f(x)
        flat[i] = old
        grad[i] = (plus - minus) / h / 2
    return grad.reshape(x.shape)
"""),
    # --- 0.2
    dict(cell="relative_error", name="np.maximum and .max()", code=r"""
def relative_error(a, b):
    a, b = np.array(a, dtype=float), np.array(b, dtype=float)
    return float(np.abs(a - b).max() / np.maximum(1e-8, (np.abs(a) + np.abs(b)).max()))
"""),
    dict(cell="relative_error", name="explicit loop", code=r"""
def relative_error(a, b):
    a, b = np.ravel(np.asarray(a, dtype=float)), np.ravel(np.asarray(b, dtype=float))
    largest_diff, largest_size = 0.0, 0.0
    for ai, bi in zip(a, b):
        largest_diff = max(largest_diff, abs(ai - bi))
        largest_size = max(largest_size, abs(ai) + abs(bi))
    return largest_diff / max(1e-8, largest_size)
"""),
    # --- A1
    dict(cell="p1", name="1 / cosh(x)**2", replace=[("return 1.0 - u ** 2", "return 1.0 / np.cosh(x) ** 2")]),
    dict(cell="p1", name="(1 - u)(1 + u)", replace=[
        ("return 1.0 - u ** 2", "return (1.0 - u) * (1.0 + u)")]),
    dict(cell="p1", name="chain written out in p1_dz_dx", replace=[
        ("return dz_du * p1_du_dx(x)", "u = np.tanh(x)\n    return dz_du - dz_du * u * u")]),
    # --- A2
    dict(cell="p2", name="with exp(-x) / (1 + exp(-x))**2", replace=[
        ("return (u - t) * u * (1.0 - u)", "return (u - t) * np.exp(-x) / (1.0 + np.exp(-x)) ** 2")]),
    dict(cell="p2", name="expanded product", replace=[
        ("return (u - t) * u * (1.0 - u)", "return u * u * (1 - u) - t * u * (1 - u)")]),
    # --- A3
    dict(cell="p3", name="factorized x (3x dz/du + 2 dz/dv / (1 + x**2))", replace=[
        ("return dz_du * du_dx + dz_dv * dv_dx",
         "return x * (3 * x * dz_du + 2 * dz_dv / (1 + x * x))")]),
    dict(cell="p3", name="local derivatives by central differences", replace=[
        ("du_dx = 3.0 * x ** 2", "h = 1e-6\n    du_dx = ((x + h) ** 3 - (x - h) ** 3) / (2 * h)"),
        ("dv_dx = 2.0 * x / (1.0 + x ** 2)",
         "dv_dx = (np.log(1 + (x + h) ** 2) - np.log(1 + (x - h) ** 2)) / (2 * h)")]),
    # --- A4
    dict(cell="p4", name="factorized (dz/du - dz/dv) y / (x + y)**2", code=r"""
def p4_dz_dxy(x, y, dz_du, dz_dv):
    common = (dz_du - dz_dv) / (x + y) ** 2
    return common * y, -common * x
"""),
    dict(cell="p4", name="with v = 1 - u and u = 1 / (1 + y/x)", code=r"""
def p4_dz_dxy(x, y, dz_du, dz_dv):
    r = y / x
    du_dr = -1.0 / (1.0 + r) ** 2
    du_dx = du_dr * (-y / x ** 2)
    du_dy = du_dr / x
    return (dz_du - dz_dv) * du_dx, (dz_du - dz_dv) * du_dy
"""),
    # --- A5
    dict(cell="p5", name="simplified 1/(x + y) - s/x", code=r"""
def p5_dz_dxy(x, y, s, t):
    return 1 / (x + y) - s / x, 1 / (x + y) - t / y
"""),
    dict(cell="p5", name="general (t x - s y) / (x (x + y))", code=r"""
def p5_dz_dxy(x, y, s, t):
    return (t * x - s * y) / (x * (x + y)), (s * y - t * x) / (y * (x + y))
"""),
    # --- A6
    dict(cell="p6", name="W @ dz_dy and broadcasting", replace=[
        ("dz_dx = dz_dy @ W.T", "dz_dx = W @ dz_dy"),
        ("dz_dW = np.outer(x, dz_dy)", "dz_dW = x[:, None] * dz_dy[None, :]")]),
    dict(cell="p6", name="einsum", replace=[
        ("dz_dx = dz_dy @ W.T", "dz_dx = np.einsum('kl,l->k', W, dz_dy)"),
        ("dz_dW = np.outer(x, dz_dy)", "dz_dW = np.einsum('k,l->kl', x, dz_dy)")]),
    # --- A7
    dict(cell="q1", name="with the engine", code=r"""
X = np.array([[1.0, 0.0, 2.0], [-1.0, 3.0, 1.0]])
W = np.array([[1.0, -1.0], [2.0, 0.0], [0.0, 1.0]])
T = np.array([[0.0, 1.0], [2.0, -1.0]])
Xn, Wn = Tensor(X), Tensor(W)
Y = Xn @ Wn
E = (0.5 * ((Y - T) ** 2).sum(axis=1)).mean()
E.backward()
q1_dE_dY, q1_dE_dX, q1_dE_dW = Y.grad, Xn.grad, Wn.grad
"""),
    dict(cell="q1", name="row by row, outer products", code=r"""
X = np.array([[1.0, 0.0, 2.0], [-1.0, 3.0, 1.0]])
W = np.array([[1.0, -1.0], [2.0, 0.0], [0.0, 1.0]])
T = np.array([[0.0, 1.0], [2.0, -1.0]])
q1_dE_dY = np.array([(X[n] @ W - T[n]) / 2 for n in range(2)])
q1_dE_dX = (W @ q1_dE_dY.T).T
q1_dE_dW = sum(np.outer(X[n], q1_dE_dY[n]) for n in range(2))
"""),
    # --- A8
    dict(cell="q2", name="engine's softmax_cross_entropy node", code=r"""
X = np.array([[1.0, 0.0, 2.0], [-1.0, 3.0, 1.0]])
W = np.array([[1.0, -1.0], [2.0, 0.0], [0.0, 1.0]])
T = np.array([[1.0, 0.0], [0.0, 1.0]])
Xn, Wn = Tensor(X), Tensor(W)
Y = Xn @ Wn
ad.softmax_cross_entropy(Y, T).backward()
q2_dE_dY, q2_dE_dX, q2_dE_dW = Y.grad, Xn.grad, Wn.grad
"""),
    dict(cell="q2", name="two-class softmax written as a sigmoid", code=r"""
X = np.array([[1.0, 0.0, 2.0], [-1.0, 3.0, 1.0]])
W = np.array([[1.0, -1.0], [2.0, 0.0], [0.0, 1.0]])
T = np.array([[1.0, 0.0], [0.0, 1.0]])
Y = X @ W
p = 1 / (1 + np.exp(Y[:, 1] - Y[:, 0]))
q2_dE_dY = (np.stack([p, 1 - p], axis=1) - T) / len(X)
q2_dE_dX = np.einsum("nl,kl->nk", q2_dE_dY, W)
q2_dE_dW = np.einsum("nk,nl->kl", X, q2_dE_dY)
"""),
    # --- A9
    dict(cell="q3", name="with the engine (broadcast adds)", code=r"""
X = np.arange(12.0).reshape(4, 3)
b = np.array([2.0, 1.0, -1.0])
c = np.array([[0.5], [1.0], [-2.0], [0.0]])
dE_dY = np.array([[1.0, 0.0, 2.0], [-1.0, 1.0, 0.0], [0.0, 2.0, 1.0], [3.0, -1.0, 1.0]])
Xn, bn, cn = Tensor(X), Tensor(b), Tensor(c)
(Xn + bn + cn).backward(grad=dE_dY)
q3_dE_dX, q3_dE_db, q3_dE_dc = Xn.grad, bn.grad, cn.grad
"""),
    dict(cell="q3", name="products with rows and columns of ones", code=r"""
X = np.arange(12.0).reshape(4, 3)
b = np.array([2.0, 1.0, -1.0])
c = np.array([[0.5], [1.0], [-2.0], [0.0]])
dE_dY = np.array([[1.0, 0.0, 2.0], [-1.0, 1.0, 0.0], [0.0, 2.0, 1.0], [3.0, -1.0, 1.0]])
q3_dE_dX = np.array(dE_dY)
q3_dE_db = np.ones(4) @ dE_dY
q3_dE_dc = dE_dY @ np.ones((3, 1))
"""),
    # --- A10
    dict(cell="triple_product_grads", name="through the intermediate U = A B", code=r"""
def triple_product_grads(A, B, C, dE_dY):
    U = A @ B
    dE_dU = dE_dY @ C.T
    return dE_dU @ B.T, A.T @ dE_dU, U.T @ dE_dY
"""),
    dict(cell="triple_product_grads", name="einsum", code=r"""
def triple_product_grads(A, B, C, dE_dY):
    return (np.einsum("nl,km,ml->nk", dE_dY, B, C),
            np.einsum("nk,nl,ml->km", A, dE_dY, C),
            np.einsum("nk,km,nl->ml", A, B, dE_dY))
"""),
    # --- B1
    dict(cell="mul_backward", name="np.multiply", code='''
def mul_backward(out_grad, a, b, out):
    return np.multiply(out_grad, b), np.multiply(a, out_grad)
'''),
    dict(cell="mul_backward", name="a list of two named gradients", code='''
def mul_backward(out_grad, a, b, out):
    grad_a = b * out_grad
    grad_b = a * out_grad
    return [grad_a, grad_b]
'''),
    # --- B2
    dict(cell="div_backward", name="written with the output", code='''
def div_backward(out_grad, a, b, out):
    return out_grad / b, -out_grad * out / b
'''),
    dict(cell="div_backward", name="with the reciprocal", code='''
def div_backward(out_grad, a, b, out):
    inv = np.reciprocal(b)
    return out_grad * inv, -(out_grad * a) * inv * inv
'''),
    # --- B3
    dict(cell="exp_backward", name="recomputes exp(a)", code='''
def exp_backward(out_grad, a, out):
    return (out_grad * np.exp(a),)
'''),
    dict(cell="exp_backward", name="a bare array instead of a tuple", code='''
def exp_backward(out_grad, a, out):
    return np.multiply(out, out_grad)
'''),
    # --- B4
    dict(cell="sigmoid_backward", name="recomputes the sigmoid from a", code='''
def sigmoid_backward(out_grad, a, out):
    s = 1.0 / (1.0 + np.exp(-a))
    return (out_grad * s * (1 - s),)
'''),
    dict(cell="sigmoid_backward", name="out - out**2", code='''
def sigmoid_backward(out_grad, a, out):
    return (out_grad * (out - out ** 2),)
'''),
    dict(cell="sigmoid_backward", name="exp(-a) / (1 + exp(-a))^2", code='''
def sigmoid_backward(out_grad, a, out):
    e = np.exp(-a)
    return (out_grad * e / (1 + e) ** 2,)
'''),
    # --- B5
    dict(cell="matmul_backward", name="np.dot", code='''
def matmul_backward(out_grad, a, b, out):
    return np.dot(out_grad, b.T), np.dot(a.T, out_grad)
'''),
    dict(cell="matmul_backward", name="einsum", code='''
def matmul_backward(out_grad, a, b, out):
    return np.einsum("nl,kl->nk", out_grad, b), np.einsum("nk,nl->kl", a, out_grad)
'''),
    dict(cell="matmul_backward", name="transposes of the transposed products", code='''
def matmul_backward(out_grad, a, b, out):
    return (b @ out_grad.T).T, (out_grad.T @ a).T
'''),
    # --- C1
    dict(cell="logistic_loss", name="softplus form log(1 + e^-z)", code='''
def logistic_loss(X, t, w, b):
    z = X @ w + b
    per_example = t * ad.log(1 + ad.exp(-z)) + (1 - t) * ad.log(1 + ad.exp(z))
    return per_example.mean()
'''),
    dict(cell="logistic_loss", name="methods, sum / N", code='''
def logistic_loss(X, t, w, b):
    y = (X @ w + b).sigmoid()
    n = X.shape[0]
    per_example = t * y.log() + (1.0 - t) * (1.0 - y).log()
    return -per_example.sum() / n
'''),
    dict(cell="logistic_loss", name="epsilon 1e-7 inside the logs",
         replace=[("ad.log(y)", "ad.log(y + 1e-7)"), ("ad.log(1 - y)", "ad.log(1 - y + 1e-7)")]),
    # --- C2
    dict(cell="logistic_gradient", name="loop over the examples", code='''
def logistic_gradient(X, t, w, b):
    n, k = X.shape
    dw = np.zeros((k, 1))
    db = np.zeros(1)
    for i in range(n):
        y_i = 1 / (1 + np.exp(-(X[i] @ w + b)))
        dw += np.outer(X[i], y_i - t[i]) / n
        db += (y_i - t[i]) / n
    return dw, db
'''),
    dict(cell="logistic_gradient", name="tanh sigmoid, einsum and mean", code='''
def logistic_gradient(X, t, w, b):
    y = 0.5 * (1 + np.tanh(0.5 * (X @ w + b)))
    err = y - t
    dw = np.einsum("nk,n->k", X, err[:, 0])[:, None] / len(X)
    db = err.mean(axis=0)
    return dw, db
'''),
    # --- C3
    dict(cell="train_logistic", name="one pair of Tensors updated in place", code='''
def train_logistic(X, t, lr, n_steps):
    w = Tensor(np.zeros((X.shape[1], 1)), name="w")
    b = Tensor(np.zeros(1), name="b")
    losses = []
    for step in range(n_steps):
        loss = logistic_loss(X, t, w, b)
        loss.backward()
        losses.append(float(loss.data))
        w.data -= lr * w.grad
        b.data -= lr * b.grad
    return w.data, b.data, losses
'''),
    dict(cell="train_logistic", name="losses in a preallocated array", code='''
def train_logistic(X, t, lr, n_steps):
    params = {"w": np.zeros((X.shape[1], 1)), "b": np.zeros(1)}
    losses = np.empty(n_steps)
    step = 0
    while step < n_steps:
        nodes = {k: Tensor(v) for k, v in params.items()}
        loss = logistic_loss(X, t, nodes["w"], nodes["b"])
        loss.backward()
        losses[step] = loss.item()
        params = {k: params[k] - lr * nodes[k].grad for k in params}
        step += 1
    return params["w"], params["b"], losses
'''),
    dict(cell="logistic_loss", name="guard log(y + 1e-6) (the false fail of issue #18)",
         replace=[("ad.log(y)", "ad.log(y + 1e-6)"), ("ad.log(1 - y)", "ad.log(1 - y + 1e-6)")]),
    dict(cell="logistic_loss", name="guard 1e-7 in the second log only",
         replace=[("ad.log(1 - y)", "ad.log(1 - y + 1e-7)")]),
    # --- C4
    dict(cell="softmax_cross_entropy_graph", name="log-sum-exp per row, then the mean", code=r"""
def softmax_cross_entropy_graph(Y, T):
    m = Y.data.max(axis=1, keepdims=True)
    log_sum_exp = m + ad.log(ad.exp(Y - m).sum(axis=1, keepdims=True))
    per_row = (log_sum_exp * T).sum(axis=1) - (T * Y).sum(axis=1)
    return per_row.mean()
"""),
    dict(cell="softmax_cross_entropy_graph", name="mean of the row losses with .mean()", code=r"""
def softmax_cross_entropy_graph(Y, T):
    shifted = Y - np.max(Y.data, axis=1, keepdims=True)
    log_p = shifted - ad.log(ad.sum(ad.exp(shifted), axis=1, keepdims=True))
    return -(log_p * T).sum(axis=1).mean()
"""),
]
