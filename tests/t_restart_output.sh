#!/bin/sh
# t_restart_output.sh - a restarted run continues its files (runtime/driver/run_files.c): a run of 250
# steps with checkpoints every 100, restarted from its step-200 checkpoint to 300 steps, leaves a run
# file equal (bitwise, `stardag compare`) to an uninterrupted 300-step run's, with the same XDMF
# sidecar; the existing run file, sidecar and log are continued (not refused, not moved aside, no
# --overwrite needed), the log keeps the first run's lines and says "restarted from CKPT at step
# 200"; `stardag inspect` counts the restart. A restart whose run file lacks output the checkpoint
# counts is refused naming the file, and leaves it as it was.
g="$top_srcdir/graphs/lattice/kg-packet.yaml"
. "$top_srcdir/tests/tap.sh"

runrc "$sd" run "$g" --set n=16 --steps 300 --out "$tmp/u.h5" --quiet
t "an uninterrupted 300-step run" test "$(rc)" = 0
runrc "$sd" run "$g" --set n=16 --steps 250 --out "$tmp/r.h5" --checkpoint "$tmp/c.h5" --checkpoint-every 100 --quiet
t "a 250-step run with checkpoints every 100 (c.h5 at 250, c.h5.1 at 200)" sh -c "test $(rc) = 0 && test -f '$tmp/c.h5.1'"
cp "$tmp/r.h5" "$tmp/r250.h5"
cp "$tmp/r.xmf" "$tmp/r250.xmf"
runrc "$sd" run "$g" --set n=16 --steps 300 --out "$tmp/r.h5" --restart "$tmp/c.h5.1" --quiet
t "restarted from step 200 with its files in place: exit 0, nothing refused" sh -c "test $(rc) = 0 && ! grep -q 'exists' '$tmp/err'"
runrc "$sd" compare "$tmp/u.h5" "$tmp/r.h5"
t "the continued run file = the uninterrupted run's (bitwise)" sh -c "test $(rc) = 0 && grep -q 'agree (bitwise)' '$tmp/out'"
t "its sidecar too (up to the file's name)" sh -c "sed 's/u\.h5/r.h5/g' '$tmp/u.xmf' | cmp -s - '$tmp/r.xmf'"
t "nothing was moved aside" sh -c "! ls '$tmp'/*.replaced >/dev/null 2>&1"
t "the log kept the first run's lines" grep -q "step 250/250" "$tmp/r.log"
t "the log says where the run picked up" grep -q "^restarted from $tmp/c.h5.1 at step 200$" "$tmp/r.log"
t "the log ends with the restarted run's exit status" sh -c "test \"\$(tail -n 1 '$tmp/r.log')\" = 'exit status 0' && test \$(grep -c '^exit status' '$tmp/r.log') = 2"
runrc "$sd" inspect "$tmp/r.h5"
t "inspect: one restart, at step 200; status completed, 300 steps" sh -c "grep -q 'restarts: 1 (the last continued it at step 200)' '$tmp/out' && grep -q 'status: completed, 300 steps done' '$tmp/out'"

# a finished run's output of its last step, off the fields' cadence (250): a run continued past it
# drops it (the uninterrupted 300-step run has none), one with no steps left keeps it
cp "$tmp/r250.h5" "$tmp/e.h5"
runrc "$sd" run "$g" --set n=16 --steps 300 --out "$tmp/e.h5" --restart "$tmp/c.h5" --quiet
runrc "$sd" compare "$tmp/u.h5" "$tmp/e.h5"
t "continued from the finished run's last step (250) to 300: = the uninterrupted run's file (no output at 250)" \
  sh -c "test $(rc) = 0 && grep -q 'agree (bitwise)' '$tmp/out'"
# the same restart again on that file (as after one killed before its first checkpoint: step 250's
# output already dropped): accepted, and the file ends the same
runrc "$sd" run "$g" --set n=16 --steps 300 --out "$tmp/e.h5" --restart "$tmp/c.h5" --quiet
runrc "$sd" compare "$tmp/u.h5" "$tmp/e.h5"
t "... the same restart again on the continued file (250's output gone already): = the uninterrupted run's file" \
  sh -c "test $(rc) = 0 && grep -q 'agree (bitwise)' '$tmp/out'"
# that file (continued past 250, 250's output gone) restarted from 250 with no steps left: it
# writes 250's output again and ends as the 250-step run's file
runrc "$sd" run "$g" --set n=16 --steps 250 --out "$tmp/e.h5" --restart "$tmp/c.h5" --quiet
runrc "$sd" compare "$tmp/r250.h5" "$tmp/e.h5"
t "... restarted at 250 again with no steps left: 250's output written again, = the 250-step run's file" \
  sh -c "test $(rc) = 0 && grep -q 'agree (bitwise)' '$tmp/out'"
t "... its sidecar too" sh -c "sed 's/r\\.h5/e.h5/g' '$tmp/r250.xmf' | cmp -s - '$tmp/e.xmf'"
cp "$tmp/r250.h5" "$tmp/e.h5"
runrc "$sd" run "$g" --set n=16 --steps 250 --out "$tmp/e.h5" --restart "$tmp/c.h5" --quiet
runrc "$sd" compare "$tmp/r250.h5" "$tmp/e.h5"
t "... restarted with no steps left: the file keeps its output of step 250 (= the 250-step run's)" \
  sh -c "test $(rc) = 0 && grep -q 'agree (bitwise)' '$tmp/out'"

# the run file of a 150-step run (last output step 100) cannot be continued from a step-200 checkpoint
runrc "$sd" run "$g" --set n=16 --steps 150 --out "$tmp/short.h5" --quiet
cp "$tmp/short.h5" "$tmp/short0.h5"
runrc "$sd" run "$g" --set n=16 --steps 300 --out "$tmp/short.h5" --restart "$tmp/c.h5.1" --quiet
t "a run file missing output the checkpoint counts: exit 1, refused naming it" sh -c "test $(rc) = 1 && grep -q 'short.h5: cannot continue it at step 200: .*before the checkpoint.s step' '$tmp/err'"
t "... and left as it was" cmp -s "$tmp/short.h5" "$tmp/short0.h5"
rm -rf "$tmp"
tap_end
