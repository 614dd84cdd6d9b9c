#!/bin/sh
# t_python.sh - the stardag Python package (python/stardag) against the build tree: its API and
# error paths (tests/t_python.py), the tutorial (docs/tutorial.py), and an install into a temporary
# prefix that Python then imports. Needs configure's python3 with NumPy and h5py.
. "$top_srcdir/tests/tap.sh"
PYTHON=${PYTHON:-python3}
if [ "$PYTHON" = : ]; then
  echo "1..0 # SKIP configure found no python3 (the package is not installed either)"
  exit 77
fi
if [ -n "${ASAN_OPTIONS:-}" ]; then
  # python3 is not built with AddressSanitizer, so it cannot dlopen a libstardag that is (the
  # sanitizer's runtime must be loaded first). tests/t_capi drives the same C API under it.
  echo "1..0 # SKIP libstardag is built with AddressSanitizer, which python3 cannot load"
  exit 77
fi
if ! "$PYTHON" -c 'import numpy, h5py' 2>/dev/null; then
  echo "1..0 # SKIP $PYTHON lacks numpy or h5py (Debian: apt-get install python3-numpy python3-h5py)"
  exit 77
fi
STARDAG_LIB="$top_builddir/.libs/libstardag.so.0" PYTHONPATH="$top_srcdir/python"
PYTHONDONTWRITEBYTECODE=1  # the source tree may be read-only (make distcheck)
export STARDAG_LIB PYTHONPATH PYTHONDONTWRITEBYTECODE
mkdir -p "$tmp/api" "$tmp/tut" && cd "$tmp/api" || exit 99
# its own TAP lines, renumbered into this script's
"$PYTHON" "$top_srcdir/tests/t_python.py" 2>"$tmp/api.err" >"$tmp/api.tap"
api_rc=$?
while read -r line; do
  case "$line" in
    "ok "*) n=$((n + 1)); echo "ok $n ${line#ok [0-9]* }" ;;
    "not ok "*) n=$((n + 1)); fails=$((fails + 1)); echo "not ok $n ${line#not ok [0-9]* }" ;;
    "#"*) echo "$line" ;;
  esac
done <"$tmp/api.tap"
t "tests/t_python.py ran to its end (exit 0 or only failures above)" test "$api_rc" = 0 -o "$fails" -gt 0
grep -q '^1\.\.' "$tmp/api.tap" || { echo "# tests/t_python.py stopped early:"; sed 's/^/# /' "$tmp/api.err" | tail -20; }

cd "$tmp/tut" || exit 99
runrc "$PYTHON" "$top_srcdir/docs/tutorial.py"
t "docs/tutorial.py runs (exit 0)" test "$(rc)" = 0
[ "$(rc)" = 0 ] || sed 's/^/# /' "$tmp/err" | tail -20
t "it printed its bitwise comparison" grep -q "agree (bitwise)" "$tmp/out"

# make install into a temporary prefix: the installed package finds the installed library itself.
inst=$tmp/inst
runrc make -s -C "$top_builddir" install prefix="$inst"
t "make install prefix=DIR" test "$(rc)" = 0
pkgdir=$(dirname "$(find "$inst" -path '*/stardag/__init__.py' | head -n 1)")
t "the package is installed under the prefix" test -f "$pkgdir/_paths.py"
(cd "$tmp" && env -u STARDAG_LIB PYTHONPATH="$(dirname "$pkgdir")" "$PYTHON" -c \
  'import stardag, sys; print(stardag.library_path()); stardag.load(sys.argv[1], n=8)' \
  "$top_srcdir/graphs/lattice/kg-packet.yaml") >"$tmp/out" 2>"$tmp/err"
t "the installed package imports and loads a graph with the installed library" \
  test "$(cat "$tmp/out")" = "$inst/lib/libstardag.so.0"
runrc make -s -C "$top_builddir" uninstall prefix="$inst"
t "make uninstall removes the package" test ! -e "$pkgdir/__init__.py" -a ! -e "$pkgdir/_paths.py"
tap_end
