libstardag_la_SOURCES += runtime/registry.c runtime/graph.h runtime/tiling.c runtime/tiling.h \
	runtime/halo.c runtime/halo.h runtime/halo_math.h runtime/expand.c runtime/expand.h runtime/engine.c runtime/engine.h \
	runtime/engine_impl.h runtime/pengine.c runtime/particles.c runtime/particles.h \
	runtime/run.c runtime/dot.c runtime/dot.h \
	runtime/trace.c runtime/trace.h runtime/transfers.c runtime/transfers.h runtime/probe.c runtime/probe.h
include runtime/loader.mk
SD_CUDA_SOURCES += runtime/halo.cu

bin_PROGRAMS += stardag
stardag_SOURCES = runtime/main.c runtime/commands.h runtime/cli_util.c runtime/cli_util.h
# report: the command, the run file (HDF5), the trace (JSON), the charts (SVG)
stardag_SOURCES += runtime/report.c runtime/report.h runtime/report_data.c runtime/report_data.h \
	runtime/trace_read.c runtime/trace_read.h runtime/report_charts.c runtime/report_charts.h \
	runtime/svg.c runtime/svg.h
# tool commands: compare (its library API in compare.h), calibrate, verify
libstardag_la_SOURCES += runtime/compare.c runtime/compare.h runtime/strtab.c runtime/strtab.h
stardag_SOURCES += runtime/calibrate.c runtime/verify.c runtime/verify.h runtime/verify_particles.c
