# membrane codelets: triangle-mesh domains (membranes); each part adds its own lines
libstardag_la_SOURCES += codelets/membrane/membrane_math.h codelets/membrane/energy_math.h \
	codelets/membrane/energy_kernels.h codelets/membrane/energy.c codelets/membrane/glue_energy.c \
	codelets/membrane/glue_roles.h
SD_CUDA_SOURCES += codelets/membrane/energy.cu
# Stages 1 and 3 vectorised across faces (face_blocks.c says why the first two flags, which change
# no value, are needed; -ftree-vectorize keeps the vectoriser on under a user's -O2 with an older
# gcc): a library of their own for the flags.
noinst_LTLIBRARIES += libsd_membrane_blocks.la
libsd_membrane_blocks_la_SOURCES = codelets/membrane/face_blocks.h codelets/membrane/face_blocks.c
libsd_membrane_blocks_la_CFLAGS = $(AM_CFLAGS) -fno-math-errno -fno-trapping-math -ftree-vectorize
libstardag_la_LIBADD += libsd_membrane_blocks.la
SD_CUDA_DEPS += codelets/membrane/membrane_math.h codelets/membrane/energy_math.h codelets/membrane/energy_kernels.h
libstardag_la_SOURCES += codelets/membrane/tilt_math.h codelets/membrane/tilt_kernels.h \
	codelets/membrane/tilt.c codelets/membrane/glue_tilt.c
SD_CUDA_SOURCES += codelets/membrane/tilt.cu
SD_CUDA_DEPS += codelets/membrane/tilt_math.h codelets/membrane/tilt_kernels.h
# minimiser ops (projected gradient, Polak-Ribiere CG, Armijo)
libstardag_la_SOURCES += codelets/membrane/minimise_math.h codelets/membrane/minimise_kernels.h \
	codelets/membrane/minimise.c codelets/membrane/glue_minimise.c
# Newton steps (whole-mesh Hessian and its CHOLMOD factorisation)
libstardag_la_SOURCES += codelets/membrane/newton_hessian.h codelets/membrane/newton_hessian.c \
	codelets/membrane/newton.c codelets/membrane/glue_newton.c
SD_CUDA_SOURCES += codelets/membrane/minimise.cu
SD_CUDA_DEPS += codelets/membrane/minimise_math.h codelets/membrane/minimise_kernels.h codelets/membrane/membrane_math.h
# ops on mesh edges: edge geometry (lengths, dihedrals, integrated mean curvature), sums over a
# vertex's edges, tethers
libstardag_la_SOURCES += codelets/membrane/edge_math.h codelets/membrane/edge_kernels.h \
	codelets/membrane/edges.c codelets/membrane/glue_edges.c
SD_CUDA_SOURCES += codelets/membrane/edges.cu
SD_CUDA_DEPS += codelets/membrane/edge_math.h codelets/membrane/edge_kernels.h
