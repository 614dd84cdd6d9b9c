/* plugin.c - codelet packs loaded from shared objects (stardag/pack.h): finding the file (its
 * base directory, then STARDAG_PLUGIN_PATH), dlopen, the pack's symbol, its ABI, and registering
 * its codelets all or nothing. A loaded pack stays loaded for the life of the process: its
 * codelets' functions live in it. */
#define _GNU_SOURCE
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "stardag/pack.h"
#include "registry.h"

typedef struct loaded_pack {
    char *file;   /* absolute, symlinks resolved: the identity of a pack */
    char *name;
    char *origin; /* "NAME (FILE)": what sd_codelet_origin says for its codelets */
    void *handle; /* never closed: the codelets' functions live in it */
} loaded_pack;

static loaded_pack *packs;
static int npacks, cap_packs;

int sd_pack_count(void) { return npacks; }
const char *sd_pack_name(int i) { return i >= 0 && i < npacks ? packs[i].name : NULL; }
const char *sd_pack_file(int i) { return i >= 0 && i < npacks ? packs[i].file : NULL; }

__attribute__((format(printf, 3, 4))) static int fail(char *err, size_t errlen, const char *fmt, ...)
{
    if (err && errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return -1;
}

/* "pack NAME (FILE)" for a loaded pack, "pack NAME" for a table registered by a program or the
 * bundled packs, "the program" for a lone sd_codelet_register. */
static void describe_origin(const sd_codelet *c, char *buf, size_t len)
{
    const char *o = sd_codelet_origin(c);
    if (!o || !strcmp(o, "the program")) snprintf(buf, len, "the program");
    else snprintf(buf, len, "pack %s", o);
}

static int is_file(const char *path, int *errnum)
{
    struct stat st;
    if (stat(path, &st)) {
        *errnum = errno;
        return 0;
    }
    *errnum = S_ISDIR(st.st_mode) ? EISDIR : 0;
    return !S_ISDIR(st.st_mode);
}

/* Finds file: relative to base_dir (or as given when absolute or base_dir is NULL); a name without
 * '/' not found there is looked for in the STARDAG_PLUGIN_PATH directories. */
static int resolve(const char *file, const char *base_dir, char *out, size_t outlen, char *err, size_t errlen)
{
    char tried[2048] = "";
    size_t nt = 0;
    int e = 0;
    if (file[0] == '/' || !base_dir || !*base_dir) snprintf(out, outlen, "%s", file);
    else snprintf(out, outlen, "%s/%s", base_dir, file);
    if (is_file(out, &e)) return 0;
    if (e != ENOENT) return fail(err, errlen, "%s: cannot use it: %s (expected a stardag pack, a .so file)", out, strerror(e));
    nt += snprintf(tried + nt, sizeof tried - nt, "%s", out);
    const char *path = getenv("STARDAG_PLUGIN_PATH");
    if (!strchr(file, '/') && path && *path) {
        for (const char *p = path; *p;) {
            const char *colon = strchr(p, ':');
            size_t n = colon ? (size_t)(colon - p) : strlen(p);
            if (n) {
                snprintf(out, outlen, "%.*s/%s", (int)n, p, file);
                if (is_file(out, &e)) return 0;
                if (nt < sizeof tried) nt += snprintf(tried + nt, sizeof tried - nt, ", %s", out);
            }
            p += n + (colon != NULL);
        }
    }
    return fail(err, errlen, "%s: no such pack file (looked for %s%s)", file, tried,
                strchr(file, '/') ? "" : path && *path ? "; STARDAG_PLUGIN_PATH searched" : "; STARDAG_PLUGIN_PATH is not set");
}

/* The pack's codelets against each other and against every codelet registered so far. */
static int check_clashes(const char *file, const sd_pack *pk, char *err, size_t errlen)
{
    char who[PATH_MAX + 64];
    for (int i = 0; i < npacks; i++)
        if (!strcmp(packs[i].name, pk->name))
            return fail(err, errlen, "%s: a pack named %s is already loaded from %s (expected one copy of a pack)", file,
                        pk->name, packs[i].file);
    for (size_t i = 0; i < pk->ncodelets; i++) {
        const sd_codelet *c = &pk->codelets[i];
        if (!c->name || !c->model)
            return fail(err, errlen, "%s: pack %s: codelet %zu has no name or no model symbol", file, pk->name, i);
        for (size_t j = 0; j < i; j++)
            if (pk->codelets[j].name && !strcmp(pk->codelets[j].name, c->name))
                return fail(err, errlen, "%s: pack %s declares codelet %s twice", file, pk->name, c->name);
        const sd_codelet *other = sd_codelet_find(c->name);
        if (other) {
            describe_origin(other, who, sizeof who);
            return fail(err, errlen, "%s: codelet %s of pack %s clashes with codelet %s of %s (expected unique names: rename one)",
                        file, c->name, pk->name, other->name, who);
        }
        other = sd_codelet_with_model(c->model);
        if (other) {
            describe_origin(other, who, sizeof who);
            return fail(err, errlen, "%s: codelet %s of pack %s uses model symbol %s, already used by codelet %s of %s "
                        "(expected a unique symbol: it names the performance-model file)", file, c->name, pk->name, c->model,
                        other->name, who);
        }
    }
    return 0;
}

/* Checks what the pack says about itself, before any of its codelets is looked at. */
static int check_header(const char *file, const sd_pack *pk, char *err, size_t errlen)
{
    if (pk->abi != STARDAG_PACK_ABI)
        return fail(err, errlen, "%s: built against stardag pack ABI %d, this stardag has ABI %d: rebuild the pack", file,
                    pk->abi, STARDAG_PACK_ABI);
    if (pk->codelet_size != sizeof(sd_codelet) || pk->tile_args_size != sizeof(sd_tile_args))
        return fail(err, errlen, "%s: built against stardag headers with other layouts (sd_codelet %zu bytes, sd_tile_args "
                    "%zu; this stardag: %zu and %zu) though both say ABI %d: rebuild the pack against this stardag's headers",
                    file, pk->codelet_size, pk->tile_args_size, sizeof(sd_codelet), sizeof(sd_tile_args), pk->abi);
    if (!pk->name || !*pk->name)
        return fail(err, errlen, "%s: the pack has no name (expected STARDAG_PACK(\"name\", codelets))", file);
    for (const char *s = pk->name; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') || *s == '_' || *s == '-'))
            return fail(err, errlen, "%s: pack name '%s' has a character other than letters, digits, '_' and '-'", file, pk->name);
    if (!pk->codelets || pk->ncodelets == 0)
        return fail(err, errlen, "%s: pack %s declares no codelets (expected a table of at least one)", file, pk->name);
    return 0;
}

/* Registers the pack's codelets; on the first refusal takes back the ones already registered. */
static int register_all(const char *file, const sd_pack *pk, const char *origin, char *err, size_t errlen)
{
    const int mark = sd_registry_mark();
    char msg[512];
    for (size_t i = 0; i < pk->ncodelets; i++)
        if (sd_registry_add(&pk->codelets[i], origin, msg, sizeof msg)) {
            sd_registry_rollback(mark);
            return fail(err, errlen, "%s: pack %s: %s", file, pk->name, msg);
        }
    return 0;
}

static int remember(const char *real, const char *name, void *handle, char **origin_out)
{
    if (npacks == cap_packs) {
        int ncap = cap_packs ? 2 * cap_packs : 8;
        loaded_pack *t = realloc(packs, ncap * sizeof *t);
        if (!t) return -1;
        packs = t;
        cap_packs = ncap;
    }
    size_t olen = strlen(name) + strlen(real) + 4;
    loaded_pack p = {strdup(real), strdup(name), malloc(olen), handle};
    if (!p.file || !p.name || !p.origin) {
        free(p.file);
        free(p.name);
        free(p.origin);
        return -1;
    }
    snprintf(p.origin, olen, "%s (%s)", name, real);
    packs[npacks++] = p;
    *origin_out = p.origin;
    return 0;
}

int sd_pack_load(const char *file, const char *base_dir, char *err, size_t errlen)
{
    if (err && errlen) err[0] = 0;
    if (!file || !*file) return fail(err, errlen, "an empty pack file name (expected a .so file)");
    char path[PATH_MAX], real[PATH_MAX];
    if (resolve(file, base_dir, path, sizeof path, err, errlen)) return -1;
    if (!realpath(path, real)) return fail(err, errlen, "%s: cannot resolve: %s", path, strerror(errno));
    for (int i = 0; i < npacks; i++)
        if (!strcmp(packs[i].file, real)) return 0; /* the same file again: nothing to do */

    void *h = dlopen(real, RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        const char *why = dlerror();
        return fail(err, errlen, "%s: not a stardag pack: cannot load it as a shared object: %s", path, why ? why : "unknown error");
    }
    const sd_pack *pk = dlsym(h, STARDAG_PACK_SYMBOL);
    Dl_info info;
    char owner[PATH_MAX];
    /* dlsym also searches the libraries the file depends on: the symbol must be the file's own */
    if (pk && (!dladdr(pk, &info) || !info.dli_fname || !realpath(info.dli_fname, owner) || strcmp(owner, real))) pk = NULL;
    int rc = 0;
    if (!pk)
        rc = fail(err, errlen, "%s: not a stardag pack: it defines no '%s' symbol (expected a shared object built with "
                  "STARDAG_PACK(name, codelets) from stardag/pack.h)", path, STARDAG_PACK_SYMBOL);
    if (!rc) rc = check_header(path, pk, err, errlen);
    if (!rc) rc = check_clashes(path, pk, err, errlen);
    char *origin = NULL;
    if (!rc && remember(real, pk->name, h, &origin)) rc = fail(err, errlen, "%s: out of memory", path);
    if (!rc && register_all(path, pk, origin, err, errlen)) {
        npacks--;
        free(packs[npacks].file);
        free(packs[npacks].name);
        free(packs[npacks].origin);
        rc = -1;
    }
    if (rc) dlclose(h);
    return rc;
}

const char *sd_codelet_pack_file(const sd_codelet *c)
{
    const char *o = sd_codelet_origin(c);
    for (int i = 0; o && i < npacks; i++)
        if (o && !strcmp(packs[i].origin, o)) return packs[i].file;
    return NULL;
}

static int cmp_names(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* Loads every *.so of one directory, in name order. */
static int load_dir(const char *dir, char *err, size_t errlen)
{
    DIR *d = opendir(dir);
    if (!d)
        return fail(err, errlen, "STARDAG_PLUGIN_PATH: %s: %s (expected a directory of stardag packs)", dir, strerror(errno));
    char **names = NULL;
    size_t n = 0, cap = 0;
    int rc = 0;
    struct dirent *e;
    while (!rc && (errno = 0, e = readdir(d))) {
        size_t len = strlen(e->d_name);
        if (len < 4 || strcmp(e->d_name + len - 3, ".so")) continue;
        if (n == cap) {
            cap = cap ? 2 * cap : 16;
            char **t = realloc(names, cap * sizeof *t);
            if (!t) { rc = fail(err, errlen, "STARDAG_PLUGIN_PATH: %s: out of memory", dir); break; }
            names = t;
        }
        if (!(names[n] = strdup(e->d_name))) rc = fail(err, errlen, "STARDAG_PLUGIN_PATH: %s: out of memory", dir);
        else n++;
    }
    if (!rc && errno) rc = fail(err, errlen, "STARDAG_PLUGIN_PATH: %s: cannot read: %s", dir, strerror(errno));
    closedir(d);
    if (n) qsort(names, n, sizeof *names, cmp_names);
    for (size_t i = 0; !rc && i < n; i++) {
        char msg[1536];
        if (sd_pack_load(names[i], dir, msg, sizeof msg)) rc = fail(err, errlen, "STARDAG_PLUGIN_PATH: %s", msg);
    }
    for (size_t i = 0; i < n; i++) free(names[i]);
    free(names);
    return rc;
}

int sd_pack_load_env(char *err, size_t errlen)
{
    if (err && errlen) err[0] = 0;
    const char *path = getenv("STARDAG_PLUGIN_PATH");
    if (!path) return 0;
    for (const char *p = path; *p;) {
        const char *colon = strchr(p, ':');
        size_t n = colon ? (size_t)(colon - p) : strlen(p);
        char dir[PATH_MAX];
        if (n >= sizeof dir) return fail(err, errlen, "STARDAG_PLUGIN_PATH: a directory name is too long");
        memcpy(dir, p, n);
        dir[n] = 0;
        if (n && load_dir(dir, err, errlen)) return -1;
        p += n + (colon != NULL);
    }
    return 0;
}
