"""Plots used across the course: training histories, optimizer paths, activation histograms.

Every function draws on the Axes you pass as ``ax`` or, without one, on a new figure sized to
fit a JupyterLab page (at most 10 inches wide). It always sets a title and axis labels and
returns the Axes (or the Figure, for the multi-panel histogram plot), so you can adjust the
result afterwards, e.g. ``plot_history(history).set_yscale("log")``.

A lecture shows a finished figure with ``show(fig, alt=...)``: the picture plus a sentence saying
what it shows, for a screen reader and for nbconvert's HTML (which warns on images without one).
"""
import math

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

MAX_WIDTH = 10.0  # inches; wider figures get shrunk in a default JupyterLab page


def show(fig, *, alt):
    """Display ``fig`` in the notebook with alternative text ``alt``, then close it.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The finished figure.
    alt : str
        What the figure shows, in a sentence or two (not its title again): the reading a student
        who cannot see it needs. Stored as the PNG output's ``alt`` metadata.
    """
    from IPython.display import display  # only where a notebook shows figures

    if not isinstance(alt, str) or len(alt.split()) < 4:
        raise ValueError("alt must say in a sentence what the figure shows, e.g. "
                         "'Training loss of three runs over 20 epochs; Adam falls fastest.'")
    display(fig, metadata={"image/png": {"alt": alt}})
    plt.close(fig)


def _axes_or_new(ax, figsize=(7.0, 4.0)):
    """Return ``ax``, or the Axes of a new figure of size ``figsize`` if ``ax`` is None."""
    if ax is None:
        _, ax = plt.subplots(figsize=figsize, layout="constrained")
    return ax


def _check_history(history, what, columns):
    """Raise a clear error unless ``history`` is a DataFrame with "epoch" and ``columns``."""
    if not isinstance(history, pd.DataFrame):
        raise TypeError(f"{what} must be a pandas DataFrame with an 'epoch' column, "
                        f"got {type(history).__name__}.")
    for column in ("epoch", *columns):
        if column not in history.columns:
            raise ValueError(f"{what} has no {column!r} column (its columns are "
                             f"{list(history.columns)}); record it in each row of the history.")


# How a history column is named on a figure (a legend, an axis, a title).
METRIC_NAMES = {"train_loss": "training loss", "val_loss": "validation loss",
                "test_loss": "test loss", "train_acc": "training accuracy",
                "val_acc": "validation accuracy", "test_acc": "test accuracy"}


def metric_name(column):
    """The readable name of a history column: "train_loss" -> "training loss"."""
    return METRIC_NAMES.get(column, column.replace("_", " "))


def _value_label(metrics):
    """y-axis label for a group of metric names: "loss", "accuracy", or "value" if mixed."""
    if all(m.endswith("loss") for m in metrics):
        return "loss"
    if all(m.endswith(("acc", "accuracy")) for m in metrics):
        return "accuracy"
    return "value"


def plot_history(history, metrics=("train_loss", "test_loss"), ax=None, title=None):
    """Plot training metrics against the epoch, one line per metric.

    Parameters
    ----------
    history : pandas.DataFrame
        One row per epoch: an "epoch" column and metric columns such as "train_loss",
        "test_loss", "train_acc", "test_acc".
    metrics : str or sequence of str, default ("train_loss", "test_loss")
        Columns to plot; the ones missing from ``history`` are skipped.
    ax : matplotlib Axes, optional
        Where to draw; a new figure is made if omitted.
    title : str, optional
        Defaults to "Training history".

    Returns
    -------
    matplotlib.axes.Axes
    """
    _check_history(history, "history", columns=())
    metrics = (metrics,) if isinstance(metrics, str) else tuple(metrics)
    present = [m for m in metrics if m in history.columns]
    if not present:
        raise ValueError(f"none of the metrics {list(metrics)} is a column of history; its "
                         f"columns are {list(history.columns)}.")
    ax = _axes_or_new(ax)
    for metric in present:
        ax.plot(history["epoch"], history[metric], label=metric_name(metric))
    ax.set_xlabel("epoch")
    ax.set_ylabel(_value_label(present))
    ax.set_title(title or "Training history")
    ax.legend()
    return ax


def plot_learning_curves(histories, metric="train_loss", ax=None, title=None):
    """Compare several runs: one metric against the epoch, one line per run, on one Axes.

    Parameters
    ----------
    histories : dict[str, pandas.DataFrame]
        Run name -> history with an "epoch" column and a ``metric`` column, e.g.
        ``{"SGD": hist_sgd, "Adam": hist_adam}``. The names label the lines.
    metric : str, default "train_loss"
    ax : matplotlib Axes, optional
    title : str, optional
        Defaults to "<metric's readable name> by run".

    Returns
    -------
    matplotlib.axes.Axes
    """
    if not isinstance(histories, dict) or not histories:
        raise TypeError("histories must be a non-empty dict mapping a run name to its history "
                        "DataFrame, e.g. {'SGD': history_sgd, 'Adam': history_adam}.")
    for name, history in histories.items():
        _check_history(history, f"histories[{name!r}]", columns=(metric,))
    ax = _axes_or_new(ax)
    for name, history in histories.items():
        ax.plot(history["epoch"], history[metric], label=str(name))
    ax.set_xlabel("epoch")
    ax.set_ylabel(metric_name(metric))
    ax.set_title(title or f"{metric_name(metric).capitalize()} by run")
    ax.legend()
    return ax


def _check_limits(name, limits):
    """Return ``limits`` as a (low, high) pair of floats with low < high."""
    try:
        low, high = (float(v) for v in limits)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a pair (low, high) of numbers, got {limits!r}.") from None
    if not low < high:
        raise ValueError(f"{name} must satisfy low < high, got {limits!r}.")
    return low, high


def plot_trajectory(f, path, *, xlim, ylim, ax=None, title=None, levels=30):
    """Contour lines of ``f(x, y)`` with an optimizer's path drawn on top.

    Parameters
    ----------
    f : callable
        ``f(X, Y)`` evaluated element-wise on two arrays of the same shape (as made by
        ``np.meshgrid``), e.g. ``lambda x, y: x**2 + 100 * y**2``.
    path : array_like, shape (T, 2)
        The points ``(x, y)`` visited, in order; row 0 is the start, row T-1 the end.
    xlim, ylim : (float, float)
        Region of the plane to show.
    ax : matplotlib Axes, optional
    title : str, optional
        Defaults to "Optimizer path".
    levels : int or array_like, default 30
        Number of contour lines, or their values (passed to ``Axes.contour``).

    Returns
    -------
    matplotlib.axes.Axes
    """
    path = np.asarray(path, dtype=float)
    if path.ndim != 2 or path.shape[1] != 2 or path.shape[0] == 0:
        raise ValueError(f"path must have shape (T, 2), one (x, y) row per step, got {path.shape}.")
    xlim = _check_limits("xlim", xlim)
    ylim = _check_limits("ylim", ylim)
    X, Y = np.meshgrid(np.linspace(*xlim, 200), np.linspace(*ylim, 200))
    Z = np.asarray(f(X, Y), dtype=float)
    if Z.shape != X.shape:
        raise ValueError(f"f(X, Y) returned shape {Z.shape} for grids of shape {X.shape}; write f "
                         "with NumPy operations so it works element-wise on arrays.")

    ax = _axes_or_new(ax, figsize=(8.0, 5.0))
    ax.contour(X, Y, Z, levels=levels, cmap="viridis", linewidths=0.8)
    ax.plot(path[:, 0], path[:, 1], "-o", color="tab:red", markersize=2.5, linewidth=1,
            label="path")
    ax.plot(path[0, 0], path[0, 1], "s", color="black", markersize=7, label="start")
    ax.plot(path[-1, 0], path[-1, 1], "*", color="gold", markeredgecolor="black",
            markersize=13, label="end")
    ax.set_xlim(xlim)
    ax.set_ylim(ylim)
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    ax.set_title(title or "Optimizer path")
    ax.legend()
    return ax


def _named_layers(activations):
    """Turn the accepted inputs into a list of (panel name, 1-D float array)."""
    if isinstance(activations, pd.DataFrame):
        items = [(str(col), activations[col].to_numpy()) for col in activations.columns]
    elif isinstance(activations, dict):
        items = [(str(name), values) for name, values in activations.items()]
    elif isinstance(activations, (list, tuple)):
        items = [(f"layer {i}", values) for i, values in enumerate(activations, start=1)]
    else:
        raise TypeError("activations must be a list of arrays (one per layer), a dict "
                        f"name -> array, or a DataFrame with one column per layer; "
                        f"got {type(activations).__name__}.")
    if not items:
        raise ValueError("activations is empty; pass at least one layer.")
    layers = []
    for name, values in items:
        values = np.asarray(values, dtype=float).ravel()
        if values.size == 0:
            raise ValueError(f"the activations of {name} are empty.")
        if not np.all(np.isfinite(values)):
            raise ValueError(f"the activations of {name} contain NaN or infinite values; the "
                             "signal overflowed, so there is nothing sensible to histogram.")
        layers.append((name, values))
    return layers


def plot_activation_histograms(activations, bins=30, title=None, *, value_range=None, axes=None):
    """One small histogram per layer, to see how the activations spread through a network.

    Parameters
    ----------
    activations : list of ndarray, dict[str, ndarray] or pandas.DataFrame
        The values of each layer (any shape; flattened). A list gives panels "layer 1",
        "layer 2", ...; a dict or a DataFrame (one column per layer) uses its keys/columns.
    bins : int, default 30
    title : str, optional
        Title of the whole figure; defaults to "Activation histograms".
    value_range : (float, float), optional
        Range of the histograms, the same for every panel. By default (0, 1) when all values
        lie in [0, 1] (sigmoid-like data), otherwise the smallest to the largest value.
    axes : sequence of matplotlib Axes, optional
        One Axes per layer to draw on; a new figure (up to 5 panels per row) if omitted.

    Returns
    -------
    matplotlib.figure.Figure
    """
    layers = _named_layers(activations)
    n = len(layers)
    if axes is None:
        ncols = min(n, 5)
        nrows = math.ceil(n / ncols)
        figsize = (min(MAX_WIDTH, max(4.0, 2.0 * ncols)), 2.4 * nrows + 0.4)
        fig, grid = plt.subplots(nrows, ncols, figsize=figsize, sharey=True, squeeze=False,
                                 layout="constrained")
        axes = list(grid.ravel())
        for unused in axes[n:]:
            unused.set_visible(False)
    else:
        axes = list(axes)
        if len(axes) != n:
            raise ValueError(f"got {len(axes)} Axes for {n} layers; pass one Axes per layer.")
        fig = axes[0].figure

    if value_range is None:
        low = min(values.min() for _, values in layers)
        high = max(values.max() for _, values in layers)
        value_range = (0.0, 1.0) if low >= 0.0 and high <= 1.0 else (low, high)
    for ax, (name, values) in zip(axes, layers):
        ax.hist(values, bins=bins, range=value_range)
        ax.set_title(name)
        ax.set_xlabel("activation")
        ax.set_ylabel("count")
    fig.suptitle(title or "Activation histograms")
    return fig


# --- computational graphs (unit 1) ---------------------------------------------------------

def _graph_columns(nodes):
    """Column of every node: one column left of the leftmost node that uses it, so the output
    is in the last column and every input sits just before its first use."""
    children = {node: [] for node in nodes}
    for node in nodes:
        for slot, parent in enumerate(node.parents):
            children[parent].append((node, slot))
    steps_to_output = {}
    for node in reversed(nodes):  # every node comes after all the nodes that use it
        steps_to_output[node] = 1 + max((steps_to_output[c] for c, _ in children[node]),
                                        default=-1)
    last = max(steps_to_output.values())
    return {node: last - steps_to_output[node] for node in nodes}, children


def _graph_rows(nodes, column, children):
    """Vertical position of every node: columns are filled from the output leftwards, each node
    placed in the order of the first (top-most) node it feeds and the input slot it fills."""
    rank = {}
    n_columns = max(column.values()) + 1
    for c in range(n_columns - 1, -1, -1):
        members = [node for node in nodes if column[node] == c]
        members.sort(key=lambda node: min(((rank[child], slot) for child, slot in children[node]),
                                          default=(0, 0)))
        for i, node in enumerate(members):
            rank[node] = i
    height = {c: sum(1 for node in nodes if column[node] == c) for c in range(n_columns)}
    return {node: (height[column[node]] - 1) / 2 - rank[node] for node in nodes}


def _node_text(node):
    """Text in a node's box: the op (with its constants such as p=2) under the node's name."""
    if node.op is None:
        return node.label
    constants = ", ".join(f"{k}={v}" for k, v in node.attrs.items()
                          if isinstance(v, (int, float)) and not isinstance(v, bool))
    op = f"{node.op} ({constants})" if constants else node.op
    return op if node.name is None else f"{node.name}\n{op}"


def _number(array):
    """A node's value or gradient for its box: the number of a size-1 array, else its shape."""
    array = np.asarray(array)
    return f"{array.item() + 0.0:.4g}" if array.size == 1 else f"shape {array.shape}"  # no -0


def _backward_text(node, output):
    """A box after ``backward()``: the node's text, its value and d(output)/d(node)."""
    head = node.label if node.op is None and node.name is not None else _node_text(node)
    if node.op is None and node.name is None:
        return head  # a constant: its label is its value, and no gradient is asked of it
    lines = [head] if node.op is None else [head, f"= {_number(node.data)}"]
    wrt, this = output.name or "out", node.name
    lines.append(f"∂{wrt}/∂{this} = {_number(node.grad)}" if this else
                 f"grad = {_number(node.grad)}")
    return "\n".join(lines)


def _local_derivative(parent, child, slot):
    """d child / d parent for one input slot of a scalar node, from the engine's backward rule
    with an upstream gradient of 1; None for array nodes (a Jacobian is not one number) or when
    the rule cannot run (e.g. a student edition's withheld rule)."""
    from common import autodiff

    if parent.size != 1 or child.size != 1:
        return None
    rule = autodiff.BACKWARD_RULES.get(child.op)
    try:
        grads = rule(np.ones_like(child.data), *(p.data for p in child.parents), child.data,
                     **child.attrs)
    except Exception:  # noqa: BLE001 - a rule that cannot run here only loses its label
        return None
    grads = grads if isinstance(grads, (tuple, list)) else (grads,)
    return float(np.sum(grads[slot]))


def plot_graph(output, ax=None, title=None, *, backward=False):
    """Draw the computational graph that produced a `common.autodiff.Tensor`, left to right.

    The nodes come from ``common.autodiff.trace(output)``. Each node is a box with its label
    (a leaf's name or value; an op node's name above its op, with constants such as ``p=2``);
    every input slot is an arrow from the input's box to the op's box, so ``x * x`` shows two
    arrows from x. The nodes are layered by depth counted back from the output: each node
    stands one column left of the leftmost node that uses it, so the output is in the last
    column and every arrow points to the right. Named inputs are blue, unnamed constants
    grey, ops yellow; the output is outlined in red. A graph has no axes: the drawing is
    all there is.

    Parameters
    ----------
    output : common.autodiff.Tensor
        The final node, e.g. a loss; everything it depends on is drawn.
    ax : matplotlib Axes, optional
        Where to draw; a new figure (at most 10 inches wide) is made if omitted.
    title : str, optional
        Defaults to "Computational graph of <output's name>" (with "backward pass" when
        ``backward`` is set).
    backward : bool, default False
        Draw the backward pass: every box also shows its value and its gradient
        d(output)/d(node) (call ``output.backward()`` first), and every arrow between scalar
        nodes is labelled with its local derivative d(head)/d(tail), from the engine's backward
        rule. Array nodes show their shapes instead of numbers.

    Returns
    -------
    matplotlib.axes.Axes
        The node boxes are ``Text`` artists in ``ax.texts``; the arrows are ``Annotation``
        artists there too; the local derivatives (``backward=True``) are ``Text`` artists of
        ``ax.texts`` with the ``gid`` ``"local derivative"``.
    """
    from common.autodiff import Tensor, trace

    if not isinstance(output, Tensor):
        raise TypeError(f"plot_graph needs a common.autodiff.Tensor (the output of a "
                        f"computation), got {type(output).__name__}.")
    if backward and not np.any(output.grad):  # a Tensor's grad is zeros until backward()
        raise ValueError("plot_graph(..., backward=True) draws the gradients: call "
                         "output.backward() first.")
    nodes, edges = trace(output)
    column, children = _graph_columns(nodes)
    row = _graph_rows(nodes, column, children)
    n_columns = max(column.values()) + 1
    tallest = max(sum(1 for node in nodes if column[node] == c) for c in range(n_columns))
    spread = 1.35 if backward else 1.0  # taller boxes and edge labels need more room
    ax = _axes_or_new(ax, figsize=(min(MAX_WIDTH, 1.0 + 1.6 * spread * n_columns),
                                   max(2.5, 1.0 + 0.8 * spread * tallest)))

    boxes = {}
    for node in nodes:
        if node.op is not None:
            face = "#fff2b3"
        elif node.name is not None:
            face = "#cfe3f7"
        else:
            face = "#e6e6e6"
        edge = "tab:red" if node is output else "0.3"
        text = _backward_text(node, output) if backward else _node_text(node)
        boxes[node] = ax.text(column[node], row[node] * spread, text, ha="center",
                              va="center", fontsize=8.5 if backward else 9, zorder=3,
                              bbox=dict(boxstyle="round,pad=0.35", facecolor=face,
                                        edgecolor=edge, linewidth=1.8 if node is output else 1))
    seen = {}
    for parent, child in edges:
        seen[(parent, child)] = seen.get((parent, child), 0) + 1
    for (parent, child), count in seen.items():
        if count > 1:
            bends = np.linspace(-0.35, 0.35, count)
        elif column[child] - column[parent] > 1 and row[child] == row[parent]:
            bends = [-0.25]  # a straight arrow would run through the boxes in between
        else:
            bends = [0.0]
        slots = [slot for slot, p in enumerate(child.parents) if p is parent]
        for rad, slot in zip(bends, slots):
            ax.annotate("", xy=(0.0, 0.5), xycoords=boxes[child], xytext=(1.0, 0.5),
                        textcoords=boxes[parent], zorder=2,
                        arrowprops=dict(arrowstyle="-|>", color="0.25", shrinkA=1, shrinkB=1,
                                        connectionstyle=f"arc3,rad={rad}"))
            local = _local_derivative(parent, child, slot) if backward else None
            if local is not None:
                # the middle of the arc: matplotlib's arc3 puts its control point rad times
                # the chord's length off the chord's middle, and the curve passes halfway there
                (x0, y0), (x1, y1) = ((column[n], row[n] * spread) for n in (parent, child))
                ax.text((x0 + x1) / 2 + rad * (y1 - y0) / 2, (y0 + y1) / 2 - rad * (x1 - x0) / 2,
                        f"{local:.3g}", ha="center", va="center", fontsize=8, color="tab:purple",
                        zorder=4, gid="local derivative",
                        bbox=dict(boxstyle="round,pad=0.1", facecolor="white", edgecolor="none"))

    ax.set_xlim(-0.6, n_columns - 0.4)
    ax.set_ylim(-tallest * spread / 2, tallest * spread / 2)
    ax.set_axis_off()
    default = "Computational graph" + ("" if output.name is None else f" of {output.name}")
    if backward:
        default += ": values, gradients, local derivatives on the arrows"
    ax.set_title(title or default)
    return ax
