# tests: the Python package (python/stardag) and docs/tutorial.py, with configure's python3
TESTS += tests/t_python.sh
EXTRA_DIST += tests/t_python.sh tests/t_python.py
AM_TESTS_ENVIRONMENT += PYTHON='$(PYTHON)'; export PYTHON;
