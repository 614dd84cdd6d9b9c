#!/bin/sh
# t_transport_graphs.sh - the bundled transport graphs (graphs/transport) load and validate; the demo
# (a 70 MeV pencil beam), made coarse with --set (1 mm cells and steps, 1 MeV bins), runs with its
# conservation checks passing, stops where NIST PSTAR says (R80 of its depth-dose profile within 2 %
# of the 40.8 mm CSDA range), gives bitwise the same dose on another tiling and worker count, and
# bench/transport/depth_dose.py (the benchmark's own R80, from the dose field) agrees with the
# run's profile.
. "$top_srcdir/tests/tap.sh"
cd "$tmp" || exit 99
g="$top_srcdir/graphs/transport"
if ! "$sd" codelets 2>/dev/null | grep -q 'transport\.step'; then
  skip "the transport codelets (transport.*) are not in this build"
  tap_end
  exit 0
fi
for f in pencil-70MeV seed-40x40x72x200 seed-30x30x48x140; do
  t "stardag check graphs/transport/$f.yaml" "$sd" check "$g/$f.yaml"
done
t "stardag check graphs/transport/config-m.yaml (f32 psi)" "$sd" check "$g/config-m.yaml"

coarse="--set dx=1 --set dz=1 --set ds=1 --set dE=1 --set nx=21"
# shellcheck disable=SC2086
runrc "$sd" run "$g/pencil-70MeV.yaml" $coarse --ncpu 1 --tiles 21x45 --out a.h5
t "demo, coarse, 1 tile, 1 worker: exit 0" test "$(rc)" = 0
cp "$tmp/out" a.txt
t "... weight conserved (drift(weight_balance) <= 1e-12 ok)" grep -q 'check drift(weight_balance) <= 1e-12: ok' a.txt
t "... energy conserved (drift(energy_balance) <= 1e-10 ok)" grep -q 'check drift(energy_balance) <= 1e-10: ok' a.txt
r80=$(sed -n 's/^ *profile depth_dose .* R80 \([0-9.]*\) mm.*/\1/p' a.txt)
t "... R80 of the depth-dose curve ($r80 mm) within 2 % of NIST PSTAR's CSDA range 40.8 mm" \
  awk -v r="$r80" 'BEGIN { d = r / 40.8 - 1; exit !(r != "" && d <= 0.02 && d >= -0.02) }'
# shellcheck disable=SC2086
runrc "$sd" run "$g/pencil-70MeV.yaml" $coarse --ncpu 2 --tiles 8x7 --out b.h5
t "demo, coarse, 3x7 tiles, 2 workers: exit 0" test "$(rc)" = 0
t "... bitwise the same dose and scalars" "$sd" compare a.h5 b.h5 --rtol 0 --atol 0

py=""
for p in python3 /usr/bin/python3; do
  if "$p" -c 'import numpy' 2>/dev/null; then py=$p; break; fi
done
if [ -z "$py" ]; then
  skip "depth_dose.py: no python3 with numpy (Debian: python3-numpy)"
else
  r=$("$py" "$top_srcdir/bench/transport/depth_dose.py" a.h5 | sed -n 's/.* r80_mm=\([0-9.]*\).*/\1/p')
  t "depth_dose.py's R80 ($r mm) = the run's profile R80 ($r80 mm) within 1e-3 mm" \
    awk -v a="$r" -v b="$r80" 'BEGIN { d = a - b; exit !(a != "" && b != "" && d * d <= 1e-6) }'
fi
tap_end
