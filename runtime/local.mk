libstardag_la_SOURCES += runtime/registry.c runtime/graph.h runtime/tiling.c runtime/tiling.h \
	runtime/halo.c runtime/halo.h runtime/halo_math.h runtime/expand.c runtime/expand.h runtime/engine.c runtime/engine.h \
	runtime/run.c runtime/dot.c runtime/dot.h \
	runtime/trace.c runtime/trace.h runtime/transfers.c runtime/transfers.h runtime/probe.c runtime/probe.h
include runtime/loader.mk
SD_CUDA_SOURCES += runtime/halo.cu

bin_PROGRAMS += stardag
stardag_SOURCES = runtime/main.c runtime/commands.h runtime/cli_util.c runtime/cli_util.h runtime/report.c runtime/svg.c runtime/svg.h
# tool commands: compare (its library API in compare.h), calibrate, verify
libstardag_la_SOURCES += runtime/compare.c runtime/compare.h
stardag_SOURCES += runtime/calibrate.c runtime/verify.c
