/* test_damp.c - the kernel of mypack.damp alone, on tiles with ghost zones: every interior value
 * of both buffers becomes u * exp(-gamma dt) (the formula written plainly here, bitwise), ghosts
 * stay untouched, for f64 and f32, 1D to 3D, several components and ghost widths.
 * Exit status 0 when every case passes. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "mypack_kernels.h"

static int failures;

static void check(int cond, const char *what, int ndim, int dtype)
{
    if (!cond) {
        printf("FAIL %s (%dD, %s)\n", what, ndim, dtype == SD_F64 ? "f64" : "f32");
        failures++;
    }
}

static void run_case(int ndim, const int64_t n[3], int dtype, const int halo[2], int ncomp)
{
    const double gamma = 0.37, dt = 0.05, factor = exp(-gamma * dt);
    const size_t esz = dtype == SD_F64 ? sizeof(double) : sizeof(float);
    sd_tile_args a;
    memset(&a, 0, sizeof a);
    a.nbuf = 2;
    a.ndim = ndim;
    a.dt = dt;
    a.param[0] = gamma;
    void *mem[2], *orig[2];
    int64_t total[2], offset[2];
    for (int b = 0; b < 2; b++) {
        int64_t stride[3];
        sd_tile_layout(ndim, n, halo[b], ncomp, stride, &a.sc[b], &offset[b], &total[b]);
        for (int d = 0; d < 3; d++) a.stride[b][d] = stride[d];
        a.ncomp[b] = ncomp;
        a.dtype[b] = dtype;
        a.halo[b] = halo[b];
        mem[b] = malloc(total[b] * esz);
        orig[b] = malloc(total[b] * esz);
        if (!mem[b] || !orig[b]) { printf("FAIL out of memory\n"); exit(1); }
        for (int64_t e = 0; e < total[b]; e++) { /* random interior and ghosts */
            const double v = (double)rand() / RAND_MAX * 2 - 1;
            if (dtype == SD_F64) ((double *)mem[b])[e] = v;
            else ((float *)mem[b])[e] = (float)v;
        }
        memcpy(orig[b], mem[b], total[b] * esz);
        a.p[b] = (char *)mem[b] + offset[b] * esz;
    }
    for (int d = 0; d < 3; d++) a.n[d] = n[d];
    mypack_damp_cpu(&a);

    for (int b = 0; b < 2; b++) {
        /* mark the interior, then compare element by element */
        char *interior = calloc(total[b], 1);
        int exact = 1, ghosts = 1;
        for (int c = 0; c < ncomp; c++)
            for (int64_t k = 0; k < n[2]; k++)
                for (int64_t j = 0; j < n[1]; j++)
                    for (int64_t i = 0; i < n[0]; i++) {
                        const int64_t e = offset[b] + sd_at(&a, b, i, j, k, c);
                        interior[e] = 1;
                        if (dtype == SD_F64) {
                            const double want = ((double *)orig[b])[e] * factor;
                            exact &= ((double *)mem[b])[e] == want;
                        } else {
                            const float want = ((float *)orig[b])[e] * (float)factor;
                            exact &= ((float *)mem[b])[e] == want;
                        }
                    }
        for (int64_t e = 0; e < total[b]; e++)
            if (!interior[e]) ghosts &= !memcmp((char *)mem[b] + e * esz, (char *)orig[b] + e * esz, esz);
        check(exact, b ? "u_prev interior = u_prev * exp(-gamma dt)" : "u interior = u * exp(-gamma dt)", ndim, dtype);
        check(ghosts, b ? "u_prev ghosts untouched" : "u ghosts untouched", ndim, dtype);
        free(interior);
        free(mem[b]);
        free(orig[b]);
    }
}

int main(void)
{
    static const int64_t shapes[][3] = {{17, 1, 1}, {9, 5, 1}, {7, 4, 3}, {1, 1, 1}};
    static const int ndims[] = {1, 2, 3, 3};
    static const int halos[][2] = {{0, 0}, {1, 0}, {2, 1}};
    int cases = 0;
    for (int s = 0; s < 4; s++)
        for (int t = 0; t < 2; t++)
            for (int h = 0; h < 3; h++) {
                run_case(ndims[s], shapes[s], t ? SD_F32 : SD_F64, halos[h], 1 + h % 2);
                cases++;
            }
    printf("%s: %d cases, %d failures\n", failures ? "FAIL" : "ok", cases, failures);
    return failures != 0;
}
