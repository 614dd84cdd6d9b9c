# mesh codelets: generic vertex ops of mesh domains (noise, perturbation, sums)
libstardag_la_SOURCES += codelets/mesh/mesh_ops.h codelets/mesh/ops.c codelets/mesh/register.c
SD_CUDA_SOURCES += codelets/mesh/ops.cu
SD_CUDA_DEPS += codelets/mesh/mesh_ops.h
