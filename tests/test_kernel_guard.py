"""grading/kernel_guard.py in-process: what an answer cell rebinds, restore() puts back.

The whole guard, inside real kernels and nbgrader, is tested by the hostile students of
tests/test_classroom.py; these tests pin the snapshot and restore themselves.
"""
import builtins

import numpy as np
import numpy.testing

import common.gradient_check as gradient_check
from grading import kernel_guard


def test_restore_puts_back_module_attributes_builtins_and_notebook_names():
    originals = (np.allclose, numpy.testing.assert_allclose, builtins.max,
                 gradient_check.check_gradient, np.linalg.norm)
    namespace = {"np": np, "check_gradient": gradient_check.check_gradient, "student": 1}
    restore = kernel_guard.install(namespace)
    try:
        np.allclose = lambda *a, **k: True
        numpy.testing.assert_allclose = lambda *a, **k: None
        builtins.max = lambda *a, **k: 0.0
        gradient_check.check_gradient = lambda *a, **k: None
        del np.linalg.norm
        namespace["np"] = None
        namespace["check_gradient"] = lambda *a, **k: None
        namespace["student"] = 2
        restore()
        assert (np.allclose, numpy.testing.assert_allclose, builtins.max,
                gradient_check.check_gradient, np.linalg.norm) == originals
        assert namespace["np"] is np
        assert namespace["check_gradient"] is originals[3]
        assert namespace["student"] == 2, "the student's own variables are theirs"
    finally:
        (np.allclose, numpy.testing.assert_allclose, builtins.max,
         gradient_check.check_gradient, np.linalg.norm) = originals


def test_restore_leaves_unpatched_state_and_new_attributes_alone():
    restore = kernel_guard.install({})
    np._kernel_guard_probe = 1
    try:
        restore()
        assert np._kernel_guard_probe == 1
        assert np.allclose(np.ones(3), np.ones(3))
    finally:
        del np._kernel_guard_probe
