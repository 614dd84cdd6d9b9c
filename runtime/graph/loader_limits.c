/* loader_limits.c - hostile or mistaken input stopped before it costs the machine:
 * - the YAML's nesting depth, anchors and aliases, checked on libyaml's events before the document
 *   is built: libyaml's composer takes time growing with the square of the depth and of the number
 *   of anchors, and every walk of the loader would see an alias expanded ("billion laughs");
 * - the memory a graph's data needs, against what the machine can give, before anything of that
 *   size is allocated (a shape within the cell limit may still need petabytes). */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "loader_impl.h"
#include "memlimit.h"
#include "strmap.h"

/* ---- the YAML's shape ----------------------------------------------------------------------- */

typedef struct anchor_info {
    int64_t nodes; /* nodes it holds, aliases inside counted as the nodes they repeat */
    int height;    /* levels of maps and lists it holds (0 for a scalar) */
    int open;      /* its node has begun but not ended: an alias to it would make a cycle */
} anchor_info;

typedef struct scan {
    sd_strmap names; /* anchor name -> index into anc */
    anchor_info *anc;
    int nanc, nalias;
    struct { int anchor; int64_t start; int height; } stack[SD_LD_MAX_DEPTH];
    int depth;
    int64_t nodes, alias_nodes;
    int line, col; /* the first violation: where, and msg */
    char msg[256];
} scan;

/* A child of height h ended inside the innermost open node. */
static void child(scan *s, int h)
{
    if (s->depth && s->stack[s->depth - 1].height < h) s->stack[s->depth - 1].height = h;
}

/* Index of a new anchor; -1 out of memory, -2 too many (msg set). */
static int anchor_new(scan *s, const char *name)
{
    if (s->nanc == SD_LD_MAX_ANCHORS) {
        snprintf(s->msg, sizeof s->msg, "more than %d YAML anchors (&%.40s; a graph repeats few parts)", SD_LD_MAX_ANCHORS,
                 name);
        return -2;
    }
    if (!(s->nanc & (s->nanc - 1))) { /* 0, 1, 2, 4, ...: double */
        anchor_info *t = realloc(s->anc, (size_t)(s->nanc ? 2 * s->nanc : 1) * sizeof *t);
        if (!t) return -1;
        s->anc = t;
    }
    int i = s->nanc;
    int had = sd_strmap_add(&s->names, name, strlen(name), i);
    if (had == -2) return -1;
    if (had >= 0) i = had; /* a duplicate anchor: libyaml refuses it when composing */
    else s->nanc++;
    s->anc[i] = (anchor_info){0, 0, 1};
    return i;
}

/* One event: 0, 1 on a violation (msg set), -1 out of memory. */
static int on_event(scan *s, const yaml_event_t *ev)
{
    const char *anchor = NULL;
    switch (ev->type) {
    case YAML_SCALAR_EVENT: {
        s->nodes++;
        anchor = (const char *)ev->data.scalar.anchor;
        if (anchor) {
            int a = anchor_new(s, anchor);
            if (a < 0) return a == -1 ? -1 : 1;
            s->anc[a] = (anchor_info){1, 0, 0};
        }
        return 0;
    }
    case YAML_SEQUENCE_START_EVENT:
    case YAML_MAPPING_START_EVENT: {
        if (s->depth == SD_LD_MAX_DEPTH) {
            snprintf(s->msg, sizeof s->msg, "YAML nested more than %d levels deep (a graph needs a few levels of maps "
                     "and lists)", SD_LD_MAX_DEPTH);
            return 1;
        }
        anchor = (const char *)(ev->type == YAML_MAPPING_START_EVENT ? ev->data.mapping_start.anchor
                                                                      : ev->data.sequence_start.anchor);
        int a = -1;
        if (anchor && (a = anchor_new(s, anchor)) < 0) return a == -1 ? -1 : 1;
        s->stack[s->depth].anchor = a;
        s->stack[s->depth].start = s->nodes++;
        s->stack[s->depth++].height = 0;
        return 0;
    }
    case YAML_SEQUENCE_END_EVENT:
    case YAML_MAPPING_END_EVENT: {
        if (!s->depth) return 0;
        s->depth--;
        int h = s->stack[s->depth].height + 1, a = s->stack[s->depth].anchor;
        if (a >= 0) s->anc[a] = (anchor_info){s->nodes - s->stack[s->depth].start, h, 0};
        child(s, h);
        return 0;
    }
    case YAML_ALIAS_EVENT: {
        const char *name = (const char *)ev->data.alias.anchor;
        int a = sd_strmap_get(&s->names, name, strlen(name));
        if (a < 0) return 0; /* an undefined alias: libyaml says so when composing */
        const anchor_info *in = &s->anc[a];
        if (in->open)
            snprintf(s->msg, sizeof s->msg, "alias *%.40s refers to a node that contains it (expected a tree: an alias "
                     "repeats a complete earlier node)", name);
        else if (s->depth + in->height > SD_LD_MAX_DEPTH)
            snprintf(s->msg, sizeof s->msg, "alias *%.40s makes the YAML nest more than %d levels deep (a graph needs a "
                     "few levels of maps and lists)", name, SD_LD_MAX_DEPTH);
        else if (++s->nalias > SD_LD_MAX_ALIASES)
            snprintf(s->msg, sizeof s->msg, "more than %d YAML aliases (a graph repeats few parts)", SD_LD_MAX_ALIASES);
        else if ((s->alias_nodes += in->nodes) > SD_LD_MAX_ALIAS_NODES)
            snprintf(s->msg, sizeof s->msg, "the YAML's aliases repeat more than %d nodes in all (at *%.40s: aliases "
                     "nested in aliases multiply)", SD_LD_MAX_ALIAS_NODES, name);
        if (s->msg[0]) return 1;
        s->nodes += in->nodes;
        child(s, in->height);
        return 0;
    }
    default: return 0;
    }
}

void sd_ld_check_yaml_shape(loader *L)
{
    yaml_parser_t p;
    if (!yaml_parser_initialize(&p)) sd_ld_oom(L);
    yaml_parser_set_input_string(&p, (const unsigned char *)L->text, strlen(L->text));
    scan *s = calloc(1, sizeof *s);
    int rc = s ? 0 : -1;
    if (s) sd_strmap_init(&s->names);
    for (int done = 0; !rc && !done;) {
        yaml_event_t ev;
        if (!yaml_parser_parse(&p, &ev)) break; /* a syntax error: composing reports it */
        done = ev.type == YAML_STREAM_END_EVENT;
        if ((rc = on_event(s, &ev)) > 0) {
            s->line = (int)ev.start_mark.line + 1;
            s->col = (int)ev.start_mark.column + 1;
        }
        yaml_event_delete(&ev);
    }
    yaml_parser_delete(&p);
    char msg[sizeof s->msg];
    int line = 0, col = 0;
    if (s) {
        snprintf(msg, sizeof msg, "%s", s->msg);
        line = s->line;
        col = s->col;
        sd_strmap_free(&s->names);
        free(s->anc);
        free(s);
    }
    if (rc < 0) sd_ld_oom(L);
    if (rc > 0) sd_ld_fail_at(L, line, col, "%s", msg);
}

/* ---- files a graph names ------------------------------------------------------------------ */

void sd_ld_need_regular_file(loader *L, const yaml_node_t *at, const char *path)
{
    struct stat st;
    if (stat(path, &st) || S_ISREG(st.st_mode)) return; /* a missing file: its reader says so */
    const char *kind = S_ISDIR(st.st_mode) ? "a directory" : S_ISCHR(st.st_mode) ? "a character device"
                     : S_ISBLK(st.st_mode) ? "a block device" : S_ISFIFO(st.st_mode) ? "a pipe" : "a socket";
    char qb[SD_LD_QUOTE_BUF];
    sd_ld_fail(L, at, "%s: %s (expected a regular file)", sd_ld_quote(qb, path, 0), kind);
}

/* ---- memory --------------------------------------------------------------------------------- */

int64_t sd_ld_memory_available(loader *L, const char **source)
{
    char err[256];
    int64_t avail = sd_memory_available(source, err, sizeof err);
    if (avail == -2) sd_ld_fail_at(L, 0, 0, "%s", err);
    return avail;
}

void sd_ld_check_memory(loader *L, sd_where at, double need, const char *what)
{
    const char *source;
    int64_t avail = sd_ld_memory_available(L, &source);
    if (avail < 0 || need <= (double)avail) return;
    char b[2][32];
    sd_ld_fail_at(L, at.line, at.col, "%s %s of memory, more than the %s available (%s)", what,
                  sd_fmt_bytes(b[0], sizeof b[0], need), sd_fmt_bytes(b[1], sizeof b[1], (double)avail), source);
}

/* Values of one level of field f: its domain's elements at its location, times its values per
 * element (doubles: a product may pass 2^63 before the limit says no). */
static double field_values(const sd_graph *g, const sd_gfield *f)
{
    const sd_domain *D = &g->domain;
    double elements = (double)D->shape[0] * (double)D->shape[1] * (double)D->shape[2];
    if (D->kind == SD_DOMAIN_MESH && f->location == SD_MESH_FACES) elements = (double)D->mesh.nf;
    if (D->kind == SD_DOMAIN_MESH && f->location == SD_MESH_EDGES) elements = 1.5 * (double)D->mesh.nf; /* closed */
    return elements * (double)f->ncomp * (f->location == SD_LOC_BINS && D->kind == SD_DOMAIN_GRID ? (double)D->nbins : 1);
}

static double field_bytes(const sd_graph *g, const sd_gfield *f)
{
    return (double)f->nlevels * field_values(g, f) * (f->dtype == SD_F32 ? 4 : 8);
}

double sd_graph_state_bytes(const sd_graph *g)
{
    double b = 0;
    for (int i = 0; i < g->nfields; i++) b += field_bytes(g, &g->fields[i]);
    return b;
}

void sd_ld_check_fields_memory(loader *L)
{
    const sd_graph *g = L->g;
    double need = sd_graph_state_bytes(g), most = -1;
    int big = -1;
    for (int i = 0; i < g->nfields; i++) {
        double b = field_bytes(g, &g->fields[i]);
        if (b > most) { most = b; big = i; }
    }
    if (big < 0) return;
    const sd_gfield *f = &g->fields[big];
    char what[2 * SD_NAME_MAX + 192], one[SD_NAME_MAX + 80];
    snprintf(one, sizeof one, "%d level%s x %.6g values x %d bytes", f->nlevels, f->nlevels > 1 ? "s" : "",
             field_values(g, f), f->dtype == SD_F32 ? 4 : 8);
    if (g->nfields == 1) snprintf(what, sizeof what, "field %s (%s) needs", f->name, one);
    else snprintf(what, sizeof what, "the %d fields (the largest, %s: %s) need", g->nfields, f->name, one);
    sd_ld_check_memory(L, f->at, need, what);
}
