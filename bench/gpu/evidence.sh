#!/bin/sh
# bench/gpu/evidence.sh - what the project asks of a real GPU, in one command, on a machine with
# the NVIDIA driver and a bundle made by scripts/gpu-bundle.sh (default ./_gpu). Run it from the
# repository root; results go to $OUT (default ./gpu-evidence):
#   1. the device (nvidia-smi) and stardag --version;
#   2. the TAP tests with the bundle's binaries (CUDA tests run instead of skipping), JOBS at a
#      time, and stardag verify (every codelet CPU vs CUDA through StarPU) beside them;
#   3. a whole graph CPU-only and GPU-only, outputs compared bitwise (stardag compare);
#   4. molecular dynamics: lj-liquid CPU-only vs GPU-only compared bitwise;
#   5. a hybrid run with a trace, and its charts (stardag report);
#   6. the lattice benchmark: CPU, GPU, hybrid (bench/lattice/gpu.sh);
#   7. MD atom-steps per second CPU-only, GPU-only and hybrid.
# Device time is lent by the minute, so every part has a time limit and the parts come in order of
# importance: a part cut short says so in its verdict line and the rest still run. It keeps going
# after a failure and ends with one line per part (summary.txt).
# Environment (defaults: everything, as long as it takes):
#   TESTS      test names to run (t_cuda_kernels t_verify.sh ...; default all)   JOBS (nproc)
#   EXCLUDE    test names not to run
#   SD_TEST_TIMEOUT  seconds per test (600)          PART_S  seconds per other part (900)
#   REPS, SIZES      passed to bench/lattice/gpu.sh  MD_CELLS ("40 80")  MD_REPS (3)
top=$(pwd)
B=$(cd "${BUNDLE:-_gpu}" && pwd) || { echo "evidence: no bundle (scripts/gpu-bundle.sh makes one)" >&2; exit 2; }
OUT=${OUT:-$top/gpu-evidence}
JOBS=${JOBS:-$(nproc)}
PART_S=${PART_S:-900}
mkdir -p "$OUT/tests"
OUT=$(cd "$OUT" && pwd)
# the bundle's libraries, then CUDA 13's own (cudart, cuBLAS, ...: not bundled)
cuda=${CUDA_HOME:-/usr/local/cuda}
LD_LIBRARY_PATH=$B/lib:$cuda/lib64:$cuda/targets/x86_64-linux/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
export LD_LIBRARY_PATH
# the bundle's HDF5 tools: the test scripts call h5dump, h5ls, ...
PATH=$B/bin:$PATH; export PATH
if ldd "$B/stardag" | grep -q "not found"; then
  echo "evidence: libraries missing for $B/stardag:" >&2; ldd "$B/stardag" | grep "not found" >&2; exit 2
fi
STARPU_HOME=$(mktemp -d); export STARPU_HOME STARPU_WORKERS_NOBIND=1 STARPU_SILENT=1
sd=$B/stardag
say() { echo "$1" >>"$OUT/summary.txt"; echo "== $1"; }
cutnote() { [ "$1" -eq 124 ] && echo " (CUT SHORT at its time limit)"; }
: >"$OUT/summary.txt"

nvidia-smi >"$OUT/device.txt" 2>&1; cat "$OUT/device.txt"
"$sd" --version | tee -a "$OUT/device.txt"
lscpu 2>/dev/null | grep -E "^(Model name|CPU\(s\)|L[123])" >>"$OUT/device.txt"

# 2. the tests, each through the project's harness as make check runs it, and verify beside them
# the tests make check runs (the bundle's tests.list), the scripts first: they run longest
all=$(for t in $(grep '\.sh$' "$B/tests.list") $(grep -v '\.sh$' "$B/tests.list"); do
  case $t in *.sh) echo "$top/$t" ;; *) echo "$B/$t" ;; esac
done)
if [ -n "${TESTS:-}" ]; then
  all=$(for t in $all; do for w in $TESTS; do [ "$(basename "$t")" = "$w" ] && echo "$t"; done; done)
fi
if [ -n "${EXCLUDE:-}" ]; then
  all=$(for t in $all; do case " $EXCLUDE " in *" $(basename "$t") "*) ;; *) echo "$t" ;; esac; done)
fi
( "$sd" verify >"$OUT/verify.txt" 2>&1; echo $? >"$OUT/verify.rc" ) &
vpid=$!
t0=$(date +%s)
echo "$all" | xargs -P "$JOBS" -I{} sh -c 'top_srcdir=$1 top_builddir=$2 sh "$1/tests/harness.sh" "$3" >"$4/tests/$(basename "$3").out" 2>&1; echo $? >"$4/tests/$(basename "$3").rc"' _ "$top" "$B" {} "$OUT"
pass=0 fail=0 skip=0 failed=""
for t in $all; do
  o=$OUT/tests/$(basename "$t").out rc=$(cat "$OUT/tests/$(basename "$t").rc" 2>/dev/null || echo 99)
  ok=$(grep -c '^ok ' "$o"); sk=$(grep -c '# SKIP' "$o"); no=$(grep -c '^not ok' "$o")
  pass=$((pass + ok - $(grep -c '^ok .*# SKIP' "$o"))); skip=$((skip + sk)); fail=$((fail + no))
  [ "$no" -gt 0 ] && failed="$failed $(basename "$t")"
  if [ "$rc" -ne 0 ] && [ "$no" -eq 0 ]; then fail=$((fail + 1)); failed="$failed $(basename "$t")(exit $rc)"; fi
done
say "tests: $pass passed, $fail failed, $skip skipped in $(( $(date +%s) - t0 )) s${failed:+; failing:$failed} (tests/*.out)"
wait $vpid
say "verify: exit $(cat "$OUT/verify.rc") ($(tail -n 1 "$OUT/verify.txt"))"

# 3. CPU-only vs GPU-only, the whole demo graph (reduced), bitwise
g=$top/graphs/lattice/kg-packet.yaml
timeout "$PART_S" "$sd" run "$g" --set n=96 --steps 100 --arch cpu --out "$OUT/cpu.h5" >"$OUT/cpu.txt" 2>&1
timeout "$PART_S" "$sd" run "$g" --set n=96 --steps 100 --arch cuda --ncpu 1 --out "$OUT/cuda.h5" >"$OUT/cuda.txt" 2>&1
rc=$?
"$sd" compare "$OUT/cpu.h5" "$OUT/cuda.h5" >"$OUT/compare.txt" 2>&1
cmp=$?
say "CPU-only vs GPU-only kg-packet n=96, 100 steps: GPU run exit $rc$(cutnote $rc), compare exit $cmp ($(tail -n 1 "$OUT/compare.txt"))"

# 4. molecular dynamics: the thermo of a CPU-only and a GPU-only run must agree bitwise (forces
# in a fixed lane order, exact sums)
md=$top/graphs/md/lj-liquid.yaml
timeout "$PART_S" "$sd" run "$md" --arch cpu --out "$OUT/md-cpu.h5" >"$OUT/md-cpu.txt" 2>&1
timeout "$PART_S" "$sd" run "$md" --arch cuda --out "$OUT/md-cuda.h5" >"$OUT/md-cuda.txt" 2>&1
rc=$?
"$sd" compare "$OUT/md-cpu.h5" "$OUT/md-cuda.h5" >"$OUT/md-compare.txt" 2>&1
cmp=$?
say "MD lj-liquid CPU-only vs GPU-only: GPU run exit $rc$(cutnote $rc), compare exit $cmp ($(tail -n 1 "$OUT/md-compare.txt"))"

# 5. hybrid with a trace, and its charts
timeout "$PART_S" "$sd" calibrate "$g" --set n=192 >"$OUT/calibrate.txt" 2>&1
timeout "$PART_S" "$sd" run "$g" --set n=192 --steps 100 --out "$OUT/hybrid.h5" --trace "$OUT/hybrid.json" >"$OUT/hybrid.txt" 2>&1
rc=$?
"$sd" report "$OUT/hybrid.h5" --trace "$OUT/hybrid.json" --out "$OUT" >>"$OUT/hybrid.txt" 2>&1
say "hybrid run with trace: exit $rc$(cutnote $rc); $(grep -E 'workers' "$OUT/hybrid.txt" | head -n 1)"

# 6. the lattice benchmark
BUILDDIR="$B" REPS="${REPS:-3}" timeout "$PART_S" sh "$top/bench/lattice/gpu.sh" >"$OUT/bench.txt" 2>&1
rc=$?
say "bench/lattice/gpu.sh: exit $rc$(cutnote $rc) (bench.txt)"
cat "$OUT/bench.txt"

# 7. MD throughput (cells 40 = 256k atoms, 80 = 2M)
: >"$OUT/md-bench.txt"
rc=0
timeout "$PART_S" "$sd" calibrate "$md" --set cells="$(echo "${MD_CELLS:-40 80}" | cut -d' ' -f1)" >"$OUT/md-calibrate.txt" 2>&1 || rc=$?
for cells in ${MD_CELLS:-40 80}; do
  for r in $(seq 1 "${MD_REPS:-3}"); do
    for arch in cpu cuda any; do
      [ $rc -eq 124 ] && break
      timeout "$PART_S" "$sd" run "$md" --set cells="$cells" --arch $arch --out "" >"$OUT/md.out" 2>&1 || rc=$?
      grep -E "atom-steps/s" "$OUT/md.out" | sed "s/^/cells=$cells arch=$arch rep=$r: /" >>"$OUT/md-bench.txt"
    done
  done
done
say "MD throughput (cells ${MD_CELLS:-40 80}; cpu/cuda/any): last exit $rc$(cutnote $rc) (md-bench.txt)"
cat "$OUT/md-bench.txt"
cat "$OUT/summary.txt"
