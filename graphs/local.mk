# Bundled graphs are installed under $(pkgdatadir)/graphs.
graphslatticedir = $(pkgdatadir)/graphs/lattice
dist_graphslattice_DATA = graphs/lattice/kg-packet.yaml graphs/lattice/dispersion.yaml
