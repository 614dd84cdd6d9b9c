/* systems.c - the built-in ODE systems as registered sd_ode_system entries: their lane functions
 * (the single-system math of systems.h looped over the lanes), names, parameter defaults and CUDA
 * ids. `linear` is not here: it is made per file (runtime/ode/ode_linear.h). */
#include "ode/systems.h"
#include "ode_registry.h"

SD_ODE_LANE_FN(vdp_f, sd_ode_vdp_f)
SD_ODE_LANE_FN(vdp_jac, sd_ode_vdp_jac)
SD_ODE_LANE_FN(vdp_eps_f, sd_ode_vdp_eps_f)
SD_ODE_LANE_FN(vdp_eps_jac, sd_ode_vdp_eps_jac)
SD_ODE_LANE_FN(lorenz_f, sd_ode_lorenz_f)
SD_ODE_LANE_FN(lorenz_jac, sd_ode_lorenz_jac)
SD_ODE_LANE_FN(robertson_f, sd_ode_robertson_f)
SD_ODE_LANE_FN(robertson_jac, sd_ode_robertson_jac)
SD_ODE_LANE_FN(brusselator_f, sd_ode_brusselator_f)
SD_ODE_LANE_FN(brusselator_jac, sd_ode_brusselator_jac)
SD_ODE_LANE_FN(oregonator_f, sd_ode_oregonator_f)
SD_ODE_LANE_FN(oregonator_jac, sd_ode_oregonator_jac)

static const char *const xv[] = {"x", "v"}, *const y12[] = {"y1", "y2"}, *const xyz[] = {"x", "y", "z"},
                  *const y123[] = {"y1", "y2", "y3"}, *const uv[] = {"u", "v"};
static const char *const mu_name[] = {"mu"}, *const eps_name[] = {"eps"},
                  *const lorenz_names[] = {"sigma", "rho", "beta"}, *const robertson_names[] = {"k1", "k2", "k3"},
                  *const brusselator_names[] = {"A", "B"}, *const oregonator_names[] = {"s", "q", "w"};
static const double mu_default[] = {1.0}, eps_default[] = {1e-6}, lorenz_default[] = {10.0, 28.0, 8.0 / 3.0},
                    robertson_default[] = {0.04, 3e7, 1e4}, brusselator_default[] = {1.0, 3.0},
                    oregonator_default[] = {77.27, 8.375e-6, 0.161};

#define BUILTIN(NAME, ID, N, NP, VARS, PNAMES, PDEF, F, JAC, DOC)                                             \
    {.name = NAME, .n = N, .np = NP, .var_names = VARS, .param_names = PNAMES, .param_default = PDEF, .f = F, \
     .jac = JAC, .device = SD_ODE_DEVICE_BUILTIN, .device_id = ID, .doc = DOC}

static const sd_ode_system builtins[] = {
    BUILTIN("vdp", SD_ODE_VDP, 2, 1, xv, mu_name, mu_default, vdp_f, vdp_jac,
            "Van der Pol: x' = v, v' = mu (1 - x^2) v - x"),
    BUILTIN("vdp_eps", SD_ODE_VDP_EPS, 2, 1, y12, eps_name, eps_default, vdp_eps_f, vdp_eps_jac,
            "Van der Pol, stiff form: y1' = y2, y2' = ((1 - y1^2) y2 - y1) / eps"),
    BUILTIN("lorenz", SD_ODE_LORENZ, 3, 3, xyz, lorenz_names, lorenz_default, lorenz_f, lorenz_jac,
            "Lorenz: x' = sigma (y - x), y' = x (rho - z) - y, z' = x y - beta z"),
    BUILTIN("robertson", SD_ODE_ROBERTSON, 3, 3, y123, robertson_names, robertson_default, robertson_f,
            robertson_jac, "Robertson's stiff kinetics: y1' = -k1 y1 + k3 y2 y3, y3' = k2 y2^2, y2' the rest"),
    BUILTIN("brusselator", SD_ODE_BRUSSELATOR, 2, 2, uv, brusselator_names, brusselator_default, brusselator_f,
            brusselator_jac, "Brusselator: u' = A + u^2 v - (B + 1) u, v' = B u - u^2 v"),
    BUILTIN("oregonator", SD_ODE_OREGONATOR, 3, 3, y123, oregonator_names, oregonator_default, oregonator_f,
            oregonator_jac, "Oregonator (Hairer & Wanner's OREGO): stiff Belousov-Zhabotinsky kinetics"),
};

void sd_register_ode_systems(void)
{
    static int done;
    if (done) return;
    done = 1;
    /* a name clash is a programming error of a program that registered first: the registry says so */
    for (size_t i = 0; i < sizeof builtins / sizeof builtins[0]; i++) (void)sd_ode_system_register_builtin(&builtins[i]);
}
