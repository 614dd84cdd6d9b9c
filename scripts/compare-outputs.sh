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
# .h5 and .h5md file a run writes is compared. Exit 0 when every file agrees bitwise, 1 if not.
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
       "$bin" run "$top/$graph" ${steps:+--steps "$steps"} --out "$name.h5" --quiet) ||
      { echo "compare-outputs: $graph failed with the $side build" >&2; bad=1; }
  done
  for f in "$out/ref/$name"/*.h5 "$out/ref/$name"/*.h5md; do
    [ -e "$f" ] || continue
    n=$((n + 1))
    any=; case $f in *.h5md) any=--any ;; esac # trajectories: every dataset of the H5MD files
    if "$new" compare $any "$f" "$out/new/$name/$(basename "$f")" > "$out/$name-$(basename "$f").txt" 2>&1; then
      echo "ok       $graph: $(basename "$f") bitwise equal"
    else
      echo "DIFFERS  $graph: $(basename "$f") (see $out/$name-$(basename "$f").txt)"; bad=1
    fi
  done
done
echo "compare-outputs: $n files from $(ls graphs/*/*.yaml | wc -l) graphs against $sha: $([ $bad = 0 ] && echo all bitwise equal || echo DIFFERENCES)"
exit $bad
