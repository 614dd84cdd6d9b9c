#!/bin/sh
# t_fuse.sh - fused steps (run.fuse, --fuse; runtime/dm/grid_expand_fuse.c, grid_fused.c): a task
# advances its tile up to K steps on a ghost zone K times wider. Every run must equal the unfused
# run bitwise: any K, tiling (uneven tiles, one tile wrapping in place), worker count and scheduler,
# f32 and f64, 1-D to 3-D, Laplacians of order 2 to 6, fixed and periodic sides, a pointwise op in
# each step, groups ending inside a step (diagnostics), at outputs and checkpoints and at the
# run's end, a restart with another K and tiling, two coupled fields, two ranks; and the refusals.
. "$top_srcdir/tests/tap.sh"
cd "$tmp" || exit 99
g="$top_srcdir/tests/graphs/kg-fuse.yaml"
same() { "$sd" compare "$1" "$2" >/dev/null 2>&1; }
# fused G REF LABEL [OPTIONS...]: a run of G with OPTIONS, bitwise equal to REF
fused() {
  gg=$1 ref=$2 label=$3; shift 3
  runrc "$sd" run "$gg" --out f.h5 -q --overwrite "$@"
  t "$label: $*: bitwise the unfused run" sh -c "test $(rc) = 0 && '$sd' compare '$ref' f.h5"
}

"$sd" run "$g" --out ref.h5 -q
t "kg-fuse (fixed, periodic, fixed sides; scale after the stencil; diagnostics every 6, fields every 12) runs" test $? = 0
ks="2 3 4 7" tilings="auto 8x6x5 23x17x13 5x17x4"
[ "${SD_TEST_SHORT:-0}" = 1 ] && ks="3 7" tilings="auto 5x17x4"
for k in $ks; do
  for tl in $tilings; do
    if [ "$tl" = auto ]; then fused "$g" ref.h5 kg-fuse --fuse "$k"; else fused "$g" ref.h5 kg-fuse --fuse "$k" --tiles "$tl"; fi
  done
done
fused "$g" ref.h5 kg-fuse --fuse 4 --tiles 8x6x5 --ncpu 1
fused "$g" ref.h5 kg-fuse --fuse 4 --tiles 8x6x5 --sched dmdas
t "the summary says how the steps were fused" sh -c \
  "'$sd' run '$g' --fuse 4 --tiles 8x6x5 --out s.h5 | grep -q '^  fused steps: up to 4 steps per task (ghost width 4); [0-9]* groups of tasks'"

# wider stencils (order 4, 6: halo 2, 3), f32, fewer axes
for o in 4 6; do
  "$sd" run "$g" --set order=$o --set dt=0.1 --out ref$o.h5 -q
  fused "$g" ref$o.h5 "order $o" --set order=$o --set dt=0.1 --fuse 3 --tiles 9x7x7
done
sed 's/f64/f32/g' "$g" >f32.yaml
"$sd" run f32.yaml --out ref32.h5 -q
fused f32.yaml ref32.h5 f32 --fuse 4 --tiles 8x6x5
sed 's/shape: \[nx, ny, nz\]/shape: [nx, ny]/; s/boundary: \[fixed, periodic, fixed\]/boundary: [fixed, periodic]/' "$g" >d2.yaml
"$sd" run d2.yaml --out ref2.h5 -q
fused d2.yaml ref2.h5 2-D --fuse 5 --tiles 8x6
sed 's/shape: \[nx, ny, nz\]/shape: [nx]/; s/boundary: \[fixed, periodic, fixed\]/boundary: [fixed]/; s/, ky: 0.3//' "$g" >d1.yaml
"$sd" run d1.yaml --out ref1.h5 -q
fused d1.yaml ref1.h5 1-D --fuse 5 --tiles 6

# intermediate fields written and read inside a group, an op due every 3rd step
gc="$top_srcdir/tests/graphs/kg-fuse-copies.yaml"
"$sd" run "$gc" --out refc.h5 -q
for k in 2 5; do fused "$gc" refc.h5 kg-fuse-copies --fuse $k --tiles 8x6x5; done

# pointwise ops only, on a grid with a fixed side: groups that never grow their tiles (fields with no
# ghost zone at all)
cat >pointwise.yaml <<'YAML'
name: pointwise-only
domain: {grid: {shape: [33, 17], spacing: 1, boundary: [periodic, fixed], boundary_value: 0.25}}
fields: {u: {components: 2}, v: {components: 2}}
init:
  - op: common.noise
    write: {out: u}
    params: {seed: 3}
step:
  - op: common.scale
    readwrite: {x: u}
    params: {a: 0.9}
  - op: common.copy
    read: {in: u}
    write: {out: v}
output: {file: pw.h5, fields: {names: [u, v], every: 2}}
run: {steps: 7, dt: 1}
YAML
"$sd" run pointwise.yaml --out refp.h5 -q
fused pointwise.yaml refp.h5 pointwise-only --fuse 3 --tiles 17x17

# two coupled fields (E drives chi, chi E), diagnostics every 5 steps, fields every 25
cc="$top_srcdir/graphs/lattice/coupled-chi.yaml"
"$sd" run "$cc" --set n=24 --steps 30 --out refcc.h5 -q
fused "$cc" refcc.h5 coupled-chi --set n=24 --steps 30 --fuse 4 --tiles 12x8x24

# a checkpoint of a fused run, continued with another K and tiling: bitwise the uninterrupted run
mkdir rs && (cd rs && "$sd" run "$g" --steps 20 --fuse 3 --tiles 8x6x5 --checkpoint ck.h5 --checkpoint-every 10 \
  --out run.h5 -q && "$sd" run "$g" --fuse 5 --restart ck.h5 --checkpoint ck.h5 --out run.h5 -q)
t "a fused run checkpointed at step 20 and restarted with --fuse 5 on other tiles" test $? = 0
t "... its run file bitwise the uninterrupted unfused run's" same ref.h5 rs/run.h5

# two ranks (StarPU-MPI moves the wide faces). Under AddressSanitizer leak checks go off for mpirun's
# processes, as in t_mpi.sh: OpenMPI's dlclosed MCA plugins leave allocations no suppression can name.
if command -v mpirun >/dev/null 2>&1 && "$sd" --version | grep -q "MPI yes"; then
  runrc env ASAN_OPTIONS="$(printf '%s' "${ASAN_OPTIONS:-}" | sed 's/detect_leaks=1/detect_leaks=0/')" \
    timeout 300 mpirun --allow-run-as-root --oversubscribe -np 2 -x STARPU_HOME -x STARPU_WORKERS_NOBIND \
    -x STARPU_SILENT -x STARDAG_FSYNC -x ASAN_OPTIONS -x STARPU_NCPU=1 "$sd" run "$g" --fuse 3 --tiles 8x6x5 --out m.h5 -q
  t "mpirun -np 2 --fuse 3: bitwise the plain unfused run" sh -c "test $(rc) = 0 && '$sd' compare ref.h5 m.h5"
else
  skip "mpirun or StarPU-MPI missing"
fi

# refusals
runrc "$sd" run "$top_srcdir/tests/graphs/kg-walls.yaml" --fuse 2 --out w.h5
t "--fuse on a grid with a reflective side: exit 2" test "$(rc)" = 2
t "... saying which axis and why" grep -q "fused steps need periodic or fixed boundaries (axis 0 is reflective: its ghosts change every step)" err
sed 's/^  steps: 400$/  steps: 400\n  fuse: 2/' "$top_srcdir/tests/graphs/kg-walls.yaml" >walls.yaml
runrc "$sd" run walls.yaml --out w.h5
t "run.fuse: 2 there: exit 2, naming the file and line" sh -c "test $(rc) = 2 && grep -q '^walls.yaml:[0-9]*:[0-9]*: fuse: fused steps need periodic or fixed boundaries' '$tmp/err'"
sed 's/^  steps: 40$/  steps: 40\n  fuse: 0/' "$g" >zero.yaml
runrc "$sd" run zero.yaml --out z.h5
t "run.fuse: 0: exit 2 at its line" sh -c "test $(rc) = 2 && grep -q '^zero.yaml:[0-9]*:[0-9]*: .*fuse' '$tmp/err'"
for v in 0 65 x; do
  runrc "$sd" run "$g" --fuse $v --out z.h5
  t "--fuse $v: exit 2 with the usage" sh -c "test $(rc) = 2 && grep -q -- '--fuse expects an integer from 1 to 64' '$tmp/err'"
done
md="$top_srcdir/tests/data/md-lj.yaml"
runrc "$sd" run "$g" --fuse 2 --arch cuda --out z.h5
t "--fuse with --arch cuda: exit 2, fused tasks run on CPU workers" sh -c "test $(rc) = 2 && grep -q 'run on CPU workers' '$tmp/err'"
runrc "$sd" run "$md" --fuse 2 --steps 2 --out md.h5
t "--fuse on particles: exit 2, saying fused steps are for grids" sh -c "test $(rc) = 2 && grep -q 'fused steps (temporal blocking) are for grids' '$tmp/err'"
cat >noise.yaml <<'YAML'
name: noise-only
domain: {grid: {shape: [12, 10], spacing: 1}}
fields: {u: {}}
step:
  - op: common.noise
    write: {out: u}
    params: {seed: 3}
run: {steps: 4, dt: 1}
YAML
runrc "$sd" run noise.yaml --fuse 3 --out n.h5
t "--fuse where no step op can be fused: the run goes on, unfused, and says so" \
  sh -c "test $(rc) = 0 && grep -q 'fused steps: none (fuse 3 was asked, but no step op can be fused' '$tmp/out'"
tap_end
