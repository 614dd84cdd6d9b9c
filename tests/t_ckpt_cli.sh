#!/bin/sh
# t_ckpt_cli.sh - checkpoints from the command line (docs/checkpoint.md, docs/user-guide.md):
# output.checkpoint's syntax and its refusals; --restart refusals (another graph: exit 2; --force
# with the same state layout: a warning, and the run continues; --force with another layout: exit 2;
# a flipped byte in a dataset: exit 1 naming the dataset; a truncated file; a checkpoint beyond the
# run's steps); output.checkpoint's every/keep/minutes; SIGTERM mid-run: a checkpoint of the last
# complete step and exit 130, and the restart from it equals the uninterrupted run bitwise;
# --walltime: exit 0 with the summary saying so, a checkpoint to continue from.
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/ckpt_lib.sh"
cd "$tmp" || exit 99
kg="$top_srcdir/graphs/lattice/kg-packet.yaml"
step_of() { h5dump -a /step "$1" 2>/dev/null | sed -n 's/^ *(0): \([0-9]*\)$/\1/p'; }

# ---- output.checkpoint
sed 's#^output:#output:\n  checkpoint: {file: g.ckpt, every: 4, keep: 3}#' "$kg" >g.yaml
runrc "$sd" run g.yaml --set n=12 --steps 18 --out g.h5 --quiet
t "output.checkpoint {every: 4, keep: 3}: exit 0" test "$(rc)" = 0
t "... keeps three: g.ckpt (the last step, 18), g.ckpt.1 (16), g.ckpt.2 (12); no .tmp" \
  test "$(step_of g.ckpt)" = 18 -a "$(step_of g.ckpt.1)" = 16 -a "$(step_of g.ckpt.2)" = 12 -a ! -f g.ckpt.3 -a ! -f g.ckpt.tmp
runrc "$sd" run g.yaml --set n=12 --steps 10 --out g2.h5 --checkpoint "" --quiet
t "--checkpoint \"\" writes none" test "$(rc)" = 0 -a "$(step_of g.ckpt)" = 18
sed 's#^output:#output:\n  checkpoint: {file: m.ckpt, minutes: 0.0005, keep: 50}#' "$kg" >m.yaml
runrc "$sd" run m.yaml --set n=24 --steps 3000 --out m.h5 --quiet
t "minutes: 0.0005 (30 ms) on a run of a quarter second or more: several checkpoints (by time) and exit 0" \
  test "$(rc)" = 0 -a -f m.ckpt.2
bad() { # bad NAME YAML-LINE EXPECTED-TEXT
  sed "s#^output:#output:\n  checkpoint: $2#" "$kg" >b.yaml
  runrc "$sd" check b.yaml
  t "output.checkpoint $1: exit 2, b.yaml:line:col says '$3'" eval 'test "$(rc)" = 2 && grep -q "b.yaml:[0-9]*:[0-9]*: .*$3" "$tmp/err"'
}
bad "without file" "{every: 5}" "output.checkpoint needs file"
bad "keep: 0" "{file: x.ckpt, keep: 0}" "keep"
bad "an unknown key" "{file: x.ckpt, evry: 5}" "evry"
bad "minutes: -1" "{file: x.ckpt, minutes: -1}" "minutes must be a finite number >= 0"
bad "on the output file" "{file: kg-packet.h5}" "is the output file too"

# ---- a failed check: no checkpoint of the failed step (the one before stays the newest)
sed 's#^checks:#checks:\n  - range: {scalar: energy, max: 1}#' "$kg" >f.yaml
runrc "$sd" run f.yaml --set n=12 --steps 30 --checkpoint f.ckpt --checkpoint-every 5 --out f.h5 --quiet
t "a check failing at step 10 (checkpoints every 5): exit 3, f.ckpt holds step 5, no f.ckpt.tmp" \
  test "$(rc)" = 3 -a "$(step_of f.ckpt)" = 5 -a ! -f f.ckpt.1 -a ! -f f.ckpt.tmp

# ---- last_good: the last step whose checks passed, held in memory, written when a check fails
dm="$top_srcdir/graphs/lattice/damped.yaml"
"$sd" run "$dm" --set n=12 --steps 14 --checkpoint d14.ckpt --out d14.h5 --quiet
v=$(values d14.h5 /scalars/energy | tail -n 2 | tr '\n' ' ')
lim=$(echo "$v" | awk '{ printf "%.17g", ($1 + $2) / 2 }') # between steps 13 and 14
sed "s#^checks:#checks:\n  - range: {scalar: energy, min: $lim}#; s#^output:#output:\n  checkpoint: {file: lg.ckpt, every: 100, last_good: true}#" "$dm" >lg.yaml
runrc "$sd" run lg.yaml --set n=12 --steps 40 --out lg.h5 --quiet
t "last_good: a range check failing at step 14: exit 3, lg.ckpt holds step 13 (no regular checkpoint was due)" \
  test "$(rc)" = 3 -a "$(step_of lg.ckpt)" = 13 -a ! -f lg.ckpt.tmp
"$sd" run "$dm" --set n=12 --steps 13 --checkpoint d13.ckpt --out d13.h5 --quiet
t "... its state is bitwise the uninterrupted run's at step 13" h5diff -q d13.ckpt lg.ckpt /state /state
runrc "$sd" run lg.yaml --set n=12 --steps 40 --out lg2.h5 --checkpoint lg2.ckpt --checkpoint-every 12 --quiet
t "... a regular checkpoint (step 12) newer than the held one wins until the failure: lg2.ckpt holds 13, lg2.ckpt.1 12" \
  test "$(rc)" = 3 -a "$(step_of lg2.ckpt)" = 13 -a "$(step_of lg2.ckpt.1)" = 12
# the held checkpoint records the output counts of its own step, not of the later steps the run
# wrote before the check failed: a restart continues the same run file
sed "s#^output:#output:\n  checkpoint: {file: lg.ckpt, every: 100, last_good: true}#" "$dm" >ok.yaml
runrc "$sd" run ok.yaml --set n=12 --steps 40 --out lg.h5 --restart lg.ckpt --force --quiet
"$sd" run ok.yaml --set n=12 --steps 40 --out ok40.h5 --quiet
t "... restarted from lg.ckpt (the check dropped, --force) into lg.h5 itself: exit 0, the file bitwise an uninterrupted run's" \
  eval 'test "$(rc)" = 0 && "$sd" compare ok40.h5 lg.h5 --rtol 0 --atol 0 >/dev/null'
# the run file records the graph that continued it (--force): a later restart from that graph's
# checkpoint continues it again, without --force
runrc "$sd" run ok.yaml --set n=12 --steps 50 --out lg.h5 --restart lg.ckpt --quiet
"$sd" run ok.yaml --set n=12 --steps 50 --out ok50.h5 --quiet
t "... and restarted again from the continued run's checkpoint (step 40, no --force): the file bitwise a 50-step run's" \
  eval 'test "$(rc)" = 0 && "$sd" compare ok50.h5 lg.h5 --rtol 0 --atol 0 >/dev/null'

# last_good not given: on when the held copies fit in a quarter of the available memory, else off
# and the summary says why; false: off
sed "s#^checks:#checks:\n  - range: {scalar: energy, min: $lim}#; s#^output:#output:\n  checkpoint: {file: ld.ckpt, every: 100}#" "$dm" >ld.yaml
runrc "$sd" run ld.yaml --set n=12 --steps 40 --out ld.h5 --quiet
# (held while the snapshots' work stays within 5 % of the workers' time: a good step, not always the last)
ks=$(step_of ld.ckpt)
t "last_good not given: the check failing at step 14 leaves ld.ckpt of a good step (1..13: $ks)" \
  test "$(rc)" = 3 -a "${ks:-0}" -ge 1 -a "${ks:-99}" -le 13
rm -f ld.ckpt* ld.h5 ld.xmf ld.log
runrc env STARDAG_MAX_MEMORY=100K "$sd" run ld.yaml --set n=12 --steps 40 --out ld.h5
t "... with 100 KiB available (copies of 270 KiB): none held, none written, the summary says why" \
  sh -c "test $(rc) = 3 && ! test -f ld.ckpt && grep -q 'last good step: not held (copies of the state in flight would take 270 KiB, more than a quarter of the 100 KiB available' '$tmp/out'"
rm -f ld.ckpt* ld.h5 ld.xmf ld.log
sed 's#checkpoint: {file: ld.ckpt, every: 100}#checkpoint: {file: ld.ckpt, every: 100, last_good: false}#' ld.yaml >ldf.yaml
runrc "$sd" run ldf.yaml --set n=12 --steps 40 --out ld.h5 --quiet
t "... last_good: false: none held, none written" test "$(rc)" = 3 -a ! -f ld.ckpt

# ---- run.until: the stopping step's checkpoint; a restart from it runs nothing and leaves the file as it was
sed "s#^run:#run:\n  until: {scalar: energy, below: $lim}#; s#^  scalars: {names: \[energy\], every: 1}#  scalars: {names: [energy], every: 1}\n  fields: {names: [E], every: 5}#" "$dm" >u.yaml
runrc "$sd" run u.yaml --set n=12 --steps 40 --out u.h5 --checkpoint u.ckpt --quiet
t "run.until stops at step 14: exit 0, u.ckpt holds step 14" test "$(rc)" = 0 -a "$(step_of u.ckpt)" = 14
cp u.h5 u0.h5
runrc "$sd" run u.yaml --set n=12 --steps 40 --out u.h5 --restart u.ckpt --checkpoint u2.ckpt --quiet
t "... restarted from it: exit 0, nothing more run, the run file still the same" \
  eval 'test "$(rc)" = 0 && "$sd" compare u0.h5 u.h5 --rtol 0 --atol 0 >/dev/null'

# ---- refusals
"$sd" run "$kg" --set n=12 --steps 10 --checkpoint a.ckpt --out a.h5 --quiet 2>/dev/null
runrc "$sd" run "$top_srcdir/graphs/lattice/damped.yaml" --set n=12 --steps 20 --restart a.ckpt --out x1.h5 --quiet
t "--restart with another graph: exit 2, 'written from another graph'" \
  eval 'test "$(rc)" = 2 && grep -q "a.ckpt: the checkpoint was written from another graph" "$tmp/err"'
runrc "$sd" run "$kg" --set n=12 --set chi0=0.3 --steps 20 --restart a.ckpt --out x2.h5 --quiet
t "... another parameter value (--set): refused the same" eval 'test "$(rc)" = 2 && grep -q "another graph" "$tmp/err"'
runrc "$sd" run "$kg" --set n=12 --set chi0=0.3 --steps 20 --restart a.ckpt --force --out x3.h5 --quiet
t "... with --force (same state layout): a warning, and the run goes on (exit 0)" \
  eval 'test "$(rc)" = 0 && grep -q "warning: --force: restarting from a.ckpt" "$tmp/err" && test -f x3.h5'
runrc "$sd" run "$kg" --set n=14 --steps 20 --restart a.ckpt --force --out x4.h5 --quiet
t "--force with another layout (n = 14): exit 2, 'does not fit'" \
  eval 'test "$(rc)" = 2 && grep -q "state does not fit" "$tmp/err" && ! test -f x4.h5'
runrc "$sd" run "$kg" --set n=12 --steps 5 --restart a.ckpt --out x5.h5 --quiet
t "a checkpoint beyond the run's steps: exit 2" eval 'test "$(rc)" = 2 && grep -q "beyond the run.s 5 steps" "$tmp/err"'
runrc "$sd" run "$kg" --set n=12 --steps 20 --force --out x6.h5 --quiet
t "--force without --restart: a usage error" test "$(rc)" = 2
cp a.ckpt c.ckpt
addr=$(h5ls -va c.ckpt/state/fields/E/1 | sed -n 's/^ *Address: *\([0-9]*\)$/\1/p')
printf '\377' | dd of=c.ckpt bs=1 seek=$((addr + 800)) conv=notrunc 2>/dev/null
runrc "$sd" run "$kg" --set n=12 --steps 20 --restart c.ckpt --out x7.h5 --quiet
t "a flipped byte in /state/fields/E/1: exit 1, a checksum error naming it" \
  eval 'test "$(rc)" = 1 && grep -q "c.ckpt: /state/fields/E/1: checksum mismatch (file corrupt)" "$tmp/err"'
cp a.ckpt d.ckpt
truncate -s $(($(stat -c %s d.ckpt) / 2)) d.ckpt
runrc "$sd" run "$kg" --set n=12 --steps 20 --restart d.ckpt --out x8.h5 --quiet
t "a truncated checkpoint: exit 1, naming it" eval 'test "$(rc)" = 1 && grep -q "d.ckpt" "$tmp/err"'
runrc "$sd" run "$kg" --set n=12 --steps 20 --restart none.ckpt --out x9.h5 --quiet
t "a missing checkpoint: exit 1" eval 'test "$(rc)" = 1 && grep -q "none.ckpt: cannot open" "$tmp/err"'

# ---- SIGTERM: a checkpoint of the last complete step, exit 130; restarting from it equals the uninterrupted run
"$sd" run "$kg" --set n=16 --steps 1000000 --checkpoint s.ckpt --checkpoint-every 300 --out "" --quiet --ncpu 2 2>serr &
pid=$!
i=0
while [ ! -f s.ckpt ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
kill -TERM $pid
wait $pid
src=$?
K=$(step_of s.ckpt)
t "SIGTERM mid-run: exit 130, a checkpoint of step $K" test "$src" = 130 -a -n "$K" -a "${K:-0}" -gt 0 -a ! -f s.ckpt.tmp
grep -q "interrupted at step $K" serr
t "... the step the run says it stopped at" test $? = 0
runrc "$sd" run "$kg" --set n=16 --steps $((K + 7)) --restart s.ckpt --checkpoint sr.ckpt --out "" --quiet --ncpu 1
"$sd" run "$kg" --set n=16 --steps $((K + 7)) --checkpoint su.ckpt --out "" --quiet --ncpu 1
t "... restarted to step $((K + 7)): the final state is bitwise the uninterrupted run's" \
  eval 'test "$(rc)" = 0 && same_state su.ckpt sr.ckpt'

# ---- --walltime
runrc "$sd" run "$kg" --set n=16 --steps 1000000 --checkpoint w.ckpt --out "" --walltime 1.5 --ncpu 2
W=$(step_of w.ckpt)
t "--walltime 1.5: exit 0, a checkpoint of step $W" test "$(rc)" = 0 -a -n "$W" -a "${W:-0}" -gt 0 -a "${W:-0}" -lt 1000000
t "... the summary says the wall time stopped it, and which checkpoint holds it" \
  eval 'grep -q "stopped: --walltime 1.5 s reached" "$tmp/out" && grep -q "checkpoint: w.ckpt holds step $W" "$tmp/out"'
runrc "$sd" run "$kg" --set n=16 --steps 1000000 --out "" --walltime 0:01 --quiet
t "--walltime without a checkpoint file: stops all the same (exit 0)" test "$(rc)" = 0
runrc "$sd" run "$kg" --walltime 1:5 --out ""
t "--walltime 1:5: a usage error (H:MM:SS)" test "$(rc)" = 2
tap_end
