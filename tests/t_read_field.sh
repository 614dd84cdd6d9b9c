#!/bin/sh
# t_read_field.sh - io.read_field: a run restarted from its own output at step N continues bitwise
# like the uninterrupted run (any tiling); fields with components, on inner-axis bins, 1-D and
# 2-D, f32 read up into f64 and narrowed back; every load-time error names the file, the dataset
# and the mismatch at the op's file:line:col, with exit 2.
. "$top_srcdir/tests/tap.sh"
cd "$tmp" || exit 1
run() { "$sd" run --overwrite "$@" --quiet --ncpu 2; }

# ---- round trip: 2N steps == N steps, then N more from the output at steps N and N-1 ----------
kg() { # kg INIT_OPS: a 3-D Klein-Gordon graph (periodic x and z, reflective y) with those init ops
  cat <<EOF
params: {chi0: 0.2}
domain:
  grid: {shape: [12, 10, 8], spacing: 1, boundary: [periodic, reflective, periodic]}
fields:
  E:   {levels: [E_prev, E, E_next]}
  chi: {}
scalars: [energy]
init:
  - op: common.fill
    write: {out: chi}
    params: {value: chi0}
$1
step:
  - op: lattice.kg_leapfrog
    read: {E: E, E_prev: E_prev, chi: chi}
    write: {E_next: E_next}
    params: {c: 1}
  - op: lattice.energy
    read: {E_next: E_next, E: E, chi: chi}
    write: {energy: energy}
    params: {c: 1}
output:
  fields: {names: [E], every: 1}
  scalars: {names: [energy], every: 1}
run: {steps: 6, dt: 0.5}
EOF
}
kg "  - op: lattice.gaussian_packet
    write: {E: E, E_prev: E_prev}
    params: {amplitude: 1.0, width: 3, kx: 0.5, c: 1, chi: chi0}" >kg.yaml
kg "  - op: io.read_field
    write: {out: E}
    params: {file: half.h5, step: last}
  - op: io.read_field
    write: {out: E_prev}
    params: {file: half.h5, step: 5}" >restart.yaml
# copy.yaml: field E of FILE at STEP written unchanged as its step 1 (no step ops)
cat >copy.yaml <<'EOF'
params: {step: 1}
domain:
  grid: {shape: [12, 10, 8], spacing: 1}
fields:
  E: {}
init:
  - op: io.read_field
    write: {out: E}
    params: {file: in.h5, step: step}
output:
  fields: {names: [E], every: 1}
run: {steps: 1, dt: 1}
EOF
run kg.yaml --steps 12 --out full.h5 --tiles 12x10x8
t "round trip: the uninterrupted 12-step run" test -s full.h5
run kg.yaml --out half.h5 --tiles 5x4x3
t "round trip: the first 6 steps (other tiles)" test -s half.h5
runrc "$sd" run --overwrite restart.yaml --out rest.h5 --quiet --ncpu 2 --tiles 7x10x3
t "round trip: the restart from steps 6 and 5 runs (exit 0)" test "$(rc)" = 0
t "round trip: its summary counts the field-read tasks" sh -c "'$sd' run restart.yaml --out r2.h5 --ncpu 1 | grep -q 'field read'"
for s in 1 6; do
  ln -sf full.h5 in.h5 && run copy.yaml --set step=$((s + 6)) --out a$s.h5
  ln -sf rest.h5 in.h5 && run copy.yaml --set step=$s --out b$s.h5
  runrc "$sd" compare a$s.h5 b$s.h5 --fields E
  t "round trip: step $((s + 6)) of the 12-step run == step $s of the restart, bitwise" test "$(rc)" = 0
done
"$sd" compare full.h5 rest.h5 --scalars energy --fields E >cmp.out 2>&1
t "round trip: the comparison sees the step offset (the copies above are needed)" grep -q "differ" cmp.out

# calibrate finds the field-read tasks' model (the op's symbol) and fills it
runrc "$sd" calibrate restart.yaml --min-samples 2 --quiet --ncpu 1
t "calibrate: the field reads' model is calibrated with the graph's (exit 0)" sh -c "test $(rc) = 0 && grep -q '^model stardag.field_read' '$tmp/out' && grep -q 'every entry has enough samples' '$tmp/out'"

# ---- components, bins, 1-D and 2-D, dtypes -----------------------------------------------------
# noise.yaml: field u (DTYPE, COMP components, on LOC) of a SHAPE grid with inner axes, filled
# with noise, written at step 1; read.yaml: the same field read from FILE at step 1
grid() { # grid SHAPE DTYPE COMP LOC INIT
  cat <<EOF
domain:
  grid:
    shape: $1
    spacing: 1
    inner: {theta: {count: 3, range: [0, 1]}, en: {count: 2, range: [0, 1]}}
fields:
  u: {dtype: $2, components: $3, location: $4}
init:
$5
output:
  fields: {names: [u], every: 1}
run: {steps: 1, dt: 1}
EOF
}
noise="  - op: common.noise
    write: {out: u}
    params: {seed: 7}"
readu() { printf '  - op: io.read_field\n    write: {out: u}\n    params: {file: %s, step: 1%s}\n' "$1" "$2"; }
for case in "[9] f64 2 cells" "[7,5] f32 1 bins" "[5,4,3] f64 3 bins" "[6,5] f32 2 cells"; do
  set -- $case
  grid "$1" "$2" "$3" "$4" "$noise" >src.yaml
  grid "$1" "$2" "$3" "$4" "$(readu src.h5)" >read.yaml
  run src.yaml --out src.h5 && run read.yaml --out got.h5
  runrc "$sd" compare src.h5 got.h5 --fields u
  t "$1 $2 $3-component field on $4: read back bitwise" test "$(rc)" = 0
done
# f32 data into an f64 field (exact), then narrowed back into f32: the original bits
grid "[6, 5]" f64 2 cells "$(readu src.h5)" >up.yaml
run up.yaml --out up.h5
t "f32 data read into an f64 field" sh -c "h5dump -H -d /fields/u/00000001 up.h5 | grep -q H5T_IEEE_F64LE"
grid "[6, 5]" f32 2 cells "$(readu up.h5 ', narrow: true')" >down.yaml
run down.yaml --out down.h5
runrc "$sd" compare src.h5 down.h5 --fields u
t "f32 -> f64 -> f32 (narrow: true) gives the original bits" test "$(rc)" = 0
# a plain dataset of any HDF5 file (h5import: 3 rows of 4, y slowest), into a 4x3 grid
printf '1.5 2 3 4\n5 6 7 8\n9 10 11 -0.25\n' >v.txt
printf 'PATH /data/E\nINPUT-CLASS TEXTFP\nRANK 2\nDIMENSION-SIZES 3 4\nOUTPUT-CLASS FP\nOUTPUT-SIZE 64\n' >v.conf
h5import v.txt -c v.conf -o plain.h5
cat >plain.yaml <<'EOF'
domain:
  grid: {shape: [4, 3], spacing: 1}
fields:
  E: {}
init:
  - op: io.read_field
    write: {out: E}
    params: {file: plain.h5, dataset: /data/E}
output:
  fields: {names: [E], every: 1}
run: {steps: 1, dt: 1}
EOF
run plain.yaml --out fromplain.h5 --tiles 3x2
values() { h5dump -y -m %.17g -d "$2" "$1" | awk '/DATA {/ { n++ } n == 1 { print } n == 1 && /}/ { exit }'; }
values fromplain.h5 /fields/E/00000001 >got.txt
values plain.h5 /data/E >want.txt
t "a plain dataset (dataset: PATH) is read as it is stored" sh -c "grep -q -- -0.25 want.txt && cmp got.txt want.txt"
sed 's/shape: \[4, 3\]/shape: [3, 4]/' plain.yaml >bad.yaml
runrc "$sd" check bad.yaml
t "a plain dataset of the transposed shape is refused" grep -qF "bad.yaml:6:9: plain.h5: dataset /data/E has shape [3][4], but field E is [4][3] ([y][x], slowest first: x varies fastest, as stardag writes fields)" "$tmp/err"
sed 's|dataset: /data/E|step: 3|' plain.yaml >bad.yaml
runrc "$sd" check bad.yaml
t "a step of a file that is no stardag output" grep -qF "bad.yaml:8:36: plain.h5: not a stardag output (no stardag_format attribute), so it has no steps (expected a stardag run's file, or dataset: without step:)" "$tmp/err"

# ---- errors at load: file:line:col, the file, the dataset, what was found and expected ---------
bad() { # bad DESCRIPTION SED-EXPRESSION EXPECTED-MESSAGE
  sed "$2" restart.yaml >bad.yaml
  runrc "$sd" check bad.yaml
  t "$1 (exit 2)" test "$(rc)" = 2
  t "$1: message" grep -qF "$3" "$tmp/err"
}
bad "a missing file" 's/file: half.h5, step: last/file: nope.h5, step: last/' \
  "bad.yaml:14:20: nope.h5: cannot open: No such file or directory"
bad "not an HDF5 file" 's/file: half.h5, step: last/file: kg.yaml, step: last/' \
  "bad.yaml:14:20: kg.yaml: not an HDF5 file"
bad "a step not written" 's/file: half.h5, step: 5/file: half.h5, step: 50/' \
  "bad.yaml:17:35: half.h5: field E has no step 50 (steps written: 0, 1, 2, 3, 4, 5, 6)"
bad "a field not written" 's/file: half.h5, step: 5/file: half.h5, step: 5, field: chi/' \
  "bad.yaml:17:45: half.h5: the output has no field chi (fields written: E)"
bad "a missing dataset lists the datasets" 's/file: half.h5, step: last/file: half.h5, dataset: \/fields\/E\/6/' \
  "bad.yaml:14:38: half.h5: no dataset /fields/E/6 (datasets in the file: /fields/E/00000000, /fields/E/00000001, /fields/E/00000002, /fields/E/00000003, /fields/E/00000004, /fields/E/00000005, ..., /scalars/time (20 in all))"
bad "a group is not a dataset" 's/file: half.h5, step: last/file: half.h5, dataset: \/fields/' \
  "bad.yaml:14:38: half.h5: a group, not a dataset: /fields (datasets in the file:"
bad "a shape mismatch names both shapes in z, y, x order" 's/shape: \[12, 10, 8\]/shape: [12, 8, 8]/' \
  "bad.yaml:12:9: half.h5: dataset /fields/E/00000006 has shape [8][10][12], but level E of field E is [8][8][12] ([z][y][x], slowest first: x varies fastest, as stardag writes fields)"
bad "f64 data into an f32 field is refused" 's/E:   {levels: \[E_prev, E, E_next\]}/E: {levels: [E_prev, E, E_next], dtype: f32}/' \
  "bad.yaml:12:9: half.h5: dataset /fields/E/00000006 holds f64 values, but level E of field E is f32: reading would round them (expected an f32 dataset, or narrow: true to round)"
bad "a dataset of integers" 's/file: half.h5, step: last/file: half.h5, dataset: \/scalars\/step/; s/shape: \[12, 10, 8\]/shape: [6]/; s/boundary: \[.*\]/boundary: periodic/' \
  "half.h5: dataset /scalars/step holds int64, but level E of field E is f64 (expected f32 or f64 values)"
bad "dataset and step together" 's/file: half.h5, step: last/file: half.h5, dataset: \/x, step: 3/' \
  "bad.yaml:14:42: io.read_field takes dataset (a dataset of any HDF5 file) or step (a field of a stardag output at a step), not both"
bad "neither dataset nor step" 's/file: half.h5, step: last/file: half.h5/' \
  "bad.yaml:14:13: io.read_field needs param 'dataset' (a dataset of any HDF5 file) or 'step' (a stardag output's step, or last)"
bad "an unknown param" 's/file: half.h5, step: last/file: half.h5, step: last, colour: red/' \
  "bad.yaml:14:41: unknown key 'colour' in the params of io.read_field (expected one of: file, dataset, field, step, narrow)"
bad "a misspelt op is suggested" 's/op: io.read_field/op: io.read_feld/' \
  "bad.yaml:12:9: unknown codelet 'io.read_feld' (did you mean 'io.read_field'?)"
bad "not in step" 's/^step:/step:\n  - op: io.read_field\n    write: {out: E}\n    params: {file: half.h5, step: 5}/' \
  "bad.yaml:19:9: io.read_field sets a field's values before the run: it belongs in init, not step"
kg "  - op: io.read_field
    write: {out: E}
    params: {file: half.h5, step: 6}" >bad.yaml
runrc "$sd" check bad.yaml
t "data flow: a level no op reads into has no data" grep -qF "bad.yaml:16:9: op lattice.kg_leapfrog reads 'E_prev', which nothing writes before it" "$tmp/err"
# never overwrite what the run reads: output.file at load, --out at run time (the file untouched)
sed 's|^output:|output:\n  file: ./half.h5|' restart.yaml >bad.yaml
runrc "$sd" check bad.yaml
t "output.file that the graph reads is refused (exit 2)" test "$(rc)" = 2
t "output.file that the graph reads: message" grep -qF "bad.yaml:28:9: the output file ./half.h5 is the file (as half.h5) the graph reads its initial state from: writing it would destroy what the run reads (expected another file)" "$tmp/err"
cksum half.h5 >before.txt
runrc "$sd" run --overwrite restart.yaml --out half.h5 --quiet --ncpu 1
t "--out naming the file read is refused (exit 2)" test "$(rc)" = 2
t "--out naming the file read: message" grep -qF "stardag: restart.yaml: the output file half.h5 is the file the graph reads" "$tmp/err"
t "--out naming the file read: the file is untouched" sh -c "cksum half.h5 | cmp -s - before.txt"
tap_end
