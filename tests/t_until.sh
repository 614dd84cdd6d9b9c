#!/bin/sh
# t_until.sh - run.until with several conditions: any/all stop at the first step that meets them
# (exactly, whatever the steps in flight, partitions and workers: the same file), a scalar computed
# every N steps is judged only at its steps, the summary names the conditions that stopped the run,
# and each bad form is refused with its file:line:col (exit 2).
. "$top_srcdir/tests/tap.sh"
cd "$tmp" || exit 1
vals() { h5dump -m %.17g -y -w 0 -d "$2" "$1" | sed -n '/DATA {/,/}/p' | sed '1d;$d' | tr ',' '\n' | sed 's/ //g;/^$/d'; }

# sx = the sum of the positions, which the perturbation moves by the same displacement every step
# (sx changes linearly); sy = -sx, computed every `sy_every` steps.
mk() { # mk RUN_LINE [SY_EVERY]
  cat <<EOF
domain: {mesh: {icosphere: {level: 2, radius: 2}}}
fields: {x: {components: 3}}
scalars: [sx, sy]
tiles: 3
step:
  - op: mesh.perturb
    readwrite: {x: x}
    params: {seed: 9, amp: 0.01}
  - op: mesh.sum
    read: {x: x}
    write: {sum: sx}
  - op: mesh.sum
    read: {x: x}
    write: {sum: sy}
    params: {scale: -1}
    every: ${2:-1}
output:
  file: out.h5
  fields: {names: [x], every: 100}
  scalars: {names: [sx, sy], every: 1}
$1
EOF
}
mk 'run: {steps: 8, dt: 1}' >base.yaml
runrc "$sd" run base.yaml --out base.h5 --quiet
t "the 8-step run without a stop condition (exit 0)" test "$(rc)" = 0
sx() { vals base.h5 /scalars/sx | sed -n "$1p"; }
mid() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.17g", (a + b) / 2 }'; }
up=$(awk -v a="$(sx 1)" -v b="$(sx 8)" 'BEGIN { print (b > a ? 1 : 0) }')
if [ "$up" = 1 ]; then xw=above; yw=below; else xw=below; yw=above; fi
# A: sx beyond its value between steps 2 and 3 (met from step 3 on); B: sy beyond -sx between steps 4
# and 5 (met from step 5 on); C: sy beyond -sx between steps 2 and 3 (met from 3 on)
A="{scalar: sx, $xw: $(mid "$(sx 2)" "$(sx 3)")}"
B="{scalar: sy, $yw: -$(mid "$(sx 4)" "$(sx 5)")}"
C="{scalar: sy, $yw: -$(mid "$(sx 2)" "$(sx 3)")}"
B=$(echo "$B" | sed 's/--//')
C=$(echo "$C" | sed 's/--//')

stops() { # stops NAME UNTIL [SY_EVERY] [MAX_INFLIGHT]: runs it; prints the last step written
  mk "run: {steps: 1000, dt: 1, until: $2, max_inflight: ${4:-1}}" "${3:-1}" >"$1.yaml"
  "$sd" run "$1.yaml" --out "$1.h5" >"$1.out" 2>"$1.err"
  echo "rc $?" >>"$1.out"
  vals "$1.h5" /scalars/step | tail -n 1
}
s=$(stops any "{any: [$A, $B]}")
t "any: stops at the first step where one condition holds (step 3, got $s)" test "$s" = 3
t "any: exit 0" grep -q "^rc 0" any.out
t "any: the summary names the condition met and its value" \
  grep -q "stopped: sx was $xw .* at step 3 (run.until, any of 2 conditions): sx = " any.out
s=$(stops all "{all: [$A, $B]}")
t "all: stops at the first step where both hold (step 5, got $s)" test "$s" = 5
t "all: the summary names both conditions" \
  grep -q "stopped: sx was $xw .* and sy was $yw .* at step 5 (run.until, all of 2 conditions): sx = .*, sy = " all.out
t "all: the stopping step's fields were written" sh -c "h5ls all.h5/fields/x | grep -q 00000005"
s=$(stops all16 "{all: [$B, $A]}" 1 16)
"$sd" run all16.yaml --out all16.h5 --tiles 5 --ncpu 2 --quiet >/dev/null 2>&1
t "all: max_inflight 16 on 5 partitions and 2 workers: bitwise the same output" "$sd" compare all.h5 all16.h5
s=$(stops one "$C")
t "the single form still stops alone (step 3, got $s)" test "$s" = 3
t "the single form's summary" grep -q "stopped: sy was $yw .* at step 3 (run.until): sy = " one.out
# sy computed every 2 steps: the conditions are judged only at even steps
s=$(stops one2 "$C" 2)
t "sy every 2 steps: C (met from 3) is judged at step 4 (got $s)" test "$s" = 4
s=$(stops any2 "{any: [$A, $C]}" 2)
t "sy every 2 steps: any judges sx and sy together, at step 4 (got $s)" test "$s" = 4
s=$(stops all2 "{all: [$A, $B]}" 2)
t "sy every 2 steps: all (met from 5) stops at step 6 (got $s)" test "$s" = 6
s=$(stops all2x "{all: [$A, $B]}" 2 16)
t "sy every 2 steps, 16 steps in flight: step 6 too, bitwise the same output" "$sd" compare all2.h5 all2x.h5
mk "run: {steps: 40, dt: 1, until: {all: [$A, $(echo "$A" | sed "s/$xw/$yw/")]}}" >never.yaml
"$sd" run never.yaml --out never.h5 >never.out 2>&1
s=$(vals never.h5 /scalars/step | tail -n 1)
t "conditions never met together: the run goes to its steps (40, got $s)" test "$s" = 40
t "... and says nothing about stopping" sh -c "! grep -q stopped: never.out"

# refusals, each at its file:line:col
bad() { # bad DESCRIPTION UNTIL PATTERN [SY_EVERY] [STEPS]
  mk "run: {steps: ${5:-8}, dt: 1, until: $2}" "${4:-1}" >bad.yaml
  runrc "$sd" check bad.yaml
  t "$1 (exit 2)" test "$(rc)" = 2
  t "$1: $3" grep -q "$3" err
}
bad "an unknown scalar in a list" "{any: [$A, {scalar: sz, below: 1}]}" \
  "bad.yaml:21:.*run.until.any\[1\] names scalar 'sz', which is not declared (did you mean 'sx'?)"
bad "below and above together" "{all: [{scalar: sx, below: 1, above: 0}]}" \
  "bad.yaml:21:.*run.until.all\[0\] has both below and above"
bad "neither below nor above" "{scalar: sx}" "bad.yaml:21:.*run.until needs one of below: X or above: X"
bad "an empty list" "{any: []}" "bad.yaml:21:.*run.until.any is an empty list (expected at least one condition)"
bad "any and all together" "{any: [$A], all: [$B]}" "bad.yaml:21:.*run.until has both any and all"
bad "nesting" "{any: [$A, {all: [$B, $C]}]}" "bad.yaml:21:.*run.until.any\[1\] is an any/all list inside a list"
bad "a condition beside a list" "{any: [$A], scalar: sx, below: 1}" "bad.yaml:21:.*run.until.any comes with other keys"
bad "a map where the list goes" "{all: $A}" "bad.yaml:21:.*run.until.all must be a list of conditions, got a map"
bad "an unknown key" "{scalar: sx, under: 1}" "bad.yaml:21:.*under"
bad "a list as until" "[$A]" "bad.yaml:21:.*expected a map for run.until"
bad "17 conditions" "{any: [$A, $A, $A, $A, $A, $A, $A, $A, $A, $A, $A, $A, $A, $A, $A, $A, $A]}" \
  "bad.yaml:21:.*run.until.any has 17 conditions (at most 16)"
bad "scalars never computed together in the run" "{all: [$A, $C]}" \
  "bad.yaml:21:.*run.until is never judged: no step of the run's 8 computes every scalar it names" 9
mk "run: {steps: 9, dt: 1, until: {all: [$A, $C]}}" 9 >ok.yaml
runrc "$sd" check ok.yaml
t "... and accepted when the run reaches their common step" test "$(rc)" = 0
sed 's/^scalars: \[sx, sy\]/scalars: [sx, sy, q]/' base.yaml | sed "s/run: {steps: 8, dt: 1}/run: {steps: 8, dt: 1, until: {any: [$A, {scalar: q, below: 1}]}}/" >bad.yaml
runrc "$sd" check bad.yaml
t "a scalar no step op writes (exit 2)" test "$(rc)" = 2
t "... named at its line" grep -q "bad.yaml:21:.*run.until watches scalar 'q', which no step op writes" err
tap_end
