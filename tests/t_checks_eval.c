/* t_checks_eval.c - the check evaluation of runtime/driver/checks.c on hand-made scalar records:
 * drift from the first value, from a reference, from a zero reference (absolute); monotone with
 * ties, rtol and strict, and a NaN; range; the first failure kept while later records keep
 * coming; checks never evaluated; the summary lines. */
#include <math.h>
#include <string.h>
#include "checks.h"
#include "tap.h"

static sd_graph *graph(sd_gcheck *checks, int n)
{
    static sd_gscalar sc[1];
    static sd_graph g;
    memset(&g, 0, sizeof g);
    strcpy(sc[0].name, "energy");
    g.nscalars = 1;
    g.scalars = sc;
    g.nchecks = n;
    g.checks = checks;
    return &g;
}

/* Feeds values (steps 10, 20, ...) to one check; returns the step of the first failure or 0, and
 * the summary line in line. */
static int64_t feed(sd_gcheck c, const double *v, int n, char *line, size_t len)
{
    sd_checks k;
    sd_graph *g = graph(&c, 1);
    if (sd_checks_init(&k, g) < 0) return -1;
    int64_t first = 0;
    unsigned char computed = 1;
    char why[512];
    for (int i = 0; i < n; i++)
        if (sd_checks_eval(&k, 10 * (i + 1), &v[i], &computed, why, sizeof why) && !first) first = 10 * (i + 1);
    FILE *f = fmemopen(line, len, "w");
    if (!f) return -1;
    sd_checks_report(&k, 10 * n, f);
    fclose(f);
    line[strcspn(line, "\n")] = 0;
    sd_checks_free(&k);
    return first;
}

int main(void)
{
    char line[512];
    sd_gcheck d = {.kind = SD_CHECK_DRIFT, .target = 0, .rtol = 1e-3};
    strcpy(d.text, "drift(energy) <= 0.001");
    double grow[] = {1.0, 1.0005, 1.002, 1.5, 3.0};
    ok(feed(d, grow, 5, line, sizeof line) == 30, "drift from the first value fails at the first step past rtol (30)");
    ok(strstr(line, "FAILED at step 30: energy = 1.002, first value 1, relative drift 0.002") != NULL,
       "the summary keeps the value at the failure, not the later 3.0: %s", line);
    d.has_reference = 1, d.reference = 1.0004;
    ok(feed(d, grow, 2, line, sizeof line) == 0 && strstr(line, "ok (largest drift 0.0004)"),
       "drift from reference 1.0004: 1 and 1.0005 are within 1e-3: %s", line);
    d.reference = 2.0;
    ok(feed(d, grow, 5, line, sizeof line) == 10 && strstr(line, "reference 2, relative drift 0.5"),
       "drift from reference 2: fails at the first value: %s", line);
    d.reference = 0, d.rtol = 0.1;
    double small[] = {0.05, -0.08, 0.2};
    ok(feed(d, small, 3, line, sizeof line) == 30, "drift from reference 0 is absolute: |0.2| > 0.1 fails at step 30");

    sd_gcheck m = {.kind = SD_CHECK_MONOTONE, .target = 0, .direction = -1};
    strcpy(m.text, "monotone(energy) decreasing");
    double down[] = {5, 4, 4, 3, 3.0000000000001, 1};
    ok(feed(m, down, 6, line, sizeof line) == 50, "decreasing: a tie passes, a rise of 3.3e-14 relative fails (step 50)");
    ok(strstr(line, "FAILED at step 50: energy = 3.0000000000000999 after 3 at step 40 (rose by 3.33e-14 relative)") != NULL, "%s", line);
    m.rtol = 1e-12;
    ok(feed(m, down, 6, line, sizeof line) == 0 && strstr(line, ": ok (6 values)"), "rtol 1e-12 lets it pass: %s", line);
    m.rtol = 0, m.strict = 1;
    ok(feed(m, down, 6, line, sizeof line) == 30 && strstr(line, "energy = 4, the same as at step 20"),
       "strict: the tie at step 30 fails it: %s", line);
    m.strict = 0, m.direction = 1;
    ok(feed(m, down, 6, line, sizeof line) == 20 && strstr(line, "(fell by 0.2 relative)"),
       "increasing on a falling series: fails at step 20: %s", line);
    double nan_later[] = {1, 2, NAN, 4};
    ok(feed(m, nan_later, 4, line, sizeof line) == 30, "increasing: a NaN fails it (step 30)");
    ok(feed(m, nan_later, 1, line, sizeof line) == 0 && strstr(line, ": ok (1 value)"), "one value: ok (1 value): %s", line);

    sd_gcheck r = {.kind = SD_CHECK_RANGE, .target = 0, .min = 0, .max = INFINITY};
    strcpy(r.text, "range(energy) in [0, inf]");
    ok(feed(r, down, 0, line, sizeof line) == 0 &&
           !strcmp(line, "  check range(energy) in [0, inf]: not evaluated (energy was never computed during the run's 0 steps)"),
       "no values: not evaluated, not ok: %s", line);
    double neg[] = {1, -1, -2};
    ok(feed(r, neg, 3, line, sizeof line) == 20 && strstr(line, "FAILED at step 20: energy = -1"),
       "range keeps the first failing value (-1, not -2): %s", line);

    /* two checks, one record stream: each keeps its own first failure; eval reports the first */
    sd_gcheck two[2] = {d, r};
    two[0].has_reference = 0, two[0].rtol = 1e-3;
    sd_checks k;
    sd_graph *g = graph(two, 2);
    ok(sd_checks_init(&k, g) == 0, "init with two checks");
    unsigned char yes = 1, no = 0;
    char why[512] = "";
    double v1 = 1, v2 = -1;
    ok(!sd_checks_eval(&k, 10, &v1, &no, why, sizeof why) && sd_checks_unevaluated(&k) == 2,
       "a record without the scalar evaluates nothing");
    ok(!sd_checks_eval(&k, 20, &v1, &yes, why, sizeof why) && sd_checks_unevaluated(&k) == 0, "both evaluated");
    ok(sd_checks_eval(&k, 30, &v2, &yes, why, sizeof why) &&
           !strcmp(why, "check drift(energy) <= 0.001 failed at step 30: energy = -1, first value 1, relative drift 2"),
       "both fail at step 30: the message is the first check's: %s", why);
    ok(!sd_checks_eval(&k, 40, &v2, &yes, why, sizeof why), "a later failing record is not new");
    sd_checks_free(&k);
    return tap_done();
}
