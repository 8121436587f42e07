"""PyTorch side of the training-speed benchmark (bench/executors/trainingSpeed.ts runs it).

Trains the same MLP (64-128-128-10, ReLU, Adam at 1e-3, softmax cross-entropy) on the same
standardised digits split, which the benchmark writes as raw float32 files, with the same loop:
shuffle, one optimizer step per batch, a validation pass after every epoch. Prints
{"batch size": [epochs per second of each run]} as JSON on stdout.
"""
import argparse
import json
import time

import numpy as np
import torch


def load(prefix, rows, cols):
    return torch.from_numpy(np.fromfile(prefix, dtype=np.float32).reshape(rows, cols).copy())


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", required=True, help="folder with train_x, train_y, val_x, val_y (float32)")
    parser.add_argument("--train-rows", type=int, required=True)
    parser.add_argument("--val-rows", type=int, required=True)
    parser.add_argument("--features", type=int, default=64)
    parser.add_argument("--classes", type=int, default=10)
    parser.add_argument("--batch-sizes", default="32,128")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    x = load(f"{args.data}/train_x", args.train_rows, args.features)
    y = load(f"{args.data}/train_y", args.train_rows, 1).long().squeeze(1)
    vx = load(f"{args.data}/val_x", args.val_rows, args.features)
    vy = load(f"{args.data}/val_y", args.val_rows, 1).long().squeeze(1)

    def run(batch_size):
        model = torch.nn.Sequential(
            torch.nn.Linear(args.features, 128),
            torch.nn.ReLU(),
            torch.nn.Linear(128, 128),
            torch.nn.ReLU(),
            torch.nn.Linear(128, args.classes),
        )
        optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
        loss_fn = torch.nn.CrossEntropyLoss()
        start = time.perf_counter()
        for _ in range(args.epochs):
            model.train()
            order = torch.randperm(args.train_rows)
            xs, ys = x[order], y[order]
            for i in range(0, args.train_rows, batch_size):
                optimizer.zero_grad()
                loss = loss_fn(model(xs[i : i + batch_size]), ys[i : i + batch_size])
                loss.backward()
                optimizer.step()
            model.eval()
            with torch.no_grad():
                loss_fn(model(vx), vy).item()
        return args.epochs / (time.perf_counter() - start)

    results = {}
    for batch_size in [int(b) for b in args.batch_sizes.split(",")]:
        run(batch_size)  # warm-up
        results[str(batch_size)] = [run(batch_size) for _ in range(args.runs)]
    print(json.dumps(results))


if __name__ == "__main__":
    main()
