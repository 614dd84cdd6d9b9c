# Bundled graphs are installed under $(pkgdatadir)/graphs.
graphslatticedir = $(pkgdatadir)/graphs/lattice
dist_graphslattice_DATA = graphs/lattice/kg-packet.yaml graphs/lattice/dispersion.yaml \
	graphs/lattice/higher-order.yaml graphs/lattice/damped.yaml graphs/lattice/coupled-chi.yaml
graphsmddir = $(pkgdatadir)/graphs/md
dist_graphsmd_DATA = graphs/md/lj-liquid.yaml graphs/md/lj-liquid-large.yaml graphs/md/argon-nvt.yaml
graphsmembranedir = $(pkgdatadir)/graphs/membrane
dist_graphsmembrane_DATA = graphs/membrane/vesicle-bending.yaml graphs/membrane/tilt-relax.yaml \
	graphs/membrane/bench-bending.yaml graphs/membrane/edge-relax.yaml graphs/membrane/vesicle-newton.yaml
graphsodedir = $(pkgdatadir)/graphs/ode
dist_graphsode_DATA = graphs/ode/vdp-ensemble.yaml graphs/ode/robertson.yaml graphs/ode/lorenz-sweep.yaml \
	graphs/ode/vdp-stiff-ensemble.yaml graphs/ode/vdp-single.yaml graphs/ode/vdp-stiff-single.yaml graphs/ode/vdp-1m.yaml
graphstransportdir = $(pkgdatadir)/graphs/transport
dist_graphstransport_DATA = graphs/transport/pencil-70MeV.yaml graphs/transport/config-m.yaml \
	graphs/transport/seed-40x40x72x200.yaml graphs/transport/seed-30x30x48x140.yaml
