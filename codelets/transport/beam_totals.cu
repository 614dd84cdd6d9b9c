/* beam_totals.cu - CUDA versions of transport.pencil_beam (the factors computed on the host by
 * beam.c's tr_beam_factors, as on the CPU, and passed by value), transport.totals and
 * transport.escaped (exact device sums into the engine's partials: kernel_cuda.cuh). Bitwise the
 * CPU. */
#include "transport_cuda.cuh"
#include "transport_kernels.h"

namespace {

/* gE[ne], gT[nt], gX[NX] in one parameter block. */
#define TR_BEAM_N 3800
typedef struct tr_beam_dev {
    int ne, nt, nx;
    double w;
    double g[TR_BEAM_N];
} tr_beam_dev;

template <typename T>
__global__ void beam_kernel(const sd_tile_args a, const tr_beam_dev f)
{
    T *psi = (T *)a.p[TR_BEAM_PSI], *nxt = (T *)a.p[TR_BEAM_PSI_NEXT];
    const int64_t s1 = a.stride[TR_BEAM_PSI][1], s3 = a.stride[TR_BEAM_PSI][3], s4 = a.stride[TR_BEAM_PSI][4];
    const int64_t n1 = a.stride[TR_BEAM_PSI_NEXT][1], n3 = a.stride[TR_BEAM_PSI_NEXT][3], n4 = a.stride[TR_BEAM_PSI_NEXT][4];
    SD_CUDA_FOR_3D(i, j, bin, a.n[0], a.n[1], (int64_t)f.nt * f.ne)
    {
        const int k = (int)(bin % f.nt), m = (int)(bin / f.nt);
        psi[i + j * s1 + k * s3 + m * s4] =
            a.origin[1] + j == 0 ? (T)(((f.w * f.g[m]) * f.g[f.ne + k]) * f.g[f.ne + f.nt + a.origin[0] + i]) : (T)0;
        nxt[i + j * n1 + k * n3 + m * n4] = (T)0;
    }
}

template <typename T>
__global__ void beam_occ_kernel(const sd_tile_args a, const int nt, const int ne)
{
    const T *psi = (const T *)a.p[TR_BEAM_PSI];
    double *occ = (double *)a.p[TR_BEAM_OCC], *occn = (double *)a.p[TR_BEAM_OCC_NEXT];
    const int64_t s1 = a.stride[TR_BEAM_PSI][1], s3 = a.stride[TR_BEAM_PSI][3], s4 = a.stride[TR_BEAM_PSI][4];
    const int64_t c1 = a.stride[TR_BEAM_OCC][1], cc = a.sc[TR_BEAM_OCC];
    const int64_t o1 = a.stride[TR_BEAM_OCC_NEXT][1], oc = a.sc[TR_BEAM_OCC_NEXT];
    SD_CUDA_FOR_3D(i, j, kc, a.n[0], a.n[1], 1)
    {
        (void)kc;
        double r[4] = {(double)nt, -1.0, (double)ne, -1.0};
        if (a.origin[1] + j == 0)
            for (int m = 0; m < ne; m++)
                for (int k = 0; k < nt; k++)
                    if (psi[i + j * s1 + k * s3 + m * s4] != (T)0) {
                        if (k < r[0]) r[0] = k;
                        if (k > r[1]) r[1] = k;
                        if (m < r[2]) r[2] = m;
                        if (m > r[3]) r[3] = m;
                    }
        for (int c = 0; c < 4; c++) occ[i + j * c1 + c * cc] = r[c];
        double *o = occn + i + j * o1;
        o[0] = nt, o[oc] = -1.0, o[2 * oc] = ne, o[3 * oc] = -1.0;
    }
}

/* totals: psi and psi E per non-zero value (kc = bin), the cells' sums once (bin 0) */
template <typename T>
__global__ void totals_kernel(const sd_tile_args a, const int nt, const int ne, const double elo, const double ehi)
{
    __shared__ sd_cuda_bacc sb[TR_NPARTIALS];
    sd_cuda_tacc t[TR_NPARTIALS];
    sd_cuda_red_begin(sb, t, TR_NPARTIALS);
    const T *psi = (const T *)a.p[TR_TOT_PSI];
    const double *dose = (const double *)a.p[TR_TOT_DOSE], *tal = (const double *)a.p[TR_TOT_TALLY];
    const int64_t s1 = a.stride[TR_TOT_PSI][1], s3 = a.stride[TR_TOT_PSI][3], s4 = a.stride[TR_TOT_PSI][4];
    const int64_t d1 = a.stride[TR_TOT_DOSE][1], t1 = a.stride[TR_TOT_TALLY][1], tc = a.sc[TR_TOT_TALLY];
    SD_CUDA_FOR_3D(i, j, bin, a.n[0], a.n[1], (int64_t)nt * ne)
    {
        const int k = (int)(bin % nt), m = (int)(bin / nt);
        const double v = (double)psi[i + j * s1 + k * s3 + m * s4];
        if (v != 0.0) {
            sd_cuda_acc_add(&t[TR_P_WEIGHT], &sb[TR_P_WEIGHT], v);
            sd_cuda_acc_add(&t[TR_P_ENERGY], &sb[TR_P_ENERGY], v * tr_centre(elo, ehi, ne, m));
        }
        if (bin == 0) {
            const double *c = tal + i + j * t1;
            sd_cuda_acc_add(&t[TR_P_DEPOSITED], &sb[TR_P_DEPOSITED], dose[i + j * d1]);
            sd_cuda_acc_add(&t[TR_P_STOPPED], &sb[TR_P_STOPPED], c[0]);
            sd_cuda_acc_add(&t[TR_P_LOST], &sb[TR_P_LOST], c[tc]);
            sd_cuda_acc_add(&t[TR_P_LOST_E], &sb[TR_P_LOST_E], c[7 * tc]);
            for (int s = 2; s <= 5; s++) {
                sd_cuda_acc_add(&t[TR_P_ESCAPED], &sb[TR_P_ESCAPED], c[s * tc]);
                sd_cuda_acc_add(&t[TR_P_ESCAPED_E], &sb[TR_P_ESCAPED_E], c[(s + 6) * tc]);
            }
        }
    }
    sd_cuda_red_end(sb, t, TR_NPARTIALS, a.acc);
}

__global__ void escaped_kernel(const sd_tile_args a)
{
    __shared__ sd_cuda_bacc sb[8];
    sd_cuda_tacc t[8];
    sd_cuda_red_begin(sb, t, 8);
    const double *tal = (const double *)a.p[TR_ESC_TALLY];
    const int64_t t1 = a.stride[TR_ESC_TALLY][1], tc = a.sc[TR_ESC_TALLY];
    SD_CUDA_FOR_3D(i, j, kc, a.n[0], a.n[1], 1)
    {
        (void)kc;
        for (int s = 0; s < 4; s++) {
            sd_cuda_acc_add(&t[s], &sb[s], tal[i + j * t1 + (s + 2) * tc]);
            sd_cuda_acc_add(&t[s + 4], &sb[s + 4], tal[i + j * t1 + (s + 8) * tc]);
        }
    }
    sd_cuda_red_end(sb, t, 8, a.acc);
}

} // namespace

extern "C" void sd_transport_pencil_beam_cuda(const sd_tile_args *a, void *stream)
{
    cudaStream_t s = (cudaStream_t)stream;
    static thread_local tr_beam_dev f;
    const int64_t nt = a->inner_n[0], ne = a->inner_n[1], NX = a->shape[0];
    if (ne + nt + NX > TR_BEAM_N) {
        fprintf(stderr, "stardag: transport.pencil_beam (CUDA): %lld E bins + %lld angle bins + %lld cells along x exceed the "
                        "%d factors a kernel parameter holds (use CPU workers for the init)\n", (long long)ne, (long long)nt,
                (long long)NX, TR_BEAM_N);
        return tr_refuse(s);
    }
    const double *p = a->param;
    const double x0 = isnan(p[TR_BEAM_X0]) ? 0.5 * (double)NX * a->dx[0] : p[TR_BEAM_X0];
    f.ne = (int)ne, f.nt = (int)nt, f.nx = (int)NX, f.w = p[TR_BEAM_WEIGHT];
    tr_beam_factors(a->inner_lo[1], a->inner_hi[1], ne, p[TR_BEAM_ENERGY], p[TR_BEAM_ESPREAD], f.g);
    tr_beam_factors(a->inner_lo[0], a->inner_hi[0], nt, p[TR_BEAM_ANGLE], p[TR_BEAM_ASPREAD], f.g + ne);
    tr_beam_factors(0.0, (double)NX * a->dx[0], NX, x0, p[TR_BEAM_WIDTH], f.g + ne + nt);
    dim3 g, b;
    const bool f64 = a->dtype[TR_BEAM_PSI] == SD_F64;
    if (sd_cuda_dims(a->n[0], a->n[1], nt * ne, 0, &g, &b)) {
        if (f64) beam_kernel<double><<<g, b, 0, s>>>(*a, f);
        else beam_kernel<float><<<g, b, 0, s>>>(*a, f);
    }
    if (sd_cuda_dims(a->n[0], a->n[1], 1, 0, &g, &b)) {
        if (f64) beam_occ_kernel<double><<<g, b, 0, s>>>(*a, (int)nt, (int)ne);
        else beam_occ_kernel<float><<<g, b, 0, s>>>(*a, (int)nt, (int)ne);
    }
    sd_cuda_check("transport.pencil_beam");
}

extern "C" void sd_transport_totals_cuda(const sd_tile_args *a, void *stream)
{
    cudaStream_t s = (cudaStream_t)stream;
    const int64_t nt = a->inner_n[0], ne = a->inner_n[1];
    dim3 g, b;
    if (sd_cuda_dims(a->n[0], a->n[1], nt * ne, SD_CUDA_RED_MAX_BLOCKS, &g, &b)) {
        if (a->dtype[TR_TOT_PSI] == SD_F64)
            totals_kernel<double><<<g, b, 0, s>>>(*a, (int)nt, (int)ne, a->inner_lo[1], a->inner_hi[1]);
        else totals_kernel<float><<<g, b, 0, s>>>(*a, (int)nt, (int)ne, a->inner_lo[1], a->inner_hi[1]);
    }
    sd_cuda_check("transport.totals");
}

extern "C" void sd_transport_escaped_cuda(const sd_tile_args *a, void *stream)
{
    cudaStream_t s = (cudaStream_t)stream;
    dim3 g, b;
    if (sd_cuda_dims(a->n[0], a->n[1], 1, SD_CUDA_RED_MAX_BLOCKS, &g, &b)) escaped_kernel<<<g, b, 0, s>>>(*a);
    sd_cuda_check("transport.escaped");
}
