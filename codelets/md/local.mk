# md codelets: pure kernels of Lennard-Jones molecular dynamics (particles domain)
libstardag_la_SOURCES += codelets/md/md_math.h codelets/md/md_kernels.h \
	codelets/md/lattice_init.c codelets/md/cells.c codelets/md/neighbor.c \
	codelets/md/lj_pair_loops.h codelets/md/lj_force.c codelets/md/lj_force_mixed.c codelets/md/integrate.c \
	codelets/md/md_ops.h codelets/md/ops.c codelets/md/register.c
SD_CUDA_SOURCES += codelets/md/lj_force.cu codelets/md/integrate.cu codelets/md/lattice_init.cu
SD_CUDA_DEPS += codelets/md/md_math.h codelets/md/md_kernels.h
