dist_doc_DATA += docs/architecture.md docs/graph-format.md docs/codelets.md docs/output-format.md \
	docs/user-guide.md docs/benchmarks.md docs/python.md docs/tutorial.py
dist_doc_DATA += docs/mesh-files.md
dist_doc_DATA += docs/membrane.md
dist_doc_DATA += docs/membrane-tilt.md
dist_doc_DATA += docs/ode-domain.md
dist_doc_DATA += docs/ode-systems.md
dist_doc_DATA += docs/ode-explicit.md
dist_doc_DATA += docs/ode.md docs/ode-bench.md
dist_doc_DATA += docs/distributed.md docs/scaling.md
