#!/usr/bin/python3
"""End-to-end check of the headless contract against PyTorch (a developer tool; needs
Debian's python3-torch and python3-numpy, and is not part of `make test`).

For each case: torch builds the model from the lesson's layers, saves its initial weights with
numpy.savez, and trains N steps with the same batches (shuffle = no). Then
`deepstep run LESSON --load init.npz --steps N --save out.npz` runs, and the final weights are
compared. Prints the largest relative error per case.

    /usr/bin/python3 tests/golden/compare_run.py [build/deepstep]
"""
import os
import subprocess
import sys
import tempfile

import numpy as np
import torch

DS = sys.argv[1] if len(sys.argv) > 1 else "build/deepstep"
DATA = os.path.abspath("datasets/digits8x8.csv")
raw = np.loadtxt(DATA, delimiter=",", skiprows=1, dtype=np.float32)
X, Y = raw[:, :-1], raw[:, -1].astype(np.int64)
mean, std = X.mean(0), X.std(0)  # zscore: population std, constant features -> 0
Xn = np.where(std > 0, (X - mean) / np.where(std > 0, std, 1), 0).astype(np.float32)

STEPS, BATCH = 60, 32

CASES = [
    ("sgd", "sgd lr=0.1", lambda p: torch.optim.SGD(p, lr=0.1), None, None),
    ("sgd+wd", "sgd lr=0.1 weight_decay=0.001", lambda p: torch.optim.SGD(p, lr=0.1, weight_decay=0.001), None, None),
    ("momentum", "momentum lr=0.05 momentum=0.9", lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9), None, None),
    ("nesterov", "momentum lr=0.05 momentum=0.9 nesterov=yes",
     lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9, nesterov=True), None, None),
    ("adagrad", "adagrad lr=0.05", lambda p: torch.optim.Adagrad(p, lr=0.05), None, None),
    ("rmsprop", "rmsprop lr=0.001", lambda p: torch.optim.RMSprop(p, lr=0.001), None, None),
    ("adam", "adam lr=0.001", lambda p: torch.optim.Adam(p, lr=0.001), None, None),
    ("adamw", "adamw lr=0.001 weight_decay=0.05", lambda p: torch.optim.AdamW(p, lr=0.001, weight_decay=0.05), None, None),
    ("clip norm", "sgd lr=0.5", lambda p: torch.optim.SGD(p, lr=0.5), ("norm", 1.0), None),
    ("clip value", "sgd lr=0.5", lambda p: torch.optim.SGD(p, lr=0.5), ("value", 0.01), None),
    ("batchnorm", "sgd lr=0.1", lambda p: torch.optim.SGD(p, lr=0.1), None, "bn"),
    ("layernorm", "adam lr=0.001", lambda p: torch.optim.Adam(p, lr=0.001), None, "ln"),
]


def model(norm):
    """norm: None (dense, tanh), "bn" (BatchNorm1d before the tanh) or "ln" (LayerNorm)."""
    if norm:
        layer = torch.nn.BatchNorm1d(32) if norm == "bn" else torch.nn.LayerNorm(32)
        return torch.nn.Sequential(torch.nn.Linear(64, 32), layer, torch.nn.Tanh(), torch.nn.Linear(32, 10))
    return torch.nn.Sequential(torch.nn.Linear(64, 32), torch.nn.Tanh(), torch.nn.Linear(32, 10))


def arrays(net, norm):
    lin = [m for m in net if isinstance(m, torch.nn.Linear)]
    out = {"layers.0.weight": lin[0].weight, "layers.0.bias": lin[0].bias}
    last = 2 if norm else 1
    out[f"layers.{last}.weight"], out[f"layers.{last}.bias"] = lin[1].weight, lin[1].bias
    if norm:  # gamma and beta under torch's own names; batchnorm adds its running statistics
        b = net[1]
        out.update({"layers.1.weight": b.weight, "layers.1.bias": b.bias})
    if norm == "bn":
        out.update({"layers.1.running_mean": b.running_mean, "layers.1.running_var": b.running_var})
    return {k: v.detach().numpy().copy() for k, v in out.items()}


worst = 0.0
with tempfile.TemporaryDirectory() as tmp:
    for name, opt_line, make, clip, norm in CASES:
        torch.manual_seed(0)
        net = model(norm)
        if norm == "ln":  # torch starts gamma at 1 and beta at 0: move them, so they are tested
            with torch.no_grad():
                net[1].weight.uniform_(0.5, 1.5)
                net[1].bias.uniform_(-0.5, 0.5)
        np.savez(f"{tmp}/init.npz", **arrays(net, norm))
        kind = {"bn": "batchnorm", "ln": "layernorm"}.get(norm)
        layers = f"layer = dense 32 linear\nlayer = {kind} tanh\n" if norm else "layer = dense 32 tanh\n"
        clip_line = f"{clip[0]} {clip[1]}" if clip else "none"
        with open(f"{tmp}/l.md", "w") as f:
            f.write(f"# c\n\n```deepstep\ndata = {DATA}\nnormalize = zscore\nbatch = {BATCH}\nshuffle = no\n"
                    f"{layers}layer = dense 10 linear\nloss = cross_entropy\noptimizer = {opt_line}\n"
                    f"clip = {clip_line}\nepochs = 100\n```\n")
        opt = make(net.parameters())
        nb = (len(X) + BATCH - 1) // BATCH
        for t in range(STEPS):
            b = t % nb
            xb, yb = torch.from_numpy(Xn[b * BATCH:(b + 1) * BATCH]), torch.from_numpy(Y[b * BATCH:(b + 1) * BATCH])
            opt.zero_grad()
            torch.nn.functional.cross_entropy(net(xb), yb).backward()
            if clip and clip[0] == "norm":
                torch.nn.utils.clip_grad_norm_(net.parameters(), clip[1])
            elif clip:
                torch.nn.utils.clip_grad_value_(net.parameters(), clip[1])
            opt.step()
        subprocess.run([DS, "run", f"{tmp}/l.md", "--load", f"{tmp}/init.npz", "--steps", str(STEPS), "--save",
                        f"{tmp}/out.npz", "--quiet"], check=True, stdout=subprocess.DEVNULL)
        got, want = np.load(f"{tmp}/out.npz"), arrays(net, norm)
        assert sorted(got.files) == sorted(want), (sorted(got.files), sorted(want))
        err = max(float(np.max(np.abs(got[k] - want[k])) / max(np.max(np.abs(want[k])), 1e-12)) for k in want)
        worst = max(worst, err)
        print(f"{name:11s} {STEPS} steps: max relative error {err:.2e}")
print(f"worst {worst:.2e}")
sys.exit(0 if worst < 1e-4 else 1)
