/* h5md.h - crash-safe H5MD 1.1 trajectory writer (particle positions, velocities, a periodic
 * cuboid box, and scalar observables such as a thermo table).
 *
 * File layout (H5MD 1.1, https://www.nongnu.org/h5md/h5md.html; N particles, D = 3):
 *
 *   /                             attr status (16-byte string: "running" from create, then what
 *                                 sd_h5md_set_status records: io/run_status.h), steps_done int64
 *   /h5md                         attr version int32[2] = {1, 1}
 *     author                      attr name (, email)            fixed-length strings
 *     creator                     attr name, version              fixed-length strings
 *     modules/units               attr version int32[2] = {1, 0}, system = "SI" (VL string);
 *                                 only when units are given (see sd_h5md_create)
 *   /particles/trajectory         (SD_H5MD_GROUP: the name MDAnalysis' Universe("file.h5md") looks for)
 *     box                         attr dimension int32 = 3, boundary = "periodic" x 3 (fixed-length)
 *       edges/step, edges/time    hard links to position/step, position/time (as H5MD requires)
 *       edges/value               f64[frames][3][3]       (unit = length) edge vectors as rows: a
 *                                 diagonal matrix (MDAnalysis < 2.5 cannot read the vector form)
 *     position/step               int64[frames]
 *     position/time               f64[frames]             (unit = time)
 *     position/value              f64[frames][N][3]       (unit = length)
 *     velocity/step, velocity/time   hard links to position/step, position/time
 *     velocity/value              f64[frames][N][3]       (unit = "<length> <time>-1")
 *     species                     int32[N]                (time-independent; default all 0)
 *   /observables/<name>           step int64[rows], time f64[rows] (unit = time), value f64[rows]
 *   /parameters                   attrs unit_system (opts.unit_system, default "SI" or "lj"),
 *                                 units_length, units_time
 *
 * Particles are stored in id order (row i of every value dataset is particle id i; there is no
 * `id` element, so by H5MD the identity of a particle is its index). Positions and velocities are
 * AoS in the file, [frame][particle][xyz], x fastest, as H5MD prescribes; the caller may pass AoS
 * or SoA (stardag's component-outermost field layout) in any particle order, with an id array.
 *
 * value datasets are chunked [1][min(N, 65536)][3] (one frame per chunk row, <= 1.5 MiB), with the
 * shuffle and deflate filters (level 1 by default); step/time/edges/observables are chunked by
 * 1024 rows, uncompressed. All datasets are extensible along the frame axis. Fill values: NaN
 * (floats), -1 (steps) - what a row reads as if its data never reached the disk.
 *
 * Units: with units_length and units_time (e.g. "nm", "ps"; H5MD units-module strings) the value
 * and time datasets carry `unit` attributes (variable-length ASCII strings, as the units module
 * prescribes) and /h5md/modules/units is written. With units_length == NULL (or "" or "lj") the
 * data are in reduced Lennard-Jones units (length sigma, time sigma sqrt(m/epsilon)): no `unit`
 * attributes, no units module, and /parameters attr unit_system = "lj" says so.
 *
 * Crash safety (the scheme of io/h5out.c, docs/output-format.md): the metadata cache never
 * evicts, file space is append-only (H5F_FSPACE_STRATEGY_NONE, superblock v2, no SWMR), filtered
 * chunks are written once (one frame per chunk row) and uncompressed ones are rewritten with the
 * same bytes for earlier rows. The file is written through stardag's ordered driver: a frame's
 * chunks and any new metadata go to fresh space at once, and every update of metadata the file
 * already had (extents, chunk-index entries, links) is held back. Each sd_h5md_append ends with a
 * flush (datasets in the order observables, step, time, box, velocity, position; then H5Fflush)
 * and the ordered release (io/h5util.h): fdatasync of the children, the superblock and heap
 * updates, fdatasync, the held updates (multi-page B-tree nodes tail first), fdatasync. So a
 * crash, SIGKILL or power loss at any other moment leaves a file that plain H5Fopen(RDONLY) opens
 * with every earlier frame complete and nothing of a later one: position/value's length is the
 * number of frames, and every other per-frame dataset has that many rows. Observables appended
 * since the last flush become durable with the next append, flush or close. With opts.no_fsync
 * the same writes are issued in the same order without the fdatasyncs: a killed process is
 * covered, a power loss is not (anything since the last fdatasync, create's or close's, may be
 * lost, and the file may not open).
 * Residual window: the held updates themselves (~0.1 ms of metadata writes per frame, plus the
 * fdatasyncs) are not atomic (HDF5 1.10 has no journal). A kill inside them leaves a prefix of
 * them; a power loss any subset, a B-tree node possibly torn at a 4 KiB page boundary. Either can
 * leave the frame being appended partly visible: position/value counting it while its chunk-index
 * entry is not there yet (its data then reads as the fill value: NaN, steps -1), or the other
 * datasets counting it first. Earlier frames stay readable: tests/t_io_durable materializes, for
 * every append, the durable bytes plus each 4 KiB piece of these writes alone, all but each one,
 * and random subsets, and every such file opened with all earlier frames bitwise (written whole,
 * a torn 25 KiB chunk-index node lost earlier frames in some states: hence tail first). The
 * exception is a flush that splits a chunk-index node (every ~460 frames; the root's first split
 * at frame 512 with up to 65536 particles per chunk): there the trailing frames of the dataset
 * (all of them at the root's split) depend on the new node and the rewritten parent together.
 * Measured before this ordering (SIGKILL, plain H5Fopen, every frame read back): 0 damaged files
 * in 300 kills at random moments of appends of 20001 particles (deflate, fsync; tests/t_h5md
 * SD_H5MD_STRESS=300); with kills aimed at the flush (1001 particles, no compression, no fsync:
 * the flush is about half of each append), 12-15 of 300 files had a damaged last frame, 0-1 also
 * the frame before, 0 failed to open. With it: 0 in 300 random kills (SD_H5MD_STRESS=300).
 * Disk full / file size limits are detected before HDF5 touches its state (space is reserved with
 * posix_fallocate): the call fails cleanly and the writer stays usable. If HDF5 fails inside an
 * operation the writer is poisoned: later calls fail and close discards the unflushed metadata,
 * so the file stays at its last flush.
 *
 * Every function returns 0 on success, or -1 with a one-line message in err naming the file and
 * what failed. HDF5's automatic error printing is off for the duration of each call. Not
 * thread-safe: one writer is used by one thread at a time (serial HDF5). */
#ifndef STARDAG_IO_H5MD_H
#define STARDAG_IO_H5MD_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct sd_h5md sd_h5md;

/* The particles group (/particles/<name>) the trajectory is written in. */
#define SD_H5MD_GROUP "trajectory"

/* Optional settings; a zeroed struct (or NULL) gives the defaults. */
typedef struct sd_h5md_opts {
    const char *creator_version; /* /h5md/creator version (default "") */
    const char *author_email;    /* /h5md/author email (omitted when NULL) */
    const int32_t *species;      /* [N] species by particle id (default: all 0) */
    int deflate;                 /* deflate level 1..9 for the value datasets; 0: default (1);
                                    -1: no compression (and no shuffle) */
    int no_velocity;             /* 1: no velocity element; appends pass vel = NULL */
    int no_fsync;                /* 1: flush but no fsync per append (survives a killed process,
                                    not a power loss); close still fsyncs */
    const char *unit_system;     /* /parameters unit_system: the caller's name of its unit system
                                    (stardag: "lj", "real", "metal"); NULL: "SI", or "lj" without units */
    uint64_t graph_hash;         /* nonzero: the writing graph's hash, root attribute stardag_graph_hash
                                    (16 hex digits; create writes it, continue rewrites it) */
    uint64_t continue_hash;      /* sd_h5md_continue, nonzero: the hash of the graph that wrote the
                                    file up to `step` (the checkpoint's); a file whose
                                    stardag_graph_hash differs is refused (a file without one, from
                                    an older stardag, is accepted) */
    int keep_step_frame;         /* sd_h5md_continue with every > 0: also keep a frame of `step` off
                                    the cadence (a finished run's last one), for a continued run that
                                    does not step past it */
} sd_h5md_opts;

/* Input layouts of sd_h5md_append's pos/vel. */
enum {
    SD_H5MD_AOS = 0, /* a[3*i + k]: particle i, component k (x, y, z) */
    SD_H5MD_SOA = 1  /* a[k*N + i]: component-outermost, as stardag fields are stored */
};

/* Create (truncate) the file and write the structure (no frames yet), flushed and fsynced.
 * creator: program name (required); author: person responsible (NULL: "unknown"); N >= 1
 * particles; box: edge lengths of the periodic cuboid box (> 0; positions may be any image).
 * units_length/units_time: H5MD unit strings, or NULL/""/"lj" for reduced LJ units (both must
 * then be reduced). */
sd_h5md *sd_h5md_create(const char *path, const char *creator, const char *author, int64_t N,
                        const double box[3], const char *units_length, const char *units_time,
                        const sd_h5md_opts *opts, char *err, size_t errlen);

/* Continue a trajectory sd_h5md_create made (a restart from the checkpoint of `step`): open it
 * with the same crash-safe settings, check it holds N particles (with velocities unless
 * opts.no_velocity), remove every frame and observable row of a step > `step`, set the status
 * back to "running" (steps_done -1) and commit (flush, fsync; h5md_continue.c). Appends then go on
 * as on a fresh writer, so the file ends as if the run had never stopped. every > 0: the frames to
 * keep are exactly those of steps 0, every, 2 every, ... <= step (all must be there; a frame of
 * another step <= `step`, such as a finished run's last one, goes too, unless it is of `step` and
 * opts.keep_step_frame is set); every <= 0: all frames of
 * steps <= step. box: the frames' box from now on; units_time: as given to create (the time unit
 * of observables created from now on); opts as at create (species, units and deflate are the
 * file's). NULL with "PATH: cannot continue the trajectory at step K: why" in err (a missing
 * file, another particle count, missing frames, rows that are not a trajectory's); the file is
 * then as it was. */
sd_h5md *sd_h5md_continue(const char *path, int64_t N, const double box[3], int64_t step, int64_t every,
                          const char *units_time, const sd_h5md_opts *opts, char *err, size_t errlen);

/* Append one frame: step (strictly increasing), time (non-decreasing), positions and velocities
 * of all N particles in `layout` (SD_H5MD_AOS or SD_H5MD_SOA). ids: NULL when row i of pos/vel
 * is particle id i; otherwise ids[i] is the id (0..N-1, each exactly once) of the particle in row
 * i, and the frame is stored in id order. The frame's box is the last one set. Flushes (and
 * fsyncs, unless opts.no_fsync) before returning. */
int sd_h5md_append(sd_h5md *w, int64_t step, double time, const double *pos, const double *vel,
                   int layout, const int64_t *ids, char *err, size_t errlen);

/* Box edge lengths for the frames appended from now on (a fixed box never needs this). */
int sd_h5md_set_box(sd_h5md *w, const double box[3], char *err, size_t errlen);

/* Append one row to the scalar observable /observables/<name> (created on first use; name
 * non-empty, no '/'). Steps strictly increasing per observable. Durable with the next append,
 * flush or close. Note: MDAnalysis (2.4) reads observables by trajectory frame index, so for it
 * append each observable once per frame. */
int sd_h5md_observable(sd_h5md *w, const char *name, int64_t step, double time, double value,
                       char *err, size_t errlen);

/* Record the run's status (a string of io/run_status.h, at most 15 characters) and steps done in
 * the root's status/steps_done attributes; durable with the next append, flush or close. */
int sd_h5md_set_status(sd_h5md *w, const char *status, int64_t steps_done, char *err, size_t errlen);

/* Make everything appended so far durable (flush, fsync). */
int sd_h5md_flush(sd_h5md *w, char *err, size_t errlen);

/* Flush, fsync and close; w is freed whatever the result. */
int sd_h5md_close(sd_h5md *w, char *err, size_t errlen);

/* Frames appended (and flushed) so far; the file's path as given at create. */
int64_t sd_h5md_frames(const sd_h5md *w);
/* The step of the last frame (INT64_MIN when there is none). */
int64_t sd_h5md_last_step(const sd_h5md *w);
const char *sd_h5md_path(const sd_h5md *w);

#ifdef __cplusplus
}
#endif
#endif
