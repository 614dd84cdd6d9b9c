/* suggest.h - "did you mean ...?": the nearest candidate name by edit distance. */
#ifndef STARDAG_SUGGEST_H
#define STARDAG_SUGGEST_H

#include <stddef.h>

/* Optimal-string-alignment (Damerau-Levenshtein with adjacent transpositions) distance. */
size_t sd_edit_distance(const char *a, const char *b);

/* Collects candidates one by one and keeps the nearest close one (first wins ties). A candidate
 * is close when its distance is <= max(2, len/3) and below the length of the name. */
typedef struct sd_suggest {
    const char *name;
    const char *best;
    size_t dist;
} sd_suggest;

void sd_suggest_init(sd_suggest *s, const char *name);
void sd_suggest_add(sd_suggest *s, const char *candidate);
/* The best candidate, or NULL when none is close enough. */
const char *sd_suggest_best(const sd_suggest *s);

#endif
