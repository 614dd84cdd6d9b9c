/* ckpt.h - checkpoint files (format `stardag_checkpoint` 1, docs/checkpoint.md): one HDF5 file
 * per checkpoint, root attributes saying what it is, one dataset per state item under /state with
 * a checksum attribute, the run's host state under /host, and the root attribute `complete`
 * written last. The writer (ckpt_write.c) builds FILE.tmp and publishes it atomically, keeping the
 * `keep` newest checkpoints (FILE, FILE.1, ...); the reader (ckpt_read.c) refuses anything it
 * cannot trust (newer format, incomplete, checksum mismatch) with a message naming the file and
 * the dataset. Internal to libstardag; no StarPU here. */
#ifndef STARDAG_IO_CKPT_H
#define STARDAG_IO_CKPT_H
#include <stddef.h>
#include <stdint.h>

#define SD_CKPT_FORMAT 2 /* 2: meta_checksum and /index (1: neither; still read, without that check) */

/* Element types of checkpoint items (sd_ckpt_item.type in engine/engine.h). */
enum { SD_CK_F64 = 0, SD_CK_F32 = 1, SD_CK_I64 = 2, SD_CK_U8 = 3 };
/* Bytes of one element of an SD_CK_* type (0 for an unknown type). */
size_t sd_ckpt_type_size(int type);

/* The checksum of a dataset's raw bytes (FNV-1a, 64 bits), stored as 16 hex digits. */
uint64_t sd_ckpt_checksum(const void *data, size_t bytes);
/* The same over bytes appended to a running hash h (start with SD_CKPT_HASH_INIT). */
#define SD_CKPT_HASH_INIT 0xcbf29ce484222325ULL
uint64_t sd_ckpt_hash_more(uint64_t h, const void *data, size_t bytes);

/* The checksum of a checkpoint's root (attribute meta_checksum, format 2): FNV-1a 64 over format
 * (int32), step (int64), time (the float64's bits), graph_hash, layout_hash (uint64; all
 * little-endian), the version, the graph text and the n names of /index (each with its NUL). */
struct sd_ckpt_meta;
uint64_t sd_ckpt_meta_checksum(const struct sd_ckpt_meta *m, const char *graph_text, int n, const char *const *index);

/* What the root of a checkpoint says. */
typedef struct sd_ckpt_meta {
    int format;             /* SD_CKPT_FORMAT */
    int64_t step;           /* the last complete step saved */
    double time;            /* step * dt */
    uint64_t graph_hash;    /* of the graph's text */
    uint64_t layout_hash;   /* of what fixes the state's layout (graph.h's sd_graph_layout_hash) */
    char version[64];       /* the stardag that wrote it */
} sd_ckpt_meta;

/* ---- reading ------------------------------------------------------------------------------- */

typedef struct sd_ckpt_in sd_ckpt_in;
/* Opens and verifies a checkpoint: an HDF5 file, format attribute present and not newer than
 * SD_CKPT_FORMAT, `complete` set, root attributes readable; from format 2 on also the root, the
 * graph text and /index against meta_checksum, and every item of /index there. NULL with
 * "PATH: ..." in err. */
sd_ckpt_in *sd_ckpt_open(const char *path, char *err, size_t errlen);
/* An item's shape: name under /state ("fields/u/0"), or an absolute path ("/host/latest").
 * 0, or -1 when absent (err says so) or unreadable. */
int sd_ckpt_item_info(const sd_ckpt_in *in, const char *name, int *type, int *ndim, int64_t dims[4], char *err,
                      size_t errlen);
/* An item's raw bytes into buf (bytes must be its exact size); its checksum verified. 0, or -1 with
 * "PATH: /state/NAME: ..." in err. */
int sd_ckpt_read_item(const sd_ckpt_in *in, const char *name, void *buf, size_t bytes, char *err, size_t errlen);
int64_t sd_ckpt_step(const sd_ckpt_in *in);
const sd_ckpt_meta *sd_ckpt_get_meta(const sd_ckpt_in *in);
const char *sd_ckpt_path(const sd_ckpt_in *in);
/* The graph text the checkpoint was written from (malloc'd, free it), or NULL with a message. */
char *sd_ckpt_graph_text(const sd_ckpt_in *in, char *err, size_t errlen);
/* Is the absolute item path ("/state/fields/u/0", "/host/latest") in the file's /index? 1 for every
 * name in a format-1 file (which has none). */
int sd_ckpt_indexed(const sd_ckpt_in *in, const char *path);
/* Calls fn for every dataset under /state (in name order): for `stardag inspect`. */
typedef int (*sd_ckpt_item_fn)(const char *name, int type, int ndim, const int64_t dims[4], void *u);
int sd_ckpt_list_items(const sd_ckpt_in *in, sd_ckpt_item_fn fn, void *u, char *err, size_t errlen);
void sd_ckpt_close(sd_ckpt_in *in);

/* ---- writing (the run's writer thread) ----------------------------------------------------- */

typedef struct sd_ckpt_out sd_ckpt_out;
/* Starts checkpoint `path` as path.tmp (an older .tmp, left by a killed run, is replaced). NULL
 * with a message. */
sd_ckpt_out *sd_ckpt_create(const char *path, char *err, size_t errlen);
/* One dataset: name under /state or an absolute path ("/host/latest"), type SD_CK_*, ndim
 * (0: a scalar) dims; data holds exactly its bytes. Its checksum attribute goes with it. 0, or -1. */
int sd_ckpt_write(sd_ckpt_out *w, const char *name, int type, int ndim, const int64_t *dims, const void *data,
                  size_t bytes, char *err, size_t errlen);
/* Root attributes, /graph_text, /index (every item written, in order) and meta_checksum, then
 * `complete`; closes and fsyncs path.tmp, links path to path.link, renames path.tmp to path, then
 * moves the older checkpoints up (path.(keep-2) -> path.(keep-1), ..., path.link -> path.1) and
 * fsyncs the directory: path exists at every moment; a failure before the rename changes nothing,
 * one after it (the move) leaves the new checkpoint published and the previous one as path.link. Frees w (also on
 * failure, when path.tmp is removed and the older checkpoints are untouched). 0, or -1. */
int sd_ckpt_commit(sd_ckpt_out *w, const sd_ckpt_meta *m, const char *graph_text, int keep, char *err,
                   size_t errlen);
/* Gives up: closes and removes path.tmp; frees w (may be NULL). */
void sd_ckpt_abort(sd_ckpt_out *w);

#endif
