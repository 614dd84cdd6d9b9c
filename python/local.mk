# The stardag Python package (pure Python, ctypes over libstardag): installed under $(pkgpythondir)
# with _paths.py recording $(libdir), where it finds the installed library (python/stardag/_lib.py).
stardag_py = python/stardag/__init__.py python/stardag/_lib.py python/stardag/errors.py \
	python/stardag/graph.py python/stardag/run.py python/stardag/progress.py python/stardag/compare.py
if HAVE_PYTHON
pkgpython_PYTHON = $(stardag_py)
install-data-local: install-stardag-paths
uninstall-local: uninstall-stardag-paths
endif
EXTRA_DIST += $(stardag_py)
# Written at install time, so `make install prefix=DIR` records DIR's libdir; not byte-compiled (tiny).
.PHONY: install-stardag-paths uninstall-stardag-paths
install-stardag-paths:
	$(MKDIR_P) '$(DESTDIR)$(pkgpythondir)'
	$(PYTHON) -c 'import sys; print("# written by make install: where libstardag is\nLIBDIR = %r" % sys.argv[1])' \
	  '$(libdir)' > '$(DESTDIR)$(pkgpythondir)/_paths.py'
uninstall-stardag-paths:
	rm -f '$(DESTDIR)$(pkgpythondir)/_paths.py' '$(DESTDIR)$(pkgpythondir)'/__pycache__/_paths.*.pyc
