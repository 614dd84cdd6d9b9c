/* register.c - the common pack's declarations (names, roles, parameters, patterns, model
 * symbols). Glue only: the loops are in pointwise.c / reduce.c, the math in common_math.h. */
#include "config.h"
#include <stdio.h>
#include "stardag/codelet.h"
#include "common_kernels.h"

/* .cuda only in a library built with CUDA (the .cu objects are linked in then). .cuda_tol = 0:
 * every op here does the same IEEE operations (+, -, *, exact integer hashing, comparisons) in
 * the same order on both sides (nvcc -fmad=false, gcc -ffp-contract=off), and reductions add
 * the same terms exactly (kernel_cuda.cuh), so CPU and CUDA agree bitwise. */
#ifdef SD_HAVE_CUDA
#define CUDA(fn) .cuda = fn,
#else
#define CUDA(fn)
#endif

#define FIELD_R(nm, d) {.name = nm, .mode = SD_READ, .kind = SD_ROLE_FIELD, .doc = d}
#define FIELD_W(nm, d) {.name = nm, .mode = SD_WRITE, .kind = SD_ROLE_FIELD, .doc = d}
#define FIELD_RW(nm, d) {.name = nm, .mode = SD_READWRITE, .kind = SD_ROLE_FIELD, .doc = d}
#define SCALAR_W(nm, red, d) {.name = nm, .mode = SD_WRITE, .kind = SD_ROLE_SCALAR, .reduce = red, .doc = d}

static const sd_codelet common_codelets[] = {
    {.name = "common.fill",
     .doc = "out = value in every interior cell and component",
     .pattern = SD_POINTWISE,
     .nroles = 1,
     .roles = {FIELD_W("out", "field to fill (any components)")},
     .nparams = 1,
     .params = {{.name = "value", .def = 0, .min = -1e300, .max = 1e300, .doc = "value written"}},
     .cpu = sd_common_fill_cpu,
     CUDA(sd_common_fill_cuda)
     .cuda_tol = 0,
     .model = "stardag.common.fill",
     .fusable = 1},
    {.name = "common.copy",
     .doc = "out = in (all components; both fields must have the same component count)",
     .pattern = SD_POINTWISE,
     .nroles = 2,
     .roles = {FIELD_R("in", "source"), FIELD_W("out", "destination (same components as in)")},
     .cpu = sd_common_copy_cpu,
     CUDA(sd_common_copy_cuda)
     .cuda_tol = 0,
     .model = "stardag.common.copy",
     .fusable = 1},
    {.name = "common.axpy",
     .doc = "y = y + a*x (per component, computed in the field type)",
     .pattern = SD_POINTWISE,
     .nroles = 2,
     .roles = {FIELD_R("x", "added field"), FIELD_RW("y", "updated field (same components as x)")},
     .nparams = 1,
     .params = {{.name = "a", .def = 1, .min = -1e300, .max = 1e300, .doc = "factor of x"}},
     .cpu = sd_common_axpy_cpu,
     CUDA(sd_common_axpy_cuda)
     .cuda_tol = 0,
     .model = "stardag.common.axpy",
     .fusable = 1},
    {.name = "common.scale",
     .doc = "x = a*x",
     .pattern = SD_POINTWISE,
     .nroles = 1,
     .roles = {FIELD_RW("x", "scaled field")},
     .nparams = 1,
     .params = {{.name = "a", .def = 1, .min = -1e300, .max = 1e300, .doc = "factor"}},
     .cpu = sd_common_scale_cpu,
     CUDA(sd_common_scale_cuda)
     .cuda_tol = 0,
     .model = "stardag.common.scale",
     .fusable = 1},
    {.name = "common.noise",
     .doc = "out = lo + (hi-lo)*u, u uniform in [0,1) hashed (splitmix64) from the seed and the global "
            "cell and component index: reproducible and independent of the tiling",
     .pattern = SD_POINTWISE,
     .nroles = 1,
     .roles = {FIELD_W("out", "field to fill (any components)")},
     .nparams = 3,
     .params = {{.name = "seed", .def = 1, .min = 0, .max = 9007199254740992.0, .doc = "integer seed"},
                {.name = "lo", .def = -1, .min = -1e300, .max = 1e300, .doc = "lower bound"},
                {.name = "hi", .def = 1, .min = -1e300, .max = 1e300, .doc = "upper bound (>= lo)"}},
     .cpu = sd_common_noise_cpu,
     CUDA(sd_common_noise_cuda)
     .cuda_tol = 0,
     .validate = sd_common_noise_validate,
     .model = "stardag.common.noise"},
    {.name = "common.sum",
     .doc = "sum = sum over cells and components of scale*x (each term rounded to double once, "
            "then summed exactly: independent of tiling and scheduling)",
     .pattern = SD_REDUCTION,
     .nroles = 2,
     .roles = {FIELD_R("x", "summed field"), SCALAR_W("sum", SD_REDUCE_SUM, "the sum")},
     .nparams = 1,
     .params = {{.name = "scale", .def = 1, .min = -1e300, .max = 1e300, .doc = "factor of every term"}},
     .cpu = sd_common_sum_cpu,
     CUDA(sd_common_sum_cuda)
     .cuda_tol = 0,
     .model = "stardag.common.sum"},
    {.name = "common.max_abs",
     .doc = "max = max |x| over finite values (NaN/Inf are counted as non-finite)",
     .pattern = SD_REDUCTION,
     .nroles = 2,
     .roles = {FIELD_R("x", "field"), SCALAR_W("max", SD_REDUCE_MAX, "largest |x|")},
     .cpu = sd_common_max_abs_cpu,
     CUDA(sd_common_max_abs_cuda)
     .cuda_tol = 0,
     .model = "stardag.common.max_abs"},
    {.name = "common.count_nonfinite",
     .doc = "count = number of NaN and Inf values over cells and components",
     .pattern = SD_REDUCTION,
     .nroles = 2,
     .roles = {FIELD_R("x", "field"), SCALAR_W("count", SD_REDUCE_COUNT_NONFINITE, "non-finite values")},
     .cpu = sd_common_count_nonfinite_cpu,
     CUDA(sd_common_count_nonfinite_cuda)
     .cuda_tol = 0,
     .model = "stardag.common.count_nonfinite"},
};

void sd_register_common_codelets(void)
{
    static int done;
    if (done) return;
    done = 1;
    sd_codelet_register_table("common", common_codelets, sizeof common_codelets / sizeof common_codelets[0]);
}
