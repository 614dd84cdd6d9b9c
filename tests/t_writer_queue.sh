#!/bin/sh
# t_writer_queue.sh - the output writer's queue bound (STARDAG_OUTPUT_QUEUE) counts every record,
# scalar rows too (their values, flags and the record itself), not only field snapshots: behind a
# slow writer (STARDAG_TEST_WRITER_SLEEP_MS, a test knob that sleeps per record) a run that
# outputs scalar rows every step and fields every 100 must wait for room with a queue of one
# record, and must not with the default bound, whose peak then counts the scalar records; the files
# are bitwise the same either way.
. "$top_srcdir/tests/tap.sh"
g="$top_srcdir/graphs/lattice/kg-packet.yaml"
cd "$tmp" || exit 99
sed 's/every: 10$/every: 1/; s/every: 10}/every: 1}/' "$g" >rows.yaml
t "the test graph computes and outputs its scalars every step" \
  sh -c "grep -q 'scalars: {names: \[energy, max_E\], every: 1}' rows.yaml && test \$(grep -c 'every: 1\$' rows.yaml) = 2"
waited() { sed -n 's/.*the run waited \([0-9.]*\) s for room.*/\1/p' "$tmp/out"; }
peak() { sed -n 's/.*(peak \([0-9.]*\) MB).*/\1/p' "$tmp/out"; }
# 800 scalar records and 9 snapshots (4 KB each) at 3 ms each: about 2.4 s of writing
# CPU workers (--arch cpu): with a GPU a step takes longer and the writer keeps up
STARDAG_TEST_WRITER_SLEEP_MS=3 STARDAG_OUTPUT_QUEUE=0 runrc "$sd" run rows.yaml --set n=8 --steps 800 --arch cpu --out q0.h5
t "a queue of one record behind a slow writer: exit 0" test "$(rc)" = 0
w0=$(waited)
echo "# queue of one record: the run waited $w0 s for room"
t "the scalar rows are held back by the bound (the run waited >= 1 s for room, not only for its 9 snapshots)" \
  awk -v w="$w0" 'BEGIN { exit !(w != "" && w >= 1.0) }'
STARDAG_TEST_WRITER_SLEEP_MS=3 runrc "$sd" run rows.yaml --set n=8 --steps 800 --arch cpu --out q1.h5
t "the default bound behind the same writer: exit 0" test "$(rc)" = 0
w1=$(waited)
p1=$(peak)
echo "# default bound: the run waited $w1 s for room, peak $p1 MB"
t "the default bound's peak counts the queued scalar records (>= 0.1 MB, about 0.15; the snapshots are 0.04 MB)" \
  awk -v p="$p1" 'BEGIN { exit !(p != "" && p >= 0.1) }'
t "the default bound holds every record at once (the run waited < 0.1 s for room)" \
  awk -v w="$w1" 'BEGIN { exit !(w != "" && w < 0.1) }'
t "the files are bitwise the same with either bound" "$sd" compare q0.h5 q1.h5
t "every scalar row is there (800 rows)" sh -c "h5ls q0.h5/scalars/energy | grep -q '{800/Inf}'"
tap_end
