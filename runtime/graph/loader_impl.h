/* loader_impl.h - what the pieces of the graph loader share: the loader object (the document,
 * the graph being filled, the name space, the data-flow state), the YAML node helpers, and the
 * functions one piece calls in another (prefixed sd_ld_). Internal: not installed.
 *
 * Failure unwinds with longjmp to sd_graph_parse_ex, which frees everything the loader owns; so
 * no function of the loader may hold malloc'd memory of its own across a call that can fail. */
#ifndef SD_LOADER_IMPL_H
#define SD_LOADER_IMPL_H
#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <yaml.h>
#include "dm.h"
#include "graph.h"
#include "strmap.h"

/* Limits on a graph's YAML (loader_limits.c): far above what any graph needs, low enough that
 * neither libyaml nor the loader's walks can be made to run for long or recurse deeply. */
#define SD_LD_MAX_DEPTH 64          /* levels of maps and lists, aliases expanded */
#define SD_LD_MAX_ANCHORS 1000      /* libyaml looks anchors up linearly */
#define SD_LD_MAX_ALIASES 10000
#define SD_LD_MAX_ALIAS_NODES 1000000 /* nodes repeated by aliases, nested ones multiplied out */
/* Components of one field: the work field of an implicit solver on one large ODE system holds
 * 4 n^2 + O(n) values (n up to SD_ODE_MAX_N = 1024: 4.2 million); the memory a graph's fields need
 * is checked before anything is allocated (loader_limits.c). */
#define SD_LD_MAX_COMPONENTS (1 << 23)

#define NS_FIELD 0
#define NS_LEVEL 1
#define NS_SCALAR 2
#define NS_TABLE 3

typedef struct nsent { /* one name of the field/level/scalar namespace */
    char name[SD_NAME_MAX];
    int kind, field;
    sd_where at;
} nsent;

typedef struct opx { /* where the parts of an op are, for data-flow messages */
    sd_where op;
    sd_where bind[SD_MAX_BUFS];
} opx;

typedef struct flow {
    unsigned char *fdata;   /* [field * SD_MAX_LEVELS + level]: holds data */
    int *lastw;             /* op index of the last write this step, -1 none */
    unsigned char *readsince;
    unsigned char *sdata;   /* scalars */
} flow;

typedef struct sd_loader {
    jmp_buf jb;
    const char *path;
    char *err;
    size_t errlen;
    const char *text;
    yaml_parser_t parser;
    int parser_ok;
    yaml_document_t doc;
    int doc_ok;
    unsigned char *seen; /* per node: visited by the key pre-pass */
    sd_strmap keys[SD_LD_MAX_DEPTH + 1]; /* the key pre-pass: the keys of the map it is in, per depth */
    sd_strmap ns_index;  /* name -> index of its first entry in ns */
    sd_strmap param_index; /* param name -> index in g->params */
    sd_graph *g;
    int cap_params, cap_fields, cap_scalars, cap_init, cap_step, cap_checks, cap_ns;
    opx *xinit, *xstep;
    nsent *ns;
    int nns;
    int nvisible; /* params usable by expressions */
    int later;    /* params defined so far in the file (for "used before defined") */
    int have_dt;
    int user_scalars;  /* scalars declared by the user (hidden ones follow) */
    const char *const *set;
    int nset;
    double values_bytes; /* batch initial values held for the run (sd_ld_values_op), for the memory check */
    const char *setprefix; /* "--set n=3: " while evaluating an override */
    flow flow;
    const sd_dm_class *cls; /* the domain's class, once the domain section is read */
    void *dm_state;         /* its syntax's own state between hooks (freed with the loader) */
    const yaml_node_t *until; /* run.until, resolved after the scalars */
    const yaml_node_t *fuse;  /* run.fuse, checked once the domain is known */
} loader;

/* ---- YAML node helpers ------------------------------------------------------------------- */

static inline sd_where where(const yaml_node_t *n)
{
    sd_where w = {(int)n->start_mark.line + 1, (int)n->start_mark.column + 1};
    return w;
}

static inline yaml_node_t *node(loader *L, int id) { return yaml_document_get_node(&L->doc, id); }
static inline int is_map(const yaml_node_t *n) { return n->type == YAML_MAPPING_NODE; }
static inline int is_seq(const yaml_node_t *n) { return n->type == YAML_SEQUENCE_NODE; }
static inline int is_scalar(const yaml_node_t *n) { return n->type == YAML_SCALAR_NODE; }
static inline const char *sval(const yaml_node_t *n) { return (const char *)n->data.scalar.value; }

static inline int is_null(const yaml_node_t *n)
{
    if (!is_scalar(n) || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE) return 0;
    const char *s = sval(n);
    return !*s || !strcmp(s, "~") || !strcmp(s, "null") || !strcmp(s, "Null") || !strcmp(s, "NULL");
}

static inline const char *got(const yaml_node_t *n)
{
    if (is_map(n)) return "a map";
    if (is_seq(n)) return "a list";
    if (is_null(n)) return "nothing";
    return NULL;
}

static inline int map_len(const yaml_node_t *n) { return (int)(n->data.mapping.pairs.top - n->data.mapping.pairs.start); }
static inline int seq_len(const yaml_node_t *n) { return (int)(n->data.sequence.items.top - n->data.sequence.items.start); }
static inline yaml_node_t *seq_at(loader *L, const yaml_node_t *n, int i) { return node(L, n->data.sequence.items.start[i]); }
static inline yaml_node_t *key_at(loader *L, const yaml_node_t *n, int i) { return node(L, n->data.mapping.pairs.start[i].key); }
static inline yaml_node_t *val_at(loader *L, const yaml_node_t *n, int i) { return node(L, n->data.mapping.pairs.start[i].value); }

/* The domain's syntax hooks (dm.h): a generic section asks the domain what it allows. */
#define SD_LD_HOOK(L, hook, ...) \
    do { \
        if ((L)->cls->syntax->hook) (L)->cls->syntax->hook((L), __VA_ARGS__); \
    } while (0)
static inline const char *dtype_name(int t) { return t == SD_F32 ? "f32" : "f64"; }

/* ---- errors, YAML, values, names, params (loader_yaml.c) --------------------------------- */

/* "FILE:LINE:COL: message" at line/col (line 0: "FILE: message"), then longjmp. */
__attribute__((noreturn, format(printf, 4, 5))) void sd_ld_fail_at(loader *L, int line, int col, const char *fmt, ...);
/* The same at node n (at no position while evaluating a --set override). */
__attribute__((noreturn, format(printf, 3, 4))) void sd_ld_fail(loader *L, const yaml_node_t *n, const char *fmt, ...);
__attribute__((noreturn)) void sd_ld_oom(loader *L);
const char *sd_ld_num(char *buf, double v);
/* s to quote in a message: s itself when short, else about SD_LD_QUOTE bytes of it around byte pos
 * with "..." where cut, in buf (SD_LD_QUOTE_BUF bytes): a long quote must not crowd the reason out
 * of the message buffer. */
#define SD_LD_QUOTE 100
#define SD_LD_QUOTE_BUF (SD_LD_QUOTE + 16)
const char *sd_ld_quote(char *buf, const char *s, size_t pos);
void *sd_ld_grow(loader *L, void *arr, int n, int *cap, size_t size);
yaml_node_t *sd_ld_map_get(loader *L, const yaml_node_t *m, const char *key, yaml_node_t **k);
void sd_ld_need_map(loader *L, const yaml_node_t *n, const char *what);
void sd_ld_check_keys(loader *L, const yaml_node_t *m, const char *const *allowed, const char *section);
/* Keys are names (scalars), unique in each map: from node id at depth (the root: 0). */
void sd_ld_check_maps(loader *L, int id, int depth);
double sd_ld_eval(loader *L, const yaml_node_t *n);
/* The names expressions know (the params defined so far, dt once known): an sd_expr_lookup on L. */
int sd_ld_constant(void *L, const char *name, size_t len, double *v);
int64_t sd_ld_eval_int(loader *L, const yaml_node_t *n, int64_t lo, int64_t hi, const char *what);
const char *sd_ld_get_str(loader *L, const yaml_node_t *n, const char *what);
const char *sd_ld_get_name(loader *L, const yaml_node_t *n, const char *what);
void sd_ld_ns_add(loader *L, const yaml_node_t *n, const char *name, int kind, int field);
int sd_ld_get_bool(loader *L, const yaml_node_t *n, const char *what);
double sd_ld_get_positive(loader *L, const yaml_node_t *n, const char *what, int strict);
void sd_ld_load_params(loader *L, const yaml_node_t *m);

/* ---- limits (loader_limits.c) ----------------------------------------------------------- */

/* The YAML's depth, anchors and aliases within the limits above, on the parser's events (before
 * the document is built). */
void sd_ld_check_yaml_shape(loader *L);
/* What the process may allocate (the machine's available memory, at most STARDAG_MAX_MEMORY);
 * *source names where the number comes from; -1 when unknown. */
int64_t sd_ld_memory_available(loader *L, const char **source);
/* Fails at `at` when need bytes are more than available: "<what> <size> of memory, more than ...";
 * what ends with its verb ("the fields (...) need"). */
void sd_ld_check_memory(loader *L, sd_where at, double need, const char *what);
/* A file the graph names (a table, a mesh, particles, values) is a regular file, or missing (its
 * reader says so): a device or a pipe would be read without end. */
void sd_ld_need_regular_file(loader *L, const yaml_node_t *at, const char *path);
/* The fields' values at every time level (before any is allocated: a batch's initial values). */
void sd_ld_check_fields_memory(loader *L);

/* ---- the generic sections (loader_fields.c) ---------------------------------------------- */

void sd_ld_load_run(loader *L, const yaml_node_t *key, const yaml_node_t *m);
void sd_ld_check_fuse(loader *L);
void sd_ld_load_domain(loader *L, const yaml_node_t *key, const yaml_node_t *m);
void sd_ld_load_fields(loader *L, const yaml_node_t *m);
void sd_ld_add_scalar(loader *L, const char *name, sd_where at);
void sd_ld_load_scalars(loader *L, const yaml_node_t *n);
void sd_ld_load_tiles(loader *L, const yaml_node_t *n);
void sd_ld_load_until(loader *L);
/* run.until's scalar is written by a step op (after the step ops are read). */
void sd_ld_check_until(loader *L);

/* The domains' sections and rules: graph/domain_<name>.c, each an sd_dm_syntax of a class (dm.h). */

/* ---- ops, bindings and data flow (loader_ops.c) ------------------------------------------ */

void sd_ld_load_ops(loader *L, const yaml_node_t *n, int is_step);
/* One more op in the init (is_step 0) or step list: its index (the lists may move). */
int sd_ld_new_op(loader *L, int is_step);
void sd_ld_call_validate(loader *L, const sd_gop *op, const yaml_node_t *at);
void sd_ld_flow_ops(loader *L, flow *F, const sd_gop *ops, const opx *xs, int nops, int is_step);
void sd_ld_flow_rotate(loader *L, flow *F);

/* ---- tables (loader_tables.c) ----------------------------------------------------------- */

/* The tables section: each table's file read and checked. */
void sd_ld_load_tables(loader *L, const yaml_node_t *m);
/* After the ops: every table is bound by some op (else a forgotten binding would leave an op
 * using its built-in data). */
void sd_ld_check_tables_used(loader *L);

/* ---- output.profiles (loader_profiles.c) ------------------------------------------------- */

/* A field named at n (loader_output.c), or a failure naming the nearest field. */
int sd_ld_need_field(loader *L, const yaml_node_t *n);

void sd_ld_load_profiles(loader *L, const yaml_node_t *k, const yaml_node_t *v);
/* After the output section: each profile's field is written (listed in output.fields, every >= 1). */
void sd_ld_check_profiles(loader *L);

/* ---- the loader's io.* ops (loader_read.c) ----------------------------------------------- */

/* The io op of that name, or NULL; names by index (NULL past the last). */
const sd_codelet *sd_ld_io_op(const char *name);
const char *sd_ld_io_op_name(int i);
/* An io op's params (text: file, dataset, step, ...; NULL when absent), after its roles are bound:
 * opens the file and checks it against the bound field; fails at the node concerned. */
void sd_ld_io_finish(loader *L, sd_gop *op, int is_step, const yaml_node_t *on, const yaml_node_t *params);
/* output.file and output.trajectory must not be a file the graph reads (at their nodes). */
void sd_ld_io_check_outputs(loader *L, const yaml_node_t *output);

/* A batch field's initial values (an init op, first in the list): the values to fill, M x ncomp
 * doubles, components outermost; file names a file they come from ("" for none). */
sd_gread *sd_ld_values_op(loader *L, int field, sd_where at);
/* domain.batch.values (domain_batch_values.c), once the fields are declared. */
void sd_ld_batch_values(loader *L, const yaml_node_t *values);

/* ---- domain.particles.read (loader_read_particles.c) ------------------------------------- */

struct sd_patoms;
/* Read {file, format, step, group} into a (its arrays go to the graph's domain.particles.read). */
void sd_ld_particles_read(loader *L, const yaml_node_t *n, struct sd_patoms *a);
/* The graph's count and box (at their nodes) against the file's. */
void sd_ld_particles_read_count(loader *L, const yaml_node_t *at, const struct sd_patoms *a);
void sd_ld_particles_read_box(loader *L, const yaml_node_t *at, const struct sd_patoms *a);
/* The file's type labels onto the graph's types, the type counts from the file. */
void sd_ld_particles_read_types(loader *L, const yaml_node_t *tk, const yaml_node_t *tn, const struct sd_patoms *a);
/* The data-flow hook (sd_dm_syntax.initial_data) of a particle domain read from a file. */
void sd_particles_read_initial_data(const sd_graph *g, unsigned char *has_data);
/* ---- the plugins key (loader_plugins.c) -------------------------------------------------- */

void sd_ld_load_plugins(loader *L, const yaml_node_t *n);

/* ---- output and checks (loader_output.c) ------------------------------------------------- */

void sd_ld_load_output(loader *L, const yaml_node_t *m);
void sd_ld_load_checks(loader *L, const yaml_node_t *n, const flow *F);

#endif
