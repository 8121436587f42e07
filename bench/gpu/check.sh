#!/usr/bin/env bash
# The device check for a machine with an NVIDIA GPU: the end-to-end digits search on gpu:0 with
# tfjs-node-gpu when it loads and sees the GPU, else with the command trainer and PyTorch on CUDA.
# Run from a built checkout (npm install && npm run build). Prints what it ran and the results.
set -euo pipefail
cd "$(dirname "$0")/../.."
TRIALS="${TRIALS:-40}"
EPOCHS="${EPOCHS:-30}"
# PyTorch workers sharing the GPU (tfjs-node-gpu takes all of its memory, so it runs one). Each
# PyTorch trial spends about 6 s starting Python, torch and CUDA (H100, torch 2.11), far more than
# its 30 epochs of this small network.
WORKERS="${WORKERS:-4}"

nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader || { echo "no NVIDIA GPU is visible here"; exit 1; }
[ -f dist/bench/deviceSearch.js ] || npm run build --silent

if node -e "require('@tensorflow/tfjs-node-gpu')" >/dev/null 2>&1; then
  echo "tfjs-node-gpu loads: running tfjs-mlp on gpu:0"
  node dist/bench/deviceSearch.js --device gpu:0 --trainer tfjs --trials "$TRIALS" --epochs "$EPOCHS"
elif python3 -c "import sys, torch; sys.exit(0 if torch.cuda.is_available() else 1)" >/dev/null 2>&1; then
  echo "tfjs-node-gpu is not installed; PyTorch sees CUDA: running the command trainer with PyTorch on gpu:0"
  python3 -c "import torch; print('torch', torch.__version__, torch.cuda.get_device_name(0))"
  node dist/bench/deviceSearch.js --device gpu:0 --trainer torch --python "$(command -v python3)" --trials "$TRIALS" --epochs "$EPOCHS" --workers "$WORKERS"
else
  echo "neither tfjs-node-gpu nor PyTorch with CUDA is available; install one of them (npm install @tensorflow/tfjs-node-gpu needs internet access)"
  exit 1
fi
