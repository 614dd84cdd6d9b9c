/* fuzz_ckpt.c - libFuzzer target: the checkpoint reader (io/ckpt_read.c) on mutated files (the
 * input's bytes written to a temporary file, as a damaged or truncated checkpoint would be): open
 * and verify it, its graph text, its list of items, each item's shape and (up to 64 MiB) its bytes
 * with the checksum check. Every call must succeed or fail with a one-line message; a crash or a
 * sanitizer report is a defect. Seeds: tests/fuzz/ckpt/ (checkpoints written by sd_ckpt_create,
 * sd_ckpt_write and sd_ckpt_commit). The replay program (replay.c) runs them in `make check`. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "ckpt.h"
#include "fuzz_file.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_file_init("fuzz_ckpt");
    return 0;
}

typedef struct items {
    char name[16][160];
    int n;
} items;

static int add_item(const char *name, int type, int ndim, const int64_t dims[4], void *u)
{
    (void)type;
    (void)ndim;
    (void)dims;
    items *it = u;
    if (it->n < 16) snprintf(it->name[it->n++], sizeof it->name[0], "%s", name);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_file_write(data, size);
    char err[1024] = "";
    sd_ckpt_in *in = sd_ckpt_open(fuzz_path, err, sizeof err);
    fuzz_need_message(!in, err, "sd_ckpt_open");
    if (!in) return 0;
    (void)sd_ckpt_step(in);
    (void)sd_ckpt_get_meta(in);
    err[0] = 0;
    char *text = sd_ckpt_graph_text(in, err, sizeof err);
    fuzz_need_message(!text, err, "sd_ckpt_graph_text");
    free(text);
    items it = {.n = 0};
    err[0] = 0;
    fuzz_need_message(sd_ckpt_list_items(in, add_item, &it, err, sizeof err) < 0, err, "sd_ckpt_list_items");
    for (int i = 0; i < it.n; i++) {
        int type = 0, ndim = 0;
        int64_t dims[4] = {0};
        err[0] = 0;
        int rc = sd_ckpt_item_info(in, it.name[i], &type, &ndim, dims, err, sizeof err);
        fuzz_need_message(rc < 0, err, "sd_ckpt_item_info");
        if (rc < 0 || ndim < 0 || ndim > 4) continue;
        size_t bytes = sd_ckpt_type_size(type);
        for (int d = 0; d < ndim; d++)
            if (dims[d] < 0 || __builtin_mul_overflow(bytes, (size_t)dims[d], &bytes)) bytes = SIZE_MAX;
        if (bytes > ((size_t)64 << 20)) continue;
        void *buf = malloc(bytes ? bytes : 1);
        if (!buf) continue;
        err[0] = 0;
        fuzz_need_message(sd_ckpt_read_item(in, it.name[i], buf, bytes, err, sizeof err) < 0, err, "sd_ckpt_read_item");
        free(buf);
    }
    sd_ckpt_close(in);
    return 0;
}
