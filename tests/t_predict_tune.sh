#!/bin/sh
# t_predict_tune.sh - `stardag predict` and `stardag tune` (docs/tuning.md) on CPU workers: a
# prediction needs calibrated models and says how each task time was found; --measure sets a run
# beside it; another machine's models through --machine; tune stores its choice, runs with
# automatic parts use it and say so (with the same results), and the stored tuning is not used
# for another graph structure or machine, nor when it is damaged. No timing is asserted.
g="$top_srcdir/graphs/lattice/kg-packet.yaml"
. "$top_srcdir/tests/tap.sh"
[ -n "$STARPU_HOME" ] || { STARPU_HOME=$tmp; export STARPU_HOME; }
# CPU workers only, on a machine with a GPU too: the expected worker counts and machine keys are CPU ones
STARPU_NCUDA=0; export STARPU_NCUDA
small="--set n=32 --ncpu 2"

# --- predict -----------------------------------------------------------------------------------
# shellcheck disable=SC2086
runrc "$sd" predict "$g" $small --steps 10
t "predict without models: exit 1" test "$(rc)" = 1
t "predict without models: says which model is missing and to calibrate" \
  grep -q "no performance model of stardag\..* on cpu: run .stardag calibrate." "$tmp/err"
# shellcheck disable=SC2086
runrc "$sd" calibrate "$g" $small --tiles 32x32x8 --steps 20 --min-samples 5 --quiet
t "calibrate: exit 0" test "$(rc)" = 0
# shellcheck disable=SC2086
runrc "$sd" predict "$g" $small --tiles 32x32x8 --steps 10 --measure
t "predict --measure: exit 0" test "$(rc)" = 0
t "predict: the configuration (tiles, scheduler, workers, max_inflight, steps)" \
  grep -q "^stardag predict: kg-packet: .* tiles .*, sched lws, 2 CPU + 0 CUDA workers, max_inflight [0-9]*, 10 steps ([0-9]* tasks)" "$tmp/out"
t "predict: every task time measured at its size (the calibrated tiling)" \
  grep -q "task times: [1-9][0-9]* measured at their size, 0 interpolated, 0 extrapolated, 0 scaled" "$tmp/out"
t "predict: StarPU's measured costs" grep -q "StarPU's costs: submitting [0-9.]* us per task" "$tmp/out"
t "predict --measure: predicted and measured ms/step side by side" \
  grep -q "ms/step (the loop's mean) *[0-9.]* *[0-9.]* *predicted/measured [0-9.]*" "$tmp/out"
t "predict: steady state and critical path" sh -c "grep -q 'ms/step in steady state *[0-9.]' '$tmp/out' && grep -q 'critical path of a step (ms) *[0-9.]' '$tmp/out'"
t "predict --measure: both workers' busy fractions, predicted and measured" \
  sh -c "test \$(grep -c 'busy cpu[01] / CPU [01] *[0-9.]*% *[0-9.]*%' '$tmp/out') = 2"
# particle blocks of different cell counts: lj-liquid at 9^3 fcc cells (2,916 atoms) has a grid of
# 5^3 cells, cut into 2x2x2 bricks of 2 or 3 cells along each axis (8, 12, 18 or 27 cells). Their
# buffers have one capacity, so StarPU's data footprint is the same; the work key (the cell count)
# gives each kind of brick its own history entry, sized by its cells (so a prediction for another
# brick interpolates between cell counts), and predict finds the same keys.
mg="$top_srcdir/graphs/md/lj-liquid.yaml"
runrc "$sd" calibrate "$mg" --set cells=9 --tiles 8 --ncpu 2 --steps 10 --min-samples 3
t "calibrate lj-liquid, 8 blocks: exit 0" test "$(rc)" = 0
entries=$(awk '/^model / { on = ($2 == "stardag.md.lj_force") } on && $1 ~ /^[0-9]+$/ && $2 ~ /^[0-9a-f]+$/ { print $1, $2 }' "$tmp/out")
sizes=$(printf '%s\n' "$entries" | awk '{ print $1 }' | sort -n -u | tr '\n' ' ')
keys=$(printf '%s\n' "$entries" | awk '{ print $2 }' | sort -u | wc -l)
t "md.lj_force: four history entries, one per kind of brick, sized by its cells (sizes: $sizes; $keys footprints)" \
  test "$sizes" = "8 12 18 27 " -a "$keys" = 4
runrc "$sd" predict "$mg" --set cells=9 --tiles 8 --ncpu 2 --sched dmda --steps 10
t "predict lj-liquid, 8 blocks: every task time measured at its size (the plan's keys are the runs')" \
  sh -c "test $(rc) = 0 && grep -q 'task times: [1-9][0-9]* measured at their size, 0 interpolated, 0 extrapolated, 0 scaled' '$tmp/out'"
# tune a particle graph: its neighbour rebuild's decision runs once per 20-step run, and StarPU drops
# every history entry's first measurement, so the tune's calibration runs the default twice (a
# StarPU home without models: the calibration above would have given it samples)
mkdir -p "$tmp/fresh"
runrc env STARPU_HOME="$tmp/fresh" "$sd" tune "$mg" --set cells=9 --ncpu 2 --budget 60 --repeat 1
t "tune lj-liquid (a task kind that runs once per calibration run): exit 0, a choice" \
  sh -c "test $(rc) = 0 && grep -q '^  chosen: 2916 particles in ' '$tmp/out'"
# shellcheck disable=SC2086
runrc "$sd" predict "$g" $small --steps 10 --tiles 32x32x2 --sched dmda
t "predict at another tiling: exit 0" test "$(rc)" = 0
t "predict at another tiling: the times not measured at their size are flagged" \
  grep -q "not measured at their size (flagged): .*stardag.lattice.kg_leapfrog (\(interpolated\|extrapolated\|scaled\))" "$tmp/out"
t "predict: the scheduler asked for" grep -q "sched dmda" "$tmp/out"

# fused steps: calibrate --fuse gives the fused tasks' models, predict --fuse plans fused groups
# shellcheck disable=SC2086
runrc "$sd" calibrate "$g" $small --tiles 32x32x8 --fuse 4 --steps 12 --min-samples 2
t "calibrate --fuse 4: exit 0, with the fused tasks' model" \
  sh -c "test $(rc) = 0 && grep -q '^model stardag.grid.fused$' '$tmp/out'"
mkdir -p "$tmp/fresh"
# shellcheck disable=SC2086
runrc env STARPU_HOME="$tmp/fresh" "$sd" calibrate "$g" $small --tiles 32x32x8 --fuse 4 --steps 12 --min-samples 2 --max-rounds 6
# (the init ops run once per round, on memory touched for the first time: a loaded machine can
# keep restarting their entries, which StarPU does for a sample 50 % off the mean; not the point)
t "calibrate --fuse 4 on a fresh home: done within its rounds (the fused ops have no tasks of their own)" \
  sh -c "test $(rc) = 0 && { grep -q 'every entry has enough samples' '$tmp/out' ||
    ! awk '/^model /{m=\$2} (/ short\$/ || /no samples recorded/) && m ~ /kg_leapfrog|lattice[.]energy|max_abs|fused/ {bad=1}
           END {exit !bad}' '$tmp/out'; }"
# shellcheck disable=SC2086
runrc "$sd" predict "$g" $small --tiles 32x32x8 --steps 12
unfused=$(sed -n 's/.*, 12 steps (\([0-9]*\) tasks)$/\1/p' "$tmp/out")
# shellcheck disable=SC2086
runrc "$sd" predict "$g" $small --tiles 32x32x8 --fuse 4 --steps 12
t "predict --fuse 4: exit 0, the parts said fused" sh -c "test $(rc) = 0 && grep -q 'cells, fused x4, sched' '$tmp/out'"
fused=$(sed -n 's/.*, 12 steps (\([0-9]*\) tasks)$/\1/p' "$tmp/out")
t "predict --fuse 4: another plan, of fused groups and their wider exchanges ($fused tasks against $unfused)" \
  sh -c "test -n '$fused' && test -n '$unfused' && test '$fused' != '$unfused'"
runrc "$sd" predict "$mg" --set cells=9 --fuse 2
t "predict --fuse on particles: exit 2, fused steps are for grids" \
  sh -c "test $(rc) = 2 && grep -q 'fused steps (temporal blocking) are for grids' '$tmp/err'"
# shellcheck disable=SC2086
runrc "$sd" calibrate "$g" $small --fuse 0
t "calibrate --fuse 0: exit 2 with the usage" sh -c "test $(rc) = 2 && grep -q -- '--fuse expects an integer from 1 to 64' '$tmp/err'"

# another machine: a copy of its StarPU home (here: these models), four workers, its own costs
mkdir -p "$tmp/other/.starpu/sampling"
cp -r "$STARPU_HOME/.starpu/sampling/codelets" "$tmp/other/.starpu/sampling/"
cat >"$tmp/bignode.txt" <<EOF
# a machine description (docs/tuning.md)
models: $tmp/other
ncpu: 4
submit_us: 1
task_overhead_us: 2
dep_latency_us: 1
EOF
runrc "$sd" predict "$g" --set n=32 --tiles 32x32x8 --steps 10 --machine "$tmp/bignode.txt"
t "predict --machine: exit 0" test "$(rc)" = 0
t "predict --machine: its four workers" grep -q "4 CPU + 0 CUDA workers" "$tmp/out"
t "predict --machine: its costs" grep -q "submitting 1.00 us per task.*on a worker 2.00 us per task.*a dependency 1.00 us" "$tmp/out"
t "predict --machine: four busy rows" sh -c "test \$(grep -c '^  busy cpu' '$tmp/out') = 4"
sed "s|^models: .*|models: $tmp/empty|" "$tmp/bignode.txt" >"$tmp/nomodels.txt"
mkdir -p "$tmp/empty"
runrc "$sd" predict "$g" --set n=32 --steps 10 --machine "$tmp/nomodels.txt"
t "predict --machine without models there: exit 1, a missing model named" \
  sh -c "test $(rc) = 1 && grep -q 'no performance model' '$tmp/err'"
printf 'models: /x\nncpu: 2\nbus_speed: 3\n' >"$tmp/badkey.txt"
runrc "$sd" predict "$g" --machine "$tmp/badkey.txt"
t "a machine description with an unknown key: exit 2 at its line" \
  sh -c "test $(rc) = 2 && grep -q 'badkey.txt:3: unknown key .bus_speed.' '$tmp/err'"
printf 'models: /x\nncpu: many\n' >"$tmp/badnum.txt"
runrc "$sd" predict "$g" --machine "$tmp/badnum.txt"
t "a machine description with a bad number: exit 2 at its line" \
  sh -c "test $(rc) = 2 && grep -q 'badnum.txt:2: ncpu expects a number' '$tmp/err'"
printf 'models: /x\nncpu: 2\nncuda: 100\n' >"$tmp/manygpus.txt"
runrc "$sd" predict "$g" --machine "$tmp/manygpus.txt"
t "a machine description with 100 GPUs: exit 2 at its line" \
  sh -c "test $(rc) = 2 && grep -q 'manygpus.txt:3: ncuda expects an integer from 0 to 8' '$tmp/err'"
printf 'models: %s\nncpu: 2\nsubmit_us: 7\n' "$tmp/other" >"$tmp/partial.txt"
runrc "$sd" predict "$g" --set n=32 --tiles 32x32x8 --steps 10 --machine "$tmp/partial.txt"
t "a machine description with some of StarPU's costs: those, and this machine's for the others" \
  sh -c "test $(rc) = 0 && grep -q 'submitting 7.00 us per task' '$tmp/out' && ! grep -q 'on a worker 0.00 us per task + 0.00' '$tmp/out'"
runrc "$sd" predict "$g" --machine "$tmp/bignode.txt" --ncpu 2
t "--machine with --ncpu: exit 2" test "$(rc)" = 2
runrc "$sd" predict "$g" --sched nosuch
t "predict --sched of an unknown scheduler: exit 2, StarPU's list given" \
  sh -c "test $(rc) = 2 && grep -q \"unknown scheduler 'nosuch'\" '$tmp/err'"
runrc "$sd" predict --describe-machine --ncpu 3
t "predict --describe-machine: exit 0" test "$(rc)" = 0
t "--describe-machine: the models' folder, the workers asked for and StarPU's costs" \
  sh -c "grep -q '^models: $STARPU_HOME/.starpu/sampling\$' '$tmp/out' && grep -q '^ncpu: 3\$' '$tmp/out' && grep -q '^dep_latency_us: [0-9.]*\$' '$tmp/out'"
grep -v '^models:' "$tmp/out" >"$tmp/described.txt"
echo "models: $tmp/other" >>"$tmp/described.txt"
runrc "$sd" predict "$g" --set n=32 --tiles 32x32x8 --steps 10 --machine "$tmp/described.txt"
t "a described machine predicts (its three workers)" sh -c "test $(rc) = 0 && grep -q '3 CPU + 0 CUDA workers' '$tmp/out'"
runrc "$sd" predict "$g" --machine "$tmp/bignode.txt" --measure
t "--measure with --machine is refused: exit 2" test "$(rc)" = 2

# --- tune ----------------------------------------------------------------------------------------
# shellcheck disable=SC2086
runrc "$sd" tune "$g" $small --budget 60 --top 2 --csv "$tmp/tune.csv"
t "tune: exit 0" test "$(rc)" = 0
cp "$tmp/out" "$tmp/tune1"
t "tune: a table of candidates, predicted and measured" grep -q "rank *parts *sched *arch *inflight *predicted ms *measured ms" "$tmp/tune1"
t "tune: the default configuration is among the measured" grep -q "[0-9] *(default)$" "$tmp/tune1"
t "tune of a grid whose ops fuse: fused steps among the candidates" \
  sh -c "grep -q 'part layouts and fused steps x 3 schedulers' '$tmp/tune1' && grep -q 'cells, fused x[248]\",.*,[248]\$' '$tmp/tune.csv'"
t "tune: says what it chose and what tuning cost against its budget" \
  sh -c "grep -q '^  chosen: .* ms/step measured (the default: ' '$tmp/tune1' && grep -q 'of a budget of 60.00 s (--budget)' '$tmp/tune1'"
stored=$(sed -n 's/^  stored: //p' "$tmp/tune1")
t "tune: the tuning is stored under StarPU's home" sh -c "test -s '$stored' && case '$stored' in '$STARPU_HOME'/*) true;; *) false;; esac"
t "tune: the stored tuning has its fused steps" grep -q "^fuse: [1-9][0-9]*$" "$stored"
t "tune --csv: a row per candidate" sh -c "test \$(grep -c '^\"' '$tmp/tune.csv') -ge 9 && grep -q '^parts,tiles,sched,max_inflight,arch,predicted_ms,measured_ms' '$tmp/tune.csv'"
chosen=$(sed -n 's/^  chosen: \(.* cells\(, fused x[0-9]*\)\{0,1\}\), sched \([a-z]*\),.*/\1 \3/p' "$tmp/tune1")
"$sd" report --tune "$tmp/tune.csv" --out "$tmp/charts" >"$tmp/out" 2>"$tmp/err"
t "report --tune: the scatter chart of predicted against measured" \
  sh -c "test -s '$tmp/charts/tune-tune.svg' && grep -q 'predicted ms/step' '$tmp/charts/tune-tune.svg' && grep -q '<circle' '$tmp/charts/tune-tune.svg'"
printf 'parts,sched\n"x",lws\n' >"$tmp/bad.csv"
runrc "$sd" report --tune "$tmp/bad.csv" --out "$tmp/charts"
t "report --tune of a malformed table: exit 2 at its line" sh -c "test $(rc) = 2 && grep -q 'bad.csv:2: expected' '$tmp/err'"
: >"$tmp/empty.csv"
runrc "$sd" report --tune "$tmp/empty.csv" --out "$tmp/charts"
t "report --tune of an empty file: exit 2, not a tune table" sh -c "test $(rc) = 2 && grep -q 'empty.csv: no header line of stardag tune --csv' '$tmp/err'"
runrc "$sd" report --tune "$tmp" --out "$tmp/charts"
t "report --tune of a folder: exit 2, not a regular file" sh -c "test $(rc) = 2 && grep -q 'not a regular file (expected the CSV' '$tmp/err'"
runrc "$sd" report --tune "$tmp/tune.csv" --steps 1:2
t "report --tune with --steps: exit 2 (a window is for a run's trace)" sh -c "test $(rc) = 2 && grep -q 'tune table alone' '$tmp/err'"

# shellcheck disable=SC2086
runrc "$sd" run "$g" $small --steps 20 --out "$tmp/tuned.h5"
t "a run with automatic tiles: exit 0" test "$(rc)" = 0
t "the run's summary says it took the stored tuning" \
  grep -q "^  tuning: parts, scheduler\(, max_inflight\)\?\(, fused steps ([0-9]*)\)\? tuned by stardag tune on .*: $stored" "$tmp/out"
ctiles=${chosen% *}
csched=${chosen##* }
t "the run used the chosen tiles and scheduler ($chosen)" grep -q "sched $csched, $ctiles" "$tmp/out"
t "tune: the choice as run options" \
  grep -q "^  as run options: \(--tiles [0-9x]*\|(automatic parts)\) --sched $csched --max-inflight [0-9]* --arch any\( --fuse [0-9]*\)\?$" "$tmp/tune1"
# shellcheck disable=SC2086
runrc "$sd" run "$g" $small --steps 20 --tiles 32x32x8 --sched lws --out "$tmp/untuned.h5"
t "--tiles: the tuning is not used" sh -c "test $(rc) = 0 && ! grep -q 'tuned by stardag tune' '$tmp/out'"
runrc "$sd" compare "$tmp/tuned.h5" "$tmp/untuned.h5"
t "the tuned run's results are bitwise those of another tiling" test "$(rc)" = 0
runrc "$sd" run "$g" --set n=32 --ncpu 1 --steps 5 --out ""
t "another worker count (another machine key): not used" sh -c "test $(rc) = 0 && ! grep -q 'tuned by' '$tmp/out'"
runrc "$sd" run "$g" --set n=24 --ncpu 2 --steps 5 --out ""
t "another graph structure (n=24): not used" sh -c "test $(rc) = 0 && ! grep -q 'tuned by' '$tmp/out'"
# shellcheck disable=SC2086
runrc "$sd" tune "$g" $small --budget 60
t "tune again: the stored tuning is reported, nothing measured" \
  sh -c "test $(rc) = 0 && grep -q 'a tuning is stored for this graph structure and machine' '$tmp/out' && grep -q -- '--retune' '$tmp/out'"

cp "$stored" "$tmp/stored.bak"
sed -i 's/^max_inflight: .*/max_inflight: 3/' "$stored"
# shellcheck disable=SC2086
runrc "$sd" run "$g" $small --steps 5 --out ""
t "an edited tuning: the run goes on (exit 0)" test "$(rc)" = 0
t "an edited tuning: ignored, with a warning naming the file" \
  sh -c "grep -q 'warning: stored tuning ignored: $stored: its check line does not match' '$tmp/err' && ! grep -q 'tuned by' '$tmp/out'"
head -c 40 "$tmp/stored.bak" >"$stored"
# shellcheck disable=SC2086
runrc "$sd" run "$g" $small --steps 5 --out ""
t "a truncated tuning: ignored with a warning" sh -c "test $(rc) = 0 && grep -q 'not a complete tuning file' '$tmp/err'"
# shellcheck disable=SC2086
runrc "$sd" tune "$g" $small --budget 60 --top 1
t "tune over a damaged tuning: warns and tunes afresh" \
  sh -c "test $(rc) = 0 && grep -q 'warning: .*tuning afresh' '$tmp/err' && grep -q '^  stored: ' '$tmp/out'"

# graphs of one structure share a tuning, whatever their name
sed 's/^name: kg-packet/name: kg-copy/' "$g" >"$tmp/copy.yaml"
# shellcheck disable=SC2086
runrc "$sd" run "$tmp/copy.yaml" $small --steps 5 --out ""
t "another graph of the same structure (another name) uses the tuning, without a warning" \
  sh -c "test $(rc) = 0 && grep -q 'tuned by stardag tune' '$tmp/out' && ! grep -q 'ignored' '$tmp/err'"
# shellcheck disable=SC2086
runrc "$sd" run "$g" $small --steps 5 --out "" --arch cpu
t "a run that chose its devices still takes a tuning made for every device" grep -q 'tuned by stardag tune' "$tmp/out"
# shellcheck disable=SC2086
runrc "$sd" calibrate "$g" $small --steps 5 --min-samples 1 --max-rounds 1
t "calibrate does not take the stored tuning (the graph's own automatic parts)" \
  sh -c "test $(rc) = 0 && ! grep -q 'tuned by' '$tmp/out' '$tmp/err'"
# --exhaustive: every candidate measured (in rounds over all of them), the fastest of the table named
mkdir -p "$tmp/exh"
runrc env STARPU_HOME="$tmp/exh" "$sd" tune "$top_srcdir/graphs/ode/vdp-ensemble.yaml" --set M=400 --ncpu 2 \
  --budget 30 --top 1 --exhaustive --repeat 2 --measure-steps 2 --csv "$tmp/exh.csv"
t "tune --exhaustive: exit 0, every candidate measured" sh -c "test $(rc) = 0 && test \$(grep -c '^\"' '$tmp/exh.csv') -ge 9 &&
  ! awk -F'\"' '/^\"/ { split(substr(\$3, 2), f, \",\"); if (f[6] !~ /^[0-9.]+\$/) bad = 1 } END { exit !bad }' '$tmp/exh.csv'"
fastest=$(awk -F'"' '/^"/ { split(substr($3, 2), f, ","); if (b == "" || f[6] + 0 < b + 0) b = f[6] } END { print b }' "$tmp/exh.csv")
said=$(sed -n 's/^  exhaustive: the fastest measured is .* at \([0-9.]*\) ms\/step: the choice is within [0-9.]*% of it$/\1/p' "$tmp/out")
# the table has 6 significant digits, the line 3 decimals: equal within the line's rounding
t "... and names the table's fastest ($fastest ms/step; said: $said) with the choice's distance from it" \
  awk -v a="${fastest:-x}" -v b="${said:-y}" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(a == a + 0 && b == b + 0 && d <= 0.0006 + 1e-5 * a) }'
sed 's/^tiles: auto/tiles: [32, 32, 8]/' "$g" >"$tmp/fixed.yaml"
runrc "$sd" tune "$tmp/fixed.yaml" --set n=32
t "tune of a graph that fixes its tiles: exit 2, said why" \
  sh -c "test $(rc) = 2 && grep -q 'fixes its parts' '$tmp/err'"
runrc "$sd" tune "$g" --set n=16 --ncpu 2
t "a run too short to tune within 10% of it: nothing stored, said so" \
  sh -c "test $(rc) = 0 && grep -q 'tuning it would cost more than 10% of that.*nothing stored' '$tmp/out'"
tap_end
