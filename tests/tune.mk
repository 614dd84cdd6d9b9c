# predict and tune (docs/tuning.md): the scheduling simulation and the models' lookup on graphs
# worked out by hand; the commands end to end, stored tunings used, invalidated and ignored
check_PROGRAMS += tests/t_sim
tests_t_sim_SOURCES = tests/t_sim.c tests/tap.h runtime/tools/sim.c runtime/tools/sim.h runtime/tools/models.c \
	runtime/tools/models.h
TESTS += tests/t_sim tests/t_predict_tune.sh
EXTRA_DIST += tests/t_predict_tune.sh
