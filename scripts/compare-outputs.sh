#!/usr/bin/env bash
# Outputs of every bundled graph (graphs/*/*.yaml), compared bitwise with `stardag compare`
# against those of a reference commit: the check that a refactoring changed no result.
#
#   bash scripts/compare-outputs.sh [REF] [STEPS]
#
# REF (default HEAD~1) is checked out with `git worktree add` into _ref-<sha>/ and built there (out of
# tree, in _ref-<sha>/_build, with the same configure flags as STARDAG_CONFIGURE_FLAGS); this tree's
# stardag is _build/stardag (run scripts/setup.sh first). STEPS (default: each graph's own) shortens
# every run. Each graph runs in its own folder under _compare/ (trajectories land there too); every
# .h5 and .h5md file either run writes is compared, and so is what the runs print (the summary's
# task counts per kind, checks, the thermo table's steps), with timings and other decimals blanked
# out. Exit 0 when everything agrees, 1 if not.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
ref=${1:-HEAD~1}
steps=${2:-}
sha=$(git rev-parse --short "$ref")
new="$top/_build/stardag"
[ -x "$new" ] || { echo "compare-outputs: no $new (run: bash scripts/setup.sh test)" >&2; exit 2; }
refdir="$top/_ref-$sha"
if [ ! -x "$refdir/_build/stardag" ]; then
  [ -d "$refdir" ] || git worktree add --detach "$refdir" "$sha" >/dev/null
  (cd "$refdir" && { [ -x configure ] || autoreconf -fi >/dev/null 2>&1; } && mkdir -p _build && cd _build &&
   { [ -f Makefile ] || ../configure --quiet ${STARDAG_CONFIGURE_FLAGS:-}; } && make -s -j"$(nproc)" stardag)
fi
old="$refdir/_build/stardag"
out="$top/_compare"
rm -rf "$out"
bad=0 n=0
for graph in graphs/*/*.yaml; do
  name=$(basename "$graph" .yaml)
  for side in ref new; do
    mkdir -p "$out/$side/$name"
    bin=$old; [ $side = new ] && bin=$new
    (cd "$out/$side/$name" && STARPU_WORKERS_NOBIND=1 STARPU_HOME="$out/$side/.starpu" \
       "$bin" run "$top/$graph" ${steps:+--steps "$steps"} --out "$name.h5" > run.log 2>&1) ||
      { echo "compare-outputs: $graph failed with the $side build" >&2; bad=1; }
  done
  # what they print, timings and values blanked (the values are in the files)
  for side in ref new; do
    sed -E -e '/worker busy/d' -e '/output writer:/d' -e 's/[0-9]+(\.[0-9]+)?e[-+]?[0-9]+//g' -e 's/[0-9]+\.[0-9]+%?//g' -e 's/ +/ /g' \
      "$out/$side/$name/run.log" >"$out/$side/$name/run.txt"
  done
  n=$((n + 1))
  if diff "$out/ref/$name/run.txt" "$out/new/$name/run.txt" > "$out/$name-log.diff"; then
    echo "ok       $graph: the printed summary agrees (timings aside)"
  else
    echo "DIFFERS  $graph: the printed summary (see $out/$name-log.diff)"; bad=1
  fi
  for f in "$out/ref/$name"/*.h5 "$out/ref/$name"/*.h5md "$out/new/$name"/*.h5 "$out/new/$name"/*.h5md; do
    [ -e "$f" ] || continue
    case $f in "$out/new/"*) [ -e "$out/ref/$name/$(basename "$f")" ] && continue ;; esac # compared already
    n=$((n + 1))
    any=; case $f in *.h5md) any=--any ;; esac # trajectories: every dataset of the H5MD files
    a=$out/ref/$name/$(basename "$f") b=$out/new/$name/$(basename "$f")
    if "$new" compare $any "$a" "$b" > "$out/$name-$(basename "$f").txt" 2>&1; then
      echo "ok       $graph: $(basename "$f") bitwise equal"
    else
      echo "DIFFERS  $graph: $(basename "$f") (see $out/$name-$(basename "$f").txt)"; bad=1
    fi
  done
done
echo "compare-outputs: $n files and logs from $(ls graphs/*/*.yaml | wc -l) graphs against $sha: $([ $bad = 0 ] && echo all bitwise equal || echo DIFFERENCES)"
exit $bad
