"""Measure one thread count: GEMM peak, epoch times of `common` and PyTorch, accuracy.

Run by ``bench/run.py`` in a fresh process per thread count, because OpenBLAS fixes its
thread count when NumPy is imported. Prints one JSON object.
"""
import json
import os
import sys
import time

import numpy as np

from common.datasets import load_fashion_mnist
from common.network import MultiLayerNet
from common.optimizers import SGD, Adam

SIZES = (784, 256, 256, 10)
BATCH = 100
REPS = int(os.environ.get("BENCH_REPS", "3"))


def flops_per_epoch(n_examples):
    """Multiply-adds x 2 of forward (X W), backward (Xᵀ dY and dY Wᵀ, no dx for the input)."""
    pairs = list(zip(SIZES[:-1], SIZES[1:]))
    forward = sum(2 * BATCH * k * l for k, l in pairs)
    weight_grads = forward
    input_grads = sum(2 * BATCH * k * l for k, l in pairs[1:])
    return (forward + weight_grads + input_grads) * (n_examples // BATCH)


def gemm_peak(dtype=np.float32):
    """Best float32 GEMM rate (FLOP/s) over a few square sizes: the machine's peak here."""
    rng = np.random.default_rng(0)
    best = 0.0
    for n in (512, 1024, 2048):
        a = rng.random((n, n), dtype=dtype)
        b = rng.random((n, n), dtype=dtype)
        a @ b
        for _ in range(REPS + 2):
            t0 = time.perf_counter()
            a @ b
            best = max(best, 2 * n ** 3 / (time.perf_counter() - t0))
    return best


def gemm_only_epoch(x, dtype=np.float32):
    """Only the matrix products of one training epoch (same shapes, nothing else): a floor.

    The gap between this and a real epoch is the element-wise work (activations, softmax,
    bias sums, the optimizer's update), which no BLAS thread count speeds up.
    """
    rng = np.random.default_rng(0)
    weights = [rng.standard_normal((k, l)).astype(dtype) for k, l in zip(SIZES[:-1], SIZES[1:])]
    grads_out = [rng.standard_normal((BATCH, l)).astype(dtype) for l in SIZES[1:]]
    x = x.astype(dtype)
    t0 = time.perf_counter()
    for start in range(0, len(x), BATCH):
        h = x[start:start + BATCH]
        inputs = []
        for W in weights:                            # forward: X W
            inputs.append(h)
            h = h @ W
        for inp, dout in zip(inputs, grads_out):     # weight gradients: Xᵀ dY
            inp.T @ dout
        for W, dout in zip(weights[1:], grads_out[1:]):  # input gradients dY Wᵀ (not layer 1)
            dout @ W.T
    return time.perf_counter() - t0


def common_epoch(x, t, optimizer, dtype):
    net = MultiLayerNet(SIZES[0], list(SIZES[1:-1]), SIZES[-1], dtype=dtype, seed=0)
    opt = SGD(lr=0.01) if optimizer == "sgd" else Adam(lr=0.001)
    order = np.random.default_rng(0).permutation(len(x))
    x = x.astype(dtype)
    t0 = time.perf_counter()
    for start in range(0, len(x), BATCH):
        idx = order[start:start + BATCH]
        opt.update(net.params, net.gradient(x[idx], t[idx]))
    return time.perf_counter() - t0


def torch_epoch(x, t, optimizer, threads):
    import torch

    torch.set_num_threads(threads)
    torch.manual_seed(0)
    layers = []
    for i, (k, l) in enumerate(zip(SIZES[:-1], SIZES[1:])):
        layers.append(torch.nn.Linear(k, l))
        if i < len(SIZES) - 2:
            layers.append(torch.nn.ReLU())
    model = torch.nn.Sequential(*layers)
    opt = (torch.optim.SGD(model.parameters(), lr=0.01) if optimizer == "sgd"
           else torch.optim.Adam(model.parameters(), lr=0.001))
    loss_fn = torch.nn.CrossEntropyLoss()
    X, T = torch.from_numpy(x), torch.from_numpy(t)
    order = torch.from_numpy(np.random.default_rng(0).permutation(len(x)))
    t0 = time.perf_counter()
    for start in range(0, len(x), BATCH):
        idx = order[start:start + BATCH]
        opt.zero_grad()
        loss_fn(model(X[idx]), T[idx]).backward()
        opt.step()
    return time.perf_counter() - t0


def adam_accuracy(x, t, xt, tt, epochs=5):
    net = MultiLayerNet(SIZES[0], list(SIZES[1:-1]), SIZES[-1], dtype=np.float32, seed=0)
    opt = Adam(lr=0.001)
    rng = np.random.default_rng(0)
    for _ in range(epochs):
        order = rng.permutation(len(x))
        for start in range(0, len(x), BATCH):
            idx = order[start:start + BATCH]
            opt.update(net.params, net.gradient(x[idx], t[idx]))
    return net.accuracy(xt, tt)


def main():
    threads = int(os.environ.get("OPENBLAS_NUM_THREADS", "1"))
    (x, t), (xt, tt) = load_fashion_mnist(dtype=np.float32, download=False)
    try:
        import torch  # noqa: F401
        have_torch = True
    except ImportError:
        have_torch = False
    times = {}
    # interleave the contenders so a burst of load on the machine hits them alike
    for _ in range(REPS):
        for opt in ("sgd", "adam"):
            times.setdefault(f"common_{opt}", []).append(common_epoch(x, t, opt, np.float32))
            if have_torch:
                times.setdefault(f"torch_{opt}", []).append(torch_epoch(x, t, opt, threads))
        times.setdefault("common_adam_float64", []).append(common_epoch(x, t, "adam", np.float64))
        times.setdefault("gemm_only", []).append(gemm_only_epoch(x))
    result = {k: min(v) for k, v in times.items()}
    result.update(threads=threads, have_torch=have_torch, gemm_peak=gemm_peak(),
                  flops_per_epoch=flops_per_epoch(len(x)))
    if os.environ.get("BENCH_ACCURACY", "1") == "1":
        result["adam_5_epochs_test_accuracy"] = adam_accuracy(x, t, xt, tt)
    json.dump(result, sys.stdout)


if __name__ == "__main__":
    main()
