"""The leak checker (grading.leaks) and the stubs of a student edition (grading.edition)."""
import textwrap

import pytest

from common import syllabus
from grading import edition, leaks, solutions
from grading.course import REPO

BN = next(u for u in solutions.source_units(REPO / "source", ["08_batch_norm"])["08_batch_norm"]
          if u.name == "BatchNormalization")

# The batch-norm solution, renamed (every variable and attribute), reformatted (one statement
# split over lines, extra parentheses, other quotes and numbers written differently), commented,
# and buried in a module among other code.
DISGUISED = textwrap.dedent('''
    """My helpers."""
    import numpy as np


    def unrelated(a):
        return [v + 1 for v in a]


    class Norm:
        def __init__(self, g, s, mom=0.9, tiny=1e-8):
            self.g, self.s, self.mom, self.tiny = g, s, mom, tiny
            self.rm = np.zeros_like(g)
            self.rv = np.ones_like(g)

        def forward(self, batch, training=True):
            # training: batch statistics
            if (training):
                centre = batch.mean(axis = 0)
                spread = (
                    (batch - centre) ** 2
                ).mean(axis=0)
                k = self.mom
                self.rm = k * self.rm + (1 - k) * centre
                self.rv = k * self.rv + (1 - k) * spread
            else:
                centre, spread = self.rm, self.rv
            self.sd = np.sqrt(spread + self.tiny)
            self.xh = (batch - centre) / self.sd
            return self.g * self.xh + self.s

        def backward(self, up):
            self.ds = up.sum(axis=0)
            self.dg = (self.xh * up).sum(axis=0)
            m1 = up.mean(axis=0)
            m2 = (self.xh * up).mean(axis=0)
            return (self.g / self.sd) * (up - m1 - self.xh * m2)
''')


def test_renaming_and_reformatting_do_not_change_the_normalized_tokens():
    a = "def f(x, y):\n    '''doc'''\n    return np.sum(x * y, axis=0)  # sum\n"
    b = "def g(p,q): return (np.sum((p*q), axis = 1))\n"
    assert leaks.normalize(a) == leaks.normalize(b)
    assert leaks.normalize("np.max(v)") != leaks.normalize("np.min(v)")


def test_a_renamed_and_reformatted_copy_is_found():
    docs = [leaks.Document("disguised.py", DISGUISED),
            leaks.Document("other.py", "import numpy as np\n\ndef relu(x):\n    return np.maximum(x, 0)\n")]
    found = leaks.find([BN], docs)
    assert [f.where for f in found] == ["disguised.py"]
    assert found[0].score >= 0.9


def test_the_release_does_not_count_as_the_solution():
    release = leaks.documents(REPO / "release" / "08_batch_norm")
    assert not leaks.find([BN], release)


def test_a_notebook_cell_is_compared_too(tmp_path):
    import nbformat
    from nbformat.v4 import new_code_cell, new_notebook

    nb = new_notebook(cells=[new_code_cell("%matplotlib inline\nprint(1)"),
                             new_code_cell(DISGUISED)])
    nbformat.write(nb, tmp_path / "n.ipynb")
    found = leaks.find([BN], leaks.documents(tmp_path))
    assert [f.where for f in found] == ["n.ipynb, cell 1"]


def test_short_units_are_not_compared():
    unit = solutions.SolutionUnit("01_autodiff", "exp_backward", "c", ("return (g * out,)",), True)
    assert not leaks.is_checkable(unit)
    assert leaks.find([unit], [leaks.Document("x.py", "return (g * out,)")]) == []


MODULE = textwrap.dedent('''
    """A module."""
    import numpy as np

    from common.functions import softmax


    def helper(x):
        return x + 1


    def one_liner(a, b): return a * b


    class Layer(object):
        """Doc."""

        param_names = ("W",)

        def forward(self, x):
            return helper(x)


    TABLE = {"layer": Layer, "one": one_liner}
''')


def test_stub_module_replaces_only_the_named_definitions(tmp_path):
    import importlib.util

    text = edition.stub_module(MODULE, {"Layer": "`Layer` is withheld", "one_liner": "no"})
    path = tmp_path / "stubbed_module.py"
    path.write_text(text)
    spec = importlib.util.spec_from_file_location("stubbed_module", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.helper(1) == 2
    with pytest.raises(syllabus.LockedError, match="`Layer` is withheld"):
        module.TABLE["layer"]()
    with pytest.raises(syllabus.LockedError, match="no"):
        module.one_liner(2, 3)
    assert "return helper(x)" not in text and "a * b" not in text
    # a stub says it is one; what the edition keeps does not
    assert syllabus.is_withheld(module.Layer) and syllabus.is_withheld(module.TABLE["one"])
    assert not syllabus.is_withheld(module.helper)


def test_stub_module_refuses_a_name_it_cannot_find():
    with pytest.raises(ValueError, match="Missing"):
        edition.stub_module(MODULE, {"Missing": "x"})
