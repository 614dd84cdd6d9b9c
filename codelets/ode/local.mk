# ode codelets: solvers of batch domains (ode.*) and the built-in systems
libstardag_la_SOURCES += codelets/ode/systems.h
libstardag_la_SOURCES += codelets/ode/systems.c
