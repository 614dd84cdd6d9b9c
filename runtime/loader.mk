# YAML graph loader (owned by the loader work): runtime/graph/, one file per concern
libstardag_la_SOURCES += runtime/graph/loader.c runtime/graph/loader_impl.h runtime/graph/loader_yaml.c \
	runtime/graph/loader_fields.c runtime/graph/loader_ops.c runtime/graph/loader_output.c \
	runtime/graph/domain_grid.c runtime/graph/domain_particles.c \
	runtime/expr.c runtime/expr.h runtime/suggest.c runtime/suggest.h
