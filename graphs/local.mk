# bundled graphs
