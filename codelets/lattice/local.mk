# lattice codelets
libstardag_la_SOURCES += codelets/lattice/kg_math.h codelets/lattice/lattice_kernels.h \
	codelets/lattice/kg_leapfrog.c codelets/lattice/energy.c codelets/lattice/init.c \
	codelets/lattice/mode_projection.c codelets/lattice/register.c
SD_CUDA_SOURCES += codelets/lattice/kg_leapfrog.cu codelets/lattice/energy.cu codelets/lattice/init.cu \
	codelets/lattice/mode_projection.cu
