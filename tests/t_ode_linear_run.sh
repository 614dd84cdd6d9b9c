#!/bin/sh
# t_ode_linear_run.sh - the `linear` system (y' = A y + b, A and b from an HDF5 file) in a run:
# system: {name: linear, file: F.h5}. A = [[-1, 0.5], [0, -100]], b = (1, 100), y(0) = 0 has the
# exact solution y2 = 1 - e^{-100 t}, y1 = 1.5 + (0.5/99) e^{-100 t} - (1.5 + 0.5/99) e^{-t}; Radau
# and BDF at rtol 1e-8 must reach it at t = 1 within 1e-6. A missing file or dataset stops the load
# naming the file. One system of n = 1000 (the seed's size) runs from a graph; a field wider than
# output's 1024 components is refused in output.fields; the memory check counts a batch's initial
# values (kept for the run) with the fields.
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
for m in "ode.radau5 74" "ode.bdf 58"; do
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
graph ode.radau5 74 nothere.h5 >missing.yaml
runrc "$sd" check missing.yaml
t "a missing matrix file: exit 2" test "$(rc)" = 2
t "... naming the file at the graph's line" grep -q "missing.yaml:6:.*nothere.h5" err
# One large system: n = 1000, A = -I written densely (every product of the matvec done), b = 1,
# y(0) = 0: y_i(t) = 1 - e^{-t}. Its DOPRI5 work field has 7 + 7n = 7007 components (fields may
# have up to 2^23).
awk 'BEGIN { for (r = 0; r < 1000; r++) { s = ""; for (c = 0; c < 1000; c++) s = s (c ? " " : "") (r == c ? -1 : 0); print s } }' >A1k.txt
awk 'BEGIN { for (r = 0; r < 1000; r++) print 1 }' >b1k.txt
sed 's/2 2/1000 1000/' A.conf >A1k.conf
sed 's/DIMENSION-SIZES 2/DIMENSION-SIZES 1000/' b.conf >b1k.conf
h5import A1k.txt -c A1k.conf b1k.txt -c b1k.conf -o lin1k.h5 >/dev/null || exit 99
cat >big.yaml <<EOT
name: lin1k
run: {steps: 2, dt: 0.5}
domain:
  batch:
    count: 1
    system: {name: linear, file: lin1k.h5}
    values: {y: 0, stats: 0, work: 0}
fields: {y: {components: 1000}, stats: {components: 10}, work: {components: 7007}}
step:
  - op: ode.dopri5
    readwrite: {y: y, stats: stats, work: work}
    params: {rtol: 1e-8, atol: 1e-10}
output: {file: big.h5, fields: {names: [y], every: 2}}
EOT
runrc "$sd" run big.yaml --quiet
t "one system of n = 1000 (linear, ode.dopri5, a 7007-component work field): exit 0" test "$(rc)" = 0
h5dump -A 0 -y -m %.17g -d /fields/y/00000002 big.h5 | tr -d " ," | grep -E "^-?[0-9.]+(e[-+][0-9]+)?$" >vals1k
t "... every component within 1e-7 of 1 - e^-1" awk 'BEGIN { e = 1 - exp(-1) } { d = $1 - e; if (d * d > 1e-14) exit 1; n++ }
    END { exit !(n == 1000) }' vals1k
sed 's/components: 7007/components: 8388609/' big.yaml >huge.yaml
runrc "$sd" check huge.yaml
t "a field of 2^23 + 1 components: refused at its line (exit 2)" sh -c "test $(rc) = 2 && grep -q 'huge.yaml:8:.*components must be <= 8388608' err"
sed 's/names: \[y\], every: 2/names: [y, work], every: 2/' big.yaml >wide.yaml
runrc "$sd" check wide.yaml
t "writing the 7007-component work field: refused at load at its name (exit 2; output holds <= 1024)" sh -c \
  "test $(rc) = 2 && grep -q \"wide.yaml:13:.*field 'work' has 7007 components: output writes fields of at most 1024\" err"
# the batch's initial values stay for the run: the memory check counts them with the fields
cat >mem.yaml <<EOT
name: mem
run: {steps: 1, dt: 0.5}
domain:
  batch:
    count: 10
    system: vdp
    values: {y: ["2", "0"], stats: 0, work: 0, w: 0}
fields: {y: {components: 2}, stats: {components: 10}, w: {components: 1000000}, work: {components: 21}}
step:
  - op: ode.dopri5
    readwrite: {y: y, stats: stats, work: work}
EOT
STARDAG_MAX_MEMORY=120M runrc "$sd" check mem.yaml
t "fields of 80 MB and their initial values (80 MB more) against 120 MiB: refused (exit 2), the values named" sh -c \
  "test $(rc) = 2 && grep -q 'mem.yaml:7:.*the fields and the initial values under values: (the latest, w: 1e+07 values) need 153 MiB of memory, more than the 120 MiB available' err"
STARDAG_MAX_MEMORY=200M runrc "$sd" check mem.yaml
t "... against 200 MiB: accepted" test "$(rc)" = 0
tap_end
