# ode codelets: solvers of batch domains (ode.*) and the built-in systems
libstardag_la_SOURCES += codelets/ode/systems.h
# implicit (stiff) solvers: ode.radau5, ode.bdf (docs/ode-implicit.md)
libstardag_la_SOURCES += codelets/ode/lu_math.h codelets/ode/implicit_math.h codelets/ode/radau_math.h \
	codelets/ode/bdf_math.h codelets/ode/implicit_cpu.h codelets/ode/implicit_cpu.c \
	codelets/ode/ode_implicit_kernels.h codelets/ode/radau5.c codelets/ode/bdf.c codelets/ode/glue_implicit.c
SD_CUDA_SOURCES += codelets/ode/radau5.cu codelets/ode/bdf.cu
SD_CUDA_DEPS += codelets/ode/implicit_cuda.cuh codelets/ode/lu_math.h codelets/ode/implicit_math.h \
	codelets/ode/radau_math.h codelets/ode/bdf_math.h codelets/ode/systems.h codelets/ode/ode_implicit_kernels.h
