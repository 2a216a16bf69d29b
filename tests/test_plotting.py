"""Tests for common.plotting: titles, labels, what is drawn, provided Axes, bad input."""
import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from common.plotting import (  # noqa: E402
    metric_name,
    MAX_WIDTH,
    plot_activation_histograms,
    plot_history,
    plot_learning_curves,
    plot_trajectory,
)


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _history(n_epochs=5, scale=1.0):
    epochs = np.arange(1, n_epochs + 1)
    return pd.DataFrame({
        "epoch": epochs,
        "train_loss": scale / epochs,
        "test_loss": scale * 1.2 / epochs,
        "train_acc": 1 - 0.5 / epochs,
        "test_acc": 1 - 0.6 / epochs,
    })


def _assert_labelled(ax):
    assert ax.get_title(), "missing title"
    assert ax.get_xlabel(), "missing x label"
    assert ax.get_ylabel(), "missing y label"


def _assert_fits_the_page(fig):
    assert fig.get_size_inches()[0] <= MAX_WIDTH <= 10


def _bowl(x, y):
    return x ** 2 + 100 * y ** 2


# --- plot_history -------------------------------------------------------------------------

def test_plot_history_draws_each_present_metric_with_a_legend():
    history = _history()
    ax = plot_history(history)
    _assert_labelled(ax)
    _assert_fits_the_page(ax.figure)
    assert ax.get_ylabel() == "loss"
    # readable names in the legend, not the column names
    assert [line.get_label() for line in ax.get_lines()] == ["training loss", "test loss"]
    np.testing.assert_array_equal(ax.get_lines()[0].get_xdata(), history["epoch"])
    np.testing.assert_array_equal(ax.get_lines()[1].get_ydata(), history["test_loss"])
    assert ax.get_legend() is not None


def test_plot_history_skips_missing_metrics_and_uses_the_given_title():
    ax = plot_history(_history(), metrics=("train_acc", "val_acc", "test_acc"), title="Accuracy")
    assert ax.get_title() == "Accuracy"
    assert ax.get_ylabel() == "accuracy"
    assert len(ax.get_lines()) == 2


def test_plot_history_draws_on_a_provided_axes():
    fig, (left, right) = plt.subplots(1, 2)
    returned = plot_history(_history(), metrics="train_loss", ax=right)
    assert returned is right
    assert len(right.get_lines()) == 1 and len(left.get_lines()) == 0
    _assert_labelled(right)


def test_plot_history_without_epoch_column_is_an_error():
    with pytest.raises(ValueError, match="'epoch'"):
        plot_history(_history().drop(columns="epoch"))


def test_plot_history_bad_input_is_an_error():
    with pytest.raises(ValueError, match="none of the metrics"):
        plot_history(_history(), metrics=("val_loss",))
    with pytest.raises(TypeError, match="DataFrame"):
        plot_history({"epoch": [1, 2], "train_loss": [1.0, 0.5]})


# --- plot_learning_curves -----------------------------------------------------------------

def test_plot_learning_curves_one_line_per_run():
    runs = {"SGD": _history(scale=2.0), "Adam": _history(scale=1.0), "Momentum": _history(8)}
    ax = plot_learning_curves(runs, metric="test_loss")
    _assert_labelled(ax)
    _assert_fits_the_page(ax.figure)
    assert ax.get_title() == "Test loss by run" and ax.get_ylabel() == "test loss"
    assert [line.get_label() for line in ax.get_lines()] == ["SGD", "Adam", "Momentum"]
    assert len(ax.get_lines()[2].get_xdata()) == 8
    assert ax.get_legend() is not None


def test_metric_names_are_readable_and_unknown_columns_lose_their_underscores():
    assert metric_name("train_acc") == "training accuracy"
    assert metric_name("val_loss") == "validation loss"
    assert metric_name("grad_norm") == "grad norm"


def test_plot_learning_curves_on_a_provided_axes():
    _, ax = plt.subplots()
    assert plot_learning_curves({"a": _history()}, ax=ax) is ax
    assert len(ax.get_lines()) == 1


def test_plot_learning_curves_names_the_bad_run():
    runs = {"good": _history(), "bad": _history().drop(columns="epoch")}
    with pytest.raises(ValueError, match=r"histories\['bad'\] has no 'epoch' column"):
        plot_learning_curves(runs)
    with pytest.raises(ValueError, match="'val_loss'"):
        plot_learning_curves({"good": _history()}, metric="val_loss")
    with pytest.raises(TypeError):
        plot_learning_curves({})


# --- plot_trajectory ----------------------------------------------------------------------

def test_plot_trajectory_draws_contours_path_start_and_end():
    path = np.array([[10.0, 1.0], [8.0, -0.5], [5.0, 0.3], [1.0, 0.0]])
    ax = plot_trajectory(_bowl, path, xlim=(-11, 11), ylim=(-2, 2), levels=20)
    _assert_labelled(ax)
    _assert_fits_the_page(ax.figure)
    assert ax.collections, "no contour drawn"
    labels = [line.get_label() for line in ax.get_lines()]
    assert labels == ["path", "start", "end"]
    path_line, start, end = ax.get_lines()
    np.testing.assert_array_equal(path_line.get_xydata(), path)
    np.testing.assert_array_equal(start.get_xydata(), path[:1])
    np.testing.assert_array_equal(end.get_xydata(), path[-1:])
    assert ax.get_xlim() == (-11, 11) and ax.get_ylim() == (-2, 2)


def test_plot_trajectory_on_a_provided_axes_with_title():
    _, ax = plt.subplots()
    returned = plot_trajectory(_bowl, [[1.0, 1.0]], xlim=(-2, 2), ylim=(-2, 2), ax=ax, title="GD")
    assert returned is ax
    assert ax.get_title() == "GD"
    assert ax.collections


@pytest.mark.parametrize("path, limits, message", [
    (np.zeros((3, 3)), ((-1, 1), (-1, 1)), r"shape \(T, 2\)"),
    (np.zeros((0, 2)), ((-1, 1), (-1, 1)), r"shape \(T, 2\)"),
    (np.zeros((3, 2)), ((1, -1), (-1, 1)), "low < high"),
])
def test_plot_trajectory_bad_input_is_an_error(path, limits, message):
    with pytest.raises(ValueError, match=message):
        plot_trajectory(_bowl, path, xlim=limits[0], ylim=limits[1])


def test_plot_trajectory_needs_a_vectorized_f():
    with pytest.raises(ValueError, match="element-wise"):
        plot_trajectory(lambda x, y: 1.0, [[0.0, 0.0]], xlim=(-1, 1), ylim=(-1, 1))


# --- plot_activation_histograms -----------------------------------------------------------

def test_activation_histograms_one_panel_per_layer():
    rng = np.random.default_rng(0)
    layers = [rng.uniform(0.2, 0.7, size=(100, 10)) for _ in range(5)]
    fig = plot_activation_histograms(layers, bins=20, title="Sigmoid, std = 1")
    _assert_fits_the_page(fig)
    assert fig.get_suptitle() == "Sigmoid, std = 1"
    panels = [ax for ax in fig.axes if ax.get_visible()]
    assert len(panels) == 5
    for i, ax in enumerate(panels, start=1):
        _assert_labelled(ax)
        assert ax.get_title() == f"layer {i}"
        assert len(ax.patches) == 20  # one bar per bin
        assert sum(bar.get_height() for bar in ax.patches) == 1000  # every value counted
    # Values in [0, 1] (sigmoid-like): the bins cover (0, 1), not just (0.2, 0.7).
    first, last = panels[0].patches[0], panels[0].patches[-1]
    assert first.get_x() == pytest.approx(0.0, abs=1e-12)
    assert last.get_x() + last.get_width() == pytest.approx(1.0)


def test_activation_histograms_from_a_dataframe_with_wide_values_and_many_layers():
    rng = np.random.default_rng(1)
    frame = pd.DataFrame({f"L{i}": rng.normal(0, 3, size=200) for i in range(7)})
    fig = plot_activation_histograms(frame)
    _assert_fits_the_page(fig)
    panels = [ax for ax in fig.axes if ax.get_visible()]
    assert [ax.get_title() for ax in panels] == list(frame.columns)
    assert len(fig.axes) == 10  # two rows of five, three hidden
    left_edge = panels[0].patches[0].get_x()
    assert left_edge == pytest.approx(frame.to_numpy().min())  # data outside (0, 1): its range


def test_activation_histograms_on_given_axes_with_a_given_range():
    fig, axes = plt.subplots(1, 2)
    returned = plot_activation_histograms({"a": np.full(10, 0.5), "b": np.full(10, 2.0)},
                                          bins=4, value_range=(-1, 3), axes=axes)
    assert returned is fig
    assert [ax.get_title() for ax in axes] == ["a", "b"]
    assert axes[0].patches[0].get_x() == pytest.approx(-1.0)
    assert fig.get_suptitle()


@pytest.mark.parametrize("activations, error", [
    ([], ValueError),
    ([np.array([0.1, np.nan])], ValueError),
    (np.ones((3, 3)), TypeError),
])
def test_activation_histograms_bad_input_is_an_error(activations, error):
    with pytest.raises(error):
        plot_activation_histograms(activations)


def test_activation_histograms_wrong_number_of_axes_is_an_error():
    _, axes = plt.subplots(1, 3)
    with pytest.raises(ValueError, match="one Axes per layer"):
        plot_activation_histograms([np.ones(3), np.ones(3)], axes=axes)


# --- plot_graph ---------------------------------------------------------------------------

from common.plotting import plot_graph  # noqa: E402

def _squared_residual():
    """z = (a x - y)^2 with named nodes, as in the unit 1 lecture."""
    from common.autodiff import Tensor

    a, x, y = Tensor(2.0, name="a"), Tensor(3.0, name="x"), Tensor(1.0, name="y")
    s = a * x
    s.name = "s"
    t = s - y
    t.name = "t"
    z = t ** 2
    z.name = "z"
    return z


def _boxes_and_arrows(ax):
    from matplotlib.text import Annotation

    boxes = [t for t in ax.texts if not isinstance(t, Annotation)]
    arrows = [t for t in ax.texts if isinstance(t, Annotation)]
    return boxes, arrows


def test_plot_graph_draws_one_box_per_node_and_one_arrow_per_edge():
    from common.autodiff import trace

    z = _squared_residual()
    nodes, edges = trace(z)
    ax = plot_graph(z)
    assert not ax.axison, "a graph drawing has no axes, ticks or axis labels"
    _assert_fits_the_page(ax.figure)
    assert ax.get_title() == "Computational graph of z"
    boxes, arrows = _boxes_and_arrows(ax)
    texts = sorted(box.get_text() for box in boxes)
    assert texts == sorted(["a", "x", "y", "s\nmul", "t\nsub", "z\npow (p=2)"])
    assert len(arrows) == len(edges) == 5
    ax.figure.canvas.draw()  # arrows attached to boxes are placed at draw time: must not fail


def test_plot_graph_layers_left_to_right():
    from common.autodiff import trace

    z = _squared_residual()
    ax = plot_graph(z)
    boxes, arrows = _boxes_and_arrows(ax)
    x_of = {box.get_text().split("\n")[0]: box.get_position()[0] for box in boxes}
    # every arrow goes from a box further left to a box further right
    for arrow in arrows:
        parent, child = arrow.anncoords, arrow.xycoords
        assert parent.get_position()[0] < child.get_position()[0]
    assert x_of["a"] == x_of["x"] == 0 and x_of["s"] == 1 and x_of["z"] == 3
    assert x_of["y"] == 1  # a leaf sits just before the op that uses it
    assert len(trace(z)[0]) == len(boxes)


def test_plot_graph_draws_each_use_of_a_node_and_accepts_an_axes():
    from common.autodiff import Tensor

    x = Tensor(3.0, name="x")
    out = x * x + x
    _, ax = plt.subplots()
    returned = plot_graph(out, ax=ax, title="x*x + x")
    assert returned is ax
    assert ax.get_title() == "x*x + x"
    boxes, arrows = _boxes_and_arrows(ax)
    assert len(boxes) == 3 and len(arrows) == 4  # x -> mul twice, x -> add, mul -> add
    ax.figure.canvas.draw()


def test_plot_graph_of_a_matrix_graph_with_constants():
    from common.autodiff import Tensor, sigmoid

    rng = np.random.default_rng(0)
    X = Tensor(rng.standard_normal((4, 3)), name="X")
    W = Tensor(rng.standard_normal((3, 1)), name="W")
    loss = ((1 - sigmoid(X @ W)) ** 2).mean()
    ax = plot_graph(loss)
    boxes, _ = _boxes_and_arrows(ax)
    texts = [box.get_text() for box in boxes]
    assert "1" in texts and "matmul" in texts and "mean" in texts
    assert ax.get_title() == "Computational graph"


def test_plot_graph_needs_a_tensor():
    with pytest.raises(TypeError, match="Tensor"):
        plot_graph(np.ones(3))


def _local_derivatives(ax):
    return sorted(float(t.get_text()) for t in ax.texts if t.get_gid() == "local derivative")


def test_plot_graph_backward_shows_values_gradients_and_local_derivatives():
    z = _squared_residual()  # a = 2, x = 3, y = 1: s = 6, t = 5, z = 25
    z.backward()
    ax = plot_graph(z, backward=True)
    assert not ax.axison
    _assert_fits_the_page(ax.figure)
    boxes, arrows = _boxes_and_arrows(ax)
    boxes = [b for b in boxes if b.get_gid() != "local derivative"]
    text = {b.get_text().split("\n")[0]: b.get_text() for b in boxes}
    assert text["t"] == "t\nsub\n= 5\n∂z/∂t = 10"
    assert text["a"] == "a\n∂z/∂a = 30" and text["y"] == "y\n∂z/∂y = -10"
    assert text["z"].endswith("= 25\n∂z/∂z = 1")
    # ∂s/∂a = x, ∂s/∂x = a, ∂t/∂s = 1, ∂t/∂y = -1, dz/dt = 2t: one label per arrow
    assert _local_derivatives(ax) == [-1.0, 1.0, 2.0, 3.0, 10.0] and len(arrows) == 5
    assert "local derivatives" in ax.get_title()
    ax.figure.canvas.draw()


def test_plot_graph_backward_labels_each_use_of_a_node_and_not_array_edges():
    from common.autodiff import Tensor

    x = Tensor(3.0, name="x")
    out = x * x
    out.backward()
    assert _local_derivatives(plot_graph(out, backward=True)) == [3.0, 3.0]  # d(x*x)/d(slot)
    rng = np.random.default_rng(0)
    X = Tensor(rng.standard_normal((4, 3)), name="X")
    loss = (X * 2.0).sum()
    loss.name = "E"
    loss.backward()
    ax = plot_graph(loss, backward=True)
    assert _local_derivatives(ax) == []  # a Jacobian between arrays is not one number
    assert any("∂E/∂X = shape (4, 3)" in t.get_text() for t in ax.texts)


def test_plot_graph_backward_needs_the_gradients_first():
    with pytest.raises(ValueError, match="backward"):
        plot_graph(_squared_residual(), backward=True)


# ------------------------------------------------------------------------------ show
from common.plotting import show  # noqa: E402


def test_show_displays_the_figure_with_its_alt_text_and_closes_it(monkeypatch):
    shown = []
    monkeypatch.setattr("IPython.display.display",
                        lambda obj, metadata=None: shown.append((obj, metadata)))
    fig, ax = plt.subplots()
    ax.plot([0, 1], [1, 0])
    show(fig, alt="A falling straight line from (0, 1) to (1, 0).")
    assert shown == [(fig, {"image/png": {"alt": "A falling straight line from (0, 1) to (1, 0)."}})]
    assert not plt.fignum_exists(fig.number)


@pytest.mark.parametrize("alt", [None, "", "a plot"])
def test_show_needs_a_sentence_of_alt_text(alt):
    fig, _ = plt.subplots()
    with pytest.raises(ValueError, match="alt must say"):
        show(fig, alt=alt)
    plt.close(fig)
