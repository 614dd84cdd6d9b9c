/* models.h - StarPU's history-based performance models as a table (stardag calibrate prints
 * them, stardag predict and tune look task times up in them), and the expected time of a task of
 * a size the models have not seen: interpolated or extrapolated from the sizes they have, and
 * said so. */
#ifndef SD_MODELS_H
#define SD_MODELS_H
#include <stddef.h>
#include <stdint.h>

typedef struct sd_model_entry {
    int sym;             /* index into the caller's symbol list */
    char arch[64];       /* "cpu", "cuda0", ... (" impl N" appended for implementations > 0) */
    uint32_t footprint;
    size_t size;
    double mean, stddev, sum;
    unsigned n;
} sd_model_entry;

typedef struct sd_models {
    sd_model_entry *v;
    int n, cap;
} sd_models;

/* Where the models of another machine are: a copy of its StarPU home (or the `sampling` folder
 * under it). NULL: this machine's. */
typedef struct sd_models_source {
    const char *dir;
} sd_models_source;

/* Reads the models of syms into t (replacing what it held) and their file paths into paths (may
 * be NULL). StarPU must be running. A symbol without a model file has no entries. 0, or -1 with a
 * message on stderr (prefix: who is reading). */
int sd_models_read(const char *const *syms, int nsyms, const sd_models_source *src, sd_models *t,
                   char (*paths)[1024], const char *prefix);
int sd_models_add(sd_models *t, const sd_model_entry *e);
const sd_model_entry *sd_models_find(const sd_models *t, int sym, const char *arch, uint32_t fp);
int sd_models_has_sym(const sd_models *t, int sym);
void sd_models_free(sd_models *t);

/* starpu_init(conf) with STARPU_CALIBRATE unset for the call (restored after): StarPU started to
 * read models or to plan must not turn calibration on. Returns starpu_init's value. */
struct starpu_conf;
int sd_starpu_init_uncalibrated(struct starpu_conf *conf);

/* How an expected time was found. */
enum { SD_EXPECT_NONE = 0, SD_EXPECT_MEASURED, SD_EXPECT_INTERPOLATED, SD_EXPECT_EXTRAPOLATED, SD_EXPECT_SCALED };
/* The expected microseconds of a task of symbol sym on arch, data footprint fp and size bytes:
 * the entry of that footprint; else, from the entries of other sizes (the entries of one size
 * averaged, weighted by their samples): linear between the two sizes around it, a power law
 * through the two nearest beyond them when they are at least 1.5x apart (exponent kept in
 * [0, 2]), or proportional to size from the nearest one. NAN (SD_EXPECT_NONE) without entries. */
double sd_models_expect(const sd_models *t, int sym, const char *arch, uint32_t fp, size_t size, int *how);
const char *sd_expect_name(int how);

#endif
