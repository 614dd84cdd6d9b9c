#!/bin/sh
# Kills: for each domain (grid lattice, phase-space transport, ODE batch, particles, mesh), a run
# with frequent checkpoints is SIGKILLed at a random moment (seeded, reproducible: SD_KILL_SEED),
# restarted from the checkpoint that survived (from the start when none did yet), killed again, ...
# until a run finishes; its final checkpoint's state (every field level, scalars, host state: the
# checksums of their bytes, each verified by `stardag inspect`) must then be bitwise the state of an
# uninterrupted run, and so must the files the chain continued: its run file (`stardag compare`,
# bitwise) and the domain's own output (a trajectory: h5diff; a mesh's PLY: byte for byte). Each run
# of a chain takes the next of the domain's variants (tiles, workers, scheduler), as a restart is
# bitwise on any of them. SD_KILLS kills per domain (make check: 2; make check-faults: 200). A
# domain whose class has no checkpoint support fails here.
# tests/faults/kills.sh [DOMAIN...] runs only those (names as in the table below).
. "$top_srcdir/tests/tap.sh"
STARDAG_FSYNC=1; export STARDAG_FSYNC # the harness turns syncs off for the suite; these cases need them
. "$top_srcdir/tests/ckpt_lib.sh"
cd "$tmp" || exit 99
kills=${SD_KILLS:-2}
seed=${SD_KILL_SEED:-13}
limit=${SD_FAULTS_CASE_TIMEOUT:-120}
export STARDAG_CACHE_DIR="$tmp/cache"
g="$top_srcdir/graphs"
# name | graph and its settings | steps | checkpoint every | own output (--trajectory) | variants (;)
domains="lattice|$g/lattice/kg-packet.yaml --set n=16|400|20||--ncpu 2;--ncpu 1 --tiles 8x4x16;--ncpu 2 --tiles 4x4x4 --sched eager
transport|$g/transport/pencil-70MeV.yaml --set dx=1 --set dz=1 --set ds=1 --set dE=1 --set nx=11 --set depth=12|60|4||--ncpu 2;--ncpu 1 --tiles 4x5;--ncpu 2 --tiles 3x4 --sched lws
ode|$g/ode/vdp-ensemble.yaml --set M=300 --set intervals=200|200|10||--ncpu 2;--ncpu 1 --tiles 1;--ncpu 2 --tiles 3 --sched eager
particles|$top_srcdir/tests/data/md-lj.yaml --set cells=4 --set drift_tol=1|300|15|h5md|--ncpu 2;--ncpu 1 --tiles 1;--ncpu 2 --tiles 2 --sched eager
mesh|$g/membrane/vesicle-bending.yaml|200|10|ply|--ncpu 2;--ncpu 1 --tiles 1;--ncpu 2 --tiles 5 --sched lws"
only="$*"

now() { date +%s.%N; }
variant() { echo "$variants" | cut -d';' -f$(( $1 % nvar + 1 )); } # variant K: the (K mod n)-th, from 0
# own FILE: the domain's own output option
own() { [ -n "$ext" ] && echo "--trajectory $1.$ext"; }
same_own() { # REF CHAIN: the domain's own outputs agree
  case $ext in
    "") return 0 ;;
    h5md) h5diff -q "$1.h5md" "$2.h5md" ;;
    *) cmp -s "$1.$ext" "$2.$ext" ;;
  esac
}

# One domain: the uninterrupted run, then chains of killed runs until `kills` kills are done.
domain() {
  name=$1 graph=$2 N=$3 E=$4 ext=$5 variants=$6
  nvar=$(echo "$variants" | tr ';' '\n' | wc -l)
  rm -rf "$name" && mkdir "$name"
  t0=$(now)
  timeout "$limit" "$sd" run $graph --steps "$N" --checkpoint-every "$E" --out "$name/ref.h5" $(own "$name/ref") --quiet \
    $(variant 0) --checkpoint "$name/ref.ckpt" >"$name/ref.out" 2>"$name/ref.err"
  r=$?
  t1=$(now)
  if [ "$r" != 0 ]; then
    n=$((n + 1)); fails=$((fails + 1))
    echo "not ok $n - $name: the uninterrupted run with checkpoints failed (exit $r): $(head -c 400 "$name/ref.err")"
    return
  fi
  # kill moments: uniform over the run's wall time (start-up included), from the seeded sequence
  span=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", (b - a) * 1.1 }')
  awk -v s="$seed" -v n=$((kills * 10)) -v m="$span" 'BEGIN { srand(s); for (i = 0; i < n; i++) printf "%.3f\n", rand() * m }' \
    >"$name/delays"
  done_kills=0 chains=0 restarts=0 bad=""
  next=1 ndelays=$(wc -l <"$name/delays")
  # (a moment after the run's end is no kill: ten times more moments than kills are drawn, so a
  # loaded machine, on which runs take longer than the reference did, still lands them all)
  while [ "$done_kills" -lt "$kills" ] && [ "$next" -le "$ndelays" ] && [ -z "$bad" ]; do
    chains=$((chains + 1))
    c="$name/chain$chains"
    rm -f "$c".*
    k=0 # one chain: killed while kill moments remain, then a run to the end, each run the next variant
    while :; do
      from=""
      if [ -f "$c.ckpt" ]; then from="--restart $c.ckpt" && restarts=$((restarts + 1))
      else # no checkpoint yet: from the start, without what the killed run left
        for f in "$c".*; do case $f in *.ckpt*) ;; *) rm -f "$f" ;; esac; done
      fi
      opts="--steps $N --checkpoint-every $E --out $c.h5 $(own "$c") --quiet $(variant $((chains + k))) --checkpoint $c.ckpt"
      k=$((k + 1))
      if [ "$next" -le "$ndelays" ] && [ "$done_kills" -lt "$kills" ]; then
        "$sd" run $graph $opts $from >"$c.out" 2>"$c.err" &
        pid=$!
        sleep "$(sed -n "${next}p" "$name/delays")"; next=$((next + 1))
        kill -KILL "$pid" 2>/dev/null && killed=1 || killed=0
        { wait "$pid"; } 2>/dev/null; r=$?
        if [ "$killed" = 1 ] && [ "$r" = 137 ]; then
          done_kills=$((done_kills + 1))
          continue
        fi
      else
        timeout "$limit" "$sd" run $graph $opts $from >"$c.out" 2>"$c.err"
        r=$?
      fi
      # the run ended by itself
      if [ "$r" != 0 ]; then bad="a run of chain $chains ($from) ended with exit $r: $(head -c 400 "$c.err")"; fi
      break
    done
    if [ -z "$bad" ] && ! same_state "$name/ref.ckpt" "$c.ckpt" >/dev/null 2>&1; then
      bad="chain $chains: the final state differs from the uninterrupted run's ($c.ckpt vs $name/ref.ckpt)"
    elif [ -z "$bad" ] && ! "$sd" compare "$name/ref.h5" "$c.h5" --rtol 0 --atol 0 >"$c.cmp" 2>&1; then
      bad="chain $chains: its continued run file differs from the uninterrupted run's: $(tail -n 1 "$c.cmp")"
    elif [ -z "$bad" ] && ! same_own "$name/ref" "$c" >/dev/null 2>&1; then
      bad="chain $chains: its continued $ext output differs from the uninterrupted run's"
    fi
  done
  n=$((n + 1))
  [ -z "$bad" ] && [ "$done_kills" -lt "$kills" ] && bad="only $done_kills kills landed during a run"
  if [ -z "$bad" ]; then
    echo "ok $n - $name: $done_kills kills over $chains chains ($restarts restarts from a surviving checkpoint):" \
      "every final state, run file and own output bitwise the uninterrupted run's"
    rm -rf "$name"
  else
    fails=$((fails + 1))
    echo "not ok $n - $name: after $done_kills kills: $bad"
  fi
}

start=$(now)
echo "0 0" >"$tmp/tally"
echo "$domains" | while IFS='|' read -r name graph N E ext variants; do
  [ -z "$only" ] || case " $only " in *" $name "*) ;; *) continue ;; esac
  domain "$name" "$graph" "$N" "$E" "$ext" "$variants"
  echo "$n $fails" >"$tmp/tally"
done
read -r n fails <"$tmp/tally"
echo "# $kills kills per domain, seed $seed: $(awk -v a="$start" -v b="$(now)" 'BEGIN { printf "%.0f", b - a }') s"
tap_end
