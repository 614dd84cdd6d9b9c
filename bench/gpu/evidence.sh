#!/bin/sh
# bench/gpu/evidence.sh - everything issue 3 asks of a real GPU, in one command, on a machine with
# the NVIDIA driver and a bundle made by scripts/gpu-bundle.sh (default ./_gpu). Run it from the
# repository root; results go to $OUT (default ./gpu-evidence):
#   1. the device (nvidia-smi);
#   2. the whole TAP suite with the bundle's binaries (CUDA tests run instead of skipping);
#   3. stardag verify: every codelet CPU vs CUDA through StarPU;
#   4. a whole graph CPU-only and GPU-only, outputs compared bitwise (stardag compare);
#   5. a hybrid run with a trace, and its charts (stardag report);
#   6. the lattice benchmark at 256^3 and 512^3: CPU, GPU, hybrid (bench/lattice/gpu.sh);
#   7. molecular dynamics (issue 4): lj-liquid CPU-only vs GPU-only compared, and atom-steps per
#      second at 256k and 2M atoms CPU-only, GPU-only and hybrid.
# It keeps going after a failure and ends with one line per part.
top=$(pwd)
B=$(cd "${BUNDLE:-_gpu}" && pwd) || { echo "evidence: no bundle (scripts/gpu-bundle.sh makes one)" >&2; exit 2; }
OUT=${OUT:-$top/gpu-evidence}
mkdir -p "$OUT"
# the bundle's libraries, then CUDA 13's own (cudart, cuBLAS, ...: not bundled)
cuda=${CUDA_HOME:-/usr/local/cuda}
LD_LIBRARY_PATH=$B/lib:$cuda/lib64:$cuda/targets/x86_64-linux/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
export LD_LIBRARY_PATH
if ldd "$B/stardag" | grep -q "not found"; then
  echo "evidence: libraries missing for $B/stardag:" >&2; ldd "$B/stardag" | grep "not found" >&2; exit 2
fi
STARPU_HOME=$(mktemp -d); export STARPU_HOME STARPU_WORKERS_NOBIND=1 STARPU_SILENT=1
sd=$B/stardag
verdicts=""
say() { verdicts="$verdicts$1
"; echo "== $1"; }

nvidia-smi >"$OUT/device.txt" 2>&1; cat "$OUT/device.txt"
"$sd" --version | tee -a "$OUT/device.txt"

# 2. the TAP suite, each test through the project's harness, as make check runs it
pass=0 fail=0 skip=0
: >"$OUT/tests.log"
for t in "$B"/tests/t_* "$top"/tests/t_*.sh; do
  [ -f "$t" ] || continue
  echo "## $t" >>"$OUT/tests.log"
  top_srcdir=$top top_builddir=$B sh "$top/tests/harness.sh" "$t" >"$OUT/t.out" 2>&1
  rc=$?
  cat "$OUT/t.out" >>"$OUT/tests.log"
  ok=$(grep -c '^ok ' "$OUT/t.out"); sk=$(grep -c '# SKIP' "$OUT/t.out"); no=$(grep -c '^not ok' "$OUT/t.out")
  pass=$((pass + ok - $(grep -c '^ok .*# SKIP' "$OUT/t.out"))); skip=$((skip + sk)); fail=$((fail + no))
  if [ $rc -ne 0 ] && [ "$no" -eq 0 ]; then fail=$((fail + 1)); echo "not ok - $t exited $rc" >>"$OUT/tests.log"; fi
done
say "tests: $pass passed, $fail failed, $skip skipped (log: tests.log)"

# 3. verify
"$sd" verify >"$OUT/verify.txt" 2>&1
say "verify: exit $? ($(tail -n 1 "$OUT/verify.txt"))"

# 4. CPU-only vs GPU-only, the whole demo graph (reduced), bitwise
g=$top/graphs/lattice/kg-packet.yaml
"$sd" run "$g" --set n=96 --steps 100 --arch cpu --out "$OUT/cpu.h5" >"$OUT/cpu.txt" 2>&1
"$sd" run "$g" --set n=96 --steps 100 --arch cuda --ncpu 1 --out "$OUT/cuda.h5" >"$OUT/cuda.txt" 2>&1
"$sd" compare "$OUT/cpu.h5" "$OUT/cuda.h5" >"$OUT/compare.txt" 2>&1
say "CPU-only vs GPU-only kg-packet n=96, 100 steps: exit $? ($(tail -n 1 "$OUT/compare.txt"))"

# 5. hybrid with a trace, and its charts
"$sd" calibrate "$g" --set n=192 >"$OUT/calibrate.txt" 2>&1
"$sd" run "$g" --set n=192 --steps 100 --out "$OUT/hybrid.h5" --trace "$OUT/hybrid.json" >"$OUT/hybrid.txt" 2>&1
rc=$?
"$sd" report "$OUT/hybrid.h5" --trace "$OUT/hybrid.json" --out "$OUT" >>"$OUT/hybrid.txt" 2>&1
say "hybrid run with trace: exit $rc; $(grep -E 'workers' "$OUT/hybrid.txt" | head -n 1)"

# 6. the benchmark
BUILDDIR=$B REPS=${REPS:-3} sh "$top/bench/lattice/gpu.sh" >"$OUT/bench.txt" 2>&1
say "bench/lattice/gpu.sh: exit $? (bench.txt)"
cat "$OUT/bench.txt"
# 7. molecular dynamics: the thermo of a CPU-only and a GPU-only run must agree bitwise (forces
# in a fixed lane order, exact sums), then the throughput at 256k and 2M atoms
md=$top/graphs/md/lj-liquid.yaml
"$sd" run "$md" --arch cpu --out "$OUT/md-cpu.h5" >"$OUT/md-cpu.txt" 2>&1
"$sd" run "$md" --arch cuda --out "$OUT/md-cuda.h5" >"$OUT/md-cuda.txt" 2>&1
"$sd" compare "$OUT/md-cpu.h5" "$OUT/md-cuda.h5" >"$OUT/md-compare.txt" 2>&1
say "MD lj-liquid CPU-only vs GPU-only: exit $? ($(tail -n 1 "$OUT/md-compare.txt"))"
"$sd" calibrate "$md" --set cells=40 >"$OUT/md-calibrate.txt" 2>&1
for cells in 40 80; do
  for arch in cpu cuda any; do
    for r in 1 2 3; do
      "$sd" run "$md" --set cells=$cells --arch $arch --out "$OUT/md.h5" 2>&1 | grep -E "atom-steps/s" |
        sed "s/^/cells=$cells arch=$arch rep=$r: /" >>"$OUT/md-bench.txt"
    done
  done
done
say "MD throughput (cells 40 = 256k, 80 = 2M atoms; cpu/cuda/any): md-bench.txt"
cat "$OUT/md-bench.txt"
printf '%s' "$verdicts" | tee "$OUT/summary.txt"
