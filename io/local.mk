# io: HDF5 output and XDMF sidecars
libstardag_la_SOURCES += io/h5out.c io/h5out.h io/h5read.c io/xdmf.c io/xdmf.h io/h5err.c io/h5err.h \
	io/h5util.c io/h5vfd.c io/h5util.h io/h5md.c io/h5md.h io/h5md_impl.h io/h5md_continue.c io/h5md_frames.c \
	io/run_status.c io/run_status.h io/durable.c io/durable.h
# io: initial state from files (io.read_field)
libstardag_la_SOURCES += io/read_field.c io/read_field.h
# io: the memory a process may still allocate (STARDAG_MAX_MEMORY), for sizes taken from input
libstardag_la_SOURCES += io/memlimit.c io/memlimit.h
# io: a graph's tables (text files of numbers, HDF5 datasets) and their record in the run file (/tables)
libstardag_la_SOURCES += io/read_table.c io/read_table_h5.c io/read_table.h io/h5out_tables.c
# io: a particle system's initial state from LAMMPS data, XYZ or H5MD (domain.particles.read)
libstardag_la_SOURCES += io/read_particles.c io/read_particles.h io/h5md_read.c
# io: closed triangle meshes (membranes): OFF/OBJ/PLY files, validation, generators (docs/mesh-files.md)
libstardag_la_SOURCES += io/mesh_file.h io/mesh_gen.c io/mesh_internal.h io/mesh_read.c io/mesh_ply.c io/mesh_write.c \
	io/mesh_check.c io/mesh_edges.c
# io: the mesh of a mesh domain in the run file (/mesh) and its XDMF Triangle sidecar
libstardag_la_SOURCES += io/h5out_mesh.c io/h5out_impl.h
# io: output.profiles in the run file (/profiles) and their reader
libstardag_la_SOURCES += io/h5out_profile.c
# io: a restarted run continues its run file (cut back to the checkpoint's step)
libstardag_la_SOURCES += io/h5out_continue.c io/h5out_commit.c
# io: checkpoint files (docs/checkpoint.md): writer (atomic publish, rotation) and verifying reader
libstardag_la_SOURCES += io/ckpt.h io/ckpt_write.c io/ckpt_read.c
