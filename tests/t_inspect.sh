#!/bin/sh
# t_inspect.sh - `stardag inspect`: a run file (graph, status, fields with their steps, scalar rows,
# commits), a run file left "running" by a killed run, a valid checkpoint (every item, checksums ok,
# exit 0), one with a flipped data byte (CORRUPT naming the dataset, exit 1), an incomplete one,
# and files that are not stardag's (exit 2).
g="$top_srcdir/graphs/lattice/kg-packet.yaml"
. "$top_srcdir/tests/tap.sh"

runrc "$sd" run "$g" --set n=16 --steps 200 --out "$tmp/r.h5" --quiet
t "a 200-step run to inspect" test "$(rc)" = 0
runrc "$sd" inspect "$tmp/r.h5"
t "run file: exit 0" test "$(rc)" = 0
t "run file: says what it is" grep -q "r.h5: stardag run file (format 1)" "$tmp/out"
t "run file: graph path" grep -q "graph: .*kg-packet.yaml" "$tmp/out"
t "run file: status and steps done" grep -q "status: completed, 200 steps done" "$tmp/out"
t "run file: commits and the last committed step" grep -q "commits: [0-9]*, the last at output step" "$tmp/out"
t "run file: the field with its steps" grep -q "^    E: f64, 1 component, 3 steps (0 .. 200)" "$tmp/out"
t "run file: scalar rows" grep -q "scalars: energy,max_E: 20 rows (steps 10 .. 200)" "$tmp/out"

"$top_builddir/tests/inspect_fixture" "$tmp" 2>"$tmp/fx.err"
t "fixture: a checkpoint, a corrupt and an incomplete copy, a foreign HDF5 file, a killed run's file" test $? = 0
runrc "$sd" inspect "$tmp/killed.h5"
t "killed run's file: exit 0, status running said as such" sh -c "test $(rc) = 0 && grep -q 'status: running (never closed' '$tmp/out'"
t "killed run's file: its committed field steps" grep -q "    u: f64, 1 component, 2 steps (0 .. 5)" "$tmp/out"
runrc "$sd" inspect "$tmp/ck.h5"
t "checkpoint: exit 0" test "$(rc)" = 0
t "checkpoint: format, step and time" sh -c "grep -q 'stardag checkpoint (format 2)' '$tmp/out' && grep -q 'step 40, time 0.4' '$tmp/out'"
t "checkpoint: its root, graph text and index checked" grep -q "root attributes, graph text and /index: checksum ok" "$tmp/out"
t "checkpoint: graph hash" grep -q "graph hash 0000000000001234, layout hash 0000000000005678" "$tmp/out"
t "checkpoint: each state item with type, shape, checksum" sh -c "grep -Eq 'fields/u/0 +f64 +3x4 +checksum ok' '$tmp/out' && grep -Eq 'particles/ids +i64 +5 +checksum ok' '$tmp/out'"
t "checkpoint: host items too" grep -Eq "/host/until_step +i64 +scalar +checksum ok" "$tmp/out"
t "checkpoint: verdict valid" grep -q "verdict: valid (3 items" "$tmp/out"
runrc "$sd" inspect "$tmp/ckbad.h5"
t "corrupt checkpoint: exit 1" test "$(rc)" = 1
t "corrupt checkpoint: the item is BAD" grep -Eq "fields/u/0 +f64 +3x4 +BAD" "$tmp/out"
t "corrupt checkpoint: the others still ok" grep -Eq "particles/ids +i64 +5 +checksum ok" "$tmp/out"
t "corrupt checkpoint: verdict CORRUPT naming the dataset" grep -q "verdict: CORRUPT: .*ckbad.h5: /state/fields/u/0: checksum" "$tmp/out"
# a checkpoint without `complete` (a killed writer's) is corrupt too
runrc "$sd" inspect "$tmp/inc.h5"
t "incomplete checkpoint: exit 1, CORRUPT" sh -c "test $(rc) = 1 && grep -q 'verdict: CORRUPT: .*inc.h5' '$tmp/out'"
# the root, graph text and index under meta_checksum; every indexed item there, nothing else
for v in "ckstep step" "cktext graph_text" "ckver stardag_version"; do
  set -- $v
  runrc "$sd" inspect "$tmp/$1.h5"
  t "a checkpoint whose $2 changed: exit 1, CORRUPT naming meta_checksum" \
    sh -c "test $(rc) = 1 && grep -q 'verdict: CORRUPT: .*$1.h5: damaged checkpoint: .*(meta_checksum)' '$tmp/out'"
done
runrc "$sd" inspect "$tmp/ckmiss.h5"
t "a checkpoint missing an indexed item: exit 1, 'incomplete' naming it" \
  sh -c "test $(rc) = 1 && grep -q 'CORRUPT: .*ckmiss.h5: incomplete checkpoint: /state/particles/ids, in its /index, is missing' '$tmp/out'"
runrc "$sd" inspect "$tmp/ckextra.h5"
t "a checkpoint with an item its writer did not write: exit 1, NOT IN /index" \
  sh -c "test $(rc) = 1 && grep -Eq 'fields/u/1 .*NOT IN /index' '$tmp/out' && grep -q 'verdict: CORRUPT: .*/state/fields/u/1 is not in' '$tmp/out'"
# a run's real checkpoint with its step changed: the restart refuses it
runrc "$sd" run "$g" --set n=16 --steps 20 --out "$tmp/s.h5" --checkpoint "$tmp/s.ckpt" --quiet
"$top_builddir/tests/inspect_fixture" --step "$tmp/s.ckpt"
runrc "$sd" run "$g" --set n=16 --steps 30 --out "$tmp/s2.h5" --restart "$tmp/s.ckpt" --quiet
t "a restart from a checkpoint whose step attribute changed: exit 1, refused naming meta_checksum" \
  sh -c "test $(rc) = 1 && grep -q 's.ckpt: damaged checkpoint: .*meta_checksum' '$tmp/err' && ! test -f '$tmp/s2.h5'"
runrc "$sd" inspect "$tmp/plain.h5"
t "an HDF5 file that is not stardag's: exit 2" sh -c "test $(rc) = 2 && grep -q 'plain.h5: not a stardag file (an HDF5 file without' '$tmp/err'"
echo "just text" >"$tmp/text.h5"
runrc "$sd" inspect "$tmp/text.h5"
t "a text file: exit 2, not HDF5" sh -c "test $(rc) = 2 && grep -q 'text.h5: not a stardag file (not an HDF5 file' '$tmp/err'"
runrc "$sd" inspect "$tmp/none.h5"
t "no file: exit 2" sh -c "test $(rc) = 2 && grep -q 'none.h5: cannot open: No such file' '$tmp/err'"
runrc "$sd" inspect
t "no argument: usage, exit 2" sh -c "test $(rc) = 2 && grep -q 'usage: stardag inspect' '$tmp/err'"
runrc "$sd" inspect "$tmp/r.h5" --help
t "FILE --help: usage on stdout, exit 0" sh -c "test $(rc) = 0 && grep -q 'usage: stardag inspect' '$tmp/out'"
runrc "$sd" inspect -x.h5
t "-x.h5: exit 2, an unknown option (and how to name such a file)" sh -c "test $(rc) = 2 && grep -q \"unknown option '-x.h5' (a file of that name: ./-x.h5)\" '$tmp/err'"
runrc "$sd" inspect --help
t "--help: usage on stdout, exit 0" sh -c "test $(rc) = 0 && grep -q 'usage: stardag inspect' '$tmp/out'"
# a run file missing what its creation writes: DAMAGED (exit 1), not made-up values with exit 0
cp "$tmp/r.h5" "$tmp/nocommits.h5"
"$top_builddir/tests/inspect_fixture" --drop "$tmp/nocommits.h5" commits
runrc "$sd" inspect "$tmp/nocommits.h5"
t "a run file without its attribute commits: exit 1, DAMAGED naming it" \
  sh -c "test $(rc) = 1 && grep -q 'verdict: DAMAGED: cannot read attribute commits' '$tmp/out'"
cp "$tmp/r.h5" "$tmp/nometa.h5"
"$top_builddir/tests/inspect_fixture" --drop "$tmp/nometa.h5" meta
runrc "$sd" inspect "$tmp/nometa.h5"
t "... without its /meta group: exit 1, DAMAGED naming it" sh -c "test $(rc) = 1 && grep -q 'verdict: DAMAGED: cannot read group /meta' '$tmp/out'"
# a graph text over 64 KiB (a dataset in /meta): every line counted
{ cat "$g"; i=0; while [ $i -lt 2000 ]; do echo "# a comment line to make the graph text long ................................"; i=$((i + 1)); done; } >"$tmp/long.yaml"
"$sd" run "$tmp/long.yaml" --set n=16 --steps 10 --out "$tmp/long.h5" --quiet >/dev/null 2>&1
runrc "$sd" inspect "$tmp/long.h5"
t "a graph text over 64 KiB: all its lines counted" grep -q "($(wc -l <"$tmp/long.yaml") lines of text in /meta)" "$tmp/out"
# a file another program holds locked (as the writer of a run still going does, io/h5vfd.c): the
# readers say it is in use instead of HDF5's bare errno text
if command -v flock >/dev/null; then
  flock -x "$tmp/r.h5" -c "'$sd' inspect '$tmp/r.h5' >'$tmp/l1' 2>&1; echo \$? >'$tmp/l1.rc'; '$sd' compare '$tmp/r.h5' '$tmp/r.h5' >'$tmp/l2' 2>&1; '$sd' report '$tmp/r.h5' --out '$tmp/lrep' >'$tmp/l3' 2>&1"
  t "a locked run file: inspect exits 1 saying it is in use (a run still writing it)" \
    sh -c "test \$(cat '$tmp/l1.rc') = 1 && grep -q 'r.h5: cannot open: the file is in use: .*a stardag run still writing it' '$tmp/l1'"
  t "... compare and report say the same" sh -c "grep -q 'the file is in use' '$tmp/l2' && grep -q 'the file is in use' '$tmp/l3'"
else
  skip "flock not installed"
  skip "flock not installed"
fi
rm -rf "$tmp"

tap_end
