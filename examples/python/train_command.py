"""A training script for graphtune's `command` trainer: a worker runs it once per trial and reads
the JSON metric lines it prints. It knows nothing of graphtune beyond that: hyperparameters come
from the command line (or GRAPHTUNE_PARAM_* variables), metrics go to stdout. The model is a
logistic regression trained by mini-batch SGD with momentum, in plain Python, on a synthetic
two-class problem; with PyTorch the loop keeps its shape.

A search's task that runs it (the study declares lr, batch_size, weight_decay and momentum):

    {"trainer": "command",
     "argv": ["python3", "examples/python/train_command.py",
              "--lr", "{lr}", "--batch-size", "{batch_size}", "--weight-decay", "{weight_decay}"],
     "objective": "loss", "timeoutSeconds": 600}

`momentum` is not in argv above: it is read from GRAPHTUNE_PARAM_MOMENTUM. Each epoch prints

    {"epoch": 3, "loss": 0.41, "train_loss": 0.43, "accuracy": 0.88}

(`loss` is the validation loss, the objective), and the last line {"final": <best validation loss>}.
When the trial is pruned the worker sends SIGTERM; the script then stops between two batches.

    python3 examples/python/train_command.py --lr 0.05 --epochs 10     # by hand
"""
import argparse
import json
import math
import os
import random
import signal
import sys


def param(name, default, kind=float):
    """A hyperparameter's default: the GRAPHTUNE_PARAM_<NAME> variable a worker sets, else `default`."""
    value = os.environ.get("GRAPHTUNE_PARAM_" + name.upper())
    return default if value is None else kind(value)


def make_blobs(n, dim, rng):
    """Two Gaussian classes whose means differ along every axis, with label noise."""
    xs, ys = [], []
    for _ in range(n):
        y = rng.random() < 0.5
        center = 0.35 if y else -0.35
        xs.append([rng.gauss(center, 1.0) for _ in range(dim)])
        ys.append(1.0 if (y if rng.random() > 0.05 else not y) else 0.0)
    return xs, ys


def log_loss(w, b, xs, ys):
    """Mean binary cross-entropy, computed from the logit so that it never overflows."""
    total = 0.0
    for x, y in zip(xs, ys):
        z = sum(wi * xi for wi, xi in zip(w, x)) + b
        # log(1 + e^-|z|) + max(z, 0) - y z
        total += math.log1p(math.exp(-abs(z))) + max(z, 0.0) - y * z
    return total / len(xs)


def accuracy(w, b, xs, ys):
    hits = sum(1 for x, y in zip(xs, ys) if (sum(wi * xi for wi, xi in zip(w, x)) + b > 0) == (y > 0.5))
    return hits / len(xs)


def batches(xs, ys, size, rng):
    order = list(range(len(xs)))
    rng.shuffle(order)
    for start in range(0, len(order), size):
        idx = order[start:start + size]
        yield [xs[i] for i in idx], [ys[i] for i in idx]


def sigmoid(z):
    return 1.0 / (1.0 + math.exp(-z)) if z >= 0 else math.exp(z) / (1.0 + math.exp(z))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lr", type=float, default=param("lr", 0.1))
    parser.add_argument("--batch-size", type=int, default=param("batch_size", 32, int))
    parser.add_argument("--weight-decay", type=float, default=param("weight_decay", 0.0))
    parser.add_argument("--momentum", type=float, default=param("momentum", 0.9))
    parser.add_argument("--epochs", type=int, default=param("epochs", 20, int))
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    stopping = []
    # SIGTERM (a pruned or stopped trial) ends the run between two batches, not in the middle of one.
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))

    data_rng = random.Random(1234)  # the same data for every trial
    train = make_blobs(400, 10, data_rng)
    valid = make_blobs(200, 10, data_rng)
    rng = random.Random(args.seed)
    w, b = [0.0] * 10, 0.0
    vw, vb = [0.0] * 10, 0.0
    best = math.inf

    for epoch in range(args.epochs):
        for xs, ys in batches(*train, args.batch_size, rng):
            if stopping:
                print("stopped by SIGTERM in epoch %d" % epoch, file=sys.stderr)
                return 0
            gw, gb = [args.weight_decay * wi for wi in w], 0.0
            for x, y in zip(xs, ys):
                err = (sigmoid(sum(wi * xi for wi, xi in zip(w, x)) + b) - y) / len(xs)
                for i, xi in enumerate(x):
                    gw[i] += err * xi
                gb += err
            vw = [args.momentum * v + g for v, g in zip(vw, gw)]
            vb = args.momentum * vb + gb
            w = [wi - args.lr * v for wi, v in zip(w, vw)]
            b -= args.lr * vb
        val_loss = log_loss(w, b, *valid)
        best = min(best, val_loss)
        print(json.dumps({
            "epoch": epoch,
            "loss": val_loss,
            "train_loss": log_loss(w, b, *train),
            "accuracy": accuracy(w, b, *valid),
        }), flush=True)
    print(json.dumps({"final": best}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
