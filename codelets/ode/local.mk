# ode codelets: solvers of batch domains (ode.*) and the built-in systems
libstardag_la_SOURCES += codelets/ode/systems.h
# explicit Runge-Kutta solvers (ode.dopri5, ode.dop853), events, ode.status
libstardag_la_SOURCES += codelets/ode/erk_math.h codelets/ode/ode_events.h codelets/ode/erk_lanes.h \
	codelets/ode/erk_lanes.c codelets/ode/dopri5.c codelets/ode/dop853.c codelets/ode/status.c \
	codelets/ode/glue_explicit.c
SD_CUDA_SOURCES += codelets/ode/dopri5.cu codelets/ode/dop853.cu
SD_CUDA_DEPS += codelets/ode/erk_cuda.cuh codelets/ode/erk_math.h codelets/ode/erk_lanes.h codelets/ode/systems.h
noinst_HEADERS += codelets/ode/erk_cuda.cuh
