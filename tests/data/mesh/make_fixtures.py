#!/usr/bin/env python3
"""Writes the mesh fixtures of tests/t_mesh_file.c (run from this directory; the files are committed).
Most are the unit octahedron, outward, with one defect each; line numbers in the test follow this layout."""
import struct

V = [(1, 0, 0), (-1, 0, 0), (0, 1, 0), (0, -1, 0), (0, 0, 1), (0, 0, -1)]
F = [(0, 2, 4), (2, 1, 4), (1, 3, 4), (3, 0, 4), (2, 0, 5), (1, 2, 5), (3, 1, 5), (0, 3, 5)]


def off(name, verts, faces, head="OFF\n{nv} {nf} 0\n", vfmt="{} {} {}"):
    with open(name, "w") as f:
        f.write("# octahedron fixture: %s\n" % name)  # line 1
        f.write(head.format(nv=len(verts), nf=len(faces)))  # lines 2-3
        for v in verts:  # lines 4..
            f.write(vfmt.format(*v) + "\n")
        for t in faces:
            f.write("%d %s\n" % (len(t), " ".join(str(i) for i in t)))


off("good.off", V, F)
off("coff.off", V, F, head="COFF {nv} {nf} 0\n\n", vfmt="{} {} {} 255 0 0 255")  # counts on the header line
off("hole.off", V, F[:-1])                                  # F[7] missing: open edges
off("flipped.off", V, F[:5] + [(2, 1, 5)] + F[6:])           # F[5] reversed: line 15
off("nan.off", V[:2] + [("0", "nan", "0")] + V[3:], F)       # vertex 2 on line 6
off("zero_area.off", V + [(0.5, 0, 0.5)], F + [(0, 6, 4)])   # 6 halfway along edge 0-4: line 19
off("duplicate.off", V, F + [(0, 4, 2)])                     # F[0] again (reversed): line 18
off("fin.off", V + [(1, 1, 1)], F + [(0, 4, 6)])             # edge 0-4 in 3 faces: first on line 11
off("range.off", V, F[:3] + [(3, 0, 6)] + F[4:])             # vertex 6 of 6: line 13
off("unused.off", V[:3] + [(9, 9, 9)] + V[3:], [tuple(i + (i >= 3) for i in t) for t in F])
off("inward.off", V, [(a, c, b) for a, b, c in F])
off("quad.off", V, F[:7] + [(0, 3, 5, 1)])                    # line 17
off("short.off", V, F, head="OFF\n{nv} 9 0\n")                # one face less than announced
# two octahedra sharing vertex 0: a pinch
W = V + [(3, 0, 0), (2, 1, 0), (2, -1, 0), (2, 0, 1), (2, 0, -1)]  # the octahedron moved by +2 in x
G = [(0 if i == 1 else {0: 6, 2: 7, 3: 8, 4: 9, 5: 10}[i] for i in t) for t in F]
off("pinch.off", W, F + [tuple(g) for g in G])

with open("good.obj", "w") as f:
    f.write("# octahedron with texture and normal references\nmtllib none.mtl\no octa\n")  # lines 1-3
    for v in V:  # lines 4-9
        f.write("v %s %s %s\n" % v)
    f.write("vt 0 0\nvn 0 0 1\ns off\n")  # lines 10-12
    forms = ["{}", "{}/1", "{}//1", "{}/1/1"]
    for k, t in enumerate(F):  # lines 13-20; faces 4..7 with negative indices
        if k < 4:
            f.write("f " + " ".join(forms[(k + j) % 4].format(i + 1) for j, i in enumerate(t)) + "\n")
        else:
            f.write("f " + " ".join(str(i - 6) for i in t) + "\n")
with open("quad.obj", "w") as f:
    for v in V:  # lines 1-6
        f.write("v %s %s %s\n" % v)
    f.write("f 1 3 5\nf 1 2 3 4\n")  # line 8: 4 corners
with open("flipped.obj", "w") as f:
    for v in V:
        f.write("v %s %s %s\n" % v)
    for t in F[:5] + [(2, 1, 5)] + F[6:]:  # lines 7-14; the flip on line 12
        f.write("f %d %d %d\n" % tuple(i + 1 for i in t))


def ply_header(fmt, xyz_type, extra_vertex, count_t, index_t, extra_elem):
    h = "ply\nformat %s 1.0\ncomment fixture\nelement vertex 6\n" % fmt
    h += "".join("property %s %s\n" % (xyz_type, c) for c in "xyz") + extra_vertex
    h += "element face 8\nproperty list %s %s vertex_indices\n" % (count_t, index_t) + extra_elem + "end_header\n"
    return h.encode()


with open("good_ascii.ply", "wb") as f:
    f.write(ply_header("ascii", "float", "property uchar red\n", "uchar", "int", "element edge 1\nproperty int vertex1\nproperty int vertex2\n"))
    for v in V:  # header is 13 lines: vertices on 14-19, faces 20-27, the edge 28
        f.write(("%s %s %s 7\n" % v).encode())
    for t in F:
        f.write(("3 %d %d %d\n" % t).encode())
    f.write(b"0 1\n")
with open("good_le.ply", "wb") as f:  # float32 coordinates, a normal, uchar/int lists
    f.write(ply_header("binary_little_endian", "float32", "property float nx\n", "uchar", "int", ""))
    for v in V:
        f.write(struct.pack("<4f", *v, 0.5))
    for t in F:
        f.write(struct.pack("<B3i", 3, *t))
with open("good_be.ply", "wb") as f:  # float64 coordinates, ushort/uint lists, an extra element after the faces
    f.write(ply_header("binary_big_endian", "double", "", "ushort", "uint", "element edge 2\nproperty list uchar int vertex_pair\n"))
    for v in V:
        f.write(struct.pack(">3d", *v))
    for t in F:
        f.write(struct.pack(">H3I", 3, *t))
    for e in [(0, 1), (2, 3)]:
        f.write(struct.pack(">B2i", 2, *e))
with open("truncated.ply", "wb") as f:  # cut inside face 5
    f.write(ply_header("binary_little_endian", "double", "", "uchar", "int", ""))
    for v in V:
        f.write(struct.pack("<3d", *v))
    body = b"".join(struct.pack("<B3i", 3, *t) for t in F)
    f.write(body[:13 * 5 + 6])
# headers claiming 4e9 vertices (96 GB as float64 x y z) over the octahedron's data: refused from
# the file's size before anything is allocated
with open("huge_le.ply", "wb") as f:
    f.write(ply_header("binary_little_endian", "double", "", "uchar", "int", "").replace(b"vertex 6", b"vertex 4000000000"))
    for v in V:
        f.write(struct.pack("<3d", *v))
    for t in F:
        f.write(struct.pack("<B3i", 3, *t))
with open("huge_ascii.ply", "wb") as f:
    f.write(ply_header("ascii", "double", "", "uchar", "int", "").replace(b"vertex 6", b"vertex 4000000000"))
    for v in V:
        f.write(("%s %s %s\n" % v).encode())
    for t in F:
        f.write(("3 %d %d %d\n" % t).encode())
