# The graph front end (runtime/graph/): the YAML loader, one file per concern, and expressions
libstardag_la_SOURCES += runtime/graph/loader.c runtime/graph/loader_impl.h runtime/graph/loader_yaml.c \
	runtime/graph/loader_fields.c runtime/graph/loader_until.c runtime/graph/loader_ops.c runtime/graph/loader_output.c runtime/graph/loader_profiles.c runtime/graph/loader_plugins.c runtime/graph/loader_tables.c \
	runtime/graph/loader_read.c runtime/graph/read_spec.h runtime/graph/loader_read_particles.c \
	runtime/graph/domain_grid.c runtime/graph/domain_particles.c runtime/graph/domain_mesh.c \
	runtime/graph/domain_batch.c runtime/graph/domain_batch_values.c \
	runtime/graph/expr.c runtime/graph/expr.h runtime/graph/suggest.c runtime/graph/suggest.h
# read-only accessors of a loaded graph (stardag.h), for bindings
libstardag_la_SOURCES += runtime/graph/graph_info.c
# expressions as a DAG (expr_ast.h): the parser of expr.c building nodes, for runtime/ode's systems
libstardag_la_SOURCES += runtime/graph/expr_ast.c runtime/graph/expr_ast.h
# hostile input: the YAML's depth and aliases, the memory a graph needs (loader_limits.c); the hash
# table of the loader's duplicate checks and lookups (strmap.c)
libstardag_la_SOURCES += runtime/graph/loader_limits.c runtime/graph/strmap.c runtime/graph/strmap.h
# the graph's text and state-layout hashes that checkpoints record
libstardag_la_SOURCES += runtime/graph/graph_hash.c
