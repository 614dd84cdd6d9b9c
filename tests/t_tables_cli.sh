#!/bin/sh
# t_tables_cli.sh - a graph's tables through the stardag command line, with the table test codelets
# as a pack (tests/table_pack.c): check lists each table, `codelets` shows a table role, runs on
# two tilings agree bitwise and record the table, the same run without the table differs, dot and
# verify (an optional table role left unbound; a required one named as untestable), and a bad
# table file is refused at load (exit 2) naming the graph's key and the file's line and column.
. "$top_srcdir/tests/tap.sh"
pack="$top_builddir/tests/.libs/table_pack.so"
[ -f "$pack" ] || { echo "1..0 # SKIP the test pack $pack was not built"; exit 77; }
cd "$tmp" || exit 99
printf '# x f\n0 1\n2.5, 2\n5\t0.5\n10 3\n' >curve.txt
cat >g.yaml <<EOF2
plugins: [$pack]
domain:
  grid: {shape: [24, 6], spacing: 0.5}
fields:
  u:
  v:
tables:
  water: {file: curve.txt, columns: 2}
init:
  - op: tt.ramp
    write: {u: u}
step:
  - op: tt.scale
    read: {in: u, curve: water}
    write: {out: v}
output:
  fields: {names: [v], every: 1}
run: {steps: 2, dt: 1}
EOF2

runrc "$sd" check g.yaml
t "check: ok" test "$(rc)" = 0
t "check: the table's rows, columns and file" grep -qF "table water: 4 rows x 2 columns from curve.txt" "$tmp/out"
runrc "$sd" codelets --load "$pack"
t "codelets: the table role, its columns, optional" grep -q "curve *read *table, optional, 2 columns" "$tmp/out"
runrc "$sd" run g.yaml --out one.h5 --tiles 24x6 --ncpu 1
t "run on one tile" test "$(rc)" = 0
runrc "$sd" run g.yaml --out four.h5 --tiles 7x4 --ncpu 2
t "run on uneven 4x2 tiles, 2 CPUs" test "$(rc)" = 0
runrc "$sd" compare one.h5 four.h5
t "the two tilings agree bitwise" test "$(rc)" = 0
t "the run file records the table and its file" \
  sh -c "h5dump -d /tables/water -a /tables/water/file four.h5 | grep -q '(1,0): 2.5, 2' && h5dump -a /tables/water/file four.h5 | grep -q '\"curve.txt\"'"
sed -e 's/, curve: water//' -e '/^tables:/d' -e '/water: {file:/d' g.yaml >unbound.yaml
runrc "$sd" run unbound.yaml --out unbound.h5
t "without the optional table: runs" test "$(rc)" = 0
runrc "$sd" compare one.h5 unbound.h5 --quiet
t "without the table the values differ (f = 1)" test "$(rc)" = 3

runrc "$sd" dot g.yaml
t "dot: the step's DAG with the table's op" sh -c "test $(rc) = 0 && grep -q 'tt.scale' '$tmp/out'"
runrc "$sd" verify --cpu-vs-cpu --load "$pack" --shapes 9x7 tt.scale
t "verify: an optional table role left unbound, CPU vs CPU bitwise" sh -c "test $(rc) = 0 && grep -q '^ok *tt.scale *2D 9x7 *f64 *bitwise' '$tmp/out'"
runrc "$sd" verify --cpu-vs-cpu --load "$pack" --shapes 9x7 tt.total
t "verify: a required table role cannot be tested, and says why" \
  sh -c "test $(rc) = 1 && grep -q 'ERROR tt.total .*role t reads a table, which the grid test system does not have' '$tmp/out'"

printf '0 1\n1 2 3\n' >ragged.txt
sed -e 's/file: curve.txt/file: ragged.txt/' g.yaml >bad.yaml
runrc "$sd" run bad.yaml --out bad.h5
t "a ragged table: exit 2" test "$(rc)" = 2
t "  naming the graph's key and the file's line and column" \
  grep -qF "bad.yaml:8:17: table 'water': ragged.txt:2:5: row 2 has more than 2 values (expected as many as row 1, line 1)" "$tmp/err"
t "  and writing no output" test ! -e bad.h5
tap_end
