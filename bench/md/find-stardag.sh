# find-stardag.sh - sourced by the bench/md scripts (needs $top, the repository root): sets
# STARDAG to the binary to time: $STARDAG if set, else the first of $BUILDDIR, _build-bench and
# _build that has one; exits when there is none.
if [ -z "${STARDAG:-}" ]; then
    for d in ${BUILDDIR:-} "$top/_build-bench" "$top/_build"; do
        [ -x "$d/stardag" ] && { STARDAG="$d/stardag"; break; }
    done
fi
[ -n "${STARDAG:-}" ] && [ -x "$STARDAG" ] || { echo "$0: stardag not built (set BUILDDIR or STARDAG)" >&2; exit 1; }
