# tests: file formats other tools read (XDMF in ParaView, H5MD in MDAnalysis), run status, units
TESTS += tests/t_xdmf.sh
EXTRA_DIST += tests/t_xdmf.sh
