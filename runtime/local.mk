libstardag_la_SOURCES += runtime/registry.c runtime/graph.h runtime/tiling.c runtime/tiling.h \
	runtime/halo.c runtime/halo.h runtime/expand.c runtime/expand.h runtime/engine.c runtime/engine.h \
	runtime/run.c runtime/dot.c runtime/dot.h
include runtime/loader.mk

bin_PROGRAMS += stardag
stardag_SOURCES = runtime/main.c
