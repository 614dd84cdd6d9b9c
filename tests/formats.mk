# tests: file formats other tools read (XDMF in ParaView, H5MD in MDAnalysis), run status, units
TESTS += tests/t_xdmf.sh
EXTRA_DIST += tests/t_xdmf.sh
# the run status strings: docs/output-format.md against io/run_status.c
check_PROGRAMS += tests/t_run_status
tests_t_run_status_SOURCES = tests/t_run_status.c tests/tap.h
TESTS += tests/t_run_status
# the H5MD trajectory in other readers (MDAnalysis when installed), its run status and units
TESTS += tests/t_h5md_readers.sh
EXTRA_DIST += tests/t_h5md_readers.sh tests/graphs/argon-metal.yaml
# units: LAMMPS metal units for particles against real units; grid units as attributes
TESTS += tests/t_units.sh
EXTRA_DIST += tests/t_units.sh
