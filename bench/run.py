"""The course's benchmark: ``make bench`` (or ``python bench/run.py``).

Measures, in one run, and prints a table (also written to ``bench/results.csv``):

* seconds per epoch of Fashion-MNIST (60,000 images), MultiLayerNet 784-256-256-10, ReLU,
  batch 100, float32, SGD and Adam, for ``common`` and the same model in PyTorch (when
  installed), with 1 and with 2 threads (same thread count side by side), and the ratio;
* the float32 GEMM peak measured on this machine and the fraction the training loop reaches
  (and, as a floor, the fraction its matrix products alone reach);
* float64 vs float32 (Adam);
* test accuracy after 5 epochs of Adam (float32);
* the time of every gradient-check test (slowest five listed);
* the time to autograde one student's complete course (every assignment), per assignment.

Every timing is the minimum of several repetitions; ``OPENBLAS_NUM_THREADS`` is stated.
"""
import csv
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent


def training(threads):
    env = dict(os.environ, OPENBLAS_NUM_THREADS=str(threads), OMP_NUM_THREADS=str(threads),
               MKL_NUM_THREADS=str(threads), BENCH_ACCURACY="1" if threads == 1 else "0")
    out = subprocess.run([sys.executable, str(HERE / "train_speed.py")], env=env, check=True,
                         capture_output=True, text=True).stdout
    return json.loads(out)


def gradient_check_tests():
    """Durations of the gradient-check tests, from pytest's own --durations report."""
    files = ["tests/test_layers.py", "tests/test_gradient_check.py", "tests/test_network.py",
             "tests/test_autodiff.py"]
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1")
    out = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:xdist",
                          "--durations=0", "--durations-min=0", *files], cwd=REPO, env=env,
                         capture_output=True, text=True).stdout
    rows = []
    for line in out.splitlines():
        m = re.match(r"\s*([\d.]+)s (call|setup|teardown)\s+(\S+)", line)
        if m and m.group(2) == "call":
            rows.append((float(m.group(1)), m.group(3)))
    return sorted(rows, reverse=True)


def autograde_one_student():
    from grading.course import Course, repository

    names = repository().assignments()
    times = {}
    with tempfile.TemporaryDirectory() as tmp:
        course = Course.create(tmp, names)
        for assignment in names:
            course.generate_release(assignment)
            course.submit("student", assignment, course.solved_notebooks(assignment))
            t0 = time.perf_counter()
            course.autograde(assignment, student="student")
            times[assignment] = time.perf_counter() - t0
    return times


def main():
    rows = []

    def add(section, metric, value, unit=""):
        rows.append({"section": section, "metric": metric, "value": value, "unit": unit})
        shown = f"{value:.3g}" if isinstance(value, float) else value
        print(f"  {metric:<58} {shown} {unit}", flush=True)

    print(f"Benchmark ({time.strftime('%Y-%m-%d %H:%M')}, {os.cpu_count()} CPUs)")
    for threads in (1, 2):
        r = training(threads)
        section = f"training, OPENBLAS_NUM_THREADS={threads}"
        print(f"\n{section}: Fashion-MNIST epoch, 784-256-256-10 ReLU, batch 100, float32")
        add(section, "float32 GEMM peak (best square matmul)", r["gemm_peak"] / 1e9, "GFLOP/s")
        add(section, "matrix products of one epoch alone", r["gemm_only"], "s")
        add(section, "  their fraction of GEMM peak",
            r["flops_per_epoch"] / r["gemm_only"] / r["gemm_peak"])
        for opt in ("sgd", "adam"):
            add(section, f"common {opt.upper()} epoch", r[f"common_{opt}"], "s")
            rate = r["flops_per_epoch"] / r[f"common_{opt}"]
            add(section, f"common {opt.upper()} fraction of GEMM peak", rate / r["gemm_peak"])
            if r["have_torch"]:
                add(section, f"PyTorch {opt.upper()} epoch (torch.set_num_threads({threads}))",
                    r[f"torch_{opt}"], "s")
                add(section, f"ratio common / PyTorch, {opt.upper()}",
                    r[f"common_{opt}"] / r[f"torch_{opt}"], "(<= 1.0 is the target)")
        if not r["have_torch"]:
            add(section, "PyTorch", "not installed: comparison skipped (pip install torch==2.13.0)")
        add(section, "common Adam epoch, float64", r["common_adam_float64"], "s")
        add(section, "float64 / float32 time, Adam", r["common_adam_float64"] / r["common_adam"])
        if "adam_5_epochs_test_accuracy" in r:
            add(section, "test accuracy after 5 epochs of Adam", r["adam_5_epochs_test_accuracy"])

    print("\ngradient-check tests (OPENBLAS_NUM_THREADS=1)")
    checks = gradient_check_tests()
    add("gradient checks", "number of tests", len(checks))
    add("gradient checks", "total time", sum(t for t, _ in checks), "s")
    for t, name in checks[:5]:
        add("gradient checks", f"slow: {name.split('::', 1)[-1][:50]}", t, "s")

    print("\nautograde one student's complete course (nbgrader, OPENBLAS_NUM_THREADS=1)")
    times = autograde_one_student()
    for assignment, t in times.items():
        add("autograde", assignment, t, "s")
    add("autograde", "whole course", sum(times.values()), "s")

    with open(HERE / "results.csv", "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=["section", "metric", "value", "unit"])
        writer.writeheader()
        writer.writerows(rows)
    print(f"\nwritten: {HERE / 'results.csv'}")


if __name__ == "__main__":
    main()
