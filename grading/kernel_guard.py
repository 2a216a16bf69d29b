"""Kernel side of the grading guard (see grading/guard.py): snapshot and restore.

Imported inside the student's kernel during autograding, so it imports nothing heavy.
"""
import sys

# Modules whose attributes tests rely on (prefixes; submodules included once imported).
PROTECTED = ("builtins", "numpy", "math", "common", "pandas")

_restores = [0]  # how many times the real restore has run in this kernel (see audit)


def audit(token):
    """Print ``token`` and how many times the real ``restore`` ran: the grader compares that
    with the number of test cells that ran (grading/guard.py); fewer means a test cell ran
    with the guard switched off."""
    print(f"{token} {_restores[0]}")


def _protected_modules():
    for name, module in list(sys.modules.items()):
        if module is not None and any(name == p or name.startswith(p + ".") for p in PROTECTED):
            yield name, module


def install(namespace):
    """Kernel side: snapshot protected modules and the notebook's names; return ``restore``.

    Parameters
    ----------
    namespace : dict
        The notebook's globals (``globals()`` of the kernel).

    Returns
    -------
    callable
        ``restore()`` puts back every snapshotted module attribute and every notebook name that
        was bound to a module or to a function/class from a protected module.
    """
    import numpy  # noqa: F401  (make sure the usual suspects are loaded and snapshotted)
    import numpy.testing  # noqa: F401

    modules = {name: (module, dict(vars(module))) for name, module in _protected_modules()}

    def from_protected(obj):
        mod = getattr(obj, "__module__", None) or getattr(obj, "__name__", "")
        return isinstance(mod, str) and any(mod == p or mod.startswith(p + ".") for p in PROTECTED)

    names = {k: v for k, v in namespace.items()
             if not k.startswith("_") and (type(v) is type(sys) or from_protected(v))}
    setitem = dict.__setitem__
    get = dict.get

    def put_back(saved_modules):
        for module, saved in saved_modules:
            current = vars(module)
            for key, value in saved.items():
                if get(current, key, restore) is not value:
                    setitem(current, key, value)

    everything = list(modules.values())
    builtins_only = [modules["builtins"]]

    def restore():
        _restores[0] += 1
        put_back(everything)
        for key, value in names.items():
            if get(namespace, key, restore) is not value:
                setitem(namespace, key, value)

    # Also put builtins back after every cell: a patched builtin (say `isinstance`) would
    # otherwise break the kernel's own messaging before the next test cell could repair it.
    # (Everything else is put back at the top of each test cell: doing all of it after every
    # cell as well is measurably slower; README, "Performance".)
    try:
        get_ipython().events.register("post_run_cell", lambda *args: put_back(builtins_only))  # noqa: F821
    except NameError:  # not inside IPython
        pass
    return restore


