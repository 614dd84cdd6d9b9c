EXTRA_DIST += tests/harness.sh tests/tap.h tests/tap.sh
include tests/loader.mk
include tests/io.mk
include tests/formats.mk
include tests/kernels.mk
include tests/md.mk
include tests/membrane.mk
include tests/cuda.mk
include tests/runtime.mk
include tests/sanitize.mk
include tests/python.mk
include tests/plugin.mk
