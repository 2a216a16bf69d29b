"""Trainer: the epoch loop (every example once per epoch, seeded shuffling), the history table,
the progress bar switch, input checks, and the course's training target on Fashion-MNIST."""
import math
import os
import time

import numpy as np
import pandas as pd
import pytest

from common.network import MultiLayerNet
from common.optimizers import SGD, Adam
from common.trainer import COLUMNS, Trainer, train


class RecordingNet:
    """A stand-in network that remembers the batches it is trained and evaluated on."""

    def __init__(self):
        self.params = {"w": np.zeros(1)}
        self.batches = []      # (x, t) of every gradient() call
        self.evaluated = []    # sizes of the loss() calls made in inference mode

    def gradient(self, x, t):
        self.batches.append((x.copy(), t.copy()))
        return {"w": np.ones(1)}

    def loss(self, x, t, training=True):
        if not training:
            self.evaluated.append(len(x))
        return float(np.mean(x ** 2))

    def accuracy(self, x, t):
        return 0.5


class RecordingSGD(SGD):
    """SGD that remembers the learning rate of every update."""

    def __init__(self, lr=0.1):
        super().__init__(lr)
        self.lrs = []

    def update(self, params, grads):
        self.lrs.append(self.lr)
        super().update(params, grads)


def numbered_examples(n):
    """Example i is the row [i] with the label i, so batches show which examples they hold."""
    return np.arange(n, dtype=np.float64).reshape(n, 1), np.arange(n)


def blobs(n_per_class=50, seed=0):
    """Three well separated Gaussian clouds in 4-D (an iris-like easy problem)."""
    rng = np.random.default_rng(seed)
    centres = np.array([[2.0, 0, 0, 0], [0, 2.0, 0, 0], [0, 0, 2.0, 0]])
    x = np.concatenate([c + 0.5 * rng.standard_normal((n_per_class, 4)) for c in centres])
    t = np.repeat(np.arange(3), n_per_class)
    order = rng.permutation(len(x))
    return x[order], t[order]


# ------------------------------------------------------------------------------ epoch loop
def test_every_example_exactly_once_per_epoch_in_shuffled_batches():
    x, t = numbered_examples(23)
    net = RecordingNet()
    Trainer(net, SGD(), x, t, epochs=3, batch_size=5, progress=False).train()
    assert [len(bx) for bx, _ in net.batches] == [5, 5, 5, 5, 3] * 3  # partial batch included
    epochs = [net.batches[i:i + 5] for i in range(0, 15, 5)]
    orders = []
    for batches in epochs:
        seen = np.concatenate([bx[:, 0] for bx, _ in batches])
        np.testing.assert_array_equal(np.sort(seen), np.arange(23))
        for bx, bt in batches:  # inputs and labels stay paired
            np.testing.assert_array_equal(bx[:, 0], bt)
        orders.append(seen)
    assert not np.array_equal(orders[0], np.arange(23))   # shuffled ...
    assert not np.array_equal(orders[0], orders[1])        # ... afresh every epoch


def test_history_has_one_row_per_epoch():
    x, t = blobs()
    net = MultiLayerNet(4, [10], 3, seed=0)
    history = Trainer(net, Adam(lr=0.01), x[:100], t[:100], x[100:], t[100:], epochs=4,
                      batch_size=32, progress=False).train()
    assert isinstance(history, pd.DataFrame)
    assert list(history.columns) == COLUMNS
    assert list(history.columns) == ["epoch", "train_loss", "train_acc", "test_loss",
                                     "test_acc", "seconds"]
    assert history["epoch"].tolist() == [1, 2, 3, 4]
    assert history.drop(columns="epoch").notna().all().all()
    assert ((history["train_acc"] >= 0) & (history["test_acc"] <= 1)).all()
    assert (history["seconds"] > 0).all()


def test_train_loss_is_the_mean_of_the_batch_losses():
    x, t = numbered_examples(10)
    net = RecordingNet()  # loss of a batch = mean of its squared numbers
    history = Trainer(net, SGD(), x, t, epochs=1, batch_size=4, progress=False).train()
    batch_losses = [np.mean(bx ** 2) for bx, _ in net.batches]
    assert len(set(batch_losses)) == 3  # distinct, so no single batch can stand in for the mean
    expected = np.mean(batch_losses)
    assert history["train_loss"].iloc[0] == pytest.approx(expected)
    assert math.isnan(history["test_loss"].iloc[0]) and math.isnan(history["test_acc"].iloc[0])


def test_seeded_runs_are_reproducible():
    x, t = blobs()

    def run(seed):
        net = MultiLayerNet(4, [10], 3, seed=0)
        history = Trainer(net, Adam(lr=0.01), x, t, epochs=3, batch_size=16, seed=seed,
                          progress=False).train()
        return history.drop(columns="seconds"), net.params["W1"].copy()

    (h1, w1), (h2, w2), (h3, w3) = run(5), run(5), run(6)
    pd.testing.assert_frame_equal(h1, h2)
    np.testing.assert_array_equal(w1, w2)
    assert not np.array_equal(w1, w3)  # another seed, another order of the batches


def test_loss_decreases_on_an_easy_problem():
    x, t = blobs()
    net = MultiLayerNet(4, [10], 3, seed=0)
    history = Trainer(net, SGD(lr=0.1), x[:120], t[:120], x[120:], t[120:], epochs=20,
                      batch_size=10, progress=False).train()
    losses = history["train_loss"].to_numpy()
    assert losses[-1] < 0.3 * losses[0]
    assert history["test_loss"].iloc[-1] < history["test_loss"].iloc[0]
    assert history["test_acc"].iloc[-1] >= 0.95


def test_training_again_continues_the_epoch_count():
    x, t = numbered_examples(12)
    trainer = Trainer(RecordingNet(), SGD(), x, t, epochs=2, batch_size=5, progress=False)
    trainer.train()
    history = trainer.train()
    assert history["epoch"].tolist() == [1, 2, 3, 4]


def test_eval_sample_limits_the_evaluation():
    x, t = numbered_examples(50)
    net = RecordingNet()
    Trainer(net, SGD(), x, t, x[:30], t[:30], epochs=2, batch_size=10, eval_sample=7,
            progress=False).train()
    assert net.evaluated == [7, 7, 7, 7]  # train and test set, each epoch
    net = RecordingNet()
    Trainer(net, SGD(), x, t, x[:30], t[:30], epochs=1, progress=False).train()
    assert net.evaluated == [50, 30]


def test_lr_schedule_multiplies_the_initial_learning_rate():
    x, t = numbered_examples(6)
    optimizer = RecordingSGD(lr=0.1)
    Trainer(RecordingNet(), optimizer, x, t, epochs=3, batch_size=3, progress=False,
            lr_schedule=lambda epoch: 0.5 ** (epoch - 1)).train()
    np.testing.assert_allclose(optimizer.lrs, [0.1, 0.1, 0.05, 0.05, 0.025, 0.025])


def test_regression_network_has_no_accuracy():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((40, 3))
    y = x @ np.array([1.0, -2.0, 0.5])
    net = MultiLayerNet(3, [8], 1, loss="mse")
    history = Trainer(net, Adam(lr=0.01), x, y, x, y, epochs=2, batch_size=10,
                      progress=False).train()
    assert history["train_acc"].isna().all() and history["test_loss"].notna().all()


def test_train_function_accepts_loader_output():
    x, t = blobs()
    history = train(MultiLayerNet(4, [5], 3), SGD(), ((x[:100], t[:100]), (x[100:], t[100:])),
                    epochs=2, progress=False)
    assert len(history) == 2 and history["test_acc"].notna().all()
    history = train(MultiLayerNet(4, [5], 3), SGD(), (x, t), epochs=1, progress=False)
    assert history["test_acc"].isna().all()


# ------------------------------------------------------------------------------ progress bar
def test_progress_false_prints_nothing(capsys):
    x, t = numbered_examples(20)
    Trainer(RecordingNet(), SGD(), x, t, epochs=2, batch_size=5, progress=False).train()
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == ""


def test_progress_true_shows_the_epoch(capsys):
    x, t = numbered_examples(20)
    Trainer(RecordingNet(), SGD(), x, t, epochs=2, batch_size=5, progress=True).train()
    assert "epoch 2/2" in capsys.readouterr().err


# ---------------------------------------------------------------------------------- errors
def test_mismatched_lengths_are_reported():
    x, t = numbered_examples(10)
    with pytest.raises(ValueError, match=r"same number of examples.*\(10, 1\) and \(9,\)"):
        Trainer(RecordingNet(), SGD(), x, t[:9])
    with pytest.raises(ValueError, match="x_test and t_test"):
        Trainer(RecordingNet(), SGD(), x, t, x_test=x)
    with pytest.raises(ValueError, match="x_test and t_test must hold the same number"):
        Trainer(RecordingNet(), SGD(), x, t, x, t[:3])


@pytest.mark.parametrize("kwargs, message", [
    ({"epochs": 0}, "epochs must be a positive integer"),
    ({"batch_size": 2.5}, "batch_size must be a positive integer"),
    ({"eval_sample": -1}, "eval_sample must be a positive integer"),
])
def test_bad_settings_are_reported(kwargs, message):
    x, t = numbered_examples(10)
    with pytest.raises(ValueError, match=message):
        Trainer(RecordingNet(), SGD(), x, t, **kwargs)


def test_wrong_network_or_optimizer_type_is_reported():
    x, t = numbered_examples(10)
    with pytest.raises(TypeError, match="gradient"):
        Trainer(object(), SGD(), x, t)
    with pytest.raises(TypeError, match="update"):
        Trainer(RecordingNet(), object(), x, t)


# -------------------------------------------------------------- the course's training target
FASHION_DIR = "/usr/share/datasets/fashion-mnist"


def test_fashion_mnist_subset_reaches_80_percent(tmp_path):
    """784-100-10 ReLU net, Adam, 5,000 training images, 10 epochs: >= 80 % on the 10,000 test
    images (measured: 82.2 % in about 1 s of training)."""
    if not os.path.isdir(FASHION_DIR):
        message = f"Fashion-MNIST is not installed ({FASHION_DIR} is missing)"
        if os.environ.get("CI") == "true":
            pytest.fail(message + "; CI must install the package dataset-fashion-mnist.")
        pytest.skip(message + "; install the Debian package dataset-fashion-mnist.")
    from common.datasets import load_fashion_mnist

    # data_dir=tmp_path: read Debian's files, not a cache in the home folder; never download.
    (x_train, t_train), (x_test, t_test) = load_fashion_mnist(dtype=np.float32, download=False,
                                                              data_dir=tmp_path)
    start = time.perf_counter()
    net = MultiLayerNet(784, [100], 10, dtype=np.float32, seed=0)
    history = Trainer(net, Adam(lr=0.001), x_train[:5000], t_train[:5000], x_test, t_test,
                      epochs=10, batch_size=100, seed=0, progress=False).train()
    seconds = time.perf_counter() - start
    assert len(x_test) == 10000 and net.params["W1"].dtype == np.float32
    accuracy = history["test_acc"].iloc[-1]
    assert accuracy >= 0.80, f"test accuracy {accuracy:.3f} < 0.80 after 10 epochs"
    assert seconds < 20, f"training took {seconds:.1f} s"
