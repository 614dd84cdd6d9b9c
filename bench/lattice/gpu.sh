#!/bin/sh
# bench/lattice/gpu.sh - the lattice benchmark on a CUDA machine: kg_leapfrog at 256^3 and 512^3
# (f64, periodic), CPU-only, GPU-only and hybrid, REPS repetitions each (interleaved), plus the
# device's memory bandwidth (bench/baselines/cuda_triad: nominal from its attributes, measured
# with a STREAM triad). Needs stardag built against a StarPU with CUDA (docs/install.md).
#
#   sh bench/lattice/gpu.sh
# Environment: BUILDDIR (default: _build), REPS (5), SIZES ("256 512"), NPROC (nproc).
#
# Modes:  cpu     --arch cpu, NPROC CPU workers, tiles auto
#         gpu     --arch cuda, 1 CPU worker (nothing runs on it here), one tile (no halo exchange:
#                 the periodic wrap happens in place on the device); also tiles auto
#         hybrid  --arch any, NPROC-1 CPU workers + the GPU (its worker thread takes a core),
#                 dmdas with performance models calibrated first (stardag calibrate), tiles auto
# ms/step is the difference of two runs (5 and 5+STEPS steps), as in run.sh. Bandwidth counts the
# leapfrog's compulsory traffic, 32 bytes per cell per step (read E, E_prev, chi; write E_next).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
B=${BUILDDIR:-$top/_build}
STARDAG=$B/stardag
TRIAD=$B/bench/baselines/cuda_triad
GRAPH=$here/kg-bench.yaml
REPS=${REPS:-5}
SIZES=${SIZES:-"256 512"}
NP=${NPROC:-$(nproc)}
for x in "$STARDAG" "$TRIAD"; do
  [ -x "$x" ] || { echo "gpu.sh: $x not built (configure with a CUDA StarPU and nvcc, then make -C $B bench-gpu)" >&2; exit 2; }
done
"$STARDAG" --version | grep -q "CUDA yes" || { echo "gpu.sh: this stardag's StarPU has no CUDA" >&2; exit 2; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/sdgpu.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM  # a TERM trap that returns would let the script go on
STARPU_HOME=$tmp/starpu; export STARPU_HOME
mkdir -p "$STARPU_HOME"
unset STARPU_SCHED STARPU_NCPU STARPU_NCUDA 2>/dev/null || true

stats() { sort -g | awk '{v[NR]=$1} END {if (NR==0) {print "nan nan nan"; exit}
  m = NR%2 ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2; printf "%.6g %.6g %.6g\n", m, v[1], v[NR]}'; }
field() { sed -n "s/.*$1=\([^ ]*\).*/\1/p"; }

echo "== stardag lattice benchmark on a GPU: kg_leapfrog, f64, periodic"
model=$(lscpu 2>/dev/null | sed -n 's/^Model name:[[:space:]]*//p' | head -n 1)
echo "machine: ${model:-unknown CPU}, $(nproc) cores; $(nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>/dev/null | head -n 1)"
echo "stardag: $("$STARDAG" --version | head -n 1); repetitions: $REPS; sizes: $SIZES"
"$TRIAD" -r 20 | tee "$tmp/triad.out"
nominal=$(field nominal_gbs <"$tmp/triad.out")
triad=$(field best_gbs <"$tmp/triad.out")
echo

opts() { # mode n -> stardag options
  case $1 in
    cpu) echo "--arch cpu --ncpu $NP" ;;
    gpu1) echo "--arch cuda --ncpu 1 --tiles ${2}x${2}x${2}" ;;
    gpu) echo "--arch cuda --ncpu 1" ;;
    hybrid) echo "--arch any --ncpu $((NP > 1 ? NP - 1 : 1)) --sched dmdas" ;;
  esac
}
loop_s() { # mode n steps -> step-loop seconds
  # shellcheck disable=SC2046
  "$STARDAG" run "$GRAPH" --set n="$2" --steps "$3" $(opts "$1" "$2") --out "" >"$tmp/sd.out" 2>&1 ||
    { cat "$tmp/sd.out" >&2; exit 1; }
  sed -n 's/.* tiles (\([0-9x]*\)) of \([0-9x]*\) cells.*/\1 tiles of \2/p' "$tmp/sd.out" | head -n 1 >"$tmp/tiling.$1.$2"
  grep -E "kg_leapfrog +(cpu|cuda)" "$tmp/sd.out" | awk '{printf "%s:%s ", $2, $3}' >"$tmp/where.$1.$2"
  sed -n 's/^stardag: .* steps in \([0-9.]*\) s .*/\1/p' "$tmp/sd.out" | head -n 1
}
for n in $SIZES; do # models for the hybrid runs, per size (STARPU_HOME is shared by all runs)
  "$STARDAG" calibrate "$GRAPH" --set n="$n" --ncpu $((NP > 1 ? NP - 1 : 1)) >"$tmp/calib.$n" 2>&1 ||
    { cat "$tmp/calib.$n" >&2; exit 1; }
done
for r in $(seq 1 "$REPS"); do
  for n in $SIZES; do
    steps=$(( n >= 512 ? 40 : 200 ))
    for m in cpu gpu1 gpu hybrid; do
      a=$(loop_s "$m" "$n" 5)
      b=$(loop_s "$m" "$n" $((5 + steps)))
      awk -v a="$a" -v b="$b" -v s="$steps" 'BEGIN {printf "%.6f\n", 1e3 * (b - a) / s}' >>"$tmp/ms.$m.$n"
    done
  done
done
printf "%-6s %-7s %-26s %-34s %12s %22s %10s %10s\n" size mode tiling "leapfrog tasks (arch:count)" "ms/step" "(min-max)" "GB/s" "of nominal"
for n in $SIZES; do
  for m in cpu gpu1 gpu hybrid; do
    set -- $(stats <"$tmp/ms.$m.$n")
    gbs=$(awk -v n="$n" -v ms="$1" 'BEGIN {printf "%.1f", 32 * n * n * n / (ms * 1e-3) / 1e9}')
    frac=$(awk -v g="$gbs" -v p="$nominal" 'BEGIN {printf "%.1f%%", 100 * g / p}')
    printf "%-6s %-7s %-26s %-34s %12s %22s %10s %10s\n" "${n}^3" "$m" "$(cat "$tmp/tiling.$m.$n")" "$(cat "$tmp/where.$m.$n")" "$1" "($2-$3)" "$gbs" "$frac"
  done
  best=$(for m in cpu gpu1 gpu; do stats <"$tmp/ms.$m.$n" | cut -d' ' -f1; done | sort -g | head -n 1)
  hy=$(stats <"$tmp/ms.hybrid.$n" | cut -d' ' -f1)
  awk -v h="$hy" -v b="$best" -v n="$n" 'BEGIN {printf "%s^3: hybrid / best single device = %.3f (target <= 1.05)\n", n, h / b}'
done
echo "device triad: ${triad} GB/s measured, ${nominal} GB/s nominal"
