#!/bin/sh
# t_output_defects.sh - output defects of issue 13 §4, each a regression test:
#  - --out /dev/full (a device): refused before anything is written (exit 2), with and without
#    --overwrite, the device left as it was, no HDF5 messages;
#  - a write error (a file size limit: a full disk) ends with one clear error, exit 1, no HDF5
#    messages on stderr, the file readable at its last commit;
#  - a plain (non-HDF5) file at the output path: refused naming it (exit 2); with --overwrite it is
#    kept as NAME.replaced and a warning says so;
#  - memory: a run writing a field at every step keeps its peak RSS flat (VmHWM of 800 vs 200 field
#    steps, /usr/bin/time): ~33 KB a step before, < 1 KiB a step now.
g="$top_srcdir/graphs/lattice/kg-packet.yaml"
ge="$top_srcdir/tests/graphs/kg-every-step.yaml"
. "$top_srcdir/tests/tap.sh"

if test -c /dev/full; then
  before=$(ls -l /dev/full)
  runrc "$sd" run "$g" --set n=16 --steps 20 --out /dev/full --log "$tmp/full.log"
  t "--out /dev/full: exit 2" test "$(rc)" = 2
  t "--out /dev/full: a device is not a regular file, said once" sh -c "grep -q '/dev/full is a character device, not a regular file: the output file must be a regular file' '$tmp/err' && test \$(wc -l <'$tmp/err') = 1"
  runrc "$sd" run "$g" --set n=16 --steps 20 --out /dev/full --log "$tmp/full.log" --overwrite
  t "--out /dev/full --overwrite: exit 2 too (never moved aside)" test "$(rc)" = 2
  t "--out /dev/full: no HDF5 messages" sh -c "! sed -e 's|$tmp||g' -e 's|$top_srcdir||g' '$tmp/err' | grep -qi 'hdf5\|H5[A-Z]'"
  t "--out /dev/full: the device is untouched (no /dev/full.replaced, no sidecar)" sh -c "test -c /dev/full && test \"\$(ls -l /dev/full)\" = '$before' && ! test -e /dev/full.replaced && ! test -e /dev/full.xmf"
else
  skip "no /dev/full character device"
fi

# a full disk: a file size limit (SIGXFSZ is ignored by the run: the write fails with EFBIG)
runrc prlimit --fsize=327680 "$sd" run "$g" --set n=64 --steps 300 --out "$tmp/lim.h5" --log "$tmp/lim.log" --quiet
t "a full disk: exit 1" test "$(rc)" = 1
t "a full disk: one error naming the file and the reason" grep -q "lim.h5: cannot write field E at step 0: File too large" "$tmp/err"
# (the temporary folders' random names are taken out first: one may hold "h5" and a letter)
t "a full disk: no HDF5 messages (no 'infinite loop closing library')" sh -c "! sed -e 's|$tmp||g' -e 's|$top_srcdir||g' '$tmp/err' | grep -qi 'hdf5\|infinite loop\|H5[A-Z]'"
runrc "$sd" inspect "$tmp/lim.h5"
t "a full disk: the file opens at its last commit" sh -c "test $(rc) = 0 && grep -q 'stardag run file' '$tmp/out'"

echo "my notes, not a run" >"$tmp/notes.h5"
runrc "$sd" run "$g" --set n=16 --steps 20 --out "$tmp/notes.h5" --quiet
t "a plain file at the output path: exit 2" test "$(rc)" = 2
t "a plain file: named, said not to be HDF5" grep -q "notes.h5 exists and is not an HDF5 file (20 bytes), not a stardag run file" "$tmp/err"
t "a plain file: untouched" sh -c "test \"\$(cat '$tmp/notes.h5')\" = 'my notes, not a run'"
runrc "$sd" run "$g" --set n=16 --steps 20 --out "$tmp/notes.h5" --quiet --overwrite
t "a plain file with --overwrite: the run goes on (exit 0)" test "$(rc)" = 0
t "a plain file with --overwrite: a warning says where it went" grep -q "warning: .*notes.h5 was not an HDF5 file, not a stardag run file: --overwrite moved it to .*notes.h5.replaced and keeps it there" "$tmp/err"
t "a plain file with --overwrite: kept as notes.h5.replaced" sh -c "test \"\$(cat '$tmp/notes.h5.replaced')\" = 'my notes, not a run'"
rm -f "$tmp/notes.h5.replaced"
runrc "$sd" run "$g" --set n=16 --steps 20 --out "$tmp/notes.h5" --quiet --overwrite
t "a run file replaced with --overwrite: not kept (it was stardag's)" sh -c "test $(rc) = 0 && ! test -e '$tmp/notes.h5.replaced'"

# memory: peak RSS of 800 field steps within 1 KiB a step (+ 1 MiB) of 200 field steps
if test -n "${ASAN_OPTIONS:-}"; then
  skip "memory: peak RSS under AddressSanitizer (its quarantine and shadow memory grow with every allocation)"
elif test -x /usr/bin/time; then
  d=$tmp
  test -d /dev/shm && test -w /dev/shm && d=$(mktemp -d /dev/shm/sdmemXXXXXX)
  /usr/bin/time -f %M -o "$tmp/m200" "$sd" run "$ge" --steps 200 --out "$d/m200.h5" --log "" --quiet
  /usr/bin/time -f %M -o "$tmp/m800" "$sd" run "$ge" --steps 800 --out "$d/m800.h5" --log "" --quiet
  a=$(tail -n 1 "$tmp/m200"); b=$(tail -n 1 "$tmp/m800")
  echo "# peak RSS: 200 field steps $a kB, 800 field steps $b kB"
  t "memory: 600 more field steps raise the peak RSS by < 1624 kB (was ~20 MB)" test $((b - a)) -lt 1624
  test "$d" != "$tmp" && rm -rf "$d"
else
  skip "no /usr/bin/time (Debian package time)"
fi
rm -rf "$tmp"
tap_end
