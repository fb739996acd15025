#!/usr/bin/python3
"""Golden values for tests/test_optim.c and tests/test_layernorm.c, generated with PyTorch
1.13.1 (Debian 12's python3-torch). Run:
    /usr/bin/python3 tests/golden/torch_golden.py > tests/golden/torch_golden.h

A 3-4-2 net (tanh hidden, linear logits, cross-entropy), initial weights from a fixed
formula, trained 3 steps on tests/fixtures/tiny.csv with batch 3 and no shuffling (so step t
uses rows 3*(t%2) .. 3*(t%2)+2). Prints the flat parameters after the 3 steps, in
deepstep's order: layers.0.weight, layers.0.bias, layers.1.weight, layers.1.bias.
bn_case and ln_case (batch norm, layer norm) say what they print in their docstrings."""
import numpy as np
import torch

data = np.loadtxt('tests/fixtures/tiny.csv', delimiter=',', skiprows=1, dtype=np.float32)
X, y = torch.from_numpy(data[:, :3]), torch.from_numpy(data[:, 3].astype(np.int64))


def init_params():
    # p[k] = 0.1 * ((k * 7) % 11 - 5): small, varied, easy to reproduce in C
    n = 4 * 3 + 4 + 2 * 4 + 2
    flat = torch.tensor([0.1 * ((k * 7) % 11 - 5) for k in range(n)], dtype=torch.float32)
    net = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Tanh(), torch.nn.Linear(4, 2))
    with torch.no_grad():
        off = 0
        for p in net.parameters():
            p.copy_(flat[off:off + p.numel()].view_as(p))
            off += p.numel()
    return net


CASES = [
    ("sgd", lambda p: torch.optim.SGD(p, lr=0.1), None),
    ("sgd_wd", lambda p: torch.optim.SGD(p, lr=0.1, weight_decay=0.01), None),
    ("momentum", lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9), None),
    ("nesterov", lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9, nesterov=True), None),
    ("adagrad", lambda p: torch.optim.Adagrad(p, lr=0.1), None),
    ("rmsprop", lambda p: torch.optim.RMSprop(p, lr=0.01), None),
    ("adam", lambda p: torch.optim.Adam(p, lr=0.01), None),
    ("adam_wd", lambda p: torch.optim.Adam(p, lr=0.01, weight_decay=0.1), None),
    ("adamw", lambda p: torch.optim.AdamW(p, lr=0.01, weight_decay=0.1), None),
    ("clip_norm", lambda p: torch.optim.SGD(p, lr=0.1, weight_decay=0.01), ("norm", 0.1)),
    ("clip_value", lambda p: torch.optim.SGD(p, lr=0.1), ("value", 0.05)),
]

def bn_case():
    """Linear(3,4) -> BatchNorm1d(4) -> Tanh -> Linear(4,2), SGD lr 0.1 with weight decay
    0.01, 3 steps: deepstep's `dense 4 linear`, `batchnorm tanh`, `dense 2 linear`.
    Parameters in order (W0, b0, gamma, beta, W2, b2), then running mean and var."""
    flat = torch.tensor([0.1 * ((k * 7) % 11 - 5) for k in range(34)], dtype=torch.float32)
    net = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.BatchNorm1d(4), torch.nn.Tanh(), torch.nn.Linear(4, 2))
    with torch.no_grad():
        off = 0
        for p in net.parameters():
            p.copy_(flat[off:off + p.numel()].view_as(p))
            off += p.numel()
    opt = torch.optim.SGD(net.parameters(), lr=0.1, weight_decay=0.01)
    net.train()
    for t in range(3):
        rows = slice(3 * (t % 2), 3 * (t % 2) + 3)
        opt.zero_grad()
        torch.nn.functional.cross_entropy(net(X[rows]), y[rows]).backward()
        opt.step()
    params = torch.cat([p.detach().flatten() for p in net.parameters()]).numpy()
    bn = net[1]
    running = torch.cat([bn.running_mean, bn.running_var]).numpy()
    net.eval()
    eval_logits = net(X).detach().flatten().numpy()  # eval mode: running statistics
    for name, arr in [("bn", params), ("bn_running", running), ("bn_eval_logits", eval_logits)]:
        print(f"static const float golden_{name}[{arr.size}] = {{")
        print("    " + ", ".join(f"{v:.9g}f" for v in arr) + "};")


def ln_case(name, make, batch, steps):
    """Linear(3,4) -> LayerNorm(4) -> ReLU -> Linear(4,2), `steps` steps of batch `batch` in
    file order (the last batch of the 6 rows is smaller when `batch` does not divide 6):
    deepstep's `dense 4 linear`, `layernorm relu`, `dense 2 linear`. Initial parameters
    p[k] = 0.1 * ((k * 7) % 11 - 5) + 0.05 (never 0, so no gamma silences its unit).
    Prints the parameters (W0, b0, gamma, beta, W2, b2), then the logits of all 6 rows in eval
    mode (which for layer norm is the same computation as training)."""
    flat = torch.tensor([0.1 * ((k * 7) % 11 - 5) + 0.05 for k in range(34)], dtype=torch.float32)
    net = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.LayerNorm(4), torch.nn.ReLU(), torch.nn.Linear(4, 2))
    with torch.no_grad():
        off = 0
        for p in net.parameters():
            p.copy_(flat[off:off + p.numel()].view_as(p))
            off += p.numel()
    opt = make(net.parameters())
    nb = (len(X) + batch - 1) // batch
    for t in range(steps):
        rows = slice(batch * (t % nb), min(len(X), batch * (t % nb) + batch))
        opt.zero_grad()
        torch.nn.functional.cross_entropy(net(X[rows]), y[rows]).backward()
        opt.step()
    params = torch.cat([p.detach().flatten() for p in net.parameters()]).numpy()
    net.eval()
    logits = net(X).detach().flatten().numpy()
    for suffix, arr in [("", params), ("_logits", logits)]:
        print(f"static const float golden_{name}{suffix}[{arr.size}] = {{")
        print("    " + ", ".join(f"{v:.9g}f" for v in arr) + "};")


for name, make, clip in CASES:
    net = init_params()
    opt = make(net.parameters())
    for t in range(3):
        rows = slice(3 * (t % 2), 3 * (t % 2) + 3)
        opt.zero_grad()
        torch.nn.functional.cross_entropy(net(X[rows]), y[rows]).backward()
        if clip and clip[0] == "norm":
            torch.nn.utils.clip_grad_norm_(net.parameters(), clip[1])
        elif clip:
            torch.nn.utils.clip_grad_value_(net.parameters(), clip[1])
        opt.step()
    flat = torch.cat([p.detach().flatten() for p in net.parameters()]).numpy()
    print(f"static const float golden_{name}[{flat.size}] = {{")
    print("    " + ", ".join(f"{v:.9g}f" for v in flat) + "};")

bn_case()
# layer norm: batch 2 (its statistics need no batch at all), 4 (then a last batch of 2), 6 (full)
ln_case("ln_sgd_b2", lambda p: torch.optim.SGD(p, lr=0.1), 2, 4)
ln_case("ln_adam_b2", lambda p: torch.optim.Adam(p, lr=0.01), 2, 4)
ln_case("ln_sgd_b4", lambda p: torch.optim.SGD(p, lr=0.1, weight_decay=0.01), 4, 4)
ln_case("ln_adam_b4", lambda p: torch.optim.Adam(p, lr=0.01), 4, 4)
ln_case("ln_momentum_b6", lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9), 6, 3)
