#!/bin/sh
# I/O faults: a short run (tests/faults/io-grid.yaml, a checkpoint every 10 steps) with the LD_PRELOAD
# injector (tests/faults/inject.c) failing one call on the files of the run (its HDF5 file, XDMF
# sidecar, log and checkpoints, all in one directory). A counting run first says how many calls of each kind the run makes
# there; then each case fails the n-th call of one kind (ENOSPC or EIO) and asserts:
#   - exit 1, in time (no hang: a timeout), no crash, no HDF5 internals on stderr;
#   - an error line naming a file of the run;
#   - the run file opens read-only (h5dump reads all of it), its status is not "completed", and
#     every field dataset and scalar row it holds (at least what it says it committed) equals an
#     uninterrupted run's, bit for bit (tests/faults/fault_check);
#   - each checkpoint left (FILE, FILE.1) whole (stardag inspect checks every checksum), and the run
#     file holding every output step up to the newest checkpoint's step.
# A case whose call the run does not reach (counts vary a little with timing) must complete; so must
# one whose failure the run need not see (a block HDF5 writes again later, the directory's
# best-effort fsync): exit 0 with its file whole and equal ("tolerated", counted apart).
# SD_FAULTS_FULL=1 (make check-faults): every n of every kind, with ENOSPC and with EIO, and a disk
# that stays full from the n-th call of any kind on (sticky ENOSPC). Otherwise (make check): the
# first and the last call of each kind (ENOSPC, EIO). With SD_FAULTS_FULL=1, SD_FAULTS_FIRST=A and/or
# SD_FAULTS_LAST=B narrow that to the first A and the last B calls of each kind (and of all calls,
# for the sticky cases): the create and the final commit and close, in a fraction of the time.
. "$top_srcdir/tests/tap.sh"
STARDAG_FSYNC=1; export STARDAG_FSYNC # the harness turns syncs off for the suite; these cases need them
if [ -n "${ASAN_OPTIONS:-}" ]; then # ASan's runtime must be the first library; the injector is LD_PRELOADed
  echo "1..0 # SKIP the LD_PRELOAD fault injector cannot run before AddressSanitizer's runtime"
  exit 77
fi
g="$top_srcdir/tests/faults/io-grid.yaml"
inj="$top_builddir/tests/faults/.libs/inject.so"
check="$top_builddir/tests/faults/fault_check"
full=${SD_FAULTS_FULL:-0}
limit=${SD_FAULTS_CASE_TIMEOUT:-120}
if [ ! -f "$inj" ] || ! command -v h5dump >/dev/null; then # both come with the build and its set-up: a broken one
  echo "Bail out! needs the fault injector $inj (make check builds tests/faults/inject.la) and h5dump (hdf5-tools, scripts/setup.sh)"
  exit 99
fi
dir="$tmp/d"
run() { # run OUTDIR [injector variables...]: the run, writing into OUTDIR
  o=$1; shift
  rm -rf "$o" && mkdir -p "$o"
  env "$@" timeout "$limit" "$sd" run "$g" --ncpu 2 --out "$o/out.h5" --log "$o/out.log" --quiet \
    --checkpoint "$o/run.ckpt.h5" --checkpoint-every 10 >"$tmp/out" 2>"$tmp/err"
  echo $? >"$tmp/rc"
}

run "$tmp/ref"
t "the uninterrupted run succeeds" test "$(rc)" = 0
rm -f "$tmp/count"
run "$dir" LD_PRELOAD="$inj" SD_FAULT_DIR="$dir" SD_FAULT_COUNT="$tmp/count"
t "the counting run succeeds, its file equal to the uninterrupted run's" \
  sh -c "test $(rc) = 0 && '$check' '$dir/out.h5' '$tmp/ref/out.h5' --completed"
t "the counting run saw pwrite, fdatasync, rename and write calls" \
  sh -c "grep -q '^pwrite ' '$tmp/count' && grep -q '^fdatasync ' '$tmp/count' && grep -q '^rename ' '$tmp/count' && grep -q '^write ' '$tmp/count'"
echo "# calls on the run's files: $(tr '\n' ' ' <"$tmp/count")"
# STARDAG_FSYNC=0 (io/durable.h): the same writes, in order, and no sync at all
rm -f "$tmp/count0"
run "$tmp/nosync" STARDAG_FSYNC=0 LD_PRELOAD="$inj" SD_FAULT_DIR="$tmp/nosync" SD_FAULT_COUNT="$tmp/count0"
t "STARDAG_FSYNC=0: the run succeeds, its file equal to the uninterrupted run's" \
  sh -c "test $(rc) = 0 && '$check' '$tmp/nosync/out.h5' '$tmp/ref/out.h5' --completed"
t "... with its pwrite, rename and write calls and no fsync or fdatasync call" \
  sh -c "grep -q '^pwrite ' '$tmp/count0' && grep -q '^rename ' '$tmp/count0' && ! grep -Eq '^f(data)?sync ' '$tmp/count0'"
t "... and its log says that durability is off" grep -q "^durability: off (STARDAG_FSYNC=0)" "$tmp/nosync/out.log"
t "with syncs on, the log does not say so" sh -c "! grep -q durability '$tmp/ref/out.log'"
total=$(awk '{ s += $2 } END { print s + 0 }' "$tmp/count")

errors=0 unreached=0 bad=0 tolerated=0
rm -f "$tmp/tolerated"
one_case() { # one_case CALL N ERRNO [STICKY]
  c=$1 k=$2 e=$3 st=${4:-0}
  rm -f "$tmp/fired"
  run "$dir" LD_PRELOAD="$inj" SD_FAULT_DIR="$dir" SD_FAULT_CALL="$c" SD_FAULT_N="$k" SD_FAULT_ERRNO="$e" \
    SD_FAULT_STICKY="$st" SD_FAULT_LOG="$tmp/fired"
  r=$(rc) what="$c #$k $e$( [ "$st" = 1 ] && echo ' from then on')"
  n=$((n + 1))
  if [ ! -s "$tmp/fired" ]; then
    if [ "$r" = 0 ] && "$check" "$dir/out.h5" "$tmp/ref/out.h5" --completed >"$tmp/chk"; then
      unreached=$((unreached + 1)); echo "ok $n - $what: not reached (the run made fewer calls), completed"
    else
      bad=$((bad + 1)); fails=$((fails + 1))
      echo "not ok $n - $what: not reached, yet exit $r: $(head -c 600 "$tmp/err") $(cat "$tmp/chk" 2>/dev/null)"
    fi
    return
  fi
  why="" on=$(awk '{ print $3; exit }' "$tmp/fired")
  # the run file may say "completed" when the failed file is another one, written after it
  # closed (the log's last lines, the sidecar's final rewrite, the directory's fsync after that
  # rename, best effort, with a disk full from then on failing the log): it must then be whole
  status_rule=""
  case "$on" in "$dir/out.log"|"$dir"/out.xmf*|"$dir") status_rule=--any-status ;; esac
  # (or a failure of the run file's close after its final commit, which the run ignores: the
  # file is whole; with a disk full from then on, the log then fails)
  grep "^stardag: " "$tmp/err" | grep -q "$dir/out\.h5" || status_rule=--any-status
  # (or a disk that refuses everything from the final status commit's last sync on: the status
  # written there may stay, which the run says; the data it vouches for was durable before)
  grep -q 'the file may read "completed" (its data, committed before, is whole)' "$tmp/err" && status_rule=--any-status
  # a failure the run need not see (HDF5 rewrites that block later; the directory's fsync, best
  # effort in io/h5util.c): it completes, and its file must be whole and equal
  if [ "$r" = 0 ] && "$check" "$dir/out.h5" "$tmp/ref/out.h5" --completed >"$tmp/chk" &&
     h5dump "$dir/out.h5" >/dev/null 2>&1; then
    tolerated=$((tolerated + 1))
    echo "$c on ${on#"$dir"/}" >>"$tmp/tolerated"
    echo "ok $n - $what on ${on#"$dir"/}: tolerated (exit 0, the run file completed, whole and equal)"
    return
  fi
  [ "$r" = 1 ] || why="exit $r (expected 1)"
  grep -q "^stardag: .*$dir/" "$tmp/err" || why="$why; no error line naming a file of the run"
  grep -qi "HDF5-DIAG\|infinite loop\|backtrace\|Segmentation\|Aborted\|sanitizer" "$tmp/err" && why="$why; HDF5 internals or a crash on stderr"
  if [ -f "$dir/out.h5" ]; then
    h5dump "$dir/out.h5" >/dev/null 2>"$tmp/h5dump.err" || why="$why; h5dump cannot read $dir/out.h5: $(head -c 300 "$tmp/h5dump.err")"
    "$check" "$dir/out.h5" "$tmp/ref/out.h5" $status_rule >"$tmp/chk" || why="$why; $(cat "$tmp/chk")"
    kept=$(sed -n 's/.*status \(.*\), \([0-9]*\) field datasets and \([0-9]*\) scalar rows read back.*/\2 field datasets, \3 rows kept (status \1)/p' "$tmp/chk")
  else
    kept="no run file left (failed at creation)"
  fi
  # the checkpoints: each one there is whole (stardag inspect verifies every checksum), and the run
  # file holds every output step up to the newest one's step
  for ck in "$dir/run.ckpt.h5" "$dir/run.ckpt.h5.1"; do
    [ -f "$ck" ] || continue
    "$sd" inspect "$ck" >"$tmp/insp" 2>&1 || why="$why; $ck is not a valid checkpoint: $(grep -v 'checksum ok' "$tmp/insp" | head -c 300)"
  done
  if [ -f "$dir/run.ckpt.h5" ]; then
    "$sd" inspect "$dir/run.ckpt.h5" >"$tmp/insp0" 2>&1
    ks=$(sed -n 's/^  step \([0-9]*\),.*/\1/p' "$tmp/insp0")
    last=$(sed -n 's/.*, \([0-9]*\) field datasets and .*/\1/p' "$tmp/chk" 2>/dev/null)
    # io-grid writes 2 fields every 10 steps from step 0: steps <= K make 2 * (K / 10 + 1) datasets
    [ -n "$ks" ] && [ -n "$last" ] && [ "$last" -lt $((2 * (ks / 10 + 1))) ] &&
      why="$why; checkpoint of step $ks, but the run file holds only $last field datasets"
    kept="$kept, checkpoint of step ${ks:-?} whole"
  fi
  if [ -z "$why" ]; then
    errors=$((errors + 1))
    echo "ok $n - $what on ${on#"$dir"/}: exit 1, $kept"
  else
    bad=$((bad + 1)); fails=$((fails + 1))
    echo "not ok $n - $what on ${on#"$dir"/}: $why"
    sed 's/^/#   /' "$tmp/err" | head -20
  fi
}

narrow_first=${SD_FAULTS_FIRST:-} narrow_last=${SD_FAULTS_LAST:-}
wanted() { # wanted K COUNT: whether case K of COUNT calls is in the narrowed set
  [ -z "$narrow_first$narrow_last" ] || [ "$1" -le "${narrow_first:-0}" ] || [ "$1" -gt $(($2 - ${narrow_last:-0})) ]
}
cases=0
while read -r c cnt; do
  if [ "$full" = 1 ]; then
    k=1
    while [ "$k" -le "$cnt" ]; do
      wanted "$k" "$cnt" && for e in ENOSPC EIO; do one_case "$c" "$k" "$e"; cases=$((cases + 1)); done
      k=$((k + 1))
    done
  else
    for k in $(printf '%s\n' 1 "$cnt" | sort -un); do
      e=ENOSPC; [ "$k" = "$cnt" ] && e=EIO
      one_case "$c" "$k" "$e"; cases=$((cases + 1))
    done
  fi
done <"$tmp/count"
if [ "$full" = 1 ]; then
  k=1
  while [ "$k" -le "$total" ]; do
    wanted "$k" "$total" && { one_case any "$k" ENOSPC 1; cases=$((cases + 1)); }
    k=$((k + 1))
  done
fi
echo "# $cases fault cases over $total calls: $errors ended with exit 1 and intact files, $tolerated tolerated" \
  "($(sort "$tmp/tolerated" 2>/dev/null | uniq -c | awk '{ printf "%s%s %s x%d", (NR > 1 ? ", " : ""), $2, $4, $1 }')), $unreached not reached, $bad wrong"
tap_end
