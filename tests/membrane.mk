# tests: membranes (issue 10)
# the run file of a mesh domain (/mesh, fields on vertices and faces) and its XDMF Triangle sidecar
check_PROGRAMS += tests/t_h5out_mesh
tests_t_h5out_mesh_SOURCES = tests/t_h5out_mesh.c
TESTS += tests/t_h5out_mesh
