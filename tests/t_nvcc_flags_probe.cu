/* t_nvcc_flags_probe.cu - compiled by tests/t_nvcc_flags.sh through cuda.mk's %_cu.lo rule with
 * hostile NVCCFLAGS; the test reads the PTX nvcc kept. Each kernel shows one option in its PTX:
 *   probe_fma  a*b+c: mul.rn + add.rn with -fmad=false, fma.rn with -fmad=true; .ftz with -ftz=true
 *   probe_div  x/y and sqrtf: div.rn / sqrt.rn with -prec-div/-prec-sqrt=true, .approx otherwise
 *   probe_sin  sinf: the accurate library code, sin.approx under --use_fast_math
 * Not part of any library or program. */
extern "C" __global__ void probe_fma(float *a, const float *b, const float *c, double *d, const double *e)
{
    int i = threadIdx.x;
    a[i] = a[i] * b[i] + c[i];
    d[i] = d[i] * e[i] + e[i + 1];
}

extern "C" __global__ void probe_div(float *a, const float *b)
{
    int i = threadIdx.x;
    a[i] = a[i] / b[i] + sqrtf(b[i]);
}

extern "C" __global__ void probe_sin(float *a)
{
    int i = threadIdx.x;
    a[i] = sinf(a[i]);
}
