#!/usr/bin/python3
"""Runs an exported train.py in float64 instead of float32: make test-torch's measure of how far
fp32 rounding alone moves an experiment's result (see test_torch.py). Every float32 array the
script reads becomes float64, and so does every tensor it makes; the script is not changed.

    /usr/bin/python3 tests/torch/run_float64.py DIR/train.py [--steps N]
"""
import runpy
import sys

import numpy as np
import torch

torch.set_default_dtype(torch.float64)
_from_numpy = torch.from_numpy
torch.from_numpy = lambda a: _from_numpy(a.astype(np.float64) if a.dtype == np.float32 else a)
script = sys.argv[1]
sys.argv = sys.argv[1:]
runpy.run_path(script, run_name="__main__")
