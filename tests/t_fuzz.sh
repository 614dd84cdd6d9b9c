#!/bin/sh
# t_fuzz.sh - the fuzz targets (tests/fuzz.mk): every regression input of tests/fuzz/<target>/ (inputs
# that crashed the loader or the readers once, and seeds) replayed through the target; then, in the
# clang build tree of `make check-fuzz` where the libFuzzer programs exist, SD_FUZZ_RUNS (default
# 2000) executions of the loader and SD_FUZZ_RUNS_HDF5 (150) of each file reader from a fixed seed,
# with ASan, UBSan and LeakSanitizer.
. "$top_srcdir/tests/tap.sh"
for target in loader readers ckpt; do
  runrc "$top_builddir/tests/fuzz/replay_$target" "$top_srcdir/tests/fuzz/$target"
  count=$(grep -c '^ok' "$tmp/out")
  t "replay_$target: the $count inputs of tests/fuzz/$target load or fail with a message, no crash" test "$(rc)" = 0
  [ "$(rc)" = 0 ] || sed 's/^/# /' "$tmp/out" "$tmp/err" | tail -n 30
done
# The sanitizer report's access stack starts inside libhdf5: frame #0 a libc interceptor or HDF5
# itself, frame #1 HDF5 (a stardag callback called by HDF5 is frame #0, and is not matched).
in_hdf5() {
  awk '/^==[0-9]+==ERROR: AddressSanitizer/ { on = 1; next } on && /^ +#0 / { f0 = $0 } on && /^ +#1 / { print f0; print; exit }' \
    "$tmp/err" >"$tmp/frames"
  sed -n 1p "$tmp/frames" | grep -Eq '__interceptor_|__asan_|libhdf5' && sed -n 2p "$tmp/frames" | grep -q libhdf5
}
for target in loader readers ckpt; do
  runs=${SD_FUZZ_RUNS:-2000}
  [ "$target" = loader ] || runs=${SD_FUZZ_RUNS_HDF5:-150}
  prog="$top_builddir/tests/fuzz/fuzz_$target"
  if [ ! -x "$prog" ]; then
    skip "fuzz_$target: the libFuzzer programs are built by make check-fuzz (clang)"
    continue
  fi
  seeds="$top_srcdir/tests/fuzz/$target"
  [ "$target" = loader ] && seeds="$seeds $top_srcdir/graphs $top_srcdir/tests/graphs"
  mkdir -p "$tmp/corpus-$target"
  # shellcheck disable=SC2086 # seeds: several directories
  runrc "$prog" -runs="$runs" -seed=1 -timeout=10 -rss_limit_mb=2048 -artifact_prefix="$tmp/crash-" \
    "$tmp/corpus-$target" $seeds
  if [ "$(rc)" != 0 ] && in_hdf5; then
    # Debian 12's HDF5 1.10.8 reads freed or out-of-bounds memory on some damaged attribute messages
    # before stardag sees the data (docs/reliability.md, "Fuzzing"): not stardag's to fix
    skip "fuzz_$target: stopped by the known defect inside HDF5 1.10.8 ($(grep -m1 -o 'AddressSanitizer: [a-z-]*' "$tmp/err"))"
  else
    t "fuzz_$target: $runs runs from seed 1 without a crash, leak or sanitizer report" test "$(rc)" = 0
  fi
  grep -E '^(#[0-9]+.*DONE|Done)' "$tmp/err" | sed 's/^/# /'
  [ "$(rc)" = 0 ] || grep -E -A 25 '^==[0-9]+==' "$tmp/err" | sed 's/^/# /' | head -n 40
done
tap_end
