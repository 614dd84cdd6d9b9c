/* ode_registry.h - what the bundled built-ins (codelets/ode/systems.c) register through: the one way
 * a system with SD_ODE_DEVICE_BUILTIN enters the registry (sd_ode_system_register refuses it).
 * Internal to stardag. */
#ifndef SD_ODE_REGISTRY_H
#define SD_ODE_REGISTRY_H
#include "stardag/ode.h"

int sd_ode_system_register_builtin(const sd_ode_system *s);

#endif
