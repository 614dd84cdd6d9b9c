#!/bin/sh
# t_nvcc_flags.sh - a user's NVCCFLAGS cannot change the floating-point options results depend
# on (cuda.mk: SD_NVCC_PINNED = -prec-div=true -prec-sqrt=true -ftz=false -fmad=false, and no
# --use_fast_math). tests/t_nvcc_flags_probe.cu is compiled by make's own %_cu.lo rule with
# hostile NVCCFLAGS plus --keep, and the PTX nvcc generated is read: no fma, no .ftz, IEEE
# division and square root, no approximate sinf. The same probe compiled by nvcc directly with
# those flags shows every one of them, so each check can fail. No GPU needed; skipped without nvcc.
. "$top_srcdir/tests/tap.sh"

NVCC=$(sed -n 's/^NVCC = *//p' "$top_builddir/Makefile")
if [ -z "$NVCC" ]; then
  echo "1..0 # SKIP nvcc not found by configure"
  exit 77
fi
probe=tests/t_nvcc_flags_probe

# body FILE FUNC: the PTX of one kernel (from its .entry line to the closing brace)
body() { awk -v f="$2" '$0 ~ "\\.entry " f "\\(" {on = 1} on {print} on && /^}/ {exit}' "$1"; }
# has FILE FUNC REGEX / hasnt FILE FUNC REGEX: whether the kernel's PTX has an instruction
has() { body "$1" "$2" | grep -Eq "$3"; }
hasnt() { body "$1" "$2" | grep -Eq "$3" && return 1; body "$1" "$2" | grep -q . ; }
# pinned DIR: every PTX file nvcc kept in DIR (one per architecture) is compiled as pinned
pinned() {
  set -- "$1"/*.ptx
  test -f "$1" || return 1
  for p in "$@"; do
    grep -q '\.ftz' "$p" && return 1
    hasnt "$p" probe_fma '^[[:space:]]*fma\.' || return 1
    has "$p" probe_fma 'mul\.rn\.f32' && has "$p" probe_fma 'add\.rn\.f32' || return 1
    has "$p" probe_fma 'mul\.rn\.f64' && has "$p" probe_fma 'add\.rn\.f64' || return 1
    has "$p" probe_div 'div\.rn\.f32' && has "$p" probe_div 'sqrt\.rn\.f32' || return 1
    hasnt "$p" probe_div '\.approx|div\.full' || return 1
    hasnt "$p" probe_sin '\.approx' || return 1
  done
}

arch="-gencode arch=compute_80,code=sm_80 -gencode arch=compute_90,code=compute_90"
hostile1="-fmad=true -ftz=true -prec-div=false -prec-sqrt=false --use_fast_math"
hostile2="--fmad=true --ftz=true --prec-div=false --prec-sqrt=false -use_fast_math"

# The probe sees each option: nvcc itself, given the hostile flags, emits what the checks reject.
mkdir -p "$tmp/direct"
# shellcheck disable=SC2086
runrc "$NVCC" -O3 -gencode arch=compute_80,code=compute_80 $hostile1 -ptx "$top_srcdir/$probe.cu" -o "$tmp/direct/p.ptx"
dp=$tmp/direct/p.ptx
t "probe: nvcc with hostile flags directly compiles it" test "$(rc)" = 0
t "probe: -fmad=true shows as fma" has "$dp" probe_fma '^[[:space:]]*fma\.rn\.f64'
t "probe: -ftz=true shows as .ftz" grep -q '\.ftz' "$dp"
t "probe: -prec-div/-prec-sqrt=false show as .approx" has "$dp" probe_div 'div\.approx|div\.full'
t "probe: --use_fast_math shows as sin.approx" has "$dp" probe_sin 'sin\.approx'
runrc "$NVCC" -O3 -gencode arch=compute_80,code=compute_80 $hostile2 -ptx "$top_srcdir/$probe.cu" -o "$tmp/direct/p2.ptx"
t "probe: the long spellings act the same" sh -c "test $(rc) = 0 && grep -q '\.ftz' '$tmp/direct/p2.ptx'"
rejects() { ! pinned "$1"; }
t "probe: the checks below reject what nvcc made of the hostile flags" rejects "$tmp/direct"

# make's rule, as a user would call it (a fresh make: nothing inherited from make check)
mk() {
  rm -f "$top_builddir/$probe"_cu.lo "$top_builddir/tests/.libs/t_nvcc_flags_probe_cu.o"
  runrc env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -C "$top_builddir" "NVCCFLAGS=$1" "$probe"_cu.lo
}
i=0
for h in "" "$hostile1" "$hostile2" "-O3 -fmad=true" "-ftz=true" "-prec-div=false -prec-sqrt=false" "--use_fast_math"; do
  i=$((i + 1))
  k=$tmp/keep$i
  mkdir -p "$k"
  mk "-O3 $arch $h --keep --keep-dir $k"
  what=${h:-no hostile flags}
  t "make NVCCFLAGS='$what': the object is built" sh -c "test $(rc) = 0 && test -f '$top_builddir/tests/.libs/t_nvcc_flags_probe_cu.o'"
  t "make NVCCFLAGS='$what': PTX as pinned (no fma, no ftz, IEEE div/sqrt, no fast math)" pinned "$k"
  t "make NVCCFLAGS='$what': nvcc never sees a conflicting value" sh -c "! grep -q 'redefinition' '$tmp/err'"
  for f in $h; do
    case $f in -O3) continue ;; esac
    t "make NVCCFLAGS='$what': make warns that it ignores $f" grep -q -- "NVCCFLAGS: ignoring.* $f[ :]" "$tmp/err"
  done
  [ -z "$h" ] && t "make with plain NVCCFLAGS: no warning" sh -c "! grep -q 'NVCCFLAGS' '$tmp/err'"
done

# the two-word spelling cannot be filtered: make refuses, naming it
for f in "-fmad true" "--ftz false" "-prec-div false" "--prec-sqrt true"; do
  mk "-O3 $f"
  o=${f% *}
  t "make NVCCFLAGS='$f': refused, naming $o" sh -c "test $(rc) != 0 && grep -q -- \"NVCCFLAGS: '$o' with its value as a separate word\" '$tmp/err' && ! test -f '$top_builddir/$probe'_cu.lo"
done
rm -f "$top_builddir/$probe"_cu.lo "$top_builddir/tests/.libs/t_nvcc_flags_probe_cu.o"
tap_end
