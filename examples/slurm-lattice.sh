#!/bin/bash
# examples/slurm-lattice.sh - a distributed stardag run under SLURM (docs/distributed.md): one rank
# per node, each with every core but one as StarPU workers (the other polls MPI for StarPU-MPI),
# a checkpoint every 500 steps, and a stop with a checkpoint before the allocation ends.
#   sbatch examples/slurm-lattice.sh            (then, to continue: RESTART=1 sbatch ...)
#SBATCH --job-name=stardag-kg
#SBATCH --nodes=8
#SBATCH --ntasks-per-node=1
#SBATCH --cpus-per-task=16
#SBATCH --time=02:00:00
#SBATCH --output=stardag-kg-%j.out
set -euo pipefail
graph=${GRAPH:-graphs/lattice/kg-packet.yaml}
n=${N:-1024}                                                   # cells per axis
export STARPU_NCPU=$((SLURM_CPUS_PER_TASK - 1))
export STARPU_HOME=${STARPU_HOME:-$HOME/.stardag-starpu}   # performance models, shared by the nodes
more=(--overwrite)
[ -n "${RESTART:-}" ] && more=(--restart kg.ckpt.h5)             # continues kg.h5 from the checkpoint
[ -n "${STEPS:-}" ] && more+=(--steps "$STEPS")
# srun starts the ranks (SLURM's PMI with OpenMPI); `mpirun -np $SLURM_NTASKS` works too
srun "${STARDAG:-stardag}" run "$graph" --set n="$n" --out kg.h5 --checkpoint kg.ckpt.h5 --checkpoint-every 500 \
  --walltime 1:55:00 "${more[@]}"
