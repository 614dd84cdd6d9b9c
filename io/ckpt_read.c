/* ckpt_read.c - opening a checkpoint (io/ckpt.h): what it is (format, complete, root attributes)
 * and its items, each read back only when its checksum matches. Everything that cannot be trusted
 * is refused with the file and the dataset named. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <hdf5.h>
#include "ckpt.h"
#include "h5err.h"
#include "h5util.h"

struct sd_ckpt_in {
    hid_t file;
    char path[1024];
    sd_ckpt_meta meta;
    char *index;   /* format 2: /index, nindex names of `index_len` bytes each (NUL padded) */
    size_t index_len;
    int nindex;
};

size_t sd_ckpt_type_size(int type)
{
    switch (type) {
    case SD_CK_F64: return sizeof(double);
    case SD_CK_F32: return sizeof(float);
    case SD_CK_I64: return sizeof(int64_t);
    case SD_CK_U8: return 1;
    default: return 0;
    }
}

uint64_t sd_ckpt_hash_more(uint64_t h, const void *data, size_t bytes)
{
    const unsigned char *p = data;
    for (size_t i = 0; i < bytes; i++) {
        h ^= p[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}

uint64_t sd_ckpt_checksum(const void *data, size_t bytes) { return sd_ckpt_hash_more(SD_CKPT_HASH_INIT, data, bytes); }

/* n little-endian bytes of v into the hash: the same on any host. */
static uint64_t hash_le(uint64_t h, uint64_t v, int n)
{
    for (int i = 0; i < n; i++) {
        unsigned char b = (unsigned char)(v >> (8 * i));
        h = sd_ckpt_hash_more(h, &b, 1);
    }
    return h;
}

uint64_t sd_ckpt_meta_checksum(const sd_ckpt_meta *m, const char *graph_text, int n, const char *const *index)
{
    uint64_t t;
    memcpy(&t, &m->time, sizeof t);
    uint64_t h = hash_le(SD_CKPT_HASH_INIT, (uint32_t)m->format, 4);
    h = hash_le(hash_le(hash_le(hash_le(h, (uint64_t)m->step, 8), t, 8), m->graph_hash, 8), m->layout_hash, 8);
    h = sd_ckpt_hash_more(h, m->version, strlen(m->version) + 1);
    h = sd_ckpt_hash_more(h, graph_text, strlen(graph_text) + 1);
    for (int i = 0; i < n; i++) h = sd_ckpt_hash_more(h, index[i], strlen(index[i]) + 1);
    return h;
}

/* A root attribute of a numeric type, read as mtype. 0, or -1 when absent or unreadable. */
static int read_num_attr(hid_t obj, const char *name, hid_t mtype, void *v)
{
    if (H5Aexists(obj, name) <= 0) return -1;
    hid_t a = H5Aopen(obj, name, H5P_DEFAULT);
    if (a < 0) return -1;
    herr_t rc = H5Aread(a, mtype, v);
    H5Aclose(a);
    return rc < 0 ? -1 : 0;
}


/* /index: nindex fixed-length strings, into in. 0, or -1. */
static int read_index(sd_ckpt_in *in)
{
    hid_t d = H5Lexists(in->file, "index", H5P_DEFAULT) > 0 ? H5Dopen2(in->file, "index", H5P_DEFAULT) : -1;
    hid_t t = d >= 0 ? H5Dget_type(d) : -1, sp = d >= 0 ? H5Dget_space(d) : -1;
    hsize_t n = 0;
    int rc = -1;
    if (t >= 0 && sp >= 0 && H5Tget_class(t) == H5T_STRING && !H5Tis_variable_str(t) &&
        H5Sget_simple_extent_ndims(sp) == 1 && H5Sget_simple_extent_dims(sp, &n, NULL) == 1 && n > 0 && n < (1u << 24)) {
        size_t l = H5Tget_size(t);
        in->index = l > 0 && l < 4096 ? calloc((size_t)n, l + 1) : NULL;
        hid_t mt = in->index ? H5Tcopy(t) : -1;
        /* each name read into l + 1 bytes: NUL-terminated whatever the file holds */
        if (mt >= 0 && H5Tset_size(mt, l + 1) >= 0 && H5Tset_strpad(mt, H5T_STR_NULLTERM) >= 0 &&
            H5Dread(d, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, in->index) >= 0) {
            in->index_len = l + 1, in->nindex = (int)n, rc = 0;
        }
        if (mt >= 0) H5Tclose(mt);
    }
    if (sp >= 0) H5Sclose(sp);
    if (t >= 0) H5Tclose(t);
    if (d >= 0) H5Dclose(d);
    return rc;
}

static const char *index_name(const sd_ckpt_in *in, int i) { return in->index + (size_t)i * in->index_len; }

static int path_exists(hid_t file, const char *p);

/* Format 2: the root, graph text and index against meta_checksum; every indexed item there. */
static int verify_root(sd_ckpt_in *in, char *err, size_t errlen)
{
    uint64_t want;
    char why[8];
    if (sd_h5_attr_read_hex(in->file, "meta_checksum", &want) < 0 || read_index(in) < 0) {
        sd_io_seterr(err, errlen, "%s: damaged checkpoint (its meta_checksum attribute or /index is missing or "
                     "unreadable)", in->path);
        return -1;
    }
    char *text = sd_ckpt_graph_text(in, why, sizeof why);
    const char **names = malloc(sizeof *names * (size_t)in->nindex);
    int rc = -1;
    if (!text || !names) {
        sd_io_seterr(err, errlen, "%s: damaged checkpoint (/graph_text: absent or unreadable)", in->path);
    } else {
        for (int i = 0; i < in->nindex; i++) names[i] = index_name(in, i);
        if (sd_ckpt_meta_checksum(&in->meta, text, in->nindex, names) != want)
            sd_io_seterr(err, errlen, "%s: damaged checkpoint: its root attributes (format, step, time, hashes, version), "
                         "/graph_text or /index do not match their checksum (meta_checksum)", in->path);
        else rc = 0;
    }
    for (int i = 0; rc == 0 && i < in->nindex; i++)
        if (names[i][0] != '/' || !path_exists(in->file, names[i])) {
            sd_io_seterr(err, errlen, "%s: incomplete checkpoint: %s, in its /index, is missing", in->path, names[i]);
            rc = -1;
        }
    free(names);
    free(text);
    return rc;
}

int sd_ckpt_indexed(const sd_ckpt_in *in, const char *path)
{
    if (in->meta.format < 2) return 1;
    for (int i = 0; i < in->nindex; i++)
        if (!strcmp(index_name(in, i), path)) return 1;
    return 0;
}

sd_ckpt_in *sd_ckpt_open(const char *path, char *err, size_t errlen)
{
    sd_h5_quiet q = sd_h5_quiet_on();
    sd_ckpt_in *in = calloc(1, sizeof *in);
    if (!in) {
        sd_io_seterr(err, errlen, "%s: out of memory", path);
        goto fail;
    }
    in->file = -1;
    snprintf(in->path, sizeof in->path, "%s", path);
    if ((in->file = sd_h5_open_ro(path, err, errlen)) < 0) goto fail;
    sd_ckpt_meta *m = &in->meta;
    int32_t fmt = 0, complete = 0;
    if (read_num_attr(in->file, "stardag_checkpoint", H5T_NATIVE_INT32, &fmt) < 0) {
        sd_io_seterr(err, errlen, "%s: not a stardag checkpoint (no stardag_checkpoint attribute)", path);
        goto fail;
    }
    if (fmt > SD_CKPT_FORMAT || fmt < 1) {
        sd_io_seterr(err, errlen, "%s: checkpoint format %d %s (this stardag reads format %d)", path, (int)fmt,
                     fmt > SD_CKPT_FORMAT ? "is newer than this stardag knows" : "is not valid", SD_CKPT_FORMAT);
        goto fail;
    }
    m->format = fmt;
    if (read_num_attr(in->file, "complete", H5T_NATIVE_INT32, &complete) < 0 || complete != 1) {
        sd_io_seterr(err, errlen, "%s: incomplete checkpoint (the run writing it stopped before it was complete)", path);
        goto fail;
    }
    if (read_num_attr(in->file, "step", H5T_NATIVE_INT64, &m->step) < 0 || m->step < 0 ||
        read_num_attr(in->file, "time", H5T_NATIVE_DOUBLE, &m->time) < 0 ||
        sd_h5_attr_read_hex(in->file, "graph_hash", &m->graph_hash) < 0 ||
        sd_h5_attr_read_hex(in->file, "layout_hash", &m->layout_hash) < 0 ||
        sd_h5_attr_read_str(in->file, "stardag_version", m->version, sizeof m->version) != 0) {
        sd_io_seterr(err, errlen, "%s: damaged checkpoint (a root attribute of step, time, graph_hash, layout_hash, "
                     "stardag_version is missing or unreadable)", path);
        goto fail;
    }
    /* format 2, or a file that says 1 but carries the checksum (a damaged format attribute) */
    if ((fmt >= 2 || H5Aexists(in->file, "meta_checksum") > 0) && verify_root(in, err, errlen) < 0) goto fail;
    sd_h5_quiet_off(q);
    return in;
fail:
    if (in && in->file >= 0) H5Fclose(in->file);
    if (in) free(in->index);
    free(in);
    H5Eclear2(H5E_DEFAULT);
    sd_h5_quiet_off(q);
    return NULL;
}

/* "/state/NAME", or NAME itself when absolute. */
static void item_path(const char *name, char *buf, size_t len)
{
    if (name[0] == '/') snprintf(buf, len, "%s", name);
    else snprintf(buf, len, "/state/%s", name);
}

/* Does every link along the absolute path p exist? */
static int path_exists(hid_t file, const char *p)
{
    char buf[512];
    snprintf(buf, sizeof buf, "%s", p);
    for (char *c = buf + 1;; c++) {
        if (*c != '/' && *c) continue;
        char save = *c;
        *c = 0;
        if (H5Lexists(file, buf, H5P_DEFAULT) <= 0) return 0;
        if (!save) return 1;
        *c = save;
    }
}

static int type_of_name(const char *s)
{
    static const char *const names[] = {"f64", "f32", "i64", "u8"};
    for (int i = 0; i < 4; i++)
        if (!strcmp(s, names[i])) return i;
    return -1;
}

static hid_t mem_type(int type)
{
    switch (type) {
    case SD_CK_F64: return H5T_NATIVE_DOUBLE;
    case SD_CK_F32: return H5T_NATIVE_FLOAT;
    case SD_CK_I64: return H5T_NATIVE_INT64;
    default: return H5T_NATIVE_UINT8;
    }
}

/* Opens the dataset of name with its type and shape; -1 with a message. */
static hid_t open_item(const sd_ckpt_in *in, const char *name, int *type, int *ndim, int64_t dims[4], char *err,
                       size_t errlen)
{
    char p[512], tn[16];
    item_path(name, p, sizeof p);
    if (!path_exists(in->file, p)) {
        sd_io_seterr(err, errlen, "%s: %s: absent from the checkpoint", in->path, p);
        return -1;
    }
    hid_t d = H5Dopen2(in->file, p, H5P_DEFAULT), sp = d >= 0 ? H5Dget_space(d) : -1;
    hsize_t hd[4] = {0};
    int nd = sp >= 0 ? H5Sget_simple_extent_ndims(sp) : -1;
    if (nd >= 0 && nd <= 4) H5Sget_simple_extent_dims(sp, hd, NULL);
    if (sp >= 0) H5Sclose(sp);
    if (d < 0 || nd < 0 || nd > 4 || sd_h5_attr_read_str(d, "type", tn, sizeof tn) != 0 || (*type = type_of_name(tn)) < 0) {
        sd_io_seterr(err, errlen, "%s: %s: damaged item (expected a dataset of rank <= 4 with a type attribute "
                     "f64, f32, i64 or u8)", in->path, p);
        if (d >= 0) H5Dclose(d);
        return -1;
    }
    *ndim = nd;
    for (int i = 0; i < 4; i++) dims[i] = i < nd ? (int64_t)hd[i] : 0;
    return d;
}

int sd_ckpt_item_info(const sd_ckpt_in *in, const char *name, int *type, int *ndim, int64_t dims[4], char *err,
                      size_t errlen)
{
    sd_h5_quiet q = sd_h5_quiet_on();
    hid_t d = open_item(in, name, type, ndim, dims, err, errlen);
    if (d >= 0) H5Dclose(d);
    H5Eclear2(H5E_DEFAULT);
    sd_h5_quiet_off(q);
    return d >= 0 ? 0 : -1;
}

int sd_ckpt_read_item(const sd_ckpt_in *in, const char *name, void *buf, size_t bytes, char *err, size_t errlen)
{
    sd_h5_quiet q = sd_h5_quiet_on();
    int type, ndim, rc = -1;
    int64_t dims[4];
    char p[512], sum[32], why[256];
    item_path(name, p, sizeof p);
    hid_t d = open_item(in, name, &type, &ndim, dims, err, errlen);
    if (d < 0) goto out;
    size_t n = sd_ckpt_type_size(type);
    for (int i = 0; i < ndim; i++) n *= (size_t)dims[i];
    if (n != bytes) {
        sd_io_seterr(err, errlen, "%s: %s: holds %zu bytes, expected %zu (the checkpoint's state does not fit this graph)",
                     in->path, p, n, bytes);
        goto out;
    }
    if (sd_h5_attr_read_str(d, "checksum", sum, sizeof sum) != 0) {
        sd_io_seterr(err, errlen, "%s: %s: no checksum attribute (damaged checkpoint)", in->path, p);
        goto out;
    }
    if (bytes && H5Dread(d, mem_type(type), H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) < 0) {
        sd_io_seterr(err, errlen, "%s: %s: cannot read: %s", in->path, p, sd_h5why(why, sizeof why));
        goto out;
    }
    char have[32];
    snprintf(have, sizeof have, "%016" PRIx64, sd_ckpt_checksum(buf, bytes));
    if (strcmp(have, sum)) {
        sd_io_seterr(err, errlen, "%s: %s: checksum mismatch (file corrupt): stored %s, data gives %s", in->path, p, sum,
                     have);
        goto out;
    }
    rc = 0;
out:
    if (d >= 0) H5Dclose(d);
    H5Eclear2(H5E_DEFAULT);
    sd_h5_quiet_off(q);
    return rc;
}

int64_t sd_ckpt_step(const sd_ckpt_in *in) { return in->meta.step; }
const sd_ckpt_meta *sd_ckpt_get_meta(const sd_ckpt_in *in) { return &in->meta; }
const char *sd_ckpt_path(const sd_ckpt_in *in) { return in->path; }

char *sd_ckpt_graph_text(const sd_ckpt_in *in, char *err, size_t errlen)
{
    sd_h5_quiet q = sd_h5_quiet_on();
    char *text = NULL;
    hid_t d = H5Lexists(in->file, "graph_text", H5P_DEFAULT) > 0 ? H5Dopen2(in->file, "graph_text", H5P_DEFAULT) : -1;
    hid_t t = d >= 0 ? H5Dget_type(d) : -1;
    if (t >= 0 && H5Tget_class(t) == H5T_STRING && !H5Tis_variable_str(t)) {
        size_t n = H5Tget_size(t);
        text = calloc(n + 1, 1);
        if (text && H5Dread(d, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, text) < 0) {
            free(text);
            text = NULL;
        }
    }
    if (!text) sd_io_seterr(err, errlen, "%s: /graph_text: absent or unreadable", in->path);
    if (t >= 0) H5Tclose(t);
    if (d >= 0) H5Dclose(d);
    H5Eclear2(H5E_DEFAULT);
    sd_h5_quiet_off(q);
    return text;
}

typedef struct list_ctx {
    const sd_ckpt_in *in;
    sd_ckpt_item_fn fn;
    void *u;
    int rc;
    char *err;
    size_t errlen;
} list_ctx;

static herr_t list_one(hid_t grp, const char *name, const H5L_info_t *info, void *u)
{
    (void)info;
    list_ctx *c = u;
    hid_t o = H5Oopen(grp, name, H5P_DEFAULT);
    int is_dataset = o >= 0 && H5Iget_type(o) == H5I_DATASET;
    if (o >= 0) H5Oclose(o);
    if (!is_dataset) return 0;
    int type, ndim;
    int64_t dims[4];
    hid_t d = open_item(c->in, name, &type, &ndim, dims, c->err, c->errlen);
    if (d < 0) {
        c->rc = -1;
        return 1;
    }
    H5Dclose(d);
    c->rc = c->fn(name, type, ndim, dims, c->u);
    return c->rc ? 1 : 0;
}

int sd_ckpt_list_items(const sd_ckpt_in *in, sd_ckpt_item_fn fn, void *u, char *err, size_t errlen)
{
    sd_h5_quiet q = sd_h5_quiet_on();
    list_ctx c = {in, fn, u, 0, err, errlen};
    hid_t g = H5Gopen2(in->file, "state", H5P_DEFAULT);
    if (g < 0) {
        sd_io_seterr(err, errlen, "%s: /state: absent (damaged checkpoint)", in->path);
        c.rc = -1;
    } else {
        if (H5Lvisit(g, H5_INDEX_NAME, H5_ITER_INC, list_one, &c) < 0 && !c.rc) {
            sd_io_seterr(err, errlen, "%s: /state: cannot list its datasets", in->path);
            c.rc = -1;
        }
        H5Gclose(g);
    }
    H5Eclear2(H5E_DEFAULT);
    sd_h5_quiet_off(q);
    return c.rc;
}

void sd_ckpt_close(sd_ckpt_in *in)
{
    if (!in) return;
    H5Fclose(in->file);
    free(in->index);
    free(in);
}
