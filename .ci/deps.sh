#!/bin/sh
# Checks the packages deepstep needs and installs the missing ones (as root), or prints the
# exact command to run. `build`: what compiling needs; `test`: that plus cmocka and tmux;
# `ci`: that plus valgrind; `torch`: python3-torch and python3-numpy (make test-torch);
# `fuzz`: that plus clang's libFuzzer.
set -u
mode=${1:-build}
missing=""
need() { # need CHECK-COMMAND DEBIAN-PACKAGE
    if ! sh -c "$1" >/dev/null 2>&1; then missing="$missing $2"; fi
}
need "command -v pkg-config" pkg-config
need "pkg-config --exists ncursesw" libncurses-dev
need "pkg-config --exists zlib" zlib1g-dev
need "pkg-config --exists md4c" libmd4c-dev
if [ "$mode" = test ]; then
    need "pkg-config --exists cmocka" libcmocka-dev
    need "command -v tmux" tmux
fi
if [ "$mode" = ci ]; then # .ci/run: the tests, and valgrind over them
    need "pkg-config --exists cmocka" libcmocka-dev
    need "command -v tmux" tmux
    need "command -v valgrind" valgrind
fi
if [ "$mode" = torch ]; then # make test-torch: Debian's PyTorch and NumPy for /usr/bin/python3
    need "/usr/bin/python3 -c 'import torch'" python3-torch
    need "/usr/bin/python3 -c 'import numpy'" python3-numpy
fi
if [ "$mode" = fuzz ]; then # make fuzz: clang with libFuzzer and the sanitizer runtimes
    need "command -v clang" clang
    need "echo 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n) { return (int)(d && n); }' | clang -fsanitize=fuzzer -x c - -o /dev/null" libclang-rt-dev
fi
[ -z "$missing" ] && exit 0
cmd="apt-get install -y$missing"
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "deepstep: installing missing packages:$missing" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2 && apt-get install -y -qq $missing >&2 && exit 0
    echo "deepstep: installing failed; run: $cmd" >&2
    exit 1
fi
echo "deepstep: missing packages:$missing" >&2
echo "deepstep: run as root: apt-get update && $cmd" >&2
exit 1
