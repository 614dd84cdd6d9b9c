#!/usr/bin/env python3
"""Independent step-0 reference for bench/peers/in.lj: the perfect fcc lattice at reduced density
rho = 0.8442 with the unshifted 12-6 Lennard-Jones potential cut at rc = 2.5 (epsilon = sigma = 1).

Every atom of a perfect lattice is equivalent, so per-atom quantities are lattice sums over the
neighbour shells of one atom (each pair counted half):

    u  = 1/2 sum_j 4 (r^-12 - r^-6)             potential energy per atom (LAMMPS "epair")
    w  = 1/2 sum_j (48 r^-12 - 24 r^-6)         virial per atom, W/N with W = sum_pairs r.F
    P  = (dof T + W) / (3 V)                     LAMMPS pressure (compute pressure, lj units),
                                                 dof = 3N - 3, V = N / rho

fcc sites: (a/2) (i, j, k) with i + j + k even; a = (4 / rho)^(1/3) (LAMMPS "lattice fcc 0.8442").
Shells are enumerated, not hard-coded; sums are done in 50-digit decimal arithmetic.
Usage: fcc_lattice_sum.py [N [T]]  (N atoms, default 32000; T the step-0 temperature, default 1.44)
"""
import sys
from decimal import Decimal, getcontext

getcontext().prec = 50
rho = Decimal("0.8442")
rc = Decimal("2.5")
N = int(sys.argv[1]) if len(sys.argv) > 1 else 32000
T = Decimal(sys.argv[2]) if len(sys.argv) > 2 else Decimal("1.44")

a = (Decimal(4) / rho) ** (Decimal(1) / Decimal(3))
h2 = (a / 2) ** 2                      # (a/2)^2
mmax = int((rc * rc) / h2) + 1         # shells m = i^2 + j^2 + k^2 with (a/2)^2 m < rc^2
lim = int(mmax ** 0.5) + 1
shells = {}
for i in range(-lim, lim + 1):
    for j in range(-lim, lim + 1):
        for k in range(-lim, lim + 1):
            m = i * i + j * j + k * k
            if m == 0 or (i + j + k) % 2:
                continue
            if h2 * m < rc * rc:
                shells[m] = shells.get(m, 0) + 1

u = Decimal(0)
w = Decimal(0)
print("a = %s" % format(a, ".20g"))
print("shell  m=i2+j2+k2  count  r")
for m in sorted(shells):
    r2 = h2 * m
    ir6 = 1 / (r2 * r2 * r2)
    ir12 = ir6 * ir6
    u += Decimal(shells[m]) * 4 * (ir12 - ir6) / 2
    w += Decimal(shells[m]) * (48 * ir12 - 24 * ir6) / 2
    print("  %2d  %3d  %s" % (m, shells[m], format(r2.sqrt(), ".15g")))
print("neighbours within rc: %d" % sum(shells.values()))
V = Decimal(N) / rho
dof = 3 * N - 3
pvir = w * N / (3 * V)                 # = rho w / 3
pkin = dof * T / (3 * V)
print("epair (u)          = %s" % format(u, ".17g"))
print("virial per atom w  = %s" % format(w, ".17g"))
print("P_virial = rho w/3 = %s" % format(pvir, ".17g"))
print("P_kin (N=%d, T=%s) = %s" % (N, T, format(pkin, ".17g")))
print("P = P_kin + P_vir  = %s" % format(pkin + pvir, ".17g"))

# LAMMPS accumulates the pair energy as one double, eng_vdwl += evdwl, over a half neighbour list
# (newton on: each atom adds half of its shell terms). N * 27 nearly equal terms summed naively
# drift from the exact sum; emulate that accumulation in double precision (the order of the terms
# within an atom's list does not matter at the printed precision) to explain LAMMPS's last digits.
af = (4.0 / float(rho)) ** (1.0 / 3.0)
terms = []
for m in sorted(shells):
    r2 = (af / 2) ** 2 * m
    r6 = 1.0 / (r2 * r2 * r2)
    terms += [r6 * (4.0 * r6 - 4.0)] * (shells[m] // 2)
acc = 0.0
for _ in range(N):
    for t in terms:
        acc += t
print("epair, naive double accumulation as in LAMMPS (N=%d) = %r  (rel. to exact %.3g)"
      % (N, acc / N, float((Decimal(acc / N) - u) / abs(u))))
