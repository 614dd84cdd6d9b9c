#!/bin/sh
# t_plugin.sh - codelet packs (stardag/pack.h): the template pack (examples/pack) built against the
# build tree with its own Makefile and pkg-config, loaded by --load, a graph's plugins: key and
# STARDAG_PLUGIN_PATH; every refusal (missing file, not a pack, another ABI, clashes); new-pack; and
# a real install (configure --prefix, make install, the pack built against the installed headers,
# make uninstall).
. "$top_srcdir/tests/tap.sh"
unset MAKEFLAGS MFLAGS MAKELEVEL
MAKE=${MAKE_CMD:-make}
CC=${CC:-cc}
unset STARDAG_PLUGIN_PATH
command -v pkg-config >/dev/null 2>&1 || { echo "1..0 # SKIP pkg-config is not installed"; exit 77; }
cd "$tmp" || exit 99

# ---- the template pack against the build tree (stardag-uninstalled.pc) ----
cp -R "$top_srcdir/examples/pack" pack && chmod -R u+w pack
PKG_CONFIG_PATH=$top_builddir; export PKG_CONFIG_PATH
runrc $MAKE -C pack -s
t "the template pack builds against the build tree with its Makefile (pkg-config)" test "$(rc)" = 0 -a -f pack/mypack.so
nvcc=$(pkg-config --variable=nvcc stardag)
if [ -n "$nvcc" ] && [ -x "$nvcc" ]; then
  runrc $MAKE -C pack -s damp_cu.o
  t "its CUDA kernel compiles with stardag's nvcc and pinned options" test "$(rc)" = 0
else
  skip "nvcc not found: the template's CUDA kernel is not compiled"
fi
runrc $MAKE -C pack -s check STARDAG="$sd"
t "make check: the kernel test passes and stardag runs the pack's graph" test "$(rc)" = 0
t "... its kernel test covers f64 and f32 cases" grep -q "^ok: 24 cases, 0 failures" out

runrc "$sd" codelets --load pack/mypack.so
t "codelets --load lists the pack's codelet" grep -q "^mypack.damp  \[pointwise" out
t "... and says which pack file it came from" grep -q "from pack mypack ($tmp/pack/mypack.so)" out
runrc "$sd" codelets --load pack/mypack.so --load ./pack/mypack.so --load "$tmp/pack/../pack/mypack.so"
t "loading the same file three times is a no-op" test "$(rc)" = 0 -a "$(grep -c '^mypack.damp ' out)" = 1

# the graph names its pack with plugins: [mypack.so], relative to the graph's directory
(cd / && "$sd" check "$tmp/pack/damped-wave.yaml") >out 2>err
t "check resolves plugins: relative to the graph file, not the working directory" grep -q "damped-wave.yaml: ok" out
runrc "$sd" run pack/damped-wave.yaml --out damped.h5 --quiet
t "run with plugins: runs the pack's op as tasks and its range check holds" test "$(rc)" = 0
# the energy the undamped leapfrog conserves decays exactly as exp(-2 gamma t): rows at steps 10..200
h5dump -m %.17g -d /scalars/energy damped.h5 | tr -s ' ,' '\n' | grep -E '^[0-9]+\.[0-9]+' >energy.txt
t "the damped energy follows exp(-2 gamma t) to 1e-12 over 20 rows" awk '
  NR == 1 { e0 = $1 } { d = $1 / (e0 * exp(-2 * 0.02 * 0.5 * 10 * (NR - 1))) - 1; if (d < 0) d = -d; if (d > m) m = d }
  END { exit !(NR == 20 && m < 1e-12) }' energy.txt
grep -v '^plugins:' pack/damped-wave.yaml >plain.yaml
runrc "$sd" run plain.yaml --load pack/mypack.so --out plain.h5 --quiet
t "run --load works for a graph without plugins:" test "$(rc)" = 0
t "... with the same results, bitwise" "$sd" compare damped.h5 plain.h5
t "... and the run records its command line with --load" sh -c 'h5dump -a /meta/cmdline plain.h5 | grep -q -- "--load pack/mypack.so --out plain.h5"'
runrc "$sd" dot plain.yaml --load pack/mypack.so
t "dot --load draws the pack's tasks" grep -q "mypack.damp" out
runrc "$sd" verify --load pack/mypack.so --cpu-vs-cpu --shapes 13x7 mypack.damp
t "verify --load --cpu-vs-cpu: the pack's op gives the same bits for other tilings" test "$(rc)" = 0
# an op on a mesh edge field must write every local edge (edge fields have no ghost exchange): verify
# finds one that writes only its owned edges
cat >edgy.c <<'EOF'
#include <stardag/pack.h>
static void put(const sd_tile_args *a, int64_t n)
{
    double *out = a->p[0];
    for (int64_t e = 0; e < n; e++) out[e] = (double)a->mesh.eid[e];
}
static void owned(const sd_tile_args *a) { put(a, a->mesh.ne_own); }
static void local(const sd_tile_args *a) { put(a, a->mesh.ne); }
#define EDGY(NAME, FN)                                                                              \
    {.name = NAME, .pattern = SD_POINTWISE, .nroles = 1,                                            \
     .roles = {{.name = "out", .mode = SD_WRITE, .kind = SD_ROLE_FIELD, .ncomp = 1, .location = SD_MESH_EDGES}}, \
     .cpu = FN, .model = NAME, .domain = SD_ON_MESH}
static const sd_codelet table[] = {EDGY("edgy.owned", owned), EDGY("edgy.local", local)};
const sd_pack stardag_pack = {STARDAG_PACK_ABI, "edgy", table, 2, sizeof(sd_codelet), sizeof(sd_tile_args)};
EOF
$CC -shared -fPIC $(pkg-config --cflags stardag) -o edgy.so edgy.c
runrc "$sd" verify --load ./edgy.so --cpu-vs-cpu edgy.local
t "verify: a pack's edge op that writes every local edge agrees on 1 and 3 partitions" test "$(rc)" = 0
runrc "$sd" verify --load ./edgy.so --cpu-vs-cpu edgy.owned
t "... one that writes only its owned edges fails (exit 3)" test "$(rc)" = 3
t "... the sums over each vertex's edges differing, and verify says why" \
  sh -c "grep -q '^FAIL  edgy.owned' out && grep -q 'edge_sum_of_out' out && grep -q 'must write every local edge' out"
# an op that declares itself fusable (sd_codelet.fusable) must not depend on the cell's position:
# verify's fused case finds one that does (out = in + 1e-3 x, x from a->origin: grown tiles see
# other x than the neighbour's cells they stand for across a periodic side)
cat >posy.c <<'EOF'
#include <stardag/pack.h>
static void run(const sd_tile_args *a, int positional)
{
    const double *in = a->p[0];
    double *out = a->p[1];
    for (int64_t k = 0; k < a->n[2]; k++)
        for (int64_t j = 0; j < a->n[1]; j++)
            for (int64_t i = 0; i < a->n[0]; i++) {
                const int64_t ii = i + j * a->stride[0][1] + k * a->stride[0][2], io = i + j * a->stride[1][1] + k * a->stride[1][2];
                out[io] = in[ii] * 0.5 + (positional ? 1e-3 * (double)(a->origin[0] + i) : 0.25);
            }
}
static void positional(const sd_tile_args *a) { run(a, 1); }
static void local(const sd_tile_args *a) { run(a, 0); }
#define POSY(NAME, FN)                                                                              \
    {.name = NAME, .pattern = SD_POINTWISE, .nroles = 2,                                           \
     .roles = {{.name = "in", .mode = SD_READ, .kind = SD_ROLE_FIELD, .ncomp = 1, .dtypes = 1 << SD_F64},        \
               {.name = "out", .mode = SD_WRITE, .kind = SD_ROLE_FIELD, .ncomp = 1, .dtypes = 1 << SD_F64}},     \
     .cpu = FN, .model = NAME, .fusable = 1}
static const sd_codelet table[] = {POSY("posy.positional", positional), POSY("posy.local", local)};
const sd_pack stardag_pack = {STARDAG_PACK_ABI, "posy", table, 2, sizeof(sd_codelet), sizeof(sd_tile_args)};
EOF
$CC -shared -fPIC $(pkg-config --cflags stardag) -o posy.so posy.c
runrc "$sd" verify --load ./posy.so --cpu-vs-cpu posy.local
t "verify: a pack's fusable op that depends only on its fields agrees fused and unfused" \
  sh -c "test $(rc) = 0 && grep -q '^ok .*posy.local .*fused x3' '$tmp/out'"
runrc "$sd" verify --load ./posy.so --cpu-vs-cpu posy.positional
t "... one that reads the cell's position while declaring itself fusable fails (exit 3), in its fused cases" \
  sh -c "test $(rc) = 3 && grep -q '^FAIL  posy.positional .*fused x3' '$tmp/out' && ! grep -q '^FAIL  posy.positional .*f64  not' '$tmp/out'"
runrc "$sd" calibrate plain.yaml --load nothere.so
t "calibrate takes --load (and refuses a missing pack, exit 2)" test "$(rc)" = 2 -a -s err
runrc "$sd" check plain.yaml
t "without the pack the graph's op is unknown (exit 2)" test "$(rc)" = 2
t "... naming it" grep -q "mypack.damp" err

# STARDAG_PLUGIN_PATH: every *.so loaded by every command; bare names searched there
mkdir -p packs/a packs/b g
cp pack/mypack.so packs/b/
STARDAG_PLUGIN_PATH="$tmp/packs/a:$tmp/packs/b" "$sd" check plain.yaml >out 2>err
t "STARDAG_PLUGIN_PATH: check sees the pack's codelet without --load" grep -q "plain.yaml: ok" out
sed 's|^plugins:.*|plugins: [mypack.so]|' pack/damped-wave.yaml >g/elsewhere.yaml
STARDAG_PLUGIN_PATH="$tmp/packs/a:$tmp/packs/b" "$sd" run g/elsewhere.yaml --out env.h5 --quiet >out 2>err
t "a bare plugins: name missing beside the graph is found in STARDAG_PLUGIN_PATH" test $? = 0
STARDAG_PLUGIN_PATH="$tmp/packs/b" "$sd" codelets --load mypack.so >out 2>err
t "a pack from the path and --load of the same file: loaded once" test "$(grep -c '^mypack.damp ' out)" = 1
STARDAG_PLUGIN_PATH="$tmp/nonexistent" "$sd" codelets >out 2>err
t "a STARDAG_PLUGIN_PATH directory that does not exist is refused (exit 2)" test $? = 2
t "... naming it" grep -q "STARDAG_PLUGIN_PATH: $tmp/nonexistent: No such file or directory" err
STARDAG_PLUGIN_PATH="$tmp/nonexistent" "$sd" run --load nothere.so --help >out 2>err
t "--help answers (exit 0) whatever STARDAG_PLUGIN_PATH and --load hold" test $? = 0
t "... with run's usage" grep -q "usage: stardag run FILE" out
runrc "$sd" new-pack io
t "new-pack io is refused: io.* are the loader's own ops (exit 2)" test "$(rc)" = 2

# ---- refusals ----
runrc "$sd" codelets --load nothere.so
t "a missing pack: exit 2" test "$(rc)" = 2
t "... saying where it was looked for" grep -q "nothere.so: no such pack file (looked for nothere.so; STARDAG_PLUGIN_PATH is not set)" err
STARDAG_PLUGIN_PATH="$tmp/packs/a" "$sd" run plain.yaml --load nothere.so >out 2>err
t "... and in STARDAG_PLUGIN_PATH's directories" grep -q "looked for nothere.so, $tmp/packs/a/nothere.so; STARDAG_PLUGIN_PATH searched" err
sed 's|^plugins:.*|plugins: [missing.so]|' pack/damped-wave.yaml >g/missing.yaml
runrc "$sd" check g/missing.yaml
t "a missing plugins: file is an error at its line and column (exit 2)" test "$(rc)" = 2
t "... looked for beside the graph" grep -q "^g/missing.yaml:7:11: plugins: missing.so: no such pack file (looked for g/missing.so" err
printf 'plugins: mypack.so\n' >g/notlist.yaml
runrc "$sd" check g/notlist.yaml
t "plugins: must be a list" grep -q "^g/notlist.yaml:1:10: plugins: expected a list of pack files" err
runrc "$sd" codelets --load
t "--load without a value: exit 2" test "$(rc)" = 2 -a -s err

echo 'int not_a_pack = 1;' >notpack.c
$CC -shared -fPIC -o notpack.so notpack.c
runrc "$sd" codelets --load ./notpack.so
t "a shared object without the pack symbol is not a pack (exit 2)" test "$(rc)" = 2
t "... saying so" grep -q "notpack.so: not a stardag pack: it defines no 'stardag_pack' symbol" err
echo "just text" >text.so
runrc "$sd" codelets --load ./text.so
t "a file that is no shared object is not a pack either" grep -q "text.so: not a stardag pack: cannot load it as a shared object" err

# tiny packs: two codelets, names, models, ABI and layout from the compiler's command line
cat >tiny.c <<'EOF'
#include <stardag/pack.h>
static void cpu(const sd_tile_args *a) { (void)a; }
static const sd_codelet table[] = {
    {.name = OP1, .pattern = SD_POINTWISE, .nroles = 1, .roles = {{.name = "x", .mode = SD_READWRITE}}, .cpu = cpu, .model = MODEL1},
    {.name = OP2, .pattern = SD_POINTWISE, .nroles = NROLES2, .roles = {{.name = "x", .mode = SD_READWRITE}}, .cpu = cpu, .model = MODEL2},
};
const sd_pack stardag_pack = {STARDAG_PACK_ABI + ABI_DELTA, PACK, table, 2, sizeof(sd_codelet) + SIZE_DELTA, sizeof(sd_tile_args)};
EOF
tiny() { # tiny OUT PACK OP1 OP2 MODEL2 [ABI_DELTA SIZE_DELTA NROLES2]
  $CC -shared -fPIC $(pkg-config --cflags stardag) -o "$1" tiny.c -DPACK="\"$2\"" -DOP1="\"$3\"" -DOP2="\"$4\"" \
    -DMODEL1="\"$3\"" -DMODEL2="\"$5\"" -DABI_DELTA=${6:-0} -DSIZE_DELTA=${7:-0} -DNROLES2=${8:-1}
}
tiny abi.so other other.a other.b other.b 1
runrc "$sd" codelets --load ./abi.so
t "a pack built against another ABI is refused (exit 2)" test "$(rc)" = 2
abi=$(sed -n 's/^#define STARDAG_PACK_ABI \([0-9]*\)$/\1/p' "$top_srcdir/runtime/include/stardag/pack.h")
t "... saying which ABIs and what to do" grep -q "abi.so: built against stardag pack ABI $((abi + 1)), this stardag has ABI $abi: rebuild the pack" err
tiny layout.so other other.a other.b other.b 0 8
runrc "$sd" codelets --load ./layout.so
t "a pack whose header layouts differ under the same ABI number is refused" grep -q "layout.so: built against stardag headers with other layouts" err
tiny good.so other other.a other.b other.b
runrc "$sd" codelets --load ./good.so
t "a well-formed tiny pack loads" grep -q "^other.b " out
tiny clash.so clash clash.a mypack.damp clash.b
runrc "$sd" codelets --load pack/mypack.so --load ./clash.so
t "a codelet name clash between two packs: exit 2" test "$(rc)" = 2
t "... naming both packs and files" grep -q "clash.so: codelet mypack.damp of pack clash clashes with codelet mypack.damp of pack mypack ($tmp/pack/mypack.so)" err
tiny bundled.so bund bund.a lattice.energy bund.b
runrc "$sd" codelets --load ./bundled.so
t "a clash with a bundled codelet names the bundled pack" grep -q "codelet lattice.energy of pack bund clashes with codelet lattice.energy of pack lattice" err
tiny model.so modelpack modelpack.a modelpack.b stardag.lattice.energy
runrc "$sd" codelets --load ./model.so
t "a model symbol used by another codelet is a clash too" grep -q "uses model symbol stardag.lattice.energy, already used by codelet lattice.energy of pack lattice" err
cp pack/mypack.so copy.so
runrc "$sd" codelets --load pack/mypack.so --load ./copy.so
t "a second copy of a loaded pack is refused, naming the first" grep -q "copy.so: a pack named mypack is already loaded from $tmp/pack/mypack.so" err
tiny incons.so incons incons.a incons.b incons.b 0 0 0
runrc "$top_builddir/tests/t_plugin_api" "$tmp/pack/mypack.so" "$tmp/incons.so" "$tmp/good.so"
t "the C API: no-op reload, all-or-nothing refusal, origins, stable codelet pointers" test "$(rc)" = 0
sed "s/^/# /" out

# ---- stardag new-pack ----
runrc "$sd" new-pack dampers np
t "new-pack NAME DIR copies the template" test "$(rc)" = 0 -a -f np/dampers.c -a -f np/dampers_math.h -a -f np/Makefile
t "... renamed throughout (no mypack left)" sh -c '! grep -rqi mypack np'
t "... from the source tree for the uninstalled binary" grep -q "from $top_srcdir/examples/pack" out
t "... saying how to build it against the build tree" grep -q "(this stardag is not installed): cd np && PKG_CONFIG_PATH=.* make check STARDAG=.*/stardag" out
runrc $MAKE -C np -s check STARDAG="$sd"
t "the new pack builds and its make check passes" test "$(rc)" = 0
runrc "$sd" new-pack dampers np
t "new-pack never writes into an existing directory (exit 2)" test "$(rc)" = 2 -a -n "$(grep 'new-pack never writes into an existing one' err)"
runrc "$sd" new-pack 9lives
t "new-pack refuses a name that is no C identifier" grep -q "invalid pack name '9lives'" err
runrc "$sd" new-pack lattice
t "new-pack refuses a bundled pack's name" grep -q "'lattice' is a pack bundled with stardag" err
runrc "$sd" new-pack --help
t "new-pack --help prints its usage (exit 0)" test "$(rc)" = 0 -a -n "$(grep 'usage: stardag new-pack NAME' out)"
runrc "$sd" new-pack dampers "dir with 'space"
t "new-pack into a folder with a space and a quote: its next line quotes it for the shell" \
  grep -q "cd 'dir with '\\\\''space' && " out
# a full disk while writing (a tmpfs of 8 KiB in a mount namespace of its own): nothing half made
if unshare -m sh -c "mount -t tmpfs -o size=8k tmpfs '$PWD/np' && umount '$PWD/np'" 2>/dev/null; then
  mkdir -p full
  runrc unshare -m sh -c "mount -t tmpfs -o size=8k tmpfs '$PWD/full' && cd '$PWD/full' && '$sd' new-pack friction; echo \$? >rc.txt; ls -A >ls.txt; cp rc.txt ls.txt '$PWD/'"
  t "new-pack on a full disk: exit 1 naming the file, and no folder left half made" \
    sh -c "test \$(cat rc.txt) = 1 && grep -q 'cannot write friction/.*No space left' err && ! grep -q friction ls.txt"
else
  skip "no tmpfs in a mount namespace of its own here (unshare -m, mount)"
fi

# ---- a real install: configure --prefix, make install, a pack against the installed headers ----
# (a second build of the whole library: SD_TEST_SHORT=1, set by check-sanitize and the CI's pass
# against a StarPU with CUDA, leaves it to the normal pass, which installs the same sources)
if [ -f "$top_srcdir/config.status" ]; then
  skip "the source tree is configured in place: a second (install) build needs an out-of-tree build"
elif [ "${SD_TEST_SHORT:-0}" = 1 ]; then
  skip "SD_TEST_SHORT=1: the real install (a second build of the library) is made by the normal pass"
else
  inst="$tmp/inst"
  mkdir build
  eval "set -- $("$top_builddir/config.status" --config)"
  case " $* " in *" CFLAGS="*) ;; *) set -- "$@" "CFLAGS=-O0 -g" ;; esac
  # Fast: no nvcc (the CUDA side of packs is covered above, against the build tree), and
  # install-exec + install-data install exactly what `make install` does without building the
  # examples and benchmarks first.
  set -- "$@" ac_cv_path_NVCC=
  (cd build && "$top_srcdir/configure" --quiet "$@" --prefix="$inst" >../install.log 2>&1 &&
   $MAKE -s -j2 install-exec install-data >../install.log 2>&1) || cat install.log
  t "configure --prefix=DIR && make install" test -x "$inst/bin/stardag"
  env -u LD_LIBRARY_PATH "$inst/bin/stardag" --version >out 2>err
  t "the installed stardag runs and finds libstardag (rpath)" grep -q "^stardag " out
  t "headers, stardag.pc and the pack template are installed" \
    test -f "$inst/include/stardag/pack.h" -a -f "$inst/lib/pkgconfig/stardag.pc" -a -f "$inst/share/stardag/pack-template/mypack.c"
  PKG_CONFIG_PATH="$inst/lib/pkgconfig"
  t "pkg-config --cflags --libs stardag points at the install" \
    test "$(echo $(pkg-config --cflags --libs stardag))" = "-I$inst/include -L$inst/lib -lstardag"
  runrc "$inst/bin/stardag" new-pack friction fr
  t "the installed new-pack copies the installed template" grep -q "from $inst/bin/../share/stardag/pack-template" out
  runrc $MAKE -C fr -s check STARDAG="$inst/bin/stardag"
  t "a pack built against the installed headers runs its graph with the installed stardag" test "$(rc)" = 0
  (cd build && $MAKE -s uninstall >>../install.log 2>&1)
  t "make uninstall leaves no file behind" test -z "$(find "$inst" ! -type d)"
fi
tap_end
