#!/bin/sh
# t_calibrate.sh - `stardag calibrate` on CPU workers: every model the graph uses reaches the
# sample count, is printed with its file, and a second calibration reuses the stored models.
g="$top_srcdir/graphs/lattice/kg-packet.yaml"
. "$top_srcdir/tests/tap.sh"
# the calibration files go to $STARPU_HOME/.starpu (the harness gives each test its own)
[ -n "$STARPU_HOME" ] || { STARPU_HOME=$tmp; export STARPU_HOME; }
# two tiles: the init ops add 2 samples per round, so a first calibration takes several rounds
args="--set n=16 --tiles 16x16x8 --steps 10 --ncpu 2"

runrc "$sd" calibrate "$g" $args
cp "$tmp/out" "$tmp/cal1"
t "calibrate: exit 0" test "$(rc)" = 0
t "calibrate: says how many rounds it ran and that every entry has enough samples" \
  grep -q "^stardag calibrate: kg-packet: [0-9]* rounds\? of 10 steps, sched dmda: every entry has enough samples" "$tmp/cal1"
for m in lattice.kg_leapfrog lattice.gaussian_packet lattice.energy common.fill common.max_abs halo_pack halo_unpack combine; do
  t "calibrate: lists model stardag.$m with its file" sh -c "grep -A1 '^model stardag.$m\$' '$tmp/cal1' | grep -q '^  file /'"
done
t "calibrate: an op that never runs in 10 steps is named as such" \
  sh -c "grep -A1 '^model stardag.common.count_nonfinite' '$tmp/cal1' | grep -q 'no task of it runs'"
t "calibrate: tables have size, footprint, mean, stddev and samples columns" \
  grep -q "size *footprint *mean (us) *stddev (us) *samples" "$tmp/cal1"
t "calibrate: tables are per architecture" grep -q "^  arch cpu" "$tmp/cal1"
# rows: SIZE FOOTPRINT MEAN STDDEV SAMPLES
awk '/^    +[0-9]+ +[0-9a-f]+ +[0-9.]+ +[0-9.]+ +[0-9]+/{ rows++; if ($5 < 10 || $6 == "short") bad++ } END { exit !(rows >= 8 && !bad) }' "$tmp/cal1"
echo $? >"$tmp/rc"
t "calibrate: every entry has >= 10 samples" test "$(rc)" = 0
files=$(sed -n 's/^  file //p' "$tmp/cal1")
ok=1
for f in $files; do [ -s "$f" ] || ok=0; done
t "calibrate: every model file exists" test $ok = 1 -a -n "$files"
t "calibrate: the files are under STARPU_HOME" sh -c "sed -n 's/^  file //p' '$tmp/cal1' | grep -qv '^$STARPU_HOME/.starpu/sampling/'; test \$? = 1"
r1=$(sed -n 's/^stardag calibrate: kg-packet: \([0-9]*\) round.*/\1/p' "$tmp/cal1")

runrc "$sd" calibrate "$g" $args
r2=$(sed -n 's/^stardag calibrate: kg-packet: \([0-9]*\) round.*/\1/p' "$tmp/out")
t "a second calibration: exit 0" test "$(rc)" = 0
t "a second calibration reuses the models: fewer rounds ($r2 < $r1)" test "${r2:-99}" -lt "${r1:-0}"
runrc "$sd" calibrate "$g" $args --min-samples 5
t "--min-samples 5 after calibrating to 10: one round" grep -q "kg-packet: 1 round of 10 steps" "$tmp/out"

runrc "$sd" calibrate "$g" $args --sched lws
t "a scheduler without models is refused: exit 2" test "$(rc)" = 2
t "the refusal names the scheduler and what is expected" grep -q "scheduler 'lws' uses no performance models.*model-based" "$tmp/err"
runrc "$sd" calibrate "$g" $args --sched eager
t "eager is refused too" test "$(rc)" = 2
runrc "$sd" calibrate "$g" $args --sched dmdas --min-samples 2 --max-rounds 3
t "dmdas is accepted" test "$(rc)" = 0
printf 'domain:\n  grid: {shape: [8], spacing: 1}\nrun: {stpes: 3, dt: 0.1}\n' >"$tmp/bad.yaml"
runrc "$sd" calibrate "$tmp/bad.yaml"
t "a malformed graph: exit 2 with the located message" sh -c "test $(rc) = 2 && grep -q 'bad.yaml:3:7:' '$tmp/err'"
runrc "$sd" calibrate "$g" --min-samples 0
t "--min-samples 0: exit 2" test "$(rc)" = 2

# a particle graph in mixed precision keeps models of its own (its pair kernels are others): the
# same codelets' symbols with .mixed, which the double graph does not touch
sed 's/^\(    neighbor: .*\)$/\1\n    precision: mixed/' "$top_srcdir/tests/data/md-lj.yaml" >"$tmp/md-mixed.yaml"
md="--set cells=4 --set drift_tol=1 --steps 10 --ncpu 2 --min-samples 2 --max-rounds 2"
# shellcheck disable=SC2086
runrc "$sd" calibrate "$tmp/md-mixed.yaml" $md
cp "$tmp/out" "$tmp/calm"
t "calibrate, mixed-precision particles: exit 0" test "$(rc)" = 0
t "calibrate, mixed precision: lists model stardag.md.lj_force.mixed with its file" \
  sh -c "grep -A1 '^model stardag.md.lj_force.mixed\$' '$tmp/calm' | grep -q '^  file /.*stardag.md.lj_force.mixed\$'"
t "calibrate, mixed precision: no model without .mixed among the graph's ops" \
  sh -c "! grep -q '^model stardag.md.lj_force\$' '$tmp/calm'"
# shellcheck disable=SC2086
runrc "$sd" calibrate "$top_srcdir/tests/data/md-lj.yaml" $md
t "calibrate, double precision: model stardag.md.lj_force, as before" grep -q '^model stardag.md.lj_force$' "$tmp/out"

tap_end
