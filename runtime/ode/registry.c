/* registry.c - the ODE systems graphs may name (`system: NAME`): the built-ins and those a program
 * or pack registers through stardag/ode.h. Systems are referenced, not copied (static storage). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ode_registry.h"

static const sd_ode_system **table;
static int count, cap;

/* 0 when s may be registered; else -1 with the reason in msg. */
static int check_system(const sd_ode_system *s, int builtin, char *msg, size_t len)
{
    if (!s || !s->name[0] || !s->f) {
        snprintf(msg, len, "an ODE system needs a name and a right-hand side f");
        return -1;
    }
    if (sd_ode_system_find(s->name)) {
        snprintf(msg, len, "ODE system %s is already registered", s->name);
        return -1;
    }
    if (s->n < 1 || s->n > SD_ODE_MAX_N || s->np < 0 || s->np > SD_ODE_MAX_PARAMS || s->nevents < 0 ||
        s->nevents > SD_ODE_MAX_EVENTS || (s->nevents > 0) != (s->events != NULL)) {
        snprintf(msg, len, "ODE system %s: 1..%d variables, 0..%d parameters and 0..%d events (with an events "
                           "function when there are any) expected", s->name, SD_ODE_MAX_N, SD_ODE_MAX_PARAMS,
                 SD_ODE_MAX_EVENTS);
        return -1;
    }
    if (s->device != SD_ODE_DEVICE_NONE && (s->device != SD_ODE_DEVICE_BUILTIN || !builtin)) {
        /* a CUDA thread evaluates a system by its built-in id: another system under that id
           would compute the built-in's right-hand side on GPUs and its own on CPUs */
        snprintf(msg, len, "ODE system %s: only the bundled built-ins run on CUDA (device %d); register "
                           "your system with device SD_ODE_DEVICE_NONE (it runs on CPUs)", s->name, (int)s->device);
        return -1;
    }
    for (int k = 0; k < s->nevents; k++)
        if (s->event_direction[k] < -1 || s->event_direction[k] > 1) {
            snprintf(msg, len, "ODE system %s: event %d's direction is -1, 0 or +1", s->name, k);
            return -1;
        }
    return 0;
}

static int add(const sd_ode_system *s, int builtin)
{
    char msg[256];
    if (check_system(s, builtin, msg, sizeof msg) < 0) {
        fprintf(stderr, "stardag: %s\n", msg);
        return -1;
    }
    if (count == cap) {
        int ncap = cap ? 2 * cap : 16;
        const sd_ode_system **t = realloc(table, (size_t)ncap * sizeof *t);
        if (!t) {
            fprintf(stderr, "stardag: ODE system %s: out of memory\n", s->name);
            return -1;
        }
        table = t;
        cap = ncap;
    }
    table[count++] = s;
    return 0;
}

const sd_ode_system *sd_ode_system_find(const char *name)
{
    for (int i = 0; name && i < count; i++)
        if (!strcmp(table[i]->name, name)) return table[i];
    return NULL;
}

int sd_ode_system_count(void) { return count; }
const sd_ode_system *sd_ode_system_at(int i) { return i >= 0 && i < count ? table[i] : NULL; }

int sd_ode_system_register(const sd_ode_system *s) { return add(s, 0); }
int sd_ode_system_register_builtin(const sd_ode_system *s) { return add(s, 1); }
