# The graph front end (runtime/graph/): the YAML loader, one file per concern, and expressions
libstardag_la_SOURCES += runtime/graph/loader.c runtime/graph/loader_impl.h runtime/graph/loader_yaml.c \
	runtime/graph/loader_fields.c runtime/graph/loader_ops.c runtime/graph/loader_output.c runtime/graph/loader_plugins.c \
	runtime/graph/domain_grid.c runtime/graph/domain_particles.c \
	runtime/graph/expr.c runtime/graph/expr.h runtime/graph/suggest.c runtime/graph/suggest.h
