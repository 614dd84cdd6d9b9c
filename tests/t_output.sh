#!/bin/sh
# t_output.sh - output that never destroys work: an existing output file (run file, XDMF sidecar,
# trajectory, log, trace) is refused unless --overwrite, and left byte for byte as it was; --out ""
# writes nothing at all; the log file beside the output (its lines, written as they are printed);
# --log and --trajectory; the writer thread: its summary line, files bitwise the same with a queue of
# one record (STARDAG_OUTPUT_QUEUE=0), and a write error on it (a file-size limit) stopping the run.
. "$top_srcdir/tests/tap.sh"
g="$top_srcdir/graphs/lattice/kg-packet.yaml"
argon="$top_srcdir/graphs/md/argon-nvt.yaml"
small="--set n=16 --steps 20"
sums() { cksum "$@" 2>&1; }

# 1. A second run into the same files is refused before anything runs; the files stay as they were.
mkdir "$tmp/a" && cd "$tmp/a" || exit 99
runrc "$sd" run "$g" $small --out run.h5 --trace run.json
t "first run writes run.h5, run.xmf, run.log and the trace (exit 0)" \
  sh -c "test $(rc) = 0 && test -s run.h5 -a -s run.xmf -a -s run.log -a -s run.json"
before=$(sums run.h5 run.xmf run.log run.json)
runrc "$sd" run "$g" --set n=16 --steps 10 --out run.h5 --trace run.json
t "a second run into the same files: exit 2" test "$(rc)" = 2
for f in "run.h5 --out" "run.xmf --out" "run.log --log" "run.json --trace"; do
  set -- $f
  t "the refusal names $1 and the remedies" grep -q "^stardag: $1 exists: pass --overwrite, remove it, or choose another $2\$" "$tmp/err"
done
t "refused before any task ran (no summary)" sh -c "! grep -q 'steps in' '$tmp/out'"
t "the existing files are unchanged (checksums)" test "$before" = "$(sums run.h5 run.xmf run.log run.json)"
rm run.json
# --overwrite, but creating the new file fails (a file-size limit): the old files are put back whole
before=$(sums run.h5 run.xmf)
runrc sh -c "ulimit -f 8; exec '$sd' run '$g' --set n=16 --steps 10 --out run.h5 --overwrite"
t "--overwrite, creating the new file fails: exit 1, the reason named" \
  sh -c "test $(rc) = 1 && grep -q 'run.h5: .*File too large' '$tmp/err'"
t "--overwrite, creating failed: run.h5 and run.xmf are the old ones, byte for byte" test "$before" = "$(sums run.h5 run.xmf)"
t "--overwrite, creating failed: nothing left aside" sh -c "! ls *.replaced"
runrc "$sd" run "$g" --set n=16 --steps 10 --out run.h5 --overwrite
t "--overwrite replaces them (exit 0)" test "$(rc)" = 0
cp "$tmp/out" "$tmp/out-a"
t "--overwrite: the run file is the new run's (steps_done 10)" \
  sh -c "h5dump -a /steps_done run.h5 | grep -q '(0): 10'"
t "--overwrite: the log is the new run's" grep -q -- "--steps 10 --out run.h5 --overwrite" run.log
# the sidecar's temporary is a new file of its own: a user's run.xmf.tmp is never touched, and no
# temporary is left behind
echo "mine" >run.xmf.tmp
runrc "$sd" run "$g" --set n=16 --steps 10 --out run.h5 --overwrite
t "a user's run.xmf.tmp survives a run writing run.xmf (exit 0)" sh -c "test $(rc) = 0 && test \"\$(cat run.xmf.tmp)\" = mine"
t "... and no sidecar temporary is left" sh -c "! ls run.xmf.*.tmp 2>/dev/null | grep -q ."
t "--overwrite: the replaced files are gone (no NAME.replaced)" sh -c "! ls *.replaced"
# a NAME.replaced left by a killed --overwrite run may be the only good copy: never renamed over
echo "the only good copy" >run.h5.replaced
before=$(sums run.h5 run.xmf run.log run.h5.replaced)
runrc "$sd" run "$g" --set n=16 --steps 10 --out run.h5 --overwrite
t "--overwrite with a run.h5.replaced left: exit 2, the remedy named" sh -c "test $(rc) = 2 && grep -q \
  '^stardag: run.h5.replaced exists (left by an earlier --overwrite run that was killed? it may be the only good copy): move it away\$' '$tmp/err'"
t "--overwrite with a run.h5.replaced left: every file unchanged" test "$before" = "$(sums run.h5 run.xmf run.log run.h5.replaced)"
rm run.h5.replaced
# the same file under two spellings is two outputs into one file
runrc "$sd" run "$g" $small --out ./same.h5 --log same.h5
t "--out ./same.h5 --log same.h5: exit 2, both spellings named" sh -c "test $(rc) = 2 && grep -q \
  \"the output file './same.h5' and the log 'same.h5' are the same file (expected different files)\" '$tmp/err'"
t "--out ./same.h5 --log same.h5: nothing written" test ! -e same.h5
runrc "$sd" run "$g" $small --out same.h5 --trace "$tmp/a/same.h5"
t "--out same.h5 --trace /abs/same.h5: exit 2" test "$(rc)" = 2

# 2. --out "" writes nothing at all: no run file, no trajectory, no log.
mkdir "$tmp/b" && cd "$tmp/b" || exit 99
runrc "$sd" run "$g" $small --out ""
t "--out \"\" on a grid graph: exit 0 and no file at all" sh -c "test $(rc) = 0 && test -z \"\$(ls -A)\""
runrc "$sd" run "$argon" --set cells=6 --steps 10 --out ""
t "--out \"\" on a particle graph with a trajectory: exit 0 and no file at all" \
  sh -c "test $(rc) = 0 && test -z \"\$(ls -A)\""
runrc "$sd" run "$argon" --set cells=6 --steps 10 --out "" --trajectory only.h5md
t "--out \"\" with --trajectory FILE: only that file" sh -c "test $(rc) = 0 && test \"\$(ls -A)\" = only.h5md"

# 3. The log: the run's printed lines, progress as whole lines, the summary, check results, errors.
cd "$tmp/a" || exit 99
log=run.log
t "log: a header with the version and the command line" grep -q "^stardag [0-9.]*: .*stardag run .*kg-packet.yaml" $log
t "log: the graph, the host and the start time" grep -q "^graph .*kg-packet.yaml, host .*, started [0-9T:-]*Z" $log
t "log: a progress line at each tenth of the run (10 of 10 steps)" test "$(grep -c '^step [0-9]*/10 ' $log)" = 10
t "log: no terminal control characters (the progress line is not redrawn there)" sh -c "! grep -q \"\$(printf '\\r')\" $log"
t "log: the summary" grep -q "^stardag: kg-packet: 10 steps in" $log
t "log: the output line and the writer's line" sh -c "grep -q '^  output: run.h5 (2 field steps' $log && grep -q '^  output writer: ' $log"
t "log: the check results" grep -q "^  check drift(energy) <= 1e-10: ok" $log
t "log: the exit status" grep -q "^exit status 0\$" $log
t "the terminal got the same summary" grep -q "^stardag: kg-packet: 10 steps in" "$tmp/out-a"
mkdir "$tmp/c" && cd "$tmp/c" || exit 99
runrc "$sd" run "$top_srcdir/tests/graphs/blowup.yaml" --quiet
t "log of a failed check: the failure message (exit 3)" \
  sh -c "test $(rc) = 3 && grep -q 'check finite(E) failed at step' blowup.log && grep -q '^exit status 3\$' blowup.log"
runrc "$sd" run "$argon" --set cells=6 --steps 20 --quiet --out ar.h5 --log "$tmp/c/sub.log"
t "--log FILE: the log is there and not beside the output" sh -c "test $(rc) = 0 && test -s sub.log && ! test -e ar.log"
runrc "$sd" run "$argon" --set cells=6 --steps 20 --out ar2.h5 --trajectory t2.h5md
t "--trajectory FILE: the trajectory goes there (exit 0)" sh -c "test $(rc) = 0 && test -s t2.h5md"
t "log of a particle run: the thermo table" grep -q "^ *20 " ar2.log
t "log: the trajectory line" grep -q "^  trajectory: t2.h5md (2 frames)" ar2.log
"$sd" run "$argon" --set cells=6 --steps 10 --out ar4.h5 --log "" --quiet >/dev/null 2>&1
runrc "$sd" run "$argon" --set cells=6 --steps 10 --out ar5.h5 --log ""
t "an existing trajectory is refused, naming --trajectory (exit 2)" \
  sh -c "test $(rc) = 2 && grep -q '^stardag: argon-nvt.h5md exists: .* choose another --trajectory' '$tmp/err'"
t "--log \"\": no log" sh -c "! test -e ar4.log && ! test -e ar5.log"
runrc "$sd" run "$g" $small --out x.h5 --trajectory t.h5md
t "--trajectory on a graph without one: exit 2, named" \
  sh -c "test $(rc) = 2 && grep -q 'has no output.trajectory' '$tmp/err'"
runrc "$sd" run "$g" $small --out x.h5 --log x.h5
t "two outputs with one name: exit 2, named" \
  sh -c "test $(rc) = 2 && grep -q \"the output file and the log are both 'x.h5'\" '$tmp/err' && ! test -e x.h5"
runrc "$sd" run "$g" $small --out y.h5 --log "$tmp/c/no/such/dir/y.log"
t "a log that cannot be created: exit 1, named, before anything is written" \
  sh -c "test $(rc) = 1 && grep -q 'no/such/dir/y.log: cannot create the log there: its folder .*no/such/dir: No such file or directory' '$tmp/err' && ! test -e y.h5"
sed 's/^  file: kg-packet.h5$/  file: kg-packet.h5\n  log: graph-said.log/' "$g" >"$tmp/c/withlog.yaml"
runrc "$sd" run "$tmp/c/withlog.yaml" $small --quiet
t "output.log in the graph names the log" sh -c "test $(rc) = 0 && test -s graph-said.log && ! test -e kg-packet.log"

# 4. The log is written as the run prints: readable while it runs, and a killed run keeps it.
mkdir "$tmp/d" && cd "$tmp/d" || exit 99
"$sd" run "$g" --set n=64 --steps 20000 --out k.h5 >"$tmp/out" 2>"$tmp/err" &
pid=$!
i=0
while [ $i -lt 600 ] && ! grep -q "^step " k.log 2>/dev/null; do sleep 0.1; i=$((i + 1)); done
kill -KILL $pid
wait $pid 2>/dev/null
t "log: a running run's progress line is in the file already" grep -q "^step [0-9]*/20000 " k.log
t "log: after SIGKILL the header and the progress lines are still there" grep -q "^graph .*kg-packet.yaml" k.log
t "the killed run's file opens at its last commit" h5ls -r k.h5

# 5. The writer thread: files bitwise the same whatever the queue's size; a write error stops the run.
mkdir "$tmp/e" && cd "$tmp/e" || exit 99
sed 's/fields: {names: \[E\], every: 100}/fields: {names: [E], every: 2}/' "$g" >freq.yaml
runrc "$sd" run freq.yaml --set n=24 --steps 40 --out q1.h5
t "default queue: exit 0" test "$(rc)" = 0
t "the summary reports the writer's time and the waits" \
  grep -Eq "^  output writer: [0-9.]+ s writing on its own thread; the run waited [0-9.]+ s for room in its queue \(peak [0-9.]+ MB\) and [0-9.]+ s for it after the last task" "$tmp/out"
STARDAG_OUTPUT_QUEUE=0 runrc "$sd" run freq.yaml --set n=24 --steps 40 --out q0.h5
t "a queue of one record (STARDAG_OUTPUT_QUEUE=0): exit 0" test "$(rc)" = 0
t "fields and scalars bitwise the same with either queue" "$sd" compare q1.h5 q0.h5
t "every output step is there (21 field steps)" sh -c "h5ls q0.h5/fields/E | wc -l | grep -qx 21"
t "with a queue of one record the summary counts all 21 field steps" \
  sh -c "grep -q 'output: q0.h5 (21 field steps' '$tmp/out'"
STARDAG_OUTPUT_QUEUE=lots runrc "$sd" run "$g" $small --out bad.h5
t "a bad STARDAG_OUTPUT_QUEUE: exit 2, named, nothing written" \
  sh -c "test $(rc) = 2 && grep -q \"STARDAG_OUTPUT_QUEUE='lots'\" '$tmp/err' && ! test -e bad.h5"
# a file-size limit hit by the writer thread: exit 1, the message, the run stopped, the file valid
sh -c "ulimit -f 3000; exec '$sd' run '$g' --set n=32 --steps 100000 --out full.h5" >"$tmp/out" 2>"$tmp/err"
echo $? >"$tmp/rc"
t "writer thread hits a file-size limit: exit 1" test "$(rc)" = 1
t "the message names the file, the field, the step and the reason" \
  grep -q "full.h5: cannot write field E at step [0-9]*: File too large" "$tmp/err"
t "the run stopped early (far fewer than 100000 steps)" \
  sh -c "grep -q 'kg-packet: [0-9]* steps in' '$tmp/out' && ! grep -q 'kg-packet: 100000 steps' '$tmp/out'"
t "the file opens, says failed, and holds its committed field steps" \
  sh -c "h5dump -a /status full.h5 | grep -q '\"failed\"' && h5ls -r full.h5 | grep -q '/fields/E/00000100'"
t "the log has the error too" grep -q "full.h5: cannot write field E at step" full.log
tap_end
