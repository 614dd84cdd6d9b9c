# tap.sh - the TAP preamble of the shell tests, sourced as `. "$top_srcdir/tests/tap.sh"`:
# $sd (the stardag binary), $tmp (the test's scratch directory), and
#   t DESCRIPTION COMMAND...   one result: ok if the command succeeds (its output is discarded)
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
  if "$@" >/dev/null 2>&1; then echo "ok $n - $d"; else echo "not ok $n - $d"; fails=$((fails + 1)); fi
}
skip() { n=$((n + 1)); echo "ok $n # SKIP $*"; }
runrc() { "$@" >"$tmp/out" 2>"$tmp/err"; echo $? >"$tmp/rc"; }
rc() { cat "$tmp/rc"; }
tap_end() { echo "1..$n"; test $fails = 0; }
