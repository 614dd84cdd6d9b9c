# transport codelets (docs/transport.md)
libstardag_la_SOURCES += codelets/transport/pstar_water.h codelets/transport/transport_math.h \
	codelets/transport/transport_tables.h codelets/transport/transport_tables.c \
	codelets/transport/transport_cpu.h codelets/transport/loops_impl.h codelets/transport/advance_impl.h codelets/transport/advance.c \
	codelets/transport/transport_kernels.h codelets/transport/kernels.c codelets/transport/beam.c \
	codelets/transport/totals.c codelets/transport/validate.c codelets/transport/register.c
SD_CUDA_SOURCES += codelets/transport/step.cu codelets/transport/beam_totals.cu
SD_CUDA_DEPS += codelets/transport/transport_cuda.cuh codelets/transport/transport_math.h \
	codelets/transport/transport_tables.h codelets/transport/transport_kernels.h
noinst_HEADERS += codelets/transport/transport_cuda.cuh
