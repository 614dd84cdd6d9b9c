/* h5md_frames.c - the H5MD writer's frames (io/h5md.h): one frame of positions and velocities in
 * particle-id order, appended and flushed in h5md.c's order (the crash-safety notes at its top),
 * and the box of the frames to come. */
#include "h5md.h"
#include "h5md_impl.h"
#include "h5err.h"
#include "h5util.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hdf5.h>

/* ---- frames ------------------------------------------------------------------------------ */

/* Frame data in file order ([id][xyz]) for one of pos/vel: the caller's array itself when it is
 * already AoS in id order, else the scratch buffer. */
static const double *to_file_order(sd_h5md *w, const double *a, int layout, const int64_t *ids)
{
    int64_t N = w->N;
    if (layout == SD_H5MD_AOS && !ids) return a;
    double *s = w->scratch;
    if (layout == SD_H5MD_AOS) {
        for (int64_t i = 0; i < N; i++) {
            double *d = s + 3 * ids[i];
            d[0] = a[3 * i];
            d[1] = a[3 * i + 1];
            d[2] = a[3 * i + 2];
        }
    } else {
        const double *x = a, *y = a + N, *z = a + 2 * N;
        for (int64_t i = 0; i < N; i++) {
            int64_t id = ids ? ids[i] : i;
            double *d = s + 3 * id;
            d[0] = x[i];
            d[1] = y[i];
            d[2] = z[i];
        }
    }
    return s;
}

int sd_h5md_append(sd_h5md *w, int64_t step, double time, const double *pos, const double *vel,
                   int layout, const int64_t *ids, char *err, size_t errlen)
{
    if (!w) { sd_io_seterr(err, errlen, "(null): no H5MD file"); return -1; }
#define AFAIL(...)                                                                                  \
    do {                                                                                            \
        char m_[256];                                                                               \
        snprintf(m_, sizeof m_, __VA_ARGS__);                                                       \
        sd_io_seterr(err, errlen, "%s: cannot append frame at step %" PRId64 ": %s", w->path, step, m_); \
        return -1;                                                                                  \
    } while (0)
    if (w->poisoned) AFAIL("an earlier write failed; the file is kept at its last flush");
    if (!pos) AFAIL("no positions");
    if (w->has_vel && !vel) AFAIL("no velocities (the file has a velocity element)");
    if (!w->has_vel && vel) AFAIL("velocities given but the file was created without them");
    if (layout != SD_H5MD_AOS && layout != SD_H5MD_SOA) AFAIL("unknown layout %d", layout);
    if (w->nframes && step <= w->last_step)
        AFAIL("steps must increase (previous frame: step %" PRId64 ")", w->last_step);
    if (isnan(time) || time < w->last_time) AFAIL("time %.17g goes backwards (previous %.17g)", time, w->last_time);
    if (ids) {
        memset(w->seen, 0, (size_t)w->N);
        for (int64_t i = 0; i < w->N; i++) {
            int64_t id = ids[i];
            if (id < 0 || id >= w->N || w->seen[id]++)
                AFAIL("ids is not a permutation of 0..%" PRId64 " (ids[%" PRId64 "] = %" PRId64 ")",
                      w->N - 1, i, id);
        }
    }
    uint64_t bytes = (uint64_t)w->N * 24 * (w->has_vel ? 2 : 1);
    sd_h5_quiet q = sd_h5_quiet_on();
    int e = sd_h5_reserve(w->file, bytes + bytes / 32 + ROW_CHUNK * (8 + 8 + 72));
    if (e) {
        sd_h5_quiet_off(q);
        AFAIL("%s", strerror(e));
    }
#undef AFAIL
    char why[256];
    const char *what = "step";
    int64_t r = w->nframes;
    if (sd_h5_write_row(w->ds_step, r, H5T_NATIVE_INT64, &step) < 0) goto fail;
    what = "time";
    if (sd_h5_write_row(w->ds_time, r, H5T_NATIVE_DOUBLE, &time) < 0) goto fail;
    what = "box edges";
    const double edges[9] = {w->box[0], 0, 0, 0, w->box[1], 0, 0, 0, w->box[2]};
    if (sd_h5_write_row(w->ds_edges, r, H5T_NATIVE_DOUBLE, edges) < 0) goto fail;
    if (w->has_vel) {
        what = "velocities";
        if (sd_h5_write_row(w->ds_vel, r, H5T_NATIVE_DOUBLE, to_file_order(w, vel, layout, ids)) < 0) goto fail;
    }
    what = "positions";
    if (sd_h5_write_row(w->ds_pos, r, H5T_NATIVE_DOUBLE, to_file_order(w, pos, layout, ids)) < 0) goto fail;
    what = "flush";
    int hdf5 = 0;
    if (sd_h5md_flush_all(w, w->do_fsync, why, sizeof why, &hdf5) < 0) {
        if (hdf5) {
            w->poisoned = 1;
        } else { /* an fdatasync failed: the frame stays appended; it is durable, or its held
                  * metadata written, with the next flush that succeeds (h5util.h) */
            w->nframes++;
            w->last_step = step;
            w->last_time = time;
        }
        goto fail_why;
    }
    w->nframes++;
    w->last_step = step;
    w->last_time = time;
    sd_h5_quiet_off(q);
    return 0;
fail:
    sd_h5why(why, sizeof why);
    w->poisoned = 1; /* HDF5 failed after touching its state: never flush that state */
fail_why:
    sd_io_seterr(err, errlen, "%s: cannot append frame at step %" PRId64 ": %s: %s", w->path, step, what, why);
    H5Eclear2(H5E_DEFAULT);
    sd_h5_quiet_off(q);
    return -1;
}

int sd_h5md_set_box(sd_h5md *w, const double box[3], char *err, size_t errlen)
{
    if (!w) { sd_io_seterr(err, errlen, "(null): no H5MD file"); return -1; }
    if (!box || !(box[0] > 0 && box[1] > 0 && box[2] > 0) || !isfinite(box[0]) || !isfinite(box[1]) ||
        !isfinite(box[2])) {
        sd_io_seterr(err, errlen, "%s: cannot set box: edges must be finite and > 0", w->path);
        return -1;
    }
    memcpy(w->box, box, sizeof w->box);
    return 0;
}
