# ckpt_lib.sh - helpers of the checkpoint tests, sourced after tap.sh:
#   restart_case NAME GRAPH N K "FULL OPTS" "RESTART OPTS"
#     runs GRAPH N = 2K steps with a checkpoint every K steps (NAME.full.h5, NAME.ckpt holding step N,
#     NAME.ckpt.1 step K), restarts from NAME.ckpt.1 with RESTART OPTS continuing a copy of the full
#     run's file (NAME.r.h5: cut back to K, then continued; NAME.r.ckpt) and reports (TAP) that the
#     restarted run's final state (/state, /host) and its whole run file (`stardag compare`: every
#     field step and scalar series) are bitwise the full run's; then the same restart into a new
#     file (NAME.n.h5), whose field steps and scalar rows are the full run's after K.
#   same_state A.ckpt B.ckpt    every /state dataset and the host state of two checkpoints agree, bitwise
#   same_outputs FULL.h5 PART.h5   every field step of PART is FULL's, PART's scalar rows are FULL's last

# values FILE DATASET: every value, one a line, at full precision
values() { h5dump -y -m %.17g -d "$2" "$1" | sed -n '/DATA {/,/^ *}/p' | sed '1d;$d' | tr ',' '\n' | tr -d ' ' | grep -v '^$'; }

# the checksum of every /state dataset and of the host state a restart puts back, by name
ckpt_sums() {
  h5dump -A -g /state "$1" >"$1.dump" || return 1
  for ds in latest checks_int checks_real until_step; do h5dump -A -d "/host/$ds" "$1" >>"$1.dump" || return 1; done
  grep -E '^ *(GROUP|DATASET) |"[0-9a-f]{16}"' "$1.dump" | sed 's/^ *//'
}
# bitwise (not h5diff's numerical equality, blind to -0 against +0): both checkpoints valid (inspect
# checks each dataset's checksum against its bytes) and every checksum the same
same_state() {
  "$sd" inspect "$1" >/dev/null && "$sd" inspect "$2" >/dev/null && ckpt_sums "$1" >"$1.sums" && ckpt_sums "$2" >"$2.sums" &&
    test "$(grep -c '"' "$1.sums")" -ge 5 && cmp -s "$1.sums" "$2.sums"
}

same_outputs() {
  nf=0
  for ds in $(h5ls -r "$2" | awk '$2 == "Dataset" && $1 ~ /^\/fields\// { print $1 }'); do
    h5diff -q "$1" "$2" "$ds" "$ds" || { echo "# $ds differs" >&2; return 1; }
    nf=$((nf + 1))
  done
  for ds in $(h5ls -r "$2" | awk '$2 == "Dataset" && $1 ~ /^\/scalars\// { print $1 }'); do
    values "$2" "$ds" >"$tmp/v.part"
    k=$(wc -l <"$tmp/v.part")
    values "$1" "$ds" | tail -n "$k" >"$tmp/v.full"
    cmp -s "$tmp/v.part" "$tmp/v.full" || { echo "# $ds differs" >&2; return 1; }
    nf=$((nf + 1))
  done
  test $nf -gt 0
}

restart_case() {
  name=$1 graph=$2 N=$3 K=$4 full=$5 again=$6
  rm -f "$name".*
  runrc "$sd" run $graph --steps "$N" --checkpoint "$name.ckpt" --checkpoint-every "$K" --out "$name.full.h5" --quiet $full
  t "$name: $N steps with a checkpoint every $K: exit 0, two checkpoints kept" \
    test "$(rc)" = 0 -a -f "$name.ckpt" -a -f "$name.ckpt.1" -a ! -f "$name.ckpt.2" -a ! -f "$name.ckpt.tmp"
  cp "$name.full.h5" "$name.r.h5"
  runrc "$sd" run $graph --steps "$N" --restart "$name.ckpt.1" --checkpoint "$name.r.ckpt" --out "$name.r.h5" --quiet $again
  t "$name: restarted from step $K ($again), continuing the run file: exit 0" test "$(rc)" = 0
  t "$name: ... its final state (every field level, scalars, host state) is bitwise the full run's" \
    same_state "$name.ckpt" "$name.r.ckpt"
  t "$name: ... its continued run file is bitwise the full run's" "$sd" compare "$name.full.h5" "$name.r.h5" --rtol 0 --atol 0
  runrc "$sd" run $graph --steps "$N" --restart "$name.ckpt.1" --checkpoint "$name.n.ckpt" --out "$name.n.h5" --quiet $again
  t "$name: ... into a new file: every output step after $K is bitwise the full run's" \
    eval 'test "$(rc)" = 0 && same_outputs "$name.full.h5" "$name.n.h5"'
}
