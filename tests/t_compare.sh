#!/bin/sh
# t_compare.sh - `stardag compare`: bitwise agreement across tilings, named differences,
# tolerances, missing datasets, dataset filters, bad input.
g="$top_srcdir/graphs/lattice/kg-packet.yaml"
. "$top_srcdir/tests/tap.sh"
run() { "$sd" run "$g" --set n=16 --steps 20 --quiet "$@" >/dev/null 2>&1; }

run --tiles 16x16x4 --ncpu 2 --out "$tmp/a.h5"
run --tiles 8x16x16 --ncpu 1 --out "$tmp/b.h5"
t "two runs with different tiles and workers wrote their outputs" test -s "$tmp/a.h5" -a -s "$tmp/b.h5"
runrc "$sd" compare "$tmp/a.h5" "$tmp/b.h5"
t "different tilings: exit 0" test "$(rc)" = 0
t "different tilings: agree bitwise" grep -q "a.h5 and .*b.h5 agree (bitwise)" "$tmp/out"
t "every dataset has a line: field steps" grep -q "^ */fields/E/00000020 .*4096 elements  max abs diff 0 .*exceeding 0" "$tmp/out"
t "every dataset has a line: scalar series, step and time" \
  sh -c "grep -q '/scalars/energy ' '$tmp/out' && grep -q '/scalars/step ' '$tmp/out' && grep -q '/scalars/time ' '$tmp/out'"

run --set chi0=0.2000001 --out "$tmp/c.h5"
runrc "$sd" compare "$tmp/a.h5" "$tmp/c.h5"
t "a changed parameter: exit 3" test "$(rc)" = 3
t "a changed parameter: the verdict counts the datasets" grep -q "a.h5 and .*c.h5 differ: 3 of 6 datasets out of tolerance" "$tmp/out"
t "a changed parameter: the differing field step is named with its first offending index" \
  grep -q "^ */fields/E/00000020 .*exceeding 4096, first at \[0\]\[0\]\[0\]: " "$tmp/out"
t "a changed parameter: the unchanged initial field agrees" grep -q "^ */fields/E/00000000 .*exceeding 0$" "$tmp/out"
runrc "$sd" compare "$tmp/a.h5" "$tmp/c.h5" --quiet
t "--quiet: only the differing datasets and the verdict" \
  sh -c "test $(rc) = 3 && ! grep -q '00000000' '$tmp/out' && grep -q '/scalars/energy' '$tmp/out'"
runrc "$sd" compare "$tmp/a.h5" "$tmp/c.h5" --rtol 1e-3
t "--rtol 1e-3 lets the small difference pass (exit 0)" test "$(rc)" = 0
t "--rtol: the verdict names the tolerances" grep -q "agree within rtol=0.001 atol=0" "$tmp/out"
runrc "$sd" compare "$tmp/a.h5" "$tmp/c.h5" --atol 1e-3
t "--atol 1e-3 lets it pass too" test "$(rc)" = 0
runrc "$sd" compare "$tmp/a.h5" "$tmp/c.h5" --rtol 1e-9
t "a too small --rtol: exit 3" test "$(rc)" = 3
runrc "$sd" compare "$tmp/a.h5" "$tmp/c.h5" --fields E --rtol 1e-3
t "--fields E: only the field is compared" sh -c "test $(rc) = 0 && ! grep -q '/scalars/' '$tmp/out'"
runrc "$sd" compare "$tmp/a.h5" "$tmp/c.h5" --scalars max_E
t "--scalars max_E: that series (with step and time), no fields" \
  sh -c "test $(rc) = 3 && grep -q '/scalars/max_E' '$tmp/out' && grep -q '/scalars/time' '$tmp/out' && ! grep -q '/fields/' '$tmp/out' && ! grep -q 'energy' '$tmp/out'"

run --steps 30 --out "$tmp/d.h5"
runrc "$sd" compare "$tmp/a.h5" "$tmp/d.h5" --fields E
t "different output steps: exit 3" test "$(rc)" = 3
t "a step only in A is named" grep -q "/fields/E/00000020 .*only in .*a.h5" "$tmp/out"
t "a step only in B is named" grep -q "/fields/E/00000030 .*only in .*d.h5" "$tmp/out"
runrc "$sd" compare "$tmp/a.h5" "$tmp/d.h5" --scalars energy
t "scalar series of different lengths differ" grep -q "/scalars/energy .*shape \[2\] vs \[3\]" "$tmp/out"
run --set n=8 --out "$tmp/e.h5"
runrc "$sd" compare "$tmp/a.h5" "$tmp/e.h5"
t "different grid shapes: exit 3, shapes shown" \
  sh -c "test $(rc) = 3 && grep -q '/fields/E/00000000 .*shape \[16\]\[16\]\[16\] vs \[8\]\[8\]\[8\]' '$tmp/out'"

runrc "$sd" compare "$tmp/a.h5" "$tmp/missing.h5"
t "a missing file: exit 2 naming it" sh -c "test $(rc) = 2 && grep -q 'missing.h5: cannot open: No such file' '$tmp/err'"
echo "not hdf5" >"$tmp/text.h5"
runrc "$sd" compare "$tmp/text.h5" "$tmp/a.h5"
t "not an HDF5 file: exit 2 naming it" sh -c "test $(rc) = 2 && grep -q 'text.h5: not an HDF5 file' '$tmp/err'"
if command -v h5copy >/dev/null 2>&1; then
  h5copy -i "$tmp/a.h5" -o "$tmp/plain.h5" -s /grid -d /grid
  runrc "$sd" compare "$tmp/a.h5" "$tmp/plain.h5"
  t "an HDF5 file that is no stardag output: exit 2 naming it" \
    sh -c "test $(rc) = 2 && grep -q 'plain.h5: not a stardag output' '$tmp/err'"
  h5copy -i "$tmp/b.h5" -o "$tmp/plain2.h5" -s /grid -d /grid
  runrc "$sd" compare --any "$tmp/plain.h5" "$tmp/plain2.h5"
  t "--any: two plain HDF5 files with equal datasets agree (exit 0)" \
    sh -c "test $(rc) = 0 && grep -q 'plain.h5 and .*plain2.h5 agree (bitwise)' '$tmp/out'"
  h5copy -i "$tmp/c.h5" -o "$tmp/plain3.h5" -s /fields -d /grid
  runrc "$sd" compare --any "$tmp/plain.h5" "$tmp/plain3.h5"
  t "--any: different contents differ (exit 3)" test "$(rc)" = 3
else
  skip "h5copy not installed"
fi
runrc "$sd" compare "$tmp/a.h5" "$tmp/b.h5" --fields Q
t "--fields with a name in neither file: exit 2" sh -c "test $(rc) = 2 && grep -q \"no field 'Q' in either file\" '$tmp/err'"
runrc "$sd" compare "$tmp/a.h5"
t "one file only: exit 2 with usage" sh -c "test $(rc) = 2 && grep -q 'usage: stardag compare' '$tmp/err'"
runrc "$sd" compare "$tmp/a.h5" "$tmp/b.h5" --rtol -1
t "a negative tolerance: exit 2" test "$(rc)" = 2
runrc "$sd" compare "$tmp/a.h5" "$tmp/b.h5" --fields ""
t "--fields with no name: exit 2 (it compared everything)" sh -c "test $(rc) = 2 && grep -q 'expects NAME' '$tmp/err'"
runrc "$sd" compare "$tmp/a.h5" "$tmp/b.h5" --rtol 1e-400
t "--rtol below the smallest double: taken as 0 (exit 0 on equal files)" test "$(rc)" = 0

# --any, exact types: integers in their own size and sign (past 2^53 a double of each is not
# exact), strings; made with h5import (hdf5-tools)
if command -v h5import >/dev/null; then
  mk() { # mk NAME CLASS SIZE VALUES...: a dataset /data of the values
    nm=$1 cls=$2 sz=$3
    shift 3
    echo "$@" >"$tmp/$nm.txt"
    printf 'PATH /data\nINPUT-CLASS TEXTIN\nINPUT-SIZE 64\nRANK 1\nDIMENSION-SIZES %s\nOUTPUT-CLASS %s\nOUTPUT-SIZE %s\n' $# "$cls" "$sz" >"$tmp/$nm.cfg"
    h5import "$tmp/$nm.txt" -c "$tmp/$nm.cfg" -o "$tmp/$nm.h5" >/dev/null 2>&1
  }
  mk big1 IN 64 9007199254740992 123456789012345678
  mk big2 IN 64 9007199254740993 123456789012345678
  runrc "$sd" compare "$tmp/big1.h5" "$tmp/big2.h5" --any
  t "--any: int64 values 1 apart past 2^53 differ (exit 3), shown exactly" \
    sh -c "test $(rc) = 3 && grep -q '/data  *int64\[2\] .*exceeding 1, first at \[0\]: 9007199254740992 vs 9007199254740993' '$tmp/out'"
  mk i32 IN 32 1 2 3
  mk i64 IN 64 1 2 3
  runrc "$sd" compare "$tmp/i32.h5" "$tmp/i64.h5" --any
  t "--any: the same values as int32 and int64: a dtype difference" sh -c "test $(rc) = 3 && grep -q 'dtype int32 vs int64' '$tmp/out'"
  runrc "$sd" compare "$tmp/i32.h5" "$tmp/i32.h5" --any
  t "--any: an int32 dataset agrees with itself, named as int32" sh -c "test $(rc) = 0 && grep -q '/data  *int32\[3\]' '$tmp/out'"
  printf 'hello\nsecond line\n' >"$tmp/s1.txt"
  printf 'hello\nsecond linf\n' >"$tmp/s2.txt"
  printf 'PATH /text\nINPUT-CLASS STR\n' >"$tmp/s.cfg"
  h5import "$tmp/s1.txt" -c "$tmp/s.cfg" -o "$tmp/s1.h5" >/dev/null 2>&1
  h5import "$tmp/s2.txt" -c "$tmp/s.cfg" -o "$tmp/s2.h5" >/dev/null 2>&1
  runrc "$sd" compare "$tmp/s1.h5" "$tmp/s2.h5" --any
  t "--any: strings compared, the first differing one quoted" \
    sh -c "test $(rc) = 3 && grep -q 'first at \[1\]: \"second line\" vs \"second linf\"' '$tmp/out'"
  runrc "$sd" compare "$tmp/a.h5" "$tmp/a.h5" --any
  t "--any: a run file (its /run strings too) agrees with itself" sh -c "test $(rc) = 0 && grep -q '/run/.* string' '$tmp/out'"
else
  skip "h5import not installed"
fi

tap_end
