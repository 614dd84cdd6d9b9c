#!/bin/sh
# t_profiles.sh - output.profiles end to end: a 2-D grid (with inner axes, as a phase-space grid)
# whose dose field is read from a crafted file (column weights a(i) = .25 .5 .75 .5 times a depth
# curve f(j), so the profile along y is 2 f(j), along x 62 a(i)) and doubled every step. The
# profiles' values, peak, parabola vertex, R90/R80/R50/R5 and a level never reached are known by
# hand; the file's /profiles rows and attributes, the summary and log lines, the same bytes for
# two tilings, `stardag report`'s profile and map charts, and every load error (exit 2).
. "$top_srcdir/tests/tap.sh"
cd "$tmp" || exit 1

# dose [16][4] (y slowest): row j = a(i) f(j)
awk 'BEGIN { split("1 2 3 4 5 6 7 8 10 9 4 2 1 0 0 0", f, " "); split("0.25 0.5 0.75 0.5", a, " ");
  for (j = 1; j <= 16; j++) printf "%g %g %g %g\n", a[1] * f[j], a[2] * f[j], a[3] * f[j], a[4] * f[j] }' >dose.txt
printf 'PATH /dose\nINPUT-CLASS TEXTFP\nRANK 2\nDIMENSION-SIZES 16 4\nOUTPUT-CLASS FP\nOUTPUT-SIZE 64\n' >dose.conf
h5import dose.txt -c dose.conf -o dose.h5 || { echo "1..0 # SKIP h5import failed"; exit 0; }

graph() { # graph PROFILES [FIELDS-OUTPUT]
  cat <<EOF
domain:
  grid:
    shape: [4, 16]
    spacing: [1, 0.5]
    boundary: fixed
    units: {length: mm}
    inner: {theta: {count: 3, range: [-10, 10]}, E: {count: 2, range: [0, 100]}}
fields:
  dose: {}
  psi: {location: bins}
init:
  - op: io.read_field
    write: {out: dose}
    params: {file: dose.h5, dataset: /dose}
  - op: common.fill
    write: {out: psi}
    params: {value: 1}
step:
  - {op: common.scale, readwrite: {x: dose}, params: {a: 2}}
output:
  fields: {names: [${2:-dose}], every: 1}
  profiles: $1
run: {steps: 3, dt: 1}
EOF
}
graph "[{field: dose, axis: y, falloff: [90, 80, 50, 5]}, {field: dose, axis: 0, falloff: [50], name: lateral, label: lateral}]" "dose, psi" >g.yaml
runrc "$sd" run g.yaml --out a.h5 --tiles 2x4 --ncpu 2
t "a run with two profiles (exit 0)" test "$(rc)" = 0
cp "$tmp/out" sum.txt
t "summary: the depth profile's peak, parabola vertex, max and R90/R80/R50/R5 in mm" grep -qx \
  '  profile dose_y (dose along y, step 3): peak 4.25 mm (parabola 4.33333 mm), max 160, R90 4.75 mm, R80 4.85 mm, R50 5.15 mm, R5 6.5 mm' sum.txt
t "summary: a level never reached says so" grep -qx \
  '  profile lateral (dose along lateral (x), step 3): peak 2.5 mm (parabola 2.5 mm), max 372, R50 not reached' sum.txt
t "the run log has the profile lines too" grep -q '^  profile dose_y (dose along y, step 3): peak 4.25 mm' a.log

# the file: numbers exactly as computed by hand
col() { h5dump -A 0 -y -w 1 -m '%.17g' -d "$2" "$1" | sed -n '/DATA {/,/}/s/^ *\([-+0-9.eEinfa]*\),\{0,1\}$/\1/p' | tr '\n' ' '; }
attr() { h5dump -a "$2" "$1" 2>/dev/null | sed -n 's/^ *(0): //p' | tr -d '"' | tr '\n' ' '; }
t "/profiles/dose_y/step: the four written steps" test "$(col a.h5 /profiles/dose_y/step)" = "0 1 2 3 "
t "/profiles/dose_y/max doubles each step" test "$(col a.h5 /profiles/dose_y/max)" = "20 40 80 160 "
t "/profiles/dose_y/peak and falloff_80 at every step" sh -c \
  "test '$(col a.h5 /profiles/dose_y/peak)' = '4.25 4.25 4.25 4.25 ' && test '$(col a.h5 /profiles/dose_y/falloff_80)' = '4.8499999999999996 4.8499999999999996 4.8499999999999996 4.8499999999999996 '"
t "/profiles/dose_y/positions: the cell centres (j + 0.5) dy" test "$(col a.h5 /profiles/dose_y/positions)" = \
  "0.25 0.75 1.25 1.75 2.25 2.75 3.25 3.75 4.25 4.75 5.25 5.75 6.25 6.75 7.25 7.75 "
vals=$(h5dump -A 0 -y -w 400 -m '%g' -d /profiles/dose_y/values a.h5 | sed -n '/DATA {/,/}/p' | tr -s ' \n' ' ')
t "/profiles/dose_y/values [4][16]: row 0 is 2 f(j), row 3 is 16 f(j)" sh -c "echo '$vals' | grep -q '2, 4, 6, 8, 10, 12, 14, 16, 20, 18, 8, 4, 2, 0, 0, 0' && echo '$vals' | grep -q '16, 32, 48, 64, 80, 96, 112, 128, 160, 144, 64, 32, 16, 0, 0, 0'"
t "/profiles/lateral/falloff_50: NaN (never reached)" test "$(col a.h5 /profiles/lateral/falloff_50)" = "nan nan nan nan "
t "attrs: field, axis, summed axes, units, percentages" sh -c \
  "test '$(attr a.h5 /profiles/dose_y/field)$(attr a.h5 /profiles/dose_y/axis)$(attr a.h5 /profiles/dose_y/summed_axes)$(attr a.h5 /profiles/dose_y/units_length)' = 'dose y x mm ' && h5dump -a /profiles/dose_y/falloff_percent a.h5 | grep -q '90, 80, 50, 5'"

# another tiling, one worker: the same profile bytes
runrc "$sd" run g.yaml --out b.h5 --tiles 4x16 --ncpu 1 --quiet
t "the same graph untiled (exit 0)" test "$(rc)" = 0
t "a quiet run logs the profile lines (no summary)" sh -c "grep -q '^  profile dose_y (dose along y, step 3): peak 4.25 mm' b.log && ! grep -q 'profile' '$tmp/out'"
t "two tilings: identical /profiles" sh -c "h5dump -g /profiles a.h5 | tail -n +2 >pa.txt && h5dump -g /profiles b.h5 | tail -n +2 >pb.txt && cmp pa.txt pb.txt && test \$(wc -l <pa.txt) -gt 100"

# report: a chart per profile, the peak and fall-off labels; a map of dose (2-D, one component)
runrc "$sd" report a.h5 --out rep
t "report (exit 0)" test "$(rc)" = 0
t "report: the depth profile's chart with the peak and R80 labelled" sh -c \
  "grep -q '>peak 4.25 mm<' rep/a-profile-dose_y.svg && grep -q '>R80 4.85 mm<' rep/a-profile-dose_y.svg && grep -q '<polyline' rep/a-profile-dose_y.svg"
t "report: the lateral chart says R50 is not reached; its axis is labelled" sh -c "grep -q '>R50: not reached<' rep/a-profile-lateral.svg && grep -q '>lateral (mm)<' rep/a-profile-lateral.svg"
t "report: a map of dose at the last step, axes in mm" sh -c \
  "grep -q 'Map of dose at step 3' rep/a-map-dose.svg && grep -q '>x (mm)<' rep/a-map-dose.svg && grep -q '>y (mm)<' rep/a-map-dose.svg && grep -q '4 x 16 cells, y across, x up; min 0, max 60' rep/a-map-dose.svg"
t "report: psi (on bins) gets no map, with a note" sh -c "! test -e rep/a-map-psi.svg && grep -q 'no map of field psi: it lives on the bins' '$tmp/err'" 
t "report: the chart paths are printed" test "$(grep -c 'rep/a-\(profile\|map\)-' "$tmp/out")" = 3

# load errors: file:line:col, what was found and expected, exit 2
bad() { # bad DESCRIPTION PATTERN PROFILES [FIELDS-OUTPUT]
  graph "$3" "$4" >bad.yaml
  runrc "$sd" check bad.yaml
  if test "$(rc)" = 2 && grep -q -- "$2" "$tmp/err"; then t "$1" true; else t "$1" false; fi
}
bad "unknown field, with a suggestion" "bad.yaml:[0-9]*:[0-9]*: unknown field 'dos' (did you mean 'dose'?)" "[{field: dos, axis: y}]"
bad "a field on bins is refused" "field 'psi' lives on bins: a profile sums one value per cell" "[{field: psi, axis: y}]" "dose, psi"
bad "axis z of a 2-D grid" "axis z is not an axis of this 2-D grid (expected x or y)" "[{field: dose, axis: z}]"
bad "an unknown axis name" "unknown axis 'depth' (expected x or y, or its index 0..1)" "[{field: dose, axis: depth}]"
bad "percentage 100" "falloff percentage 100 is out of range (expected 0 < p < 100)" "[{field: dose, axis: y, falloff: [90, 100]}]"
bad "percentage 0" "falloff percentage 0 is out of range" "[{field: dose, axis: y, falloff: [0]}]"
bad "a percentage twice" "falloff percentage 80 is listed twice" "[{field: dose, axis: y, falloff: [80, 80]}]"
bad "component out of range" "component" "[{field: dose, axis: y, component: 1}]"
bad "two profiles of one name" "two profiles are named 'dose_y'" "[{field: dose, axis: y}, {field: dose, axis: 1}]"
bad "an unknown key" "axes" "[{field: dose, axes: y}]"
bad "no axis" "a profile needs axis" "[{field: dose}]"
bad "a field not written" "profile dose_y: field 'dose' is not in output.fields" "[{field: dose, axis: y}]" "psi"
sed 's/^output:/output:\n  profiles: [{field: x, axis: x}]/' "$top_srcdir/tests/graphs/md-slab.yaml" >md.yaml
runrc "$sd" check md.yaml
t "a particle domain: refused" sh -c "test $(rc) = 2 && grep -q 'output.profiles needs a grid domain.*this graph.s domain is particles' '$tmp/err'"
tap_end
