#!/bin/sh
# t_transport_run.sh - the transport pack through `stardag run` (tests/graphs/transport-step.yaml: a
# 30 MeV beam 20 degrees off axis on a 16 x 24 grid with 18 x 40 bins):
#  - it runs; weight and energy are conserved (balances drift <= 1e-12 and 1e-10 relative); weight
#    stops, scatters past the angle range and escapes through x+;
#  - the fused step (transport.step) and the three operators one by one (transport-split.yaml) give
#    bitwise the same psi, occupancy, dose, tallies and scalars;
#  - bitwise the same for several tilings (cut in x, z, both, uneven, one-cell thin) and 1 or 2
#    workers, with the sparse loops off (STARDAG_TRANSPORT_DENSE=1) and with dense halo exchanges
#    (STARDAG_HALO_DENSE=1: psi's sparse ones, bounded by occ, are the default);
#  - f32 psi beside f64 occ/dose/tally: fused == split bitwise, balances to f32 precision;
#  - the step's cutoff: tiling-, worker- and sparsity-independent bitwise, balances kept, dose within
#    1e-5 MeV of the exact run (peak 0.34 MeV); the same bits when psi's rows are longer than
#    psi_next's (psi read with a halo of 2);
#  - a user stopping-power table: PSTAR's columns from a file = the built-in, bitwise; a denser
#    medium stops sooner; unsorted energies are refused;
#  - stardag verify --cpu-vs-cpu passes for every transport codelet;
#  - bad input is refused at load (exit 2) naming file:line: ds > the cell size, a periodic axis, a
#    third inner axis, an angle axis beyond 90 degrees, a beam energy outside the E axis.
g="$top_srcdir/tests/graphs/transport-step.yaml"
gs="$top_srcdir/tests/graphs/transport-split.yaml"
. "$top_srcdir/tests/tap.sh"
values() { h5dump -A 0 -y -w 1 -m '%.17g' -d "$2" "$1" | sed -n '/DATA {/,/}/s/^ *\([-+0-9.eEinfa]*\),\{0,1\}$/\1/p'; }
run() { out=$1; gr=$2; shift 2; runrc "$sd" run "$gr" --out "$tmp/$out.h5" --overwrite --quiet "$@"; }
same() { "$sd" compare "$tmp/ref.h5" "$tmp/$1.h5" --quiet; }

run ref "$g" --tiles 16x24x1 --ncpu 1
t "transport-step.yaml: 1 tile, 1 worker: exit 0" test "$(rc)" = 0
drift() { values "$tmp/ref.h5" "/scalars/$1" | awk -v w0="$2" '{ d = ($1 - w0) / w0; if (d < 0) d = -d; if (d > m) m = d } END { printf "%.3g", m }'; }
wd=$(drift wb 1)
t "weight balance (weight + stopped + lost + escaped) stays 1 within 1e-12 (drift $wd)" awk -v d="$wd" 'BEGIN { exit !(d <= 1e-12) }'
ed=$(drift eb 30)
t "energy balance (kinetic + dose + lost + escaped) stays 30 MeV within 1e-10 (drift $ed)" awk -v d="$ed" 'BEGIN { exit !(d <= 1e-10) }'
set -- $(values "$tmp/ref.h5" /scalars/stopped | tail -1) $(values "$tmp/ref.h5" /scalars/lost | tail -1) \
       $(values "$tmp/ref.h5" /scalars/w_xp | tail -1) $(values "$tmp/ref.h5" /scalars/weight | tail -1)
t "after 24 steps: stopped $1, lost $2, escaped x+ $3, left $4 (all channels in use, most stopped)" \
  awk -v s="$1" -v l="$2" -v x="$3" -v w="$4" 'BEGIN { exit !(s > 0.5 && l > 0 && x > 0.1 && w < 1e-3) }'

run split "$gs" --tiles 16x24x1 --ncpu 1
t "the split graph (angular_scatter, energy_loss, stream) runs" test "$(rc)" = 0
t "fused == split: psi, occ, dose, tally and every scalar bitwise" same split

for tl in 8x24 16x7 5x7 3x4 1x24; do
  for nw in 1 2; do
    run "t$tl$nw" "$g" --tiles ${tl}x1 --ncpu $nw
    t "fused, tiles $tl, $nw worker(s): bitwise the one-tile run" same "t$tl$nw"
  done
done
run split57 "$gs" --tiles 5x7x1 --ncpu 2
t "split, tiles 5x7, 2 workers: bitwise the one-tile fused run" same split57

STARDAG_TRANSPORT_DENSE=1 run dense "$g" --tiles 5x7x1 --ncpu 2
t "dense loops (STARDAG_TRANSPORT_DENSE=1), tiles 5x7: bitwise the sparse run" same dense
# psi's exchanges copy the bins occ bounds (docs/transport.md, "Sparsity"); dense ones, the same bits
STARDAG_HALO_DENSE=1 run halodense "$g" --tiles 5x7x1 --ncpu 2
t "dense halo exchanges (STARDAG_HALO_DENSE=1), tiles 5x7: bitwise the one-tile run" same halodense
STARDAG_TRANSPORT_DENSE=1 run dense_split "$gs" --tiles 16x24x1 --ncpu 1
t "dense split graph: bitwise the sparse fused run" same dense_split

# f32 psi (occ, dose and tally stay f64): fused == split bitwise, balances to f32 precision
sed 's/psi:   {location: bins,/psi:   {dtype: f32, location: bins,/' "$g" >"$tmp/f32.yaml"
sed 's/psi:   {location: bins,/psi:   {dtype: f32, location: bins,/' "$gs" >"$tmp/f32s.yaml"
run f32 "$tmp/f32.yaml" --tiles 5x7x1 --ncpu 2
t "f32 psi: the fused graph runs" test "$(rc)" = 0
run f32s "$tmp/f32s.yaml" --tiles 16x24x1 --ncpu 1
t "f32 psi: fused (5x7 tiles, 2 workers) == split (1 tile) bitwise" "$sd" compare "$tmp/f32.h5" "$tmp/f32s.h5" --quiet
wd=$(values "$tmp/f32.h5" /scalars/wb | awk '{ d = $1 - 1; if (d < 0) d = -d; if (d > m) m = d } END { printf "%.3g", m }')
t "f32 psi: weight balance within 1e-5 of 1 (drift $wd)" awk -v d="$wd" 'BEGIN { exit !(d <= 1e-5) }'

sed 's/op: transport.pencil_beam/op: transport.beam/' "$g" >"$tmp/beam.yaml"
run beam "$tmp/beam.yaml" --tiles 16x24x1 --ncpu 1
t "transport.beam (pencil_beam's other name): bitwise the pencil_beam run" same beam

# the step's cutoff (weights below 1e-9 stop where they are): bitwise the same for every tiling,
# worker count and with the sparse loops off; weight and energy still balance; the dose moves by
# less than 1e-5 MeV (per cell; the peak is 0.34 MeV) from the exact run, which it does not equal
sed '/op: transport.step/,/readwrite:/s/readwrite: {psi_next: psi_next, occ_next: occ_next, dose: dose, tally: tally}/&\n    params: {cutoff: 1e-9}/' "$g" >"$tmp/cut.yaml"
t "the cutoff graph sets the step's cutoff" grep -q "params: {cutoff: 1e-9}" "$tmp/cut.yaml"
run cut "$tmp/cut.yaml" --tiles 16x24x1 --ncpu 1
t "cutoff 1e-9: runs" test "$(rc)" = 0
for tl in 5x7 3x4 16x7; do
  run "cut$tl" "$tmp/cut.yaml" --tiles ${tl}x1 --ncpu 2
  t "cutoff 1e-9, tiles $tl, 2 workers: bitwise the one-tile run" "$sd" compare "$tmp/cut.h5" "$tmp/cut$tl.h5" --quiet
done
STARDAG_TRANSPORT_DENSE=1 run cutdense "$tmp/cut.yaml" --tiles 5x7x1 --ncpu 2
t "cutoff 1e-9, dense loops: bitwise the sparse run" "$sd" compare "$tmp/cut.h5" "$tmp/cutdense.h5" --quiet
wd=$(values "$tmp/cut.h5" /scalars/wb | awk '{ d = $1 - 1; if (d < 0) d = -d; if (d > m) m = d } END { printf "%.3g", m }')
t "cutoff 1e-9: weight balance within 1e-12 of 1 (drift $wd)" awk -v d="$wd" 'BEGIN { exit !(d <= 1e-12) }'
ed=$(values "$tmp/cut.h5" /scalars/eb | awk '{ d = ($1 - 30) / 30; if (d < 0) d = -d; if (d > m) m = d } END { printf "%.3g", m }')
t "cutoff 1e-9: energy balance within 1e-10 of 30 MeV (drift $ed)" awk -v d="$ed" 'BEGIN { exit !(d <= 1e-10) }'
runrc "$sd" compare "$tmp/ref.h5" "$tmp/cut.h5" --fields dose --quiet
t "cutoff 1e-9: the dose is not bitwise the exact run's (weight was cut)" test "$(rc)" = 3
t "cutoff 1e-9: the dose is within 1e-5 MeV of the exact run's everywhere (peak 0.34 MeV)" \
  "$sd" compare "$tmp/ref.h5" "$tmp/cut.h5" --fields dose --atol 1e-5 --rtol 0 --quiet
sed 's/psi:   {location: bins,/psi:   {dtype: f32, location: bins,/' "$tmp/cut.yaml" >"$tmp/cut32.yaml"
run cut32a "$tmp/cut32.yaml" --tiles 16x24x1 --ncpu 1
run cut32b "$tmp/cut32.yaml" --tiles 5x7x1 --ncpu 2
t "cutoff 1e-9, f32 psi: tiles 5x7 and 2 workers bitwise the one-tile run" "$sd" compare "$tmp/cut32a.h5" "$tmp/cut32b.h5" --quiet
wd=$(values "$tmp/cut32a.h5" /scalars/wb | awk '{ d = $1 - 1; if (d < 0) d = -d; if (d > m) m = d } END { printf "%.3g", m }')
t "cutoff 1e-9, f32 psi: weight balance within 1e-5 of 1 (drift $wd)" awk -v d="$wd" 'BEGIN { exit !(d <= 1e-5) }'
runrc "$sd" compare "$tmp/f32.h5" "$tmp/cut32b.h5" --fields dose --quiet
t "cutoff 1e-9, f32 psi: weight was cut (the dose is not bitwise the exact f32 run's)" test "$(rc)" = 3

# the cutoff where psi and psi_next have different row strides (psi read with a halo of 2: the
# kernels' row-by-row fallback): the same bits as with equal strides, for one tile and for 5x7
ab() { # ab HALO > GRAPH: two single-level psi fields, the first step reading psi with that halo
  cat <<EOF
run: {steps: 6, dt: 0.5}
domain:
  grid: {shape: [16, 24], spacing: [0.5, 0.5], boundary: fixed,
         inner: {theta: {count: 18, range: [-45, 45]}, E: {count: 40, range: [0, 40]}}}
fields:
  psiA:  {location: bins}
  psiB:  {location: bins}
  occA:  {components: 4}
  occB:  {components: 4}
  dose:  {}
  tally: {components: 12}
init:
  - op: transport.pencil_beam
    write: {psi: psiA, occ: occA, psi_next: psiB, occ_next: occB}
    params: {energy: 30, energy_spread: 1, angle: 20, angle_spread: 4, width: 1}
  - op: common.fill
    write: {out: dose}
  - op: common.fill
    write: {out: tally}
step:
  - op: transport.step
    read: {psi: {field: psiA, halo: $1}, occ: occA}
    readwrite: {psi_next: psiB, occ_next: occB, dose: dose, tally: tally}
    params: {cutoff: 1e-6}
  - op: transport.step
    read: {psi: psiB, occ: occB}
    readwrite: {psi_next: psiA, occ_next: occA, dose: dose, tally: tally}
    params: {cutoff: 1e-6}
output:
  fields: {names: [psiA, dose, tally], every: 6}
EOF
}
ab 1 >"$tmp/ab1.yaml"
ab 2 >"$tmp/ab2.yaml"
run ab1 "$tmp/ab1.yaml" --tiles 16x24x1 --ncpu 1
run ab2 "$tmp/ab2.yaml" --tiles 16x24x1 --ncpu 1
t "cutoff, psi read with halo 2 (rows longer than psi_next's): bitwise halo 1" "$sd" compare "$tmp/ab1.h5" "$tmp/ab2.h5" --quiet
run ab257 "$tmp/ab2.yaml" --tiles 5x7x1 --ncpu 2
t "cutoff, psi read with halo 2, tiles 5x7, 2 workers: bitwise one tile of halo 1" "$sd" compare "$tmp/ab1.h5" "$tmp/ab257.h5" --quiet

# stardag verify's transport test system: two tilings and worker counts, every transport codelet
runrc "$sd" verify --cpu-vs-cpu transport.pencil_beam transport.angular_scatter transport.energy_loss transport.stream \
  transport.step transport.totals transport.escaped transport.beam
t "verify --cpu-vs-cpu: the 8 transport codelets in their beam, 8 cases ok" \
  grep -q "^stardag verify: 8 cases: 8 ok, 0 failed, 0 errors" "$tmp/out"

# a user stopping-power table (`tables:`, role stopping_power of transport.step): PSTAR's own two
# columns as a text file give bitwise the built-in's results; the same table scaled by 1.25 (a denser
# medium) stops the beam sooner; a table whose energies do not ascend is refused at load
pstar() { # pstar FACTOR > FILE: E and S of the built-in PSTAR rows, S times FACTOR
  sed -n 's/^ *{ *\([0-9.E+-]*\), *\([0-9.E+-]*\),.*/\1 \2/p' "$top_srcdir/codelets/transport/pstar_water.h" |
    awk -v f="$1" '{ if (f == 1) print $1, $2; else printf "%s %.17g\n", $1, $2 * f }'
}
pstar 1 >"$tmp/water.txt"
pstar 1.25 >"$tmp/dense.txt"
withtable() { # withtable TABLEFILE > GRAPH: transport-step.yaml with the table bound to transport.step
  sed -e "s|^step:|tables: {medium: {file: $1, columns: 2}}\nstep:|" \
      -e '/op: transport.step/,/readwrite:/s/read: {psi: psi, occ: occ}/read: {psi: psi, occ: occ, stopping_power: medium}/' "$g"
}
withtable "$tmp/water.txt" >"$tmp/tab.yaml"
t "the PSTAR text table has the built-in's $(grep -c . "$tmp/water.txt") rows" test "$(grep -c . "$tmp/water.txt")" -gt 100
run tab "$tmp/tab.yaml" --tiles 5x7x1 --ncpu 2
t "user table = PSTAR's two columns: runs" test "$(rc)" = 0
t "user table = PSTAR's two columns: psi, dose, tallies, scalars bitwise the built-in's" "$sd" compare "$tmp/ref.h5" "$tmp/tab.h5" --quiet
withtable "$tmp/dense.txt" >"$tmp/tab125.yaml"
run tab125 "$tmp/tab125.yaml" --tiles 16x24x1 --ncpu 1
st0=$(values "$tmp/ref.h5" /scalars/stopped | sed -n 10p)
st1=$(values "$tmp/tab125.h5" /scalars/stopped | sed -n 10p)
t "S x 1.25: more weight has stopped after 10 steps ($st1 > $st0)" awk -v a="$st1" -v b="$st0" 'BEGIN { exit !(a > b) }'
wd=$(values "$tmp/tab125.h5" /scalars/wb | awk '{ d = $1 - 1; if (d < 0) d = -d; if (d > m) m = d } END { printf "%.3g", m }')
t "S x 1.25: weight still conserved (drift $wd)" awk -v d="$wd" 'BEGIN { exit !(d <= 1e-12) }'
awk 'NR == 5 { print "0.5 100"; next } { print }' "$tmp/water.txt" >"$tmp/unsorted.txt"
withtable "$tmp/unsorted.txt" >"$tmp/unsorted.yaml"
runrc "$sd" run "$tmp/unsorted.yaml" --out "$tmp/unsorted.h5" --quiet
t "a table whose energies do not ascend: exit 2" test "$(rc)" = 2
t "... naming the graph's line and the row" grep -q "unsorted.yaml:[0-9]*:[0-9]*: .*stopping-power table row 6: E = [0-9.e-]* MeV does not exceed the previous row.s 0.5" "$tmp/err"

# bad input: exit 2, file:line and the reason
bad() { # bad NAME SED-SCRIPT PATTERN DESCRIPTION
  sed "$2" "$g" >"$tmp/$1.yaml"
  runrc "$sd" run "$tmp/$1.yaml" --out "$tmp/$1.h5" --quiet
  t "$4: exit 2" test "$(rc)" = 2
  t "$4: the message names $1.yaml:LINE and says why" grep -q "$1.yaml:[0-9]*:[0-9]*: .*$3" "$tmp/err"
}
bad bigds 's/dt: 0.5/dt: 0.6/' "transport.step: ds = 0.6 mm exceeds min(dx, dz) = 0.5 mm" "ds = 0.6 mm > the 0.5 mm cells"
bad periodic 's/boundary: fixed/boundary: [periodic, fixed]/' "axis x has boundary periodic" "a periodic x axis"
bad bcvalue 's/boundary: fixed,/boundary: fixed, boundary_value: [0, 1],/' "axis z has boundary_value 1, but transport needs 0" \
    "ghosts of value 1 on the z sides"
bad three 's/E: {count: 40, range: \[0, 40\]}}/E: {count: 40, range: [0, 40]}, phi: {count: 2, range: [0, 1]}}/' \
    "exactly two inner axes" "three inner axes"
bad wide 's/range: \[-45, 45\]/range: [-100, 45]/' "must lie within \[-90, 90\]" "an angle axis from -100 degrees"
bad energy 's/  energy: 30/  energy: 45/' "energy = 45 MeV lies outside the energy axis" "a 45 MeV beam on a 0..40 MeV axis"
tap_end
