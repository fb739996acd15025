#!/usr/bin/env bash
# `deepstep narrate`: the UI's "What just happened" text, headless. Prints "ok NAME" or "FAIL NAME: why".
set -u
BUILD=${1:-build}
DS="$BUILD/deepstep"
T="$BUILD/tmp/narrate"
rm -rf "$T" && mkdir -p "$T"

ok() { echo "ok $1"; }
bad() { echo "FAIL $1: $2"; }
check() { # check NAME CONDITION-COMMAND...
    local name=$1; shift
    if "$@"; then ok "$name"; else bad "$name" "$*"; fi
}
headers() { grep -c '^--- micro-step ' <<<"$1"; }
# the lines of micro-step M's narration (header excluded)
step_text() { awk -v m="--- micro-step $2:" 'index($0, m) == 1 { on = 1; next } /^--- micro-step / { on = 0 } on' <<<"$1"; }
# fails NAME EXPECTED-STATUS EXPECTED-STDERR ARGS...: the one error line and the status
fails() {
    local name=$1 want_st=$2 want=$3; shift 3
    local err st
    err=$("$DS" narrate "$@" 2>&1 >/dev/null); st=$?
    if [ "$st" -eq "$want_st" ] && [ "$err" = "$want" ]; then ok "$name"; else bad "$name" "status $st, stderr '$err' (wanted $want_st, '$want')"; fi
}

# --- help ------------------------------------------------------------------------------
out=$("$DS" narrate --help); st=$?
check help-exit-0 [ $st -eq 0 ]
check help-usage grep -q -- "usage: deepstep narrate LESSON.md \[--experiment K\] \[--micro N | --steps N\]" <<<"$out"
check top-help-lists-narrate grep -q "deepstep narrate LESSON.md" <<<"$("$DS" --help)"

# --- default: the first optimizer step's micro-steps ------------------------------------
out=$("$DS" narrate lessons/00-welcome.md); st=$?
check default-exit-0 [ $st -eq 0 ]
# XOR, 2 layers: load, 2 forward, loss, 2 backward, 2 update, end of batch
check default-9-micro-steps [ "$(headers "$out")" -eq 9 ]
check default-first-header [ "$(head -1 <<<"$out")" = "--- micro-step 1: load batch (epoch 1, batch 1)" ]
check default-backward-header grep -qx -- "--- micro-step 5: backward, layer 1 (epoch 1, batch 1)" <<<"$out"
check default-ends-with-step-1 grep -qx "Step 1 done (epoch 1, batch 1 of 1): batch loss 0.7161." <<<"$(step_text "$out" 9)"
"$DS" narrate lessons/00-welcome.md >"$T/out" # a file: $(...) would drop the last blank line
check blank-line-after-each [ "$(grep -c '^$' "$T/out")" -eq 9 -a -z "$(tail -1 "$T/out")" ]
# micro-step 2's forward narration is the UI's (tests/ui/tmux_test.sh waits for its start),
# with lesson 00's initial weights plugged in
fwd=$(step_text "$out" 2)
check forward-title grep -qx "Forward, layer 0 (dense 2->4, tanh): every row of the batch goes through z = W x + b, then a = tanh(z)." <<<"$fwd"
check forward-numbers grep -qx 'z\[0\]\[0\] = b\[0\] + sum_i W\[0\]\[i\]\*x\[i\] = 0 + 0.5119\*0 + 0.8681\*0 = 0' <<<"$fwd"
check forward-only-its-step [ "$(grep -c 'z\[0\]\[0\] = b\[0\]' <<<"$fwd")" -eq 1 ]
check update-follows-largest-grad grep -qx 'w <- w - lr\*g = -0.4688 - 1\*(-0.03441) = -0.4344' <<<"$(step_text "$out" 7)"
# the batch loss is the one `deepstep run --log` records for step 1 (0.716115189)
"$DS" run lessons/00-welcome.md --steps 1 --log "$T/l.csv" >/dev/null
loss=$(awk -F, 'NR == 2 { printf "%.4g", $4 }' "$T/l.csv")
check loss-matches-run grep -q "batch loss L = $loss;" <<<"$(step_text "$out" 4)"

# --- --micro N and --steps N ------------------------------------------------------------
out=$("$DS" narrate lessons/00-welcome.md --micro 13)
check micro-13-headers [ "$(headers "$out")" -eq 13 ]
check micro-13-last [ "$(grep '^--- ' <<<"$out" | tail -1)" = "--- micro-step 13: forward, layer 1 (epoch 2, batch 1)" ]
check micro-end-of-epoch grep -qx -- "--- micro-step 10: end of epoch (epoch 1)" <<<"$out"
out=$("$DS" narrate lessons/00-welcome.md --micro 1)
check micro-1 [ "$(headers "$out")" -eq 1 ]
out=$("$DS" narrate lessons/00-welcome.md --steps 2)
check steps-2-headers [ "$(headers "$out")" -eq 19 ]
check steps-2-ends-step-2 grep -q "^Step 2 done (epoch 2, batch 1 of 1): batch loss " <<<"$(step_text "$out" 19)"
# several batches an epoch: lesson 12 (45 batches), 2 layers -> 9 micro-steps a batch
out=$("$DS" narrate lessons/12-digits.md --steps 3)
check digits-steps-3 [ "$(headers "$out")" -eq 27 ]
check digits-batch-3 grep -q "^Step 3 done (epoch 1, batch 3 of 45)" <<<"$out"

# --- experiment by index and by name: lesson 09's clip1 clips to theta = 1, clip10 to 10, none not at all
a=$("$DS" narrate lessons/09-gradient-clipping.md --experiment 2)
b=$("$DS" narrate lessons/09-gradient-clipping.md --experiment clip1)
c=$("$DS" narrate lessons/09-gradient-clipping.md --experiment clip10)
d=$("$DS" narrate lessons/09-gradient-clipping.md)
check experiment-name-equals-index [ -n "$a" -a "$a" = "$b" ]
check experiment-clip1 grep -q "> theta = 1 -> .*now |g| = 1$" <<<"$(step_text "$a" 11)"
check experiment-clip10 grep -q "> theta = 10 -> .*now |g| = 10$" <<<"$(step_text "$c" 11)"
# none: no clip micro-step; 4 layers: load, 4 forward, loss, 4 backward, 4 updates, end of batch
check experiment-default-is-first [ "$(grep -c ': clip (' <<<"$d")" -eq 0 -a "$(headers "$d")" -eq 15 ]

# --- stops early --------------------------------------------------------------------------
out=$("$DS" narrate lessons/09-gradient-clipping.md --experiment none --steps 50); st=$?
check diverged-exit-3 [ $st -eq 3 ]
check diverged-says-so grep -qE "^narration stopped at micro-step [0-9]+: training diverged" <<<"$out"
check diverged-narration grep -qx "Training stopped: a value became NaN or Inf." <<<"$out"
# shellcheck disable=SC2016 # the backticks are the lesson's fence, not a command
printf '# T\n\n```deepstep\ndata = xor\nlayer = dense 2 tanh\nlayer = dense 1 sigmoid\nepochs = 2\n```\n' >"$T/two.md"
out=$("$DS" narrate "$T/two.md" --micro 100); st=$?
check finished-exit-0 [ $st -eq 0 ]
check finished-20-micro-steps [ "$(headers "$out")" -eq 20 ]
check finished-says-so [ "$(tail -1 <<<"$out")" = "narration stopped after micro-step 20: training finished (2 steps, 2 epochs)" ]
check finished-narration grep -qx "Training is finished (2 steps). Press R to start again." <<<"$out"

# --- errors: one line, status 1 -----------------------------------------------------------
N="needs a whole number from 1 to 1000000000"
fails unknown-option 1 "deepstep narrate: unknown option or missing value: --bogus (see deepstep narrate --help)" lessons/00-welcome.md --bogus
fails experiment-missing-value 1 "deepstep narrate: unknown option or missing value: --experiment (see deepstep narrate --help)" lessons/00-welcome.md --experiment
fails micro-missing-value 1 "deepstep narrate: --micro $N" lessons/00-welcome.md --micro
fails steps-missing-value 1 "deepstep narrate: --steps $N" lessons/00-welcome.md --steps
fails micro-zero 1 "deepstep narrate: --micro $N" lessons/00-welcome.md --micro 0
fails micro-negative 1 "deepstep narrate: --micro $N" lessons/00-welcome.md --micro -3
fails micro-too-big 1 "deepstep narrate: --micro $N" lessons/00-welcome.md --micro 1000000001
fails micro-overflow 1 "deepstep narrate: --micro $N" lessons/00-welcome.md --micro 99999999999999999999
fails micro-not-a-number 1 "deepstep narrate: --micro $N" lessons/00-welcome.md --micro abc
fails micro-trailing 1 "deepstep narrate: --micro $N" lessons/00-welcome.md --micro 5x
fails steps-zero 1 "deepstep narrate: --steps $N" lessons/00-welcome.md --steps 0
fails micro-and-steps 1 "deepstep narrate: give --micro or --steps, not both" lessons/00-welcome.md --micro 3 --steps 1
fails no-lesson 1 "deepstep narrate: which lesson? (usage: deepstep narrate LESSON.md; see --help)"
fails two-lessons 1 "deepstep narrate: one lesson at a time (got 'a.md' and 'b.md')" a.md b.md
fails missing-file 1 "$T/nofile.md: cannot open: No such file or directory" "$T/nofile.md"
printf '# T\n\nno blocks here\n' >"$T/none.md"
fails no-experiment 1 "$T/none.md: lesson has no \`\`\`deepstep experiment block" "$T/none.md"
fails experiment-out-of-range 1 "lessons/09-gradient-clipping.md: no experiment 9: the lesson has 3 (numbered from 1)" lessons/09-gradient-clipping.md --experiment 9
fails experiment-unknown-name 1 "lessons/09-gradient-clipping.md: no experiment named 'nope' (choose one of 1 (none), 2 (clip1), 3 (clip10))" lessons/09-gradient-clipping.md --experiment nope
out=$("$DS" narrate lessons/00-welcome.md --bogus 2>/dev/null)
check error-prints-no-narration [ -z "$out" ]
