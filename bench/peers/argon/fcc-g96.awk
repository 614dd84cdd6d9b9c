# bench/peers/argon/fcc-g96.awk - an fcc lattice of n^3 unit cells at reduced density 0.8442 in argon
# units (sigma 0.3405 nm) as a GROMOS-96 file (9 decimals, unlike .gro's 3), in stardag's order
# (md_fcc_site: cell x fastest, 4 basis sites per cell).   awk -v n=20 -f fcc-g96.awk > argon.g96
BEGIN {
    if (n < 1) n = 20
    a = (4 / 0.8442) ^ (1 / 3) * 0.3405
    print "TITLE"; printf "fcc argon, %d^3 cells, a = %.9f nm\n", n, a; print "END"
    print "POSITION"
    ox[0] = 0; oy[0] = 0; oz[0] = 0; ox[1] = 0.5; oy[1] = 0.5; oz[1] = 0
    ox[2] = 0.5; oy[2] = 0; oz[2] = 0.5; ox[3] = 0; oy[3] = 0.5; oz[3] = 0.5
    k = 0
    for (cz = 0; cz < n; cz++) for (cy = 0; cy < n; cy++) for (cx = 0; cx < n; cx++) for (b = 0; b < 4; b++) {
        k++
        printf "%5d %-5s %-5s %6d%15.9f%15.9f%15.9f\n", (k - 1) % 100000 + 1, "AR", "AR", k, a * (cx + ox[b]), a * (cy + oy[b]), a * (cz + oz[b])
    }
    print "END"
    print "BOX"; printf "%15.9f%15.9f%15.9f\n", n * a, n * a, n * a; print "END"
}
