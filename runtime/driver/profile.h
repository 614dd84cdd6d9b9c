/* profile.h - output.profiles: a cells field of a grid summed over every spatial axis but one
 * (a depth-dose curve from a dose map, say), its peak and its distal fall-off positions, taken
 * from the whole-field snapshot at each step the field is written. Generic: nothing here knows
 * what the field means. Definitions: docs/graph-format.md ("Profiles"); file layout:
 * docs/output-format.md ("Profiles"). */
#ifndef SD_PROFILE_H
#define SD_PROFILE_H
#include <stdint.h>
#include <stdio.h>
#include "graph.h"

struct sd_h5out;
struct sd_record;

/* One profile of one snapshot. */
typedef struct sd_profile_result {
    int64_t n;          /* cells along the axis */
    double *values;     /* n sums, at the cell centres (i + 0.5) * spacing */
    int64_t step;
    double max;         /* the largest value */
    int64_t peak_index; /* its cell (the first on ties); -1 when there is no peak (below) */
    double peak;        /* the centre of that cell */
    double peak_fit;    /* the vertex of the parabola through the peak cell and its neighbours
                           (= peak at either end of the axis or when the three are not concave) */
    double falloff[SD_MAX_FALLOFF]; /* per percentage p: the first position beyond the peak where
                                       the profile reaches p% of max, linear between cell centres;
                                       NaN when it never does */
} sd_profile_result;

/* The profile p of a snapshot of its field (data: the whole field in the field's dtype, x
 * fastest, components outermost) into r (r->values: n doubles the caller provides). Sums are
 * compensated (Neumaier) and taken in memory order, so they depend on the values only, never on
 * the tiling. A profile with a non-finite value, or whose maximum is not > 0, has no peak:
 * peak_index -1 and peak, peak_fit, falloff NaN (max is still reported). */
void sd_profile_compute(const sd_graph *g, const sd_gprofile *p, const void *data, sd_profile_result *r);

/* The run's profiles: their datasets in the run file, and the last result of each. */
typedef struct sd_profiles sd_profiles;

/* NULL with no message when the graph has no profiles; NULL with a message on failure. out may
 * be NULL (nothing is written, nothing is taken). */
sd_profiles *sd_profiles_new(const sd_graph *g, struct sd_h5out *out, char *err, size_t errlen);
/* On the writer thread, before the field step r is written: the profiles of r's field, appended
 * to the run file (committed with the field step). 0, or -1 with a message. */
int sd_profiles_take(sd_profiles *pp, const struct sd_record *r, char *err, size_t errlen);
/* One line per profile taken, its last result ("  profile dose_y (dose along y, step 40): peak
 * ..."), with the grid's length unit, on f; f NULL: into the run's log only (a quiet run, which
 * prints no summary). Nothing when none was taken. */
/* Rows appended by this run so far, all profiles together (0 for pp NULL): a checkpoint's count. */
int64_t sd_profiles_rows(const sd_profiles *pp);
struct sd_runlog;
void sd_profiles_summary(const sd_profiles *pp, FILE *f, struct sd_runlog *log);
void sd_profiles_free(sd_profiles *pp);

#endif
