# tests: membranes (triangle meshes)
# mesh files: generators, OFF/OBJ/PLY round trips, every refusal with its line, the repairs
check_PROGRAMS += tests/t_mesh_file
tests_t_mesh_file_SOURCES = tests/t_mesh_file.c
TESTS += tests/t_mesh_file
EXTRA_DIST += tests/data/mesh/make_fixtures.py tests/data/mesh/coff.off tests/data/mesh/duplicate.off \
	tests/data/mesh/fin.off tests/data/mesh/flipped.obj tests/data/mesh/flipped.off tests/data/mesh/good.obj \
	tests/data/mesh/good.off tests/data/mesh/good_ascii.ply tests/data/mesh/good_be.ply \
	tests/data/mesh/good_le.ply tests/data/mesh/hole.off tests/data/mesh/inward.off tests/data/mesh/nan.off \
	tests/data/mesh/pinch.off tests/data/mesh/quad.obj tests/data/mesh/quad.off tests/data/mesh/range.off \
	tests/data/mesh/short.off tests/data/mesh/truncated.ply tests/data/mesh/unused.off \
	tests/data/mesh/zero_area.off
# tests: membranes (issue 10)
# the run file of a mesh domain (/mesh, fields on vertices and faces) and its XDMF Triangle sidecar
check_PROGRAMS += tests/t_h5out_mesh
tests_t_h5out_mesh_SOURCES = tests/t_h5out_mesh.c
TESTS += tests/t_h5out_mesh
