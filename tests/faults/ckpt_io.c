/* ckpt_io.c - the checkpoint writer and reader (io/ckpt.h) on their own, for the I/O fault tests
 * (tests/faults/ckpt_faults.sh), whose injector fails one call of the writer:
 *   ckpt_io write PATH STEP KEEP   writes checkpoint STEP (items whose values depend on STEP: a
 *                                  field, particle ids, a host item), keeping KEEP; exit 0, or 1
 *                                  with the writer's message
 *   ckpt_io verify PATH STEP...    PATH opens as a complete checkpoint of one of the STEPs, and
 *                                  every item reads back (checksum verified) with that step's values;
 *                                  prints the step; exit 0, or 1 saying what is wrong */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ckpt.h"

enum { NU = 4096, NID = 100 };

static void fill(int64_t step, double *u, int64_t *ids, double *host)
{
    for (int i = 0; i < NU; i++) u[i] = (double)step * 1000.0 + i * 0.5;
    for (int i = 0; i < NID; i++) ids[i] = step * 7 + i;
    host[0] = (double)step;
    host[1] = step * 0.25;
    host[2] = -1.0;
}

static int write_ckpt(const char *path, int64_t step, int keep)
{
    static double u[NU], host[3];
    static int64_t ids[NID];
    char err[1024];
    fill(step, u, ids, host);
    sd_ckpt_out *w = sd_ckpt_create(path, err, sizeof err);
    if (!w) goto failed;
    int64_t du[1] = {NU}, di[1] = {NID}, dh[1] = {3};
    if (sd_ckpt_write(w, "fields/u/0", SD_CK_F64, 1, du, u, sizeof u, err, sizeof err) < 0 ||
        sd_ckpt_write(w, "particles/ids", SD_CK_I64, 1, di, ids, sizeof ids, err, sizeof err) < 0 ||
        sd_ckpt_write(w, "/host/latest", SD_CK_F64, 1, dh, host, sizeof host, err, sizeof err) < 0) {
        sd_ckpt_abort(w);
        goto failed;
    }
    sd_ckpt_meta m = {.format = SD_CKPT_FORMAT, .step = step, .time = step * 0.25, .graph_hash = 0x1234,
                      .layout_hash = 0x5678};
    snprintf(m.version, sizeof m.version, "test");
    if (sd_ckpt_commit(w, &m, "name: ckpt-io-test\n", keep, err, sizeof err) < 0) goto failed;
    return 0;
failed:
    fprintf(stderr, "stardag: %s\n", err);
    return 1;
}

static int verify(const char *path, int nsteps, char **steps)
{
    static double u[NU], host[3], u2[NU], host2[3];
    static int64_t ids[NID], ids2[NID];
    char err[1024];
    sd_ckpt_in *in = sd_ckpt_open(path, err, sizeof err);
    if (!in) return printf("ckpt_io: %s\n", err), 1;
    int64_t step = sd_ckpt_step(in);
    int known = 0;
    for (int i = 0; i < nsteps; i++) known |= step == strtoll(steps[i], NULL, 10);
    fill(step, u, ids, host);
    int rc = 1;
    if (!known) printf("ckpt_io: %s: holds step %" PRId64 ", none of the steps expected\n", path, step);
    else if (sd_ckpt_read_item(in, "fields/u/0", u2, sizeof u2, err, sizeof err) < 0 ||
             sd_ckpt_read_item(in, "particles/ids", ids2, sizeof ids2, err, sizeof err) < 0 ||
             sd_ckpt_read_item(in, "/host/latest", host2, sizeof host2, err, sizeof err) < 0)
        printf("ckpt_io: %s\n", err);
    else if (memcmp(u, u2, sizeof u) || memcmp(ids, ids2, sizeof ids) || memcmp(host, host2, sizeof host))
        printf("ckpt_io: %s: step %" PRId64 ": values differ from what was written\n", path, step);
    else {
        printf("%" PRId64 "\n", step);
        rc = 0;
    }
    sd_ckpt_close(in);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc == 5 && !strcmp(argv[1], "write")) return write_ckpt(argv[2], strtoll(argv[3], NULL, 10), atoi(argv[4]));
    if (argc >= 4 && !strcmp(argv[1], "verify")) return verify(argv[2], argc - 3, argv + 3);
    fprintf(stderr, "usage: ckpt_io write PATH STEP KEEP | ckpt_io verify PATH STEP...\n");
    return 2;
}
