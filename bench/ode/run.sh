#!/bin/sh
# bench/ode/run.sh - the ODE ensemble benchmark: stardag's batch domain beside its peers, on the same
# cores, in one invocation, REPS repetitions interleaved (every configuration once, then again), median
# and min-max per configuration:
#   1. 10k Van der Pol (mu_i = 0.5 + 1.5 i/(M-1), y0 = (2, 0), t in [0, 20], rtol = atol = 1e-6):
#      SUNDIALS ARKODE ERKStep Dormand-Prince 5(4), serial and NPROC OpenMP threads
#      (bench/peers/ode/vdp_arkode.c); SciPy solve_ivp RK45 and DOP853 in a Python loop
#      (bench/peers/ode/vdp_scipy.py: SCIPY_TIMED members timed, the time EXTRAPOLATED to M);
#      stardag SD_ENSEMBLE with 1 and NPROC workers.
#   2. single systems (latency): VdP mu = 1 on [0, 20] (ARKODE DP5, SciPy RK45/DOP853) and mu = 1000 on
#      [0, 3000] (CVODE BDF, SciPy Radau/BDF), each the median of LAT_REPS solves in one process;
#      stardag SD_SINGLE and SD_SINGLE_STIFF.
#   3. the stiff ensemble (mu_i = 100 + 900 i/(M-1), t in [0, STIFF_T_END], rtol = atol = 1e-6):
#      CVODE BDF serial and NPROC threads (bench/peers/ode/vdp_cvode.c), SciPy Radau and BDF
#      (STIFF_SCIPY_TIMED members timed, extrapolated), stardag SD_STIFF with 1 and NPROC workers.
#   4. only with BIG_MEMBERS=N (e.g. 1000000): throughput on the explicit ensemble of N members (same
#      mu range), ARKODE on NPROC threads and stardag SD_BIG (graphs/ode/vdp-1m.yaml), once per repetition;
#      systems x steps / s = summed accepted steps / time.
#
#   sh bench/ode/run.sh            (or: make -C _build bench-ode)
# Environment: BUILDDIR (default: _build next to this folder), REPS (5), NPROC (nproc), PYTHON
#   (/usr/bin/python3, Debian's, with python3-scipy), CC (cc), PEER_CFLAGS (-O3 -march=native),
#   MEMBERS (10000), SCIPY_TIMED (200), STIFF_MEMBERS (1000), STIFF_T_END (3000), STIFF_SCIPY_TIMED (10),
#   LAT_REPS (C peers: 101; SciPy: 11 non-stiff, 3 stiff), OUT (the table's file: $BUILDDIR/bench-ode.txt),
#   stardag's graphs (skipped, with a message, when absent) and extra arguments for each:
#   SD_ENSEMBLE (graphs/ode/vdp-ensemble.yaml), SD_STIFF (graphs/ode/vdp-stiff-ensemble.yaml),
#   SD_SINGLE (graphs/ode/vdp-single.yaml), SD_SINGLE_STIFF (graphs/ode/vdp-stiff-single.yaml),
#   SD_BIG (graphs/ode/vdp-1m.yaml, with BIG_MEMBERS), SD_ENSEMBLE_ARGS, SD_STIFF_ARGS, SD_SINGLE_ARGS,
#   SD_SINGLE_STIFF_ARGS, SD_BIG_ARGS (e.g. "--set M=10000"); a graph
#   must define the same problem as the peers' (the harness cannot check that; see docs/ode-bench.md).
# Packages (Debian 12, bench only): libsundials-dev, python3-scipy.
#
# Times: the C peers time the whole ensemble loop (integrator set-up included) with a monotonic clock;
# SciPy times its loop with perf_counter; both also report their process CPU time (CPU s); stardag's time is the step loop it prints ("N steps in X s":
# submission to the last task, the initial values' tasks included), its process wall time (StarPU's
# start-up and shut-down included) is shown beside it. Before timing, every peer integrates the
# reference problems at rtol 1e-10 and is checked against bench/peers/ode/refs.txt.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
B=${BUILDDIR:-$top/_build}
STARDAG=$B/stardag
PEERS=$top/bench/peers/ode
REFS=$PEERS/refs.txt
PY=${PYTHON:-/usr/bin/python3}
CC=${CC:-cc}
PEER_CFLAGS=${PEER_CFLAGS:-"-O3 -march=native"}
REPS=${REPS:-5}
NP=${NPROC:-$(nproc)}
M=${MEMBERS:-10000}
SCIPY_TIMED=${SCIPY_TIMED:-200}
SM=${STIFF_MEMBERS:-1000}
ST=${STIFF_T_END:-3000}
STIFF_SCIPY_TIMED=${STIFF_SCIPY_TIMED:-10}
LAT_REPS=${LAT_REPS:-101}
SD_ENSEMBLE=${SD_ENSEMBLE:-$top/graphs/ode/vdp-ensemble.yaml}
SD_STIFF=${SD_STIFF:-$top/graphs/ode/vdp-stiff-ensemble.yaml}
SD_SINGLE=${SD_SINGLE:-$top/graphs/ode/vdp-single.yaml}
SD_SINGLE_STIFF=${SD_SINGLE_STIFF:-$top/graphs/ode/vdp-stiff-single.yaml}
BIG=${BIG_MEMBERS:-0}
SD_BIG=${SD_BIG:-$top/graphs/ode/vdp-1m.yaml}
if [ -d "$B" ]; then OUT=${OUT:-$B/bench-ode.txt}; else OUT=${OUT:-$PWD/bench-ode.txt}; fi
for v in "$REPS" "$NP" "$M" "$SCIPY_TIMED" "$SM" "$STIFF_SCIPY_TIMED" "$LAT_REPS"; do
  case $v in ''|*[!0-9]*|0) echo "run.sh: REPS, NPROC, MEMBERS, SCIPY_TIMED, STIFF_MEMBERS, STIFF_SCIPY_TIMED," \
    "LAT_REPS must be positive integers, found '$v'" >&2; exit 2 ;; esac
done
case $BIG in ''|*[!0-9]*) echo "run.sh: BIG_MEMBERS must be a non-negative integer, found '$BIG'" >&2; exit 2 ;; esac
"$PY" -c 'import scipy' 2>/dev/null || { echo "run.sh: $PY has no scipy (apt-get install python3-scipy)" >&2; exit 2; }
[ -f "$REFS" ] || { echo "run.sh: $REFS missing" >&2; exit 2; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/sdbench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM  # a TERM trap that returns would let the script go on
STARPU_HOME=$tmp/starpu; export STARPU_HOME
mkdir -p "$STARPU_HOME"
unset STARPU_SCHED STARPU_NCPU OMP_NUM_THREADS 2>/dev/null || true
field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" | head -n 1; }
# median min max of the numbers on stdin
stats() { sort -g | awk '{v[NR]=$1} END {if (NR==0) {print "nan nan nan"; exit}
  m = NR%2 ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2; printf "%.6g %.6g %.6g\n", m, v[1], v[NR]}'; }

# ---- the peers, built here (SUNDIALS from libsundials-dev; flags as a user of it would choose) ------
have_sun=1
SUNLIBS="-lsundials_nvecserial -lsundials_sunlinsoldense -lsundials_sunmatrixdense -lm"
# shellcheck disable=SC2086
if ! { $CC -std=gnu11 $PEER_CFLAGS -fopenmp -o "$tmp/vdp_arkode" "$PEERS/vdp_arkode.c" -lsundials_arkode $SUNLIBS &&
       $CC -std=gnu11 $PEER_CFLAGS -fopenmp -o "$tmp/vdp_cvode" "$PEERS/vdp_cvode.c" -lsundials_cvode $SUNLIBS; } \
     2>"$tmp/cc.err"; then
  have_sun=0
  echo "run.sh: the SUNDIALS peers do not build (apt-get install libsundials-dev): skipped; $CC said:" >&2
  sed 's/^/  /' "$tmp/cc.err" | head -n 5 >&2
fi
ARK=$tmp/vdp_arkode CVO=$tmp/vdp_cvode SCI="$PY $PEERS/vdp_scipy.py"

{
echo "== stardag ODE benchmark: Van der Pol ensembles and single systems, stardag beside SUNDIALS and SciPy"
model=$(lscpu 2>/dev/null | sed -n 's/^Model name:[[:space:]]*//p' | head -n 1)
mem=$(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo)
echo "machine: ${model:-unknown CPU}, $(nproc) cores online, $mem; $(uname -sr); load average $(cut -d" " -f1-3 /proc/loadavg)"
echo "caches: L1d $(lscpu | sed -n 's/^L1d cache: *//p' | head -n1), L2 $(lscpu | sed -n 's/^L2 cache: *//p' | head -n1)," \
     "L3 $(lscpu | sed -n 's/^L3 cache: *//p' | head -n1); flags: $(grep -o -w 'avx512f\|avx2\|fma\|sse4_2' /proc/cpuinfo | sort -u | tr '\n' ' ')"
sunv=$(dpkg-query -W -f='${Version}' libsundials-dev 2>/dev/null || echo "?")
echo "peers: SUNDIALS $sunv (Debian's libsundials-dev: the library as packaged), the peers' own code $CC $PEER_CFLAGS -fopenmp" \
     "($($CC --version 2>/dev/null | head -n 1)); SciPy $("$PY" -c 'import scipy; print(scipy.__version__)') ($PY)"
echo "threads/workers: 1 and $NP; repetitions: $REPS (interleaved); stardag: $([ -x "$STARDAG" ] && "$STARDAG" --version 2>&1 | head -n 1 || echo "not built ($STARDAG)")"
echo
} | tee "$OUT"

# ---- correctness first: each peer against the references (rtol = atol = 1e-10) ----------------------
ref() { awk -v p="$1" -v t="$2" -v c="$3" '$1 == p && $2 == t && $3 == c {print $4}' "$REFS"; }
status=0
check() { # label line problem t_end max_error
  x=$(echo "$2" | field sum_x) v=$(echo "$2" | field sum_v)
  e=$(awk -v x="$x" -v v="$v" -v rx="$(ref "$3" "$4" 0)" -v rv="$(ref "$3" "$4" 1)" 'BEGIN {
    if (x == "" || v == "" || rx == "" || rv == "") { print "missing"; exit }
    a = x - rx; b = v - rv; a = a < 0 ? -a : a; b = b < 0 ? -b : b; printf "%.2e", (a > b ? a : b) }')
  ok=$(awk -v e="$e" -v m="$5" 'BEGIN {print (e != "missing" && e + 0 <= m + 0) ? "ok" : "FAILED"}')
  printf "  %-46s max |error| %s at t = %s (limit %s) %s\n" "$1" "$e" "$4" "$5" "$ok" | tee -a "$OUT"
  [ "$ok" = ok ] || status=1
}
echo "peer check against bench/peers/ode/refs.txt, rtol = atol = 1e-10:" | tee -a "$OUT"
tight="--rtol 1e-10 --atol 1e-10"
# shellcheck disable=SC2086
if [ $have_sun = 1 ]; then
  check "ARKODE ERK DP5, VdP mu = 1" "$("$ARK" --members 1 --mu-lo 1 --t-end 20 $tight)" vdp_mu1 20 1e-7
  check "CVODE BDF, VdP mu = 1000" "$("$CVO" --members 1 --mu-lo 1000 --t-end 3000 $tight)" vdp_mu1000 3000 1e-5
fi
# shellcheck disable=SC2086
for meth in RK45 DOP853; do check "SciPy $meth, VdP mu = 1" "$($SCI single --method $meth --mu 1 --t-end 20 $tight --reps 1)" vdp_mu1 20 1e-7; done
# shellcheck disable=SC2086
for meth in Radau BDF; do check "SciPy $meth, VdP mu = 1000" "$($SCI single --method $meth --mu 1000 --t-end 3000 $tight --reps 1)" vdp_mu1000 3000 1e-5; done
[ $status = 0 ] || { echo "run.sh: a peer misses the reference: its timings would be meaningless" >&2; exit 1; }
echo | tee -a "$OUT"

# ---- stardag: a graph per configuration, skipped when absent -------------------------------------
sd_have() { [ -x "$STARDAG" ] && [ -f "$1" ]; }
sd_run() { # key graph workers args... -> a key=value line like the peers' into $tmp/key.lines
  key=$1 g=$2 w=$3; shift 3
  t0=$(date +%s.%N)
  "$STARDAG" run "$g" --ncpu "$w" --out "" --log "" "$@" >"$tmp/sd.out" 2>&1 ||
    { echo "run.sh: stardag run $g failed:" >&2; cat "$tmp/sd.out" >&2; exit 1; }
  t1=$(date +%s.%N)
  loop=$(sed -n 's/^stardag: .* steps in \([0-9.]*\) s .*/\1/p' "$tmp/sd.out" | head -n 1)
  [ -n "$loop" ] || { echo "run.sh: no 'steps in X s' line from stardag run $g:" >&2; cat "$tmp/sd.out" >&2; exit 1; }
  echo "stardag threads=$w time_s=$loop wall_s=$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.6f", b - a}')" >>"$tmp/$key.lines"
}
sd_note=""
sd_graphs="$SD_ENSEMBLE $SD_STIFF $SD_SINGLE $SD_SINGLE_STIFF"
[ "$BIG" = 0 ] || sd_graphs="$sd_graphs $SD_BIG"
for g in $sd_graphs; do
  sd_have "$g" || sd_note="$sd_note  stardag: skipped $g ($([ -x "$STARDAG" ] && echo "graph absent" || echo "$STARDAG not built"))
"
done

peer() { key=$1; shift; "$@" >>"$tmp/$key.lines" || { echo "run.sh: $* failed" >&2; exit 1; }; }
lat_sci=$(( LAT_REPS < 11 ? LAT_REPS : 11 ))
lat_stiff=$(( LAT_REPS < 3 ? LAT_REPS : 3 ))
start=$(date +%s)
# shellcheck disable=SC2086
for r in $(seq 1 "$REPS"); do
  # 1. the 10k ensemble
  if [ $have_sun = 1 ]; then
    peer ens.ark1 "$ARK" --members "$M"
    peer ens.arkN "$ARK" --members "$M" --threads "$NP"
  fi
  peer ens.rk45 $SCI ensemble --method RK45 --members "$M" --timed "$SCIPY_TIMED"
  peer ens.dop853 $SCI ensemble --method DOP853 --members "$M" --timed "$SCIPY_TIMED"
  if sd_have "$SD_ENSEMBLE"; then
    sd_run ens.sd1 "$SD_ENSEMBLE" 1 ${SD_ENSEMBLE_ARGS:-}
    sd_run ens.sdN "$SD_ENSEMBLE" "$NP" ${SD_ENSEMBLE_ARGS:-}
  fi
  # 2. single systems
  if [ $have_sun = 1 ]; then
    peer lat.ark "$ARK" --members 1 --mu-lo 1 --t-end 20 --reps "$LAT_REPS"
    peer lat.cvode "$CVO" --members 1 --mu-lo 1000 --t-end 3000 --reps "$LAT_REPS"
  fi
  peer lat.rk45 $SCI single --method RK45 --mu 1 --t-end 20 --reps "$lat_sci"
  peer lat.dop853 $SCI single --method DOP853 --mu 1 --t-end 20 --reps "$lat_sci"
  peer lat.radau $SCI single --method Radau --mu 1000 --t-end 3000 --reps "$lat_stiff"
  peer lat.bdf $SCI single --method BDF --mu 1000 --t-end 3000 --reps "$lat_stiff"
  if sd_have "$SD_SINGLE"; then sd_run lat.sd "$SD_SINGLE" 1 ${SD_SINGLE_ARGS:-}; fi
  if sd_have "$SD_SINGLE_STIFF"; then sd_run lat.sdstiff "$SD_SINGLE_STIFF" 1 ${SD_SINGLE_STIFF_ARGS:-}; fi
  # 3. the stiff ensemble
  stiff="--members $SM --mu-lo 100 --mu-hi 1000 --t-end $ST"
  if [ $have_sun = 1 ]; then
    peer stiff.cv1 "$CVO" $stiff
    peer stiff.cvN "$CVO" $stiff --threads "$NP"
  fi
  peer stiff.radau $SCI ensemble --method Radau $stiff --timed "$STIFF_SCIPY_TIMED"
  peer stiff.bdf $SCI ensemble --method BDF $stiff --timed "$STIFF_SCIPY_TIMED"
  if sd_have "$SD_STIFF"; then
    sd_run stiff.sd1 "$SD_STIFF" 1 ${SD_STIFF_ARGS:-}
    sd_run stiff.sdN "$SD_STIFF" "$NP" ${SD_STIFF_ARGS:-}
  fi
  # 4. throughput (optional)
  if [ "$BIG" != 0 ]; then
    [ $have_sun = 0 ] || peer big.arkN "$ARK" --members "$BIG" --threads "$NP"
    if sd_have "$SD_BIG"; then sd_run big.sdN "$SD_BIG" "$NP" ${SD_BIG_ARGS:-}; fi
  fi
  echo "rep $r/$REPS done ($(( $(date +%s) - start )) s)" >&2
done

# ---- the table ---------------------------------------------------------------------------------------
# row label key members reference_time: time median (min-max) of the key's lines, per system, counters
# of its last line, reference/this
row() {
  [ -s "$tmp/$2.lines" ] || return 0
  set -- "$1" "$2" "$3" "$4" $(sed -n 's/.* time_s=\([^ ]*\).*/\1/p' "$tmp/$2.lines" | stats)
  last=$(tail -n 1 "$tmp/$2.lines")
  wall=$(sed -n 's/.* wall_s=\([^ ]*\).*/\1/p' "$tmp/$2.lines" | stats | cut -d" " -f1)
  cpu=$(sed -n 's/.* cpu_s=\([^ ]*\).*/\1/p' "$tmp/$2.lines" | stats | cut -d" " -f1)
  note=""
  [ "$(echo "$last" | field extrapolated)" != yes ] || note="  [extrapolated from $(echo "$last" | field timed_members) members]"
  [ -z "$wall" ] || [ "$wall" = nan ] || note="  [process wall $(printf %.3f "$wall") s]"
  awk -v l="$1" -v m="$5" -v lo="$6" -v hi="$7" -v n="$3" -v ref="$4" -v st="$(echo "$last" | field steps)" \
      -v fe="$(echo "$last" | field rhs)" -v lu="$(echo "$last" | field lu)" -v note="$note" -v cpu="$cpu" 'BEGIN {
    us = 1e6 * m / n
    printf "  %-34s %26s %9s %10.4g %11s %11s %9s %8.3g%s\n", l, sprintf("%.4g (%.4g-%.4g)", m, lo, hi),
      (cpu == "" || cpu == "nan") ? "-" : sprintf("%.4g", cpu), us,
      st == "" ? "-" : st, fe == "" ? "-" : fe, (lu == "" || lu == 0) ? "-" : lu, ref / m, note }'
}
med() { [ -s "$tmp/$1.lines" ] && sed -n 's/.* time_s=\([^ ]*\).*/\1/p' "$tmp/$1.lines" | stats | cut -d" " -f1 || echo nan; }
hdr() { printf "  %-34s %-26s %9s %10s %11s %11s %9s %8s\n" configuration "time s, median (min-max)" "CPU s" "us/system" \
  steps "RHS evals" LUs "$1"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {if (a == "nan" || b == "nan" || b <= 0) print "n/a"; else printf "%.3g", a / b}'; }
{
echo "(CPU s: the median process CPU time of the peers, all threads: a loaded machine inflates wall times far"
echo " more; us/system: wall time per system; last column: the first line's median wall time / this line's)"
echo "1. $M Van der Pol, mu in [0.5, 2], y0 = (2, 0), t in [0, 20], rtol = atol = 1e-6 (steps, RHS: summed over the members; $REPS reps)"
hdr "ARKODE1/x"
ref=$(med ens.ark1); [ "$ref" != nan ] || ref=$(med ens.rk45)
row "SUNDIALS ARKODE ERK DP5, 1 thread" ens.ark1 "$M" "$ref"
row "SUNDIALS ARKODE ERK DP5, $NP threads" ens.arkN "$M" "$ref"
row "SciPy solve_ivp RK45 loop" ens.rk45 "$M" "$ref"
row "SciPy solve_ivp DOP853 loop" ens.dop853 "$M" "$ref"
row "stardag, 1 worker" ens.sd1 "$M" "$ref"
row "stardag, $NP workers" ens.sdN "$M" "$ref"
echo
echo "2. single systems (latency: each line the median over $REPS processes of the median of LAT_REPS solves)"
hdr "ARKODE/x"
ref=$(med lat.ark); [ "$ref" != nan ] || ref=$(med lat.rk45)
row "VdP mu=1 [0,20]: ARKODE ERK DP5" lat.ark 1 "$ref"
row "VdP mu=1 [0,20]: SciPy RK45" lat.rk45 1 "$ref"
row "VdP mu=1 [0,20]: SciPy DOP853" lat.dop853 1 "$ref"
row "VdP mu=1 [0,20]: stardag" lat.sd 1 "$ref"
hdr "CVODE/x"
ref=$(med lat.cvode); [ "$ref" != nan ] || ref=$(med lat.bdf)
row "mu=1000 [0,3000]: CVODE BDF" lat.cvode 1 "$ref"
row "mu=1000 [0,3000]: SciPy Radau" lat.radau 1 "$ref"
row "mu=1000 [0,3000]: SciPy BDF" lat.bdf 1 "$ref"
row "mu=1000 [0,3000]: stardag" lat.sdstiff 1 "$ref"
echo
echo "3. stiff ensemble: $SM Van der Pol, mu in [100, 1000], y0 = (2, 0), t in [0, $ST], rtol = atol = 1e-6"
hdr "CVODE1/x"
ref=$(med stiff.cv1); [ "$ref" != nan ] || ref=$(med stiff.bdf)
row "SUNDIALS CVODE BDF, 1 thread" stiff.cv1 "$SM" "$ref"
row "SUNDIALS CVODE BDF, $NP threads" stiff.cvN "$SM" "$ref"
row "SciPy solve_ivp Radau loop" stiff.radau "$SM" "$ref"
row "SciPy solve_ivp BDF loop" stiff.bdf "$SM" "$ref"
row "stardag, 1 worker" stiff.sd1 "$SM" "$ref"
row "stardag, $NP workers" stiff.sdN "$SM" "$ref"
if [ "$BIG" != 0 ]; then
  echo
  echo "4. throughput: $BIG Van der Pol, mu in [0.5, 2], t in [0, 20], rtol = atol = 1e-6"
  hdr "ARKODE/x"
  ref=$(med big.arkN)
  row "SUNDIALS ARKODE ERK DP5, $NP threads" big.arkN "$BIG" "$ref"
  row "stardag, $NP workers" big.sdN "$BIG" "$ref"
  [ ! -s "$tmp/big.arkN.lines" ] || echo "  ARKODE: $(awk -v s="$(tail -n 1 "$tmp/big.arkN.lines" | field steps)" -v t="$ref" \
    'BEGIN {printf "%.4g", s / t}') systems x steps / s (accepted steps summed over the members / median time)"
fi
printf "%s" "$sd_note"
if [ -s "$tmp/ens.sdN.lines" ]; then
  echo "=> $M VdP, stardag $NP workers: $(med ens.sdN) s; $(ratio "$(med ens.ark1)" "$(med ens.sdN)")x serial ARKODE," \
       "$(ratio "$(med ens.arkN)" "$(med ens.sdN)")x ARKODE on $NP threads, $(ratio "$(med ens.rk45)" "$(med ens.sdN)")x the SciPy RK45 loop"
fi
if [ -s "$tmp/stiff.sdN.lines" ]; then
  echo "=> stiff ensemble, stardag $NP workers: $(med stiff.sdN) s; $(ratio "$(med stiff.cv1)" "$(med stiff.sdN)")x serial CVODE," \
       "$(ratio "$(med stiff.cvN)" "$(med stiff.sdN)")x CVODE on $NP threads"
fi
echo "checksums (sums of the final x and v over all members, in member order; stardag's are in its output):"
for k in ens.ark1 ens.arkN stiff.cv1 stiff.cvN; do
  [ -s "$tmp/$k.lines" ] && printf "  %-12s sum_x %s sum_v %s\n" "$k" "$(tail -n 1 "$tmp/$k.lines" | field sum_x)" "$(tail -n 1 "$tmp/$k.lines" | field sum_v)"
done
echo "targets (issue 11, 2 cores): 10k VdP <= 0.3 s, >= 9x serial ARKODE, >= 20x the SciPy loop"
echo "total benchmark time: $(( $(date +%s) - start )) s; load average at the end: $(cut -d" " -f1-3 /proc/loadavg)"
} | tee -a "$OUT"
echo "run.sh: table written to $OUT" >&2
