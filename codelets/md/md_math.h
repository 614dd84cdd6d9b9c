/* md_math.h - per-pair and per-particle math of the md pack (Lennard-Jones molecular dynamics),
 * written once: compiles as C and as CUDA (SD_HD). The CPU loops (lj_force.c, integrate.c,
 * lattice_init.c, neighbor.c, cells.c) and the CUDA kernels (*.cu) call these functions; the
 * tests replicate the evaluation orders written here.
 *
 * Bitwise reproducibility (CPU vs CPU at any blocking, CPU vs CUDA) needs: no FMA contraction
 * (gcc -ffp-contract=off, nvcc -fmad=false), IEEE division and sqrt (nvcc's defaults for double),
 * exactly the operation orders below, and no libm call inside a per-particle function (the only
 * transcendental, the log of the Gaussian generator, is md_log below: + - * / only). Coefficients
 * that need exp/sqrt/cbrt are computed once on the host and passed in.
 *
 * Layout used by every kernel (the particles domain): per-particle fields are SoA with the
 * component outermost, component c of particle i at p[i + c*sc]. A block (tile) sees its HOME
 * particles [0, nh) followed by its GHOST particles [nh, nh+ng): copies of particles of other
 * blocks (or periodic images of its own) within the list cutoff of the block, their coordinates
 * shifted by whole box lengths with md_image(). */
#ifndef SD_MD_MATH_H
#define SD_MD_MATH_H

#include <math.h>
#include <stdint.h>
#include "stardag/detmath.h"
#include "stardag/kernel.h"

/* ---- Units and constants (every physical constant of the pack is here) -----------------------
 * Two unit systems; the kernels are unit-agnostic (kB is a parameter), and no conversion factor
 * appears anywhere in the dynamics:
 *   LJ reduced units: length sigma, energy epsilon, mass m, time tau = sigma sqrt(m/epsilon),
 *     temperature epsilon/kB, pressure epsilon/sigma^3; kB = 1.
 *   "real" molecular units (GROMACS / ProteinMD): length nm, time ps, mass amu (g/mol), energy
 *     kJ/mol, temperature K, force kJ/mol/nm. F/m in kJ/mol/nm/amu is exactly nm/ps^2
 *     (1 kJ/mol/amu = 1e6 J/kg = 1 nm^2/ps^2), so v += (dt/m) F needs no factor.
 *     Pressure comes out in kJ/mol/nm^3; multiply by MD_BAR_PER_KJMOL_NM3 for bar.
 *   LAMMPS "metal" units: length A, time ps, mass g/mol, energy eV, temperature K, force eV/A.
 *     F/m is not an acceleration in A/ps^2 there (LAMMPS multiplies by ftm2v = 1/mvv2e), so the
 *     runtime hands the kernels masses times MD_MVV2E_METAL (eV ps^2/A^2): v += (dt/m) F and
 *     KE = m v^2/2 then hold as written. Pressure comes out in eV/A^3 (x 1.6021765e6 for bar). */
#define MD_KB_LJ 1.0
#define MD_KB_REAL 0.00831446261815324        /* kJ/mol/K: R/1000 = kB*NA/1000 (SI 2019, exact) */
#define MD_KB_METAL 8.617333262e-5            /* eV/K (CODATA 2018: 1.380649e-23 J/K / e) */
#define MD_MVV2E_METAL 1.0364269e-4            /* eV per g/mol (A/ps)^2: LAMMPS' force->mvv2e in metal */
#define MD_AVOGADRO 6.02214076e23             /* 1/mol (SI 2019, exact) */
#define MD_BAR_PER_KJMOL_NM3 16.605390671738466 /* 1e3/NA J / 1e-27 m^3 / 1e5 Pa; GROMACS: 16.6054 */

/* ---- Limits ----------------------------------------------------------------------------------- */
#define MD_MAX_TYPES 8 /* particle types per system (the pair table is MD_MAX_TYPES^2) */
#define MD_LANES 8     /* force sums: list position k goes to partial sum k % MD_LANES (below) */
#define MD_LANES_F32 16 /* the same in mixed precision: one AVX-512 vector of f32, two of AVX2 */
/* Cell grids for neighbour search use cells at least rl*(1+MD_CELL_MARGIN) wide, so a pair
 * within rl is never two cells apart whatever the rounding of the binning. */
#define MD_CELL_MARGIN 1e-9

/* ---- Lennard-Jones pair table ------------------------------------------------------------------
 * U(r) = 4 eps [(sigma/r)^12 - (sigma/r)^6] - eshift = c12/r^12 - c6/r^6 - eshift for r < rc,
 * 0 beyond. Force on i from j: F_i = fr * (r_i - r_j) with fr = (12 c12/r^12 - 6 c6/r^6) / r^2.
 * One entry per ordered type pair (a, b) at a*MD_MAX_TYPES + b; the table is symmetric.
 *     c6 = (4*eps) * s6, c12 = (4*eps) * (s6*s6), s6 = ((sigma*sigma)*(sigma*sigma))*(sigma*sigma)
 *     f12 = 12*c12, f6 = 6*c6, rc2 = rc*rc
 *     eshift = md_lj_energy(rc2, c12, c6, 0) when shifted (U(rc) = 0), else 0.
 * The force is not shifted (it jumps by fr(rc) at the cutoff). Lorentz-Berthelot mixing:
 * sigma_ab = 0.5*(sigma_a + sigma_b), eps_ab = sqrt(eps_a*eps_b). ~3 KiB: small enough to pass by
 * value to a CUDA kernel. */
typedef struct md_lj_table {
    int ntypes;    /* types 0 .. ntypes-1 are valid */
    double rc_max; /* largest pair cutoff (the list cutoff is rc_max + skin) */
    double c12[MD_MAX_TYPES * MD_MAX_TYPES], c6[MD_MAX_TYPES * MD_MAX_TYPES];
    double f12[MD_MAX_TYPES * MD_MAX_TYPES], f6[MD_MAX_TYPES * MD_MAX_TYPES];
    double rc2[MD_MAX_TYPES * MD_MAX_TYPES], eshift[MD_MAX_TYPES * MD_MAX_TYPES];
} md_lj_table;

/* Pair force factor fr (F_i = fr * (r_i - r_j)), for r2 > 0:
 *     r2i = 1/r2; r6i = (r2i*r2i)*r2i; fr = (r6i * (f12*r6i - f6)) * r2i */
SD_HD double md_lj_fr(double r2, double f12, double f6)
{
    const double r2i = 1.0 / r2, r6i = (r2i * r2i) * r2i;
    return (r6i * (f12 * r6i - f6)) * r2i;
}

/* Pair energy c12/r^12 - c6/r^6 - eshift:  r6i * (c12*r6i - c6) - eshift (r2i, r6i as above). */
SD_HD double md_lj_energy(double r2, double c12, double c6, double eshift)
{
    const double r2i = 1.0 / r2, r6i = (r2i * r2i) * r2i;
    return r6i * (c12 * r6i - c6) - eshift;
}

/* Pair energy and virial r.F together, with one division; bitwise the same as
 * md_lj_energy(r2, c12, c6, eshift) and r2 * md_lj_fr(r2, f12, f6). */
SD_HD void md_lj_energy_virial(double r2, double c12, double c6, double eshift, double f12, double f6, double *e,
                               double *w)
{
    const double r2i = 1.0 / r2, r6i = (r2i * r2i) * r2i;
    *e = r6i * (c12 * r6i - c6) - eshift;
    *w = r2 * ((r6i * (f12 * r6i - f6)) * r2i);
}

/* Mixed precision (the particles domain's `precision: mixed`): the same three formulas on f32
 * operands, with f32 coordinates (float)x of the double positions (ghosts: of their double image
 * md_image) and f32 coefficients (float)c of the table's doubles. Only the per-pair arithmetic is
 * f32; sums of forces over lanes, energies, virial and integration stay f64 (lj_force_mixed.c). */
SD_HD float md_lj_fr_f32(float r2, float f12, float f6)
{
    const float r2i = 1.0f / r2, r6i = (r2i * r2i) * r2i;
    return (r6i * (f12 * r6i - f6)) * r2i;
}

SD_HD void md_lj_energy_virial_f32(float r2, float c12, float c6, float eshift, float f12, float f6, float *e,
                                   float *w)
{
    const float r2i = 1.0f / r2, r6i = (r2i * r2i) * r2i;
    *e = r6i * (c12 * r6i - c6) - eshift;
    *w = r2 * ((r6i * (f12 * r6i - f6)) * r2i);
}

/* A particle's summed force, with any NaN (a non-finite position: inf * 0 and inf - inf are NaN)
 * replaced by the one quiet NaN 0x7ff8000000000000: a NaN's sign and payload depend on the operand
 * order a compiler chose for a SIMD variant or a GPU, the canonical one does not. */
SD_HD double md_canonical_nan(double x)
{
    if (x == x) return x;
    const uint64_t q = 0x7ff8000000000000ULL;
    memcpy(&x, &q, sizeof x);
    return x;
}

SD_HD void md_lj_table_init(md_lj_table *t, int ntypes)
{
    t->ntypes = ntypes;
    t->rc_max = 0.0;
    for (int k = 0; k < MD_MAX_TYPES * MD_MAX_TYPES; k++)
        t->c12[k] = t->c6[k] = t->f12[k] = t->f6[k] = t->rc2[k] = t->eshift[k] = 0.0;
}

/* Set the pair (a, b) and (b, a). eps = 0 makes the pair non-interacting (all zero but rc2). */
SD_HD void md_lj_table_set(md_lj_table *t, int a, int b, double eps, double sigma, double rc, int shift)
{
    const double s2 = sigma * sigma, s6 = (s2 * s2) * s2, e4 = 4.0 * eps;
    const double c6 = e4 * s6, c12 = e4 * (s6 * s6), rc2 = rc * rc;
    const double esh = shift ? md_lj_energy(rc2, c12, c6, 0.0) : 0.0;
    const int ab = a * MD_MAX_TYPES + b, ba = b * MD_MAX_TYPES + a;
    t->c12[ab] = t->c12[ba] = c12;
    t->c6[ab] = t->c6[ba] = c6;
    t->f12[ab] = t->f12[ba] = 12.0 * c12;
    t->f6[ab] = t->f6[ba] = 6.0 * c6;
    t->rc2[ab] = t->rc2[ba] = rc2;
    t->eshift[ab] = t->eshift[ba] = esh;
    if (rc > t->rc_max) t->rc_max = rc;
}

/* Lorentz-Berthelot mixing of per-type eps[a], sigma[a] (a < ntypes), one cutoff for all. */
SD_HD void md_lj_table_lb(md_lj_table *t, int ntypes, const double *eps, const double *sigma, double rc,
                          int shift)
{
    md_lj_table_init(t, ntypes);
    for (int a = 0; a < ntypes; a++)
        for (int b = a; b < ntypes; b++)
            md_lj_table_set(t, a, b, sqrt(eps[a] * eps[b]), 0.5 * (sigma[a] + sigma[b]), rc, shift);
}

/* Explicit pair parameters: eps[a*ntypes + b], sigma[a*ntypes + b] read for a <= b (the table is
 * made symmetric from the upper triangle); rc_ab = rc, or rcab[a*ntypes + b] when rcab != NULL. */
SD_HD void md_lj_table_explicit(md_lj_table *t, int ntypes, const double *eps, const double *sigma,
                                double rc, const double *rcab, int shift)
{
    md_lj_table_init(t, ntypes);
    for (int a = 0; a < ntypes; a++)
        for (int b = a; b < ntypes; b++)
            md_lj_table_set(t, a, b, eps[a * ntypes + b], sigma[a * ntypes + b],
                            rcab ? rcab[a * ntypes + b] : rc, shift);
}

/* ---- Periodic box --------------------------------------------------------------------------------
 * Positions live in [0, L) per axis (wrapped at neighbour-list rebuilds only: between rebuilds a
 * particle may leave the box by less than the skin, and its ghosts keep their image shift).
 * A ghost is the image x + s*L, s in {-1, 0, 1}, computed exactly as md_image does: every
 * blocking then sees bitwise the same coordinate difference for a pair. */
SD_HD double md_image(double x, int s, double L) { return x + (double)s * L; }

/* Minimum-image difference (needs |dx| < 1.5 L): dx - L*rint(dx*iL), iL = 1/L. */
SD_HD double md_min_image(double dx, double L, double iL) { return dx - L * rint(dx * iL); }

/* Wrap into [0, L): r = x - L*floor(x/L); then r += L if r < 0; r -= L if r >= L (a tiny
 * negative x gives L after rounding, hence 0). */
SD_HD double md_wrap(double x, double L)
{
    double r = x - L * floor(x / L);
    r = r < 0.0 ? r + L : r;
    r = r >= L ? r - L : r;
    return r;
}

/* ---- Cell grids ------------------------------------------------------------------------------------
 * nc[d] cells of width 1/ih[d] from lo[d]; cell (cx, cy, cz) has index cx + nc0*(cy + nc1*cz).
 * A coordinate maps to floor((x - lo) * ih), clamped to [0, nc-1]. */
typedef struct md_grid {
    double lo[3], ih[3];
    int64_t nc[3];
} md_grid;

SD_HD int64_t md_cell_coord(double x, double lo, double ih, int64_t nc)
{
    const double q = floor((x - lo) * ih);
    return !(q >= 0.0) ? 0 : (q >= (double)nc ? nc - 1 : (int64_t)q); /* NaN: cell 0, never UB */
}

SD_HD int64_t md_cell_index(const md_grid *g, double x, double y, double z)
{
    return md_cell_coord(x, g->lo[0], g->ih[0], g->nc[0]) +
           g->nc[0] * (md_cell_coord(y, g->lo[1], g->ih[1], g->nc[1]) +
                       g->nc[1] * md_cell_coord(z, g->lo[2], g->ih[2], g->nc[2]));
}

/* Squared displacement since the last list build: (dx*dx + dy*dy) + dz*dz, d = x - x0. */
SD_HD double md_disp2(double x, double y, double z, double x0, double y0, double z0)
{
    const double dx = x - x0, dy = y - y0, dz = z - z0;
    return (dx * dx + dy * dy) + dz * dz;
}

/* ---- Integration (velocity Verlet; kick = half step) ---------------------------------------------
 *     kick:  v = v + c * f,   c = (0.5*dt) / m   (per type, computed once per call)
 *     drift: x = x + dt * v
 *     adjust (momentum removal / rescaling): v = (v - vs) * lambda */
SD_HD double md_kick(double v, double f, double c) { return v + c * f; }
SD_HD double md_drift(double x, double v, double dt) { return x + dt * v; }
SD_HD double md_adjust(double v, double vs, double lambda) { return (v - vs) * lambda; }

/* Kinetic energy of one particle: (0.5*m) * ((ux*ux + uy*uy) + uz*uz). */
SD_HD double md_ke_term(double m, double ux, double uy, double uz)
{
    return (0.5 * m) * ((ux * ux + uy * uy) + uz * uz);
}

/* T = 2 KE / (dof kB); dof = 3N - 3 when the total momentum is removed. */
SD_HD double md_temperature(double ke, double dof, double kB) { return (2.0 * ke) / (dof * kB); }
/* P = (2 KE + W) / (3 V), W = sum over pairs r_ij . F_ij (the virial of md_lj energy/virial). */
SD_HD double md_pressure(double ke, double w, double V) { return (2.0 * ke + w) / (3.0 * V); }

/* Rescaling factor that brings temperature T to T0: sqrt(T0 / T) (1 if T <= 0). */
SD_HD double md_rescale_lambda(double T, double T0) { return T > 0.0 ? sqrt(T0 / T) : 1.0; }

/* Berendsen weak coupling: lambda = sqrt(1 + (dt/tau) (T0/T - 1)), clamped to [0.8, 1.25] as
 * GROMACS does; 1 when T <= 0. Apply with md_adjust(v, 0, lambda). */
SD_HD double md_berendsen_lambda(double T, double T0, double dt, double tau)
{
    if (!(T > 0.0)) return 1.0;
    const double l2 = 1.0 + (dt / tau) * (T0 / T - 1.0);
    double l = l2 > 0.0 ? sqrt(l2) : 0.0;
    l = l < 0.8 ? 0.8 : l;
    return l > 1.25 ? 1.25 : l;
}

/* ---- Counter-based random numbers ------------------------------------------------------------------
 * A number is a pure function of (seed, id, step, stream, comp, k): the same for a particle
 * whatever block or device computes it. Hash: splitmix64's finaliser chained over the words
 *     h = mix(seed + G); h = mix(h ^ (id + G)); h = mix(h ^ (step + G));
 *     h = mix(h ^ ((stream << 40 | comp << 32 | k) + G)),   G = 0x9E3779B97F4A7C15
 * stream separates uses (MD_RNG_*), comp is the vector component, k a draw counter. */
enum { MD_RNG_VELOCITY = 1, MD_RNG_LANGEVIN = 2 };

SD_HD uint64_t md_mix64(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

SD_HD uint64_t md_rng_bits(uint64_t seed, int64_t id, int64_t step, int stream, int comp, uint32_t k)
{
    const uint64_t G = 0x9E3779B97F4A7C15ULL;
    uint64_t h = md_mix64(seed + G);
    h = md_mix64(h ^ ((uint64_t)id + G));
    h = md_mix64(h ^ ((uint64_t)step + G));
    const uint64_t w = ((uint64_t)(uint32_t)stream << 40) | ((uint64_t)(comp & 0xff) << 32) | (uint64_t)k;
    return md_mix64(h ^ (w + G));
}

/* Uniform in [0, 1): top 53 bits * 2^-53. */
SD_HD double md_uniform(uint64_t seed, int64_t id, int64_t step, int stream, int comp, uint32_t k)
{
    return (double)(md_rng_bits(seed, id, step, stream, comp, k) >> 11) * 0x1p-53;
}

/* Natural log of a positive normal double with + - * / only (so C and CUDA agree bitwise):
 * x = m 2^e, m in [sqrt(1/2), sqrt(2)); log m = 2 atanh(s), s = (m-1)/(m+1), |s| < 0.1716, by
 * the series 2s(1 + z/3 + ... + z^11/23), z = s*s (truncation < 1e-19 relative);
 * log x = e*ln2_hi + (e*ln2_lo + log m). Error ~1 ulp. */
SD_HD double md_log(double x)
{
    uint64_t u;
    memcpy(&u, &x, sizeof u);
    int e = (int)((u >> 52) & 0x7ff) - 1023;
    u = (u & 0x000fffffffffffffULL) | 0x3ff0000000000000ULL; /* m in [1, 2) */
    double m;
    memcpy(&m, &u, sizeof m);
    if (m > 1.4142135623730951) { m = 0.5 * m; e = e + 1; }
    const double s = (m - 1.0) / (m + 1.0), z = s * s;
    double p = 1.0 / 23.0;
    p = p * z + 1.0 / 21.0;
    p = p * z + 1.0 / 19.0;
    p = p * z + 1.0 / 17.0;
    p = p * z + 1.0 / 15.0;
    p = p * z + 1.0 / 13.0;
    p = p * z + 1.0 / 11.0;
    p = p * z + 1.0 / 9.0;
    p = p * z + 1.0 / 7.0;
    p = p * z + 1.0 / 5.0;
    p = p * z + 1.0 / 3.0;
    p = p * z + 1.0;
    const double ln2_hi = 6.93147180369123816490e-01, ln2_lo = 1.90821492927058770002e-10;
    return (double)e * ln2_hi + ((double)e * ln2_lo + (2.0 * s) * p);
}

/* Standard normal number (Marsaglia's polar method; draws k = 0,1 / 2,3 / ... until accepted):
 *     a = 2*U(2k) - 1, b = 2*U(2k+1) - 1, s = a*a + b*b; accept 0 < s < 1;
 *     z = a * sqrt((-2.0 * md_log(s)) / s) */
SD_HD double md_gaussian(uint64_t seed, int64_t id, int64_t step, int stream, int comp)
{
    for (uint32_t k = 0;; k += 2) {
        const double a = 2.0 * md_uniform(seed, id, step, stream, comp, k) - 1.0;
        const double b = 2.0 * md_uniform(seed, id, step, stream, comp, k + 1) - 1.0;
        const double s = a * a + b * b;
        if (s < 1.0 && s > 0.0) return a * sqrt((-2.0 * md_log(s)) / s);
    }
}

/* ---- Thermostat coefficients (host side: exp and sqrt computed once per call) ------------------- */
/* Langevin (the O part of a BAOAB/OBABO splitting, applied after the second kick):
 *     v = c1 * v + c2[type] * R,  R ~ N(0,1) from md_gaussian(seed, id, step, MD_RNG_LANGEVIN, c)
 *     c1 = exp(-gamma*dt), c2[t] = sqrt((1 - c1*c1) * (kB*T / m[t])) */
SD_HD double md_langevin_c1(double gamma, double dt) { return sd_exp(-gamma * dt); }
SD_HD double md_langevin_c2(double c1, double kB, double T, double m) { return sqrt((1.0 - c1 * c1) * ((kB * T) / m)); }
SD_HD double md_langevin(double v, double c1, double c2, double r) { return c1 * v + c2 * r; }

/* Maxwell-Boltzmann width of one velocity component: sqrt(kB*T / m). */
SD_HD double md_thermal_sigma(double kB, double T, double m) { return sqrt((kB * T) / m); }

/* ---- fcc lattice ---------------------------------------------------------------------------------------
 * Lattice constant for number density rho: a = (4/rho)^(1/3). Particle k (0 <= k < 4 nx ny nz):
 * cell q = k / 4, basis b = k % 4; cx = q % nx, cy = (q / nx) % ny, cz = q / (nx ny);
 * basis offsets (0,0,0), (1/2,1/2,0), (1/2,0,1/2), (0,1/2,1/2); x_d = a * (c_d + off_d[b])
 * (exact for the half offsets). The box is (nx a, ny a, nz a). */
SD_HD void md_fcc_site(int64_t k, int64_t nx, int64_t ny, double a, double *x, double *y, double *z)
{
    const int64_t q = k / 4, b = k % 4;
    const int64_t cx = q % nx, cy = (q / nx) % ny, cz = q / (nx * ny);
    const double ox = (b == 1 || b == 2) ? 0.5 : 0.0, oy = (b == 1 || b == 3) ? 0.5 : 0.0,
                 oz = (b == 2 || b == 3) ? 0.5 : 0.0;
    *x = a * ((double)cx + ox);
    *y = a * ((double)cy + oy);
    *z = a * ((double)cz + oz);
}

#endif
