# YAML graph loader (owned by the loader work)
libstardag_la_SOURCES += runtime/loader.c runtime/expr.c runtime/expr.h runtime/suggest.c runtime/suggest.h
