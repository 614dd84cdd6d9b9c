/* loader_profiles.c - output.profiles: a cells field of a grid summed over every spatial axis but
 * one, taken at each step the field is written (runtime/driver/profile.h; docs/graph-format.md).
 *
 *   profiles:
 *     - {field: dose, axis: y, falloff: [90, 80], component: 0, name: depth_dose, label: depth}
 */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "loader_impl.h"

static const char axis_names[3] = {'x', 'y', 'z'};

/* x, y, z or 0, 1, 2; an axis of the grid. */
static int profile_axis(loader *L, const yaml_node_t *n)
{
    int nd = L->g->domain.ndim;
    char expect[48];
    int k = 0;
    for (int d = 0; d < nd; d++) k += snprintf(expect + k, sizeof expect - k, "%s%c", d == 0 ? "" : d == nd - 1 ? " or " : ", ", axis_names[d]);
    if (!is_scalar(n) || is_null(n)) sd_ld_fail(L, n, "expected axis: %s (or its index), got %s", expect, got(n) ? got(n) : "something else");
    const char *s = sval(n);
    int a = -1;
    if (s[0] && !s[1] && s[0] >= 'x' && s[0] <= 'z') a = s[0] - 'x';
    else if (s[0] && !s[1] && s[0] >= '0' && s[0] <= '2') a = s[0] - '0';
    else sd_ld_fail(L, n, "unknown axis '%s' (expected %s, or its index 0..%d)", s, expect, nd - 1);
    if (a >= nd)
        sd_ld_fail(L, n, "axis %c is not an axis of this %d-D grid (expected %s)", axis_names[a], nd, expect);
    return a;
}

static void profile_falloff(loader *L, sd_gprofile *p, const yaml_node_t *n)
{
    char b[32];
    if (!is_seq(n)) sd_ld_fail(L, n, "expected falloff: a list of percentages of the maximum, like [90, 80], got %s",
                               got(n) ? got(n) : "a single value");
    if (seq_len(n) > SD_MAX_FALLOFF) sd_ld_fail(L, n, "falloff lists %d percentages (at most %d)", seq_len(n), SD_MAX_FALLOFF);
    for (int i = 0; i < seq_len(n); i++) {
        const yaml_node_t *x = seq_at(L, n, i);
        double v = sd_ld_eval(L, x);
        if (!(v > 0 && v < 100)) sd_ld_fail(L, x, "falloff percentage %s is out of range (expected 0 < p < 100)", sd_ld_num(b, v));
        for (int j = 0; j < p->nfalloff; j++)
            if (p->falloff[j] == v) sd_ld_fail(L, x, "falloff percentage %s is listed twice", sd_ld_num(b, v));
        p->falloff[p->nfalloff++] = v;
    }
}

static void load_profile(loader *L, const yaml_node_t *it)
{
    static const char *const keys[] = {"field", "axis", "falloff", "component", "name", "label", NULL};
    sd_graph *g = L->g;
    sd_goutput *o = &g->output;
    sd_ld_need_map(L, it, "a profile ({field: NAME, axis: x|y|z, falloff: [90, 80]})");
    sd_ld_check_keys(L, it, keys, "in output.profiles");
    yaml_node_t *f = sd_ld_map_get(L, it, "field", NULL), *ax = sd_ld_map_get(L, it, "axis", NULL),
                *fo = sd_ld_map_get(L, it, "falloff", NULL), *c = sd_ld_map_get(L, it, "component", NULL),
                *nm = sd_ld_map_get(L, it, "name", NULL), *lb = sd_ld_map_get(L, it, "label", NULL);
    if (!f) sd_ld_fail(L, it, "a profile needs field (a cells field of the grid)");
    if (!ax) sd_ld_fail(L, it, "a profile needs axis (the axis it runs along: x, y or z)");
    sd_gprofile *p = &o->profile[o->nprofiles];
    memset(p, 0, sizeof *p);
    p->at = where(it);
    p->field = sd_ld_need_field(L, f);
    const sd_gfield *fl = &g->fields[p->field];
    if (fl->location != SD_LOC_CELLS)
        sd_ld_fail(L, f, "field '%s' lives on bins: a profile sums one value per cell (expected a field with location: cells)",
                   fl->name);
    p->axis = profile_axis(L, ax);
    if (lb) snprintf(p->label, sizeof p->label, "%s", sd_ld_get_name(L, lb, "an axis label"));
    else snprintf(p->label, sizeof p->label, "%c", axis_names[p->axis]);
    if (c) p->component = (int)sd_ld_eval_int(L, c, 0, fl->ncomp - 1, "component");
    if (fo) profile_falloff(L, p, fo);
    if (nm) snprintf(p->name, sizeof p->name, "%s", sd_ld_get_name(L, nm, "a profile name"));
    else if (fl->ncomp > 1) snprintf(p->name, sizeof p->name, "%s_%d_%c", fl->name, p->component, axis_names[p->axis]);
    else snprintf(p->name, sizeof p->name, "%s_%c", fl->name, axis_names[p->axis]);
    for (int j = 0; j < o->nprofiles; j++)
        if (!strcmp(o->profile[j].name, p->name))
            sd_ld_fail(L, nm ? nm : it, "two profiles are named '%s' (line %d too; expected distinct names: give name:)", p->name,
                       o->profile[j].at.line);
    o->nprofiles++;
}

void sd_ld_load_profiles(loader *L, const yaml_node_t *k, const yaml_node_t *v)
{
    static const char *const kinds[] = {"grid", "particles", "mesh", "batch"};
    const sd_domain *D = &L->g->domain;
    if (is_null(v)) return;
    if (D->kind != SD_DOMAIN_GRID)
        sd_ld_fail(L, k, "output.profiles needs a grid domain (a profile sums a grid's cells over all axes but one); "
                         "this graph's domain is %s", kinds[D->kind]);
    if (!is_seq(v)) sd_ld_fail(L, v, "expected output.profiles: a list like [{field: dose, axis: y, falloff: [90, 80]}], got %s",
                               got(v) ? got(v) : "a single value");
    if (seq_len(v) > SD_MAX_PROFILES) sd_ld_fail(L, v, "output.profiles lists %d profiles (at most %d)", seq_len(v), SD_MAX_PROFILES);
    for (int i = 0; i < seq_len(v); i++) load_profile(L, seq_at(L, v, i));
}

/* After the whole output section: a profile is taken when its field is written. */
void sd_ld_check_profiles(loader *L)
{
    const sd_goutput *o = &L->g->output;
    for (int i = 0; i < o->nprofiles; i++) {
        const sd_gprofile *p = &o->profile[i];
        const char *fn = L->g->fields[p->field].name;
        int listed = 0;
        for (int j = 0; j < o->nfields; j++) listed |= o->field[j] == p->field;
        if (!listed)
            sd_ld_fail_at(L, p->at.line, p->at.col,
                          "profile %s: field '%s' is not in output.fields (a profile is taken at each step its field is "
                          "written: expected output.fields.names to list it)", p->name, fn);
        if (o->fields_every <= 0)
            sd_ld_fail_at(L, p->at.line, p->at.col,
                          "profile %s: output.fields.every is 0, so field '%s' is never written and the profile never taken "
                          "(expected every >= 1)", p->name, fn);
    }
}
