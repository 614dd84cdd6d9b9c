#!/bin/sh
# t_ode_linear_run.sh - the `linear` system (y' = A y + b, A and b from an HDF5 file) in a run:
# system: {name: linear, file: F.h5}. A = [[-1, 0.5], [0, -100]], b = (1, 100), y(0) = 0 has the
# exact solution y2 = 1 - e^{-100 t}, y1 = 1.5 + (0.5/99) e^{-100 t} - (1.5 + 0.5/99) e^{-t}; Radau
# and BDF at rtol 1e-8 must reach it at t = 1 within 1e-6. A missing file or dataset stops the load
# naming the file.
. "$top_srcdir/tests/tap.sh"
cd "$tmp" || exit 99
printf '%s\n' "-1 0.5" "0 -100" >A.txt
printf '1 100\n' >b.txt
printf 'PATH A\nINPUT-CLASS TEXTFP\nRANK 2\nDIMENSION-SIZES 2 2\nOUTPUT-CLASS FP\nOUTPUT-SIZE 64\n' >A.conf
printf 'PATH b\nINPUT-CLASS TEXTFP\nRANK 1\nDIMENSION-SIZES 2\nOUTPUT-CLASS FP\nOUTPUT-SIZE 64\n' >b.conf
h5import A.txt -c A.conf b.txt -c b.conf -o lin.h5 >/dev/null || exit 99
graph() { # graph METHOD WORK FILE
  cat <<EOT
name: lin
run: {steps: 4, dt: 0.25}
domain:
  batch:
    count: 5
    system: {name: linear, file: $3}
    values: {y: 0, stats: 0, work: 0}
    tiles: 2
fields: {y: {components: 2}, stats: {components: 10}, work: {components: $2}}
step:
  - op: $1
    readwrite: {y: y, stats: stats, work: work}
    params: {rtol: 1e-8, atol: 1e-10}
output: {file: $1.h5, fields: {names: [y], every: 4}}
EOT
}
for m in "ode.radau5 73" "ode.bdf 58"; do
  set -- $m
  graph $1 $2 lin.h5 >$1.yaml
  runrc "$sd" run $1.yaml --quiet
  t "$1 on linear from lin.h5: runs (exit 0)" test "$(rc)" = 0
  h5dump -A 0 -y -m %.17g -d /fields/y/00000004 $1.h5 | tr -d " ," | grep -E "^-?[0-9.]+(e[-+][0-9]+)?$" >vals
  t "$1: every system within 1e-6 of the exact y(1)" awk 'BEGIN { e1 = exp(-1); e100 = exp(-100)
      y1 = 1.5 + (0.5 / 99) * e100 - (1.5 + 0.5 / 99) * e1; y2 = 1 - e100 }
    { v[n++] = $1 } END { if (n != 10) exit 1
      for (i = 0; i < 5; i++) if ((v[i] - y1)^2 > 1e-12 || (v[5 + i] - y2)^2 > 1e-12) exit 1 }' vals
done
graph ode.radau5 73 nothere.h5 >missing.yaml
runrc "$sd" check missing.yaml
t "a missing matrix file: exit 2" test "$(rc)" = 2
t "... naming the file at the graph's line" grep -q "missing.yaml:6:.*nothere.h5" err
tap_end
