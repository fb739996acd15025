#!/usr/bin/python3
"""The four `make bench` cases in PyTorch, one thread, in the same sitting as deepstep's own
benchmark; prints PyTorch's time per step and the deepstep/PyTorch speed ratio per case.

    /usr/bin/python3 bench/compare_torch.py [build/deepstep]

Needs PyTorch (Debian 12: python3-torch, 1.13.1). The PyTorch step is what deepstep's is: a
forward pass, softmax cross-entropy, backward, and an SGD-with-momentum update, on random
in-memory data, batch after batch. deepstep's step also computes every per-layer statistic.
"""
import re
import subprocess
import sys
import time

import torch

torch.set_num_threads(1)
DS = sys.argv[1] if len(sys.argv) > 1 else "build/deepstep"

CASES = {  # name: (inputs, hidden widths, activation, outputs, batch)
    "a": (64, [32], torch.nn.Tanh, 10, 32),
    "b": (784, [128, 64], torch.nn.ReLU, 10, 64),
    "c": (2, [32] * 10, torch.nn.Tanh, 2, 16),
    "d": (784, [256, 256], torch.nn.ReLU, 10, 128),
}


def torch_us_per_step(n_in, hidden, act, n_out, batch):
    layers, prev = [], n_in
    for w in hidden:
        layers += [torch.nn.Linear(prev, w), act()]
        prev = w
    layers.append(torch.nn.Linear(prev, n_out))
    net = torch.nn.Sequential(*layers)
    opt = torch.optim.SGD(net.parameters(), lr=0.001, momentum=0.9)
    g = torch.Generator().manual_seed(1)
    X = torch.randn(batch * 8, n_in, generator=g)
    Y = torch.randint(0, n_out, (batch * 8,), generator=g)

    def step(i):
        b = i % 8
        xb, yb = X[b * batch:(b + 1) * batch], Y[b * batch:(b + 1) * batch]
        opt.zero_grad()
        torch.nn.functional.cross_entropy(net(xb), yb).backward()
        opt.step()

    for i in range(20):
        step(i)
    t0, n = time.perf_counter(), 0
    while time.perf_counter() - t0 < 0.05:
        step(n)
        n += 1
    per = (time.perf_counter() - t0) / n
    reps = max(1, int(0.2 / per))
    times = []
    for _ in range(7):
        t0 = time.perf_counter()
        for i in range(reps):
            step(i)
        times.append((time.perf_counter() - t0) / reps * 1e6)
    times.sort()
    return times[3]


out = subprocess.run([DS, "bench"], capture_output=True, text=True, check=True).stdout
print(out, end="")
ours = {m.group(1): float(m.group(2)) for m in re.finditer(r"^bench (\w) samples_per_s=\S+ us_per_step=(\S+)", out, re.M)}
print(f"# PyTorch {torch.__version__}, {torch.get_num_threads()} thread, same sitting")
for name, spec in CASES.items():
    t = torch_us_per_step(*spec)
    print(f"torch {name} us_per_step={t:.2f} deepstep_speedup={t / ours[name]:.2f}x")
