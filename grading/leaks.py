"""Does any file of a student edition contain solution code? A normalized n-gram comparison.

Code is *normalized* before it is compared, so renaming and reformatting do not hide a copy:
it is parsed and printed again with :func:`ast.unparse` (formatting, comments, redundant
parentheses and quote styles are gone), docstrings are dropped, and in its tokens every
identifier becomes ``_`` except keywords, builtins, the usual module names (``np``, ``pd``,
...) and the attributes taken from those modules (``np.sum`` stays ``np.sum``); numbers become
``0`` and strings ``S``. A solution region is then cut into runs of :data:`NGRAM` consecutive
tokens (a shorter region is one run), and a region's *overlap* with a document (a ``.py`` file
or a notebook code cell) is the share of its runs that occur in the document. A solution unit
(:class:`grading.solutions.SolutionUnit`) whose runs, all regions together, overlap one
document by :data:`THRESHOLD` or more is found in it. Units with fewer than
:data:`MIN_TOKENS` tokens are too short to tell from ordinary code and are reported as such.
"""
import ast
import builtins
import io
import json
import keyword
import tokenize
from dataclasses import dataclass
from pathlib import Path

NGRAM = 8
THRESHOLD = 0.6
MIN_TOKENS = 10
MODULES = frozenset({"np", "numpy", "pd", "pandas", "math", "itertools", "ad", "plt"})
KEPT = frozenset(dir(builtins)) | MODULES | {"self"}
_SKIPPED = {tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT,
            tokenize.ENDMARKER, tokenize.ENCODING}


def _without_docstrings(tree):
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
                    and isinstance(body[0].value.value, str):
                node.body = body[1:] or [ast.Pass()]
    return tree


def _code_lines(code):
    """Notebook cell text without IPython magics and shell escapes (not Python)."""
    return "\n".join(line for line in code.splitlines()
                     if not line.lstrip().startswith(("%", "!")))


def normalize(code):
    """The normalized token list of a piece of Python code (see the module docstring).

    Parameters
    ----------
    code : str
        A module, a notebook cell or a dedented solution region.

    Returns
    -------
    list of str
    """
    code = _code_lines(code)
    try:
        code = ast.unparse(_without_docstrings(ast.parse(code)))
    except (SyntaxError, ValueError):
        pass  # compare the tokens as written
    out = []
    try:
        for tok in tokenize.generate_tokens(io.StringIO(code).readline):
            if tok.type in _SKIPPED:
                continue
            if tok.type == tokenize.NAME:
                text = tok.string
                after_module = len(out) >= 2 and out[-1] == "." and out[-2] in MODULES
                out.append(text if keyword.iskeyword(text) or text in KEPT or after_module
                           else "_")
            elif tok.type == tokenize.NUMBER:
                out.append("0")
            elif tok.type == tokenize.STRING:
                out.append("S")
            else:
                out.append(tok.string)
    except (tokenize.TokenError, IndentationError, SyntaxError):
        pass  # keep the tokens read so far
    return out


def runs(tokens, n=NGRAM):
    """The runs of ``n`` consecutive tokens (the whole list, if shorter) as tuples."""
    if len(tokens) <= n:
        return [tuple(tokens)] if tokens else []
    return [tuple(tokens[i:i + n]) for i in range(len(tokens) - n + 1)]


class Document:
    """One ``.py`` file or notebook code cell of an edition, indexed for comparison.

    Parameters
    ----------
    where : str
        How a report names it, e.g. ``"common/layers.py"`` or ``"notebooks/08.ipynb, cell 12"``.
    code : str
    """

    def __init__(self, where, code):
        self.where = where
        self.tokens = normalize(code)
        self._runs = {}

    def contains(self, run):
        """True if the run of tokens occurs in the document."""
        n = len(run)
        if n not in self._runs:
            self._runs[n] = set(runs(self.tokens, n)) if len(self.tokens) >= n else set()
        return run in self._runs[n]


def documents(root):
    """Every ``.py`` file and every notebook code cell under ``root`` (a folder), as Documents."""
    root = Path(root)
    docs = []
    for path in sorted(root.rglob("*")):
        if ".git" in path.relative_to(root).parts or not path.is_file():
            continue
        rel = str(path.relative_to(root))
        if path.suffix == ".py":
            docs.append(Document(rel, path.read_text(errors="replace")))
        elif path.suffix == ".ipynb":
            nb = json.loads(path.read_text())
            for index, cell in enumerate(nb.get("cells", [])):
                if cell.get("cell_type") == "code":
                    source = cell.get("source", "")
                    docs.append(Document(f"{rel}, cell {index}",
                                         "".join(source) if isinstance(source, list) else source))
    return docs


def unit_runs(unit):
    """The runs of every region of a solution unit, and its number of tokens."""
    tokens = [normalize(region) for region in unit.regions]
    return [run for region in tokens for run in runs(region)], sum(map(len, tokens))


def overlap(unit_r, document):
    """The share (0..1) of a unit's runs (from :func:`unit_runs`) that occur in the document."""
    if not unit_r:
        return 0.0
    return sum(document.contains(run) for run in unit_r) / len(unit_r)


@dataclass(frozen=True)
class Finding:
    """A solution unit found in a document (``score`` >= the threshold)."""

    assignment: str
    name: str
    where: str
    score: float

    def __str__(self):
        return f"{self.assignment} {self.name}: {self.where} ({self.score:.0%} of its code)"


def is_checkable(unit):
    """True if the unit has enough tokens to be told from ordinary code."""
    return unit_runs(unit)[1] >= MIN_TOKENS


def find(units, docs, threshold=THRESHOLD):
    """Every (unit, document) pair whose overlap reaches ``threshold``, best first per unit.

    Parameters
    ----------
    units : iterable of SolutionUnit
        Units too short to check (:func:`is_checkable`) are skipped.
    docs : list of Document
    threshold : float

    Returns
    -------
    list of Finding
    """
    findings = []
    for unit in units:
        unit_r, size = unit_runs(unit)
        if size < MIN_TOKENS:
            continue
        hits = [(overlap(unit_r, doc), doc.where) for doc in docs]
        findings += [Finding(unit.assignment, unit.name, where, score)
                     for score, where in sorted(hits, reverse=True) if score >= threshold]
    return findings
