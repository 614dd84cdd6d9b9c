#!/bin/sh
# t_example.sh - examples/custom_codelet registers its own codelet and runs a graph with it.
cd "${SD_TEST_TMP:-/tmp}" || exit 99
"$top_builddir/examples/custom_codelet" >out 2>err
rc=$?
n=0; f=0
t() { n=$((n + 1)); d=$1; shift; if "$@" >/dev/null 2>&1; then echo "ok $n - $d"; else echo "not ok $n - $d"; f=1; fi; }
t "the example runs and its range check holds (exit 0)" test $rc = 0
t "its own codelet ran as tasks" grep -q "example.damp " out
t "the energy series was written" h5ls damped-packet.h5/scalars/energy
"$top_builddir/examples/custom_codelet" 400 >out 2>err
t "damping is real: after 400 steps the energy falls below the range and the check fails (exit 3)" test $? = 3
t "with a message naming the check" grep -q "check range(energy)" err
echo "1..$n"
exit $f
