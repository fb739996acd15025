#!/usr/bin/env bash
# Headless end-to-end checks of the real binary. Prints "ok NAME" or "FAIL NAME: why".
set -u
BUILD=${1:-build}
DS="$BUILD/deepstep"
T="$BUILD/tmp/cli"
rm -rf "$T" && mkdir -p "$T"

ok() { echo "ok $1"; }
bad() { echo "FAIL $1: $2"; }
check() { # check NAME CONDITION-COMMAND...
    local name=$1; shift
    if "$@"; then ok "$name"; else bad "$name" "$*"; fi
}

# --- help and version -----------------------------------------------------------------
out=$("$DS" --help); st=$?
check help-exit-0 [ $st -eq 0 ]
check help-usage grep -q "deepstep run LESSON.md" <<<"$out"
check version [ "$("$DS" --version)" = "deepstep 0.1.0" ]
check run-help grep -q -- "--steps N" <<<"$("$DS" run --help)"

# --- training -------------------------------------------------------------------------
out=$("$DS" run lessons/00-welcome.md)
check xor-reaches-100-percent grep -q "^done: .*train_acc 1.0000" <<<"$out"
check xor-one-line-per-epoch [ "$(grep -c '^epoch ' <<<"$out")" -eq 1000 ]
check xor-epoch-line-format grep -qE '^epoch +1/1000  train_loss [0-9.]+  train_acc [0-9.]+  val_loss -  val_acc -  lr 1$' <<<"$out"

out=$("$DS" run lessons/12-digits.md --save "$T/d1.npz" --log "$T/d1.csv")
acc=$(sed -n 's/^done: .*val_acc \([0-9.]*\).*/\1/p' <<<"$out")
check digits-val-acc-at-least-95 awk -v a="$acc" 'BEGIN { exit !(a >= 0.95) }'
"$DS" run lessons/12-digits.md --save "$T/d2.npz" --quiet >/dev/null
check same-seed-byte-identical-npz cmp -s "$T/d1.npz" "$T/d2.npz"
check log-header [ "$(head -1 "$T/d1.csv")" = "step,epoch,layer,loss,lr,act_min,act_max,act_mean,act_std,frac_saturated,frac_dead,grad_norm,weight_norm,update_ratio,health,lost_updates,frac_underflow,dz_std" ]
# 1438 training rows / batch 32 = 45 batches x 30 epochs = 1350 steps, 2 layers each
check log-rows [ "$(($(wc -l <"$T/d1.csv") - 1))" -eq 2700 ]

"$DS" run lessons/12-digits.md --load "$T/d1.npz" --steps 5 --save "$T/d3.npz" --log "$T/d3.csv" >"$T/out" 2>&1
check steps-stop-after-5 grep -q "^stopped after step 5 (epoch 1, batch 5 of 45)" "$T/out"
out=$("$DS" run lessons/12-digits.md --steps 3)
part=$(sed -n 's/^stopped after step 3 (epoch 1, batch 3 of 45): train_loss \([0-9.]*\)  train_acc \([0-9.]*\) .*/\1, train_acc \2/p' <<<"$out")
check steps-inside-epoch-1-done-line grep -qxF "done: 3 steps, 0 epochs, train_loss $part, val_acc - (epoch 1 so far: no validation pass yet)" <<<"$out"
check steps-log-rows [ "$(($(wc -l <"$T/d3.csv") - 1))" -eq 10 ]
check steps-log-first-step [ "$(sed -n 2p "$T/d3.csv" | cut -d, -f1-3)" = "1,1,0" ]

# --- bad input: one line "file:line: message", non-zero exit, no output files -----------
expect_error() { # NAME EXPECTED-STDERR ARGS...
    local name=$1 want=$2; shift 2
    rm -f "$T/o.npz" "$T/o.csv"
    "$DS" "$@" >"$T/stdout" 2>"$T/stderr"
    local st=$?
    if [ $st -eq 0 ]; then bad "$name" "exit status 0"; return; fi
    if [ "$(wc -l <"$T/stderr")" -ne 1 ]; then bad "$name" "stderr has $(wc -l <"$T/stderr") lines: $(cat "$T/stderr")"; return; fi
    if [ "$(cat "$T/stderr")" != "$want" ]; then bad "$name" "got '$(cat "$T/stderr")'"; return; fi
    if ls "$T"/o.npz* "$T"/o.csv* >/dev/null 2>&1; then bad "$name" "left an output file"; return; fi
    ok "$name"
}
lesson() { printf '# Bad\n\n```deepstep\n%s\n```\n' "$2" >"$T/$1"; }

lesson act.md $'data = xor\nlayer = dense 4 tanhh\nlayer = dense 1 sigmoid'
expect_error bad-activation "$T/act.md:5: layer: unknown activation 'tanhh' (expected one of linear, sigmoid, tanh, relu, leaky_relu, softmax)" \
    run "$T/act.md" --save "$T/o.npz" --log "$T/o.csv"
printf 'a,b,label\n1,2,0\n3,4\n' >"$T/ragged.csv"
lesson csv.md $'data = ragged.csv\nlayer = dense 2 linear'
expect_error ragged-csv "$T/ragged.csv:3: row has 2 fields, the header has 3" run "$T/csv.md" --save "$T/o.npz"
printf 'a,b,label\n1,x,0\n' >"$T/nan.csv"
lesson nan.md $'data = nan.csv\nlayer = dense 2 linear'
expect_error non-number-csv "$T/nan.csv:2: column 2 ('b'): 'x' is not a number" run "$T/nan.md" --log "$T/o.csv"
lesson labels.md "data = $PWD/datasets/iris.csv"$'\nlayer = dense 2 linear'
expect_error labels-vs-outputs "$T/labels.md:5: layer: the data has labels 0..2 but the last layer has 2 outputs" run "$T/labels.md"
printf 'not an idx file at all' >"$T/img.gz"
cp datasets/mnist10k/labels-idx1-ubyte.gz "$T/lab.gz"
lesson idx.md $'data = idx img.gz lab.gz\nlayer = dense 10 linear'
expect_error bad-idx "$T/img.gz: bad magic number 0x6e6f7420 (expected 0x00000803: IDX images, unsigned bytes, 3 dimensions)" run "$T/idx.md"
printf 'garbage' >"$T/bad.npz"
expect_error bad-npz "$T/bad.npz: not a .npz file (too short to be a zip archive)" run lessons/00-welcome.md --load "$T/bad.npz" --save "$T/o.npz"
expect_error wrong-shape-npz "$T/d1.npz: array 'layers.0.weight' has shape (128, 64), the lesson's net needs (4, 2)" \
    run lessons/00-welcome.md --load "$T/d1.npz" --save "$T/o.npz"
lesson nodata.md $'data = nowhere.csv\nlayer = dense 2 linear'
expect_error missing-data-file "$T/nodata.md:4: data: cannot open '$T/nowhere.csv': No such file or directory" run "$T/nodata.md"
expect_error missing-lesson "$T/nope.md: cannot open: No such file or directory" run "$T/nope.md"
expect_error missing-lesson-ui "$T/nope.md: cannot open: No such file or directory" "$T/nope.md"
expect_error unknown-flag "deepstep run: unknown option or missing value: --stpes (see deepstep run --help)" run lessons/00-welcome.md --stpes 3
expect_error bad-steps "deepstep run: --steps needs a whole number from 1 to 1000000000" run lessons/00-welcome.md --steps -3
expect_error no-experiment "lessons/00-welcome.md: no experiment 4: the lesson has 1 (numbered from 1)" run lessons/00-welcome.md --experiment 4
printf '# Huge\n\n```deepstep\ndata = xor\nlayer = dense 65536 relu\nlayer = dense 65536 relu\nlayer = dense 1 sigmoid\n```\n' >"$T/huge.md"
expect_error hostile-width "$T/huge.md:6: layer: the net would have more than 268435456 parameters" run "$T/huge.md"

# --- divergence: caught, explained, not printed as garbage -----------------------------
# Raw breast-cancer features (up to ~4000) through N(0,1) weights: activations overflow.
printf '# Boom\n\n```deepstep\ndata = '"$PWD"'/datasets/breast_cancer.csv\nlayer = dense 32 linear init=gaussian\nlayer = dense 32 linear init=gaussian\nlayer = dense 2 linear init=gaussian\noptimizer = sgd lr=1\nepochs = 50\n```\n' >"$T/boom.md"
"$DS" run "$T/boom.md" --save "$T/o.npz" >"$T/out" 2>&1; st=$?
check diverged-exit-3 [ $st -eq 3 ]
check diverged-explained grep -qE "^diverged: training diverged at step [0-9]+ \(epoch [0-9]+, batch 1\): the (forward pass|backward pass|update) of layer [0-9] made [A-Za-z/]+\[[0-9]+\](\[[0-9]+\])? = (nan|inf|-inf); " "$T/out"
check diverged-no-garbage-lines bash -c "! grep -E '^epoch .*(nan|inf)' '$T/out'"
check diverged-no-weights-file [ ! -e "$T/o.npz" ]

# --- Ctrl-C: stops cleanly, writes nothing ----------------------------------------------
"$DS" run lessons/12-digits.md --epochs 100000 --save "$T/o.npz" --log "$T/o.csv" >/dev/null 2>"$T/err" &
pid=$!
sleep 0.5
kill -INT $pid
wait $pid; st=$?
check sigint-exit-130 [ $st -eq 130 ]
check sigint-message grep -q "interrupted at step" "$T/err"
check sigint-no-files bash -c "! ls '$T'/o.npz* '$T'/o.csv* >/dev/null 2>&1"

# --- training tricks, asserted through the headless log ---------------------------------
last_step_health() { # CSV LAYER: health of LAYER at the log's last step
    awk -F, -v L="$2" 'NR > 1 { if ($3 == L) h = $15 } END { print h }' "$1"
}
"$DS" run lessons/04-vanishing-gradients.md --experiment plain --log "$T/plain.csv" >/dev/null
check deep-sigmoid-layer0-vanishing [ "$(last_step_health "$T/plain.csv" 0)" = vanishing ]
check deep-sigmoid-layer2-vanishing [ "$(last_step_health "$T/plain.csv" 2)" = vanishing ]
check deep-sigmoid-output-ok [ "$(last_step_health "$T/plain.csv" 10)" = ok ]
g0=$(awk -F, 'NR > 1 && $3 == 0 { g = $12 } END { print g }' "$T/plain.csv")
g10=$(awk -F, 'NR > 1 && $3 == 10 { g = $12 } END { print g }' "$T/plain.csv")
check deep-sigmoid-gradient-ratio awk -v a="$g0" -v b="$g10" 'BEGIN { exit !(a < 1e-4 * b) }'
for e in batchnorm residual; do
    "$DS" run lessons/04-vanishing-gradients.md --experiment $e --log "$T/$e.csv" >"$T/$e.out"
    check "$e-never-vanishing" bash -c "! grep -q vanishing '$T/$e.csv'"
    acc=$(sed -n 's/^done: .*val_acc \([0-9.]*\).*/\1/p' "$T/$e.out")
    check "$e-learns" awk -v a="$acc" 'BEGIN { exit !(a >= 0.8) }'
done

"$DS" run lessons/09-gradient-clipping.md --experiment none --log "$T/noclip.csv" >"$T/noclip.out"; st=$?
check noclip-diverges-exit-3 [ $st -eq 3 ]
check noclip-exploding-before-nan [ "$(awk -F, '$15 == "exploding"' "$T/noclip.csv" | wc -l)" -ge 4 ]
check noclip-nan-traced grep -qE '^diverged: training diverged at step [0-9]+ .*= (nan|inf|-inf);' "$T/noclip.out"
"$DS" run lessons/09-gradient-clipping.md --experiment clip1 >"$T/clip1.out"; st=$?
acc=$(sed -n 's/^done: .*val_acc \([0-9.]*\).*/\1/p' "$T/clip1.out")
check clip1-trains [ $st -eq 0 ]
check clip1-accuracy awk -v a="$acc" 'BEGIN { exit !(a >= 0.8) }'

"$DS" run tests/fixtures/overfit.md --experiment early --save "$T/early.npz" >"$T/early.out"
best=$(sed -n 's/^early stop after epoch [0-9]*: .*restored the weights of epoch \([0-9]*\) .*/\1/p' "$T/early.out")
check early-stop-says-so [ -n "$best" ]
"$DS" run tests/fixtures/overfit.md --experiment early --epochs "$best" --save "$T/best.npz" >/dev/null
check early-stop-restores-best-weights cmp -s "$T/early.npz" "$T/best.npz"

"$DS" run tests/fixtures/overfit.md --experiment ensemble --epochs 5 >"$T/ens.out"
check ensemble-members [ "$(grep -c '^member [1-5] (seed [1-5]): val_acc 0\.[0-9]*$' "$T/ens.out")" -eq 5 ]
check ensemble-average grep -qE '^ensemble of 5 \(averaged probabilities\): val_acc 0\.[0-9]+$' "$T/ens.out"
"$DS" run tests/fixtures/overfit.md --experiment baseline --epochs 5 >"$T/base.out"
m1=$(sed -n 's/^member 1 (seed 1): val_acc //p' "$T/ens.out")
b1=$(sed -n 's/^done: .*val_acc \([0-9.]*\).*/\1/p' "$T/base.out")
check ensemble-member1-is-the-single-net [ "$m1" = "$b1" ]
"$DS" run tests/fixtures/overfit.md --experiment ensemble --epochs 2 --save "$T/ens.npz" >"$T/ens2.out"
"$DS" run tests/fixtures/overfit.md --experiment baseline --epochs 2 --save "$T/base2.npz" --quiet >/dev/null
check ensemble-saves-member1-as-single-net cmp -s "$T/ens.npz" "$T/base2.npz"
check ensemble-saves-members-2-to-5 [ "$(ls "$T"/ens.member[2-5].npz | wc -l)" -eq 4 ]
check ensemble-member-files-named grep -q "^weights of member 3 in $T/ens.member3.npz$" "$T/ens2.out"
check ensemble-members-differ bash -c "! cmp -s '$T/ens.member2.npz' '$T/ens.member3.npz'"
"$DS" run tests/fixtures/overfit.md --experiment baseline --load "$T/ens.member4.npz" --steps 1 --quiet >/dev/null
check ensemble-member-file-loads [ $? -eq 0 ]
check saved-file-mode-follows-umask [ "$(umask 022; "$DS" run lessons/00-welcome.md --steps 1 --save "$T/m.npz" --quiet >/dev/null; stat -c %a "$T/m.npz")" = 644 ]

# --- deepstep float ----------------------------------------------------------------------
out=$("$DS" float 0.1)
# Every format's stored value, written out whole, and its exact distance from the decimal typed
# (values checked with Python's fractions and decimal modules).
check float-exact-fp64 grep -qxF "      = 0.1000000000000000055511151231257827021181583404541015625 exactly" <<<"$out"
check float-exact-fp32 grep -qxF "      = 0.100000001490116119384765625 exactly" <<<"$out"
check float-bf16-value grep -qxF "      = 0.10009765625 exactly" <<<"$out"
check float-fp16-value grep -qxF "      = 0.0999755859375 exactly" <<<"$out"
check float-fp32-bits grep -qF "0 01111011 10011001100110011001101" <<<"$out"
check float-fp64-error grep -qxF "      error +5.5511151231257827021181583404541015625e-18 = stored - typed (5.55e-17 relative, 0.4 ulp)" <<<"$out"
check float-fp32-error grep -qxF "      error +1.490116119384765625e-9 = stored - typed (1.49e-08 relative, 0.2 ulp)" <<<"$out"
check float-bf16-error grep -qxF "      error +0.00009765625 = stored - typed (0.000977 relative, 0.2 ulp)" <<<"$out"
check float-fp16-error grep -qxF "      error -0.0000244140625 = stored - typed (0.000244 relative, 0.4 ulp)" <<<"$out"
check float-fp16-ulp grep -qxF "      normal; ulp 2^-14 = 6.1e-05" <<<"$out"
check float-no-zero-error-for-0.1 bash -c '! grep -qE "error [-+]?0( |$)" <<<"$1"' _ "$out"
out=$("$DS" float 1e-10)
check float-underflow-all-lost grep -qxF "      error -1e-10 = stored - typed (1 relative, 0.00168 ulp)" <<<"$out"
check float-exact-when-exact grep -qxF "      error 0: fp64 stores 1e10 exactly" <<<"$("$DS" float 1e10)"
# Rounded straight from the decimal: via fp64 this lands on fp16's tie 1 + 2^-11 and goes to 1.
out=$("$DS" float 1.000488281250000000000000001)
check float-no-double-rounding grep -qxF "      = 1.0009765625 exactly" <<<"$out"
# fp64's smallest subnormal has 751 significant digits: the cut is said, never silent
out=$("$DS" float 5e-324)
check float-long-value-cut-marked grep -qF "= 4.94065645841246544176568792868221372365059802614324764425585...e-324 (the first 60 of 751 significant digits)" <<<"$out"
out=$("$DS" float add 1e10 1e-10)
check float-add-absorbed-fp64 [ "$(grep -c 'the smaller one was absorbed' <<<"$out")" -ge 2 ]
check float-add-shift grep -qF "shifted right by 67 places; 0 of its 24 significant bits" <<<"$out"
check float-add-fp16-overflow grep -qF "Inf: 1e10 overflows fp16 (largest 65504)" <<<"$out"
out=$("$DS" float sum 1e-4 100000)
check float-sum-typed-exact grep -qxF "exact sum of the numbers as typed: 11" <<<"$out"
check float-sum-says-why grep -qF "Each format first rounds 1e-4 and 1 to itself, so each sums slightly different numbers" <<<"$out"
check float-sum-fp16-naive-stuck grep -qE '^fp16 +0\.00010001659393310\.\.\. +11\.0016593933\.\.\. +1 \(-10\) ' <<<"$out"
check float-sum-fp32-kahan grep -qE '^fp32 .* 11 \(\+2\.5e-07\)$' <<<"$out"
check float-sum-fp64-exact-error grep -qE '^fp64 .* 11 \(-4\.8e-16\) +11 \(-4\.8e-16\)$' <<<"$out"
check float-sum-bf16-row grep -qE '^bf16 +0\.00010013580322265625 +11\.0135803222\.\.\. +1 \(-10\) +11\.0625 \(\+0\.049\) +8 \(-3\)$' <<<"$out"
check float-sum-kahan-bf16-why grep -qxF "bf16: Kahan ends worse than pairwise because its correction c is itself rounded to bf16's 8-bit significand: from copy 67730 on, c = -0.03125, whose last bit is 0.000244140625, so 1e-4 - c rounds back to -c and every further copy is lost in c, as naive summation loses it in the sum." <<<"$out"
check float-sum-kahan-why-only-bf16 [ "$(grep -c 'Kahan ends worse' <<<"$out")" -eq 1 ]
out=$("$DS" float mul 1e-30 -1e-30)
check float-mul-negative-zero-said grep -qxF -e "-0 is a float's negative zero: a result that rounds to 0 keeps the sign of the exact result (here negative); -0 == +0, yet 1/-0 is -Inf." <<<"$out"
check float-mul-operand-underflow grep -qxF "fp16  -0   underflow: 1e-30 is already 0 in fp16 (smallest subnormal 5.96e-08)" <<<"$out"
out=$("$DS" float mul 300 300)
check float-mul-exact-not-signed-zero grep -qxF "fp64  90000   exact: the product fits the format" <<<"$out"
check float-mul-no-zero-note bash -c '! grep -qE "negative zero|error [-+]?0( |$)" <<<"$1"' _ "$out"
check float-mul-operand-overflow grep -qxF "fp16  +Inf   overflow: 1e10 is already Inf in fp16 (largest 65504)" <<<"$("$DS" float mul 1e10 1)"
out=$("$DS" float softmax 1000 1001)
check float-softmax-nan grep -qF "exp overflowed to Inf, and Inf/Inf is NaN" <<<"$out"
check float-softmax-fixed grep -qF "p = [0.268941, 0.731059]" <<<"$out"
check float-softmax-bf16-rounds-logits grep -qF "the logits as bf16 stores them: [1000, 1000]" <<<"$out"
expect_error float-bad-number "deepstep float: 'abc' is not a number" float add abc 1
expect_error float-bad-op "deepstep float: unknown operation 'div' (see deepstep float --help)" float div 1 2

# --- the float lab: nothing cut at 80x24, and the same numbers wider and without UTF-8 ----
# (the UI tests in tests/ui drive its keys; this looks at its first screen at three sizes)
lab_screen() { # COLS ROWS LANG: the lab's first screen as tmux shows it, on a server of its own
    local sock="deepstep-cli-lab-$$"
    tmux -L "$sock" new-session -d -s lab -x "$1" -y "$2" -c "$PWD" "env TERM=xterm-256color LANG=$3 $DS lab"
    for _ in $(seq 1 50); do
        tmux -L "$sock" capture-pane -p -t lab | grep -q "Tab A/B" && break
        sleep 0.1
    done
    tmux -L "$sock" capture-pane -p -t lab
    tmux -L "$sock" kill-server 2>/dev/null
}
if command -v tmux >/dev/null 2>&1; then
    scr=$(lab_screen 80 24 C.UTF-8)
    # fp64's 64 bits leave no room beside them at 80 columns: the value goes on the next line
    check lab-80-fp64-value-whole grep -qxF "       = 10000000000  err 0  ulp 1.91e-06" <<<"$scr"
    check lab-80-fp32-row-whole grep -qxF " fp32  0 10100000 00101010000001011111001 = 10000000000  err 0  ulp 1024" <<<"$scr"
    check lab-80-error-from-typed grep -qxF "       ≈ 1e-10  err +3.64e-27  ulp 1.29e-26" <<<"$scr"
    check lab-80-underflow grep -qxF " fp16  0 00000 0000000000 = 0  err -1e-10  ulp 5.96e-08  zero (underflow)" <<<"$scr"
    check lab-80-absorbed-note-whole grep -qxF "   fp64  10000000000   = A: B was absorbed (too far below A's last kept bit)" <<<"$scr"
    check lab-80-exact-line grep -qxF " A in fp32 is exactly 10000000000" <<<"$scr"
    check lab-80-error-line grep -qxF " error = stored - A = 0: fp32 holds A exactly" <<<"$scr"
    check lab-80-status-whole grep -qE '  \? help$' <<<"$scr"
    scr=$(lab_screen 80 24 C)
    check lab-ascii-approx grep -qxF "       ~ 1e-10  err +3.64e-27  ulp 1.29e-26" <<<"$scr"
    check lab-ascii-status grep -qE '\^v format  <> bit  Space flip  \? help$' <<<"$scr"
    for size in "120 40" "160 48"; do
        scr=$(lab_screen ${size% *} ${size#* } C.UTF-8)
        check "lab-${size% *}-fp64-one-line" grep -qxF " fp64  0 01111011101 1011011111001101111111011001110101111011110110111011 ≈ 1e-10  err +3.64e-27  ulp 1.29e-26" <<<"$scr"
        check "lab-${size% *}-status-whole" grep -qE 'F or Esc back  q quit$' <<<"$scr"
    done
else
    echo "lab screens: skipped (tmux is not installed; make deps-test installs it)"
fi

# --- precision in training: the float-precision lesson's claims, from the step log ------
for e in fp32 bf16 fp16 bf16-master deep-fp16 deep-fp16-scaled; do
    "$DS" run lessons/02-float-precision.md --experiment $e --log "$T/p_$e.csv" --quiet >/dev/null
done
late_lost() { awk -F, 'NR > 1 && $1 > 1450 { s += $16 } END { printf "%.0f", s / 50 }' "$1"; }
final_loss() { tail -1 "$1" | cut -d, -f4; }
l32=$(late_lost "$T/p_fp32.csv"); lbf=$(late_lost "$T/p_bf16.csv"); l16=$(late_lost "$T/p_fp16.csv")
check precision-fp32-loses-nothing [ "$l32" -eq 0 ]
check precision-bf16-loses-most [ "$lbf" -gt "$l16" ]
check precision-fp16-loses-some [ "$l16" -gt 0 ]
check precision-master-loses-nothing [ "$(late_lost "$T/p_bf16-master.csv")" -eq 0 ]
check precision-loss-order awk -v a="$(final_loss "$T/p_fp32.csv")" -v b="$(final_loss "$T/p_fp16.csv")" \
    -v c="$(final_loss "$T/p_bf16.csv")" 'BEGIN { exit !(a < b && b < c) }'
check precision-master-weights-cure awk -v m="$(final_loss "$T/p_bf16-master.csv")" \
    -v c="$(final_loss "$T/p_bf16.csv")" 'BEGIN { exit !(m * 5 < c) }'
# deep-fp16: every row's dL/dz in layers 0 and 1 underflows to 0 in fp16, so their gradient is
# exactly 0 at every one of the 80 steps; with loss_scale = 1024 it never is
zero_steps() { awk -F, -v L="$2" 'NR > 1 && $3 == L && $12 == 0 { n++ } END { print n + 0 }' "$1"; }
check fp16-first-layers-get-no-gradient [ "$(zero_steps "$T/p_deep-fp16.csv" 0) $(zero_steps "$T/p_deep-fp16.csv" 1)" = "80 80" ]
check loss-scaling-cures-underflow [ "$(zero_steps "$T/p_deep-fp16-scaled.csv" 0)" -eq 0 ]
check bf16-no-underflow [ "$(awk -F, 'NR > 1 && $17 != "nan" && $17 > 0' "$T/p_bf16.csv" | wc -l)" -eq 0 ]

# --- bench: every line present and well formed (the numbers themselves are for the README,
# not for a test: timings vary with the machine) -------------------------------------------
out=$("$DS" bench 2>&1); st=$?
check bench-exit-0 [ $st -eq 0 ]
check bench-seventeen-lines [ "$(grep -c '^bench ' <<<"$out")" -eq 17 ]
check bench-dist-line grep -qE '^bench dist_record us_per_step=[0-9.]+ step_us=[0-9.]+ share_pct=[0-9.]+ ' <<<"$out"
check bench-plane-lines [ "$(grep -cE '^bench plane_160x48 median_ms=[0-9.]+ p90_ms=[0-9.]+ target_ms=5 (ok|OVER) ' <<<"$out")" -eq 2 ]
check bench-ui-training-line grep -qE '^bench ui_training steps_per_s=[0-9]+ engine_steps_per_s=[0-9]+ ratio=[0-9.]+ ' <<<"$out"
check bench-case-lines [ "$(grep -cE '^bench [abcd] samples_per_s=[0-9]+ us_per_step=[0-9.]+ gflops=[0-9.]+ peak_pct=[0-9.]+ ' <<<"$out")" -eq 4 ]
check bench-overhead-lines [ "$(grep -cE '^bench [abcd]_nostats us_per_step=[0-9.]+ stats_overhead=[0-9.]+ ' <<<"$out")" -eq 4 ]
rss=$(sed -n 's/^bench mnist_lesson peak_rss_mb=\([0-9.]*\) .*/\1/p' <<<"$out")
check bench-mnist-within-64mb awk -v r="$rss" 'BEGIN { exit !(r > 1 && r <= 64) }'

# --- --steps N is N updates, past the lesson's epochs -------------------------------------
# batch = full and no `epochs` line (default 10): 20 steps are 20 epochs of one batch each.
cat >"$T/steps-full.md" <<'LESSON'
# Steps
```deepstep
data = xor
layer = dense 4 tanh
layer = dense 1 sigmoid
optimizer = sgd lr=0.5
```
LESSON
out=$("$DS" run "$T/steps-full.md" --steps 20 --log "$T/steps-full.csv")
check steps-full-batch-past-epochs grep -qE '^done: 20 steps, 20 epochs, ' <<<"$out"
check steps-full-batch-epoch-lines [ "$(grep -c '^epoch ' <<<"$out")" -eq 20 ]
check steps-full-batch-epoch-total grep -qE '^epoch +20/20  ' <<<"$out"
check steps-full-batch-header grep -qF 'batch 4, 20 steps (20 epochs)' <<<"$out"
check steps-full-batch-log-rows [ "$(($(wc -l <"$T/steps-full.csv") - 1))" -eq 40 ]
# moons: 200 rows in batches of 64 = 3 of 64 and a partial one of 8, so 4 steps an epoch.
# 2 epochs in the lesson; 11 steps end inside epoch 3, after its third batch.
cat >"$T/steps-mini.md" <<'LESSON'
# Steps
```deepstep
data = moons
batch = 64
layer = dense 8 tanh
layer = dense 2 linear
optimizer = sgd lr=0.1
schedule = cosine
epochs = 2
```
LESSON
out=$("$DS" run "$T/steps-mini.md" --steps 11 --log "$T/steps-mini.csv")
check steps-mini-batch-past-epochs grep -qF 'stopped after step 11 (epoch 3, batch 3 of 4)' <<<"$out"
check steps-mini-batch-done grep -qE '^done: 11 steps, 2 epochs, ' <<<"$out"
check steps-mini-batch-log-last-step [ "$(tail -1 "$T/steps-mini.csv" | cut -d, -f1,2)" = "11,3" ]
# cosine past T_max = 2 epochs: epoch 3 (e = 2) has lr 0.1*(1+cos(pi))/2 = 0, and it rises again
check steps-cosine-past-tmax [ "$(tail -1 "$T/steps-mini.csv" | cut -d, -f5)" = "0" ]
out=$("$DS" run "$T/steps-mini.md" --steps 13 --log "$T/steps-mini.csv")
check steps-cosine-rises-again [ "$(tail -1 "$T/steps-mini.csv" | cut -d, -f5)" = "0.0500000007" ]
check steps-mini-batch-partial-exact grep -qF 'stopped after step 13 (epoch 4, batch 1 of 4)' <<<"$out"
check steps-mini-batch-done-counts-whole-epochs grep -qE '^done: 13 steps, 3 epochs, ' <<<"$out"
# 12 steps end exactly at an epoch boundary: 3 epochs, no "stopped after" line
out=$("$DS" run "$T/steps-mini.md" --steps 12)
check steps-at-epoch-end grep -qE '^done: 12 steps, 3 epochs, ' <<<"$out"
check steps-at-epoch-end-no-partial-line [ "$(grep -c '^stopped after' <<<"$out")" -eq 0 ]

# --- checks before training --------------------------------------------------------------
expect_error save-dir-missing-up-front "$T/no-such-dir/w.npz: cannot create: No such file or directory" \
    run lessons/12-digits.md --save "$T/no-such-dir/w.npz"
check save-dir-checked-before-training [ ! -s "$T/stdout" ]
expect_error save-is-a-directory "$T: is a directory; give a file name" run lessons/00-welcome.md --save "$T"

# --- signals end a headless run cleanly: no temporary file left, exit 130 -----------------
# The signal goes in as soon as the log's temporary file exists, while the 200,000 rows are
# still being made: the handlers must already be there.
cat >"$T/long.md" <<'LESSON'
# Long
```deepstep
data = random samples=200000 features=64
batch = 16
layer = dense 64 tanh
layer = dense 10 linear
epochs = 100000
```
LESSON
for sig in HUP INT TERM; do
    rm -f "$T"/sig.csv*
    "$DS" run "$T/long.md" --log "$T/sig.csv" --quiet >/dev/null 2>"$T/sig.err" &
    pid=$!
    for _ in $(seq 1 500); do ls "$T"/sig.csv.tmp.* >/dev/null 2>&1 && break; sleep 0.01; done
    kill -$sig $pid
    for _ in $(seq 1 100); do kill -0 $pid 2>/dev/null || break; sleep 0.1; done
    if kill -0 $pid 2>/dev/null; then kill -KILL $pid; fi # never hang the tests
    wait $pid
    st=$?
    check "sig$sig-exit-130" [ $st -eq 130 ]
    check "sig$sig-no-temporary-file" [ -z "$(ls "$T"/sig.csv* 2>/dev/null)" ]
    check "sig$sig-says-so" grep -q "^deepstep run: interrupted at step [0-9]*; no files written$" "$T/sig.err"
done
expect_error log-is-a-directory "$T: is a directory; give a file name" run lessons/00-welcome.md --log "$T"
check log-dir-checked-before-training [ ! -s "$T/stdout" ]

# --- check on several seeds, expect@median, the test split ------------------------------
out=$("$DS" check --seeds 3 tests/fixtures/seeds.md); st=$?
check seeds-fail-exit-1 [ $st -eq 1 ]
# `seed < 3` holds on seeds 1 and 2 only: the failure names seed 3 and its number
check seeds-fail-names-seed grep -qxF "FAIL tests/fixtures/seeds.md:19: small: expect seed < 3   (seed 3: seed = 3; met on 2 of 3 seeds 1-3)" <<<"$out"
check seeds-median-two-of-three grep -qxF "ok   tests/fixtures/seeds.md:20: small: expect@median seed < 3   (met on 2 of 3 seeds 1-3, more than half; not on seed 3: seed = 3)" <<<"$out"
check seeds-median-one-of-three grep -qF "FAIL tests/fixtures/seeds.md:42: compare: expect@median pair.seed < 2   (seed 2: pair.seed = 2; met on 1 of 3 seeds 1-3, needs more than half)" <<<"$out"
check seeds-all-met grep -qE "^ok   tests/fixtures/seeds.md:43: compare: expect pair.seed == small.seed   \(seed 1: .*; met on all 3 seeds 1-3\)$" <<<"$out"
check seeds-total grep -qx "3 passed, 2 failed" <<<"$out"
out=$("$DS" check tests/fixtures/seeds.md); st=$?
check seeds-one-seed-passes [ $st -eq 0 ]
check seeds-one-seed-plain-line grep -qxF "ok   tests/fixtures/seeds.md:19: small: expect seed < 3   (seed = 1)" <<<"$out"
out=$("$DS" check --seed 7 --seeds 2 tests/fixtures/seeds.md)
check seeds-fixed-start grep -qF "(seed 7: seed = 7; met on 0 of 2 seeds 7-8)" <<<"$out"
out=$("$DS" run tests/fixtures/seeds.md --experiment small)
# 200 moons: 50 test rows drawn first, then 50 validation rows, 100 to train on
check test-split-sizes grep -qF "100 training rows, 50 validation rows, 50 test rows" <<<"$out"
check test-epoch-columns grep -qE '^epoch +3/3  train_loss [0-9.]+  train_acc [0-9.]+  val_loss [0-9.]+  val_acc [0-9.]+  lr 0.01  test_loss [0-9.]+  test_acc 0\.[0-9]{4}$' <<<"$out"
last=$(grep '^epoch ' <<<"$out" | tail -1 | sed 's/.*test_acc //')
check test-done-line grep -qE "^done: .*, val_acc 0\.[0-9]{4}, test_acc $last$" <<<"$out"
out=$("$DS" run tests/fixtures/seeds.md --experiment pair)
check test-ensemble-line grep -qE '^ensemble of 2 \(averaged probabilities\): val_acc 0\.[0-9]{4}, test_acc 0\.[0-9]{4}$' <<<"$out"
check test-member-line grep -qE '^member 2 \(seed 2\): val_acc 0\.[0-9]{4}, test_acc 0\.[0-9]{4}$' <<<"$out"
ens=$(sed -n 's/^ensemble of 2 .*test_acc \(.*\)$/\1/p' <<<"$out")
out=$("$DS" run tests/fixtures/seeds.md --compare)
check compare-test-columns grep -qE '^experiment +train_loss +train_acc +val_loss +val_acc +test_loss +test_acc ' <<<"$out"
check compare-ensemble-row grep -qE "^  \(ensemble 2\) +0\.[0-9]{4} +$ens$" <<<"$out"
# without a test split nothing changes: the contract's columns only
out=$("$DS" run lessons/00-welcome.md --epochs 1)
check no-test-split-no-columns bash -c '! grep -q test' <<<"$out"
# experiments from different seeds: no one seed names a run, so the runs are counted; a
# metric of a split the experiment does not have is an error, not a NaN that passes `!=`
cat >"$T/mix.md" <<'LESSON'
# Mixed seeds
```deepstep
name = a
data = moons samples=40
layer = dense 2 linear
epochs = 1
seed = 10
expect = test_acc != 0.5
```
```deepstep
name = b
data = moons samples=40
layer = dense 2 linear
epochs = 1
seed = 50
```
```deepstep compare
experiments = a b
expect = b.seed < 51
```
LESSON
out=$("$DS" check --seeds 3 "$T/mix.md")
check seeds-mixed-counts-runs grep -qF "compare: expect b.seed < 51   (run 2: b.seed = 51; met on 1 of 3 runs, each experiment at its own seed + 0..2)" <<<"$out"
check seeds-no-test-split-is-an-error grep -qF "a: expect test_acc != 0.5   (could not be evaluated on seed 10: a has no test split for test_acc (add 'test = F', e.g. 0.2))" <<<"$out"

# --- export --torch: the files, their names, the script's text, the refusals ------------
# (torch-free: make test-torch runs the scripts; here only what deepstep writes)
check export-help grep -q -- "--torch" <<<"$("$DS" export --help)"
check export-in-help grep -q "deepstep export LESSON.md --torch" <<<"$("$DS" --help)"
ABS_DS=$(cd "$(dirname "$DS")" && pwd)/$(basename "$DS")
mkdir -p "$T/exp"
ROOT=$PWD
out=$(cd "$T/exp" && "$ABS_DS" export "$ROOT/lessons/09-gradient-clipping.md" --experiment clip1 --torch 2>&1); st=$?
E="$T/exp/09-gradient-clipping-clip1-torch"
check export-exit-0 [ $st -eq 0 ]
check export-default-folder-name [ -d "$E" ]
check export-three-files bash -c '[ -s "$1/train.py" ] && [ -s "$1/init.npz" ] && [ -s "$1/data.npz" ]' _ "$E"
check export-says-what-it-wrote grep -q "^wrote .*train.py" <<<"$out"
check export-script-runnable [ -x "$E/train.py" ]
py="$E/train.py"
check export-script-shebang [ "$(head -1 "$py")" = "#!/usr/bin/python3" ]
check export-script-module-list grep -qF "self.layers = nn.ModuleList([" "$py"
check export-script-linear grep -qF "nn.Linear(64, 32),  # 0: dense 32 leaky_relu init=gaussian" "$py"
check export-script-forward grep -qF "x = F.leaky_relu(self.layers[0](x), 0.01)" "$py"
check export-script-logits grep -qF "out = self.layers[3](x)" "$py"
check export-script-loss grep -qF "return F.cross_entropy(out, y)" "$py"
check export-script-clip grep -qF "torch.nn.utils.clip_grad_norm_(model.parameters(), 1)" "$py"
check export-script-optimizer grep -qF "optimizer = torch.optim.SGD(model.parameters(), lr=5)" "$py"
check export-script-saves-out grep -qF '"out.npz"' "$py"
check export-script-no-scheduler bash -c '! grep -q scheduler "$1"' _ "$py"
for a in x_train.npy y_train.npy x_val.npy y_val.npy x_test.npy y_test.npy order.npy; do
    check "export-data-has-$a" grep -qaF "$a" "$E/data.npz"
done
for a in layers.0.weight.npy layers.0.bias.npy layers.3.weight.npy layers.3.bias.npy; do
    check "export-init-has-$a" grep -qaF "$a" "$E/init.npz"
done
# init.npz is the run's step 0: training from it is training from the lesson's own init
"$DS" run lessons/09-gradient-clipping.md --experiment clip1 --steps 3 --save "$T/x1.npz" -q >/dev/null
"$DS" run lessons/09-gradient-clipping.md --experiment clip1 --steps 3 --load "$E/init.npz" --save "$T/x2.npz" -q >/dev/null
check export-init-is-step-0 cmp -s "$T/x1.npz" "$T/x2.npz"
# never overwrites without --force: one line, exit 1, the file untouched
touch -d '2000-01-01' "$py"
"$DS" export lessons/09-gradient-clipping.md --experiment clip1 --torch -o "$E" >"$T/stdout" 2>"$T/stderr"; st=$?
check export-refuses-overwrite-exit-1 [ $st -eq 1 ]
check export-refuses-overwrite-message [ "$(cat "$T/stderr")" = "deepstep export: $E/train.py already exists; --force overwrites it (or give another folder with -o DIR)" ]
check export-overwrite-left-file [ "$(stat -c %Y "$py")" = "$(date -d '2000-01-01' +%s)" ]
"$DS" export lessons/09-gradient-clipping.md --experiment clip1 --torch -o "$E" --force >/dev/null 2>&1
check export-force-overwrites [ "$(stat -c %Y "$py")" != "$(date -d '2000-01-01' +%s)" ]
# refused: bf16 (one line with the lesson line and why), nothing written
"$DS" export lessons/02-float-precision.md --experiment bf16 --torch -o "$T/bf" >"$T/stdout" 2>"$T/stderr"; st=$?
check export-refuses-bf16-exit-1 [ $st -eq 1 ]
check export-refuses-bf16-one-line [ "$(wc -l <"$T/stderr")" -eq 1 ]
check export-refuses-bf16-message grep -qE '^lessons/02-float-precision.md:[0-9]+: export: precision = bf16 is not supported because ' "$T/stderr"
check export-refused-writes-nothing [ ! -e "$T/bf" ]
check export-needs-torch-flag bash -c '! "$1" export lessons/00-welcome.md -o "$2/nt" 2>/dev/null && [ ! -e "$2/nt" ]' _ "$DS" "$T"
# the pieces a lesson's tricks need, and only those
"$DS" export lessons/06-dropout.md --experiment dropout --torch -o "$T/dr" >"$T/stdout" 2>&1
check export-dropout-says-so grep -q "^note: dropout masks" "$T/stdout"
check export-dropout-module grep -qF "nn.Dropout(p=0.2)" "$T/dr/train.py"
check export-momentum-own-class grep -qF "class LessonMomentum(torch.optim.Optimizer):" "$T/dr/train.py"
check export-cosine grep -qF "scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=EPOCHS)" "$T/dr/train.py"
"$DS" export lessons/04-vanishing-gradients.md --experiment residual --torch -o "$T/rs" >/dev/null 2>&1
check export-residual grep -qF "x = x + skip1  # 3: residual end" "$T/rs/train.py"
"$DS" export lessons/04-vanishing-gradients.md --experiment batchnorm --torch -o "$T/bn" >/dev/null 2>&1
check export-batchnorm grep -qF "nn.BatchNorm1d(32)," "$T/bn/train.py"
"$DS" export lessons/12-digits.md --experiment tuned --torch -o "$T/es" >/dev/null 2>&1
check export-early-stop grep -qF "if since_best >= 5:" "$T/es/train.py"
check export-adam grep -qF "torch.optim.Adam(model.parameters(), lr=0.001, betas=(0.9, 0.999), eps=1e-08)" "$T/es/train.py"
# the narration ends each micro-step with its PyTorch line
out=$("$DS" narrate lessons/09-gradient-clipping.md --experiment clip1)
check narrate-torch-backward grep -qxF "PyTorch: loss.backward()  (autograd: every layer's backward in one call)" <<<"$out"
check narrate-torch-clip grep -qxF "PyTorch: torch.nn.utils.clip_grad_norm_(model.parameters(), 1)" <<<"$out"
check narrate-torch-step grep -qxF "PyTorch: optimizer.step()  (one call updates every layer)" <<<"$out"
