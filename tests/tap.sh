# tap.sh - the TAP preamble of the shell tests, sourced as `. "$top_srcdir/tests/tap.sh"`:
# $sd (the stardag binary), $tmp (the test's scratch directory), and
#   t DESCRIPTION COMMAND...   one result: ok if the command succeeds (its output is discarded; on a
#                              failure the tail of the last runrc's stderr and stdout follows as comments)
#   skip REASON                one skipped result
#   runrc COMMAND...           run it: stdout in $tmp/out, stderr in $tmp/err, status for rc
#   rc                         the status of the last runrc
#   tap_end                    the plan line; the script's status (last command): 0 if all passed
sd="$top_builddir/stardag"
tmp=${SD_TEST_TMP:-$(mktemp -d)}
n=0
fails=0
t() { # t DESCRIPTION COMMAND...: ok if the command succeeds
  n=$((n + 1)); d=$1; shift
  if "$@" >/dev/null 2>&1; then echo "ok $n - $d"; else echo "not ok $n - $d"; fails=$((fails + 1)); last_run; fi
}
last_run() { # after a failure: the tail of the last runrc's output, as TAP comments (kept in the test's log)
  [ -f "$tmp/rc" ] && echo "#   the last runrc exited $(cat "$tmp/rc")"
  for f in err out; do [ -s "$tmp/$f" ] && tail -n 6 "$tmp/$f" | cut -c1-300 | sed "s/^/#   $f: /"; done
  return 0
}
skip() { n=$((n + 1)); echo "ok $n # SKIP $*"; }
runrc() { "$@" >"$tmp/out" 2>"$tmp/err"; echo $? >"$tmp/rc"; }
rc() { cat "$tmp/rc"; }
tap_end() { echo "1..$n"; test $fails = 0; }
