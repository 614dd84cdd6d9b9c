#!/bin/sh
# A HOME StarPU cannot write its performance models under (StarPU 1.3 aborts with a backtrace, exit
# 134, when it cannot create BASE/.starpu, BASE = $XDG_CACHE_HOME, else $STARPU_HOME, else $HOME):
# stardag points STARPU_PERF_MODEL_DIR at $STARPU_HOME (when XDG shadowed it) or
# $TMPDIR/stardag-UID and says so on one line, or exits 1 with a clear error when nothing is
# writable. We may be root, whom permissions do not stop: the unwritable places are under /proc or
# a regular file where a directory is expected.
. "$top_srcdir/tests/tap.sh"
g="$top_srcdir/tests/faults/scalars-only.yaml"
unset STARPU_HOME STARPU_PERF_MODEL_DIR XDG_CACHE_HOME
uid=$(id -u)
run() { runrc env "$@" "$sd" run "$g" --steps 5 --ncpu 1 --out "" --quiet; }
notes() { grep -c "note: StarPU cannot keep its performance models in" "$tmp/err"; }
mkdir -p "$tmp/t0" "$tmp/t1" "$tmp/mine" "$tmp/xdg"

run HOME=/proc TMPDIR="$tmp/t0"
t "HOME=/proc: the run succeeds (exit $(rc))" test "$(rc)" = 0
t "... one line names \$HOME/.starpu, why, and where the models go" \
  grep -q "^stardag: note: StarPU cannot keep its performance models in /proc/.starpu (\$HOME/.starpu): No such file or directory, so they go to $tmp/t0/stardag-$uid/.starpu/sampling (set STARPU_HOME or STARPU_PERF_MODEL_DIR to choose)" "$tmp/err"
t "... exactly one such line" test "$(notes)" = 1
t "... StarPU wrote its models there" test -d "$tmp/t0/stardag-$uid/.starpu/sampling/bus"
t "... the fallback is private (0700)" test "$(stat -c %a "$tmp/t0/stardag-$uid")" = 700
run HOME=/proc TMPDIR="$tmp/t0"
t "... and reused by the next run (exit $(rc))" test "$(rc)" = 0

: >"$tmp/plainfile"
run HOME="$tmp/plainfile" TMPDIR="$tmp/t1"
t "HOME is a regular file: the run succeeds (exit $(rc))" test "$(rc)" = 0
t "... said once, with the reason" sh -c "grep -q 'plainfile/.starpu (\$HOME/.starpu): Not a directory, so they go to $tmp/t1/' '$tmp/err' && test $(notes) = 1"

run HOME=/proc XDG_CACHE_HOME=/proc/self/nothing STARPU_HOME="$tmp/mine" TMPDIR="$tmp/t1"
t "XDG_CACHE_HOME (which StarPU prefers) unwritable: the user's STARPU_HOME is used (exit $(rc))" \
  sh -c "test $(rc) = 0 && grep -q 'so they go to $tmp/mine/.starpu/sampling' '$tmp/err' && test -d '$tmp/mine/.starpu/sampling/bus'"

run HOME=/proc XDG_CACHE_HOME="$tmp/xdg"
t "HOME=/proc but XDG_CACHE_HOME writable: StarPU uses it, no note (exit $(rc))" \
  sh -c "test $(rc) = 0 && test $(notes) = 0 && test -d '$tmp/xdg/.starpu/sampling'"
run HOME=/proc STARPU_PERF_MODEL_DIR="$tmp/pm"
t "STARPU_PERF_MODEL_DIR set by the user: used as it is, no note (exit $(rc))" \
  sh -c "test $(rc) = 0 && test $(notes) = 0 && test -d '$tmp/pm/bus'"

mkdir -p "$tmp/t2/stardag-$uid" && chmod 777 "$tmp/t2/stardag-$uid"
run HOME=/proc TMPDIR="$tmp/t2"
t "a fallback open to others is not used: exit 1 (got $(rc))" test "$(rc)" = 1
t "... the error says why and what to do" \
  grep -q "stardag: no writable directory for StarPU's performance models (.*$tmp/t2/stardag-$uid/.starpu (fallback): Operation not permitted): set STARPU_HOME to a writable directory" "$tmp/err"

run HOME=/proc XDG_CACHE_HOME=/proc/self/nothing TMPDIR=/proc/self
t "nothing writable: exit 1, not StarPU's abort (got $(rc))" test "$(rc)" = 1
t "... one error line naming each place tried" \
  grep -q "^stardag: no writable directory for StarPU's performance models (/proc/self/nothing/.starpu (\$XDG_CACHE_HOME/.starpu): No such file or directory; /proc/self/stardag-$uid/.starpu (fallback): .*): set STARPU_HOME to a writable directory$" "$tmp/err"
t "... no backtrace" sh -c "! grep -q 'abort\|libstarpu' '$tmp/err'"

runrc env HOME=/proc TMPDIR=/proc/self "$sd" verify --cpu-vs-cpu common.axpy --shapes 8
t "stardag verify, nothing writable: exit 1 with the same error (got $(rc))" \
  sh -c "test $(rc) = 1 && grep -q 'no writable directory for StarPU' '$tmp/err'"
runrc env HOME=/proc TMPDIR="$tmp/t0" "$sd" verify --cpu-vs-cpu common.axpy --shapes 8
t "stardag verify, HOME=/proc: runs with the fallback (exit $(rc))" sh -c "test $(rc) = 0 && test $(notes) = 1"
tap_end
