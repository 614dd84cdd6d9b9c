/* lu_math.h - dense LU with partial pivoting of one system's n x n matrix, real and complex, as
 * SD_HD functions shared by the implicit solvers' CPU lane loops and their CUDA threads. A matrix
 * is row-major with every entry `ls` doubles from the previous one (entry (r, c) at
 * A[(r*n + c)*ls]): ls = SD_ODE_LANES for a lane of a lock-step group, the field's component
 * stride in a CUDA thread, 1 for a lone large system. Pivot rows are kept as doubles (they live
 * in the solver's work field). Only + - * / and comparisons: the same bits on CPU and GPU. */
#ifndef SD_ODE_LU_MATH_H
#define SD_ODE_LU_MATH_H
#include <stdint.h>
#include "stardag/kernel.h"

/* Factor A = P L U in place. Returns 0, or k + 1 when column k has no usable pivot (zero or not
 * finite): the caller then retries with another step size. */
SD_HD int sd_lu_factor(int n, double *A, double *piv, int64_t ls)
{
    for (int k = 0; k < n; k++) {
        int m = k;
        double amax = A[((int64_t)k * n + k) * ls];
        amax = amax < 0 ? -amax : amax;
        for (int i = k + 1; i < n; i++) {
            double v = A[((int64_t)i * n + k) * ls];
            v = v < 0 ? -v : v;
            if (v > amax) { amax = v; m = i; }
        }
        piv[(int64_t)k * ls] = (double)m;
        if (!(amax > 0) || amax - amax != 0) return k + 1; /* zero, NaN or Inf */
        if (m != k)
            for (int j = 0; j < n; j++) {
                double *a = &A[((int64_t)k * n + j) * ls], *b = &A[((int64_t)m * n + j) * ls];
                const double t = *a;
                *a = *b;
                *b = t;
            }
        const double *rk = &A[(int64_t)k * n * ls];
        const double inv = 1.0 / rk[(int64_t)k * ls];
        for (int i = k + 1; i < n; i++) {
            double *ri = &A[(int64_t)i * n * ls];
            const double l = ri[(int64_t)k * ls] * inv;
            ri[(int64_t)k * ls] = l;
            if (l == 0.0) continue;
            if (ls == 1) /* a lone large system: unit stride, which the compiler vectorises */
                for (int j = k + 1; j < n; j++) ri[j] -= l * rk[j];
            else
                for (int j = k + 1; j < n; j++) ri[(int64_t)j * ls] -= l * rk[(int64_t)j * ls];
        }
    }
    return 0;
}

/* Solve A x = b with sd_lu_factor's result; b (stride ls) is overwritten with x. */
SD_HD void sd_lu_solve(int n, const double *A, const double *piv, double *b, int64_t ls)
{
    for (int k = 0; k < n; k++) {
        const int m = (int)piv[(int64_t)k * ls];
        if (m != k) {
            const double t = b[(int64_t)k * ls];
            b[(int64_t)k * ls] = b[(int64_t)m * ls];
            b[(int64_t)m * ls] = t;
        }
    }
    for (int i = 1; i < n; i++) { /* L y = P b (unit diagonal) */
        const double *ri = &A[(int64_t)i * n * ls];
        double s = b[(int64_t)i * ls];
        for (int j = 0; j < i; j++) s -= ri[(int64_t)j * ls] * b[(int64_t)j * ls];
        b[(int64_t)i * ls] = s;
    }
    for (int i = n - 1; i >= 0; i--) { /* U x = y */
        const double *ri = &A[(int64_t)i * n * ls];
        double s = b[(int64_t)i * ls];
        for (int j = i + 1; j < n; j++) s -= ri[(int64_t)j * ls] * b[(int64_t)j * ls];
        b[(int64_t)i * ls] = s / ri[(int64_t)i * ls];
    }
}

/* (xr + i xi) = (ar + i ai) / (br + i bi), written out (no complex type: the same code under nvcc). */
SD_HD void sd_cdiv(double ar, double ai, double br, double bi, double *xr, double *xi)
{
    const double den = br * br + bi * bi;
    *xr = (ar * br + ai * bi) / den;
    *xi = (ai * br - ar * bi) / den;
}

/* Complex A = Ar + i Ai factored in place as sd_lu_factor (pivot by |re| + |im|). */
SD_HD int sd_luc_factor(int n, double *Ar, double *Ai, double *piv, int64_t ls)
{
    for (int k = 0; k < n; k++) {
        int m = k;
        double amax = -1.0;
        for (int i = k; i < n; i++) {
            const double r = Ar[((int64_t)i * n + k) * ls], q = Ai[((int64_t)i * n + k) * ls];
            const double v = (r < 0 ? -r : r) + (q < 0 ? -q : q);
            if (v > amax) { amax = v; m = i; }
        }
        piv[(int64_t)k * ls] = (double)m;
        if (!(amax > 0) || amax - amax != 0) return k + 1;
        if (m != k)
            for (int j = 0; j < n; j++) {
                const int64_t a = ((int64_t)k * n + j) * ls, b = ((int64_t)m * n + j) * ls;
                double t = Ar[a];
                Ar[a] = Ar[b];
                Ar[b] = t;
                t = Ai[a];
                Ai[a] = Ai[b];
                Ai[b] = t;
            }
        const double *rkr = &Ar[(int64_t)k * n * ls], *rki = &Ai[(int64_t)k * n * ls];
        double ir, ii; /* 1 / pivot */
        sd_cdiv(1.0, 0.0, rkr[(int64_t)k * ls], rki[(int64_t)k * ls], &ir, &ii);
        for (int i = k + 1; i < n; i++) {
            double *rir = &Ar[(int64_t)i * n * ls], *rii = &Ai[(int64_t)i * n * ls];
            const double xr = rir[(int64_t)k * ls], xi = rii[(int64_t)k * ls];
            const double lr = xr * ir - xi * ii, li = xr * ii + xi * ir;
            rir[(int64_t)k * ls] = lr;
            rii[(int64_t)k * ls] = li;
            if (lr == 0.0 && li == 0.0) continue;
            if (ls == 1)
                for (int j = k + 1; j < n; j++) {
                    const double ur = rkr[j], ui = rki[j];
                    rir[j] -= lr * ur - li * ui;
                    rii[j] -= lr * ui + li * ur;
                }
            else
                for (int j = k + 1; j < n; j++) {
                    const double ur = rkr[(int64_t)j * ls], ui = rki[(int64_t)j * ls];
                    rir[(int64_t)j * ls] -= lr * ur - li * ui;
                    rii[(int64_t)j * ls] -= lr * ui + li * ur;
                }
        }
    }
    return 0;
}

/* Solve (Ar + i Ai) x = br + i bi with sd_luc_factor's result, in place. */
SD_HD void sd_luc_solve(int n, const double *Ar, const double *Ai, const double *piv, double *br, double *bi,
                        int64_t ls)
{
    for (int k = 0; k < n; k++) {
        const int m = (int)piv[(int64_t)k * ls];
        if (m != k) {
            double t = br[(int64_t)k * ls];
            br[(int64_t)k * ls] = br[(int64_t)m * ls];
            br[(int64_t)m * ls] = t;
            t = bi[(int64_t)k * ls];
            bi[(int64_t)k * ls] = bi[(int64_t)m * ls];
            bi[(int64_t)m * ls] = t;
        }
    }
    for (int i = 1; i < n; i++) {
        const double *rr = &Ar[(int64_t)i * n * ls], *ri = &Ai[(int64_t)i * n * ls];
        double sr = br[(int64_t)i * ls], si = bi[(int64_t)i * ls];
        for (int j = 0; j < i; j++) {
            const double xr = br[(int64_t)j * ls], xi = bi[(int64_t)j * ls];
            const double lr = rr[(int64_t)j * ls], li = ri[(int64_t)j * ls];
            sr -= lr * xr - li * xi;
            si -= lr * xi + li * xr;
        }
        br[(int64_t)i * ls] = sr;
        bi[(int64_t)i * ls] = si;
    }
    for (int i = n - 1; i >= 0; i--) {
        const double *rr = &Ar[(int64_t)i * n * ls], *ri = &Ai[(int64_t)i * n * ls];
        double sr = br[(int64_t)i * ls], si = bi[(int64_t)i * ls];
        for (int j = i + 1; j < n; j++) {
            const double xr = br[(int64_t)j * ls], xi = bi[(int64_t)j * ls];
            const double ur = rr[(int64_t)j * ls], ui = ri[(int64_t)j * ls];
            sr -= ur * xr - ui * xi;
            si -= ur * xi + ui * xr;
        }
        sd_cdiv(sr, si, rr[(int64_t)i * ls], ri[(int64_t)i * ls], &br[(int64_t)i * ls], &bi[(int64_t)i * ls]);
    }
}

#endif
