#!/bin/sh
# t_trace.sh - what a run records about itself: the Chrome/Perfetto trace (--trace), the /run
# table in the output file, the per-architecture summary, and the --arch/--ncuda options.
g="$top_srcdir/graphs/lattice/kg-packet.yaml"
. "$top_srcdir/tests/tap.sh"

# CPU workers only (--arch cpu): the checks below count CPU tasks and expect no transfers, also
# where a GPU exists (the GPU runs are further down)
runrc "$sd" run "$g" --set n=32 --steps 20 --tiles 32x32x8 --ncpu 2 --arch cpu --out "$tmp/r.h5" --trace "$tmp/t.json"
t "a traced run: exit 0" test "$(rc)" = 0
t "the summary names the trace file" grep -q "trace: $tmp/t.json" "$tmp/out"
t "the summary has a per-architecture codelet table" grep -q "codelet *arch *tasks" "$tmp/out"
t "the leapfrog ran on the CPU, 4 tiles x 20 steps" grep -q "lattice.kg_leapfrog *cpu *80 " "$tmp/out"
t "one memory node: no transfers" grep -q "transfers: none" "$tmp/out"
tasks=$(sed -n 's/.* \([0-9]*\) tasks, .*/\1/p' "$tmp/out")
t "the summary counts tasks" test -n "$tasks"

# The trace is valid JSON; every submitted task is in it once; tasks on one worker never
# overlap (StarPU's records, not guesses); names, steps and tiles are filled in.
cat >"$tmp/check.py" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
ev = d["traceEvents"]
names = {e["tid"]: e["args"]["name"] for e in ev if e.get("ph") == "M" and e["name"] == "thread_name"}
tasks = [e for e in ev if e.get("cat") == "task"]
assert names and all(e["tid"] in names for e in tasks), "every task is on a named worker"
assert len(tasks) == int(sys.argv[2]), "trace has %d tasks, run submitted %s" % (len(tasks), sys.argv[2])
lf = [e for e in tasks if e["name"] == "lattice.kg_leapfrog"]
assert len(lf) == 80 and {e["args"]["tile"] for e in lf} == {0, 1, 2, 3}, "leapfrog on 4 tiles"
assert {e["args"]["step"] for e in lf} == set(range(1, 21)), "leapfrog steps 1..20"
assert all(e["ts"] >= 0 and e["dur"] >= 0 and e["args"]["arch"] == "cpu" for e in tasks)
for w in names:
    mine = sorted((e["ts"], e["ts"] + e["dur"]) for e in tasks if e["tid"] == w)
    for a, b in zip(mine, mine[1:]):
        assert b[0] >= a[1] - 1e-3, "overlapping tasks on worker %d" % w
print("trace ok: %d tasks on %d workers" % (len(tasks), len(names)))
PY
if command -v python3 >/dev/null; then
  t "trace: valid JSON, every task once, no overlap per worker" python3 "$tmp/check.py" "$tmp/t.json" "$tasks"
else
  skip "python3 not installed (scripts/setup.sh test installs it)"
fi
t "trace: one event per line" sh -c "grep -c '\"cat\":\"task\"' '$tmp/t.json' | grep -qx '$tasks'"

# /run in the output file: codelet x arch rows whose task counts add up to the run's tasks
h5dump -d /run/codelet_tasks "$tmp/r.h5" >"$tmp/tasks.txt" 2>&1
t "/run/codelet_tasks exists" grep -q "DATASET \"/run/codelet_tasks\"" "$tmp/tasks.txt"
sum=$(sed -n '/DATA {/,/}/p' "$tmp/tasks.txt" | sed 's/([0-9]*)://g' | tr -c '0-9\n' ' ' | awk '{for (i = 1; i <= NF; i++) s += $i} END {print s}')
t "/run task counts add up to the run's ($sum = $tasks)" test "$sum" = "$tasks"
t "/run names the codelets and architectures" sh -c "h5dump -d /run/codelet_name '$tmp/r.h5' | grep -q 'lattice.kg_leapfrog' && h5dump -d /run/codelet_arch '$tmp/r.h5' | grep -q '\"cpu\"'"
t "/run has worker busy times and the wall time" sh -c "h5dump -d /run/worker_busy_seconds -d /run/wall_seconds '$tmp/r.h5' >/dev/null"

# a trace in a missing folder: refused before the run (exit 1 naming it), nothing written
runrc "$sd" run "$g" --set n=16 --steps 5 --out "$tmp/r2.h5" --trace "$tmp/nodir/t.json" --quiet
t "unwritable trace: exit 1 naming it" sh -c "test $(rc) = 1 && grep -q 'nodir/t.json: cannot create the trace there' '$tmp/err'"
t "unwritable trace: refused before the run (no output file)" test ! -e "$tmp/r2.h5"

# architectures
runrc "$sd" run "$g" --set n=16 --steps 5 --out "" --arch gpu
t "--arch with a bad value: exit 2" sh -c "test $(rc) = 2 && grep -q \"expects any, cpu or cuda, got 'gpu'\" '$tmp/err'"
runrc "$sd" run "$g" --set n=16 --steps 5 --out "" --arch cpu --quiet
t "--arch cpu runs (exit 0)" test "$(rc)" = 0
# --arch cuda: what must happen follows from how stardag was built and whether a device exists.
# StarPU's CUDA support is what --version reports; stardag's own CUDA kernels (SD_HAVE_CUDA) need
# it and nvcc as well; devices are counted by nvidia-smi (else /dev/nvidiaN), the run sees all
# of them (CUDA_VISIBLE_DEVICES and STARPU_NCUDA unset).
starpu_cuda=no
"$sd" --version | grep -q "; CUDA yes;" && starpu_cuda=yes
built_cuda=no
grep -q '^#define SD_HAVE_CUDA 1' "$top_builddir/config.h" && built_cuda=yes
t "stardag is built with CUDA only if StarPU has it (built: $built_cuda, StarPU: $starpu_cuda)" \
  sh -c "test $built_cuda = no || test $starpu_cuda = yes"
if command -v nvidia-smi >/dev/null 2>&1; then
  ndev=$(nvidia-smi -L 2>/dev/null | grep -c '^GPU [0-9]')
else
  ndev=$(ls /dev 2>/dev/null | grep -c '^nvidia[0-9][0-9]*$')
fi
runrc env -u CUDA_VISIBLE_DEVICES -u STARPU_NCUDA "$sd" run "$g" --set n=16 --steps 5 --out "" --arch cuda --quiet \
  --trace "$tmp/cuda.json"
if [ $built_cuda = yes ] && [ "$ndev" -gt 0 ]; then
  t "--arch cuda with CUDA and $ndev device(s): exit 0" test "$(rc)" = 0
  cat >"$tmp/cuda.py" <<'PY'
import json, sys
ev = json.load(open(sys.argv[1]))["traceEvents"]
names = {e["tid"]: e["args"]["name"] for e in ev if e.get("ph") == "M" and e["name"] == "thread_name"}
tasks = [e for e in ev if e.get("cat") == "task"]
cuda = [e for e in tasks if e["args"]["arch"] == "cuda"]
assert cuda, "no task ran on a CUDA worker"
assert all(names[e["tid"]].startswith("CUDA") for e in cuda), "a cuda task on a worker not named CUDA"
lf = [e for e in tasks if e["name"] == "lattice.kg_leapfrog"]
assert lf and all(e["args"]["arch"] == "cuda" for e in lf), "--arch cuda: every leapfrog on a CUDA worker"
print("cuda trace ok: %d of %d tasks on CUDA workers" % (len(cuda), len(tasks)))
PY
  if command -v python3 >/dev/null; then
    t "--arch cuda: the trace has the leapfrog tasks on CUDA workers only" python3 "$tmp/cuda.py" "$tmp/cuda.json"
  else
    t "--arch cuda: the trace has tasks on a CUDA worker" grep -q '"arch":"cuda"' "$tmp/cuda.json"
  fi
else
  why="built with CUDA: $built_cuda, StarPU CUDA: $starpu_cuda, devices: $ndev"
  t "--arch cuda without a usable CUDA device ($why): exit 1" test "$(rc)" = 1
  t "--arch cuda without a usable CUDA device: the message says why" grep -q \
    "kg-packet.yaml: a CUDA-only run needs a CUDA device, and none is available (stardag built with CUDA: $built_cuda)\$" "$tmp/err"
  t "--arch cuda without a usable CUDA device: nothing ran, no trace written" sh -c "! test -e '$tmp/cuda.json' && test \$(wc -l < '$tmp/err') = 1"
fi
tap_end
