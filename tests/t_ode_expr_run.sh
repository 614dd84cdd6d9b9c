#!/bin/sh
# t_ode_expr_run.sh - expression systems in a run: a Van der Pol ensemble written as expressions
# (native code and interpreter) gives bitwise the built-in vdp's states and statistics; a graph's
# expression error stops the load at its line and column.
. "$top_srcdir/tests/tap.sh"
cd "$tmp" || exit 99
export STARDAG_CACHE_DIR="$tmp/cache"
graph() { # graph NAME SYSTEM
  cat <<EOT
name: $1
run: {steps: 5, dt: 1.0}
domain:
  batch:
    count: 300
    system: $2
    values: {y: ["2", "0"], mu: "0.5 + 1.5*i/(M-1)", stats: 0, work: 0}
    tiles: 3
fields: {y: {components: 2}, mu: {}, stats: {components: 10}, work: {components: 21}}
step:
  - op: ode.dopri5
    readwrite: {y: y, stats: stats, work: work}
    read: {p: mu}
    params: {rtol: 1e-6, atol: 1e-6}
output: {file: $1.h5, fields: {names: [y, stats], every: 5}}
EOT
}
expr='{name: vdpx, vars: [x, v], params: [mu], dydt: ["v", "mu*((1 - x^2)*v) - x"], compile: MODE}'
graph builtin vdp >builtin.yaml
graph native "$(echo "$expr" | sed s/MODE/native/)" >native.yaml
graph interp "$(echo "$expr" | sed s/MODE/interpreter/)" >interp.yaml
for g in builtin native interp; do
  runrc "$sd" run $g.yaml --quiet --ncpu 2
  t "$g: the ensemble runs (exit 0)" test "$(rc)" = 0
done
t "expressions compiled to native code: bitwise the built-in's states and statistics" "$sd" compare builtin.h5 native.h5 --rtol 0 --atol 0
t "expressions interpreted: bitwise the same" "$sd" compare builtin.h5 interp.h5 --rtol 0 --atol 0
graph bad "$(echo "$expr" | sed -e s/MODE/auto/ -e 's/- x"/- xx"/')" >bad.yaml
runrc "$sd" check bad.yaml
t "an unknown name in dydt: exit 2" test "$(rc)" = 2
t "... at its line and column, with a suggestion" grep -q "bad.yaml:6:.*unknown name 'xx' in dydt\[1\]; did you mean 'x'?" err
tap_end
