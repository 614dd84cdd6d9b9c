#!/usr/bin/env python3
"""bench/mpi/scaling_model.py - the scaling model of docs/scaling.md, from what bench/mpi/run.sh
measured on this machine (its logs in bench/mpi/out: core-seconds per step of every per-step task
kind) and the network assumed below. Prints the tables of docs/scaling.md.

    python3 bench/mpi/scaling_model.py [OUT]      OUT: bench/mpi/out (default)

Model of one step on P nodes (one rank per node, C cores: C - 1 workers, one core for StarPU-MPI's
progression thread):
  compute  = core-seconds of the step's work on this node / workers
  tasks    = tasks on this node x TASK_S / workers          (StarPU's cost per task)
  comm     = messages x LATENCY + bytes / BANDWIDTH         (halo faces, ghost particles)
  step     = max(compute + tasks, comm) + vote               (StarPU overlaps transfers with the
             tasks that do not wait for them; the run loop's vote is an allgather, LATENCY x log2 P)
and for particles the ghost volume of bricks (see below)."""
import math
import os
import re
import sys

# ---- assumptions (docs/scaling.md says why) -------------------------------------------------
CORES = 16             # cores per node
BANDWIDTH = 12.5e9     # B/s per node: 100 Gb/s InfiniBand (HDR100) or 100 GbE
LATENCY = 2e-6         # s per message (MPI over InfiniBand, small messages)
TASK_S = 10e-6         # s of StarPU's own work per task (measured 2-14 us end to end)
NODES = [1, 8, 64, 512]

out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "out")
INIT_ONLY = {"common.fill", "lattice.gaussian_packet", "md.fcc_lattice", "md.velocity_create", "field read",
             "output snapshot", "trajectory snapshot", "checkpoint snapshot"}


def kinds(name):
    """{kind: (tasks, core-seconds)} of the 1 x 2 cores run, and its step count."""
    text = open(os.path.join(out, name + "-1x2.log")).read()
    steps = int(re.search(r": (\d+) steps in", text).group(1))
    rows = {}
    for m in re.finditer(r"^  (\S[^\n]*?)\s+cpu\s+(\d+)\s+([0-9.]+)\s+[0-9.]+$", text, re.M):
        rows[m.group(1).strip()] = (int(m.group(2)), float(m.group(3)))
    return rows, steps


def per_step(name, exclude=()):
    rows, steps = kinds(name)
    work = sum(s for k, (n, s) in rows.items() if k not in INIT_ONLY and k not in exclude) / steps
    ntasks = sum(n for k, (n, s) in rows.items() if k not in INIT_ONLY and k not in exclude) / steps
    return work, ntasks, rows, steps


def table(title, rows):
    print("\n" + title + "\n")
    print("| nodes | step (ms) | compute | comm | vote | efficiency |")
    print("|---:|---:|---:|---:|---:|---:|")
    base = None
    for p, step, comp, comm, vote in rows:
        base = base or step * p
        print("| %d | %.3f | %.3f | %.3f | %.4f | %.0f%% |" % (p, step * 1e3, comp * 1e3, comm * 1e3, vote * 1e3,
                                                        100 * base / (step * p)))


def vote(p):
    return LATENCY * math.ceil(math.log2(p)) if p > 1 else 0.0


workers = CORES - 1

# ---- lattice: a Klein-Gordon step on n^3 cells, 3D bricks, one field's faces exchanged per step
lw, lt, _, _ = per_step("lattice")
cells0 = 256 ** 3
t_cell = lw / cells0          # core-seconds per cell-step
tasks_per_cell = lt / cells0
for n in (256, 1024):
    rows = []
    for p in NODES:
        cells = n ** 3 / p
        comp = cells * t_cell / workers
        tasks = max(2 * workers, cells * tasks_per_cell) * TASK_S / workers
        side = (cells) ** (1 / 3)
        comm = 0.0 if p == 1 else 6 * LATENCY + 6 * side * side * 8 / BANDWIDTH
        rows.append((p, max(comp + tasks, comm) + vote(p), comp + tasks, comm, vote(p)))
    table("Lattice %d^3 (strong scaling; %.2f ns of core time per cell-step measured)" % (n, t_cell * 1e9), rows)

# weak: 256^3 cells per node
rows = []
for p in NODES:
    cells = 256 ** 3
    comp = cells * t_cell / workers + max(2 * workers, cells * tasks_per_cell) * TASK_S / workers
    comm = 0.0 if p == 1 else 6 * LATENCY + 6 * 256 * 256 * 8 / BANDWIDTH
    rows.append((p, max(comp, comm) + vote(p), comp, comm, vote(p)))
print("\nLattice, weak scaling, 256^3 cells per node (efficiency: step time on 1 node / on P nodes)\n")
print("| nodes | step (ms) | compute | comm | vote | efficiency |")
print("|---:|---:|---:|---:|---:|---:|")
for p, step, comp, comm, v in rows:
    print("| %d | %.3f | %.3f | %.3f | %.4f | %.0f%% |" % (p, step * 1e3, comp * 1e3, comm * 1e3, v * 1e3, 100 * rows[0][1] / step))

# ---- particles: LJ liquid (rho = 0.8442, cut-off 2.5 + skin 0.3), 256,000 atoms, 3D bricks, the
# parallel rebuild (per block, every `every` = 20 steps). What crosses ranks (docs/distributed.md,
# Limits): each step a brick's ghost export, the particles of its cells next to other ranks' bricks
# (StarPU-MPI sends a buffer at its room: capacity 1.5 x the mean occupancy), 24 B each; at each
# rebuild its outgoing buffer (room for the particles of its cells next to other bricks, 84 B each:
# id, type, x, v, f) and its exported ids and types (12 B each). A node's bricks together form a
# cube of side `side`; its export layer is one cell (>= reach) deep, on all six faces.
mw, mt, mrows, msteps = per_step("md")
N0 = 256000
t_atom = mw / N0
rho, reach, capacity, every = 0.8442, 2.8, 1.5, 20
measured = 0.0
with open(os.path.join(out, "table.txt")) as f:
    for line in f:
        if line.startswith("md "):
            measured = float(line.split()[-2].rstrip(","))
for natoms, weak in ((N0, False), (32000, True)):
    rows = []
    for p in NODES:
        n = natoms if weak else natoms / p
        comp = n * t_atom / workers + max(4 * workers, mt * n / N0) * TASK_S / workers
        side = (n / rho) ** (1 / 3)
        layer = rho * (side ** 3 - max(side - 2 * reach, 0.0) ** 3)  # atoms within a cell of the faces
        sent = capacity * layer * (24 + (84 + 12) / every)
        comm = 0.0 if p == 1 else 26 * LATENCY + sent / BANDWIDTH
        rows.append((p, max(comp, comm) + vote(p), comp, comm, vote(p)))
    if weak:
        print("\nParticles, weak scaling, %d atoms per node\n" % natoms)
        print("| nodes | step (ms) | compute | comm | vote | efficiency |")
        print("|---:|---:|---:|---:|---:|---:|")
        for p, step, comp, comm, v in rows:
            print("| %d | %.3f | %.3f | %.3f | %.4f | %.0f%% |" % (p, step * 1e3, comp * 1e3, comm * 1e3, v * 1e3,
                                                            100 * rows[0][1] / step))
    else:
        table("Particles, %d atoms (strong scaling)" % natoms, rows)
print("\n(particles: %.0f ns of core time per atom-step, the parallel rebuild included; run.sh measured %.2f MB "
      "sent per rank per step with 4 bricks on 2 ranks)" % (t_atom * 1e9, measured / 1e6))

# ---- ODE ensembles: independent systems; only reduction partials travel
ow, ot, _, _ = per_step("ode")
M0 = 10000
t_sys = ow / M0
for m in (10000, 10 ** 7):
    rows = []
    for p in NODES:
        n = m / p
        comp = n * t_sys / workers + max(workers, ot * n / M0) * TASK_S / workers
        comm = 0.0 if p == 1 else LATENCY * math.ceil(math.log2(p)) + 600 / BANDWIDTH
        rows.append((p, max(comp, comm) + vote(p), comp, comm, vote(p)))
    table("ODE ensemble, %d Van der Pol systems (strong scaling; %.0f ns of core time per system-interval)" % (m, t_sys * 1e9), rows)
print("\nAssumed: %d cores per node (%d workers, one core for StarPU-MPI's progression thread), %.1f GB/s and "
      "%.0f us per message, %.0f us of StarPU per task." % (CORES, workers, BANDWIDTH / 1e9, LATENCY * 1e6, TASK_S * 1e6))
