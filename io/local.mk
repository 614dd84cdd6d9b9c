# io: HDF5 output and XDMF sidecars
