#!/bin/sh
# t_example.sh - examples/custom_codelet registers its own codelet and runs a graph with it.
. "$top_srcdir/tests/tap.sh"
cd "$tmp" || exit 99
runrc "$top_builddir/examples/custom_codelet"
t "the example runs and its range check holds (exit 0)" test "$(rc)" = 0
t "its own codelet ran as tasks" grep -q "example.damp " out
t "the energy series was written" h5ls damped-packet.h5/scalars/energy
rm -f damped-packet.h5 damped-packet.xmf damped-packet.log # a run never replaces them silently
runrc "$top_builddir/examples/custom_codelet" 400
t "damping is real: after 400 steps the energy falls below the range and the check fails (exit 3)" test "$(rc)" = 3
t "with a message naming the check" grep -q "check range(energy)" err
tap_end
