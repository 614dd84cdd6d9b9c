#!/bin/sh
# t_units.sh - LAMMPS "metal" units for particle domains: argon in metal units (A, ps, eV) is the
# same run as argon in real units (nm, ps, kJ/mol) after converting; the thermo relations hold
# analytically in eV; an unknown unit system is refused with a suggestion.
. "$top_srcdir/tests/tap.sh"
cd "$tmp" || exit 1
metal="$top_srcdir/tests/graphs/argon-metal.yaml"
real="$top_srcdir/graphs/md/argon-nvt.yaml"
vals() { h5dump -A 0 -m %.17g -y -w 0 -d "$2" "$1" | sed -n '/DATA {/,/}/p' | sed '1d;$d' | tr ',' '\n' | sed 's/ //g;/^$/d'; }
# within A B RTOL: |A - B| <= RTOL |B|
within() { awk -v a="$1" -v b="$2" -v t="$3" 'BEGIN { d = a - b; if (d < 0) d = -d; s = b < 0 ? -b : b; exit !(d <= t * s) }'; }
# row STEP FILE NAME: the scalar NAME at step STEP
row() { vals "$2" /scalars/step >steps.txt; vals "$2" "/scalars/$3" >v.txt; paste steps.txt v.txt | awk -v s="$1" '$1 == s { print $2 }'; }

runrc "$sd" run "$metal" --quiet --out m.h5
t "argon, metal units: 200 steps run" test "$(rc)" = 0
runrc "$sd" run "$real" --set cells=6 --steps 200 --quiet --out r.h5
t "argon, real units: 200 steps run" test "$(rc)" = 0

# 1 eV = 96.48533212331002 kJ/mol (e N_A / 1000, SI 2019 exact); 1 eV/A^3 = 96485.33212331002 kJ/mol/nm^3.
# The two runs are the same physics; they differ by the constants' last digits (LAMMPS' mvv2e
# 1.0364269e-4 is rounded to 8 digits: 7e-8 relative), amplified by 200 steps of a chaotic liquid:
# measured at step 200: 4e-10 (energies) to 1.2e-8 (pressure). The tolerance is 1e-6.
F=96.48533212331002
for s in 0 100 200; do
  tm=$(row $s m.h5 temp); tr=$(row $s r.h5 temp)
  t "step $s: temperature $tm K (metal) = $tr K (real), to 1e-6" within "$tm" "$tr" 1e-6
  em=$(row $s m.h5 epot); er=$(row $s r.h5 epot)
  t "step $s: potential energy $em eV x $F = $er kJ/mol, to 1e-6" within "$(awk -v e="$em" -v f=$F 'BEGIN { printf "%.17g", e * f }')" "$er" 1e-6
  em=$(row $s m.h5 etotal); er=$(row $s r.h5 etotal)
  t "step $s: total energy $em eV = $er kJ/mol, to 1e-6" within "$(awk -v e="$em" -v f=$F 'BEGIN { printf "%.17g", e * f }')" "$er" 1e-6
  pm=$(row $s m.h5 press); pr=$(row $s r.h5 press)
  t "step $s: pressure $pm eV/A^3 x 1000 F = $pr kJ/mol/nm^3, to 1e-6" within "$(awk -v e="$pm" -v f=$F 'BEGIN { printf "%.17g", e * f * 1000 }')" "$pr" 1e-6
done
# positions: A = 10 nm (last frame, every atom, to 1e-6 of the box)
h5dump -A 0 -d /particles/trajectory/position/value -s 4,0,0 -c 1,864,3 -b NATIVE -o xm.bin argon-metal.h5md >/dev/null 2>&1
h5dump -A 0 -d /particles/trajectory/position/value -s 2,0,0 -c 1,864,3 -b NATIVE -o xr.bin argon-nvt.h5md >/dev/null 2>&1
t "step 200: every position in A = 10 x the one in nm, to 1e-6 of the box" \
  sh -c "od -A n -v -t f8 -w8 xm.bin >xm.txt && od -A n -v -t f8 -w8 xr.bin >xr.txt && test \$(wc -l <xm.txt) = 2592 &&
         paste xm.txt xr.txt | awk '{ d = \$1 - 10 * \$2; if (d < 0) d = -d; if (d > m) m = d } END { exit !(NR == 2592 && m <= 1e-6 * 34.46) }'"

# Analytic relations in metal units at step 200: T = 2 KE / ((3N - 3) kB) with kB = 8.617333262e-5 eV/K,
# etotal = epot + ke, all in eV.
ke=$(row 200 m.h5 ke); T=$(row 200 m.h5 temp); ep=$(row 200 m.h5 epot); et=$(row 200 m.h5 etotal)
t "T = 2 KE / ((3N-3) kB): $T K from KE = $ke eV, to 1e-12" \
  within "$T" "$(awk -v k="$ke" 'BEGIN { printf "%.17g", 2 * k / ((3 * 864 - 3) * 8.617333262e-5) }')" 1e-12
t "etotal = epot + ke ($et = $ep + $ke), to 1e-12" within "$et" "$(awk -v a="$ep" -v b="$ke" 'BEGIN { printf "%.17g", a + b }')" 1e-12
# velocity_create's Maxwell-Boltzmann start at exactly T: KE(0) = (3N-3)/2 kB T in eV, whatever the mass unit
ke0=$(row 0 m.h5 ke)
t "step 0: KE = (3N-3)/2 kB 94.4 K = $ke0 eV, to 1e-12" \
  within "$ke0" "$(awk 'BEGIN { printf "%.17g", (3 * 864 - 3) / 2 * 8.617333262e-5 * 94.4 }')" 1e-12

# An unknown unit system.
sed 's/units: metal/units: metl/' "$metal" >bad.yaml
runrc "$sd" check bad.yaml
t "units: metl is refused (exit 2), suggesting metal, listing lj, real and metal" \
  sh -c "test $(rc) = 2 && grep -q \"bad.yaml:.*unknown units 'metl' (did you mean 'metal'?)\" '$tmp/err'"
sed 's/units: metal/units: si/' "$metal" >bad2.yaml
runrc "$sd" check bad2.yaml
t "units: si is refused, expecting lj, real or metal" sh -c "test $(rc) = 2 && grep -q 'expected lj, real or metal' '$tmp/err'"

# Grid units: domain.grid.units labels spacing and dt; written as /grid attrs units_length and
# units_time, the unit of /scalars/time, and XDMF Information elements; nothing without them.
grid() { # grid UNITS-LINE
  cat <<YAML
name: grid-units
params: {c: 299792458}
domain:
  grid:
    shape: [16, 8]
    spacing: 0.01
    boundary: periodic
$1
fields:
  E: {levels: [E_prev, E, E_next]}
  chi: {}
scalars: [energy]
init:
  - {op: common.fill, write: {out: chi}, params: {value: 0}}
  - {op: lattice.gaussian_packet, write: {E: E, E_prev: E_prev}, params: {width: 0.03, kx: 100}}
step:
  - {op: lattice.kg_leapfrog, read: {E: E, E_prev: E_prev, chi: chi}, write: {E_next: E_next}, params: {c: c}}
  - {op: lattice.energy, read: {E_next: E_next, E: E, chi: chi}, write: {energy: energy}, params: {c: c}}
output:
  file: gu.h5
  fields: {names: [E], every: 5}
  scalars: {names: [energy], every: 5}
run: {steps: 10, dt: 1e-11}
YAML
}
grid "    units: {length: m, time: s}" >gu.yaml
runrc "$sd" run gu.yaml --quiet --out gu.h5
t "a grid with units {length: m, time: s} runs" test "$(rc)" = 0
attr() { h5dump -a "$2" "$1" 2>/dev/null | sed -n 's/^ *(0): //p' | tr -d '"'; }
t "/grid attrs units_length m, units_time s" test "$(attr gu.h5 /grid/units_length)" = m -a "$(attr gu.h5 /grid/units_time)" = s
t "/scalars/time has unit s" test "$(attr gu.h5 /scalars/time/unit)" = s
t "the XDMF sidecar names them (Information units_length m, units_time s)" \
  sh -c "grep -q '<Information Name=\"units_length\" Value=\"m\"/>' gu.xmf && grep -q '<Information Name=\"units_time\" Value=\"s\"/>' gu.xmf"
grid "    units: {time: ps}" >gt.yaml
runrc "$sd" run gt.yaml --quiet --out gt.h5
t "only a time unit: units_time ps, no units_length" \
  sh -c "test \"\$(h5dump -a /grid/units_time gt.h5 | sed -n 's/^ *(0): //p')\" = '\"ps\"' && ! h5dump -a /grid/units_length gt.h5 >/dev/null 2>&1"
grid "" >gn.yaml
runrc "$sd" run gn.yaml --quiet --out gn.h5
t "no units: no unit attributes, no Information in the sidecar" \
  sh -c "! h5dump -a /grid/units_length gn.h5 >/dev/null 2>&1 && ! h5dump -a /scalars/time/unit gn.h5 >/dev/null 2>&1 && ! grep -q Information gn.xmf"
grid "    units: {length: m, tme: s}" >b1.yaml
runrc "$sd" check b1.yaml
t "units: a mistyped key is refused at its line, suggesting time" \
  sh -c "test $(rc) = 2 && grep -q \"b1.yaml:[0-9]*:[0-9]*: unknown key 'tme' in domain.grid.units (did you mean 'time'?)\" '$tmp/err'"
grid "    units: {length: \"m<x\"}" >b2.yaml
runrc "$sd" check b2.yaml
t "units: a unit with '<' is refused, saying what a unit string is" \
  sh -c "test $(rc) = 2 && grep -q \"b2.yaml:[0-9]*:[0-9]*: length unit 'm<x' is not a unit string (expected 1 to 31 printable ASCII\" '$tmp/err'"
grid "    units: m" >b3.yaml
runrc "$sd" check b3.yaml
t "units: not a map is refused" sh -c "test $(rc) = 2 && grep -q 'expected a map for domain.grid.units' '$tmp/err'"
tap_end
