#!/bin/sh
# t_ckpt_restart.sh - a run restarted from a checkpoint equals the uninterrupted run bitwise (its
# final checkpoint's state and every output step after the restart), on the same and on other tiles,
# workers and schedulers: a periodic lattice, a lattice with absorbing sides (state in its ghosts), a
# phase-space transport grid, explicit (DOPRI5) and implicit (Radau IIA, BDF) ODE ensembles whose
# solver history lives in fields. docs/checkpoint.md.
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/ckpt_lib.sh"
cd "$tmp" || exit 99
export STARDAG_CACHE_DIR="$tmp/cache"

kg="$top_srcdir/graphs/lattice/kg-packet.yaml --set n=16"
restart_case kg "$kg" 20 10 "--ncpu 1" "--ncpu 1"
restart_case kg2 "$kg" 20 10 "--ncpu 1" "--ncpu 2 --tiles 8x4x16 --sched eager"
ab="$top_srcdir/tests/graphs/kg-absorb-3d.yaml"
restart_case absorb "$ab" 30 15 "--ncpu 1 --tiles 13x11x9" "--ncpu 2 --tiles 5x4x9 --sched lws"
restart_case absorb2 "$ab" 30 15 "--ncpu 2 --tiles 7x6x5" "--ncpu 1 --tiles 13x11x9"
tr="$top_srcdir/graphs/transport/pencil-70MeV.yaml --set dx=1 --set dz=1 --set ds=1 --set dE=1 --set nx=11 --set depth=12"
restart_case transport "$tr" 8 4 "--ncpu 1" "--ncpu 2 --tiles 4x5 --sched eager"
od="$top_srcdir/graphs/ode"
restart_case vdp "$od/vdp-ensemble.yaml --set M=300 --set intervals=10" 10 5 "--ncpu 1 --tiles 1" "--ncpu 2 --tiles 3"
restart_case radau "$od/robertson.yaml --set M=9" 10 5 "--ncpu 2 --tiles 4" "--ncpu 1 --tiles 1 --sched eager"
restart_case bdf "$top_srcdir/tests/graphs/vdp-bdf.yaml --set M=60 --set intervals=6" 6 3 "--ncpu 1" "--ncpu 2 --tiles 2"
tap_end
