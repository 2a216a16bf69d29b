"""False-fail fuzzer: rewrites of the instructor solutions that every fair test must accept.

A student's correct answer rarely looks like the instructor's: a different ``eps`` in a guard,
sums added in another order, ``np.dot`` for ``@``, a copy where the solution works in place.
Each :class:`Variant` changes **one site** of one answer cell by one rewrite that keeps the
result equal up to floating-point rounding; graded by nbgrader like any submission, it must get
full points (``python -m grading quality`` lists any that do not, in
``docs/grading_quality.md``).

The rewrites (:data:`REWRITES`), each on the cell's syntax tree:

* ``eps``: a small constant added as a guard (``y + 1e-7``) becomes ``1e-12`` or ``1e-6``, and a
  ``log(...)`` without a guard (NumPy's or the autodiff engine's) gets one of ``1e-12`` or
  ``1e-6``;
* ``reassociate``: ``(a + b) + c`` becomes ``a + (b + c)``, the same for ``*``;
* ``matmul``: ``a @ b`` becomes ``np.dot(a, b)`` and ``np.dot(a, b)`` becomes ``a @ b``;
* ``sum-order``: ``np.sum(x, axis=0)`` / ``x.sum(axis=0)`` adds the rows in reverse order;
* ``mean``: ``np.mean(x, axis=k)`` / ``x.mean(axis=k)`` becomes a sum divided by the count;
* ``division``: ``a / b`` becomes ``a * (1.0 / b)``;
* ``power``: ``x ** 2`` becomes ``x * x``, ``np.sqrt(x)`` becomes ``x ** 0.5``;
* ``out-of-place``: ``v += e`` on a local result becomes ``v = v + e``;
* ``copy``: an array argument (``x``, ``dout``, ...) is copied on entry (``x = np.copy(x)``),
  unless the solution itself writes into it (then changing it in place is its contract).

Conventions: the rewrites that bring in NumPy functions (``np.dot``, ``np.sum``, ``np.copy``)
skip cells that compute with the autodiff engine's Tensors (:data:`ENGINE_NAMES`). A site is
never a default argument (an interface, not an implementation detail),
nor an operand that may be a tuple, list or string (shapes, formatting). At most
:data:`MAX_SITES` sites per rewrite and cell, spread over the cell, so a long cell does not
dominate. Comments are lost (the cell is re-emitted by :func:`ast.unparse`).
"""
import ast
import copy
from dataclasses import dataclass

MAX_SITES = 3
GUARD_MAX = 1e-4           # a float constant this small, added to something, is a guard
GUARD_EPS = (1e-12, 1e-6)  # the range of guards a correct answer may use
ARRAY_ARGUMENTS = ("x", "X", "dout", "dy", "dY", "t", "y")
# Names of the unit-1 autodiff engine (common.autodiff, imported as ``ad``): a cell that uses them
# computes with Tensors, which NumPy's functions do not take, so NumPy-only rewrites skip it.
ENGINE_NAMES = ("ad", "Tensor")


@dataclass(frozen=True)
class Variant:
    """One rewrite of one answer cell: ``name`` says which rewrite at which site."""
    cell: str
    name: str
    code: str


# ---------------------------------------------------------------- what a site may look like
def _maybe_sequence(node):
    """True when ``node`` may be a tuple, list or string (so ``+``/``*`` are not arithmetic)."""
    for sub in ast.walk(node):
        if isinstance(sub, (ast.Tuple, ast.List, ast.ListComp, ast.JoinedStr)):
            return True
        if isinstance(sub, ast.Constant) and isinstance(sub.value, (str, bytes)):
            return True
        if isinstance(sub, ast.Attribute) and sub.attr in ("shape", "ndim", "size"):
            return True
        if isinstance(sub, ast.Call) and isinstance(sub.func, ast.Name) and sub.func.id in (
                "len", "range", "tuple", "list", "str", "sorted", "zip"):
            return True
    return False


def _is_call(node, name):
    """``np.<name>(...)`` or ``numpy.<name>(...)``."""
    return (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            and node.func.attr == name and isinstance(node.func.value, ast.Name)
            and node.func.value.id in ("np", "numpy"))


def _is_method(node, name):
    """``<expr>.<name>(...)`` where ``expr`` is not the ``np`` module."""
    return (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            and node.func.attr == name
            and not (isinstance(node.func.value, ast.Name) and node.func.value.id in ("np", "numpy")))


def _keyword(node, name):
    return next((k.value for k in node.keywords if k.arg == name), None)


def _np(attr):
    return ast.Attribute(value=ast.Name(id="np", ctx=ast.Load()), attr=attr, ctx=ast.Load())


def _is_small_float(node):
    return (isinstance(node, ast.Constant) and isinstance(node.value, float)
            and 0 < node.value <= GUARD_MAX)


def _defaults(tree):
    """ids of the nodes that are default values of arguments (never rewritten)."""
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            for d in node.args.defaults + [d for d in node.args.kw_defaults if d is not None]:
                out.update(id(sub) for sub in ast.walk(d))
    return out


# ---------------------------------------------------------------- the rewrites
class _Rewrite(ast.NodeTransformer):
    """Finds the sites of one rewrite (:meth:`match`) and rewrites the ``target``-th one.

    Subclasses define ``match(node) -> list of labels`` (one variant per label; empty: not a
    site) and ``rewrite(node, label) -> node``; ``numpy_only`` ones introduce NumPy functions
    and are not used on cells that compute with the autodiff engine.
    """
    name = None
    numpy_only = False

    def __init__(self, tree, target=None):
        self.skip = _defaults(tree)
        self.target = target  # (site index, label) to rewrite, or None to only count
        self.sites = []       # [(site index, label)] in tree order

    def generic_visit(self, node):
        super().generic_visit(node)
        if id(node) in self.skip:
            return node
        labels = self.match(node)
        if not labels:
            return node
        index = len({s for s, _ in self.sites})
        self.sites += [(index, label) for label in labels]
        if self.target is not None and self.target[0] == index:
            return ast.copy_location(self.rewrite(node, self.target[1]), node)
        return node

    def match(self, node):
        raise NotImplementedError

    def rewrite(self, node, label):
        raise NotImplementedError


class Eps(_Rewrite):
    name = "eps"

    def match(self, node):
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add) and (
                _is_small_float(node.left) or _is_small_float(node.right)):
            value = (node.right if _is_small_float(node.right) else node.left).value
            return [eps for eps in GUARD_EPS if eps != value]
        is_log = isinstance(node, ast.Call) and (  # np.log, the engine's ad.log, or log
            (isinstance(node.func, ast.Attribute) and node.func.attr == "log")
            or (isinstance(node.func, ast.Name) and node.func.id == "log"))
        if is_log and len(node.args) == 1 and not isinstance(node.args[0], ast.Constant) and not (
                isinstance(node.args[0], ast.BinOp) and isinstance(node.args[0].op, ast.Add)
                and (_is_small_float(node.args[0].left) or _is_small_float(node.args[0].right))):
            return list(GUARD_EPS)
        return []

    def rewrite(self, node, eps):
        if isinstance(node, ast.BinOp):
            new = copy.deepcopy(node)
            side = "right" if _is_small_float(node.right) else "left"
            setattr(new, side, ast.Constant(eps))
            return new
        new = copy.deepcopy(node)
        new.args = [ast.BinOp(left=new.args[0], op=ast.Add(), right=ast.Constant(eps))]
        return new


class Reassociate(_Rewrite):
    name = "reassociate"

    def match(self, node):
        if (isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Mult))
                and isinstance(node.left, ast.BinOp) and type(node.left.op) is type(node.op)
                and not _maybe_sequence(node)):
            return ["(a+b)+c -> a+(b+c)"]
        return []

    def rewrite(self, node, label):
        inner = node.left
        return ast.BinOp(left=inner.left, op=node.op,
                         right=ast.BinOp(left=inner.right, op=node.op, right=node.right))


class Matmul(_Rewrite):
    numpy_only = True
    name = "matmul"

    def match(self, node):
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.MatMult):
            return ["a @ b -> np.dot(a, b)"]
        if _is_call(node, "dot") and len(node.args) == 2 and not node.keywords and not any(
                isinstance(a, ast.Constant) for a in node.args):
            return ["np.dot(a, b) -> a @ b"]
        return []

    def rewrite(self, node, label):
        if isinstance(node, ast.BinOp):
            return ast.Call(func=_np("dot"), args=[node.left, node.right], keywords=[])
        return ast.BinOp(left=node.args[0], op=ast.MatMult(), right=node.args[1])


def _axis(node, position):
    """The constant int axis of a reduction call (keyword or ``position``-th argument)."""
    axis = _keyword(node, "axis")
    if axis is None and len(node.args) > position:
        axis = node.args[position]
    if isinstance(axis, ast.Constant) and isinstance(axis.value, int):
        return axis.value
    return None


class SumOrder(_Rewrite):
    numpy_only = True
    name = "sum-order"

    def match(self, node):
        if _is_call(node, "sum") and node.args and _axis(node, 1) == 0:
            return ["rows added in reverse order"]
        if _is_method(node, "sum") and _axis(node, 0) == 0:
            return ["rows added in reverse order"]
        return []

    def rewrite(self, node, label):
        new = copy.deepcopy(node)
        reverse = ast.Slice(lower=None, upper=None, step=ast.Constant(-1))
        if _is_call(node, "sum"):
            new.args[0] = ast.Subscript(value=new.args[0], slice=reverse, ctx=ast.Load())
        else:
            new.func.value = ast.Subscript(value=new.func.value, slice=reverse, ctx=ast.Load())
        return new


class Mean(_Rewrite):
    numpy_only = True
    name = "mean"

    def match(self, node):
        allowed = {"axis", "keepdims"}
        if _is_call(node, "mean") and node.args and _axis(node, 1) is not None and len(
                node.args) <= 2 and {k.arg for k in node.keywords} <= allowed:
            return ["mean -> sum / count"]
        if _is_method(node, "mean") and _axis(node, 0) is not None and len(
                node.args) <= 1 and {k.arg for k in node.keywords} <= allowed:
            return ["mean -> sum / count"]
        return []

    def rewrite(self, node, label):
        if _is_call(node, "mean"):
            array, axis = node.args[0], _axis(node, 1)
        else:
            array, axis = node.func.value, _axis(node, 0)
        keywords = [ast.keyword(arg="axis", value=ast.Constant(axis))] + [
            k for k in node.keywords if k.arg == "keepdims"]
        total = ast.Call(func=_np("sum"), args=[array], keywords=keywords)
        count = ast.Subscript(value=ast.Call(func=_np("shape"), args=[array], keywords=[]),
                              slice=ast.Constant(axis), ctx=ast.Load())
        return ast.BinOp(left=total, op=ast.Div(), right=count)


class Division(_Rewrite):
    name = "division"

    def match(self, node):
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div) and not _maybe_sequence(node):
            return ["a / b -> a * (1.0 / b)"]
        return []

    def rewrite(self, node, label):
        return ast.BinOp(left=node.left, op=ast.Mult(),
                         right=ast.BinOp(left=ast.Constant(1.0), op=ast.Div(), right=node.right))


class Power(_Rewrite):
    name = "power"

    def match(self, node):
        if (isinstance(node, ast.BinOp) and isinstance(node.op, ast.Pow)
                and isinstance(node.right, ast.Constant) and node.right.value == 2
                and isinstance(node.left, (ast.Name, ast.Attribute))):
            return ["x ** 2 -> x * x"]
        if _is_call(node, "sqrt") and len(node.args) == 1 and not node.keywords:
            # x ** 0.5 works on arrays and Tensors alike
            return ["np.sqrt(x) -> x ** 0.5"]
        return []

    def rewrite(self, node, label):
        if isinstance(node, ast.BinOp):
            return ast.BinOp(left=node.left, op=ast.Mult(), right=copy.deepcopy(node.left))
        return ast.BinOp(left=node.args[0], op=ast.Pow(), right=ast.Constant(0.5))


def _fresh_locals(function):
    """Names a function binds only to computed values (calls, arithmetic), never to one of its
    arguments or to an existing object (a name, attribute or item): updating such a name in
    place or out of place is the same to the caller."""
    arguments = {a.arg for a in function.args.args + function.args.kwonlyargs}
    fresh, aliased = set(), set(arguments)
    for node in ast.walk(function):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    computed = isinstance(node.value, (ast.BinOp, ast.Call, ast.UnaryOp))
                    (fresh if computed else aliased).add(target.id)
        elif isinstance(node, (ast.For, ast.With, ast.comprehension)):
            for sub in ast.walk(getattr(node, "target", node)):
                if isinstance(sub, ast.Name):
                    aliased.add(sub.id)
    return fresh - aliased


class OutOfPlace(_Rewrite):
    name = "out-of-place"

    def __init__(self, tree, target=None):
        super().__init__(tree, target)
        self.fresh = set()
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                self.fresh |= _fresh_locals(node)

    def match(self, node):
        if (isinstance(node, ast.AugAssign) and isinstance(node.target, ast.Name)
                and node.target.id in self.fresh):
            return ["v += e -> v = v + e"]
        return []

    def rewrite(self, node, label):
        load = ast.Name(id=node.target.id, ctx=ast.Load())
        return ast.Assign(targets=[ast.Name(id=node.target.id, ctx=ast.Store())],
                          value=ast.BinOp(left=load, op=node.op, right=node.value))


def _written_in_place(function):
    """Names a function writes into (``x[i] = ...``, ``x += ...``): a solution that changes an
    argument in place on purpose (a numerical gradient perturbing ``x``) must not get a copy."""
    names = set()
    for node in ast.walk(function):
        targets = (node.targets if isinstance(node, ast.Assign) else
                   [node.target] if isinstance(node, ast.AugAssign) else [])
        for target in targets:
            if isinstance(target, ast.Subscript) and isinstance(target.value, ast.Name):
                names.add(target.value.id)
            elif isinstance(node, ast.AugAssign) and isinstance(target, ast.Name):
                names.add(target.id)
    return names


class Copy(_Rewrite):
    numpy_only = True
    name = "copy"

    def match(self, node):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            written = _written_in_place(node)
            return [a.arg for a in node.args.args
                    if a.arg in ARRAY_ARGUMENTS and a.arg not in written]
        return []

    def rewrite(self, node, argument):
        new = copy.deepcopy(node)
        line = ast.parse(f"{argument} = np.copy({argument})").body[0]
        body = new.body
        docstring = 1 if body and isinstance(body[0], ast.Expr) and isinstance(
            getattr(body[0], "value", None), ast.Constant) else 0
        new.body = body[:docstring] + [line] + body[docstring:]
        return new


REWRITES = (Eps, Reassociate, Matmul, SumOrder, Mean, Division, Power, OutOfPlace, Copy)


# ---------------------------------------------------------------- variants of a cell
def _spread(sites, k):
    """At most ``k`` site indices, spread evenly over ``sites`` (first and last included)."""
    if len(sites) <= k:
        return sites
    step = (len(sites) - 1) / (k - 1)
    return [sites[round(i * step)] for i in range(k)]


def cell_variants(cell, code, max_sites=MAX_SITES):
    """Every :class:`Variant` of the answer cell ``cell`` whose solution is ``code``."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return []
    engine = any(isinstance(n, ast.Name) and n.id in ENGINE_NAMES for n in ast.walk(tree))
    out = []
    for rewrite in REWRITES:
        if engine and rewrite.numpy_only:
            continue
        finder = rewrite(tree)  # only counts the sites: the tree is not changed
        finder.visit(tree)
        indices = _spread(sorted({s for s, _ in finder.sites}), max_sites)
        for index in indices:
            for site, label in finder.sites:
                if site != index:
                    continue
                work = copy.deepcopy(tree)
                changer = rewrite(work, target=(index, label))
                new = ast.fix_missing_locations(changer.visit(work))
                text = ast.unparse(new)
                if text != ast.unparse(tree):
                    out.append(Variant(cell=cell, name=f"{rewrite.name} #{index + 1}: {label}",
                                       code=text))
    return out


def variants(solutions, max_sites=MAX_SITES):
    """Every :class:`Variant` of every answer cell, from ``{grade_id: solution code}``."""
    return [v for cell, code in solutions.items() for v in cell_variants(cell, code, max_sites)]
