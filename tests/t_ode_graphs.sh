#!/bin/sh
# t_ode_graphs.sh - the bundled ODE graphs (graphs/ode), made small with --set: they run with no
# failed system; the Van der Pol ensemble is bitwise the same on 1 range and 1 worker as on 7
# ranges, 2 workers and another scheduler, its mu = 1 member (system 333 of 1000) within 50x the
# tolerance of the reference (bench/peers/ode/refs.txt, SciPy at rtol 1e-13, cross-checked by
# CVODE); Robertson's classic member (k3 = 1e4: system 10 of 21) at t = 1e11 within 50x its tolerance
# and every member conserving y1 + y2 + y3 = 1; the Lorenz sweep's event counts 0 upward crossings
# of x = 0 for rho = 0 and, for rho = 28, SciPy's 3 with the same last time. Events with the
# implicit solvers from a graph: a stiff Van der Pol ensemble in expressions with an event (x
# crossing 0 downwards) under ode.radau5 and ode.bdf, its mu = 1000 member's crossing at SciPy's
# time (bench/peers/ode/ref_implicit.txt), bitwise the same on 1 range and 1 worker as on 3
# ranges and 2 workers; a terminal event stops every member (status STOPPED).
. "$top_srcdir/tests/tap.sh"
cd "$tmp" || exit 99
export STARDAG_CACHE_DIR="$tmp/cache"
g="$top_srcdir/graphs/ode"
refs="$top_srcdir/bench/peers/ode/refs.txt"
ref() { awk -v p="$1" -v t="$2" -v c="$3" '$1 == p && $2 == t && $3 == c { print $4 }' "$refs"; }
# value COMPONENT SYSTEM FILE DATASET: one value of a field written by stardag
value() { h5dump -A 0 -y -m %.17g -d "$4" -s "$1,$2" -c "1,1" "$3" | sed -n 's/^ *\(-\{0,1\}[0-9][0-9.e+-]*\),\{0,1\}$/\1/p'; }
close() { awk -v a="$1" -v b="$2" -v tol="$3" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(a != "" && b != "" && d <= tol) }'; }

runrc "$sd" run "$g/vdp-ensemble.yaml" --set M=1000 --tiles 1 --ncpu 1 --out a.h5 --quiet
t "vdp-ensemble (M = 1000) on 1 range, 1 worker: exit 0" test "$(rc)" = 0
runrc "$sd" run "$g/vdp-ensemble.yaml" --set M=1000 --tiles 7 --ncpu 2 --sched eager --out b.h5 --quiet
t "... on 7 ranges, 2 workers, eager: exit 0" test "$(rc)" = 0
t "... bitwise the same states and statistics" "$sd" compare a.h5 b.h5 --rtol 0 --atol 0
x=$(value 0 333 a.h5 /fields/y/00000020) v=$(value 1 333 a.h5 /fields/y/00000020)
t "... mu = 1 at t = 20 within 5e-5 of the reference (x = $x, v = $v)" \
  awk -v x="$x" -v v="$v" -v rx="$(ref vdp_mu1 20 0)" -v rv="$(ref vdp_mu1 20 1)" \
  'BEGIN { dx = x - rx; dv = v - rv; exit !(x != "" && rx != "" && dx * dx <= 25e-10 && dv * dv <= 25e-10) }'

runrc "$sd" run "$g/robertson.yaml" --set M=21 --out r.h5 --quiet
t "robertson (M = 21, Radau IIA to t = 1e11): exit 0, no system failed" test "$(rc)" = 0
good=1
for c in "0 1e-8" "1 1e-14" "2 1e-8"; do
  set -- $c
  y=$(value $1 10 r.h5 /fields/y/00000100) r=$(ref robertson 100000000000 $1)
  awk -v a="$y" -v b="$r" -v atol=$2 'BEGIN { d = a - b; if (d < 0) d = -d; if (b < 0) b = -b
    exit !(a != "" && d <= 50 * (1e-6 * b + atol)) }' || good=0
done
t "... k3 = 1e4 at t = 1e11 within 50 (rtol |y| + atol) of the reference, every component" test $good = 1
h5dump -A 0 -y -m %.17g -d /fields/y/00000100 r.h5 | tr -d ' ,' | grep -E '^-?[0-9]' >rv
t "... y1 + y2 + y3 = 1 within 1e-6 for every member" awk '{ v[n++] = $1 } END { if (n != 63) exit 1
    for (i = 0; i < 21; i++) { s = v[i] + v[21 + i] + v[42 + i] - 1; if (s > 1e-6 || s < -1e-6) exit 1 } }' rv

runrc "$sd" run "$g/lorenz-sweep.yaml" --set M=26 --out l.h5 --quiet
t "lorenz-sweep (M = 26, expressions, DOP853, an event): exit 0" test "$(rc)" = 0
n0=$(value 0 0 l.h5 /fields/events/00000040) n28=$(value 0 14 l.h5 /fields/events/00000040)
t28=$(value 1 14 l.h5 /fields/events/00000040)
t "... rho = 0: no upward crossing of x = 0 ($n0); rho = 28: 3, the last at t = 18.8497 ($n28, $t28; SciPy DOP853 at 1e-12)" \
  awk -v a="$n0" -v b="$n28" -v t="$t28" 'BEGIN { d = t - 18.84972987; exit !(a == 0 && b == 3 && d * d < 1e-6) }'
# stiff_events METHOD WORK TERMINAL: the graph for the implicit event checks
stiff_events() {
  cat <<EOF
name: stiff-events
domain:
  batch:
    count: 5
    system:
      name: vdp_x
      vars: [x, v]
      params: [mu]
      dydt: ["v", "mu*(1 - x^2)*v - x"]
      events:
        - {g: "x", direction: -1, terminal: $3}
    values:
      y: ["2", "0"]
      mu: "200*(i + 1)"
      stats: 0
      work: 0
      events: 0
fields:
  y: {components: 2}
  mu: {components: 1}
  stats: {components: 10}
  work: {components: $2}
  events: {components: 4}
tiles: auto
step:
  - op: ode.$1
    readwrite: {y: y, stats: stats, work: work, events: events}
    read: {p: mu}
    params: {rtol: 1e-8, atol: 1e-8}
output:
  file: ev.h5
  fields: {names: [y, stats, events], every: 10}
run:
  dt: 100
  steps: 10
EOF
}
te=$(awk '$1 == "event" && $2 == "vdp_mu_down" { print $3 }' "$top_srcdir/bench/peers/ode/ref_implicit.txt")
# (radau5 within 1e-4: its steps end on each 100-long interval's end, as RADAU5 called per output)
for mw in "radau5 88 1e-4" "bdf 72 3e-3"; do
  set -- $mw
  stiff_events $1 $2 false >ev-$1.yaml
  runrc "$sd" run ev-$1.yaml --tiles 1 --ncpu 1 --out e1-$1.h5 --quiet
  t "ode.$1 with an event from a graph (expressions, mu = 200..1000 to t = 1000): exit 0" test "$(rc)" = 0
  runrc "$sd" run ev-$1.yaml --tiles 3 --ncpu 2 --out e3-$1.h5 --quiet
  t "... on 3 ranges and 2 workers: bitwise the same y, stats and events" "$sd" compare e1-$1.h5 e3-$1.h5 --rtol 0 --atol 0
  cnt=$(value 0 4 e1-$1.h5 /fields/events/00000010) tt=$(value 1 4 e1-$1.h5 /fields/events/00000010)
  t "... mu = 1000: one crossing ($cnt) at t = $tt, within $3 of SciPy's $te" \
    awk -v n="$cnt" -v a="$tt" -v b="$te" -v tol=$3 'BEGIN { d = a - b; exit !(n == 1 && d * d <= tol * tol) }'
  stiff_events $1 $2 true >stop-$1.yaml
  runrc "$sd" run stop-$1.yaml --out s-$1.h5 --quiet
  st=$(h5dump -A 0 -y -d /fields/stats/00000010 -s "2,0" -c "1,5" s-$1.h5 | tr -d ' ,' | grep -E '^[0-9]' | tr -d '\n')
  s3=$(value 0 4 s-$1.h5 /fields/stats/00000010)
  t "... terminal: every member STOPPED (statuses $st), mu = 1000 at t = $s3" \
    awk -v st="$st" -v a="$s3" -v b="$te" -v tol=$3 'BEGIN { d = a - b; exit !(st == "11111" && d * d <= tol * tol) }'
done
tap_end
