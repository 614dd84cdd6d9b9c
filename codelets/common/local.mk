# common codelets
libstardag_la_SOURCES += codelets/common/common_math.h codelets/common/common_kernels.h \
	codelets/common/pointwise.c codelets/common/reduce.c codelets/common/register.c
SD_CUDA_SOURCES += codelets/common/pointwise.cu codelets/common/reduce.cu
