/* neighbor.c - full neighbour lists (CSR) of a block's home particles over home + ghost
 * particles, every list sorted by global id so that the force sums (lj_force.c) add the same
 * terms in the same order however the system is split into blocks.
 *
 * Method: bin all n = nh+ng particles into a grid of cells >= rl wide (the caller's grid, or one
 * over their bounding box) and order them by (cell, id) (cells.c), with copies of coordinates
 * and ids in that order. The candidates of a home particle are the particles of the 27 cells
 * around its cell; they are sorted by id once per cell (LSD radix sort on the bytes the largest
 * id needs) with their coordinates gathered in that order. Each home particle of the cell then
 * keeps, in order, the candidates within rl: a vectorised distance loop writing flags, and a
 * compaction that turns 64 flags into a bit mask (one multiplication per 8 flags) and walks its
 * set bits (the AVX2 variant computes the mask bits with compares straight from vectors,
 * intrinsics below, instead of flag bytes: the same bits, the build ~20 % faster with AVX2). The sorted candidates are cached between consecutive home particles of the same
 * cell: the build is fastest when home particles come grouped by cell, as the particles domain
 * keeps them (sorted by cell of the box grid; pass that grid restricted to the block plus its
 * ghost layer, sd_md_grid_block, and every cell is sorted once). */
#include <math.h>
#include <string.h>
#include "stardag/simd.h"
#include "md_kernels.h"
#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define NB_INTRINSICS 1
#endif

#define NB_CARVE(field, type, count)                                                                \
    do {                                                                                            \
        if (mem) s->field = (type *)(mem + off);                                                   \
        off += align64(sizeof(type) * (size_t)(count));                                            \
    } while (0)

typedef struct nb_scratch {
    md_grid g;
    int64_t ncell;
    int64_t *cell, *cstart, *perm, *ids, *keya, *keyb;
    const int64_t *cid; /* ids of the current candidates (keya or keyb) */
    int idbytes;        /* bytes of the largest id: radix passes */
    int32_t *vala, *valb, *cj;
    double *xs, *ys, *zs, *cx, *cy, *cz;
    unsigned char *keep; /* n + 64 flags */
    uint64_t *mask;      /* n/64 + 1 words: bit k % 64 of word k / 64 keeps candidate k */
} nb_scratch;

static size_t align64(size_t b) { return (b + 63) & ~(size_t)63; }

/* Carve the scratch for n particles and ncell cells; returns the bytes needed (mem may be NULL). */
static size_t nb_layout(nb_scratch *s, int64_t n, int64_t ncell, char *mem)
{
    size_t off = 0;
    NB_CARVE(cell, int64_t, n);
    NB_CARVE(cstart, int64_t, ncell + 1);
    NB_CARVE(perm, int64_t, n);
    NB_CARVE(ids, int64_t, n);
    NB_CARVE(keya, int64_t, n);
    NB_CARVE(keyb, int64_t, n);
    NB_CARVE(vala, int32_t, n);
    NB_CARVE(valb, int32_t, n);
    NB_CARVE(cj, int32_t, n);
    NB_CARVE(xs, double, n);
    NB_CARVE(ys, double, n);
    NB_CARVE(zs, double, n);
    NB_CARVE(cx, double, n);
    NB_CARVE(cy, double, n);
    NB_CARVE(cz, double, n);
    NB_CARVE(keep, unsigned char, n + 64);
    NB_CARVE(mask, uint64_t, n / 64 + 1);
    return off + 64; /* room to align the start */
}

static void nb_grid(int64_t n, const double *x, int64_t sc, double rl, const md_grid *grid, md_grid *g)
{
    if (grid) *g = *grid;
    else sd_md_grid_bbox(n, x, sc, rl, g);
}

size_t sd_md_neighbor_scratch_bytes(int64_t n, const double *x, int64_t sc, double rl, const md_grid *grid)
{
    md_grid g;
    nb_grid(n, x, sc, rl, grid, &g);
    return nb_layout(NULL, n, sd_md_grid_ncells(&g), NULL);
}

/* Stable LSD radix sort of (key, val) by key >= 0, npass bytes of the key (keys < 256^npass):
 * ka/va -> kb/vb -> ka/va ...; returns 0 when the result is in (ka, va), 1 when in (kb, vb). */
static int radix_sort(int64_t m, int npass, int64_t *ka, int32_t *va, int64_t *kb, int32_t *vb)
{
    for (int p = 0; p < npass; p++) {
        int64_t pos[256] = {0};
        const int sh = 8 * p;
        for (int64_t k = 0; k < m; k++) pos[(ka[k] >> sh) & 255]++;
        int64_t sum = 0;
        for (int d = 0; d < 256; d++) {
            const int64_t c = pos[d];
            pos[d] = sum;
            sum += c;
        }
        for (int64_t k = 0; k < m; k++) {
            const int64_t o = pos[(ka[k] >> sh) & 255]++;
            kb[o] = ka[k];
            vb[o] = va[k];
        }
        int64_t *tk = ka;
        ka = kb, kb = tk;
        int32_t *tv = va;
        va = vb, vb = tv;
    }
    return npass & 1;
}

/* The id-sorted candidates of cell c (its 27 neighbours within the grid): slots sorted by id,
 * then their coordinates and block indices gathered in that order. Returns the count. */
static int64_t cell_candidates(nb_scratch *s, int64_t c)
{
    const int64_t nc0 = s->g.nc[0], nc1 = s->g.nc[1], nc2 = s->g.nc[2];
    const int64_t cx = c % nc0, cy = (c / nc0) % nc1, cz = c / (nc0 * nc1);
    const int64_t xlo = cx > 0 ? cx - 1 : 0, xhi = cx + 1 < nc0 ? cx + 1 : nc0 - 1;
    int64_t cnt = 0;
    for (int64_t z = cz - 1; z <= cz + 1; z++) {
        if (z < 0 || z >= nc2) continue;
        for (int64_t y = cy - 1; y <= cy + 1; y++) {
            if (y < 0 || y >= nc1) continue;
            const int64_t row = nc0 * (y + nc1 * z);
            const int64_t *restrict ids = s->ids;
            int64_t *restrict ka = s->keya;
            int32_t *restrict va = s->vala;
            for (int64_t t = s->cstart[row + xlo]; t < s->cstart[row + xhi + 1]; t++, cnt++) ka[cnt] = ids[t], va[cnt] = (int32_t)t;
        }
    }
    /* by id (ids are unique, so this is the only order) */
    const int w = radix_sort(cnt, s->idbytes, s->keya, s->vala, s->keyb, s->valb);
    const int32_t *restrict v = w ? s->valb : s->vala;
    s->cid = w ? s->keyb : s->keya; /* the sorted ids */
    double *restrict ox = s->cx, *restrict oy = s->cy, *restrict oz = s->cz;
    int32_t *restrict oj = s->cj;
    const double *restrict xs = s->xs, *restrict ys = s->ys, *restrict zs = s->zs;
    const int64_t *restrict perm = s->perm;
    for (int64_t k = 0; k < cnt; k++) {
        const int32_t t = v[k];
        ox[k] = xs[t], oy[k] = ys[t], oz[k] = zs[t], oj[k] = (int32_t)perm[t];
    }
    return cnt;
}

/* Which of the m candidates home particle (xi, yi, zi, idi) keeps: r2 < rl2 (r2 = (dx*dx +
 * dy*dy) + dz*dz, d = x_i - candidate) and another id, as bits of s->mask (bits past m clear). */
typedef struct nb_keep {
    double xi, yi, zi, rl2;
    int64_t idi, m;
} nb_keep;

/* In C, vectorised as bytes, then 8 flag bytes -> 8 mask bits by one multiplication (byte i of
 * w is 0 or 1; bit 56+i of w * 0x0102040810204080 is byte i, no carries). */
static inline __attribute__((always_inline)) void keep_masks_c(const nb_scratch *s, const nb_keep *q)
{
    const double *restrict cx = s->cx, *restrict cy = s->cy, *restrict cz = s->cz;
    const int64_t *restrict ci = s->cid;
    unsigned char *restrict keep = s->keep;
    const double xi = q->xi, yi = q->yi, zi = q->zi, rl2 = q->rl2;
    const int64_t idi = q->idi, m = q->m;
    for (int64_t k = 0; k < m; k++) { /* vectorised */
        const double dx = xi - cx[k], dy = yi - cy[k], dz = zi - cz[k];
        const double r2 = (dx * dx + dy * dy) + dz * dz;
        keep[k] = (unsigned char)((r2 < rl2) & (ci[k] != idi));
    }
    const int64_t m64 = (m + 63) & ~(int64_t)63;
    for (int64_t k = m; k < m64; k++) keep[k] = 0;
    for (int64_t k0 = 0; k0 < m64; k0 += 64) {
        uint64_t mask = 0;
        for (int g = 0; g < 8; g++) {
            uint64_t w;
            memcpy(&w, keep + k0 + 8 * g, 8);
            mask |= ((w * 0x0102040810204080ULL) >> 56) << (8 * g);
        }
        s->mask[k0 / 64] = mask;
    }
}

/* The kept candidates' indices, in order, into out[0 .. room-1]; returns how many were kept (the
 * caller grows the list when that is more than room). The C version walks the set bits. */
static inline __attribute__((always_inline)) int64_t compact_c(const nb_scratch *s, int64_t m, int32_t *out,
                                                               int64_t room)
{
    const int32_t *restrict cj = s->cj;
    int64_t cnt = 0;
    for (int64_t k0 = 0; k0 < m; k0 += 64)
        for (uint64_t mask = s->mask[k0 / 64]; mask; mask &= mask - 1, cnt++)
            if (cnt < room) out[cnt] = cj[k0 + __builtin_ctzll(mask)];
    return cnt;
}

static int64_t select_sse2(const nb_scratch *s, const nb_keep *q, int32_t *out, int64_t room)
{
    keep_masks_c(s, q);
    return compact_c(s, q->m, out, room);
}

#ifdef NB_INTRINSICS
/* Compares straight to mask bits, the same compares as the C loop (ordered r2 < rl2; int64 !=). */
SD_ISA_TARGET(SD_ISA_AVX2_FEATURES) static void keep_masks_avx2(const nb_scratch *s, const nb_keep *q)
{
    const __m256d xi = _mm256_set1_pd(q->xi), yi = _mm256_set1_pd(q->yi), zi = _mm256_set1_pd(q->zi);
    const __m256d rl2 = _mm256_set1_pd(q->rl2);
    const __m256i idi = _mm256_set1_epi64x(q->idi);
    const int64_t m4 = q->m & ~(int64_t)3;
    for (int64_t k0 = 0; k0 < q->m; k0 += 64) {
        uint64_t w = 0;
        int64_t b = k0;
        for (; b < k0 + 64 && b < m4; b += 4) {
            const __m256d dx = _mm256_sub_pd(xi, _mm256_loadu_pd(s->cx + b));
            const __m256d dy = _mm256_sub_pd(yi, _mm256_loadu_pd(s->cy + b));
            const __m256d dz = _mm256_sub_pd(zi, _mm256_loadu_pd(s->cz + b));
            const __m256d r2 =
                _mm256_add_pd(_mm256_add_pd(_mm256_mul_pd(dx, dx), _mm256_mul_pd(dy, dy)), _mm256_mul_pd(dz, dz));
            const int lt = _mm256_movemask_pd(_mm256_cmp_pd(r2, rl2, _CMP_LT_OQ));
            const __m256i same = _mm256_cmpeq_epi64(_mm256_loadu_si256((const __m256i *)(s->cid + b)), idi);
            w |= (uint64_t)(lt & ~_mm256_movemask_pd(_mm256_castsi256_pd(same))) << (b - k0);
        }
        for (; b < k0 + 64 && b < q->m; b++) { /* the last < 4 candidates */
            const double dx = q->xi - s->cx[b], dy = q->yi - s->cy[b], dz = q->zi - s->cz[b];
            const double r2 = (dx * dx + dy * dy) + dz * dz;
            w |= (uint64_t)((r2 < q->rl2) & (s->cid[b] != q->idi)) << (b - k0);
        }
        s->mask[k0 / 64] = w;
    }
}
SD_ISA_TARGET(SD_ISA_AVX2_FEATURES) static int64_t select_avx2(const nb_scratch *s, const nb_keep *q, int32_t *out,
                                                               int64_t room)
{
    keep_masks_avx2(s, q);
    return compact_c(s, q->m, out, room);
}

/* AVX-512: gcc's own code for the flag loop is as fast as compares to mask bits here (and
 * vpcompressd for the compaction was no faster either: measured) */
SD_ISA_TARGET(SD_ISA_AVX512_FEATURES) static int64_t select_avx512(const nb_scratch *s, const nb_keep *q, int32_t *out,
                                                                   int64_t room)
{
    keep_masks_c(s, q);
    return compact_c(s, q->m, out, room);
}
#else
static int64_t select_avx2(const nb_scratch *s, const nb_keep *q, int32_t *out, int64_t room)
{
    return select_sse2(s, q, out, room);
}
static int64_t select_avx512(const nb_scratch *s, const nb_keep *q, int32_t *out, int64_t room)
{
    return select_sse2(s, q, out, room);
}
#endif

typedef int64_t (*nb_select)(const nb_scratch *s, const nb_keep *q, int32_t *out, int64_t room);

static inline __attribute__((always_inline)) int64_t neighbor_build_body(const md_neighbor_args *a, nb_select select)
{
    const int64_t nh = a->home_count, n = nh + a->ghost_count, sc = a->position_stride, cap = a->list_capacity;
    const double *x = a->position;
    const double rl = a->list_radius;
    const int64_t *id = a->id;
    const md_grid *grid = a->grid;
    int64_t *start = a->list_start;
    int32_t *nbr = a->list;
    void *scratch = a->scratch;
    const size_t scratch_bytes = a->scratch_bytes;
    nb_scratch s;
    nb_grid(n, x, sc, rl, grid, &s.g);
    s.ncell = sd_md_grid_ncells(&s.g);
    if (nb_layout(NULL, n, s.ncell, NULL) > scratch_bytes) return -1;
    nb_layout(&s, n, s.ncell, (char *)(((uintptr_t)scratch + 63) & ~(uintptr_t)63));

    sd_md_bin(n, x, sc, &s.g, s.cell);
    sd_md_sort_by_cell(n, s.cell, id, s.ncell, s.cstart, s.perm);
    int64_t idmax = 0;
    {
        const double *restrict px = x, *restrict py = x + sc, *restrict pz = x + 2 * sc;
        for (int64_t r = 0; r < n; r++) {
            const int64_t p = s.perm[r];
            s.xs[r] = px[p], s.ys[r] = py[p], s.zs[r] = pz[p], s.ids[r] = id[p];
            idmax = id[p] > idmax ? id[p] : idmax;
        }
    }
    for (s.idbytes = 1; s.idbytes < 8 && (idmax >> (8 * s.idbytes)) != 0;) s.idbytes++;
    const double rl2 = rl * rl;
    int64_t total = 0, have = -1, m = 0;
    start[0] = 0;
    for (int64_t i = 0; i < nh; i++) {
        if (s.cell[i] != have) {
            m = cell_candidates(&s, s.cell[i]);
            have = s.cell[i];
        }
        const nb_keep q = {.xi = x[i], .yi = x[i + sc], .zi = x[i + 2 * sc], .rl2 = rl2, .idi = id[i], .m = m};
        const int64_t room = total < cap ? cap - total : 0;
        total += select(&s, &q, room ? nbr + total : NULL, room);
        start[i + 1] = total;
    }
    return total;
}

/* one copy per SIMD variant (md_kernels.h), each with its keep-mask function */
#define NB_DEF(ISA, TGT, unused)                                                                    \
    SD_ISA_TARGET(TGT) static int64_t neighbor_build_##ISA(const md_neighbor_args *a)              \
    {                                                                                               \
        return neighbor_build_body(a, select_##ISA);                                                \
    }
SD_ISA_EACH(NB_DEF, 0)

int64_t sd_md_neighbor_build(const md_neighbor_args *a) { return SD_ISA_PICK(neighbor_build)(a); }

/* Squared displacement of each home particle since the build, folded as sd_acc_extreme would
 * fold them one by one (count, nonfinite, maxv, minv), branch-free per chunk. */
void sd_md_max_disp2(int64_t n, const double *x, int64_t sc, const double *x0, int64_t sc0, sd_acc *acc)
{
    const double *restrict px = x, *restrict py = x + sc, *restrict pz = x + 2 * sc;
    const double *restrict qx = x0, *restrict qy = x0 + sc0, *restrict qz = x0 + 2 * sc0;
    double mx = -INFINITY, mn = INFINITY;
    int64_t nf = 0;
    for (int64_t i = 0; i < n; i++) {
        const double d2 = md_disp2(px[i], py[i], pz[i], qx[i], qy[i], qz[i]);
        const int bad = !(d2 <= 1.79769313486231570815e308); /* NaN or Inf */
        nf += bad;
        const double vmx = bad ? -INFINITY : d2, vmn = bad ? INFINITY : d2;
        mx = vmx > mx ? vmx : mx;
        mn = vmn < mn ? vmn : mn;
    }
    acc->count += n;
    acc->nonfinite += nf;
    if (n > nf) {
        if (mx > acc->maxv) acc->maxv = mx;
        if (mn < acc->minv) acc->minv = mn;
    }
}

int64_t sd_md_find_overlap(int64_t nh, const double *x, int64_t sc, const int32_t *type, const double *min2,
                           const int64_t *start, const int32_t *nbr, int64_t *j, double *r2)
{
    for (int64_t i = 0; i < nh; i++)
        for (int64_t k = start[i]; k < start[i + 1]; k++) {
            const int64_t m = nbr[k];
            const double d2 = md_disp2(x[i], x[i + sc], x[i + 2 * sc], x[m], x[m + sc], x[m + 2 * sc]);
            if (d2 < min2[type[i] * MD_MAX_TYPES + type[m]]) {
                *j = m;
                *r2 = d2;
                return i;
            }
        }
    return -1;
}
