#!/bin/sh
# Memory over a long run: the run summary and the log report the peak resident set size, and a run
# of 10^5 steps that writes a scalar row at every step (tests/faults/scalars-only.yaml) peaks within
# a bound of the peak of a run of 10^4 steps. A per-step leak of ~130 bytes or more (a record, a
# row buffer, HDF5 state kept per row) fails it. What may grow legitimately: HDF5's chunk cache of
# the three scalar datasets (1 MiB each at most) and the output writer's queue when the writer
# falls behind on a loaded machine (records waiting for it; bounded by time, not by steps, and by
# the queue's limit): the bound adds the queue's peak, which the summary reports.
. "$top_srcdir/tests/tap.sh"
if [ -n "${ASAN_OPTIONS:-}" ]; then # its quarantine and shadow memory grow with every allocation
  echo "1..0 # SKIP peak RSS is not the program's under AddressSanitizer"
  exit 77
fi
g="$top_srcdir/tests/faults/scalars-only.yaml"
peak() { sed -n 's/^  memory: peak RSS \([0-9.]*\) MB$/\1/p' "$1"; }

runrc "$sd" run "$g" --steps 10000 --ncpu 1 --out "$tmp/a.h5" --log "$tmp/a.log"
t "10^4 steps: exit 0" test "$(rc)" = 0
cp "$tmp/out" "$tmp/a.out"
a=$(peak "$tmp/a.out")
t "the summary reports the peak RSS (got '$a')" test -n "$a"
t "the log has the same line" grep -q "memory: peak RSS $a MB" "$tmp/a.log"

runrc "$sd" run "$g" --steps 100000 --ncpu 1 --out "$tmp/b.h5" --log "$tmp/b.log"
t "10^5 steps: exit 0" test "$(rc)" = 0
b=$(peak "$tmp/out")
q=$(sed -n 's/.*waited .* for room in its queue (peak \([0-9.]*\) MB).*/\1/p' "$tmp/out")
t "10^5 steps: 100000 scalar rows written" grep -q "(0 field steps, 100000 scalar rows)\|(100000 scalar rows)" "$tmp/out"
t "10^5 steps: the summary reports the writer queue's peak (got '$q')" test -n "$q"
echo "# peak RSS: $a MB after 10^4 steps, $b MB after 10^5 steps; the writer's queue peaked at $q MB"
t "peak RSS flat: 10^5 steps ($b MB) within 12 MB of 10^4 steps ($a MB), beyond the writer queue's peak ($q MB)" \
  awk -v a="$a" -v b="$b" -v q="${q:-0}" 'BEGIN { exit !(a > 0 && b > 0 && b - a < 12 + q) }'

# --quiet prints no summary: the log still gets the line
runrc "$sd" run "$g" --steps 100 --ncpu 1 --quiet --out "$tmp/c.h5" --log "$tmp/c.log"
t "--quiet: exit 0, no summary on stdout" test "$(rc)" = 0 -a ! -s "$tmp/out"
t "--quiet: the log reports the peak RSS" grep -q "memory: peak RSS [0-9.]* MB" "$tmp/c.log"
tap_end
