# membrane codelets
libstardag_la_SOURCES += codelets/membrane/membrane_math.h
libstardag_la_SOURCES += codelets/membrane/tilt_math.h codelets/membrane/tilt_kernels.h \
	codelets/membrane/tilt.c codelets/membrane/glue_tilt.c
SD_CUDA_SOURCES += codelets/membrane/tilt.cu
SD_CUDA_DEPS += codelets/membrane/tilt_math.h codelets/membrane/membrane_math.h
