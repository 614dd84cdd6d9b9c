#!/bin/sh
# t_batch_cli.sh - batch domains through the stardag command line, with the test fixture loaded as
# a pack (tests/batch_pack.c: the t_osc system and the t.* batch codelets): check, run (the summary
# and its failure report, --tiles), dot, verify (the batch test system, CPU vs CPU bitwise), and
# the exit status of a bad batch graph.
. "$top_srcdir/tests/tap.sh"
pack="$top_builddir/tests/.libs/batch_pack.so"
[ -f "$pack" ] || { echo "1..0 # SKIP the test pack $pack was not built"; exit 77; }
cd "$tmp" || exit 99
cat >osc.yaml <<EOF2
plugins: [$pack]
run: {steps: 3, dt: 0.01}
domain:
  batch:
    count: 1000
    system: t_osc
    values:
      y: ["1 + i/M", "0"]
      k: {random: uniform, range: [0.5, 2], seed: 1}
      stats: {random: uniform, range: [0, 0]}
fields:
  y: {components: 2}
  k:
  stats: {components: 10}
scalars: [total]
step:
  - op: t.euler
    readwrite: {y: y}
    read: {p: k}
  - op: t.mark
    readwrite: {stats: stats}
  - op: t.sum
    read: {y: y}
    write: {total: total}
output:
  file: osc.h5
  fields: {names: [y, stats], every: 1}
  scalars: {names: [total], every: 1}
EOF2

runrc "$sd" check osc.yaml
t "check: a batch graph is ok and named" grep -q "^osc.yaml: ok (a batch of 1000 systems, 3 fields, 1 scalar, 3 init ops, 3 step ops" out
runrc "$sd" run osc.yaml --tiles 4 --ncpu 2
t "run: exit 0" test "$(rc)" = 0
t "... the summary names the system and the ranges" grep -q "1,000 systems (system t_osc) in 4 ranges of 250 systems" out
t "... and the systems the stats field marks failed" grep -q "^  systems: 257 failed, 68 stopped by a terminal event of 1,000 (field stats)" out
t "... by status, with the first failed ones" grep -q "^    first failed systems: 3 5 9 10 17 18 24 26 31 38$" out
runrc "$sd" dot osc.yaml --tiles 3
t "dot: the ops over 3 ranges" sh -c "test $(rc) = 0 && grep -q 't.euler.ntile 2' '$tmp/out' && ! grep -q 'tile 3' '$tmp/out'"
runrc "$sd" verify --cpu-vs-cpu --load "$pack" t.euler t.sum t.mark
t "verify --cpu-vs-cpu: the batch test systems (non-stiff and stiff), 6 cases ok" grep -q "^stardag verify: 6 cases: 6 ok, 0 failed, 0 errors" out
t "... described" grep -q "batch codelets run on 1000 copies of an ODE system (2 intervals), non-stiff and stiff, 1 range vs 3" out
sed 's/system: t_osc/system: t_ocs/' osc.yaml >bad.yaml
runrc "$sd" check bad.yaml
t "an unknown system: exit 2, at its line and column, with a suggestion" \
  sh -c "test $(rc) = 2 && grep -q \"^bad.yaml:6:13: unknown ODE system 't_ocs' (did you mean 't_osc'?\" '$tmp/err'"
tap_end
