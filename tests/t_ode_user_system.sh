#!/bin/sh
# t_ode_user_system.sh - examples/ode-user-system: a system written in C, registered by name, checked,
# then a graph naming it run.
. "$top_srcdir/tests/tap.sh"
cd "$tmp" || exit 99
ex="$top_builddir/examples/ode-user-system/duffing"
runrc "$ex"
t "the example registers its system and its checks pass (exit 0)" test "$(rc)" = 0
t "it says what it checked" grep -q "duffing: registered (n 2, 5 parameters); f checked; Jacobian within" out
runrc "$ex" "$top_srcdir/examples/ode-user-system/run.yaml"
t "the graph naming the registered system runs (exit 0)" test "$(rc)" = 0
t "the sweep's states were written" h5ls duffing-sweep.h5/fields/y
"$sd" systems >"$tmp/sys" 2>&1
t "stardag systems lists the built-ins with their defaults" grep -q "^brusselator  \[n 2, 2 parameters; cpu, cuda\]" "$tmp/sys"
t "... and their parameters" grep -q "param s        default 77.27" "$tmp/sys"
t "... and linear, made per file" grep -q "^linear  \[n from the file, 0 parameters; cpu\]" "$tmp/sys"
runrc "$sd" systems extra
t "stardag systems takes no arguments (exit 2)" test "$(rc)" = 2
tap_end
