"""Catalogue for assignment 01_autodiff: typical wrong answers and correct alternatives.

Each WRONG entry edits the instructor solution of one answer cell (``replace``: pairs of
old -> new text, each old text must occur in the solution) or gives the whole cell (``code``);
``fails`` names the test cell that must lose points. Each CORRECT entry must get full points.
For the numeric answers of Part A the correct alternatives compute the same numbers another
way: with the engine, with a finite difference, or with a simplified formula.
"""

WRONG = [
    # --- A1: du/dx and dz/dx through a sigmoid
    dict(cell="p1", name="forgets the upstream factor dz/du", fails="test_p1",
         replace=[("p1_dz_dx = dz_du * p1_du_dx", "p1_dz_dx = p1_du_dx")]),
    dict(cell="p1", name="sigmoid slope written with x instead of u", fails="test_p1",
         replace=[("p1_du_dx = u * (1.0 - u)", "p1_du_dx = x * (1.0 - x)")]),
    dict(cell="p1", name="sign slip in the derivative of exp(-x)", fails="test_p1",
         replace=[("p1_du_dx = u * (1.0 - u)",
                   "p1_du_dx = -np.exp(-x) / (1.0 + np.exp(-x)) ** 2")]),
    dict(cell="p1", name="quotient rule without the square", fails="test_p1",
         replace=[("p1_du_dx = u * (1.0 - u)", "p1_du_dx = np.exp(-x) / (1.0 + np.exp(-x))")]),
    dict(cell="p1", name="divides by du/dx instead of multiplying", fails="test_p1",
         replace=[("p1_dz_dx = dz_du * p1_du_dx", "p1_dz_dx = dz_du / p1_du_dx")]),
    # --- A2: sigmoid + binary cross-entropy
    dict(cell="p2", name="stops at dz/du (forgets the chain-rule factor)", fails="test_p2",
         replace=[("p2_dz_dx = p2_dz_du * u * (1.0 - u)", "p2_dz_dx = p2_dz_du")]),
    dict(cell="p2", name="t - u instead of u - t", siblings=["derivative of log with the wrong signs"], fails="test_p2",
         replace=[("p2_dz_dx = p2_dz_du * u * (1.0 - u)", "p2_dz_dx = t - u")]),
    dict(cell="p2", name="derivative of log with the wrong signs", siblings=["t - u instead of u - t"], fails="test_p2",
         replace=[("p2_dz_du = -t / u + (1.0 - t) / (1.0 - u)",
                   "p2_dz_du = t / u - (1.0 - t) / (1.0 - u)")]),
    dict(cell="p2", name="only the sigmoid's local derivative", fails="test_p2",
         replace=[("p2_dz_dx = p2_dz_du * u * (1.0 - u)", "p2_dz_dx = u * (1.0 - u)")]),
    # --- A3: one input, two paths
    dict(cell="p3", name="follows only the path through u", fails="test_p3",
         replace=[("p3_dz_dx = dz_du * p3_du_dx + dz_dv * p3_dv_dx",
                   "p3_dz_dx = dz_du * p3_du_dx")]),
    dict(cell="p3", name="d/dx exp(-x) = exp(-x) (sign lost)", fails="test_p3",
         replace=[("p3_dv_dx = -np.exp(-x)", "p3_dv_dx = np.exp(-x)")]),
    dict(cell="p3", name="multiplies the two paths instead of adding", fails="test_p3",
         replace=[("p3_dz_dx = dz_du * p3_du_dx + dz_dv * p3_dv_dx",
                   "p3_dz_dx = (dz_du * p3_du_dx) * (dz_dv * p3_dv_dx)")]),
    dict(cell="p3", name="ignores the upstream derivatives", fails="test_p3",
         replace=[("p3_dz_dx = dz_du * p3_du_dx + dz_dv * p3_dv_dx",
                   "p3_dz_dx = p3_du_dx + p3_dv_dx")]),
    # --- A4: softmax of two numbers
    dict(cell="p4", name="misses the cross paths (x -> v, y -> u)", fails="test_p4",
         replace=[("p4_dz_dx = dz_du * u * v + dz_dv * (-u * v)", "p4_dz_dx = dz_du * u * v"),
                  ("p4_dz_dy = dz_du * (-u * v) + dz_dv * u * v", "p4_dz_dy = dz_dv * u * v")]),
    dict(cell="p4", name="cross derivatives +uv instead of -uv", fails="test_p4",
         replace=[("(-u * v)", "(u * v)")]),
    dict(cell="p4", name="upstream derivatives swapped", fails="test_p4",
         replace=[("p4_dz_dx = dz_du * u * v + dz_dv * (-u * v)",
                   "p4_dz_dx = dz_dv * u * v + dz_du * (-u * v)"),
                  ("p4_dz_dy = dz_du * (-u * v) + dz_dv * u * v",
                   "p4_dz_dy = dz_dv * (-u * v) + dz_du * u * v")]),
    dict(cell="p4", name="forgets the local factor uv", fails="test_p4",
         replace=[("p4_dz_dx = dz_du * u * v + dz_dv * (-u * v)", "p4_dz_dx = dz_du - dz_dv"),
                  ("p4_dz_dy = dz_du * (-u * v) + dz_dv * u * v", "p4_dz_dy = dz_dv - dz_du")]),
    # --- A5: softmax + cross-entropy
    dict(cell="p5", name="s - u instead of u - s (sign error)", fails="test_p5",
         replace=[("p5_dz_dx = u * v * (dz_du - dz_dv)", "p5_dz_dx = s - u"),
                  ("p5_dz_dy = u * v * (dz_dv - dz_du)", "p5_dz_dy = t - v")]),
    dict(cell="p5", name="only the direct paths", fails="test_p5",
         replace=[("p5_dz_dx = u * v * (dz_du - dz_dv)", "p5_dz_dx = u * v * dz_du"),
                  ("p5_dz_dy = u * v * (dz_dv - dz_du)", "p5_dz_dy = u * v * dz_dv")]),
    dict(cell="p5", name="stops at dz/du, dz/dv", fails="test_p5",
         replace=[("p5_dz_dx = u * v * (dz_du - dz_dv)", "p5_dz_dx = dz_du"),
                  ("p5_dz_dy = u * v * (dz_dv - dz_du)", "p5_dz_dy = dz_dv")]),
    dict(cell="p5", name="targets s and t swapped", fails="test_p5",
         replace=[("p5_dz_dx = u * v * (dz_du - dz_dv)", "p5_dz_dx = u - t"),
                  ("p5_dz_dy = u * v * (dz_dv - dz_du)", "p5_dz_dy = v - s")]),
    # --- A6: affine map
    dict(cell="p6", name="dz/dy @ W (missing transpose)", fails="test_p6",
         replace=[("p6_dz_dx = dz_dy @ W.T", "p6_dz_dx = dz_dy @ W")]),
    dict(cell="p6", name="only the diagonal paths x0 -> y0, x1 -> y1", fails="test_p6",
         replace=[("p6_dz_dx = dz_dy @ W.T", "p6_dz_dx = dz_dy * np.diag(W)")]),
    dict(cell="p6", name="forgets the upstream derivatives", fails="test_p6",
         replace=[("p6_dz_dx = dz_dy @ W.T", "p6_dz_dx = W.sum(axis=1)")]),
    dict(cell="p6", name="adds the bias to the gradient", fails="test_p6",
         replace=[("p6_dz_dx = dz_dy @ W.T", "p6_dz_dx = dz_dy @ W.T + b")]),
    dict(cell="p6", name="the forward value instead of the gradient", fails="test_p6",
         replace=[("p6_dz_dx = dz_dy @ W.T", "p6_dz_dx = x @ W + b")]),
    # --- A7: matmul + squared error
    dict(cell="q1", name="forgets that the 1/2 cancels the 2", fails="test_q1",
         replace=[("q1_dE_dY = Y - T", "q1_dE_dY = 2 * (Y - T)")]),
    dict(cell="q1", name="dE/dY = T - Y (sign error)", fails="test_q1",
         replace=[("q1_dE_dY = Y - T", "q1_dE_dY = T - Y")]),
    dict(cell="q1", name="dE/dW from Y instead of dE/dY", fails="test_q1",
         replace=[("q1_dE_dW = X.T @ q1_dE_dY", "q1_dE_dW = X.T @ Y")]),
    dict(cell="q1", name="dE/dX = W dE/dY^T (column, wrong shape)", fails="test_q1",
         replace=[("q1_dE_dX = q1_dE_dY @ W.T", "q1_dE_dX = W @ q1_dE_dY.T")]),
    # --- A8: matmul + softmax cross-entropy
    dict(cell="q2", name="dE/dY = T - softmax (sign error)", fails="test_q2",
         replace=[("q2_dE_dY = P - T", "q2_dE_dY = T - P")]),
    dict(cell="q2", name="dE/dY = softmax (forgets the target)", fails="test_q2",
         replace=[("q2_dE_dY = P - T", "q2_dE_dY = P")]),
    dict(cell="q2", name="stops at dE/dP = -T/P", fails="test_q2",
         replace=[("q2_dE_dY = P - T", "q2_dE_dY = -T / P")]),
    dict(cell="q2", name="dE/dW from the probabilities", fails="test_q2",
         replace=[("q2_dE_dW = X.T @ q2_dE_dY", "q2_dE_dW = X.T @ P")]),
    # --- A9: broadcast bias
    dict(cell="q3", name="dE/db not summed over the rows", fails="test_q3",
         replace=[("q3_dE_db = dE_dY.sum(axis=0)", "q3_dE_db = dE_dY")]),
    dict(cell="q3", name="dE/db summed over axis 1", fails="test_q3",
         replace=[("q3_dE_db = dE_dY.sum(axis=0)", "q3_dE_db = dE_dY.sum(axis=1)")]),
    dict(cell="q3", name="dE/db averaged instead of summed", fails="test_q3",
         replace=[("q3_dE_db = dE_dY.sum(axis=0)", "q3_dE_db = dE_dY.mean(axis=0)")]),
    dict(cell="q3", name="dE/dX multiplied by X", fails="test_q3",
         replace=[("q3_dE_dX = dE_dY.copy()", "q3_dE_dX = dE_dY * X")]),
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
]

CORRECT = [
    # --- A1
    dict(cell="p1", name="with the engine: seed gradients 1 and dz/du", code='''
x = np.log(3.0)
dz_du = 2.0
x_node = Tensor(x)
u_node = ad.sigmoid(x_node)
u_node.backward(grad=1.0)
p1_du_dx = x_node.grad.copy()
u_node.backward(grad=dz_du)
p1_dz_dx = x_node.grad
'''),
    dict(cell="p1", name="closed form and a finite difference", code='''
x = np.log(3.0)
dz_du = 2.0
p1_du_dx = float(np.exp(-x) / (1 + np.exp(-x)) ** 2)
sig = lambda v: 1 / (1 + np.exp(-v[0]))
p1_dz_dx = dz_du * numerical_gradient(sig, np.array([x]))[0]
'''),
    # --- A2
    dict(cell="p2", name="with the engine on the whole graph", code='''
x = np.log(3.0)
t = 1.0
x_node = Tensor(x)
u_node = ad.sigmoid(x_node)
z = -(t * ad.log(u_node) + (1 - t) * ad.log(1 - u_node))
z.backward()
p2_dz_du = u_node.grad
p2_dz_dx = x_node.grad
'''),
    dict(cell="p2", name="simplified formula u - t", code='''
x = np.log(3.0)
t = 1.0
u = 1 / (1 + np.exp(-x))
p2_dz_du = (u - t) / (u * (1 - u))
p2_dz_dx = u - t
'''),
    # --- A3
    dict(cell="p3", name="engine with the linear stand-in 3u + 2v", code='''
x = np.log(2.0)
dz_du, dz_dv = 3.0, 2.0
x_node = Tensor(x)
u = 1 + ad.exp(x_node)
v = 1 + ad.exp(-x_node)
u.backward()
p3_du_dx = x_node.grad.copy()
v.backward()
p3_dv_dx = x_node.grad.copy()
(dz_du * u + dz_dv * v).backward()
p3_dz_dx = x_node.grad
'''),
    dict(cell="p3", name="central differences", code='''
x = np.log(2.0)
dz_du, dz_dv = 3.0, 2.0
h = 1e-6
u = lambda x: 1 + np.exp(x)
v = lambda x: 1 + np.exp(-x)
p3_du_dx = (u(x + h) - u(x - h)) / (2 * h)
p3_dv_dx = (v(x + h) - v(x - h)) / (2 * h)
p3_dz_dx = dz_du * p3_du_dx + dz_dv * p3_dv_dx
'''),
    # --- A4
    dict(cell="p4", name="engine with the linear stand-in u + 3v", code='''
x, y = np.log(3.0), 0.0
dz_du, dz_dv = 1.0, 3.0
xn, yn = Tensor(x), Tensor(y)
total = ad.exp(xn) + ad.exp(yn)
u = ad.exp(xn) / total
v = ad.exp(yn) / total
(dz_du * u + dz_dv * v).backward()
p4_dz_dx, p4_dz_dy = xn.grad, yn.grad
'''),
    dict(cell="p4", name="factorized: uv (dz/du - dz/dv)", code='''
x, y = np.log(3.0), 0.0
dz_du, dz_dv = 1.0, 3.0
u = 1 / (1 + np.exp(y - x))
p4_dz_dx = u * (1 - u) * (dz_du - dz_dv)
p4_dz_dy = -p4_dz_dx
'''),
    # --- A5
    dict(cell="p5", name="engine: cross-entropy of a two-number softmax", code='''
x, y = np.log(3.0), 0.0
s, t = 0.2, 0.8
xn, yn = Tensor(x), Tensor(y)
total = ad.exp(xn) + ad.exp(yn)
z = -(s * ad.log(ad.exp(xn) / total) + t * ad.log(ad.exp(yn) / total))
z.backward()
p5_dz_dx = xn.grad
p5_dz_dy = yn.grad
'''),
    dict(cell="p5", name="simplified: u - s and v - t", code='''
x, y = np.log(3.0), 0.0
s, t = 0.2, 0.8
u = np.exp(x) / (np.exp(x) + np.exp(y))
v = np.exp(y) / (np.exp(x) + np.exp(y))
p5_dz_dx, p5_dz_dy = u - s, v - t
'''),
    # --- A6
    dict(cell="p6", name="W @ dz/dy", replace=[("p6_dz_dx = dz_dy @ W.T", "p6_dz_dx = W @ dz_dy")]),
    dict(cell="p6", name="engine with a row vector (1, 2)", code='''
x = np.array([1.0, 2.0])
W = np.array([[1.0, -2.0], [3.0, 0.5]])
b = np.array([0.5, -1.0])
dz_dy = np.array([2.0, -1.0])
x_node = Tensor(x.reshape(1, 2))
y_node = x_node @ W + b
y_node.backward(grad=dz_dy.reshape(1, 2))
p6_dz_dx = x_node.grad
'''),
    dict(cell="p6", name="explicit sums over the paths", code='''
x = np.array([1.0, 2.0])
W = np.array([[1.0, -2.0], [3.0, 0.5]])
b = np.array([0.5, -1.0])
dz_dy = np.array([2.0, -1.0])
p6_dz_dx = [sum(W[i, j] * dz_dy[j] for j in range(2)) for i in range(2)]
'''),
    # --- A7
    dict(cell="q1", name="with the engine", code='''
X = np.array([[2.0, -1.0, 1.0]])
W = np.array([[2.0, 0.0], [1.0, 1.0], [0.0, 4.0]])
T = np.array([[1.0, 2.0]])
Xn, Wn = Tensor(X), Tensor(W)
Y = Xn @ Wn
E = 0.5 * ((Y - T) ** 2).sum()
E.backward()
q1_dE_dY, q1_dE_dX, q1_dE_dW = Y.grad, Xn.grad, Wn.grad
'''),
    dict(cell="q1", name="outer product and transposed product", code='''
X = np.array([[2.0, -1.0, 1.0]])
W = np.array([[2.0, 0.0], [1.0, 1.0], [0.0, 4.0]])
T = np.array([[1.0, 2.0]])
q1_dE_dY = np.dot(X, W) - T
q1_dE_dX = (W @ q1_dE_dY.T).T
q1_dE_dW = np.outer(X[0], q1_dE_dY[0])
'''),
    # --- A8
    dict(cell="q2", name="engine's softmax_cross_entropy node", code='''
X = np.array([[2.0, -1.0, 1.0]])
W = np.array([[2.0, 0.0], [1.0, 1.0], [0.0, 4.0]])
T = np.array([[1.0, 0.0]])
Xn, Wn = Tensor(X), Tensor(W)
Y = Xn @ Wn
ad.softmax_cross_entropy(Y, T).backward()
q2_dE_dY, q2_dE_dX, q2_dE_dW = Y.grad, Xn.grad, Wn.grad
'''),
    dict(cell="q2", name="two-class softmax written as a sigmoid", code='''
X = np.array([[2.0, -1.0, 1.0]])
W = np.array([[2.0, 0.0], [1.0, 1.0], [0.0, 4.0]])
T = np.array([[1.0, 0.0]])
Y = X @ W
p = 1 / (1 + np.exp(Y[0, 1] - Y[0, 0]))
q2_dE_dY = np.array([[p - T[0, 0], (1 - p) - T[0, 1]]])
q2_dE_dX = np.einsum("nl,kl->nk", q2_dE_dY, W)
q2_dE_dW = np.einsum("nk,nl->kl", X, q2_dE_dY)
'''),
    # --- A9
    dict(cell="q3", name="with the engine (broadcast add)", code='''
X = np.array([[1.0, 3.0], [2.0, -1.0], [0.0, 1.0]])
b = np.array([2.0, 1.0])
dE_dY = np.array([[1.0, 0.0], [0.0, -1.0], [1.0, 1.0]])
Xn, bn = Tensor(X), Tensor(b)
(Xn + bn).backward(grad=dE_dY)
q3_dE_dX, q3_dE_db = Xn.grad, bn.grad
'''),
    dict(cell="q3", name="row of ones times dE/dY", code='''
X = np.array([[1.0, 3.0], [2.0, -1.0], [0.0, 1.0]])
b = np.array([2.0, 1.0])
dE_dY = np.array([[1.0, 0.0], [0.0, -1.0], [1.0, 1.0]])
q3_dE_dX = np.array(dE_dY)
q3_dE_db = np.ones(3) @ dE_dY
'''),
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
]
