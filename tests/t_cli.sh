#!/bin/sh
# t_cli.sh - the command line: exit statuses, messages, check failures, SIGINT, dot, codelets.
g="$top_srcdir/graphs/lattice/kg-packet.yaml"
. "$top_srcdir/tests/tap.sh"

runrc "$sd" --version
t "--version names stardag and StarPU" grep -q "^stardag .*(StarPU 1\.3\.[0-9]*; CUDA \(yes\|no\); FxT \(yes\|no\); MPI \(yes\|no\))" "$tmp/out"
# every command answers --help and -h with its own usage on stdout, exit 0
for c in run check dot codelets verify compare calibrate report; do
  for h in --help -h; do
    runrc "$sd" $c $h
    t "$c $h: its usage on stdout, exit 0, nothing on stderr" sh -c "test $(rc) = 0 && grep -q '^usage: stardag $c\\b' '$tmp/out' && ! test -s '$tmp/err'"
  done
done
runrc "$sd" run "$g" --steps 5 --help
t "run FILE --steps 5 --help: the usage, exit 0 (nothing runs)" sh -c "test $(rc) = 0 && grep -q '^usage: stardag run ' '$tmp/out' && ! grep -q 'stardag: kg-packet:' '$tmp/out'"
runrc "$sd" --help
t "stardag --help: the overview names every command" sh -c "test $(rc) = 0 && grep -q 'stardag report' '$tmp/out' && grep -q 'COMMAND --help' '$tmp/out'"
runrc "$sd" codelets extra
t "codelets with an argument: exit 2" sh -c "test $(rc) = 2 && grep -q \"codelets takes no arguments, got 'extra'\" '$tmp/err'"

# an unknown scheduler is refused before StarPU starts, listing StarPU's own names
runrc "$sd" run "$g" --set n=16 --steps 2 --out "" --sched foo
t "--sched foo: exit 2" test "$(rc)" = 2
t "--sched foo: says so and where it came from" grep -q "unknown scheduler 'foo' (from --sched)" "$tmp/err"
t "--sched foo: lists the valid names (from StarPU)" sh -c "grep -q 'lws' '$tmp/err' && grep -q 'dmdas' '$tmp/err' && grep -q 'eager' '$tmp/err'"
t "--sched foo: StarPU never started (no run, no StarPU warning)" sh -c "! grep -q 'stardag: kg-packet:' '$tmp/out' && ! grep -qi 'warning' '$tmp/err'"
runrc env STARPU_SCHED=bogus "$sd" run "$g" --set n=16 --steps 2 --out ""
t "STARPU_SCHED=bogus: exit 2 naming the environment" sh -c "test $(rc) = 2 && grep -q \"unknown scheduler 'bogus' (from STARPU_SCHED in the environment)\" '$tmp/err'"
runrc env STARPU_SCHED=bogus "$sd" run "$g" --set n=16 --steps 2 --out "" --sched eager
t "--sched eager wins over STARPU_SCHED=bogus" sh -c "test $(rc) = 0 && grep -q 'sched eager' '$tmp/out'"

runrc "$sd" check "$g"
t "check accepts the demo graph (exit 0)" test "$(rc)" = 0
t "check says what it loaded" grep -q "kg-packet.yaml: ok (3D grid, 2 fields" "$tmp/out"
printf 'domain:\n  grid: {shape: [8], spacing: 1}\nrun: {stpes: 3, dt: 0.1}\n' >"$tmp/bad.yaml"
runrc "$sd" check "$tmp/bad.yaml"
t "a malformed graph: exit 2" test "$(rc)" = 2
t "the message is file:line:col with a suggestion" grep -q "bad.yaml:3:7: unknown key 'stpes' in run (did you mean 'steps'?)" "$tmp/err"
runrc "$sd" run "$tmp/missing.yaml"
t "a missing file: exit 2 naming it" sh -c "test $(rc) = 2 && grep -q 'missing.yaml' '$tmp/err'"
runrc "$sd" run "$g" --frobnicate 3
t "an unknown option: exit 2" sh -c "test $(rc) = 2 && grep -q \"unknown option '--frobnicate'\" '$tmp/err'"
runrc "$sd" run "$g" --tiles 0x4
t "a bad --tiles value: exit 2" test "$(rc)" = 2
runrc "$sd" codelets
t "codelets lists lattice.kg_leapfrog with its halo" grep -q "E *read *field, halo 1" "$tmp/out"
t "codelets lists common.fill" grep -q "^common.fill" "$tmp/out"
if "$sd" --version | grep -q "CUDA yes"; then
  t "codelets: the leapfrog has a bitwise CUDA twin" grep -q "^lattice.kg_leapfrog  \[stencil; cpu, cuda bitwise\]" "$tmp/out"
else
  t "codelets: CPU-only build lists cpu implementations" grep -q "^lattice.kg_leapfrog  \[stencil; cpu\]" "$tmp/out"
fi
runrc "$sd" dot "$g" --set n=32 --tiles 32x32x8
t "dot: exit 0" test "$(rc)" = 0
t "dot: a digraph with leapfrog tasks on 4 tiles" grep -q 'lattice.kg_leapfrog\\ntile 3' "$tmp/out"
t "dot: halo exchange feeds the stencil" grep -q "halo unpack E" "$tmp/out"
t "dot: has dependency edges" grep -q " -> " "$tmp/out"
t "dot: by default the first step where every op runs (lcm of every 10 and 50)" grep -q 'label="kg-packet: step 50 of 300 (every op runs), 4 tiles"' "$tmp/out"
t "dot: the every-10 ops and the every-50 finite check appear" sh -c "grep -q 'lattice.energy' '$tmp/out' && grep -q 'common.count_nonfinite' '$tmp/out'"
runrc "$sd" dot "$g" --set n=32 --tiles 32x32x8 --step 1
t "dot --step 1: the label names the step and the ops not due" grep -q 'label="kg-packet: step 1 of 300 (not due: lattice.energy (every 10), common.max_abs (every 10), common.count_nonfinite (every 50)), 4 tiles"' "$tmp/out"
t "dot --step 1: no energy task" sh -c "! grep -q 'lattice.energy.ntile' '$tmp/out'"
runrc "$sd" dot "$g" --set n=32 --tiles 32x32x8 --step 20
t "dot --step 20: energy but no finite-check task" sh -c "grep -q 'lattice.energy.ntile' '$tmp/out' && ! grep -q 'count_nonfinite.ntile' '$tmp/out'"
runrc "$sd" dot "$g" --step 301
t "dot --step beyond the run: exit 2" sh -c "test $(rc) = 2 && grep -q 'step 301 is beyond the run' '$tmp/err'"
runrc "$sd" dot "$g" --step 0
t "dot --step 0: exit 2" test "$(rc)" = 2
runrc "$sd" dot "$g" --set n=32 --tiles 32x32x8 --steps 400 --step 350
t "dot --steps 400 --step 350: a step past the graph's 300 within the run asked for" grep -q 'label="kg-packet: step 350 of 400 (every op runs), 4 tiles"' "$tmp/out"
runrc "$sd" run "$g" --step 3
t "--step is dot's option: run refuses it (exit 2)" sh -c "test $(rc) = 2 && grep -q \"unknown option '--step'\" '$tmp/err'"
runrc "$sd" dot "$top_srcdir/graphs/md/lj-liquid.yaml"
t "dot on a particle graph: a clear refusal (exit 2)" sh -c "test $(rc) = 2 && grep -q 'dot draws grid graphs' '$tmp/err'"

# a blow-up stops the run with exit 3 and a message naming the step; completed output stays readable
runrc "$sd" run "$top_srcdir/tests/graphs/blowup.yaml" --out "$tmp/blowup.h5" --quiet
t "NaN blow-up: exit 3" test "$(rc)" = 3
t "NaN blow-up: the finite check names field and step" grep -q "check finite(E) failed at step [0-9]*: [0-9]* non-finite values in field E" "$tmp/err"
t "NaN blow-up: output file is readable" h5ls -r "$tmp/blowup.h5"
t "NaN blow-up: the first field steps are there" sh -c "h5ls -r '$tmp/blowup.h5' | grep -q '/fields/E/00000020'"

# a drift check that cannot hold fails with exit 3
runrc "$sd" run "$g" --set n=16 --set width=2 --set chi0=0.5 --steps 20 --out "" --quiet
t "energy drift within 1e-10 on a short run (exit 0)" test "$(rc)" = 0

# a full disk (a file-size limit): a clear error, exit 1, the committed steps stay readable
sh -c "ulimit -f 2000; exec '$sd' run '$g' --set n=32 --steps 3000 --out '$tmp/full.h5' --quiet" >"$tmp/out" 2>"$tmp/err"
echo $? >"$tmp/rc"
t "file-size limit reached: exit 1" test "$(rc)" = 1
t "file-size limit reached: the message names the file and the reason" grep -q "full.h5: .*File too large" "$tmp/err"
t "file-size limit reached: the file opens and holds committed field steps" sh -c "h5ls -r '$tmp/full.h5' | grep -q '/fields/E/00000100'"

# SIGINT: stop submitting, drain, write what is complete, exit 130
"$sd" run "$g" --set n=48 --steps 100000000 --out "$tmp/int.h5" >"$tmp/out" 2>"$tmp/err" &
pid=$!
i=0
while [ $i -lt 100 ] && ! [ -s "$tmp/int.h5" ]; do sleep 0.1; i=$((i + 1)); done
sleep 1
kill -INT $pid
wait $pid
echo $? >"$tmp/rc"
t "SIGINT: exit 130" test "$(rc)" = 130
t "SIGINT: says it was interrupted" grep -q "interrupted at step" "$tmp/err"
t "SIGINT: the summary is printed" grep -q "stardag: kg-packet:" "$tmp/out"
t "SIGINT: the output file is readable" h5ls -r "$tmp/int.h5"
t "SIGINT: the initial field is in it" sh -c "h5ls -r '$tmp/int.h5' | grep -q '/fields/E/00000000'"

runrc "$sd" dot "$g" --step 0
t "dot --step 0: exit 2 with dot's own usage" sh -c "test $(rc) = 2 && grep -q '^usage: stardag dot FILE' '$tmp/err'"

# --tiles the domain cannot make: a usage error (exit 2) before anything runs, as in the graph
md="$top_srcdir/graphs/md/lj-liquid.yaml"
runrc "$sd" run "$md" --set cells=5 --steps 2 --ncpu 1 --out "" --tiles 2x2x2
t "particles, --tiles 2x2x2: exit 2, a number of blocks expected" sh -c "test $(rc) = 2 && grep -q 'a particle domain takes a number of blocks (--tiles N), not a shape' '$tmp/err'"
runrc "$sd" run "$md" --set cells=5 --steps 2 --ncpu 1 --out "" --tiles 1000
t "particles, --tiles 1000 on 2x2x2 cells: exit 2" sh -c "test $(rc) = 2 && grep -q 'no brick grid of 1000 blocks fits' '$tmp/err'"
runrc "$sd" check "$md" --set cells=5 --tiles 1000
t "check with the same --tiles: exit 2" test "$(rc)" = 2
sed 's/^init:/tiles: 1000\ninit:/' "$md" >"$tmp/ljt.yaml"
runrc "$sd" check "$tmp/ljt.yaml" --set cells=5
t "particles, tiles: 1000 in the graph: refused at load with its line" sh -c "test $(rc) = 2 && grep -q 'ljt.yaml:[0-9]*:8: 1000 blocks asked for' '$tmp/err'"
runrc "$sd" run "$top_srcdir/graphs/membrane/vesicle-bending.yaml" --steps 2 --ncpu 1 --out "" --tiles 700
t "mesh, --tiles 700 for 642 vertices: exit 2" sh -c "test $(rc) = 2 && grep -q '700 mesh partitions for 642 vertices' '$tmp/err'"
sed 's/^step:/tiles: 700\nstep:/' "$top_srcdir/graphs/membrane/vesicle-bending.yaml" >"$tmp/vb700.yaml"
runrc "$sd" check "$tmp/vb700.yaml"
t "mesh, tiles: 700 in the graph: refused at load with its line" sh -c "test $(rc) = 2 && grep -q 'vb700.yaml:[0-9]*:8: tiles asks for 700 partitions of a mesh of 642 vertices' '$tmp/err'"

# no worker left: --ncpu 0 (or STARPU_NCPU=0) where no CUDA worker can start is a usage error (exit
# 2) naming the option; without CUDA in StarPU it is refused before any file is made. A machine
# with a GPU runs such a run on it: not checked there.
gpus=0
if command -v nvidia-smi >/dev/null 2>&1; then gpus=$(nvidia-smi -L 2>/dev/null | grep -c '^GPU [0-9]'); fi
[ "$gpus" -gt 0 ] 2>/dev/null || gpus=$(ls /dev/nvidia[0-9]* 2>/dev/null | wc -l)
if [ "$gpus" = 0 ]; then
  runrc "$sd" run "$g" --set n=16 --steps 2 --ncpu 0 --out "$tmp/n0.h5"
  t "--ncpu 0 without a CUDA worker: exit 2 naming --ncpu 0" sh -c "test $(rc) = 2 && grep -q -- '--ncpu 0' '$tmp/err' && grep -q 'no worker' '$tmp/err'"
  if ! "$sd" --version | grep -q "CUDA yes"; then
    t "... before any file is made (no run file, no log)" sh -c "! test -e '$tmp/n0.h5' && ! test -e '$tmp/n0.log'"
  fi
  runrc env STARPU_NCPU=0 "$sd" run "$g" --set n=16 --steps 2 --out ""
  t "STARPU_NCPU=0 likewise: exit 2 naming it" sh -c "test $(rc) = 2 && grep -q 'STARPU_NCPU=0' '$tmp/err'"
else
  skip "a GPU is here: --ncpu 0 runs on it"
  skip "a GPU is here: STARPU_NCPU=0 runs on it"
fi
runrc env STARPU_NCPU=0 "$sd" run "$g" --set n=16 --steps 2 --ncpu 1 --out ""
t "... and --ncpu 1 overrides it" test "$(rc)" = 0

# an unknown option or a second file is named as such (not "needs a value")
runrc "$sd" calibrate "$g" --ncpu 1 --bogus
t "calibrate --bogus: exit 2, unknown option" sh -c "test $(rc) = 2 && grep -q \"unknown option '--bogus'\" '$tmp/err'"
runrc "$sd" predict "$g" extra
t "predict FILE extra: exit 2, unexpected argument" sh -c "test $(rc) = 2 && grep -q \"unexpected argument 'extra'\" '$tmp/err'"
runrc "$sd" compare a.h5 b.h5 --bogus
t "compare --bogus: exit 2, unknown option" sh -c "test $(rc) = 2 && grep -q \"unknown option '--bogus'\" '$tmp/err'"
runrc "$sd" tune "$g" --steps
t "tune --steps without its value: exit 2, needs a value" sh -c "test $(rc) = 2 && grep -q 'option --steps needs a value' '$tmp/err'"

runrc "$sd" codelets extra
t "codelets extra: exit 2 with codelets' own usage" sh -c "test $(rc) = 2 && grep -q '^usage: stardag codelets' '$tmp/err'"

# files checked before the run: a trace or an output in a missing folder is named as such, and a
# run refused at start leaves no log that would block the corrected command
runrc "$sd" run "$g" --set n=16 --steps 2 --ncpu 1 --out "$tmp/late.h5" --trace "$tmp/nodir/t.json"
t "--trace in a missing folder: exit 1 before the run (no output file)" \
  sh -c "test $(rc) = 1 && grep -q 'nodir/t.json: cannot create the trace there: its folder' '$tmp/err' && ! test -e '$tmp/late.h5'"
runrc "$sd" run "$g" --set n=16 --steps 2 --ncpu 1 --out "$tmp/nodir/a.h5"
t "--out in a missing folder: the output file is named (not the log beside it)" grep -q 'nodir/a.h5: cannot create the output file there' "$tmp/err"
runrc "$sd" run "$g" --set n=16 --steps 2 --ncpu 1 --out "$tmp/retry.h5" --sched nosuch
runrc "$sd" run "$g" --set n=16 --steps 2 --ncpu 1 --out "$tmp/retry.h5"
t "a run refused at start (--sched nosuch) leaves no log: the corrected one runs" sh -c "test $(rc) = 0 && test -f '$tmp/retry.log'"

tap_end
