#!/bin/sh
# t_read_particles.sh - domain.particles.read: a two-type mixture from a LAMMPS data file (ids out
# of order, atoms outside the box, velocities) and from an XYZ file gives the same run; a run
# restarted from its own H5MD trajectory frame continues bitwise like the uninterrupted run; count,
# box and type counts come from the file or are checked against it; every bad file and mismatch
# is an error naming the file (and line) with exit 2.
. "$top_srcdir/tests/tap.sh"
data="$top_srcdir/tests/data/read"
cd "$tmp" || exit 1
cp "$data/mix.data" "$data/mix.xyz" .
run() { "$sd" run --overwrite "$@" --quiet --ncpu 2; }

# md READ [INIT]: an NVE Lennard-Jones mixture read from READ; INIT: extra init ops
md() {
  cat <<EOF
params: {dt: 0.005}
domain:
  particles:
    read: $1
    types:
      - {name: Ar, mass: 1, epsilon: 1, sigma: 1}
      - {name: Kr, mass: 2, epsilon: 1.2, sigma: 1.1}
    cutoff: 2.2
    neighbor: {skin: 0.3, every: 1, check: true}
fields:
  x: {components: 3}
  v: {components: 3}
  f: {components: 3}
scalars: [temp, etotal]
init:
$2
  - op: md.lj_force
    read: {x: x}
    write: {f: f}
step:
  - op: md.kick
    read: {f: f}
    readwrite: {v: v}
  - op: md.drift
    read: {v: v}
    readwrite: {x: x}
  - op: md.lj_force
    read: {x: x}
    write: {f: f}
  - op: md.kick
    read: {f: f}
    readwrite: {v: v}
  - op: md.thermo
    every: 5
    read: {x: x, v: v}
    write: {temp: temp, etotal: etotal}
output:
  trajectory: {file: traj.h5md, every: 10}
checks:
  - drift: {scalar: etotal, rtol: 1e-2}
run: {steps: 20, dt: dt}
EOF
}
vcreate="  - op: md.velocity_create
    write: {v: v}
    params: {T: 0.5, seed: 3}"

# ---- the file gives count, box, type counts and velocities --------------------------------------
md "{file: mix.data}" >lmp.yaml
runrc "$sd" check lmp.yaml
t "LAMMPS data: count, box and type counts from the file" grep -q "lmp.yaml: ok (108 particles" "$tmp/out"
runrc "$sd" run --overwrite lmp.yaml --ncpu 2
t "LAMMPS data with Velocities: the run conserves energy (exit 0)" test "$(rc)" = 0
t "the summary notes the atoms wrapped into the box" grep -q "note: 2 of the atoms mix.data gives were outside the box and were wrapped into it" "$tmp/out"
h5dump -y -d /particles/trajectory/species traj.h5md | sed -n '/DATA {/,/}/p' | tr -c '0-9' '\n' | grep -v '^$' | sort | uniq -c >species.txt
t "the trajectory's species are the file's types (72 Ar = 0, 36 Kr = 1)" sh -c "grep -qx ' *72 0' species.txt && grep -qx ' *36 1' species.txt"

# the same atoms from LAMMPS (ids shuffled with gaps, two atoms outside the box with image flags)
# and from XYZ (id order, inside the box): the same run, to rounding of the wrapped coordinates
md "{file: mix.data}" "$vcreate" >lmpv.yaml
md "{file: mix.xyz}" "$vcreate" >xyz.yaml
run lmpv.yaml --tiles 2 && mv traj.h5md lmpv.h5md
run xyz.yaml && mv traj.h5md xyz.h5md
runrc "$sd" compare --any lmpv.h5md xyz.h5md --atol 1e-12
t "LAMMPS (ids out of order, atoms wrapped) and XYZ give the same trajectory" test "$(rc)" = 0

# any H5MD particles group (h5import): time-independent position [N][3], species, ids (the file
# holds the atoms in reverse id order), no box (the graph gives it): the XYZ run, bitwise
awk 'NR > 2 { print $2, $3, $4 }' mix.xyz | tac >pos.txt
awk 'NR > 2 { print ($1 == "Kr") }' mix.xyz | tac >species.txt
awk 'NR > 2 { print 1000 + 2 * (NR - 3) }' mix.xyz | tac >id.txt
conf() { printf 'PATH particles/trajectory/%s\nINPUT-CLASS %s\nINPUT-SIZE %s\nRANK %s\nDIMENSION-SIZES %s\nOUTPUT-CLASS %s\nOUTPUT-SIZE %s\n' "$@"; }
conf position TEXTFP 64 2 "108 3" FP 64 >pos.conf
conf species TEXTIN 32 1 108 IN 32 >species.conf
conf id TEXTIN 64 1 108 IN 64 >id.conf
h5import pos.txt -c pos.conf species.txt -c species.conf id.txt -c id.conf -o any.h5md
sed 's/read: {file: mix.xyz}/read: {file: any.h5md}\n    box: 5.04/' xyz.yaml >any.yaml
run any.yaml && mv traj.h5md any-traj.h5md
runrc "$sd" compare --any xyz.h5md any-traj.h5md
t "a plain H5MD group (fixed position, species, ids out of order, no box) == the XYZ run, bitwise" test "$(rc)" = 0
sed 's/read: {file: mix.xyz}/read: {file: any.h5md}/' xyz.yaml >bad.yaml
runrc "$sd" check bad.yaml
t "an H5MD group without a box needs box:" grep -qF "bad.yaml:3:3: domain.particles needs box (the periodic box: one length, or [L_x, L_y, L_z]; any.h5md gives none)" "$tmp/err"

# ---- restart from a trajectory frame: bitwise ------------------------------------------------------
run lmp.yaml && mv traj.h5md full.h5md
run lmp.yaml --steps 10 --tiles 2 && mv traj.h5md half.h5md
md "{file: half.h5md, step: 10}" >rest.yaml
runrc "$sd" run --overwrite rest.yaml --steps 10 --quiet --ncpu 2 --tiles 1
t "restart from the H5MD frame at step 10 (exit 0)" test "$(rc)" = 0
mv traj.h5md rest.h5md
# copy.yaml: the frame of in.h5md at step S written unchanged (no step ops) as frames 0 and 1
cat >copy.yaml <<'EOF'
params: {s: 1}
domain:
  particles:
    read: {file: in.h5md, step: s}
    types:
      - {name: Ar, mass: 1, epsilon: 1, sigma: 1}
      - {name: Kr, mass: 2, epsilon: 1.2, sigma: 1.1}
    cutoff: 2.2
fields:
  x: {components: 3}
  v: {components: 3}
output:
  trajectory: {file: copy.h5md, every: 1}
run: {steps: 1, dt: 1}
EOF
ln -sf full.h5md in.h5md && run copy.yaml --set s=20 && mv copy.h5md a.h5md
ln -sf rest.h5md in.h5md && run copy.yaml --set s=10 && mv copy.h5md b.h5md
runrc "$sd" compare --any a.h5md b.h5md
t "step 20 of the uninterrupted run == step 10 of the restart, bitwise" test "$(rc)" = 0
md "{file: half.h5md}" >last.yaml
run last.yaml --steps 10 && mv traj.h5md last.h5md
runrc "$sd" compare --any rest.h5md last.h5md
t "step: defaults to the last frame" test "$(rc)" = 0

# ---- errors: the file (and line), what was found, what was expected ------------------------------
bad() { # bad DESCRIPTION GRAPH-SED EXPECTED-MESSAGE
  sed "$2" lmp.yaml >bad.yaml
  runrc "$sd" check bad.yaml
  t "$1 (exit 2)" test "$(rc)" = 2
  t "$1: message" grep -qF "$3" "$tmp/err"
}
badfile() { # badfile DESCRIPTION FILE-SED EXPECTED-MESSAGE: mix.data edited into bad.data
  sed "$2" mix.data >bad.data
  bad "$1" 's/file: mix.data/file: bad.data/' "$3"
}
head -2 mix.xyz | sed 's/ Lattice=.*//' >nobox.xyz
sed -n '3,$p' mix.xyz >>nobox.xyz
bad "count against the file" 's/    read: {file: mix.data}/&\n    count: 4000/' \
  "bad.yaml:5:12: mix.data: 108 atoms, but the domain has count 4000 (expected them equal, or no count to take the file's)"
bad "box against the file" 's/    read: {file: mix.data}/&\n    box: 5/' \
  "bad.yaml:5:10: mix.data: box [5.04, 5.04, 5.04], but the domain has box [5, 5, 5] (expected the same edges, or no box to take the file's)"
bad "a type count against the file" 's/sigma: 1.1}/sigma: 1.1, count: 40}/' \
  "bad.yaml:7:62: type Kr has count 40, but mix.data has 36 atoms of it (expected them equal, or no count to take the file's)"
bad "masses against the file's Masses" 's/mass: 2,/mass: 3,/' \
  "bad.yaml:5:5: mix.data: type 2 has mass 2, but type Kr of the domain has mass 3 (expected the same masses)"
bad "the file's atom types against the domain's" '/name: Kr/d' \
  "bad.yaml:5:5: mix.data has 2 atom types, but the domain has 1 (Ar) (expected types: with one entry per file type, in the file's order)"
bad "an XYZ name that is no type" 's/file: mix.data/file: mix.xyz/; s/name: Kr/name: Xe/' \
  "bad.yaml:5:5: mix.xyz:3: unknown type 'Kr'"
bad "an XYZ file without a box needs box" 's/file: mix.data/file: nobox.xyz/' \
  "bad.yaml:3:3: domain.particles needs box (the periodic box: one length, or [L_x, L_y, L_z]; nobox.xyz gives none)"
bad "a missing file" 's/file: mix.data/file: nope.data/' "bad.yaml:4:18: nope.data: cannot open: No such file or directory"
bad "a format the name does not tell" 's/file: mix.data/file: mix.txt/' \
  "bad.yaml:4:18: cannot tell the format of 'mix.txt' from its name (expected format: lammps, xyz or h5md)"
bad "an unknown format" 's/file: mix.data/file: mix.data, format: lamps/' "bad.yaml:4:36: unknown format 'lamps' (did you mean 'lammps'?)"
bad "step is for H5MD" 's/file: mix.data/file: mix.data, step: 3/' "bad.yaml:4:34: step is for H5MD files (a lammps file holds one configuration)"
bad "an H5MD step not written" 's/file: mix.data/file: half.h5md, step: 3/' \
  "bad.yaml:4:18: half.h5md: /particles/trajectory/position has no frame at step 3 (steps: 0, 10)"
bad "an H5MD group not there" 's/file: mix.data/file: half.h5md, group: al/' \
  "bad.yaml:4:18: half.h5md: no particles group /particles/al (expected an H5MD file; groups under /particles: trajectory)"
# stardag writes box/edges as a diagonal 3x3 matrix (io/h5md.h); a triclinic one is refused
if /usr/bin/python3 -c "import h5py" 2>/dev/null; then
  cp half.h5md tri.h5md
  /usr/bin/python3 -c "import h5py; f = h5py.File('tri.h5md', 'r+'); e = f['particles/trajectory/box/edges/value']; m = e[-1]; m[1][0] = 0.5; e[-1] = m; f.close()"
  bad "a triclinic H5MD box" 's/file: mix.data/file: tri.h5md/' \
    "bad.yaml:4:18: tri.h5md: /particles/trajectory/box/edges is a triclinic box (edge vector b has component 0.5 along x; expected a cuboid: a diagonal matrix or 3 lengths)"
else
  skip "a triclinic H5MD box: python3-h5py is not installed"
fi
bad "an XYZ file without velocities leaves v unwritten" 's/file: mix.data/file: mix.xyz/' \
  "op md.kick reads 'v', which nothing writes before it"
bad "io.read_field is for grids" "s/^init:/init:\n  - op: io.read_field\n    write: {out: f}\n    params: {file: x.h5, step: 1}/" \
  "bad.yaml:16:9: io.read_field runs on grids, but this graph's domain is particles"
sed '110d' mix.xyz >short.xyz
bad "a truncated XYZ file" 's/file: mix.data/file: short.xyz/' "bad.yaml:4:18: short.xyz:109: the file ends after 107 of the 108 atoms of line 1"
sed '5s/^\([A-Za-z]*\) [^ ]*/\1 x/' mix.xyz >badline.xyz
bad "a malformed XYZ line" 's/file: mix.data/file: badline.xyz/' "bad.yaml:4:18: badline.xyz:5: the x coordinate 'x' is not a finite number (expected 'name x y z')"
badfile "a malformed Atoms line" '17s/ 0 0 0$//; 17s/ [0-9.]*$//' \
  "bad.yaml:4:18: bad.data:17: malformed Atoms line (expected 'id type x y z' or 'id type x y z ix iy iz', got 4 fields)"
badfile "an atom type beyond the header's" '17s/^292 1 /292 3 /' \
  "bad.data:17: atom type 3 is not in [1, 2] (the header's atom types)"
badfile "an id twice" '18s/^43 /292 /' "bad.data:18: atom id 292 appears twice (also on line 17)"
badfile "a non-atomic Atoms section" 's/Atoms # atomic/Atoms # full/' \
  "bad.data:15: Atoms section of style 'full' (expected atomic: id type x y z [ix iy iz])"
badfile "a triclinic box" 's/^0.0 5.040000 zlo zhi/&\n0.1 0 0 xy xz yz/' \
  "bad.data:9: a triclinic box (xy xz yz) is not supported (expected an orthogonal box)"
badfile "fewer atoms than the header says" '/^Velocities/,$d; 20d' \
  "bad.data:124: the file ends in section Atoms (line 15) after 107 of 108 lines"
badfile "a velocity of an unknown atom" '/^Velocities/{n;n;s/^[0-9]* /9999 /}' \
  "velocity of atom 9999, which the Atoms section does not have"
bad "the trajectory may not overwrite the file read" 's/file: traj.h5md/file: mix.data/' \
  "bad.yaml:38:22: the trajectory mix.data is the file the graph reads its initial state from: writing it would destroy what the run reads (expected another file)"
badfile "a section of another atom style" 's/^Velocities/Bonds/' \
  "bad.data:126: section 'Bonds' is not supported (expected Masses, Atoms, Velocities or Pair Coeffs: atomic style)"
# a count whose sizes would overflow is refused before anything is allocated
sed '1s/.*/4611686018427388003/' mix.xyz >huge.xyz
bad "an XYZ atom count beyond the domain's limit" 's/file: mix.data/file: huge.xyz/' \
  "bad.yaml:4:18: huge.xyz:1: the atom count 4611686018427388003 is above 1099511627776 (the most a particle domain holds)"
badfile "a LAMMPS atom count beyond the domain's limit" 's/^108 atoms$/4611686018427388003 atoms/' \
  "bad.data:3: the atom count must be an integer in [1, 1099511627776], got '4611686018427388003'"
sed '2s/Lattice="5.040000/Lattice="inf/' mix.xyz >inf.xyz
bad "an XYZ Lattice edge inf" 's/file: mix.data/file: inf.xyz/' \
  "bad.yaml:4:18: inf.xyz:2: Lattice=\"...\" must hold 9 finite numbers (the cell vectors)"
if /usr/bin/python3 -c "import h5py" 2>/dev/null; then
  h5edit() { # h5edit FILE PYTHON: half.h5md copied to FILE, then PYTHON run with f its /particles/trajectory
    cp half.h5md "$1" && /usr/bin/python3 -c "import h5py, numpy as np; h = h5py.File('$1', 'r+'); f = h['particles/trajectory']; $2; h.close()"
  }
  h5edit nanx.h5md "v = f['position/value']; x = v[-1]; x[7][1] = np.nan; v[-1] = x"
  bad "an H5MD NaN position" 's/file: mix.data/file: nanx.h5md/' \
    "bad.yaml:4:18: nanx.h5md: /particles/trajectory/position of atom 7 (at step 10) has y = nan (expected a finite number)"
  h5edit infv.h5md "v = f['velocity/value']; x = v[-1]; x[3][2] = np.inf; v[-1] = x"
  bad "an H5MD inf velocity" 's/file: mix.data/file: infv.h5md/' \
    "bad.yaml:4:18: infv.h5md: /particles/trajectory/velocity of atom 3 (at step 10) has z = inf (expected a finite number)"
  h5edit infbox.h5md "e = f['box/edges/value']; m = e[-1]; m[0][0] = np.inf; e[-1] = m"
  bad "an H5MD inf box edge" 's/file: mix.data/file: infbox.h5md/' \
    "bad.yaml:4:18: infbox.h5md: /particles/trajectory/box/edges has edge inf along x (expected a finite number > 0)"
  h5edit unwritten.h5md "s = f['position/step']; s[-1] = -1"
  bad "an H5MD last frame never written (step -1)" 's/file: mix.data/file: unwritten.h5md/' \
    "bad.yaml:4:18: unwritten.h5md: the last frame (1) of /particles/trajectory/position has step -1: not written (the run was killed before this frame; expected a step >= 0)"
  h5edit boundary.h5md "f['box'].attrs['boundary'] = np.array([b'periodic'] * 40, dtype='S8')"
  bad "an H5MD box boundary of 40 strings" 's/file: mix.data/file: boundary.h5md/' \
    "bad.yaml:4:18: boundary.h5md: /particles/trajectory/box's attribute boundary is not 3 fixed-length strings of at most 63 bytes"
else
  skip "H5MD NaN, inf, unwritten frames and a malformed boundary: python3-h5py is not installed"
fi
# no output of the run may be a file the graph reads (--trajectory, --log, --trace, --out)
for opt in --trajectory --log --trace --out; do
  runrc "$sd" run lmp.yaml --steps 1 --quiet --ncpu 2 --overwrite $opt mix.data
  t "$opt mix.data (the file read) --overwrite: exit 2, the file named" sh -c "test $(rc) = 2 && grep -q \
    'lmp.yaml: the .* mix.data is the file the graph reads its initial state from' '$tmp/err'"
  t "$opt mix.data: the file read is unchanged" cmp mix.data "$data/mix.data"
done
ln -sf mix.data link.data
runrc "$sd" run lmp.yaml --steps 1 --quiet --ncpu 2 --overwrite --log link.data
t "--log through a symbolic link to the file read: exit 2" sh -c "test $(rc) = 2 && grep -q 'the log link.data is the file (as mix.data)' '$tmp/err'"
t "--log link.data: the file read is unchanged" cmp mix.data "$data/mix.data"
# write_data's Pair Coeffs are skipped: the graph's types define the potential
sed 's/^Atoms # atomic/Pair Coeffs # lj\/cut\n\n1 1 1\n2 1.2 1.1\n\n&/' mix.data >coeffs.data
sed 's/file: mix.data/file: coeffs.data/' lmp.yaml >coeffs.yaml
runrc "$sd" check coeffs.yaml
t "a data file with Pair Coeffs (write_data) loads" test "$(rc)" = 0
tap_end
