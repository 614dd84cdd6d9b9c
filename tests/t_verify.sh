#!/bin/sh
# t_verify.sh - `stardag verify`: unknown codelets, the generated graphs checked CPU against CPU
# (other tiles or blocks and worker counts, bitwise) for every codelet (grid codelets on grids,
# f64 and f32, with their defaults and the parameter sets of runtime/tools/verify_variants.c: the
# lattice stencils' orders 4 and 6, damping, chi_leapfrog's source; particle codelets md.* in LJ test systems, with their trajectories), one line per
# case, temporary files, and CPU against CUDA where a CUDA device is available (skipped otherwise).
. "$top_srcdir/tests/tap.sh"
TMPDIR=$tmp/vt
export TMPDIR
mkdir -p "$TMPDIR"

runrc "$sd" verify lattice.kg_leapfog
t "an unknown codelet: exit 2" test "$(rc)" = 2
t "an unknown codelet: the nearest name is suggested" \
  grep -q "unknown codelet 'lattice.kg_leapfog' (did you mean 'lattice.kg_leapfrog'?)" "$tmp/err"
runrc "$sd" verify --cpu-vs-cpu common.fil
t "an unknown codelet with --cpu-vs-cpu: exit 2" sh -c "test $(rc) = 2 && grep -q \"did you mean 'common.fill'\" '$tmp/err'"
runrc "$sd" verify --shapes 37,0x3
t "a bad --shapes: exit 2" test "$(rc)" = 2
runrc "$sd" verify --frobnicate
t "an unknown option: exit 2" test "$(rc)" = 2
runrc "$sd" verify --cpu-vs-cpu md.kick --cells 5,3
t "a bad --cells (fewer than 4 cells): exit 2" sh -c "test $(rc) = 2 && grep -q -- '--cells expects' '$tmp/err'"

# every codelet: the CPU with one worker and uneven tiles against two workers and other tiles.
# SD_TEST_SHORT=1 (the CI's extra passes, where a sanitizer runs it several times slower): the 3-D
# grid and the smallest LJ system only, every codelet still; the normal pass runs all three of each.
short=${SD_TEST_SHORT:-0}
sweep=
[ "$short" = 1 ] && sweep="--shapes 19x13x11 --cells 5"
# shape_skipped LABEL / cells_skipped N: not in this pass's sweep
shape_skipped() { [ "$short" = 1 ] && [ "$1" != "3D 19x13x11 " ]; }
cells_skipped() { [ "$short" = 1 ] && [ "$1" != 500 ]; }
# shellcheck disable=SC2086
runrc "$sd" verify --cpu-vs-cpu $sweep
cp "$tmp/out" "$tmp/all"
t "--cpu-vs-cpu, every codelet: exit 0" test "$(rc)" = 0
t "--cpu-vs-cpu: the summary says all cases are ok" grep -q "^stardag verify: [0-9]* cases: [0-9]* ok, 0 failed, 0 errors" "$tmp/all"
missing=
for c in $("$sd" codelets | sed -n 's/^\([a-z_0-9]*\.[a-z_0-9]*\)  \[.*/\1/p'); do
  case $c in
    md.*) # particle codelets: the LJ test systems of 5, 6 and 7 fcc cells per axis, f64; the pair
      # codelets also in precision: mixed
      precs=f64
      case $c in md.lj_force|md.thermo) precs="f64 mixed" ;; esac
      for p in $precs; do
        for s in 500 864 1372; do
          cells_skipped $s && continue
          grep -q "^ok  *$c  *LJ N=$s  *$p  *bitwise ([0-9]* vs [0-9]* blocks; .*; trajectory [1-9][0-9]* datasets" "$tmp/all" ||
            missing="$missing $c/N=$s/$p"
        done
      done ;;
    mesh.*|membrane.*) # mesh codelets: the perturbed ellipsoid, 1 partition against 3, f64 only
      grep -q "^ok  *$c  *mesh nv=642  *f64  *bitwise" "$tmp/all" || missing="$missing $c/mesh" ;;
    transport.*) # transport codelets: a proton beam on a 13 x 17 phase-space grid, two tilings
      grep -q "^ok  *$c  *2D 13x17 12x24 bins f64  *bitwise" "$tmp/all" || missing="$missing $c/beam" ;;
    ode.*) # batch codelets: 1000 Van der Pol systems, non-stiff and stiff, 1 range against 3
      grep -q "^ok  *$c  *batch M=1000 f64  *bitwise" "$tmp/all" || missing="$missing $c/batch"
      grep -q "^ok  *$c  *batch M=1000 f64 stiff  *bitwise" "$tmp/all" || missing="$missing $c/batch-stiff" ;;
    *)
      for s in "1D 37 " "2D 33x17 " "3D 19x13x11 "; do
        shape_skipped "$s" && continue
        for d in f64 f32; do
          # the grid packs must pass; a dtype a codelet does not take is a skip with its reason;
          # codelets of other packs may be skipped (no grid graph)
          case $c in
            common.*|lattice.*) re="^\(ok  *$c  *$s *$d  *bitwise\|skip  *$c  *$s *$d  *the codelet's field roles take f[0-9]* only\)" ;;
            *) re="^\(ok  *$c  *$s *$d  *bitwise\|skip  *$c  *$s *$d  \)" ;;
          esac
          grep -q "$re" "$tmp/all" || missing="$missing $c/$s/$d"
        done
      done ;;
  esac
done
t "--cpu-vs-cpu: every codelet passes (grids: 1-D, 2-D and 3-D, f64 and f32; md: 3 systems; meshes: 1 vs 3 partitions; batches: non-stiff and stiff)${missing:+ (missing:$missing)}" test -z "$missing"
# the parameter sets beyond the defaults: the lattice stencils of orders 4 and 6 (reach 2 and 3),
# damping, chi_leapfrog with its source; every grid and dtype
missing=
for v in 'lattice.kg_leapfrog\[order=4,gamma=0.3\]' 'lattice.kg_leapfrog\[order=6\]' \
         'lattice.chi_leapfrog\[order=4,kappa=0.5,E0=0.3\]' 'lattice.chi_leapfrog\[order=6,kappa=-0.2\]' \
         'lattice.energy\[order=4,gamma=0.3\]' 'lattice.energy\[order=6\]'; do
  for s in "1D 37 " "2D 33x17 " "3D 19x13x11 "; do
    shape_skipped "$s" && continue
    for d in f64 f32; do
      grep -q "^ok  *$v  *$s *$d  *bitwise" "$tmp/all" || missing="$missing $v/$s/$d"
    done
  done
done
t "--cpu-vs-cpu: the lattice codelets' variants pass (orders 4, 6, damping, chi's source)${missing:+ (missing:$missing)}" test -z "$missing"
# every case prints exactly one line (ok, FAIL, ERROR or skip) and the summary counts them all
ncases=$(sed -n 's/^stardag verify: \([0-9]*\) cases.*/\1/p' "$tmp/all")
t "--cpu-vs-cpu: one line per case" test "$(grep -c '^\(ok  \|FAIL  \|ERROR \|skip  \)' "$tmp/all")" = "$ncases"
read n_all n_ok n_fail n_err n_skip <<EOF
$(sed -n 's/^stardag verify: \([0-9]*\) cases: \([0-9]*\) ok, \([0-9]*\) failed, \([0-9]*\) errors\(, \([0-9]*\) skipped\)*$/\1 \2 \3 \4 \6/p' "$tmp/all")
EOF
t "--cpu-vs-cpu: the summary's counts add up to the cases" test "${n_all:-x}" = "$((n_ok + n_fail + n_err + ${n_skip:-0}))"
if [ "$short" = 1 ]; then
  t "--cpu-vs-cpu: the md lines name the blocks of both runs" grep -q "^ok  *md.lj_force  *LJ N=500  *f64  *bitwise (2 vs 1 blocks" "$tmp/all"
else
  t "--cpu-vs-cpu: the md lines name the blocks of both runs" grep -q "^ok  *md.lj_force  *LJ N=1372  *f64  *bitwise (3 vs 4 blocks" "$tmp/all"
fi
t "the temporary directory is removed" sh -c "! ls -d '$TMPDIR'/stardag-verify.* 2>/dev/null | grep -q ."

runrc "$sd" verify --cpu-vs-cpu lattice.energy common.copy --shapes 9x7x5 --quiet
t "--quiet: only the summary (energy: defaults, order 4 with damping, order 6; copy, and copy fused)" \
  sh -c "test $(rc) = 0 && test \$(wc -l <'$tmp/out') = 1 && grep -q '10 cases: 10 ok' '$tmp/out'"

# --keep: graphs and outputs stay; the kept graph reproduces the CPU output through the CLI
runrc "$sd" verify --cpu-vs-cpu lattice.kg_leapfrog --shapes 11x9 --keep
cp "$tmp/out" "$tmp/kept.out"
t "--keep: exit 0" test "$(rc)" = 0
kept=$(ls -d "$TMPDIR"/stardag-verify.* 2>/dev/null | head -1)
t "--keep: graphs and outputs are kept" test -s "$kept/case000.yaml" -a -s "$kept/case000-cpu.h5" -a -s "$kept/case000-cpu2.h5"
t "--keep: the summary names the directory" grep -q "outputs kept in $kept" "$tmp/out"
"$sd" run "$kept/case000.yaml" --out "$tmp/rerun.h5" --quiet >/dev/null 2>&1
runrc "$sd" compare "$kept/case000-cpu.h5" "$tmp/rerun.h5"
t "--keep: stardag run of a kept graph reproduces its output bitwise" test "$(rc)" = 0
runrc "$sd" compare "$kept/case000-cpu.h5" "$kept/case002-cpu.h5"
t "the f64 and f32 cases' outputs differ (the comparison would notice)" test "$(rc)" = 3
t "the fused case (the leapfrog is fusable): 5 steps, what it writes copied into what it reads with a halo" \
  sh -c "grep -q '^  steps: 5\$' '$kept/case001.yaml' && grep -q '^    read: {in: f_E_next}' '$kept/case001.yaml' && grep -q '^    write: {out: f_E}' '$kept/case001.yaml' && grep -q 'f64 fused x3  bitwise' '$tmp/kept.out'"
t "--keep: the variants' graphs set their parameters (order 4 with damping, order 6)" \
  sh -c "grep -q '^    params: {order: 4, gamma: 0.3}\$' '$kept/case004.yaml' && grep -q '^    params: {order: 6}\$' '$kept/case006.yaml'"
runrc "$sd" compare "$kept/case000-cpu.h5" "$kept/case004-cpu.h5"
t "the order-2 and order-4 (damped) cases' outputs differ (the parameters take effect)" test "$(rc)" = 3
runrc "$sd" compare "$kept/case004-cpu.h5" "$kept/case006-cpu.h5"
t "the order-4 and order-6 cases' outputs differ" test "$(rc)" = 3
rm -rf "$kept"

# particle codelets by name: bitwise across block counts (and worker counts), positions and
# velocities of the trajectory included
# (SD_TEST_SHORT=1: the sweep above ran these codelets on the smallest system; the normal pass checks
# every system's block counts and mixed-precision lines here)
if [ "$short" = 1 ]; then
  skip "SD_TEST_SHORT=1: md.lj_force, md.thermo and md.langevin by name are the normal pass's (the sweep above ran them)"
else
  runrc "$sd" verify --cpu-vs-cpu md.lj_force md.thermo md.langevin
  cp "$tmp/out" "$tmp/md"
  t "--cpu-vs-cpu md.lj_force md.thermo md.langevin: exit 0" test "$(rc)" = 0
  t "--cpu-vs-cpu md.*: 15 cases (md.lj_force and md.thermo in both precisions), all ok" \
    grep -q "^stardag verify: 15 cases: 15 ok, 0 failed, 0 errors\$" "$tmp/md"
  t "--cpu-vs-cpu md.*: each system with other blocks in the second run" \
    test "$(grep -c '^ok  *md\.[a-z_]*  *LJ N=\(500  *f64  *bitwise (2 vs 1\|864  *f64  *bitwise (3 vs 1\|1372  *f64  *bitwise (3 vs 4\) blocks' "$tmp/md")" = 9
  t "--cpu-vs-cpu md.*: the mixed-precision systems of md.lj_force and md.thermo too" \
    test "$(grep -c '^ok  *md\.\(lj_force\|thermo\)  *LJ N=\(500  *mixed  *bitwise (2 vs 1\|864  *mixed  *bitwise (3 vs 1\|1372  *mixed  *bitwise (3 vs 4\) blocks' "$tmp/md")" = 6
  t "--cpu-vs-cpu md.*: the trajectories are compared" \
    test "$(grep -c 'trajectory [1-9][0-9]* datasets, [1-9][0-9]* values)$' "$tmp/md")" = 15
fi

# --keep with particle systems: the kept graph reproduces the CPU run's output and trajectory, the
# two runs' trajectories agree, and those of two different codelets' systems do not
runrc "$sd" verify --cpu-vs-cpu md.langevin md.berendsen --cells 5 --keep
t "--keep, md: exit 0, 2 cases" sh -c "test $(rc) = 0 && grep -q '^stardag verify: 2 cases: 2 ok' '$tmp/out'"
kept=$(ls -d "$TMPDIR"/stardag-verify.* 2>/dev/null | head -1)
t "--keep, md: graphs, outputs and trajectories are kept" \
  test -s "$kept/case000.yaml" -a -s "$kept/case000-cpu.h5" -a -s "$kept/case000-cpu2.h5md" -a -s "$kept/case001-cpu.h5md"
(cd "$tmp" && "$sd" run "$kept/case000.yaml" --out "$tmp/mdrerun.h5" --quiet >/dev/null 2>&1)
runrc "$sd" compare "$kept/case000-cpu.h5" "$tmp/mdrerun.h5"
t "--keep, md: stardag run of a kept graph reproduces its scalars bitwise" test "$(rc)" = 0
t "--keep, md: ... and its trajectory (positions)" h5diff "$kept/case000-cpu.h5md" "$tmp/case000.h5md" /particles/trajectory/position/value
t "--keep, md: the two runs' trajectories agree (positions)" \
  h5diff "$kept/case000-cpu.h5md" "$kept/case000-cpu2.h5md" /particles/trajectory/position/value
t "--keep, md: ... (velocities)" h5diff "$kept/case000-cpu.h5md" "$kept/case000-cpu2.h5md" /particles/trajectory/velocity/value
runrc h5diff "$kept/case000-cpu.h5md" "$kept/case001-cpu.h5md" /particles/trajectory/velocity/value
t "the Langevin and Berendsen systems' trajectories differ (the comparison would notice)" test "$(rc)" = 1
runrc "$sd" compare "$kept/case000-cpu.h5" "$kept/case001-cpu.h5"
t "the Langevin and Berendsen systems' scalars differ (the comparison would notice)" test "$(rc)" = 3
rm -rf "$kept"

# CPU against CUDA: needs a CUDA device (and StarPU with CUDA); unknown names come first
runrc "$sd" verify
if [ "$(rc)" = 1 ] && grep -q "no CUDA device available (StarPU CUDA support: \(yes\|no\)): nothing to compare" "$tmp/err"; then
  skip "CPU vs CUDA: $(cat "$tmp/err")"
else
  cp "$tmp/out" "$tmp/cuda"
  t "CPU vs CUDA, every codelet with a CUDA implementation: exit 0" test "$(rc)" = 0
  t "CPU vs CUDA: no case failed" grep -q "^stardag verify: [0-9]* cases: [0-9]* ok, 0 failed, 0 errors" "$tmp/cuda"
  t "CPU vs CUDA: the lattice variants (orders 4 and 6, damping, chi's source; 3 grids, f64 and f32) are ok" \
    test "$(grep -c '^ok  *lattice\.[a-z_]*\[order=[46][],]' "$tmp/cuda")" = 36
  # particle codelets: every case is ok (CUDA-only particle runs keep their CPU-only ops on CPUs)
  bad=$(grep '^[a-zA-Z]*  *md\.' "$tmp/cuda" | grep -v '^ok  ' |
    sed 's/^[a-zA-Z]*  *\([^ ]*\)  *LJ N=\([0-9]*\).*/\1\/N=\2/' | tr '\n' ' ')
  t "CPU vs CUDA: every md case is ok${bad:+ (not: $bad)}" test -z "$bad"
  # the ones without CUDA run on the CPU in both runs and say so
  cpuonly=
  for c in md.fcc_lattice md.velocity_create md.berendsen; do
    test "$(grep -c "^ok  *$c  *LJ N=[0-9]*  *f64  *bitwise (.*, cpu only" "$tmp/cuda")" = 3 || cpuonly="$cpuonly $c"
  done
  t "CPU vs CUDA: the md codelets without CUDA are verified as 'cpu only'${cpuonly:+ (not:$cpuonly)}" test -z "$cpuonly"
  t "CPU vs CUDA: md.lj_force is verified on the GPU" \
    sh -c "test \$(grep -v 'cpu only' '$tmp/cuda' | grep -c '^ok  *md.lj_force  *LJ N=[0-9]*  *f64  *bitwise ([0-9]* blocks; .*)\$') = 3"
  t "CPU vs CUDA: md.lj_force in mixed precision too" \
    sh -c "test \$(grep -v 'cpu only' '$tmp/cuda' | grep -c '^ok  *md.lj_force  *LJ N=[0-9]*  *mixed  *bitwise ([0-9]* blocks; .*)\$') = 3"
fi

tap_end
