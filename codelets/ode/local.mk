# ode codelets: solvers of batch domains (ode.*) and the built-in systems
libstardag_la_SOURCES += codelets/ode/systems.h
# explicit Runge-Kutta solvers (ode.dopri5, ode.dop853), events, ode.status
libstardag_la_SOURCES += codelets/ode/ode_pow.h codelets/ode/ode_pow_lanes.h codelets/ode/ode_pow_lanes.c codelets/ode/erk_math.h \
	codelets/ode/ode_events.h codelets/ode/erk_lanes.h \
	codelets/ode/erk_lanes.c codelets/ode/dopri5.c codelets/ode/dop853.c codelets/ode/status.c \
	codelets/ode/glue_explicit.c
SD_CUDA_SOURCES += codelets/ode/dopri5.cu codelets/ode/dop853.cu
SD_CUDA_DEPS += codelets/ode/erk_cuda.cuh codelets/ode/ode_pow.h codelets/ode/erk_math.h codelets/ode/erk_lanes.h codelets/ode/systems.h
noinst_HEADERS += codelets/ode/erk_cuda.cuh
# implicit (stiff) solvers: ode.radau5, ode.bdf (docs/ode-implicit.md)
libstardag_la_SOURCES += codelets/ode/lu_math.h codelets/ode/implicit_math.h codelets/ode/radau_math.h \
	codelets/ode/bdf_math.h codelets/ode/implicit_events.h codelets/ode/implicit_cpu.h codelets/ode/implicit_cpu.c \
	codelets/ode/ode_implicit_kernels.h codelets/ode/radau5.c codelets/ode/bdf.c codelets/ode/glue_implicit.c
SD_CUDA_SOURCES += codelets/ode/radau5.cu codelets/ode/bdf.cu
SD_CUDA_DEPS += codelets/ode/implicit_cuda.cuh codelets/ode/ode_pow.h codelets/ode/lu_math.h codelets/ode/implicit_math.h \
	codelets/ode/radau_math.h codelets/ode/bdf_math.h codelets/ode/systems.h codelets/ode/ode_implicit_kernels.h
libstardag_la_SOURCES += codelets/ode/systems.c
