/* step.cu - CUDA versions of transport.step (fused), transport.stream and the two in-place
 * operators transport.angular_scatter and transport.energy_loss, with the occupancy they write.
 * Dense loops in the CPU's per-element orders (transport_cuda.cuh): bitwise the CPU. Per cell, the
 * dose and tally sums run sequentially in one thread (source E bin, then angle bin), as on the CPU. */
#include "transport_cuda.cuh"
#include "transport_kernels.h"

namespace {

/* Per interior cell: LOST (scatter's lost weight, from psi) and DEPOSIT (energy loss of the
 * scattered values when SCATTER, else of psi), source bin by source bin. */
template <typename T, bool LOST, bool DEPOSIT, bool SCATTER>
__global__ void cell_tally_kernel(const sd_tile_args a, const tr_dev t, const int bpsi, const int bdose, const int btally)
{
    const T *psi = (const T *)a.p[bpsi];
    double *dose = DEPOSIT ? (double *)a.p[bdose] : NULL, *tal = (double *)a.p[btally];
    const tr_ps p = {a.stride[bpsi][1], a.stride[bpsi][3], a.stride[bpsi][4]};
    const int64_t ts1 = a.stride[btally][1], tsc = a.sc[btally], ds1 = DEPOSIT ? a.stride[bdose][1] : 0;
    SD_CUDA_FOR_3D(i, j, kc, a.n[0], a.n[1], 1)
    {
        (void)kc;
        const T *c = psi + i + j * p.s1;
        double *tc = tal + i + j * ts1;
        for (int q = 0; q < t.ne; q++) {
            const double Em = TRD(t, TRD_E, q);
            if (LOST)
                for (int k = 0; k < t.nt; k++) {
                    const double lf = tr_lost_at(t, q, k);
                    if (lf == 0.0) continue;
                    const double l = (double)c[(int64_t)k * p.s3 + (int64_t)q * p.s4] * lf;
                    tc[tsc] += l;
                    tc[7 * tsc] += l * Em;
                }
            if (DEPOSIT) {
                const int stop = (int)TRD(t, TRD_STOP, q), lo = (int)TRD(t, TRD_LO, q);
                const T f = (T)TRD(t, TRD_FLO, q);
                const double El = TRD(t, TRD_E, lo), Eh = stop ? 0.0 : TRD(t, TRD_E, lo + 1);
                double *dc = dose + i + j * ds1;
                for (int k = 0; k < t.nt; k++) {
                    const T r = SCATTER ? tr_scatter_at<T>(t, c, p, k, q) : c[(int64_t)k * p.s3 + (int64_t)q * p.s4];
                    if (stop) {
                        const double w = (double)r, e = w * Em;
                        tc[0] += w;
                        *dc += e;
                        tc[6 * tsc] += e;
                    } else {
                        const T wl = f * r, wh = r - wl;
                        *dc += (double)r * Em - ((double)wl * El + (double)wh * Eh);
                    }
                }
            }
        }
    }
}

/* psi_next of every interior cell and bin: the streaming gather of the sources' values. */
template <typename T, bool FUSED>
__global__ void stream_kernel(const sd_tile_args a, const tr_dev t, const int bpsi, const int bout)
{
    const T *psi = (const T *)a.p[bpsi];
    T *out = (T *)a.p[bout];
    const tr_ps p = {a.stride[bpsi][1], a.stride[bpsi][3], a.stride[bpsi][4]};
    const int64_t o1 = a.stride[bout][1], o3 = a.stride[bout][3], o4 = a.stride[bout][4];
    SD_CUDA_FOR_3D(i, j, bin, a.n[0], a.n[1], (int64_t)t.nt * t.ne)
    {
        const int k = (int)(bin % t.nt), d = (int)(bin / t.nt);
        const T c00 = (T)TRD_SW(t, 0, k), c10 = (T)TRD_SW(t, 1, k), c01 = (T)TRD_SW(t, 2, k), c11 = (T)TRD_SW(t, 3, k);
        const int sx = (int)TRD_SW(t, 4, k), sz = (int)TRD_SW(t, 5, k);
        T b[4];
        const int64_t si[4] = {i, i - sx, i, i - sx}, sj[4] = {j, j, j - sz, j - sz};
        for (int n = 0; n < 4; n++) {
            const int64_t gx = a.origin[0] + si[n], gz = a.origin[1] + sj[n];
            b[n] = gx < 0 || gx >= a.shape[0] || gz < 0 || gz >= a.shape[1]
                       ? (T)0 : tr_source_at<T, FUSED>(t, psi + si[n] + sj[n] * p.s1, p, k, d);
        }
        out[i + j * o1 + k * o3 + d * o4] = ((c00 * b[0] + c10 * b[1]) + c01 * b[2]) + c11 * b[3];
    }
}

/* Escapes of the tile's cells on the grid's sides, per cell over (d, k) ascending. */
template <typename T, bool FUSED>
__global__ void escape_kernel(const sd_tile_args a, const tr_dev t, const int bpsi, const int btally)
{
    const T *psi = (const T *)a.p[bpsi];
    double *tal = (double *)a.p[btally];
    const tr_ps p = {a.stride[bpsi][1], a.stride[bpsi][3], a.stride[bpsi][4]};
    const int64_t ts1 = a.stride[btally][1], tsc = a.sc[btally];
    SD_CUDA_FOR_3D(i, j, kc, a.n[0], a.n[1], 1)
    {
        (void)kc;
        const int64_t gx = a.origin[0] + i, gz = a.origin[1] + j;
        if (gx != 0 && gx != a.shape[0] - 1 && gz != 0 && gz != a.shape[1] - 1) continue;
        double *tc = tal + i + j * ts1;
        for (int d = 0; d < t.ne; d++)
            for (int k = 0; k < t.nt; k++) {
                const int sx = (int)TRD_SW(t, 4, k), sz = (int)TRD_SW(t, 5, k);
                if (gx != (sx < 0 ? 0 : a.shape[0] - 1) && gz != (sz < 0 ? 0 : a.shape[1] - 1)) continue;
                const double v = (double)tr_source_at<T, FUSED>(t, psi + i + j * p.s1, p, k, d);
                if (v == 0.0) continue;
                const double c[3] = {(double)(T)TRD_SW(t, 1, k), (double)(T)TRD_SW(t, 2, k), (double)(T)TRD_SW(t, 3, k)};
                const int ax[3] = {1, 0, 1}, az[3] = {0, 1, 1};
                for (int n = 0; n < 3; n++) {
                    const int64_t dx = gx + ax[n] * sx, dz = gz + az[n] * sz;
                    const int ch = dx < 0 ? 2 : dx >= a.shape[0] ? 3 : dz < 0 ? 4 : dz >= a.shape[1] ? 5 : -1;
                    if (ch < 0) continue;
                    const double e = v * c[n];
                    tc[ch * tsc] += e;
                    tc[(ch + 6) * tsc] += e * TRD(t, TRD_E, d);
                }
            }
    }
}

/* Exact occupancy of every interior cell of buffer bpsi into bocc. */
template <typename T>
__global__ void occ_kernel(const sd_tile_args a, const int nt, const int ne, const int bpsi, const int bocc)
{
    const T *psi = (const T *)a.p[bpsi];
    double *occ = (double *)a.p[bocc];
    const int64_t s1 = a.stride[bpsi][1], s3 = a.stride[bpsi][3], s4 = a.stride[bpsi][4];
    const int64_t c1 = a.stride[bocc][1], cc = a.sc[bocc];
    SD_CUDA_FOR_3D(i, j, kc, a.n[0], a.n[1], 1)
    {
        (void)kc;
        int r0 = nt, r1 = -1, r2 = ne, r3 = -1;
        for (int m = 0; m < ne; m++)
            for (int k = 0; k < nt; k++)
                if (psi[i + j * s1 + k * s3 + m * s4] != (T)0) {
                    r0 = k < r0 ? k : r0, r1 = k > r1 ? k : r1, r2 = m < r2 ? m : r2, r3 = m > r3 ? m : r3;
                }
        double *o = occ + i + j * c1;
        o[0] = r0, o[cc] = r1, o[2 * cc] = r2, o[3 * cc] = r3;
    }
}

/* Energy loss in place: per (cell, angle), destinations ascending (their sources are >= them). */
template <typename T>
__global__ void loss_inplace_kernel(const sd_tile_args a, const tr_dev t, const int bpsi)
{
    T *psi = (T *)a.p[bpsi];
    const tr_ps p = {a.stride[bpsi][1], a.stride[bpsi][3], a.stride[bpsi][4]};
    SD_CUDA_FOR_3D(i, j, k, a.n[0], a.n[1], t.nt)
    {
        T *c = psi + i + j * p.s1;
        for (int d = 0; d < t.ne; d++) {
            const T o = tr_gather_at<T, false>(t, c, p, (int)k, d);
            c[k * p.s3 + (int64_t)d * p.s4] = o;
        }
    }
}

/* Angular scatter in place: per (cell, E bin), angles ascending, the inputs still needed kept in a
 * ring of 2K + 1 (K <= TR_RING_K, checked by the launcher). */
#define TR_RING_K 127
template <typename T>
__global__ void scatter_inplace_kernel(const sd_tile_args a, const tr_dev t, const int bpsi)
{
    T *psi = (T *)a.p[bpsi];
    const tr_ps p = {a.stride[bpsi][1], a.stride[bpsi][3], a.stride[bpsi][4]};
    SD_CUDA_FOR_3D(i, j, m, a.n[0], a.n[1], t.ne)
    {
        T ring[2 * TR_RING_K + 1];
        T *c = psi + i + j * p.s1 + m * p.s4;
        const int K = (int)TRD(t, TRD_K, m), R = 2 * K + 1, off = (int)TRD(t, TRD_WOFF, m) + K;
        for (int kk = 0; kk <= K && kk < t.nt; kk++) ring[kk % R] = c[(int64_t)kk * p.s3];
        for (int k = 0; k < t.nt; k++) {
            if (k > 0 && k + K < t.nt) ring[(k + K) % R] = c[(int64_t)(k + K) * p.s3];
            const int da = -K > k - (t.nt - 1) ? -K : k - (t.nt - 1), db = K < k ? K : k;
            T acc = (T)0;
            for (int d = da; d <= db; d++) acc += (T)TRD_W(t, off + d) * ring[(k - d) % R];
            c[(int64_t)k * p.s3] = acc;
        }
    }
}

/* The fused step's cutoff, per interior cell over (d, k) ascending as on the CPU (cut_span,
 * cut_store): streamed weights below cut become 0 and stop in the cell, their weight summed into
 * tally 0 and their energy (at the bin centre) into tally 6 and the dose. */
template <typename T>
__global__ void cut_kernel(const sd_tile_args a, const tr_dev t, const T cut, const int bout, const int bdose, const int btally)
{
    T *out = (T *)a.p[bout];
    double *dose = (double *)a.p[bdose], *tal = (double *)a.p[btally];
    const int64_t o1 = a.stride[bout][1], o3 = a.stride[bout][3], o4 = a.stride[bout][4];
    const int64_t ts1 = a.stride[btally][1], tsc = a.sc[btally], ds1 = a.stride[bdose][1];
    SD_CUDA_FOR_3D(i, j, kc, a.n[0], a.n[1], 1)
    {
        (void)kc;
        double cw = 0.0, ce = 0.0;
        for (int d = 0; d < t.ne; d++)
            for (int k = 0; k < t.nt; k++) {
                T *o = out + i + j * o1 + (int64_t)k * o3 + (int64_t)d * o4;
                const T v = *o, c = v < cut ? v : (T)0;
                *o = v - c;
                cw += (double)c;
                ce += (double)c * TRD(t, TRD_E, d);
            }
        tal[i + j * ts1] += cw;
        tal[i + j * ts1 + 6 * tsc] += ce;
        dose[i + j * ds1] += ce;
    }
}

bool dims(const sd_tile_args *a, int64_t nz, dim3 *g, dim3 *b) { return sd_cuda_dims(a->n[0], a->n[1], nz, 0, g, b) != 0; }

template <typename T>
void advance(const sd_tile_args *a, const tr_dev &t, bool fused, int bpsi, int bout, int boccn, int bdose, int btally,
             double cutoff, cudaStream_t s)
{
    dim3 g, b;
    if (fused && dims(a, 1, &g, &b)) cell_tally_kernel<T, true, true, true><<<g, b, 0, s>>>(*a, t, bpsi, bdose, btally);
    if (dims(a, (int64_t)t.nt * t.ne, &g, &b)) {
        if (fused) stream_kernel<T, true><<<g, b, 0, s>>>(*a, t, bpsi, bout);
        else stream_kernel<T, false><<<g, b, 0, s>>>(*a, t, bpsi, bout);
    }
    if (dims(a, 1, &g, &b)) {
        if (fused && cutoff > 0.0) cut_kernel<T><<<g, b, 0, s>>>(*a, t, (T)cutoff, bout, bdose, btally);
        if (fused) escape_kernel<T, true><<<g, b, 0, s>>>(*a, t, bpsi, btally);
        else escape_kernel<T, false><<<g, b, 0, s>>>(*a, t, bpsi, btally);
        occ_kernel<T><<<g, b, 0, s>>>(*a, t.nt, t.ne, bout, boccn);
    }
}

} // namespace

/* The tables are rebuilt on the host per task only when the setup changes (tr_tables_get); the
 * kernel parameter carries them. */
static int dev_tables(const sd_tile_args *a, int tslot, double k_sigma, double e_cut, cudaStream_t s, const char *op, tr_dev *t)
{
    const tr_tables *tb = tr_host_tables(a, tslot, k_sigma, e_cut, s, op);
    return tb ? tr_dev_fill(tb, t, op) : -1;
}

extern "C" void sd_transport_step_cuda(const sd_tile_args *a, void *stream)
{
    cudaStream_t s = (cudaStream_t)stream;
    static thread_local tr_dev t;
    if (dev_tables(a, TR_STEP_TABLE, a->param[TR_STEP_KSIGMA], a->param[TR_STEP_ECUT], s, "transport.step", &t)) return tr_refuse(s);
    if (a->dtype[TR_STEP_PSI] == SD_F64)
        advance<double>(a, t, true, TR_STEP_PSI, TR_STEP_PSI_NEXT, TR_STEP_OCC_NEXT, TR_STEP_DOSE, TR_STEP_TALLY,
                        a->param[TR_STEP_CUTOFF], s);
    else advance<float>(a, t, true, TR_STEP_PSI, TR_STEP_PSI_NEXT, TR_STEP_OCC_NEXT, TR_STEP_DOSE, TR_STEP_TALLY,
                        a->param[TR_STEP_CUTOFF], s);
    sd_cuda_check("transport.step");
}

extern "C" void sd_transport_stream_cuda(const sd_tile_args *a, void *stream)
{
    cudaStream_t s = (cudaStream_t)stream;
    static thread_local tr_dev t;
    if (dev_tables(a, -1, 0.0, NAN, s, "transport.stream", &t)) return tr_refuse(s);
    if (a->dtype[TR_ST_PSI] == SD_F64)
        advance<double>(a, t, false, TR_ST_PSI, TR_ST_PSI_NEXT, TR_ST_OCC_NEXT, -1, TR_ST_TALLY, 0.0, s);
    else advance<float>(a, t, false, TR_ST_PSI, TR_ST_PSI_NEXT, TR_ST_OCC_NEXT, -1, TR_ST_TALLY, 0.0, s);
    sd_cuda_check("transport.stream");
}

extern "C" void sd_transport_energy_loss_cuda(const sd_tile_args *a, void *stream)
{
    cudaStream_t s = (cudaStream_t)stream;
    static thread_local tr_dev t;
    if (dev_tables(a, TR_EL_TABLE, 0.0, a->param[TR_EL_ECUT], s, "transport.energy_loss", &t)) return tr_refuse(s);
    dim3 g, b;
    const bool f64 = a->dtype[TR_EL_PSI] == SD_F64;
    if (dims(a, 1, &g, &b)) {
        if (f64) cell_tally_kernel<double, false, true, false><<<g, b, 0, s>>>(*a, t, TR_EL_PSI, TR_EL_DOSE, TR_EL_TALLY);
        else cell_tally_kernel<float, false, true, false><<<g, b, 0, s>>>(*a, t, TR_EL_PSI, TR_EL_DOSE, TR_EL_TALLY);
    }
    if (dims(a, t.nt, &g, &b)) {
        if (f64) loss_inplace_kernel<double><<<g, b, 0, s>>>(*a, t, TR_EL_PSI);
        else loss_inplace_kernel<float><<<g, b, 0, s>>>(*a, t, TR_EL_PSI);
    }
    if (dims(a, 1, &g, &b)) {
        if (f64) occ_kernel<double><<<g, b, 0, s>>>(*a, t.nt, t.ne, TR_EL_PSI, TR_EL_OCC);
        else occ_kernel<float><<<g, b, 0, s>>>(*a, t.nt, t.ne, TR_EL_PSI, TR_EL_OCC);
    }
    sd_cuda_check("transport.energy_loss");
}

extern "C" void sd_transport_angular_scatter_cuda(const sd_tile_args *a, void *stream)
{
    cudaStream_t s = (cudaStream_t)stream;
    static thread_local tr_dev t;
    const tr_tables *tb = tr_host_tables(a, -1, a->param[TR_SC_KSIGMA], NAN, s, "transport.angular_scatter");
    if (!tb) return tr_refuse(s);
    if (tb->Kmax > TR_RING_K) {
        fprintf(stderr, "stardag: transport.angular_scatter (CUDA): the angular kernel reaches %d bins, more than the %d the "
                        "in-place CUDA loop keeps (use transport.step, wider angle bins, or CPU workers)\n", (int)tb->Kmax,
                TR_RING_K);
        return tr_refuse(s);
    }
    if (tr_dev_fill(tb, &t, "transport.angular_scatter")) return tr_refuse(s);
    dim3 g, b;
    const bool f64 = a->dtype[TR_SC_PSI] == SD_F64;
    if (dims(a, 1, &g, &b)) {
        if (f64) cell_tally_kernel<double, true, false, false><<<g, b, 0, s>>>(*a, t, TR_SC_PSI, -1, TR_SC_TALLY);
        else cell_tally_kernel<float, true, false, false><<<g, b, 0, s>>>(*a, t, TR_SC_PSI, -1, TR_SC_TALLY);
    }
    if (dims(a, t.ne, &g, &b)) {
        if (f64) scatter_inplace_kernel<double><<<g, b, 0, s>>>(*a, t, TR_SC_PSI);
        else scatter_inplace_kernel<float><<<g, b, 0, s>>>(*a, t, TR_SC_PSI);
    }
    if (dims(a, 1, &g, &b)) {
        if (f64) occ_kernel<double><<<g, b, 0, s>>>(*a, t.nt, t.ne, TR_SC_PSI, TR_SC_OCC);
        else occ_kernel<float><<<g, b, 0, s>>>(*a, t.nt, t.ne, TR_SC_PSI, TR_SC_OCC);
    }
    sd_cuda_check("transport.angular_scatter");
}
