#!/bin/sh
# t_report.sh - stardag report: the four SVG charts of a run, from a real traced run and from
# fixtures (tests/data/trace-small.json: CPU and CUDA workers, transfers, counters, keys in any
# order; tests/report_fixture: /run with variable-length strings, awkward scalars), the fallback
# to the trace without /run, and the exit statuses of bad inputs.
fx="$top_builddir/tests/report_fixture"
trace="$top_srcdir/tests/data/trace-small.json"
. "$top_srcdir/tests/tap.sh"
# well-formed XML: xmllint when installed, else the SVG's first and last lines and no stray '&'
wellformed() {
  if command -v xmllint >/dev/null 2>&1; then xmllint --noout "$1"
  else head -2 "$1" | grep -q '^<svg ' && tail -1 "$1" | grep -q '^</svg>$' && ! grep -q '&[^a-z#]' "$1"
  fi
}
charts() { # charts DIR STEM: the four charts exist and are well-formed
  for c in gantt busy codelets scalars; do
    test -s "$1/$2-$c.svg" && wellformed "$1/$2-$c.svg" || return 1
  done
}

# a real run: 1-D, small, traced; the charts go next to the run file by default
mkdir -p "$tmp/run"
runrc "$sd" run "$top_srcdir/tests/graphs/kg-absorb-1d.yaml" --steps 60 --out "$tmp/run/absorb.h5" \
  --trace "$tmp/run/absorb.json" --quiet
t "a small traced run (exit 0)" test "$(rc)" = 0
runrc "$sd" report "$tmp/run/absorb.h5" --trace "$tmp/run/absorb.json"
t "report of a run: exit 0" test "$(rc)" = 0
t "report prints the four paths, next to the run file" sh -c "test \$(grep -c '^$tmp/run/absorb-[a-z]*\.svg\$' '$tmp/out') = 4"
t "report of a run: four well-formed SVG files" charts "$tmp/run" absorb
t "gantt: worker rows and the leapfrog codelet" sh -c "grep -q '>CPU 0<' '$tmp/run/absorb-gantt.svg' && grep -q 'lattice.kg_leapfrog' '$tmp/run/absorb-gantt.svg'"
t "busy: a line per worker" sh -c "grep -q 'CPU 0 (' '$tmp/run/absorb-busy.svg' && grep -q '<polyline' '$tmp/run/absorb-busy.svg'"
t "codelets: from /run, with task counts" sh -c "grep -q 'from /run of absorb.h5' '$tmp/run/absorb-codelets.svg' && grep -q '>lattice.kg_leapfrog<' '$tmp/run/absorb-codelets.svg' && grep -q '[0-9] tasks, ' '$tmp/run/absorb-codelets.svg'"
t "scalars: a panel for energy" grep -q '>energy<' "$tmp/run/absorb-scalars.svg"

# fixtures: three workers with CUDA, transfers, counters; /run in variable-length strings
runrc "$fx" "$tmp/fx.h5"
t "fixture run file written" test "$(rc)" = 0
runrc "$sd" report "$tmp/fx.h5" --trace "$trace" --out "$tmp/charts/sub"
t "report into a new --out directory: exit 0" test "$(rc)" = 0
t "fixture: four well-formed SVG files" charts "$tmp/charts/sub" fx
g="$tmp/charts/sub/fx-gantt.svg"
t "gantt: CPU and CUDA rows" sh -c "grep -q '>CPU 1<' '$g' && grep -q '>CUDA 0<' '$g'"
t "gantt: every codelet of the trace in the legend" sh -c "for c in lattice.kg_leapfrog 'halo pack' 'halo unpack' lattice.energy 'reduction combine' 'output snapshot'; do grep -q \">\$c<\" '$g' || exit 1; done"
t "gantt: transfers drawn" grep -q 'data fetch' "$g"
t "gantt: names are escaped" grep -q 'user.f&lt;x&gt;&amp;y' "$g"
t "busy: the three workers and their mean" sh -c "grep -q 'CUDA 0 (' '$tmp/charts/sub/fx-busy.svg' && grep -q 'mean of all workers' '$tmp/charts/sub/fx-busy.svg'"
c="$tmp/charts/sub/fx-codelets.svg"
t "codelets: CPU and CUDA bars from /run" sh -c "grep -q '>CUDA<' '$c' && grep -q 'lattice.kg_leapfrog on CUDA: 2800 tasks' '$c' && grep -q 'from /run of fx.h5' '$c'"
t "codelets: a long name is shortened" sh -c "grep -q '>a.very.long.codelet.name.*\.\.\.<' '$c'"
t "codelets: worker busy from /run" grep -q 'CUDA 0 45.0 %' "$c"
s="$tmp/charts/sub/fx-scalars.svg"
t "scalars: a panel per scalar" sh -c "for v in energy max_E momentum blowup nothing; do grep -q \">\$v<\" '$s' || exit 1; done"
t "scalars: a conserved energy is drawn as relative drift" grep -q 'relative drift (v - v0)/|v0| from v0 = 1234.5' "$s"
t "scalars: an exactly constant series says so" grep -q 'constant: 0 in every row' "$s"
t "scalars: NaN rows are counted" grep -q '110 of 200 rows NaN' "$s"
t "scalars: infinite rows are counted, and where a blow-up starts" sh -c "grep -q '10 rows infinite; non-finite from t = 187.5 on' '$s'"
t "scalars: an all-NaN series has no line" grep -q 'no finite values' "$s"
t "scalars: min and max labelled" sh -c "grep -q '>max ' '$s' && grep -q '>min ' '$s'"

# an older run file without /run: the codelets chart comes from the trace
runrc "$fx" "$tmp/old.h5" --no-run
runrc "$sd" report "$tmp/old.h5" --trace "$trace"
t "without /run: exit 0" test "$(rc)" = 0
t "without /run: codelets from the trace" sh -c "grep -q 'from trace trace-small.json' '$tmp/old-codelets.svg' && grep -q '>lattice.kg_leapfrog<' '$tmp/old-codelets.svg' && grep -q 'on CUDA: 12 tasks' '$tmp/old-codelets.svg'"
runrc "$sd" report "$tmp/old.h5" --out "$tmp/notrace"
t "without a trace: exit 0, a note, scalars only" sh -c "test $(rc) = 0 && grep -q 'gantt and busy charts skipped' '$tmp/err' && grep -q 'codelets chart skipped' '$tmp/err' && test -s '$tmp/notrace/old-scalars.svg' && ! test -e '$tmp/notrace/old-gantt.svg'"

# a time window for the gantt and busy charts: --steps A:B or --from/--to (seconds)
runrc "$sd" report "$tmp/fx.h5" --trace "$trace" --out "$tmp/w1" --steps 2:2
t "--steps 2:2: exit 0" test "$(rc)" = 0
g="$tmp/w1/fx-gantt.svg"
t "--steps 2:2: the gantt names the window (first start to last end of step 2's tasks)" \
  grep -q 'step 2: 1.05925 ms to 1.94111 ms; 12 tasks on 3 workers in 881.9 us' "$g"
t "--steps 2:2: every task shown is of step 2" sh -c "grep -o '<title>[^<]*, step [0-9]*' '$g' | grep -v ', step 2\$' | grep -q . && exit 1; grep -q ', step 2, tile 3' '$g'"
t "--steps 2:2: the busy chart covers the window" grep -q 'step 2: 1.05925 ms to 1.94111 ms; share of each 8.8 us bin (1/100 of the window)' "$tmp/w1/fx-busy.svg"
t "--steps 2:2: the codelets chart still covers the run" grep -q 'lattice.kg_leapfrog on CUDA: 2800 tasks' "$tmp/w1/fx-codelets.svg"
runrc "$sd" report "$tmp/fx.h5" --trace "$trace" --out "$tmp/w2" --from 0.001 --to 0.0012
t "--from 0.001 --to 0.0012: exit 0, the window named" sh -c "test $(rc) = 0 && grep -q 'window 1 ms to 1.2 ms; ' '$tmp/w2/fx-gantt.svg'"
t "--from/--to: a task crossing the edge is cut there (1059.25 to 1200 us)" \
  grep -q 'lattice.kg_leapfrog, step 2, tile 0 (cpu): 140.8 us at 1.059 ms' "$tmp/w2/fx-gantt.svg"
t "--from/--to: a task crossing the start is cut there (981.5 to 1036.3 us)" \
  grep -q 'halo unpack, step 1, tile 3 (cpu): 36.2 us at 1.000 ms' "$tmp/w2/fx-gantt.svg"
t "--from/--to: tasks outside the window are left out" \
  sh -c "! grep -q 'halo pack, step 1, tile 3' '$tmp/w2/fx-gantt.svg' && ! grep -q ', step 3, ' '$tmp/w2/fx-gantt.svg'"
runrc "$sd" report "$tmp/fx.h5" --trace "$trace" --out "$tmp/w3" --from 0.004
t "--from alone: to the end of the trace" sh -c "test $(rc) = 0 && grep -q 'window 4 ms to 6.19017 ms; ' '$tmp/w3/fx-gantt.svg'"
runrc "$sd" report "$tmp/fx.h5" --trace "$trace" --out "$tmp/w4" --steps 99:100
t "--steps the trace does not have: exit 2, naming its steps" sh -c "test $(rc) = 2 && grep -q 'no task of steps 99:100 in the trace (its tasks are of steps 1 to ' '$tmp/err'"
runrc "$sd" report "$tmp/fx.h5" --trace "$trace" --out "$tmp/w4" --from 0.002 --to 0.001
t "--from after --to: exit 2" sh -c "test $(rc) = 2 && grep -q 'is empty' '$tmp/err'"
runrc "$sd" report "$tmp/fx.h5" --trace "$trace" --out "$tmp/w4" --from 7
t "a window past the trace: exit 2, naming the trace's span" sh -c "test $(rc) = 2 && grep -q 'lies outside the trace' '$tmp/err'"
runrc "$sd" report "$tmp/fx.h5" --trace "$trace" --steps 3:2
t "--steps 3:2: exit 2" sh -c "test $(rc) = 2 && grep -q -- '--steps expects A:B' '$tmp/err'"
runrc "$sd" report "$tmp/fx.h5" --trace "$trace" --steps 2:2 --from 0
t "--steps with --from: exit 2" sh -c "test $(rc) = 2 && grep -q 'give one of them' '$tmp/err'"
runrc "$sd" report "$tmp/fx.h5" --from 0.001
t "a window without --trace: exit 2" sh -c "test $(rc) = 2 && grep -q 'need --trace' '$tmp/err'"
runrc "$sd" report "$tmp/fx.h5" --trace "$trace" --from abc
t "--from abc: exit 2" sh -c "test $(rc) = 2 && grep -q \"expects seconds since the run started (a number >= 0), got 'abc'\" '$tmp/err'"

# log scale for scalars: automatic past 3 decades (energy leaving through absorbing ends), or forced
runrc "$sd" run "$top_srcdir/tests/graphs/kg-absorb-1d.yaml" --out "$tmp/run/leave.h5" --quiet
runrc "$sd" report "$tmp/run/leave.h5"
s="$tmp/run/leave-scalars.svg"
t "energy over 9 decades: a log scale on its own" sh -c "test $(rc) = 0 && grep -q 'log scale (9.0 decades)' '$s' && grep -q '>energy (log)<' '$s'"
t "log scale: decades as tick labels" sh -c "grep -q '>1e-8<' '$s' && grep -q '>1e-2<' '$s'"
s="$tmp/charts/sub/fx-scalars.svg"
t "fixture without --log-scalars: no log scale (blowup spans 2.5 decades)" sh -c "! grep -q 'log scale (' '$s'"
runrc "$sd" report "$tmp/fx.h5" --out "$tmp/logs" --log-scalars
s="$tmp/logs/fx-scalars.svg"
t "--log-scalars: every positive series on a log scale" sh -c "test $(rc) = 0 && grep -q 'log scale (2.5 decades)' '$s' && grep -q '>blowup (log)<' '$s' && grep -q '>max_E (log)<' '$s'"
t "--log-scalars: the near-constant energy stays a relative drift" grep -q 'relative drift (v - v0)/|v0| from v0 = 1234.5' "$s"

# bad inputs: exit 2 naming the file; an unusable output directory: exit 1
runrc "$sd" report "$tmp/missing.h5"
t "a missing run file: exit 2 naming it" sh -c "test $(rc) = 2 && grep -q 'missing.h5: cannot open: No such file' '$tmp/err'"
runrc "$sd" report "$trace"
t "not an HDF5 file: exit 2" sh -c "test $(rc) = 2 && grep -q 'trace-small.json: not an HDF5 file' '$tmp/err'"
runrc "$fx" "$tmp/empty.h5" --empty
runrc "$sd" report "$tmp/empty.h5"
t "an HDF5 file that is no run: exit 2" sh -c "test $(rc) = 2 && grep -q 'empty.h5: not a stardag run file' '$tmp/err'"
runrc "$sd" report "$tmp/fx.h5" --trace "$tmp/nothere.json"
t "a missing trace: exit 2 naming it" sh -c "test $(rc) = 2 && grep -q 'nothere.json: cannot open the trace' '$tmp/err'"
sed '4s/},$/}/' "$trace" >"$tmp/bad.json"
runrc "$sd" report "$tmp/fx.h5" --trace "$tmp/bad.json" --out "$tmp/c2"
t "a malformed trace: exit 2 with file:line" sh -c "test $(rc) = 2 && grep -q 'bad.json:4: malformed JSON' '$tmp/err'"
printf '{"traceEvents":[\n{"name":"x","cat":"task","ph":"X","tid":0,"dur":3}\n]}\n' >"$tmp/nots.json"
runrc "$sd" report "$tmp/fx.h5" --trace "$tmp/nots.json" --out "$tmp/c2"
t "a task without ts: exit 2 with file:line" sh -c "test $(rc) = 2 && grep -q 'nots.json:2: .*needs numeric' '$tmp/err'"
head -60 "$trace" >"$tmp/cut.json"
runrc "$sd" report "$tmp/fx.h5" --trace "$tmp/cut.json" --out "$tmp/c3"
t "a trace cut short: a warning, the charts of what was read" sh -c "test $(rc) = 0 && grep -q 'cut.json ends early' '$tmp/err' && test -s '$tmp/c3/fx-gantt.svg'"
runrc "$sd" report "$tmp/fx.h5" --frobnicate
t "an unknown option: exit 2" sh -c "test $(rc) = 2 && grep -q \"unknown option '--frobnicate'\" '$tmp/err'"
runrc "$sd" report
t "no run file: exit 2" test "$(rc)" = 2
runrc "$sd" report "$tmp/fx.h5" --out "$tmp/fx.h5/charts"
t "an output directory that cannot be made: exit 1 naming it" sh -c "test $(rc) = 1 && grep -q 'fx.h5/charts: cannot use as the output directory' '$tmp/err'"

tap_end
