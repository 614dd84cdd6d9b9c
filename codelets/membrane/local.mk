# membrane codelets (mesh domain): each helper's files on its own lines
# minimiser ops (projected gradient, Polak-Ribiere CG, Armijo)
libstardag_la_SOURCES += codelets/membrane/minimise_math.h codelets/membrane/minimise_kernels.h \
	codelets/membrane/minimise.c codelets/membrane/glue_minimise.c
SD_CUDA_SOURCES += codelets/membrane/minimise.cu
SD_CUDA_DEPS += codelets/membrane/minimise_math.h codelets/membrane/minimise_kernels.h
