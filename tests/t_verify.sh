#!/bin/sh
# t_verify.sh - `stardag verify`: unknown codelets, the generated graphs checked CPU against CPU
# (other tiles and worker counts, bitwise) for every codelet, temporary files, and CPU against
# CUDA where a CUDA device is available (skipped otherwise).
. "$top_srcdir/tests/tap.sh"
TMPDIR=$tmp/vt
export TMPDIR
mkdir -p "$TMPDIR"

runrc "$sd" verify lattice.kg_leapfog
t "an unknown codelet: exit 2" test "$(rc)" = 2
t "an unknown codelet: the nearest name is suggested" \
  grep -q "unknown codelet 'lattice.kg_leapfog' (did you mean 'lattice.kg_leapfrog'?)" "$tmp/err"
runrc "$sd" verify --cpu-vs-cpu common.fil
t "an unknown codelet with --cpu-vs-cpu: exit 2" sh -c "test $(rc) = 2 && grep -q \"did you mean 'common.fill'\" '$tmp/err'"
runrc "$sd" verify --shapes 37,0x3
t "a bad --shapes: exit 2" test "$(rc)" = 2
runrc "$sd" verify --frobnicate
t "an unknown option: exit 2" test "$(rc)" = 2

# every codelet: the CPU with one worker and uneven tiles against two workers and other tiles
runrc "$sd" verify --cpu-vs-cpu
cp "$tmp/out" "$tmp/all"
t "--cpu-vs-cpu, every codelet: exit 0" test "$(rc)" = 0
t "--cpu-vs-cpu: the summary says all cases are ok" grep -q "^stardag verify: [0-9]* cases: [0-9]* ok, 0 failed, 0 errors" "$tmp/all"
missing=
for c in $("$sd" codelets | sed -n 's/^\([a-z_0-9]*\.[a-z_0-9]*\)  \[.*/\1/p'); do
  for s in "1D 37 " "2D 33x17 " "3D 19x13x11 "; do
    for d in f64 f32; do
      # the grid packs must pass; codelets of other domain kinds may be skipped (no grid graph)
      case $c in
        common.*|lattice.*) re="^ok  *$c  *$s *$d  *bitwise" ;;
        *) re="^\(ok  *$c  *$s *$d  *bitwise\|skip  *$c  *$s *$d  \)" ;;
      esac
      grep -q "$re" "$tmp/all" || missing="$missing $c/$s/$d"
    done
  done
done
t "--cpu-vs-cpu: every codelet passes in 1-D, 2-D and 3-D, f64 and f32${missing:+ (missing:$missing)}" test -z "$missing"
t "--cpu-vs-cpu: one line per case" \
  test "$(grep -c '^ok ' "$tmp/all")" = "$(sed -n 's/^stardag verify: \([0-9]*\) cases.*/\1/p' "$tmp/all")"
t "the temporary directory is removed" sh -c "! ls -d '$TMPDIR'/stardag-verify.* 2>/dev/null | grep -q ."

runrc "$sd" verify --cpu-vs-cpu lattice.energy common.copy --shapes 9x7x5 --quiet
t "--quiet: only the summary" sh -c "test $(rc) = 0 && test \$(wc -l <'$tmp/out') = 1 && grep -q '4 cases: 4 ok' '$tmp/out'"

# --keep: graphs and outputs stay; the kept graph reproduces the CPU output through the CLI
runrc "$sd" verify --cpu-vs-cpu lattice.kg_leapfrog --shapes 11x9 --keep
t "--keep: exit 0" test "$(rc)" = 0
kept=$(ls -d "$TMPDIR"/stardag-verify.* 2>/dev/null | head -1)
t "--keep: graphs and outputs are kept" test -s "$kept/case000.yaml" -a -s "$kept/case000-cpu.h5" -a -s "$kept/case000-cpu2.h5"
t "--keep: the summary names the directory" grep -q "outputs kept in $kept" "$tmp/out"
"$sd" run "$kept/case000.yaml" --out "$tmp/rerun.h5" --quiet >/dev/null 2>&1
runrc "$sd" compare "$kept/case000-cpu.h5" "$tmp/rerun.h5"
t "--keep: stardag run of a kept graph reproduces its output bitwise" test "$(rc)" = 0
runrc "$sd" compare "$kept/case000-cpu.h5" "$kept/case001-cpu.h5"
t "the f64 and f32 cases' outputs differ (the comparison would notice)" test "$(rc)" = 3
rm -rf "$kept"

# CPU against CUDA: needs a CUDA device (and StarPU with CUDA); unknown names come first
runrc "$sd" verify
if [ "$(rc)" = 1 ] && grep -q "no CUDA device available (StarPU CUDA support: \(yes\|no\)): nothing to compare" "$tmp/err"; then
  skip "CPU vs CUDA: $(cat "$tmp/err")"
else
  cp "$tmp/out" "$tmp/cuda"
  t "CPU vs CUDA, every codelet with a CUDA implementation: exit 0" test "$(rc)" = 0
  t "CPU vs CUDA: no case failed" grep -q "^stardag verify: [0-9]* cases: [0-9]* ok, 0 failed, 0 errors" "$tmp/cuda"
fi

tap_end
