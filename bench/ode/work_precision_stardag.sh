#!/bin/sh
# bench/ode/work_precision_stardag.sh - stardag's side of the work-precision tables (docs/ode-bench.md
# section 4): for each batch solver and each reference problem it applies to (the pairs of
# work_precision.py's PROBLEMS: dopri5 and dop853 on vdp_mu1 and lorenz; radau5 and bdf on all five),
# at rtol = 1e-3 .. 1e-10 with atol = a * rtol (a = work_precision.py's ATOL_SCALE), it writes a
# one-system graph (M = 1, one output interval from 0 to t_end, the problem's y0 and parameters as
# bench/peers/ode/refs.py has them, a built-in system), runs `stardag run` on it, reads the final
# state and the solver's stats from the output HDF5 with h5dump and writes one row per run in the
# results format that work_precision.py --add reads:
#   problem t_end solver rtol atol nfev njev nlu steps time_s y...
# solver = stardag.ode.METHOD, steps = accepted steps, time_s = the step loop's time from the run
# summary (StarPU's start-up excluded). A run whose system fails (stats' status != 0) gets no row;
# the script says so on stderr and exits 1 at the end (the table has the other rows; with the defaults
# ode.bdf fails on vdp_mu1000 at rtol 1e-9 and 1e-10, as SciPy's BDF does). The errors then come from
#   /usr/bin/python3 bench/ode/work_precision.py --no-scipy --add FILE
#
#   sh bench/ode/work_precision_stardag.sh [--out FILE] [--rtols "1e-3 1e-4 ..."]
#                                          [--methods "dopri5 ..."] [--problems "vdp_mu1 ..."]
# Default FILE: bench/peers/ode/work-precision-stardag.txt. Environment: BUILDDIR (default _build),
# STARDAG (default $BUILDDIR/stardag), H5DUMP (default h5dump; Debian's hdf5-tools), NCPU (1 worker),
# REPS (3: runs per row; the state and counts must agree, time_s is the median).
# POSIX sh + awk; needs a built stardag. ~2 minutes (112 rows x 3 runs).
set -u

HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
BUILDDIR=${BUILDDIR:-$TOP/_build}
STARDAG=${STARDAG:-$BUILDDIR/stardag}
H5DUMP=${H5DUMP:-h5dump}
NCPU=${NCPU:-1}
REPS=${REPS:-3}
OUT=$TOP/bench/peers/ode/work-precision-stardag.txt
RTOLS="1e-3 1e-4 1e-5 1e-6 1e-7 1e-8 1e-9 1e-10"
METHODS="dopri5 dop853 radau5 bdf"
PROBLEMS="vdp_mu1 lorenz vdp_eps1e-3 vdp_mu1000 robertson"

die() { echo "work_precision_stardag.sh: $*" >&2; exit 2; }

while [ $# -gt 0 ]; do
    case $1 in
    --out) [ $# -ge 2 ] || die "--out needs a file"; OUT=$2; shift 2 ;;
    --rtols) [ $# -ge 2 ] || die "--rtols needs a list"; RTOLS=$2; shift 2 ;;
    --methods) [ $# -ge 2 ] || die "--methods needs a list"; METHODS=$2; shift 2 ;;
    --problems) [ $# -ge 2 ] || die "--problems needs a list"; PROBLEMS=$2; shift 2 ;;
    -h|--help) sed -n '2,/^set -u/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument '$1' (see --help)" ;;
    esac
done

[ -x "$STARDAG" ] || die "no stardag binary at $STARDAG: build stardag first
  (autoreconf -fi && mkdir -p _build && cd _build && ../configure && make), or set BUILDDIR or STARDAG"
command -v "$H5DUMP" >/dev/null 2>&1 || die "no $H5DUMP (apt-get install hdf5-tools)"

# problem -> t_end label, t_end, atol/rtol (work_precision.py's ATOL_SCALE), system, n, y0, p (refs.py)
problem() {
    case $1 in
    vdp_mu1) T_LABEL=100; T_END=100; A=1; SYS=vdp; N=2; Y0='"2", "0"'; P='"1"'; EXPLICIT_OK=1 ;;
    lorenz) T_LABEL=1; T_END=1; A=1; SYS=lorenz; N=3; Y0='"1", "1", "1"'
        P='"10", "28", "2.6666666666666665"'; EXPLICIT_OK=1 ;;  # 8.0 / 3.0 to 17 digits
    vdp_eps1e-3) T_LABEL=2; T_END=2; A=1; SYS=vdp_eps; N=2; Y0='"2", "-0.6666654321121172"'; P='"1e-3"'
        EXPLICIT_OK=0 ;;
    vdp_mu1000) T_LABEL=3000; T_END=3000; A=1e-3; SYS=vdp; N=2; Y0='"2", "0"'; P='"1000"'; EXPLICIT_OK=0 ;;
    robertson) T_LABEL=1e11; T_END=1e11; A=1e-8; SYS=robertson; N=3; Y0='"1", "0", "0"'
        P='"0.04", "3e7", "1e4"'; EXPLICIT_OK=0 ;;
    *) die "unknown problem '$1' (expected vdp_mu1, lorenz, vdp_eps1e-3, vdp_mu1000, robertson)" ;;
    esac
    NP=$(echo "$P" | awk -F, '{print NF}')
}

# method -> work components (docs/ode.md), and whether it is explicit
method() {
    case $1 in
    dopri5) WORK=$((7 + 7 * N)); EXPLICIT=1 ;;
    dop853) WORK=$((7 + 10 * N)); EXPLICIT=1 ;;
    radau5) WORK=$((22 + 18 * N + 4 * N * N)); EXPLICIT=0 ;;
    bdf) WORK=$((16 + 17 * N + 2 * N * N)); EXPLICIT=0 ;;
    *) die "unknown method '$1' (expected dopri5, dop853, radau5, bdf)" ;;
    esac
}

# the first DATA block of `h5dump -y` (the dataset's values; its attributes come after), one a line
h5values() {
    "$H5DUMP" -y -w 0 -m '%.17g' -d "$2" "$1" | awk '
        /DATA \{/ && !done { on = 1; next }
        on && /\}/ { on = 0; done = 1; next }
        on { gsub(/[ ,]/, ""); if ($0 != "") print }'
}

TMP=$(mktemp -d "${TMPDIR:-/tmp}/wp-stardag.XXXXXX") || die "cannot make a temporary folder"
trap 'rm -rf "$TMP"' EXIT
trap 'exit 130' INT TERM

REV=$(git -C "$TOP" rev-parse --short HEAD 2>/dev/null || echo unknown)
CPU=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null)
{
    echo "# work-precision, stardag's batch solvers (one system, M = 1, one output interval to t_end)"
    echo "# made by bench/ode/work_precision_stardag.sh on $(date -u +%Y-%m-%dT%H:%MZ), stardag $REV, $NCPU CPU worker(s), ${CPU:-unknown CPU}"
    echo "# atol = a * rtol, a = vdp_mu1 1, lorenz 1, vdp_eps1e-3 1, vdp_mu1000 1e-3, robertson 1e-8 (as work_precision.py)"
    echo "# steps = accepted steps; time_s = stardag's step loop (run summary; median of $REPS runs), StarPU's start-up excluded"
    echo "# errors: /usr/bin/python3 bench/ode/work_precision.py --no-scipy --add THIS_FILE"
    echo "problem t_end solver rtol atol nfev njev nlu steps time_s y..."
} > "$TMP/table"

runs=0
failed=0
for prob in $PROBLEMS; do
    problem "$prob"
    for m in $METHODS; do
        method "$m"
        [ "$EXPLICIT" = 1 ] && [ "$EXPLICIT_OK" = 0 ] && continue  # stiff: implicit methods only
        for rtol in $RTOLS; do
            atol=$(awk -v a="$A" -v r="$rtol" 'BEGIN { printf "%.17g", a * r }')
            g=$TMP/g.yaml
            cat > "$g" <<EOF
name: wp-$prob-$m
domain:
  batch:
    count: 1
    system: $SYS
    values: {y: [$Y0], p: [$P], stats: 0, work: 0}
fields:
  y: {components: $N}
  p: {components: $NP}
  stats: {components: 10}
  work: {components: $WORK}
step:
  - op: ode.$m
    readwrite: {y: y, stats: stats, work: work}
    read: {p: p}
    params: {rtol: $rtol, atol: $atol, max_steps: 10000000}
output:
  file: wp.h5
  fields: {names: [y, stats], every: 1}
run:
  dt: $T_END
  steps: 1
EOF
            # REPS runs: the counts and the state must be the same each time; time_s is the median
            k=0; ok=1; times=""; y0=""; st0=""
            while [ "$k" -lt "$REPS" ] && [ "$ok" = 1 ]; do
                k=$((k + 1))
                rm -f "$TMP/wp.h5"
                if ! "$STARDAG" run "$g" --ncpu "$NCPU" --out "$TMP/wp.h5" --log "" --overwrite > "$TMP/log" 2>&1; then
                    echo "work_precision_stardag.sh: $prob $m rtol $rtol: stardag run failed:" >&2
                    sed 's/^/  /' "$TMP/log" >&2
                    ok=0; break
                fi
                t=$(awk '/^stardag: .* steps in / { for (i = 1; i < NF; i++) if ($i == "in") { print $(i + 1); exit } }' "$TMP/log")
                times="$times ${t:-}"
                y=$(h5values "$TMP/wp.h5" /fields/y/00000001 | tr '\n' ' ')
                st=$(h5values "$TMP/wp.h5" /fields/stats/00000001 | tr '\n' ' ')
                if [ "$k" = 1 ]; then
                    y0=$y; st0=$st
                elif [ "$y" != "$y0" ] || [ "$st" != "$st0" ]; then
                    echo "work_precision_stardag.sh: $prob $m rtol $rtol: run $k differs from run 1 ($y / $st vs $y0 / $st0)" >&2
                    ok=0
                fi
            done
            if [ "$ok" = 0 ]; then failed=$((failed + 1)); continue; fi
            t=$(echo $times | tr ' ' '\n' | sort -g | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)] }')
            # stats: t h status naccept nreject nfev njev nlu order nstiff
            row=$(echo "$st" | awk -v p="$prob" -v tl="$T_LABEL" -v te="$T_END" -v s="stardag.ode.$m" -v r="$rtol" \
                -v a="$atol" -v time="${t:--}" -v y="$y" -v n="$N" '
                NF != 10 { print "ERR stats has " NF " components, expected 10"; exit }
                $3 != 0 { print "ERR status " $3 " at t = " $1 " after " $4 " steps"; exit }
                $1 != te + 0 { print "ERR stopped at t = " $1; exit }
                { if (split(y, v, " ") != n) { print "ERR y has " split(y, v, " ") " components, expected " n; exit }
                  printf "%s %s %s %s %s %d %d %d %d %s", p, tl, s, r, a, $6, $7, $8, $4, time
                  for (i = 1; i <= n; i++) printf " %.16e", v[i]
                  printf "\n" }')
            case $row in
            ERR*|"")
                echo "work_precision_stardag.sh: $prob $m rtol $rtol: no row (${row#ERR }); log:" >&2
                sed 's/^/  /' "$TMP/log" >&2
                failed=$((failed + 1)) ;;
            *) echo "$row" >> "$TMP/table"; runs=$((runs + 1)) ;;
            esac
        done
        echo "work_precision_stardag.sh: $prob $m done" >&2
    done
done

# align the columns
awk '/^#/ { print; next } { r[NR] = $0; nf[NR] = NF; for (i = 1; i <= NF; i++) if (length($i) > w[i]) w[i] = length($i) }
     END { for (k = 1; k <= NR; k++) if (k in r) { n = split(r[k], f, " "); s = ""
           for (i = 1; i <= n; i++) s = s (i < n ? sprintf("%-" w[i] "s  ", f[i]) : f[i]); print s } }' \
    "$TMP/table" > "$OUT" || die "cannot write $OUT"
echo "work_precision_stardag.sh: $runs rows, $failed runs without a row: wrote $OUT" >&2
[ "$failed" = 0 ]
