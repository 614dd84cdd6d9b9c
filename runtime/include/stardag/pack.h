/* stardag/pack.h - codelet packs as shared objects (plugins).
 *
 * A pack is a .so that defines ONE well-known symbol, `stardag_pack` (an sd_pack), naming the pack
 * and its codelet table. Define it with STARDAG_PACK(name, table) in the pack's glue file; build
 * with `cc -shared -fPIC ... $(pkg-config --cflags --libs stardag)`. stardag loads packs with
 * `--load FILE.so`, a graph's `plugins: [...]` key or STARDAG_PLUGIN_PATH (docs/codelets.md).
 *
 * STARDAG_PACK_ABI is the version of everything a pack's code shares with stardag by layout
 * (sd_pack, sd_codelet, sd_role, sd_param, sd_check_info, sd_tile_args, sd_acc, sd_pblock,
 * sd_pdomain, sd_mpart, the SD_MAX_* limits). It changes whenever one of them does; a pack built against
 * another ABI is refused ("rebuild the pack"). The sizes recorded in sd_pack catch a layout change
 * that forgot to bump the number (and headers mixed from two installs). `abi` stays the first
 * member in every version, so any stardag can read it. */
#ifndef STARDAG_PACK_H
#define STARDAG_PACK_H

#include <stddef.h>
#include "stardag/codelet.h"

/* 2: mesh domains (sd_mpart, sd_role.location, sd_codelet.scratch_v/f); 3: sd_codelet.reach;
 * 4: batch domains (SD_ON_BATCH, sd_tile_args.system, sd_check_info.system, sd_codelet.ncomp);
 * 5: sd_tile_args.inner_lo/hi, sd_check_info.bc/ninner/inner_*; 6: table roles (SD_ROLE_TABLE, a
 * kind an older stardag would take for a field), sd_check_info.table*, optional field roles on grids;
 * 7: sd_pdomain.mixed (a particle domain's precision, which an older pack would not see);
 * 8: mesh edges (SD_MESH_EDGES, sd_mpart's edge members); 9: sd_codelet.fusable;
 * 10: sd_role.support, sd_codelet.support_box (sparse halo exchanges) */
#define STARDAG_PACK_ABI 10
#define STARDAG_PACK_SYMBOL "stardag_pack"

typedef struct sd_pack {
    int abi;                   /* STARDAG_PACK_ABI of the headers the pack was compiled with */
    const char *name;          /* the pack's name; its codelets are named "<name>.<op>" by convention */
    const sd_codelet *codelets;
    size_t ncodelets;
    size_t codelet_size;       /* sizeof(sd_codelet) and sizeof(sd_tile_args) when it was built */
    size_t tile_args_size;
} sd_pack;

#ifdef __cplusplus
#define SD_PACK_EXTERN_ extern "C"
#else
#define SD_PACK_EXTERN_
#endif

/* Defines the pack's symbol: STARDAG_PACK("mypack", mypack_codelets) with a static const array. */
#define STARDAG_PACK(pack_name, table) \
    SD_PACK_EXTERN_ __attribute__((visibility("default"))) const sd_pack stardag_pack = { \
        STARDAG_PACK_ABI, (pack_name), (table), sizeof(table) / sizeof((table)[0]), sizeof(sd_codelet), \
        sizeof(sd_tile_args)}

#ifdef __cplusplus
extern "C" {
#endif

/* Load the pack in `file` and register its codelets. A name without '/' that does not exist
 * relative to `base_dir` (NULL: the current directory) is looked up in the directories of
 * STARDAG_PLUGIN_PATH, in order. Loading a file already loaded (the same file under any name) does
 * nothing. All or nothing: a pack whose codelets cannot all be registered (a name or model symbol
 * clash, an inconsistent declaration) is refused and unloaded. Returns 0, or -1 with one line in
 * err: "FILE: what is wrong (expected ...)". */
int sd_pack_load(const char *file, const char *base_dir, char *err, size_t errlen);
/* Load every *.so of every directory in STARDAG_PLUGIN_PATH (colon-separated; files of a
 * directory in name order). Unset or empty: nothing. Returns 0 or -1 with err as sd_pack_load. */
int sd_pack_load_env(char *err, size_t errlen);
/* The packs loaded so far, in load order: name and absolute file. */
int sd_pack_count(void);
const char *sd_pack_name(int i);
const char *sd_pack_file(int i);
/* The pack that registered a codelet: a loaded pack's "NAME (FILE)", a bundled pack's name
 * ("lattice"), "the program" for sd_codelet_register. */
const char *sd_codelet_origin(const sd_codelet *c);
/* The file of the loaded pack that registered c, or NULL (a bundled or program codelet). */
const char *sd_codelet_pack_file(const sd_codelet *c);

#ifdef __cplusplus
}
#endif
#endif
