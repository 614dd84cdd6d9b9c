# runtime/ode: ODE systems of batch domains: the registry of named systems (built-ins, the program's,
# packs'), and systems written as expressions in a graph file (ode_expr.h)
AM_CPPFLAGS += -I$(top_srcdir)/runtime/ode
libstardag_la_SOURCES += runtime/ode/registry.c runtime/ode/ode_expr.h
libstardag_la_SOURCES += runtime/ode/ode_expr_missing.c
