/* sched.c - see sched.h. The list comes from StarPU (starpu_sched_get_predefined_policies, usable
 * before starpu_init), so it matches the StarPU stardag runs on. */
#include <stdio.h>
#include <string.h>
#include <starpu.h>
#include "sched.h"

int sd_sched_known(const char *name)
{
    struct starpu_sched_policy **p = starpu_sched_get_predefined_policies();
    for (; p && *p; p++)
        if ((*p)->policy_name && !strcmp((*p)->policy_name, name)) return 1;
    return 0;
}

void sd_sched_refusal(const char *name, const char *origin, char *err, size_t errlen)
{
    size_t n = (size_t)snprintf(err, errlen, "unknown scheduler '%s' (from %s); StarPU's schedulers are:", name, origin);
    struct starpu_sched_policy **p = starpu_sched_get_predefined_policies();
    for (int first = 1; p && *p && n < errlen; p++, first = 0)
        n += (size_t)snprintf(err + n, errlen - n, "%s %s", first ? "" : ",", (*p)->policy_name);
}

int sd_sched_model_based(const char *name) { return !strncmp(name, "dm", 2) || strstr(name, "heft") != NULL; }

const char *sd_sched_default(int cuda_devices) { return cuda_devices > 0 ? "dmdas" : "lws"; }
