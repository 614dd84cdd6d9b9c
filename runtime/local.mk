# runtime/: the folders show the architecture (docs/architecture.md):
#   graph/   the front end: the graph model, the YAML loader, expressions
#   engine/  StarPU glue every domain shares: task kinds, submission, records, timing, trace
#   dm/      the domain classes (grid, particles) behind one interface (dm.h)
#   driver/  the run loop, which drives a domain through its class and the engine
#   tools/   verify, compare, calibrate, predict, tune, report (charts), dot
#   cli/     the stardag command
AM_CPPFLAGS += -I$(top_srcdir)/runtime/graph -I$(top_srcdir)/runtime/engine -I$(top_srcdir)/runtime/dm \
	-I$(top_srcdir)/runtime/driver -I$(top_srcdir)/runtime/tools -I$(top_srcdir)/runtime/cli
SD_RUNTIME_INCLUDES = -I$(top_srcdir)/runtime/graph -I$(top_srcdir)/runtime/engine -I$(top_srcdir)/runtime/dm

libstardag_la_SOURCES += runtime/graph/graph.h runtime/engine/registry.c runtime/engine/registry.h runtime/engine/plugin.c \
	runtime/engine/engine.c runtime/engine/engine_sim.c runtime/engine/engine.h runtime/engine/engine_impl.h runtime/engine/records.c runtime/engine/engine_plan.c runtime/engine/engine_plan.h \
	runtime/engine/trace.c runtime/engine/trace.h runtime/engine/transfers.c runtime/engine/transfers.h \
	runtime/engine/probe.c runtime/engine/probe.h runtime/engine/ranks.c runtime/engine/ranks.h \
	runtime/engine/dist.c runtime/engine/dist.h \
	runtime/dm/dm.h runtime/dm/dm.c \
	runtime/dm/grid.c runtime/dm/grid_ckpt.c runtime/dm/grid_impl.h runtime/dm/grid_tasks.c runtime/dm/grid_tiling.c runtime/dm/grid_tiling.h \
	runtime/dm/grid_expand.c runtime/dm/grid_expand.h runtime/dm/grid_expand_fuse.c runtime/dm/grid_fused.c runtime/dm/grid_read.c runtime/dm/grid_read.h runtime/dm/grid_halo.c runtime/dm/halo.h runtime/dm/halo_math.h \
	runtime/dm/particles.c runtime/dm/particles_impl.h runtime/dm/particles_tasks.c runtime/dm/particles_output.c \
	runtime/dm/particles_blocks.c runtime/dm/particles_export.c runtime/dm/particles_geom.c runtime/dm/particles_migrate.c runtime/dm/particles_rebuild.c runtime/dm/particles.h runtime/dm/particles_ckpt.c \
	runtime/dm/mesh.c runtime/dm/mesh_impl.h runtime/dm/mesh_tasks.c runtime/dm/mesh_output.c runtime/dm/mesh_ckpt.c \
	runtime/dm/mesh_part.c runtime/dm/mesh_part_edges.c runtime/dm/mesh_whole.c runtime/dm/mesh_part.h \
	runtime/dm/batch.c \
	runtime/driver/run.c runtime/driver/run_report.c runtime/driver/run_state.h runtime/driver/ranks_run.c runtime/driver/run_output.c runtime/driver/sched.c runtime/driver/sched.h runtime/driver/checks.c runtime/driver/checks.h runtime/tools/dot.c runtime/tools/dot.h \
	runtime/driver/run_files.c runtime/driver/run_files.h runtime/driver/runlog.c runtime/driver/runlog.h \
	runtime/driver/writer.c runtime/driver/writer.h runtime/driver/ckpt_run.c runtime/driver/ckpt_run.h \
	runtime/driver/profile.c runtime/driver/profile.h \
	runtime/driver/until.c runtime/driver/until.h
libstardag_la_SOURCES += runtime/driver/starpu_home.c runtime/driver/starpu_home.h runtime/driver/tuning.c runtime/driver/tuning.h
# simd/  SIMD variants chosen at start-up (isa.h), the exact sums that use them, and the per-thread
#        workspace of CPU kernels
libstardag_la_SOURCES += runtime/simd/isa.c runtime/simd/isa.h runtime/simd/reduce_simd.c runtime/simd/workspace.c runtime/simd/workspace.h
include runtime/loader.mk
include runtime/ode/local.mk
SD_CUDA_SOURCES += runtime/dm/halo.cu

bin_PROGRAMS += stardag
stardag_SOURCES = runtime/cli/main.c runtime/cli/commands.h runtime/cli/cli_util.c runtime/cli/cli_util.h \
	runtime/cli/check_summary.c
# codelet packs: --load and STARDAG_PLUGIN_PATH, new-pack (the template: the source tree's for a
# binary run from the build tree)
stardag_SOURCES += runtime/cli/packs_cli.c runtime/cli/new_pack.c
# ODE systems: `stardag systems`
stardag_SOURCES += runtime/cli/systems_cli.c
# `stardag inspect`: what a run file or a checkpoint holds
stardag_SOURCES += runtime/cli/inspect.c
stardag_CPPFLAGS = $(AM_CPPFLAGS) -DSD_TOP_SRCDIR='"$(abs_top_srcdir)"'
include runtime/install.mk
# report: the command, the run file (HDF5), the trace (JSON), the charts (SVG)
stardag_SOURCES += runtime/tools/report.c runtime/tools/report.h runtime/tools/report_data.c runtime/tools/report_data.h \
	runtime/tools/trace_read.c runtime/tools/trace_read.h runtime/tools/report_charts.c runtime/tools/report_charts.h \
	runtime/tools/report_scalars.c runtime/tools/report_profile.c runtime/tools/report_map.c runtime/tools/report_window.c runtime/tools/report_window.h \
	runtime/tools/svg.c runtime/tools/svg.h runtime/tools/report_tune.c
# tool commands: compare (its library API in compare.h), calibrate, verify
libstardag_la_SOURCES += runtime/tools/compare.c runtime/tools/compare.h runtime/tools/compare_dset.c runtime/tools/compare_dset.h runtime/tools/strtab.c runtime/tools/strtab.h
stardag_SOURCES += runtime/tools/calibrate.c runtime/tools/verify.c runtime/tools/verify.h runtime/tools/verify_particles.c runtime/tools/verify_mesh.c runtime/tools/verify_batch.c \
	runtime/tools/verify_variants.c runtime/tools/verify_grid.c runtime/tools/verify_text.c \
	runtime/tools/verify_transport.c
# predict and tune: the task graph recorded, costed from the models and scheduled in a simulation
stardag_SOURCES += runtime/tools/models.c runtime/tools/models.h runtime/tools/sim.c runtime/tools/sim.h \
	runtime/tools/predict.c runtime/tools/predict.h runtime/tools/predict_cli.c runtime/tools/machine_costs.c \
	runtime/tools/tune.c
