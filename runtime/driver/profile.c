/* profile.c - output.profiles (profile.h): sums of a cells field over all axes but one, their
 * peak and distal fall-off positions, written beside the field's steps and summarised at the end. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "engine.h"
#include "h5out.h"
#include "profile.h"
#include "runlog.h"

static double value_at(const void *data, int dtype, size_t i)
{
    return dtype == SD_F32 ? (double)((const float *)data)[i] : ((const double *)data)[i];
}

/* Neumaier's compensated sum: s + c is the sum to about twice the working precision. */
static void add_compensated(double *s, double *c, double v)
{
    double t = *s + v;
    *c += fabs(*s) >= fabs(v) ? (*s - t) + v : (v - t) + *s;
    *s = t;
}

/* First position beyond the peak where y falls to `level`, linear between cell centres. */
static double distal(const double *y, int64_t n, int64_t ipk, double h, double level)
{
    for (int64_t j = ipk + 1; j < n; j++)
        if (y[j] <= level) return (j - 0.5 + (y[j - 1] - level) / (y[j - 1] - y[j])) * h;
    return NAN;
}

void sd_profile_compute(const sd_graph *g, const sd_gprofile *p, const void *data, sd_profile_result *r)
{
    const sd_domain *D = &g->domain;
    const sd_gfield *f = &g->fields[p->field];
    int64_t nx = D->shape[0], ny = D->shape[1], nz = D->shape[2], n = D->shape[p->axis];
    size_t cells = (size_t)nx * ny * nz, base = (size_t)p->component * cells;
    double *comp = calloc((size_t)n, sizeof *comp);
    double *y = r->values;
    for (int64_t i = 0; i < n; i++) y[i] = 0;
    size_t idx = base;
    for (int64_t k = 0; k < nz; k++)
        for (int64_t j = 0; j < ny; j++)
            for (int64_t i = 0; i < nx; i++, idx++) {
                int64_t a = p->axis == 0 ? i : p->axis == 1 ? j : k;
                double v = value_at(data, f->dtype, idx);
                if (comp) add_compensated(&y[a], &comp[a], v);
                else y[a] += v; /* out of memory for the compensation: plain sums, same order */
            }
    int finite = 1;
    for (int64_t i = 0; i < n; i++) {
        if (comp) y[i] += comp[i];
        finite &= isfinite(y[i]) != 0;
    }
    free(comp);
    double h = D->spacing[p->axis];
    int64_t ipk = 0;
    for (int64_t i = 1; i < n; i++)
        if (y[i] > y[ipk]) ipk = i;
    r->n = n;
    r->max = y[ipk];
    for (int k = 0; k < SD_MAX_FALLOFF; k++) r->falloff[k] = NAN;
    if (!finite || !(r->max > 0)) {
        if (!finite) r->max = NAN;
        r->peak_index = -1;
        r->peak = r->peak_fit = NAN;
        return;
    }
    r->peak_index = ipk;
    r->peak = (ipk + 0.5) * h;
    r->peak_fit = r->peak;
    if (ipk > 0 && ipk < n - 1) {
        double ym = y[ipk - 1], y0 = y[ipk], yp = y[ipk + 1], curv = ym - 2 * y0 + yp;
        if (curv < 0) r->peak_fit = (ipk + 0.5 + 0.5 * (ym - yp) / curv) * h; /* within half a cell of the peak */
    }
    for (int k = 0; k < p->nfalloff; k++) r->falloff[k] = distal(y, n, ipk, h, p->falloff[k] / 100 * r->max);
}

/* ---- the run's profiles ------------------------------------------------------------------- */

struct sd_profiles {
    const sd_graph *g;
    struct sd_h5out *out;
    int n;
    int index[SD_MAX_PROFILES]; /* in the run file */
    sd_profile_result last[SD_MAX_PROFILES];
    int taken[SD_MAX_PROFILES];
    int64_t rows;               /* rows appended, all profiles together */
};

void sd_profiles_free(sd_profiles *pp)
{
    if (!pp) return;
    for (int i = 0; i < pp->n; i++) free(pp->last[i].values);
    free(pp);
}

static const char axis_name[3] = {'x', 'y', 'z'};

sd_profiles *sd_profiles_new(const sd_graph *g, struct sd_h5out *out, char *err, size_t errlen)
{
    const sd_goutput *o = &g->output;
    if (!o->nprofiles || !out) return NULL;
    sd_profiles *pp = calloc(1, sizeof *pp);
    if (!pp) { snprintf(err, errlen, "out of memory for the profiles"); return NULL; }
    pp->g = g;
    pp->out = out;
    for (int i = 0; i < o->nprofiles; i++, pp->n++) {
        const sd_gprofile *p = &o->profile[i];
        int64_t n = g->domain.shape[p->axis];
        double h = g->domain.spacing[p->axis];
        if (!(pp->last[i].values = calloc((size_t)n, sizeof(double)))) {
            snprintf(err, errlen, "out of memory for profile %s", p->name);
            sd_profiles_free(pp);
            return NULL;
        }
        double *pos = pp->last[i].values; /* the cell centres, written once */
        for (int64_t c = 0; c < n; c++) pos[c] = (c + 0.5) * h;
        sd_h5profile d = {p->name, g->fields[p->field].name, axis_name[p->axis], p->label, p->component, n, pos, p->nfalloff,
                          p->falloff};
        if ((pp->index[i] = sd_h5out_add_profile(out, &d, err, errlen)) < 0) {
            pp->n++;
            sd_profiles_free(pp);
            return NULL;
        }
    }
    return pp;
}

int sd_profiles_take(sd_profiles *pp, const sd_record *r, char *err, size_t errlen)
{
    if (!pp || !r->is_field) return 0;
    const sd_goutput *o = &pp->g->output;
    for (int i = 0; i < pp->n; i++) {
        const sd_gprofile *p = &o->profile[i];
        if (p->field != r->field) continue;
        sd_profile_result *res = &pp->last[i];
        sd_profile_compute(pp->g, p, r->data, res);
        res->step = r->step;
        pp->taken[i] = 1;
        sd_h5profile_row row = {r->step, r->step * pp->g->run.dt, res->values, res->peak, res->peak_fit, res->max, res->falloff};
        if (sd_h5out_append_profile(pp->out, pp->index[i], &row, err, errlen) < 0) return -1;
        pp->rows++;
    }
    return 0;
}

int64_t sd_profiles_rows(const sd_profiles *pp) { return pp ? pp->rows : 0; }

/* "38.25 mm", or "not reached" for NaN. */
static void fmt_pos(char *b, size_t l, double v, const char *unit)
{
    if (isnan(v)) snprintf(b, l, "not reached");
    else snprintf(b, l, "%.6g%s%s", v, unit[0] ? " " : "", unit);
}

void sd_profiles_summary(const sd_profiles *pp, FILE *f, sd_runlog *log)
{
    if (!pp) return;
    const sd_graph *g = pp->g;
    const char *u = g->domain.units_length;
    for (int i = 0; i < pp->n; i++) {
        if (!pp->taken[i]) continue;
        const sd_gprofile *p = &g->output.profile[i];
        const sd_profile_result *r = &pp->last[i];
        char line[1024], b[64], b2[64];
        char along[SD_NAME_MAX + 8];
        if (p->label[0] == axis_name[p->axis] && !p->label[1]) snprintf(along, sizeof along, "%s", p->label);
        else snprintf(along, sizeof along, "%s (%c)", p->label, axis_name[p->axis]);
        int k = snprintf(line, sizeof line, "  profile %s (%s along %s, step %lld): ", p->name, g->fields[p->field].name, along,
                         (long long)r->step);
        if (r->peak_index < 0)
            k += snprintf(line + k, sizeof line - k, "no peak (max %.6g)", r->max);
        else {
            fmt_pos(b, sizeof b, r->peak, u);
            fmt_pos(b2, sizeof b2, r->peak_fit, u);
            k += snprintf(line + k, sizeof line - k, "peak %s (parabola %s), max %.6g", b, b2, r->max);
            for (int j = 0; j < p->nfalloff && k < (int)sizeof line; j++) {
                fmt_pos(b, sizeof b, r->falloff[j], u);
                k += snprintf(line + k, sizeof line - k, ", R%g %s", p->falloff[j], b);
            }
        }
        if (f) fprintf(f, "%s\n", line);
        else sd_runlog_line(log, "%s", line);
    }
}
