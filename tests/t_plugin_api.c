/* t_plugin_api.c - the pack loader's C API (stardag/pack.h), run by tests/t_plugin.sh with the
 * packs it builds: argv[1] the template pack (mypack.so), argv[2] a pack whose second codelet the
 * registry refuses, argv[3] a well-formed pack (other.a, other.b). */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "stardag/stardag.h"
#include "tap.h"

static void nop(const sd_tile_args *a) { (void)a; }

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: t_plugin_api MYPACK.so INCONSISTENT.so GOOD.so\n");
        return 2;
    }
    char err[2048], real[PATH_MAX], dir[PATH_MAX];
    sd_register_builtin_codelets();
    const int nbuiltin = sd_codelet_count();
    ok(sd_pack_count() == 0, "no pack loaded at start");

    ok(sd_pack_load(argv[1], NULL, err, sizeof err) == 0, "the template pack loads");
    const sd_codelet *damp = sd_codelet_find("mypack.damp");
    ok(damp && sd_codelet_count() == nbuiltin + 1, "its codelet is registered");
    ok(realpath(argv[1], real) && sd_pack_count() == 1 && !strcmp(sd_pack_file(0), real) && !strcmp(sd_pack_name(0), "mypack"),
       "the pack is listed with its name and absolute file");
    ok(damp && sd_codelet_pack_file(damp) && !strcmp(sd_codelet_pack_file(damp), real), "the codelet knows its pack file");
    char want[PATH_MAX + 16];
    snprintf(want, sizeof want, "mypack (%s)", real);
    ok(damp && !strcmp(sd_codelet_origin(damp), want), "its origin names pack and file");
    ok(!strcmp(sd_codelet_origin(sd_codelet_find("lattice.energy")), "lattice") &&
       !sd_codelet_pack_file(sd_codelet_find("lattice.energy")), "a bundled codelet's origin is its pack, with no file");

    /* the same file by another name: relative to a base directory */
    snprintf(dir, sizeof dir, "%s", real);
    *strrchr(dir, '/') = 0;
    ok(sd_pack_load("mypack.so", dir, err, sizeof err) == 0 && sd_pack_count() == 1 && sd_codelet_count() == nbuiltin + 1,
       "loading the same file again (relative to its directory) is a no-op");

    ok(sd_pack_load(argv[2], NULL, err, sizeof err) == -1, "a pack with a refused codelet fails");
    diag("%s", err);
    ok(strstr(err, "pack incons: codelet incons.b: 1..12 roles and 0..16 params expected") != NULL,
       "... naming the pack, the codelet and why");
    ok(!sd_codelet_find("incons.a") && sd_codelet_count() == nbuiltin + 1 && sd_pack_count() == 1,
       "... and registers none of its codelets (all or nothing)");

    /* pointers held by a loaded graph survive the table growing */
    static char names[64][24];
    for (int i = 0; i < 64; i++) {
        snprintf(names[i], sizeof names[i], "grow.op%d", i);
        sd_codelet c = {.name = names[i], .pattern = SD_POINTWISE, .nroles = 1, .cpu = nop, .model = names[i],
                        .roles = {{.name = "x", .mode = SD_READWRITE}}};
        if (sd_codelet_register(&c)) break;
    }
    ok(sd_codelet_find("grow.op63") && sd_codelet_find("mypack.damp") == damp && !strcmp(damp->name, "mypack.damp"),
       "codelet pointers stay valid as the registry grows");
    ok(!strcmp(sd_codelet_origin(sd_codelet_find("grow.op0")), "the program"), "a program's codelet: origin 'the program'");

    ok(setenv("STARDAG_PLUGIN_PATH", dir, 1) == 0 && sd_pack_load_env(err, sizeof err) == 0 && sd_pack_count() == 1,
       "STARDAG_PLUGIN_PATH with an already loaded pack: nothing new");
    ok(sd_pack_load(argv[3], NULL, err, sizeof err) == 0 && sd_codelet_find("other.a") && sd_codelet_find("other.b") &&
       sd_pack_count() == 2, "a second pack loads after a refused one");
    ok(sd_pack_load("", NULL, err, sizeof err) == -1 && strstr(err, "empty pack file name"), "an empty name is refused");
    return tap_done();
}
