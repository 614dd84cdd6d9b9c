#!/bin/sh
# bench/ode/events_cost.sh - what locating events costs an implicit solver: the stiff van der Pol
# ensemble (1,000 systems, mu 100..1000, t in [0, 3000], 30 intervals, rtol = atol = 1e-6) as an
# expression system, integrated by ode.radau5 and ode.bdf twice: without events, and with one
# event (x crossing 0 downwards, twice per period). The event layer asks for g at the end of every
# accepted step (one more request round) and runs the root finder on the dense output where g
# changes sign. Both variants take the same steps (the summary's `accepted` must agree: checked);
# REPS runs each, interleaved, ms per interval (the step loop's time / 30), median and min-max.
#
#   sh bench/ode/events_cost.sh
# Environment: BUILDDIR (default: _build next to this folder), REPS (5), NPROC (nproc), M (1000).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
B=${BUILDDIR:-$top/_build}
STARDAG=$B/stardag
REPS=${REPS:-5}
NP=${NPROC:-$(nproc)}
M=${M:-1000}
[ -x "$STARDAG" ] || { echo "events_cost.sh: $STARDAG not built" >&2; exit 2; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/sdev.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM  # a TERM trap that returns would let the script go on
STARPU_HOME=$tmp/starpu STARPU_WORKERS_NOBIND=1
export STARPU_HOME STARPU_WORKERS_NOBIND

graph() { # graph METHOD WORK EVENTS(0|1)
  ev=$3
  cat <<EOT
name: vdp-events-$1-$ev
domain:
  batch:
    count: $M
    system:
      name: vdp_expr_$ev
      vars: [x, v]
      params: [mu]
      dydt: ["v", "mu*((1 - x*x)*v) - x"]
$([ "$ev" = 1 ] && printf '      events:\n        - {g: "x", direction: -1}')
    values:
      y: ["2", "0"]
      mu: "100 + 900*i/(M-1)"
      stats: 0
      work: 0
$([ "$ev" = 1 ] && printf '      events: 0')
params: {M: $M}
fields:
  y: {components: 2}
  mu: {components: 1}
  stats: {components: 10}
  work: {components: $2}
$([ "$ev" = 1 ] && printf '  events: {components: 4}')
scalars: [failed, first_failed, accepted, nfev]
step:
  - op: $1
    readwrite: {y: y, stats: stats, work: work$([ "$ev" = 1 ] && printf ', events: events')}
    read: {p: mu}
    params: {rtol: 1e-6, atol: 1e-6}
  - op: ode.status
    read: {stats: stats}
    write: {failed: failed, first_failed: first_failed, accepted: accepted, nfev: nfev}
output:
  scalars: {names: [failed, accepted, nfev], every: 30}
run: {dt: 100, steps: 30}
EOT
}
# the work sizes the solvers ask for with n = 2, np = 1: found by asking (the load error names it)
work_of() { # METHOD EVENTS -> components
  graph "$1" 1 "$2" >"$tmp/probe.yaml"
  "$STARDAG" check "$tmp/probe.yaml" 2>&1 | sed -n "s/.*work needs \([0-9]*\) components.*/\1/p" | head -n 1
}
echo "machine: $(lscpu | sed -n 's/^Model name: *//p' | head -n1), $NP workers; load average $(cut -d' ' -f1-3 /proc/loadavg)"
for m in ode.radau5 ode.bdf; do
  for ev in 0 1; do
    w=$(work_of $m $ev)
    [ -n "$w" ] || { echo "events_cost.sh: cannot size $m's work" >&2; exit 1; }
    graph $m "$w" $ev >"$tmp/$m.$ev.yaml"
  done
  : >"$tmp/t0" && : >"$tmp/t1"
  r=0
  while [ $r -lt "$REPS" ]; do
    for ev in 0 1; do
      (cd "$tmp" && "$STARDAG" run "$m.$ev.yaml" --ncpu "$NP" --out "$m.$ev.h5" --overwrite >"$m.$ev.out" 2>&1) ||
        { echo "events_cost.sh: $m (events $ev) failed:" >&2; cat "$tmp/$m.$ev.out" >&2; exit 1; }
      sed -n 's/.* steps in \([0-9.]*\) s.*/\1/p' "$tmp/$m.$ev.out" | head -n 1 | awk '{ printf "%.3f\n", $1 * 1000 / 30 }' >>"$tmp/t$ev"
    done
    r=$((r + 1))
  done
  acc() { h5dump -d /scalars/accepted -y "$tmp/$1" 2>/dev/null | tr -d ' ,' | grep -E '^[0-9.e+]+$' | tail -n 1; }
  a0=$(acc "$m.0.h5") a1=$(acc "$m.1.h5")
  stats() { sort -n "$1" | awk '{v[NR]=$1} END {m = NR % 2 ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2; printf "%.3f (%.3f-%.3f)", m, v[1], v[NR]}'; }
  s0=$(stats "$tmp/t0") s1=$(stats "$tmp/t1")
  echo "$m: without events $s0 ms/interval, with one event $s1 ms/interval," \
       "ratio $(awk -v a="${s0%% *}" -v b="${s1%% *}" 'BEGIN { printf "%.3f", b / a }');" \
       "accepted steps $a0 and $a1 $([ "$a0" = "$a1" ] && echo '(the same)' || echo '(DIFFER)')"
done
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
