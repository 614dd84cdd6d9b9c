/* bench/peers/ode/peer_common.h - what the SUNDIALS peers (vdp_arkode.c, vdp_cvode.c) share: the Van der
 * Pol ensemble's definition (member i of M: mu_i = mu_lo + (mu_hi - mu_lo) i / (M - 1), y0 = (2, 0)),
 * the command line, a monotonic clock and the median of the repetitions. */
#ifndef PEER_COMMON_H
#define PEER_COMMON_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct peer_opts {
    long members;       /* M */
    double mu_lo, mu_hi; /* the ensemble's mu range; M = 1 integrates mu_lo */
    double t_end;
    double rtol, atol;
    int threads;        /* OpenMP threads over members, one integrator per thread */
    int reps;           /* timed repetitions of the whole ensemble (the median is reported) */
    const char *states; /* write every member's final (x, v) to this file ("" = no) */
} peer_opts;

/* the sums of the counters over the members */
typedef struct peer_counts {
    long steps, rhs, jac, lu, failed_steps;
} peer_counts;

static double peer_now(void)
{
    struct timespec ts;
    if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0) {
        perror("clock_gettime");
        exit(1);
    }
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* CPU time of the process, all threads: on a loaded machine it stays near the quiet wall time
 * (x threads), where the wall time grows with the load */
static double peer_cpu(void)
{
    struct timespec ts;
    if (clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts) != 0) {
        perror("clock_gettime");
        exit(1);
    }
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static double peer_mu(const peer_opts *o, long i)
{
    return o->members > 1 ? o->mu_lo + (o->mu_hi - o->mu_lo) * (double)i / (double)(o->members - 1) : o->mu_lo;
}

static int peer_cmp(const void *a, const void *b)
{
    const double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}
/* sorts v and returns its median */
static double peer_median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, peer_cmp);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

static double peer_number(const char *prog, const char *opt, const char *s)
{
    char *end;
    double v = strtod(s, &end);
    if (end == s || *end || !isfinite(v)) {
        fprintf(stderr, "%s: %s expects a number, found '%s'\n", prog, opt, s);
        exit(2);
    }
    return v;
}

static void peer_parse(int argc, char **argv, peer_opts *o, const char *usage)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            printf("%s", usage);
            exit(0);
        }
        if (i + 1 >= argc || strncmp(a, "--", 2)) {
            fprintf(stderr, "%s: unexpected argument '%s'\n%s", argv[0], a, usage);
            exit(2);
        }
        const char *v = argv[++i];
        if (!strcmp(a, "--members")) o->members = (long)peer_number(argv[0], a, v);
        else if (!strcmp(a, "--mu-lo")) o->mu_lo = peer_number(argv[0], a, v);
        else if (!strcmp(a, "--mu-hi")) o->mu_hi = peer_number(argv[0], a, v);
        else if (!strcmp(a, "--t-end")) o->t_end = peer_number(argv[0], a, v);
        else if (!strcmp(a, "--rtol")) o->rtol = peer_number(argv[0], a, v);
        else if (!strcmp(a, "--atol")) o->atol = peer_number(argv[0], a, v);
        else if (!strcmp(a, "--threads")) o->threads = (int)peer_number(argv[0], a, v);
        else if (!strcmp(a, "--reps")) o->reps = (int)peer_number(argv[0], a, v);
        else if (!strcmp(a, "--states")) o->states = v;
        else {
            fprintf(stderr, "%s: unknown option '%s'\n%s", argv[0], a, usage);
            exit(2);
        }
    }
    if (o->members < 1 || o->threads < 1 || o->reps < 1 || o->t_end <= 0 || o->rtol <= 0 || o->atol <= 0) {
        fprintf(stderr, "%s: --members, --threads, --reps must be >= 1 and --t-end, --rtol, --atol > 0\n", argv[0]);
        exit(2);
    }
}

/* sum of the final states in member order (a checksum independent of the thread count), and the
 * optional per-member file: "i mu x v" with 17 digits */
static void peer_report(const char *name, const peer_opts *o, const double *y, const peer_counts *c,
                        double *times, double *cpu)
{
    double sx = 0.0, sv = 0.0;
    for (long i = 0; i < o->members; i++) {
        sx += y[2 * i];
        sv += y[2 * i + 1];
    }
    if (o->states && *o->states) {
        FILE *fp = fopen(o->states, "w");
        if (!fp) {
            perror(o->states);
            exit(1);
        }
        for (long i = 0; i < o->members; i++)
            fprintf(fp, "%ld %.17g %.17e %.17e\n", i, peer_mu(o, i), y[2 * i], y[2 * i + 1]);
        if (fclose(fp) != 0) {
            perror(o->states);
            exit(1);
        }
    }
    const double med = peer_median(times, o->reps); /* sorts: times[0] is the minimum */
    const double cpu_med = peer_median(cpu, o->reps);
    printf("%s members=%ld threads=%d reps=%d time_s=%.6g min_s=%.6g max_s=%.6g cpu_s=%.6g per_system_s=%.6g steps=%ld "
           "failed_steps=%ld rhs=%ld jac=%ld lu=%ld sum_x=%.17g sum_v=%.17g\n",
           name, o->members, o->threads, o->reps, med, times[0], times[o->reps - 1], cpu_med,
           med / (double)o->members, c->steps, c->failed_steps, c->rhs, c->jac, c->lu, sx, sv);
}

#endif
