"""A PyTorch training script for graphtune's `command` trainer: an MLP on the digits data set
(data/digits.csv.gz), on CUDA when the worker's device gives this process a GPU, else on the CPU.
It prints one JSON metric line per epoch; the worker reports it and stops the script (SIGTERM)
when the trial is pruned.

A search's task that runs it (the study declares learningRate, batchSize, layers, units, dropout):

    {"trainer": "command",
     "argv": ["python3", "examples/python/train_torch_digits.py", "--lr", "{learningRate}",
              "--batch-size", "{batchSize}", "--layers", "{layers}", "--units", "{units}",
              "--dropout", "{dropout}", "--epochs", "30"],
     "objective": "val_accuracy"}

    python3 examples/python/train_torch_digits.py --lr 0.001 --epochs 5     # by hand
"""
import argparse
import gzip
import json
import os
import signal
import sys
import time

import torch
from torch import nn

stop = False


def on_term(signum, frame):
    global stop
    stop = True


def load_digits(path, seed):
    with gzip.open(path, "rt") as f:
        rows = [[float(v) for v in line.split(",")] for line in f if line.strip()]
    data = torch.tensor(rows)
    x, y = data[:, :64], data[:, 64].long()
    order = torch.randperm(len(rows), generator=torch.Generator().manual_seed(seed))
    x, y = x[order], y[order]
    cut = int(0.8 * len(rows))
    mean, std = x[:cut].mean(0), x[:cut].std(0) + 1e-6  # statistics of the training part only
    x = (x - mean) / std
    return (x[:cut], y[:cut]), (x[cut:], y[cut:])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--layers", type=int, default=2)
    parser.add_argument("--units", type=int, default=128)
    parser.add_argument("--dropout", type=float, default=0.1)
    parser.add_argument("--weight-decay", type=float, default=0.0)
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--seed", type=int, default=0)
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
    parser.add_argument("--data", default=os.path.join(root, "data", "digits.csv.gz"))
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, on_term)

    # The worker sets CUDA_VISIBLE_DEVICES from its device ("" on cpu).
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    torch.manual_seed(args.seed)
    (x, y), (vx, vy) = load_digits(args.data, args.seed)
    x, y, vx, vy = x.to(device), y.to(device), vx.to(device), vy.to(device)
    layers, width = [], 64
    for _ in range(args.layers):
        layers += [nn.Linear(width, args.units), nn.ReLU(), nn.Dropout(args.dropout)]
        width = args.units
    model = nn.Sequential(*layers, nn.Linear(width, 10)).to(device)
    optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=args.weight_decay)
    loss_fn = nn.CrossEntropyLoss()
    best = 0.0
    print(json.dumps({"device": str(device)}), flush=True)
    for epoch in range(1, args.epochs + 1):
        started = time.perf_counter()
        model.train()
        order = torch.randperm(len(x), device=device)
        for i in range(0, len(x), args.batch_size):
            if stop:
                sys.exit(143)
            batch = order[i : i + args.batch_size]
            optimizer.zero_grad()
            loss = loss_fn(model(x[batch]), y[batch])
            loss.backward()
            optimizer.step()
        model.eval()
        with torch.no_grad():
            logits = model(vx)
            val_loss = loss_fn(logits, vy).item()
            val_accuracy = (logits.argmax(1) == vy).float().mean().item()
        best = max(best, val_accuracy)
        seconds = time.perf_counter() - started
        print(json.dumps({"epoch": epoch, "val_accuracy": val_accuracy, "val_loss": val_loss,
                          "train_loss": loss.item(), "epoch_seconds": seconds}), flush=True)
    print(json.dumps({"final": best}), flush=True)


if __name__ == "__main__":
    main()
