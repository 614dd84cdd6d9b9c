# lattice codelets
