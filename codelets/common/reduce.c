/* reduce.c - CPU loops of the common reductions (sum, max_abs, count_nonfinite). Each folds its
 * tile into a->acc[0]; the runtime merges the partials exactly. Every cell and every component of
 * the interior is visited; ghost cells never are. */
#include "common_kernels.h"
#include "common_math.h"

#define ROW(T, a, b, j, k, c) ((const T *)(a)->p[b] + sd_at((a), (b), 0, (j), (k), (c)))

/* sum: acc += scale*x per cell (term computed in double, folded exactly in bulk). */
void sd_common_sum_cpu(const sd_tile_args *a)
{
    sd_acc_batch b = {.acc = &a->acc[0]};
    const double s = a->param[0];
    const int64_t nx = a->n[0];
    for (int c = 0; c < a->ncomp[0]; c++)
        for (int64_t k = 0; k < a->n[2]; k++)
            for (int64_t j = 0; j < a->n[1]; j++)
                for (int64_t i0 = 0, m; i0 < nx; i0 += m) {
                    m = nx - i0;
                    double *restrict t = sd_acc_batch_room(&b, &m);
                    if (a->dtype[0] == SD_F64) {
                        const double *restrict x = ROW(double, a, 0, j, k, c) + i0;
                        for (int64_t i = 0; i < m; i++) t[i] = sd_sum_term(s, x[i]);
                    } else {
                        const float *restrict x = ROW(float, a, 0, j, k, c) + i0;
                        for (int64_t i = 0; i < m; i++) t[i] = sd_sum_term(s, (double)x[i]);
                    }
                }
    sd_acc_batch_flush(&b);
}

/* Fold a row's finite extremes and counts into acc, as sd_acc_extreme would value by value:
 * non-finite values are counted (count, nonfinite) and kept out of maxv/minv. */
static void fold_extremes(sd_acc *acc, double mx, double mn, int64_t n, int64_t nf)
{
    acc->count += n;
    acc->nonfinite += nf;
    if (n > nf) {
        if (mx > acc->maxv) acc->maxv = mx;
        if (mn < acc->minv) acc->minv = mn;
    }
}

/* max_abs: maxv = max |x| over finite values (minv = min |x|); NaN/Inf counted in nonfinite.
 * One row per call, branch-free so the loop vectorises; defined once per element type. */
#define MAX_ABS_ROW(T, SUF, ABS, BIG)                                                               \
    static void max_abs_row_##SUF(sd_acc *acc, const T *restrict x, int64_t nx)                    \
    {                                                                                               \
        int64_t nf = 0;                                                                             \
        T mx = 0, mn = BIG;                                                                         \
        for (int64_t i = 0; i < nx; i++) {                                                          \
            const T v = ABS(x[i]);                                                                  \
            const int bad = sd_nonfinite_##SUF(v);                                                  \
            nf += bad;                                                                              \
            const T vmx = bad ? (T)0 : v, vmn = bad ? BIG : v;                                      \
            mx = vmx > mx ? vmx : mx;                                                               \
            mn = vmn < mn ? vmn : mn;                                                               \
        }                                                                                           \
        fold_extremes(acc, mx, mn, nx, nf);                                                         \
    }
MAX_ABS_ROW(float, f32, fabsf, FLT_MAX)

static void max_abs_row_f64(sd_acc *acc, const double *x, int64_t nx)
{
    double mx = 0, mn = DBL_MAX;
    int64_t nf = 0;
    sd_max_abs_n(x, nx, &mx, &mn, &nf); /* SIMD: compares do not vectorise without -ffast-math */
    fold_extremes(acc, mx, mn, nx, nf);
}

void sd_common_max_abs_cpu(const sd_tile_args *a)
{
    sd_acc *acc = &a->acc[0];
    const int64_t nx = a->n[0];
    for (int c = 0; c < a->ncomp[0]; c++)
        for (int64_t k = 0; k < a->n[2]; k++)
            for (int64_t j = 0; j < a->n[1]; j++) {
                if (a->dtype[0] == SD_F64) max_abs_row_f64(acc, ROW(double, a, 0, j, k, c), nx);
                else max_abs_row_f32(acc, ROW(float, a, 0, j, k, c), nx);
            }
}

/* count_nonfinite: acc->nonfinite += number of NaN/Inf values (acc->count += values seen). */
void sd_common_count_nonfinite_cpu(const sd_tile_args *a)
{
    sd_acc *acc = &a->acc[0];
    const int64_t nx = a->n[0];
    for (int c = 0; c < a->ncomp[0]; c++)
        for (int64_t k = 0; k < a->n[2]; k++)
            for (int64_t j = 0; j < a->n[1]; j++) {
                int64_t nf = 0;
                if (a->dtype[0] == SD_F64) {
                    const double *restrict x = ROW(double, a, 0, j, k, c);
                    for (int64_t i = 0; i < nx; i++) nf += sd_nonfinite_f64(x[i]);
                } else {
                    const float *restrict x = ROW(float, a, 0, j, k, c);
                    for (int64_t i = 0; i < nx; i++) nf += sd_nonfinite_f32(x[i]);
                }
                acc->count += nx;
                acc->nonfinite += nf;
            }
}
