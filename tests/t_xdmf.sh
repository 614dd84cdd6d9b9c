#!/bin/sh
# t_xdmf.sh - the XDMF sidecar puts stardag's x on the viewer's x for 1-D, 2-D and 3-D grids.
# 1. Without ParaView: the .xmf's topology, dimensions, origin and spacing are in XDMF's order
#    (slowest axis first: z y x; every mesh 3-D, absent axes of one node), the attributes
#    reference the datasets with their own shapes.
# 2. With ParaView (Debian: paraview python3-paraview; scripts/setup.sh installs them, and this
#    test does too when STARDAG_TEST_INSTALL=1 and it runs as root): pvbatch opens each sidecar with
#    the XDMF reader and the Xdmf3 reader, and checks the points, bounds and the value of every
#    node against the HDF5 dataset at [z][y][x] (a noise field: every node differs, so a
#    transposed or mirrored axis cannot pass). Skipped, saying why, without pvbatch.
. "$top_srcdir/tests/tap.sh"
cd "$tmp" || exit 1

# A grid nx=7, ny=5, nz=3 with spacings 0.5, 2, 3 (every axis distinguishable), a 1-component and
# a 2-component noise field, written at steps 0 and 1.
graph() { # graph NDIM (the 3-D one with units: XDMF Information elements the readers must accept)
  units=""
  [ "$1" = 3 ] && units=", units: {length: m, time: s}"
  case $1 in
    1) shape="[7]"; spacing="[0.5]" ;;
    2) shape="[7, 5]"; spacing="[0.5, 2.0]" ;;
    3) shape="[7, 5, 3]"; spacing="[0.5, 2.0, 3.0]" ;;
  esac
  cat <<YAML
name: xdmf-$1d
domain:
  grid: {shape: $shape, spacing: $spacing, boundary: periodic$units}
fields:
  u: {}
  w: {components: 2}
init:
  - {op: common.noise, write: {out: u}, params: {seed: 7}}
  - {op: common.noise, write: {out: w}, params: {seed: 8}}
step:
  - {op: common.scale, readwrite: {x: u}, params: {a: 1}}
output:
  file: g$1.h5
  fields: {names: [u, w], every: 1}
run: {steps: 1, dt: 0.1}
YAML
}
# (loop variables are not d: tap.sh's t uses it)
for nd in 1 2 3; do
  graph $nd >"g$nd.yaml"
  runrc "$sd" run "g$nd.yaml" --quiet --out "g$nd.h5"
  t "${nd}-D grid: runs and writes g$nd.xmf" test "$(rc)" = 0 -a -s "g$nd.xmf"
done

# 1. The text of the sidecars.
# first_attr FILE ELEMENT ATTR: the value of ATTR of the first ELEMENT line
first_attr() { sed -n "s/.*<$2 [^>]*$3=\"\([^\"]*\)\".*/\1/p" "$1" | head -n 1; }
item() { sed -n "s/.*<DataItem Name=\"$2\"[^>]*>\([^<]*\)<.*/\1/p" "$1" | head -n 1; }
for c in "1|1 1 7|1 1 0.5|7" "2|1 5 7|1 2 0.5|5 7" "3|3 5 7|3 2 0.5|3 5 7"; do # ndim|mesh|spacing|dataset
  IFS='|' read -r nd dims spacing ddims <<EOC
$c
EOC
  f=g$nd.xmf
  t "${nd}-D: a 3DCoRectMesh (XDMF has no 1-D one; ParaView reads a 2-D one's axes as y, z)" \
    test "$(first_attr $f Topology TopologyType)" = 3DCoRectMesh
  t "${nd}-D: Dimensions=\"$dims\" (z y x, absent axes 1)" test "$(first_attr $f Topology Dimensions)" = "$dims"
  t "${nd}-D: geometry ORIGIN_DXDYDZ" test "$(first_attr $f Geometry GeometryType)" = ORIGIN_DXDYDZ
  t "${nd}-D: origin 0 0 0" test "$(item $f Origin)" = "0 0 0"
  t "${nd}-D: spacing \"$spacing\" (dz dy dx, in the order of Dimensions)" test "$(item $f Spacing)" = "$spacing"
  t "${nd}-D: u references its dataset with the mesh's dimensions ($dims: the same values)" \
    grep -q "<DataItem Dimensions=\"$dims\" NumberType=\"Float\" Precision=\"8\" Format=\"HDF\">g$nd.h5:/fields/u/00000001</DataItem>" $f
  t "${nd}-D: w_1 is a HyperSlab of the mesh's dimensions: start 1 0.., stride 1.., count 1 $ddims of [2][$ddims]" \
    sh -c "grep -A3 'Attribute Name=\"w_1\"' $f | tr -d '\n' | grep -q 'HyperSlab\" Dimensions=\"$dims\".*Dimensions=\"3 $((nd + 1))\" Format=\"XML\">1 $(echo 0 0 0 | cut -c1-$((2 * nd - 1))) $(echo 1 1 1 1 | cut -c1-$((2 * nd + 1))) 1 $ddims<.*Dimensions=\"2 $ddims\" NumberType'"
  t "${nd}-D: two time steps, t = 0 and 0.1" test "$(grep -c '<Time Value=' $f)" = 2
done

# 2. ParaView.
echo "from paraview import simple" >pvcheck.py
have_pv() { command -v pvbatch >/dev/null && timeout 120 pvbatch pvcheck.py >/dev/null 2>&1; }
if [ "${STARDAG_TEST_INSTALL:-0}" = 1 ] && ! have_pv && [ "$(id -u)" = 0 ]; then
  { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
      paraview python3-paraview; } >install.log 2>&1 || { echo "# installing paraview failed:"; tail -n 3 install.log | sed 's/^/# /'; }
fi
if ! have_pv; then
  skip "ParaView's pvbatch with its Python module is not installed (Debian: apt-get install paraview python3-paraview; or STARDAG_TEST_INSTALL=1 as root)"
  tap_end; exit
fi
cat >probe.py <<'PY'
# probe.py READER FILE.xmf...: for each gNDIM.xmf, one line "ok NDIM ..." or "FAIL NDIM ..." per
# check; the datasets' values (h5dump, %.17g: exact) are in gNDIM.u.txt and gNDIM.w.txt, in HDF5
# (C) order. One pvbatch for all files: its start-up is most of the time.
import sys, os
import numpy as np
from paraview import simple as pv
from paraview import servermanager as sm


def probe(reader, path, ndim):
    r = pv.XDMFReader(FileNames=[path]) if reader == "XDMFReader" else getattr(pv, reader)(FileName=[path])
    r.UpdatePipeline(0.1)
    d = sm.Fetch(r)
    while d.IsA("vtkMultiBlockDataSet"):
        d = d.GetBlock(0)
    shape = [7, 5, 3][:ndim] + [1] * (3 - ndim)
    spacing = [0.5, 2.0, 3.0]
    want_bounds = [v for k in range(3) for v in (0.0, (shape[k] - 1) * spacing[k])]
    print("%s %d %s: dims %s, bounds %s" % ("ok" if list(d.GetDimensions()) == shape else "FAIL", ndim, reader,
                                         list(d.GetDimensions()), list(d.GetBounds())))
    print("%s %d %s: bounds %s" % ("ok" if np.allclose(d.GetBounds(), want_bounds) else "FAIL", ndim, reader, want_bounds))
    npts = shape[0] * shape[1] * shape[2]
    for name, comps in (("u", [None]), ("w", [0, 1]))[:1 if reader == "Xdmf3ReaderS" else 2]:
        vals = [float(v) for v in open("%s.%s.txt" % (path[:-4], name)).read().split()]
        for c in comps:
            a = d.GetPointData().GetArray(name if c is None else "%s_%d" % (name, c))
            ref = np.array(vals[(c or 0) * npts:((c or 0) + 1) * npts]).reshape(shape[::-1])  # [z][y][x]
            bad = 0
            for k in range(shape[2]):
                for j in range(shape[1]):
                    for i in range(shape[0]):
                        p = (i * spacing[0], j * spacing[1], k * spacing[2])
                        n = d.FindPoint(p)
                        if n < 0 or not np.allclose(d.GetPoint(n), p) or a.GetValue(n) != ref[k, j, i]:
                            bad += 1
            print("%s %d %s: %s%s at every node (x, y, z) = (i dx, j dy, k dz) equals the dataset's [k][j][i]"
                  " (%d of %d differ; e.g. (0.5, %g, 0): %r)" % ("ok" if bad == 0 else "FAIL", ndim, reader, name,
                  "" if c is None else "_%d" % c, bad, d.GetNumberOfPoints(), 4 if ndim > 1 else 0,
                  ref[0, 2 if ndim > 1 else 0, 1]))


for f in sys.argv[2:]:
    nd = int(os.path.basename(f)[1])
    try:
        probe(sys.argv[1], os.path.abspath(f), nd)
    except Exception as e:  # e.g. an attribute the reader did not produce
        print("FAIL %d %s: %s: %s: %s" % (nd, sys.argv[1], f, type(e).__name__, e))
print("end")
PY
# the values of step 1's datasets, one per line, exact
for nd in 1 2 3; do
  for f in u w; do
    h5dump -A 0 -m %.17g -y -w 0 -d /fields/$f/00000001 "g$nd.h5" | sed -n '/DATA {/,/}/p' | sed '1d;$d' | tr ',' '\n' |
      sed 's/ //g;/^$/d' >"g$nd.$f.txt"
  done
done
# Xdmf3 Reader S skips HyperSlab attributes (ParaView 5.11: "Skipping unrecognized array type"),
# so only u is checked with it; the XDMF Reader reads the components too.
for reader in XDMFReader Xdmf3ReaderS; do
  timeout 300 pvbatch probe.py $reader g1.xmf g2.xmf g3.xmf >"pv.out" 2>"pv.err"
  if ! grep -q '^end$' pv.out; then
    n=$((n + 1)); fails=$((fails + 1)); echo "not ok $n - $reader: pvbatch did not finish the probe"
    sed 's/^/# /' pv.err | tail -n 5
  fi
  grep -v '^end$' pv.out >pv.res
  while read -r verdict nd rest; do
    n=$((n + 1))
    if [ "$verdict" = ok ]; then echo "ok $n - ${nd}-D: $rest"; else echo "not ok $n - ${nd}-D: $rest"; fails=$((fails + 1)); fi
  done <pv.res
done
tap_end
