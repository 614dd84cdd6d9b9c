libstardag_la_SOURCES += runtime/registry.c runtime/graph.h
include runtime/loader.mk
