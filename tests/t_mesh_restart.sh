#!/bin/sh
# t_mesh_restart.sh - mesh runs restarted from a checkpoint equal the uninterrupted runs bitwise (the
# final checkpoint's state, every output step after the restart, the exported final mesh), on the
# same and on other partition counts, workers and schedulers: the vesicle minimiser (CG and line-
# search state in fields and scalars), the tilt relaxation (repeat blocks; normals and areas
# computed once by the init ops, their ghosts current from then on), edge fields (edge-relax: rest
# lengths from init, read on other partitions after the restart), and a run.until stop that
# falls after the restart (the restarted run stops at the same step). docs/checkpoint.md, "Meshes".
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/ckpt_lib.sh"
cd "$tmp" || exit 99

ves="$top_srcdir/graphs/membrane/vesicle-bending.yaml --set level=2"
restart_case ves "$ves" 40 20 "--ncpu 1 --tiles 1 --trajectory ves.full.ply" "--ncpu 1 --tiles 1 --trajectory ves.r.ply"
t "ves: the exported final mesh is bitwise the full run's" cmp ves.full.ply ves.r.ply
restart_case ves5 "$ves" 40 20 "--ncpu 1 --tiles 1 --trajectory ves5.full.ply" \
  "--ncpu 2 --tiles 5 --sched lws --trajectory ves5.r.ply"
t "ves5: the exported final mesh (5 partitions after the restart) is bitwise the full run's" cmp ves5.full.ply ves5.r.ply
restart_case ves3 "$ves" 40 20 "--ncpu 2 --tiles 7 --sched dmda --trajectory ves3.full.ply" \
  "--ncpu 2 --tiles 3 --sched eager --trajectory ves3.r.ply"
tilt="$top_srcdir/graphs/membrane/tilt-relax.yaml --set level=2 --set inner=2"
restart_case tilt "$tilt" 10 5 "--ncpu 1 --tiles 1" "--ncpu 2 --tiles 4 --sched lws"
# edge fields: the rest lengths written once by an init op, the lengths and angles each step
edges="$top_srcdir/graphs/membrane/edge-relax.yaml"
restart_case edges "$edges" 40 20 "--ncpu 1 --tiles 1" "--ncpu 2 --tiles 5 --sched lws"

# run.until after the restart: level 1 with a tol below the rounding floor stops by its stall
# condition at step S (~290); checkpoints every 100 steps; the run restarted from step 200 stops at S
# too, with the same outputs, final state and exported mesh
stall="$top_srcdir/graphs/membrane/vesicle-bending.yaml --set level=1 --set tol=1e-9"
runrc "$sd" run $stall --checkpoint st.ckpt --checkpoint-every 100 --out st.full.h5 --trajectory st.full.ply --ncpu 1
S=$(sed -n 's/.*stopped: alpha was below 1e-07 at step \([0-9]*\).*/\1/p' "$tmp/out")
t "until: the uninterrupted run stops at step $S, past 200, with a checkpoint of it" \
  sh -c "test $(rc) = 0 && test '$S' -gt 200 && h5dump -a /step st.ckpt | grep -q '(0): $S\$'"
runrc "$sd" run $stall --restart st.ckpt.1 --checkpoint st.r.ckpt --out st.r.h5 --trajectory st.r.ply --ncpu 2 --tiles 3
t "until: restarted from step 200 on 3 partitions, it stops at step $S too" \
  sh -c "test $(rc) = 0 && grep -q 'stopped: alpha was below 1e-07 at step $S (run.until, any of 2 conditions)' '$tmp/out'"
t "until: ... its final state is the uninterrupted run's" same_state st.ckpt st.r.ckpt
t "until: ... every output step after 200 is the uninterrupted run's" same_outputs st.full.h5 st.r.h5
t "until: ... and so is the exported final mesh" cmp st.full.ply st.r.ply
# restarted from the stopping step's own checkpoint with the run's own files: nothing to run or
# write again, it says where the run stopped, and its files stay the uninterrupted run's
cp st.full.h5 st.keep.h5
cp st.full.ply st.keep.ply
runrc "$sd" run $stall --restart st.ckpt --out st.full.h5 --trajectory st.full.ply
t "until: restarted from the checkpoint of step $S: exit 0, the same stop reported" \
  sh -c "test $(rc) = 0 && grep -q 'stopped: alpha was below 1e-07 at step $S' '$tmp/out'"
runrc "$sd" compare st.keep.h5 st.full.h5
t "until: ... the run file still the uninterrupted run's" sh -c "test $(rc) = 0 && grep -q 'agree (bitwise)' '$tmp/out'"
t "until: ... and so is the exported mesh" cmp st.keep.ply st.full.ply

# the run's own files continued: a 30-step run (fields at 0 and its last step 30, the mesh exported)
# restarted from its step-20 checkpoint to 40 steps into the same run file and export leaves them
# equal to an uninterrupted 40-step run's (step 30's fields removed, /mesh kept, the export rewritten)
runrc "$sd" run $ves --steps 40 --out cu.h5 --trajectory cu.ply --quiet
runrc "$sd" run $ves --steps 30 --out cr.h5 --trajectory cr.ply --checkpoint cr.ckpt --checkpoint-every 10 --quiet
t "continue: a 30-step run with checkpoints every 10 (cr.ckpt.1 at step 20) and its export" \
  sh -c "test $(rc) = 0 && test -f cr.ckpt.1 && test -f cr.ply"
runrc "$sd" run $ves --steps 40 --out cr.h5 --trajectory cr.ply --restart cr.ckpt.1 --ncpu 2 --tiles 4 --quiet
t "continue: restarted from step 20 into the same files (4 partitions): exit 0" test "$(rc)" = 0
runrc "$sd" compare cu.h5 cr.h5
t "continue: the continued run file = the uninterrupted run's, bitwise (fields, scalars, mesh)" \
  sh -c "test $(rc) = 0 && grep -q 'agree (bitwise)' '$tmp/out'"
t "continue: ... step 30's fields are gone" sh -c "! h5ls cr.h5/fields/x | grep -q 00000030"
t "continue: the exported mesh is the uninterrupted run's" cmp cu.ply cr.ply
# killed after its last checkpoint, before the mesh was exported: a restart with no step left exports it
"$sd" run $ves --steps 40 --out ce.h5 --trajectory ce.ply --checkpoint ce.ckpt --quiet >/dev/null 2>&1
rm -f ce.ply
runrc "$sd" run $ves --steps 40 --out ce.h5 --trajectory ce.ply --restart ce.ckpt --quiet
t "restarted from the last step's checkpoint (no step left), the export missing: exit 0, the mesh exported as uninterrupted" \
  sh -c "test $(rc) = 0 && cmp -s cu.ply ce.ply"

# a checkpoint of another mesh: refused before any step runs
runrc "$sd" run "$top_srcdir/graphs/membrane/vesicle-bending.yaml" --set level=3 --force --restart ves.ckpt.1 \
  --out other3.h5 --trajectory other3.ply
t "a level-2 checkpoint into the level-3 graph, even with --force: refused" test "$(rc)" != 0
t "... naming the checkpoint" grep -q "ves.ckpt.1" "$tmp/err"
tap_end
