#!/usr/bin/env bash
# The GPU checks of issue 16 (docs/performance.md, "GPU"), one short run on a GPU machine:
#   1. the HH simulator at 1,000 and 10,000 neurons, torch on 1 CPU thread and on CUDA side by
#      side (the target: CUDA >= 50x the 2-core machine's CPU figure at 10,000 neurons, 2,829
#      neuron-s/s in docs/results.md);
#   2. EP-GAN training at the paper's widths (config/full.yaml), CPU vs CUDA per batch, both loss
#      variants.
# Needs only PyTorch, h5py, pandas, scikit-learn and PyYAML (no Snakemake). About 5-8 minutes on
# an H200 machine (16 cores). Writes to $OUT (default results/benchmarks/gpu_check/).
#   bash benchmarks/gpu_check.sh
set -uo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-results/benchmarks/gpu_check}
mkdir -p "$OUT"
export PYTHONUNBUFFERED=1 PYTHONPATH=workflow${PYTHONPATH:+:$PYTHONPATH}
PY=${PYTHON:-python3}
{
  date -u
  nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv 2>&1
  nproc
  $PY -c "import torch; print('torch', torch.__version__, 'cuda', torch.cuda.is_available())"
} 2>&1 | tee "$OUT/machine.txt"
timeout 150 $PY benchmarks/hh_speed.py --batches 1000 10000 --no-brian2 --no-compile --repeats 3 \
  --threads 1 2>&1 | tee "$OUT/hh_speed.txt"
timeout 330 $PY benchmarks/epgan_train_speed.py --devices cuda cpu --neurons 1200 --epochs 3 \
  --threads "$(nproc)" --out "$OUT/epgan_train_speed.csv" 2>&1 | tee "$OUT/epgan_train_speed.txt"
echo "gpu_check done: $OUT"
