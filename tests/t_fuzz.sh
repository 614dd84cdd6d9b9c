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
# The one known defect inside HDF5 (Debian 12's 1.10.8, docs/reliability.md "Fuzzing"): reading
# freed memory while H5Aexists iterates the attribute messages of a damaged version-1 object header.
# Recognised only by that stack: the access inside libhdf5 (frame #0 an interceptor or HDF5, frame
# #1 HDF5) with H5O__msg_iterate_real and H5O__attr_exists above it. Any other report fails.
known_hdf5_defect() {
  awk '/^==[0-9]+==ERROR: AddressSanitizer/ { on = 1; next } on && /^ *$/ { exit } on' "$tmp/err" >"$tmp/stack"
  sed -n '/^ *#0 /p' "$tmp/stack" | head -n 1 | grep -Eq '__interceptor_|__asan_|libhdf5' &&
    sed -n '/^ *#1 /p' "$tmp/stack" | head -n 1 | grep -q libhdf5 &&
    grep -q 'H5O__msg_iterate_real' "$tmp/stack" && grep -q 'H5O__attr_exists' "$tmp/stack"
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
  if [ "$(rc)" != 0 ] && known_hdf5_defect; then
    # not stardag's to fix; stardag's checkpoints are written in the 1.10 format, whose checksummed
    # headers HDF5 refuses when damaged, so only a foreign or older (format 1) file reaches it
    skip "fuzz_$target: stopped by HDF5 1.10.8's use of freed memory in H5Aexists on a damaged v1 object header ($(grep -m1 -o 'AddressSanitizer: [a-z-]*' "$tmp/err"))"
  else
    t "fuzz_$target: $runs runs from seed 1 without a crash, leak or sanitizer report" test "$(rc)" = 0
  fi
  grep -E '^(#[0-9]+.*DONE|Done)' "$tmp/err" | sed 's/^/# /'
  [ "$(rc)" = 0 ] || grep -E -A 25 '^==[0-9]+==' "$tmp/err" | sed 's/^/# /' | head -n 40
done
tap_end
