#!/bin/sh
# I/O faults in the checkpoint writer (io/ckpt_write.c, through tests/faults/ckpt_io): with
# checkpoints 1 and 2 on disk (keep 2: FILE = 2, FILE.1 = 1), writing checkpoint 3 with the n-th call
# of one kind failing (every n of every kind the writer makes; make check: ENOSPC or EIO in turn;
# SD_FAULTS_FULL=1, make check-faults: both, and ENOSPC from the n-th call of any kind on) must:
#   - exit 1 with an error naming the checkpoint, no crash, in time;
#   - leave FILE a complete checkpoint whose every item reads back with its checksum: the previous
#     one (2) with FILE.1 still 1 (a failed publish changes nothing), or the new one (3) when a step
#     after publishing it failed, with 2 as FILE.1 or, if moving it there failed, as FILE.link;
#   - or, for a failure the writer need not see (HDF5 probing an old FILE.tmp), exit 0 with FILE the
#     new checkpoint, whole;
#   - let the next checkpoint (4) be written and read back (what the failure left is cleaned up).
. "$top_srcdir/tests/tap.sh"
STARDAG_FSYNC=1; export STARDAG_FSYNC # the harness turns syncs off for the suite; these cases need them
if [ -n "${ASAN_OPTIONS:-}" ]; then # ASan's runtime must be the first library; the injector is LD_PRELOADed
  echo "1..0 # SKIP the LD_PRELOAD fault injector cannot run before AddressSanitizer's runtime"
  exit 77
fi
inj="$top_builddir/tests/faults/.libs/inject.so"
ck="$top_builddir/tests/faults/ckpt_io"
limit=${SD_FAULTS_CASE_TIMEOUT:-60}
if [ ! -f "$inj" ]; then # make check builds it (check_LTLIBRARIES): its absence is a broken build, not a skip
  echo "Bail out! the fault injector $inj is missing (make check builds tests/faults/inject.la)"
  exit 99
fi
dir="$tmp/ck"
f="$dir/run.ckpt.h5"
prepare() { rm -rf "$dir" && mkdir -p "$dir" && "$ck" write "$f" 1 2 && "$ck" write "$f" 2 2; }

prepare
t "checkpoints 1 and 2 written (FILE = 2, FILE.1 = 1)" \
  sh -c "test \"\$('$ck' verify '$f' 2)\" = 2 && test \"\$('$ck' verify '$f.1' 1)\" = 1"
rm -f "$tmp/count"
env LD_PRELOAD="$inj" SD_FAULT_DIR="$dir" SD_FAULT_COUNT="$tmp/count" "$ck" write "$f" 3 2 2>"$tmp/err"
t "checkpoint 3 under the counting injector: written, FILE = 3, FILE.1 = 2" \
  sh -c "test \"\$('$ck' verify '$f' 3)\" = 3 && test \"\$('$ck' verify '$f.1' 2)\" = 2"
t "the writer's pwrite, fsync, rename and link calls were seen" \
  sh -c "grep -q '^pwrite ' '$tmp/count' && grep -q '^fsync ' '$tmp/count' && grep -q '^rename ' '$tmp/count' && grep -q '^link ' '$tmp/count'"
echo "# the checkpoint writer's calls: $(tr '\n' ' ' <"$tmp/count")"
total=$(awk '{ s += $2 } END { print s + 0 }' "$tmp/count")

failed=0 unreached=0 bad=0 newer=0 tolerated=0
rm -f "$tmp/tolerated"
one_case() { # one_case CALL N ERRNO STICKY
  c=$1 k=$2 e=$3 st=$4
  what="$c #$k $e$( [ "$st" = 1 ] && echo ' from then on')"
  n=$((n + 1))
  if ! prepare 2>"$tmp/err"; then
    fails=$((fails + 1)); echo "not ok $n - $what: preparing checkpoints 1 and 2 failed: $(cat "$tmp/err")"; return
  fi
  rm -f "$tmp/fired"
  env LD_PRELOAD="$inj" SD_FAULT_DIR="$dir" SD_FAULT_CALL="$c" SD_FAULT_N="$k" SD_FAULT_ERRNO="$e" \
    SD_FAULT_STICKY="$st" SD_FAULT_LOG="$tmp/fired" timeout "$limit" "$ck" write "$f" 3 2 >"$tmp/out" 2>"$tmp/err"
  r=$?
  why=""
  now=$("$ck" verify "$f" 2 3 2>&1) || why="$why; FILE: $now"
  old=""
  case "$now" in
    2) old=$("$ck" verify "$f.1" 1 2>&1) || why="$why; FILE.1: $old (a failed publish must leave the set as it was)" ;;
    3) old=$("$ck" verify "$f.1" 2 2>&1) || { old=$("$ck" verify "$f.link" 2 2>&1) && old="2 (as FILE.link)"; } ||
         why="$why; FILE.1/FILE.link: $old (the previous checkpoint lost)" ;;
  esac
  if [ ! -s "$tmp/fired" ]; then
    [ "$r" = 0 ] && [ "$now" = 3 ] || why="$why; not reached, yet exit $r, FILE = $now"
    [ -z "$why" ] && unreached=$((unreached + 1))
  else
    on=$(awk '{ print $3; exit }' "$tmp/fired")
    # a failure the writer does not need to see (HDF5 probing the old FILE.tmp before creating it):
    # it succeeds, and what it wrote must be whole
    if [ "$r" = 0 ] && [ -z "$why" ] && [ "$now" = 3 ] && [ "$old" = 2 ]; then
      tolerated=$((tolerated + 1)); echo "$what on ${on#"$dir"/}" >>"$tmp/tolerated"
    else
      [ "$r" = 1 ] || why="$why; exit $r (expected 1)"
    grep -q "^stardag: .*$f" "$tmp/err" || why="$why; no error line naming $f"
    grep -qi "HDF5-DIAG\|infinite loop\|Segmentation\|Aborted" "$tmp/err" && why="$why; HDF5 internals or a crash on stderr"
      [ "$now" = 3 ] && newer=$((newer + 1))
    fi
  fi
  next=$("$ck" write "$f" 4 2 2>&1 && "$ck" verify "$f" 4 2>&1) || why="$why; the next checkpoint: $next"
  if [ -z "$why" ]; then
    if [ ! -s "$tmp/fired" ]; then echo "ok $n - $what: not reached, written; the next one written"
    elif [ "$r" = 0 ]; then echo "ok $n - $what on ${on#"$dir"/}: tolerated (exit 0, FILE = checkpoint 3 whole); the next one written"
    else
      failed=$((failed + 1))
      echo "ok $n - $what on ${on#"$dir"/}: exit 1, FILE = checkpoint $now, FILE.1 = $old; the next one written"
    fi
  else
    bad=$((bad + 1)); fails=$((fails + 1))
    echo "not ok $n - $what${on:+ on ${on#"$dir"/}}: ${why#; }"
    sed 's/^/#   /' "$tmp/err" | head -10
  fi
}

cases=0 full=${SD_FAULTS_FULL:-0}
while read -r c cnt; do
  k=1
  while [ "$k" -le "$cnt" ]; do
    if [ "$full" = 1 ]; then errs="ENOSPC EIO"; elif [ $((k % 2)) = 1 ]; then errs=ENOSPC; else errs=EIO; fi
    for e in $errs; do one_case "$c" "$k" "$e" 0; cases=$((cases + 1)); done
    k=$((k + 1))
  done
done <"$tmp/count"
k=1
while [ "$full" = 1 ] && [ "$k" -le "$total" ]; do one_case any "$k" ENOSPC 1; cases=$((cases + 1)); k=$((k + 1)); done
echo "# $cases fault cases over the writer's $total calls: $failed ended with exit 1 and the previous checkpoint" \
  "intact ($newer of them with the new one already published), $tolerated tolerated (exit 0, the new one whole:" \
  "$(sort -u "$tmp/tolerated" 2>/dev/null | tr '\n' ',' | sed 's/,$//')), $unreached not reached, $bad wrong"
tap_end
