#!/bin/sh
# t_sizes.sh - sizes beyond what the runtime can index are refused with a clear message before any
# memory is allocated: grids of more than 2^52 cells (load time), tiles of more than 2^32 - 1
# elements (StarPU 1.3 counts a vector's elements in 32 bits), more than 2^20 tiles. The runs are
# made under a virtual-memory limit far below the sizes asked for, so a check that came after the
# allocation would report "out of memory" instead and fail the test.
. "$top_srcdir/tests/tap.sh"

grid() { # grid FILE SHAPE TILES
  cat >"$1" <<YAML
domain:
  grid: {shape: $2, spacing: 1}
fields:
  u:
tiles: $3
init:
  - op: common.fill
    write: {out: u}
    params: {value: 1}
run: {steps: 1, dt: 0.1}
YAML
}

grid "$tmp/huge.yaml" "[1048576, 1048576, 1048576]" auto
runrc "$sd" check "$tmp/huge.yaml"
t "a grid of 2^60 cells: exit 2" test "$(rc)" = 2
t "... at the shape, naming the cell count and the limit" \
  grep -q "huge.yaml:2:17: the grid has 1.153e+18 cells (1048576 x 1048576 x 1048576), more than the 2^52 a grid may have" "$tmp/err"

if [ -n "${ASAN_OPTIONS:-}" ]; then
  # AddressSanitizer maps terabytes of shadow memory at start-up and cannot run under ulimit -v;
  # without the limit a broken check would allocate tens of GB: the normal suite runs these
  skip "a tile of 2^33 elements (under AddressSanitizer, which cannot run under a memory limit)"
  skip "tiles of 2^31 elements (the same)"
  skip "4096^3 one-cell tiles (the same)"
  tap_end
  exit
fi
# these grids need more memory than a test machine has, which the loader refuses by itself
# (tests/t_loader_limits): STARDAG_MAX_MEMORY lets them reach the run's checks
STARDAG_MAX_MEMORY=1P
export STARDAG_MAX_MEMORY
grid "$tmp/bigtile.yaml" "[65536, 65536, 2]" "[65536, 65536, 2]"
runrc sh -c "ulimit -v 8000000; exec '$sd' run '$tmp/bigtile.yaml' --quiet --out ''"
t "a tile of 2^33 elements: exit 1" test "$(rc)" = 1
t "... naming the field, the tile and StarPU's 32-bit limit (not an allocation failure)" \
  grep -q "a tile of field u (65536x65536x2 cells, ghost width 0, 1 components) has 8589934592 elements; a StarPU vector holds at most 4294967295 (use smaller tiles or more blocks)" "$tmp/err"
grid "$tmp/oktile.yaml" "[65536, 65536, 2]" "[65536, 16384, 2]"
runrc sh -c "ulimit -v 8000000; exec '$sd' run '$tmp/oktile.yaml' --quiet --out ''"
t "the same grid in tiles of 2^31 elements passes the check (then runs out of the 8 GB allowed)" \
  sh -c "test $(rc) = 1 && ! grep -q 'StarPU vector holds' '$tmp/err' && grep -q 'out of memory' '$tmp/err'"

grid "$tmp/manytiles.yaml" "[4096, 4096, 4096]" "[1, 1, 1]"
runrc sh -c "ulimit -v 8000000; exec '$sd' run '$tmp/manytiles.yaml' --quiet --out ''"
t "4096^3 one-cell tiles: exit 1" test "$(rc)" = 1
t "... naming the tile count and the limit" \
  grep -q "68719476736 tiles (4096x4096x4096) are more than the 1048576 a run may have: use larger tiles" "$tmp/err"
tap_end
