#!/bin/sh
# t_mesh_run.sh - the mesh domain through the runtime: results (ghosted scatter-adds and exact sums)
# bitwise independent of partitions, workers and scheduler; repeat (inner loops) equal to the ops
# written out; run.until stopping a run; the exported final mesh (written whole, never clobbered);
# the XDMF sidecar; and every refusal of a bad graph or mesh file with its file:line.
. "$top_srcdir/tests/tap.sh"
cd "$tmp" || exit 1
vals() { h5dump -m %.17g -y -w 0 -d "$2" "$1" | sed -n '/DATA {/,/}/p' | sed '1d;$d' | tr ',' '\n' | sed 's/ //g;/^$/d'; }

# 1. A perturbed ellipsoid, its bending + tension + pressure energy and gradient (two ghost rings),
# curvature (one ring), moved along the gradient each step: every output bitwise the same for any
# partition count, scheduler and worker count.
cat >bend.yaml <<'EOF'
domain:
  mesh:
    ellipsoid: {level: 3, axes: [1.2, 1, 0.8]}
fields:
  x: {components: 3}
  g: {components: 3}
  vg: {components: 3}
  H: {components: 1}
  A: {components: 1}
  n: {components: 3}
scalars: [energy, area, volume, vv, gv, sx]
init:
  - op: mesh.perturb
    readwrite: {x: x}
    params: {seed: 3, amp: 0.03}
step:
  - op: membrane.energy
    read: {x: x}
    write: {grad: g, vgrad: vg, energy: energy, area: area, volume: volume, vv: vv, gv: gv}
    params: {kappa: 1, c0: 0.5, kappa_G: 0.3, gamma: 0.2, p: 0.1}
  - op: membrane.curvature
    read: {x: x}
    write: {area: A, H: H, normal: n}
  - op: mesh.sum
    read: {x: g}
    write: {sum: sx}
  - op: mesh.perturb
    readwrite: {x: x}
    params: {seed: 5, amp: 0.001}
output:
  file: bend.h5
  fields: {names: [x, g, H, A], every: 2}
  scalars: {names: [energy, area, volume, vv, gv, sx], every: 1}
run: {steps: 4, dt: 1}
EOF
if "$sd" codelets | grep -q '^membrane.energy '; then
  runrc "$sd" run bend.yaml --tiles 1 --ncpu 1 --sched eager --out p1.h5 --quiet
  t "the ellipsoid runs in 1 partition on 1 worker" test "$(rc)" = 0
  for c in "3 2 lws" "7 2 dmda" "16 2 random" "5 1 lws"; do
    set -- $c
    STARPU_SCHED=$3 "$sd" run bend.yaml --tiles "$1" --ncpu "$2" --out "p$1.h5" --quiet >/dev/null 2>&1
    t "$1 partitions, $2 workers, sched $3: every field and scalar bitwise the 1-partition run" "$sd" compare p1.h5 "p$1.h5"
  done
  e=$(vals p1.h5 /scalars/energy | head -n 1)
  t "the energy is a number ($e)" awk -v e="$e" 'BEGIN { exit !(e + 0 > 1 && e + 0 < 100) }'
else
  skip "membrane.energy is not registered"
fi

# 1b. Face fields: membrane.face_geometry writes the owned faces' areas and normals (snapshots
# through global face ids, component stride nf), bitwise for any partitions, workers and scheduler;
# the file's /fields/area has one value per triangle and location "faces", the XDMF a cell attribute.
cat >faces.yaml <<'EOF'
domain:
  mesh:
    ellipsoid: {level: 3, axes: [1.2, 1, 0.8]}
fields:
  x: {components: 3}
  area: {components: 1, location: faces}
  normal: {components: 3, location: faces}
scalars: [total, meas, vol]
init:
  - op: mesh.perturb
    readwrite: {x: x}
    params: {seed: 4, amp: 0.05}
step:
  - op: membrane.face_geometry
    read: {x: x}
    write: {area: area, normal: normal, total: total}
  - op: membrane.measure
    read: {x: x}
    write: {area: meas, volume: vol}
  - op: mesh.perturb
    readwrite: {x: x}
    params: {seed: 6, amp: 0.002}
output:
  file: faces.h5
  fields: {names: [x, area, normal], every: 1}
  scalars: {names: [total, meas], every: 1}
run: {steps: 2, dt: 1}
EOF
if "$sd" codelets | grep -q '^membrane.face_geometry '; then
  runrc "$sd" run faces.yaml --tiles 1 --ncpu 1 --sched eager --out f1.h5 --quiet
  t "face fields: the ellipsoid runs in 1 partition" test "$(rc)" = 0
  for c in "7 2 dmda" "5 2 lws"; do
    set -- $c
    STARPU_SCHED=$3 "$sd" run faces.yaml --tiles "$1" --ncpu "$2" --out "f$1.h5" --quiet >/dev/null 2>&1
    t "face fields: $1 partitions, $2 workers, sched $3 bitwise the 1-partition run" "$sd" compare f1.h5 "f$1.h5"
  done
  t "face fields: total = membrane.measure's area, bitwise" test "$(vals f1.h5 /scalars/total)" = "$(vals f1.h5 /scalars/meas)"
  t "face fields: /fields/area has extent nf = 1280" sh -c "h5dump -H -d /fields/area/00000002 f1.h5 | grep -q 'SIMPLE { ( 1280 ) / ( 1280 ) }'"
  t "face fields: /fields/normal has extent 3 x nf" sh -c "h5dump -H -d /fields/normal/00000002 f1.h5 | grep -q 'SIMPLE { ( 3, 1280 ) / ( 3, 1280 ) }'"
  t "face fields: /fields/area has location \"faces\"" sh -c "h5dump -a /fields/area/location f1.h5 | grep -q '\"faces\"'"
  t "face fields: the XDMF has a Center=\"Cell\" attribute" grep -q 'Center="Cell"' f1.xmf
  nareas=$(h5dump -A 0 -m %.17g -y -w 0 -d /fields/area/00000002 f1.h5 | sed -n '/DATA {/,/}/p' | sed '1d;$d' | tr ',' '\n' |
    awk 'NF && $1 > 0 && $1 < 0.1' | wc -l)
  t "face fields: the last step's 1280 areas all in (0, 0.1) ($nareas)" test "$nareas" = 1280
else
  skip "membrane.face_geometry is not registered"
fi

# 2. repeat: N times in a row == the op written out N times; scalars at every step.
mk() { # mk OPS_OF_A_STEP
  cat <<EOF
domain: {mesh: {icosphere: {level: 2, radius: 2}}}
fields: {x: {components: 3}}
scalars: [sx]
tiles: 3
step:
$1
  - op: mesh.sum
    read: {x: x}
    write: {sum: sx}
output:
  file: out.h5
  fields: {names: [x], every: 3}
  scalars: {names: [sx], every: 1}
run: {steps: 6, dt: 1}
EOF
}
p='  - op: mesh.perturb
    readwrite: {x: x}
    params: {seed: 9, amp: 0.01}'
mk "$p
    repeat: 3" >rep.yaml
mk "$p
$p
$p" >three.yaml
"$sd" run rep.yaml --out rep.h5 --quiet >/dev/null 2>&1
"$sd" run three.yaml --out three.h5 --quiet >/dev/null 2>&1
t "repeat: 3 == the op three times, bitwise" "$sd" compare rep.h5 three.h5

# 3. run.until: the perturbation adds the same displacement every step, so sx grows linearly; the run
# stops after the first step where it is above the bound, says so, and ends successfully.
s2=$(vals rep.h5 /scalars/sx | sed -n 2p); s3=$(vals rep.h5 /scalars/sx | sed -n 3p)
bound=$(awk -v a="$s2" -v b="$s3" 'BEGIN { printf "%.17g", (a + b) / 2 }')
way=$(awk -v a="$s2" -v b="$s3" 'BEGIN { print (b > a ? "above" : "below") }')
sed "s/run: {steps: 6, dt: 1}/run: {steps: 1000, dt: 1, until: {scalar: sx, $way: $bound}, max_inflight: 1}/" rep.yaml >until.yaml
runrc "$sd" run until.yaml --out until.h5
t "until: exit 0" test "$(rc)" = 0
t "until: the summary says where it stopped" grep -q "stopped: sx was $way .* at step 3 (run.until)" out
rows=$(vals until.h5 /scalars/step | wc -l)
t "until: the run ends exactly at step 3 (3 scalar rows, got $rows)" test "$rows" = 3
t "until: the stopping step's fields were written" sh -c "h5ls until.h5/fields/x | grep -q 00000003"
# exactly, whatever the steps in flight allow: the same file for max_inflight 1 and 16
sed 's/max_inflight: 1}/max_inflight: 16}/' until.yaml >until16.yaml
"$sd" run until16.yaml --out until16.h5 --tiles 5 --quiet >/dev/null 2>&1
t "until: max_inflight 16 on 5 partitions stops at the same step, bitwise the same output" "$sd" compare until.h5 until16.h5

# 4. The exported final mesh: written when the run completes, readable as a mesh, never clobbered.
sed 's/icosphere: {level: 2, radius: 2}/icosphere: {level: 2, radius: 2}, export: final.ply/' rep.yaml >exp.yaml
runrc "$sd" run exp.yaml --out exp.h5
t "export: the run completes and names the final mesh" grep -q "final mesh: final.ply (positions of step 6)" out
sed 's/icosphere: {level: 2, radius: 2}/file: final.ply/' rep.yaml >reread.yaml
runrc "$sd" check reread.yaml
t "export: the PLY is a valid closed mesh of 162 vertices" grep -q "a mesh of 162 vertices and 320 triangles" out
cp final.ply keep.ply
runrc "$sd" run exp.yaml --out exp2.h5
t "export: an existing final mesh is refused (exit 2)" test "$(rc)" = 2
t "export: ... naming it and --overwrite" grep -q "final.ply exists: pass --overwrite" err
t "export: ... and left unchanged" cmp final.ply keep.ply
sed 's/export: final.ply/export: final.off/' exp.yaml >expoff.yaml
"$sd" run expoff.yaml --out exp3.h5 --quiet >/dev/null 2>&1
t "export: OFF too (first line OFF)" sh -c "head -n 1 final.off | grep -qx OFF"

# 5. The XDMF sidecar draws triangles whose geometry is the positions field of each step.
t "XDMF: Triangle topology" grep -q 'TopologyType="Triangle"' rep.xmf
t "XDMF: 320 triangles" grep -q 'NumberOfElements="320"' rep.xmf

# 6. Refusals, each with the graph's file:line and what was expected (exit 2).
bad() { # bad DESCRIPTION PATTERN: the last written bad.yaml is refused with PATTERN in stderr
  runrc "$sd" check bad.yaml
  t "$1 (exit 2)" test "$(rc)" = 2
  t "$1: $2" grep -q "$2" err
}
g() { # g DOMAIN_LINE FIELDS_LINE [EXTRA]: a small mesh graph
  printf 'domain:\n  mesh: %s\nfields: %s\nscalars: [s]\n%s\nstep:\n  - op: mesh.sum\n    read: {x: x}\n    write: {sum: s}\nrun: {steps: 1, dt: 1}\n' \
    "$1" "$2" "${3:-}" >bad.yaml
}
g '{icosphere: {level: 1}, file: a.off}' '{x: {components: 3}}'
bad "two mesh sources" "bad.yaml:2:.*exactly one of file, icosphere and ellipsoid (it has 2)"
g '{icosphere: {level: 11}}' '{x: {components: 3}}'
bad "a level out of range" "bad.yaml:2:.*level (0 to 10)"
g '{ellipsoid: {level: 1, axes: [1, 2]}}' '{x: {components: 3}}'
bad "two semi-axes" "expected the three semi-axes"
g '{icosphere: {level: 1}}' '{y: {components: 3}}'
bad "no positions field" "the positions field 'x' is not declared"
g '{icosphere: {level: 1}}' '{x: {components: 2}}'
bad "positions with 2 components" "needs components: 3 on vertices (it has 2 on vertices)"
g '{icosphere: {level: 1}}' '{x: {components: 3, dtype: f32}}'
bad "an f32 field" "but mesh fields are f64"
g '{icosphere: {level: 1}}' '{x: {components: 3}, f: {location: faces}}' 'init:
  - op: mesh.noise
    write: {out: f}'
bad "a face field bound to a vertex role" "role 'out' of mesh.noise takes a field on vertices, but 'f' lives on faces"
g '{icosphere: {level: 1}}' '{x: {components: 3}, f: {location: edges}}' 'init:
  - op: mesh.noise
    write: {out: f}'
bad "an edge field bound to a vertex role" "role 'out' of mesh.noise takes a field on vertices, but 'f' lives on edges"
g '{icosphere: {level: 1}}' '{x: {components: 3}, f: {location: corners}}'
bad "an unknown location" "unknown location 'corners' for a field of a mesh (expected vertices, faces, edges)"
g '{icosphere: {level: 1}}' '{x: {components: 3}}' 'tiles: [2, 2]'
bad "a tile shape" "expected auto or a number of partitions"
g '{icosphere: {level: 1}}' '{x: {components: 3}}' 'output: {trajectory: {file: t.h5md, every: 1}}'
bad "a trajectory" "output.trajectory is for particles"
g '{icosphere: {level: 1}}' '{x: {components: 3}}' 'checks: [{finite: {field: x}}]'
bad "a finite check" "finite checks are for grid fields"
g '{icosphere: {level: 1}, export: a.stl}' '{x: {components: 3}}'
bad "an export format" "export writes OFF or PLY"
g '{icosphere: {level: 1}}' '{x: {components: 3}}' 'run: {steps: 1, dt: 1, until: {scalar: nope, below: 1}}'
sed -i '$d' bad.yaml
bad "until on an unknown scalar" "run.until names scalar 'nope', which is not declared (expected one of the graph's scalars: s)"
g '{icosphere: {level: 1}}' '{x: {components: 3}}' 'run: {steps: 1, dt: 1, until: {scalar: s, below: 1}}'
sed -i '$d' bad.yaml
sed -i 's/^scalars: \[s\]/scalars: [s, q]/; s/scalar: s, below/scalar: q, below/' bad.yaml
bad "until on a scalar no step op writes" "run.until watches scalar 'q', which no step op writes"
g '{icosphere: {level: 0}}' '{x: {components: 3}}' 'tiles: 13'
bad "more partitions than vertices" "bad.yaml:5:8: tiles asks for 13 partitions of a mesh of 12 vertices"
g '{icosphere: {level: 5}}' '{x: {components: 3}}' 'tiles: 5000'
bad "more partitions than a task can hold" "bad.yaml:5:8: tiles .* must be <= 4000"
g '{icosphere: {level: 1}, export: nodir/u.off}' '{x: {components: 3}}'
runrc "$sd" run bad.yaml
t "an export into a missing directory is refused before the run (exit 1)" test "$(rc)" = 1
t "... naming the missing directory" grep -q "nodir/u\.off: cannot create the exported mesh there: its folder nodir" err
runrc "$sd" run bad.yaml --log here.log
t "... also with the log elsewhere: the exported mesh's directory is checked before the run" \
  sh -c "test $(rc) = 1 && grep -q 'nodir/u.off: cannot create the exported mesh there: its folder nodir' '$tmp/err'"
# an octahedron without its last face (line 14)
printf 'OFF\n6 7 0\n1 0 0\n-1 0 0\n0 1 0\n0 -1 0\n0 0 1\n0 0 -1\n3 0 2 4\n3 2 1 4\n3 1 3 4\n3 3 0 4\n3 2 0 5\n3 1 2 5\n3 3 1 5\n' >hole.off
g '{file: hole.off}' '{x: {components: 3}}'
bad "a mesh with a hole" "hole.off:1[0-9]:"
runrc "$sd" check bad.yaml
t "a mesh with a hole: the message says it is open" grep -qi "hole" err
# the issue's bad meshes through a graph: each refused at the graph's file key with the mesh's line
for c in "flipped.off:15:.*inconsistent orientation" "nan.off:6:.*expected a finite number" \
         "zero_area.off:19:.*zero area" "hole.off:13:.*the mesh has a hole"; do
  f=${c%%:*}
  g "{file: $top_srcdir/tests/data/mesh/$f}" '{x: {components: 3}}'
  bad "a bad mesh file ($f)" "bad.yaml:2:.*$c"
done
tap_end
