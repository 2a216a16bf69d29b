"""What each assignment grades, and the course package's own version of it.

Every class and function that a solution region of an assignment defines is one row of
:data:`GRADED`: the assignment, the name the student's notebook gives it, and the objects of
``common`` that answer the same question (``"module:qualname"``), if any. A student edition of
the course (``python -m grading student-edition``) replaces those objects by stubs while their
assignment is open or still to come; once it has closed, they are part of the package.

Some answers are handed out earlier than the assignment that asks for them again, as practice:
the standardization of unit 3 is a helper from unit 1 on, the softmax of unit 4 from unit 2,
the standard deviations of unit 7's initializers from unit 2. Others are handed out in the very
unit that asks for them, because its lecture needs the course's version: unit 1's lecture checks
gradients with ``common.gradient_check`` while its assignment has the student write a gradient
check of their own. Such a row says so with ``given_since``; from that assignment on the object
stays in the package (and the editions' leak check counts that solution as public).

A stub raises :class:`LockedError` when it is called or instantiated, with the message made by
:func:`locked_message`, and :func:`is_withheld` tells a stub from the real object.
"""
from dataclasses import dataclass

ASSIGNMENTS = (
    "01_autodiff", "02_two_layer_nets", "03_year_prediction", "04_layer_classes",
    "05_multilayer_nets", "06_optimizers", "07_initialization", "08_batch_norm",
    "09_deep_models", "10_dropout", "11_regularization",
)


@dataclass(frozen=True)
class Graded:
    """One class or function that an assignment's solution defines.

    Attributes
    ----------
    assignment : str
        The assignment (a name of :data:`ASSIGNMENTS`).
    name : str
        The name the solution region's cell defines.
    course : tuple of str
        The course package's versions of it, ``"common.module:qualname"``; withheld from a
        student edition until ``assignment`` has closed (or from ``given_since`` on).
    given_since : str or None
        The assignment from which ``course`` is handed out although ``assignment`` asks for
        it too (later, or in the same unit); None for an answer that stays withheld until its
        assignment closes.
    """

    assignment: str
    name: str
    course: tuple = ()
    given_since: str | None = None


def _rows(assignment, *entries):
    """Rows of one assignment: each entry is a name or ``(name, course, given_since)``."""
    rows = []
    for entry in entries:
        if isinstance(entry, str):
            rows.append(Graded(assignment, entry))
        else:
            name, course, *given = entry
            rows.append(Graded(assignment, name, tuple(course), given[0] if given else None))
    return rows


GRADED = tuple(
    _rows("01_autodiff",
          ("central_difference_gradient", ["common.gradient_check:numerical_gradient"],
           "01_autodiff"),
          ("relative_error", ["common.gradient_check:rel_error"], "01_autodiff"),
          "p1_du_dx", "p1_dz_dx", "p2_dz_dx", "p3_dz_dx", "p4_dz_dxy", "p5_dz_dxy",
          "p6_affine_grads", "triple_product_grads",
          ("mul_backward", ["common.autodiff:mul_backward"]),
          ("div_backward", ["common.autodiff:div_backward"]),
          ("exp_backward", ["common.autodiff:exp_backward"]),
          ("sigmoid_backward", ["common.autodiff:sigmoid_backward"]),
          ("matmul_backward", ["common.autodiff:matmul_backward"]),
          "logistic_loss", "logistic_gradient", "train_logistic", "softmax_cross_entropy_graph")
    + _rows("02_two_layer_nets",
            "forward_regression", "backward_regression", "forward_binary", "backward_binary",
            "forward_multiclass", "backward_multiclass")
    + _rows("03_year_prediction",
            ("standardize", ["common.preprocessing:standardize"], "01_autodiff"),
            "predict", "loss_and_gradients", "train", "rmse", "mae", "predict_original")
    + _rows("04_layer_classes",
            ("Affine", ["common.layers:Affine"]),
            ("Relu", ["common.layers:Relu"]),
            ("Sigmoid", ["common.layers:Sigmoid"]),
            ("SigmoidWithLoss", ["common.layers:SigmoidWithLoss"]),
            ("softmax", ["common.functions:softmax"], "02_two_layer_nets"),
            ("SoftmaxWithLoss", ["common.layers:SoftmaxWithLoss"]))
    + _rows("05_multilayer_nets",
            ("LayerNet", ["common.network:MultiLayerNet"]),
            "accuracy", "gradient_shrink_per_layer")
    + _rows("06_optimizers",
            ("SGD", ["common.optimizers:SGD"]),
            ("Momentum", ["common.optimizers:Momentum"]),
            ("AdaGrad", ["common.optimizers:AdaGrad"]),
            ("RMSProp", ["common.optimizers:RMSProp"]),
            ("Adam", ["common.optimizers:Adam"]))
    + _rows("07_initialization",
            ("he_normal", ["common.initializers:he_std"], "02_two_layer_nets"),
            ("xavier_normal", ["common.initializers:xavier_std"], "02_two_layer_nets"),
            "forward_activations", "activation_statistics", "init_params")
    + _rows("08_batch_norm",
            "standardize", "batch_norm_node_gradients",
            ("BatchNormalization", ["common.layers:BatchNormalization"]))
    + _rows("09_deep_models",
            "make_grid", "run_experiments", "deepest_trainable", "best_optimizer_per_depth",
            "accuracy_drop_without_bn", "seed_summary", "difference_in_standard_errors")
    + _rows("10_dropout",
            ("Dropout", ["common.layers:Dropout"]),
            ("InvertedDropout", ["common.layers:Dropout"]))
    + _rows("11_regularization",
            ("l2_penalty", ["common.regularization:weight_penalty"]),
            ("l2_gradient", ["common.regularization:penalty_gradient"]),
            ("l1_penalty", ["common.regularization:weight_penalty"]),
            ("l1_gradient", ["common.regularization:penalty_gradient"]),
            "soft_threshold", "penalized_descent", "step_decay", "choose_configuration",
            "lr_drop_gain")
)


class LockedError(RuntimeError):
    """Raised by a part of the course package that a student edition still withholds."""


WITHHELD = "__withheld__"  # the attribute that marks a stub of a student edition


def is_withheld(obj):
    """True if ``obj`` is a stub of a student edition: a class or function of ``common`` whose
    assignment has not closed yet (calling it raises :class:`LockedError`)."""
    return getattr(obj, WITHHELD, False) is True


def assignment_number(assignment):
    """The unit number of an assignment name: ``"08_batch_norm"`` -> 8."""
    return int(assignment.split("_", 1)[0])


def graded_in(assignment):
    """The rows of :data:`GRADED` of one assignment, in the order of its notebook."""
    if assignment not in ASSIGNMENTS:
        raise ValueError(f"unknown assignment {assignment!r}; the assignments are {ASSIGNMENTS}.")
    return [row for row in GRADED if row.assignment == assignment]


def is_public(row, open_assignment):
    """True if ``row``'s course objects are in the package while ``open_assignment`` is open.

    Parameters
    ----------
    row : Graded
    open_assignment : str or None
        The assignment that is open now; None once every assignment has closed.
    """
    if open_assignment is None:
        return True
    now = assignment_number(open_assignment)
    if row.given_since is not None and assignment_number(row.given_since) <= now:
        return True
    return assignment_number(row.assignment) < now


def withheld(open_assignment):
    """``{"module:qualname": [rows]}`` of the course objects withheld while an assignment is open."""
    out = {}
    for row in GRADED:
        if not is_public(row, open_assignment):
            for target in row.course:
                out.setdefault(target, []).append(row)
    return out


def locked_message(qualname, rows):
    """The error text of a withheld object, naming what the student writes and where.

    Parameters
    ----------
    qualname : str
        The object's name in ``common``, e.g. ``"BatchNormalization"``.
    rows : list of Graded
        The rows that withhold it (one assignment).
    """
    assignment = rows[0].assignment
    names = sorted({row.name for row in rows})
    also = "" if names == [qualname] else " (as " + " and ".join(f"`{n}`" for n in names) + ")"
    return (f"`{qualname}` is what you write in assignment {assignment}{also}; it is unlocked "
            "in the course package once that assignment has closed.")
