# tests: runtime (tiling, halo, end-to-end runs)
check_PROGRAMS += tests/t_halo tests/t_halo_sparse tests/t_lattice_physics tests/t_reproducible
tests_t_halo_SOURCES = tests/t_halo.c tests/tap.h
tests_t_halo_sparse_SOURCES = tests/t_halo_sparse.c tests/tap.h
tests_t_lattice_physics_SOURCES = tests/t_lattice_physics.c tests/run_util.h
tests_t_reproducible_SOURCES = tests/t_reproducible.c tests/run_util.h
TESTS += tests/t_halo tests/t_halo_sparse tests/t_lattice_physics tests/t_reproducible tests/t_cli.sh tests/t_checks.sh
# check evaluation on hand-made records (no StarPU run)
check_PROGRAMS += tests/t_checks_eval
tests_t_checks_eval_SOURCES = tests/t_checks_eval.c tests/tap.h
TESTS += tests/t_checks_eval
EXTRA_DIST += tests/t_cli.sh tests/t_checks.sh tests/graphs/kg-walls.yaml tests/graphs/kg-absorb-1d.yaml tests/graphs/blowup.yaml
# absorbing and mixed boundaries: bitwise the same over tilings (thin and uneven), schedulers, workers
check_PROGRAMS += tests/t_absorb_tiling
tests_t_absorb_tiling_SOURCES = tests/t_absorb_tiling.c tests/run_util.h
TESTS += tests/t_absorb_tiling
EXTRA_DIST += tests/graphs/kg-absorb-3d.yaml tests/graphs/kg-mixed-bc.yaml tests/graphs/kg-absorb-f32.yaml
TESTS += tests/t_example.sh
EXTRA_DIST += tests/t_example.sh
check_PROGRAMS += tests/t_registry tests/t_whole tests/t_box_stencil tests/t_inner
tests_t_registry_SOURCES = tests/t_registry.c
tests_t_whole_SOURCES = tests/t_whole.c tests/run_util.h
tests_t_box_stencil_SOURCES = tests/t_box_stencil.c tests/run_util.h tests/run_graph.h
tests_t_inner_SOURCES = tests/t_inner.c tests/run_util.h tests/run_graph.h
TESTS += tests/t_registry tests/t_whole tests/t_box_stencil tests/t_inner
TESTS += tests/t_trace.sh
EXTRA_DIST += tests/t_trace.sh
# stardag report: the charts of a run (report_fixture writes a run file with the awkward cases)
check_PROGRAMS += tests/report_fixture
tests_report_fixture_SOURCES = tests/report_fixture.c
TESTS += tests/t_report.sh
EXTRA_DIST += tests/t_report.sh tests/data/trace-small.json
# stardag compare, calibrate, verify
TESTS += tests/t_compare.sh tests/t_calibrate.sh tests/t_verify.sh
TESTS += tests/t_md_run.sh tests/t_sizes.sh tests/t_kinds.sh tests/t_output.sh
EXTRA_DIST += tests/t_sizes.sh tests/t_kinds.sh tests/graphs/all-grid-codelets.yaml tests/t_md_run.sh \
	tests/data/md-lj.yaml tests/data/md-langevin.yaml tests/graphs/md-slab.yaml tests/graphs/md-slab-langevin.yaml
EXTRA_DIST += tests/t_compare.sh tests/t_calibrate.sh tests/t_verify.sh tests/t_output.sh
# Laplacians of order 4 and 6, damping: the bundled graphs' checks, tilings, schedulers, refusals
TESTS += tests/t_order_runs.sh
EXTRA_DIST += tests/t_order_runs.sh
# fused steps (temporal blocking): bitwise the unfused runs
TESTS += tests/t_fuse.sh
EXTRA_DIST += tests/t_fuse.sh tests/graphs/kg-fuse.yaml tests/graphs/kg-fuse-copies.yaml
# io.read_field: restarts from a run's output, layouts and dtypes, load-time errors
TESTS += tests/t_read_field.sh
EXTRA_DIST += tests/t_read_field.sh
# io.read_field: a file changed between load and run fails the run (status 1), writing nothing
check_PROGRAMS += tests/t_read_changed
tests_t_read_changed_SOURCES = tests/t_read_changed.c tests/run_util.h tests/run_graph.h
TESTS += tests/t_read_changed
# output.profiles: the arithmetic on hand-made fields; runs, files, summary, report, load errors
check_PROGRAMS += tests/t_profile_eval
tests_t_profile_eval_SOURCES = tests/t_profile_eval.c tests/tap.h
TESTS += tests/t_profile_eval tests/t_profiles.sh
EXTRA_DIST += tests/t_profiles.sh
# `stardag inspect`: run files and checkpoints (valid, corrupt, incomplete), foreign files
check_PROGRAMS += tests/inspect_fixture
tests_inspect_fixture_SOURCES = tests/inspect_fixture.c
TESTS += tests/t_inspect.sh
EXTRA_DIST += tests/t_inspect.sh
# output defects (issue 13 §4): a device as the output, a full disk, a plain file at the output path, memory
TESTS += tests/t_output_defects.sh
EXTRA_DIST += tests/t_output_defects.sh tests/graphs/kg-every-step.yaml
# a restart continues its run file, sidecar and log (bitwise equal to an uninterrupted run)
TESTS += tests/t_restart_output.sh
EXTRA_DIST += tests/t_restart_output.sh
# the output writer queue bound counts every record
TESTS += tests/t_writer_queue.sh
EXTRA_DIST += tests/t_writer_queue.sh
