/* verify_transport.c - the test system of `stardag verify` for the transport codelets (verify.c
 * runs and compares it): the generic grid graphs cannot drive them (psi lives on theta x E bins,
 * the occupancy must describe psi, boundaries must be fixed), so every transport codelet runs in a
 * small proton beam: 13 x 17 cells of 0.5 mm (uneven tiles), 12 angle bins over [-45, 45] degrees,
 * 24 energy bins over [0, 24] MeV, a 15 MeV pencil beam with spreads 20 degrees off axis (it
 * scatters past the angle range, stops and leaves through x+), 12 steps of ds = 0.5 mm: the three
 * operators one by one for angular_scatter, energy_loss and stream, the fused step otherwise (with a
 * cutoff of 1e-9, so its cut is compared too), with totals and escaped every step; psi, occ, dose, tally and every scalar written at every step. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "verify.h"

char *sd_verify_transport_graph(const sd_codelet *c, const int64_t tile[2], char *err, size_t errlen)
{
    static const char *const known[] = {"transport.pencil_beam", "transport.angular_scatter", "transport.energy_loss",
                                        "transport.stream", "transport.step", "transport.totals", "transport.escaped",
                                        "transport.beam"};
    int split = -1;
    for (int i = 0; i < 8; i++)
        if (!strcmp(c->name, known[i])) split = i >= 1 && i <= 3;
    if (split < 0) {
        snprintf(err, errlen, "%s is not one of the transport pack's codelets this test system knows", c->name);
        return NULL;
    }
    sbuf b = {0};
    sb_printf(&b, "name: verify\n"
                  "domain:\n  grid: {shape: [13, 17], spacing: [0.5, 0.5], boundary: fixed,\n"
                  "         inner: {theta: {count: 12, range: [-45, 45]}, E: {count: 24, range: [0, 24]}}}\n"
                  "fields:\n  psi: {location: bins, levels: [psi, psi_next]}\n"
                  "  occ: {components: 4, levels: [occ, occ_next]}\n  dose: {}\n  tally: {components: 12}\n"
                  "scalars: [weight, energy, deposited, stopped, lost, escaped, wb, eb, w_xm, w_xp, w_zm, w_zp, e_xm, e_xp, "
                  "e_zm, e_zp]\n"
                  "tiles: [%lld, %lld]\n"
                  "init:\n  - op: %s\n"
                  "    write: {psi: psi, occ: occ, psi_next: psi_next, occ_next: occ_next}\n"
                  "    params: {energy: 15, energy_spread: 1, angle: 20, angle_spread: 6, width: 1}\n"
                  "  - op: common.fill\n    write: {out: dose}\n  - op: common.fill\n    write: {out: tally}\n"
                  "step:\n",
              (long long)tile[0], (long long)tile[1], strcmp(c->name, "transport.beam") ? "transport.pencil_beam" : c->name);
    if (split)
        sb_printf(&b, "  - op: transport.angular_scatter\n    readwrite: {psi: psi, occ: occ, tally: tally}\n"
                      "  - op: transport.energy_loss\n    readwrite: {psi: psi, occ: occ, dose: dose, tally: tally}\n"
                      "  - op: transport.stream\n    read: {psi: psi, occ: occ}\n"
                      "    readwrite: {psi_next: psi_next, occ_next: occ_next, tally: tally}\n");
    else
        sb_printf(&b, "  - op: transport.step\n    read: {psi: psi, occ: occ}\n"
                      "    readwrite: {psi_next: psi_next, occ_next: occ_next, dose: dose, tally: tally}\n"
                      "    params: {cutoff: 1e-9}\n");
    sb_printf(&b, "  - op: transport.totals\n    read: {psi: psi_next, occ: occ_next, dose: dose, tally: tally}\n"
                  "    write: {weight: weight, energy: energy, deposited: deposited, stopped: stopped, lost: lost, "
                  "escaped: escaped, weight_balance: wb, energy_balance: eb}\n"
                  "  - op: transport.escaped\n    read: {tally: tally}\n"
                  "    write: {w_xm: w_xm, w_xp: w_xp, w_zm: w_zm, w_zp: w_zp, e_xm: e_xm, e_xp: e_xp, e_zm: e_zm, e_zp: e_zp}\n"
                  "output:\n  fields: {names: [psi, occ, dose, tally], every: 1}\n"
                  "  scalars: {names: [weight, energy, deposited, stopped, lost, escaped, wb, eb, w_xm, w_xp, w_zm, w_zp, "
                  "e_xm, e_xp, e_zm, e_zp], every: 1}\n"
                  "run:\n  steps: 12\n  dt: 0.5\n");
    if (b.oom) {
        free(b.s);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    return b.s;
}
