#!/bin/sh
# t_ckpt_particles_run.sh - checkpoint/restart of particle graphs through `stardag run` (docs/checkpoint.md,
# Particles): a run restarted from a checkpoint of step K (--restart) continues exactly as the
# uninterrupted run, bitwise: the scalar rows and trajectory frames after K, the H5MD observables,
# and the final checkpoint's state (every field, the last neighbour-list build's positions, the
# expansion's state, the scalars), also on other block counts, worker counts and schedulers.
# lj-liquid (neighbour lists rebuilt every 20 steps, no check: K at a rebuild step and between),
# argon-nvt (a check every step, Berendsen), md-lj (a trajectory and thermo every 10 steps, K between
# frames); a SIGTERM mid-run (exit 130, a checkpoint of the last complete step) then a restart; the
# trajectory of the interrupted run continued in place (frames after K dropped, then appended).
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/ckpt_lib.sh" # same_state: bitwise, by checksums
lj="$top_srcdir/graphs/md/lj-liquid.yaml"
argon="$top_srcdir/graphs/md/argon-nvt.yaml"
mdlj="$top_srcdir/tests/data/md-lj.yaml"
cd "$tmp" || exit 1

# the values of an HDF5 dataset, one per line, full precision (exact for doubles)
vals() { h5dump -m %.17g -y -w 0 -d "$2" "$1" | sed -n '/DATA {/,/}/p' | sed '1d;$d' | tr ',' '\n' | sed 's/ //g;/^$/d'; }
# "step value" rows of a series (step dataset $2, values $3 of file $1) after step $4
after() { vals "$1" "$2" >"$tmp/s.txt" && vals "$1" "$3" >"$tmp/v.txt" && paste -d' ' "$tmp/s.txt" "$tmp/v.txt" | awk -v k="$4" '$1 > k'; }
# same_rows A B STEPS VALUES K: the rows after K of A are B's (and there are some)
same_rows() { after "$1" "$3" "$4" "$5" >"$tmp/ra" && after "$2" "$3" "$4" "$5" >"$tmp/rb" && test -s "$tmp/ra" && cmp -s "$tmp/ra" "$tmp/rb"; }
# every scalar of the run files, and (with a 6th argument) every observable of the trajectories
same_series() { # A.h5 B.h5 K names... ; observables: same_obs A.h5md B.h5md K names...
  s_a=$1; s_b=$2; s_k=$3; shift 3
  for s_s in "$@"; do same_rows "$s_a" "$s_b" /scalars/step "/scalars/$s_s" "$s_k" || return 1; done
}
same_obs() {
  s_a=$1; s_b=$2; s_k=$3; shift 3
  for s_s in "$@"; do same_rows "$s_a" "$s_b" "/observables/$s_s/step" "/observables/$s_s/value" "$s_k" || return 1
                      same_rows "$s_a" "$s_b" "/observables/$s_s/step" "/observables/$s_s/time" "$s_k" || return 1; done
}
# the raw bytes of the position and velocity frames of steps > K of trajectory $1 into $3.*
frames_after() {
  vals "$1" /particles/trajectory/position/step | awk -v k="$2" '$1 > k' >"$3.steps"
  f_first=$(vals "$1" /particles/trajectory/position/step | awk -v k="$2" '$1 > k {print NR - 1; exit}')
  f_n=$(wc -l <"$3.steps")
  f_np=$(h5dump -H -d /particles/trajectory/position/value "$1" | sed -n 's/.*SIMPLE { ( [0-9]*, \([0-9]*\), 3 ).*/\1/p')
  test -n "$f_first" -a "$f_n" -gt 0 -a -n "$f_np" || return 1
  for f_w in position velocity; do
    h5dump -d "/particles/trajectory/$f_w/value" -s "$f_first,0,0" -c "$f_n,$f_np,3" -b NATIVE -o "$3.$f_w" "$1" >/dev/null 2>&1 ||
      return 1
  done
}
same_frames() { # A.h5md B.h5md K: B's frames after K are A's, bitwise
  frames_after "$1" "$3" "$tmp/fa" && frames_after "$2" "$3" "$tmp/fb" && cmp -s "$tmp/fa.steps" "$tmp/fb.steps" &&
    cmp -s "$tmp/fa.position" "$tmp/fb.position" && cmp -s "$tmp/fa.velocity" "$tmp/fb.velocity"
}
ckstep() { h5dump -a /step "$1" 2>/dev/null | sed -n 's/.*(0): //p'; }

# 1. lj-liquid, 864 atoms, 100 steps, thermo at 0, 50, 100; lists rebuilt at 20, 40, 60, 80, 100.
# Checkpoints every 30 (the one before the last: step 90, between rebuilds) and every 40 (80: a
# rebuild step); each restarted on other blocks, workers and schedulers.
"$sd" run "$lj" --set cells=6 --steps 100 --out ljA.h5 --checkpoint ljA.ckpt --checkpoint-every 30 --quiet >/dev/null 2>&1
"$sd" run "$lj" --set cells=6 --steps 100 --out ljA2.h5 --checkpoint ljA2.ckpt --checkpoint-every 40 --quiet >/dev/null 2>&1
t "lj-liquid: checkpoints of steps 90 and 100 (every 30, keep 2), and 80 (every 40)" \
  test "$(ckstep ljA.ckpt.1)" = 90 -a "$(ckstep ljA.ckpt)" = 100 -a "$(ckstep ljA2.ckpt.1)" = 80
for r in "ljA.ckpt.1 90 3 2 ws" "ljA2.ckpt.1 80 1 1 eager" "ljA2.ckpt.1 80 2 2 random"; do
  set -- $r
  runrc "$sd" run "$lj" --set cells=6 --steps 100 --restart "$1" --out "ljB$2-$3.h5" --checkpoint "ljB$2-$3.ckpt" \
    --tiles "$3" --ncpu "$4" --sched "$5"
  t "lj-liquid restarted from step $2 ($3 blocks, $4 CPUs, $5): runs" test "$(rc)" = 0
  t "lj-liquid from step $2: the thermo rows after it == the uninterrupted run's, bitwise" \
    same_series ljA.h5 "ljB$2-$3.h5" "$2" temp epair etotal press
  t "lj-liquid from step $2: the state at step 100 == the uninterrupted run's (x, v, f, x0, expansion, scalars)" \
    same_state ljA.ckpt "ljB$2-$3.ckpt"
done
t "lj-liquid: the restart says so and counts the rebuilds of the whole run (5 + the first)" \
  grep -q "6 neighbour-list rebuilds" "$tmp/out"

# 2. argon-nvt, 500 atoms (a displacement check every step, Berendsen), 320 steps, thermo and
# trajectory every 100 and the last step: restarted from step 240 with another trajectory file.
"$sd" run "$argon" --set cells=5 --steps 320 --out arA.h5 --trajectory arA.h5md --checkpoint arA.ckpt \
  --checkpoint-every 120 --quiet >/dev/null 2>&1
t "argon-nvt: checkpoint of step 240" test "$(ckstep arA.ckpt.1)" = 240
runrc "$sd" run "$argon" --set cells=5 --steps 320 --restart arA.ckpt.1 --out arB.h5 --trajectory arB.h5md \
  --checkpoint arB.ckpt --tiles 2 --ncpu 2 --sched lws
t "argon-nvt restarted from step 240 (2 blocks, 2 CPUs, lws): runs" test "$(rc)" = 0
t "argon-nvt: thermo rows after 240 == uninterrupted" same_series arA.h5 arB.h5 240 temp epot etotal press
t "argon-nvt: trajectory frames after 240 (300, 320: positions, velocities) == uninterrupted, bitwise" \
  same_frames arA.h5md arB.h5md 240
t "argon-nvt: H5MD observables after 240 == uninterrupted" same_obs arA.h5md arB.h5md 240 temp epot etotal press
t "argon-nvt: the state at step 320 == uninterrupted" same_state arA.ckpt arB.ckpt

# 3. md-lj (864 atoms, a check every step): thermo, observables and frames every 10 steps; K = 35,
# between frames; restarted into new files, then continuing the interrupted run's own trajectory.
"$sd" run "$mdlj" --set cells=6 --set drift_tol=1 --steps 60 --out mA.h5 --trajectory mA.h5md --checkpoint mA.ckpt \
  --checkpoint-every 35 --quiet >/dev/null 2>&1
t "md-lj: checkpoint of step 35" test "$(ckstep mA.ckpt.1)" = 35
runrc "$sd" run "$mdlj" --set cells=6 --set drift_tol=1 --steps 60 --restart mA.ckpt.1 --out mB.h5 \
  --trajectory mB.h5md --checkpoint mB.ckpt --tiles 3 --ncpu 2 --sched eager
t "md-lj restarted from step 35 (3 blocks, 2 CPUs, eager): runs" test "$(rc)" = 0
t "md-lj: thermo rows 40..60 == uninterrupted" same_series mA.h5 mB.h5 35 temp epair etotal press
t "md-lj: frames 40, 50, 60 == uninterrupted, bitwise" same_frames mA.h5md mB.h5md 35
t "md-lj: observables 40..60 == uninterrupted" same_obs mA.h5md mB.h5md 35 temp epair etotal press ke
t "md-lj: the state at step 60 == uninterrupted" same_state mA.ckpt mB.ckpt
t "md-lj: a new trajectory on a restart holds the frames after the checkpoint only (40, 50, 60)" \
  test "$(vals mB.h5md /particles/trajectory/position/step | tr '\n' ' ')" = "40 50 60 "

# the interrupted run's own files, continued in place: a copy of mA's outputs (frames and rows up
# to 60) restarted from 35 must end as mA's, every dataset
cp mA.h5 mC.h5 && cp mA.h5md mC.h5md
runrc "$sd" run "$mdlj" --set cells=6 --set drift_tol=1 --steps 60 --restart mA.ckpt.1 --out mC.h5 --trajectory mC.h5md \
  --checkpoint mC.ckpt --tiles 2
t "md-lj restarted from 35 on its own (complete) outputs: runs" test "$(rc)" = 0
t "md-lj: the continued trajectory == the uninterrupted one, every dataset (h5diff)" h5diff mA.h5md mC.h5md
t "md-lj: frame steps 0..60 once each" \
  test "$(vals mC.h5md /particles/trajectory/position/step | tr '\n' ' ')" = "0 10 20 30 40 50 60 "
cp mA.h5 mD.h5 && cp arA.h5md mD.h5md
runrc "$sd" run "$mdlj" --set cells=6 --set drift_tol=1 --steps 60 --restart mA.ckpt.1 --out mD.h5 \
  --trajectory mD.h5md --checkpoint mD.ckpt
t "md-lj: continuing another run's trajectory (argon, 500 particles) is refused, naming it, and leaves it as it was" \
  sh -c "test $(rc) = 1 && grep -q 'mD.h5md: cannot continue the trajectory at step 35: it was written from another graph' '$tmp/err' && h5diff arA.h5md mD.h5md"

# a trajectory of the same system written by another graph (another --set): refused, left as it was
"$sd" run "$mdlj" --set cells=6 --set drift_tol=2 --steps 60 --out mF.h5 --trajectory mF.h5md --quiet >/dev/null 2>&1
cp mF.h5md mF0.h5md
runrc "$sd" run "$mdlj" --set cells=6 --set drift_tol=1 --steps 60 --restart mA.ckpt.1 --out mF2.h5 --trajectory mF.h5md
t "md-lj: continuing a trajectory another graph wrote (drift_tol=2) is refused, naming it, and leaves it as it was" \
  sh -c "test $(rc) = 1 && grep -q 'mF.h5md: cannot continue the trajectory at step 35: it was written from another graph' '$tmp/err' && h5diff mF0.h5md mF.h5md"

# a finished run's last frame off the cadence (35): continued past it, the trajectory drops it (= the
# uninterrupted 60-step run's); restarted with no steps left, it keeps it
"$sd" run "$mdlj" --set cells=6 --set drift_tol=1 --steps 35 --out mE.h5 --trajectory mE.h5md --checkpoint mE.ckpt \
  --quiet >/dev/null 2>&1
runrc "$sd" run "$mdlj" --set cells=6 --set drift_tol=1 --steps 35 --restart mE.ckpt --out mE.h5 --trajectory mE.h5md
frames=$(vals mE.h5md /particles/trajectory/position/step | tr '\n' ' ')
t "md-lj finished at 35 (its last frame off the cadence), restarted with no steps left: frames 0..30 and 35 kept" \
  test "$(rc)" = 0 -a "$frames" = "0 10 20 30 35 "
runrc "$sd" run "$mdlj" --set cells=6 --set drift_tol=1 --steps 60 --restart mE.ckpt --out mE.h5 --trajectory mE.h5md
t "... continued from 35 to 60: its frame 35 goes, the trajectory == the uninterrupted run's (h5diff)" \
  sh -c "test $(rc) = 0 && h5diff mA.h5md mE.h5md"

# 4. SIGTERM mid-run: stop submitting, finish the steps in flight, a checkpoint of the last one,
# exit 130; restarted, the run continues as an uninterrupted run of the same length.
"$sd" run "$mdlj" --set cells=6 --set drift_tol=1 --set thermo=10 --steps 200000 --out sA.h5 --trajectory sA.h5md \
  --checkpoint sA.ckpt >"$tmp/sout" 2>"$tmp/serr" &
pid=$!
i=0 # the thermo table's row of step 200 (flushed as printed): the step loop runs
while [ $i -lt 300 ] && ! awk '$1 == 200 { f = 1 } END { exit !f }' "$tmp/sout" 2>/dev/null; do sleep 0.1; i=$((i + 1)); done
kill -TERM $pid
wait $pid
src=$?
K=$(ckstep sA.ckpt)
t "SIGTERM: exit 130 and a checkpoint of the last complete step (step ${K:-none})" test "$src" = 130 -a "${K:-0}" -gt 0
M=$((${K:-0} + 25))
"$sd" run "$mdlj" --set cells=6 --set drift_tol=1 --steps "$M" --out sU.h5 --trajectory sU.h5md --checkpoint sU.ckpt \
  --quiet >/dev/null 2>&1
runrc "$sd" run "$mdlj" --set cells=6 --set drift_tol=1 --steps "$M" --restart sA.ckpt --out sR.h5 --trajectory sR.h5md \
  --checkpoint sR.ckpt --tiles 2 --ncpu 2
t "restarted from the SIGTERM checkpoint to step $M: runs" test "$(rc)" = 0
t "after SIGTERM: thermo rows after $K == an uninterrupted run of $M steps" same_series sU.h5 sR.h5 "$K" temp etotal
t "after SIGTERM: frames after $K == uninterrupted, bitwise" same_frames sU.h5md sR.h5md "$K"
t "after SIGTERM: the state at step $M == uninterrupted" same_state sU.ckpt sR.ckpt
last=$(vals sA.h5md /particles/trajectory/position/step | tail -n 1)
t "the interrupted trajectory ends at its last frame <= $K (step ${last:-none}), status interrupted" \
  sh -c "test '${last:-x}' -le '$K' && h5dump -a /status sA.h5md | grep -q interrupted"
tap_end
