# bench/tune/lib.sh - what bench/tune/run.sh and bench/tune/simgrid.sh share (sourced by them;
# they set top, SD, NP, REPEAT, MSTEPS, OUT and tmp).

case_args() { # the graph and its settings per NAME
  case $1 in
    lattice) echo "$top/graphs/lattice/kg-packet.yaml" ;;            # 128^3 Klein-Gordon, tiles
    md) echo "$top/graphs/md/lj-liquid.yaml" ;;                      # 32,000 LJ atoms, blocks
    membrane) echo "$top/graphs/membrane/bench-bending.yaml" ;;      # a mesh, partitions
    ode) echo "$top/graphs/ode/vdp-ensemble.yaml" ;;                 # 10,000 Van der Pol systems, ranges
    transport) echo "$top/graphs/transport/pencil-70MeV.yaml" ;;     # a phase-space grid, tiles
    *) echo "bench/tune: unknown case '$1' (lattice md membrane ode transport)" >&2; exit 2 ;;
  esac
}

# the CSV's rows without their quoted first column (a description, which may hold commas):
# tiles,sched,max_inflight,arch,predicted_ms,measured_ms,default,measured_by_tune,fuse
fields() { awk -F'"' '/^"/ { print substr($3, 2) }' "$1"; }

opts() { # opts TILES SCHED INFLIGHT ARCH FUSE: as stardag run options
  [ "$1" = auto ] || printf -- '--tiles %s ' "$1"
  printf -- '--sched %s --max-inflight %s --arch %s' "$2" "$3" "$4"
  [ "${5:-1}" -le 1 ] || printf -- ' --fuse %s' "$5"
}

# exhaustive NAME: `stardag tune --exhaustive` of NAME's graph in a fresh StarPU home ($tmp/NAME,
# exported, so the models stay for what follows): every candidate predicted and measured, the
# table in $OUT/NAME.txt and the CSV in $OUT/NAME.csv; on failure a line saying so, and status 1.
exhaustive() {
  g=$(case_args "$1")
  STARPU_HOME=$tmp/$1; export STARPU_HOME
  mkdir -p "$STARPU_HOME"
  if ! "$SD" tune "$g" --ncpu "$NP" --budget 1e9 --exhaustive --repeat "$REPEAT" --measure-steps "$MSTEPS" \
       --csv "$OUT/$1.csv" >"$OUT/$1.txt" 2>"$tmp/$1.err"; then
    printf '%-10s failed: %s\n' "$1" "$(grep -v 'never evaluated' "$tmp/$1.err" | tail -n1)"
    return 1
  fi
}
