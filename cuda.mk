# cuda.mk - CUDA kernels (*.cu) built with nvcc. Included from Makefile.am before the folders'
# local.mk, which list their .cu files:  SD_CUDA_SOURCES += codelets/<pack>/<op>.cu
# (and headers a .cu includes beyond the ones below:  SD_CUDA_DEPS += codelets/<pack>/<pack>_math.h).
#
# - nvcc found (HAVE_NVCC): every .cu is compiled into a libtool object x_cu.lo and collected in the
#   convenience library libstardag_cuda.la, on any machine with nvcc (a compile check, even where
#   no GPU or no CUDA-enabled StarPU exists); tests/t_cuda_kernels and t_cuda_lattice link it.
# - nvcc found and StarPU has CUDA (SD_CUDA, config.h defines SD_HAVE_CUDA): libstardag also links
#   libstardag_cuda.la and the CUDA runtime, and the packs register their .cuda functions.
# - no nvcc: nothing here is built; the .cu files are still distributed.
#
# libtool does not know nvcc, so the %_cu.lo rule compiles the PIC object .libs/x_cu.o itself and
# writes the small libtool object file next to it (pic_object only: the library is shared-only).
# The _cu suffix keeps the objects apart from the C ones (pointwise.c and pointwise.cu).
# NVCCFLAGS (configure or make NVCCFLAGS=...) holds optimisation and target architectures. The
# options results depend on are pinned in SD_NVCC_PINNED: -fmad=false (no FMA contraction, as the
# C side's -ffp-contract=off), -ftz=false (denormals kept), -prec-div=true and -prec-sqrt=true
# (IEEE round-to-nearest division and square root): without them CPU and CUDA results differ in
# the last bits, and the CPU/CUDA bitwise claims (stardag verify, tests/t_md_cuda) no longer hold.
# A user's NVCCFLAGS cannot change them:
# - nvcc 13.0 (tried here) takes the last of two conflicting values with a warning ("incompatible
#   redefinition for option 'fmad', the last value of this option was used"); other versions may
#   refuse the command line instead. So the user's -fmad=X / --fmad=X, -ftz=X / --ftz=X,
#   -prec-div=X / --prec-div=X and -prec-sqrt=X / --prec-sqrt=X are removed from NVCCFLAGS (make
#   warns, naming them, when a value differs from the pinned one), and the pinned options come
#   last on the command line anyway.
# - --use_fast_math (-use_fast_math) is removed as well: it implies the four options above, and
#   even when they are overridden it still maps sinf, expf, logf, ... to approximate intrinsics.
# - The two-word spellings (-fmad true, --ftz false, ...) cannot be removed reliably by make: make
#   stops with an error naming the option. (-Xcicc -fmad=1 and the like make nvcc itself fail:
#   "defined more than once". -Xptxas --fmad=true changes nothing: PTX from -fmad=false has
#   explicit .rn multiplies and adds, which ptxas never contracts.)
# tests/t_nvcc_flags.sh checks this through the %_cu.lo rule with hostile NVCCFLAGS.

SD_CUDA_SOURCES =
SD_CUDA_DEPS = runtime/include/stardag/kernel.h runtime/include/stardag/codelet.h \
	runtime/include/stardag/kernel_cuda.cuh runtime/dm/halo.h runtime/dm/halo_math.h \
	codelets/common/common_math.h codelets/common/common_kernels.h \
	codelets/lattice/kg_math.h codelets/lattice/lattice_kernels.h $(top_builddir)/config.h
SD_CUDA_LOBJS = $(SD_CUDA_SOURCES:.cu=_cu.lo)
SD_NVCC_FLAGS = -std=c++17 -Xcompiler -fPIC -Xcompiler -Wall,-Wextra -DHAVE_CONFIG_H \
	-I$(top_builddir) -I$(top_srcdir)/runtime/include -I$(top_srcdir)/runtime -I$(top_srcdir)/runtime/dm -I$(top_srcdir)/codelets
SD_NVCC_PINNED = -prec-div=true -prec-sqrt=true -ftz=false -fmad=false
sd_nvcc_pinned_names = fmad ftz prec-div prec-sqrt
# The spellings of the pinned options (and fast math) removed from the user's NVCCFLAGS.
SD_NVCC_OVERRIDES = $(foreach o,$(sd_nvcc_pinned_names),-$(o)=% --$(o)=%) -use_fast_math --use_fast_math
SD_NVCC_USER_FLAGS = $(filter-out $(SD_NVCC_OVERRIDES),$(NVCCFLAGS))
# The nvcc command of every .cu: the user's flags first, the pinned ones last.
SD_NVCC_CMD = $(NVCC) $(SD_NVCC_FLAGS) $(SD_NVCC_USER_FLAGS) $(SD_NVCC_PINNED)
sd_nvcc_dropped = $(filter-out $(SD_NVCC_PINNED) $(addprefix -,$(SD_NVCC_PINNED)),\
	$(filter $(SD_NVCC_OVERRIDES),$(NVCCFLAGS)))
sd_nvcc_split = $(filter $(foreach o,$(sd_nvcc_pinned_names),-$(o) --$(o)),$(NVCCFLAGS))
if HAVE_NVCC
# Evaluated once when make reads the Makefile (GNU make; automake runs with -Wno-portability).
sd_nvcc_check := $(if $(sd_nvcc_split),$(error NVCCFLAGS: '$(firstword $(sd_nvcc_split))' with its value as a separate word is not accepted here: results depend on it and stardag pins $(SD_NVCC_PINNED); drop it (or write it as $(firstword $(sd_nvcc_split))=VALUE, which is ignored with a warning)))$(if $(sd_nvcc_dropped),$(warning NVCCFLAGS: ignoring $(sd_nvcc_dropped): results depend on these options and stardag pins $(SD_NVCC_PINNED) (see cuda.mk)))
endif
# Linking nvcc objects: the CUDA runtime (found at run time through the rpath), and libstdc++ for
# the host code nvcc generates.
SD_CUDA_LIBS = -L$(CUDA_LIBDIR) -lcudart -lstdc++
SD_CUDA_LDFLAGS = -Wl,-rpath,$(CUDA_LIBDIR)

stardaginclude_HEADERS += runtime/include/stardag/kernel_cuda.cuh
EXTRA_DIST += cuda.mk $(SD_CUDA_SOURCES)

AM_V_NVCC = $(am__v_NVCC_@AM_V@)
am__v_NVCC_ = $(am__v_NVCC_@AM_DEFAULT_V@)
am__v_NVCC_0 = @echo "  NVCC    " $@;
am__v_NVCC_1 =

%_cu.lo: %.cu $(SD_CUDA_DEPS)
	$(AM_V_NVCC)$(MKDIR_P) $(@D)/.libs && \
	$(SD_NVCC_CMD) -c $< -o $(@D)/.libs/$(*F)_cu.o && \
	printf "# %s - a libtool object file\n# Generated by libtool-compatible rule in cuda.mk (nvcc)\n#\n# Please DO NOT delete this file!\n# It is necessary for linking the library.\n\n# Name of the PIC object.\npic_object='.libs/%s'\n\n# Name of the non-PIC object\nnon_pic_object=none\n\n" \
	  '$(@F)' '$(*F)_cu.o' > $@-t && mv -f $@-t $@

noinst_LTLIBRARIES =
if HAVE_NVCC
noinst_LTLIBRARIES += libstardag_cuda.la
libstardag_cuda_la_SOURCES =
libstardag_cuda_la_LIBADD = $(SD_CUDA_LOBJS)
endif
if SD_CUDA
libstardag_la_LIBADD += libstardag_cuda.la $(SD_CUDA_LIBS)
libstardag_la_LDFLAGS += $(SD_CUDA_LDFLAGS)
endif
# The PIC objects go with their folders' .libs, which "make clean" removes (clean-libtool).
CLEANFILES += $(SD_CUDA_LOBJS)
