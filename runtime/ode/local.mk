# runtime/ode: ODE systems of batch domains: the registry of named systems (built-ins, the program's,
# packs'), and systems written as expressions in a graph file (ode_expr.h)
AM_CPPFLAGS += -I$(top_srcdir)/runtime/ode
libstardag_la_SOURCES += runtime/ode/registry.c runtime/ode/ode_registry.h runtime/ode/ode_expr.h
# expression systems (ode_expr.h): parsed with graph/expr_ast.h, differentiated, compiled or interpreted
libstardag_la_SOURCES += runtime/ode/ode_expr.c runtime/ode/ode_expr_impl.h runtime/ode/ode_expr_diff.c \
	runtime/ode/ode_expr_interp.c runtime/ode/ode_expr_native.c
# the `linear` system, y' = A y + b from an HDF5 file
libstardag_la_SOURCES += runtime/ode/ode_linear.c runtime/ode/ode_linear.h
