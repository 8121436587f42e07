"""A PyTorch-style training script tuned by graphtune: a small MLP (modules, an optimizer, a data
loader, a train/eval loop per epoch) classifies two interleaved half-moons. Everything is plain
Python, so it runs anywhere python3 does; with PyTorch the objective below keeps its shape: swap
the model, optimizer and loader for torch's.

    npm start                                   # a graphtune server on :4000
    python3 examples/python/train_mlp.py [--url URL] [--trials 20] [--epochs 15] [--jobs 2]
"""
import argparse
import math
import os
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import graphtune as gt  # noqa: E402


# --- a tiny torch.nn look-alike -----------------------------------------------------------------

class Linear:
    def __init__(self, n_in, n_out, rng):
        bound = 1 / math.sqrt(n_in)
        self.weight = [[rng.uniform(-bound, bound) for _ in range(n_in)] for _ in range(n_out)]
        self.bias = [0.0] * n_out
        self.grad_w = [[0.0] * n_in for _ in range(n_out)]
        self.grad_b = [0.0] * n_out

    def forward(self, x):
        self.x = x
        return [[sum(w * v for w, v in zip(row, xi)) + b for row, b in zip(self.weight, self.bias)] for xi in x]

    def backward(self, grad):
        for xi, gi in zip(self.x, grad):
            for j, g in enumerate(gi):
                if g:
                    row = self.grad_w[j]
                    for k, v in enumerate(xi):
                        row[k] += g * v
                    self.grad_b[j] += g
        return [[sum(g * self.weight[j][k] for j, g in enumerate(gi)) for k in range(len(xi))] for xi, gi in zip(self.x, grad)]

    def parameters(self):
        return [(self.weight, self.grad_w), ([self.bias], [self.grad_b])]


class ReLU:
    def forward(self, x):
        self.x = x
        return [[v if v > 0 else 0.0 for v in xi] for xi in x]

    def backward(self, grad):
        return [[g if v > 0 else 0.0 for g, v in zip(gi, xi)] for gi, xi in zip(grad, self.x)]

    def parameters(self):
        return []


class Tanh:
    def forward(self, x):
        self.y = [[math.tanh(v) for v in xi] for xi in x]
        return self.y

    def backward(self, grad):
        return [[g * (1 - y * y) for g, y in zip(gi, yi)] for gi, yi in zip(grad, self.y)]

    def parameters(self):
        return []


class Sequential:
    def __init__(self, *layers):
        self.layers = layers

    def __call__(self, x):
        for layer in self.layers:
            x = layer.forward(x)
        return x

    def backward(self, grad):
        for layer in reversed(self.layers):
            grad = layer.backward(grad)

    def parameters(self):
        return [p for layer in self.layers for p in layer.parameters()]


class SGD:
    """SGD with momentum and weight decay, like torch.optim.SGD."""

    def __init__(self, parameters, lr, momentum=0.0, weight_decay=0.0):
        self.parameters, self.lr, self.momentum, self.weight_decay = parameters, lr, momentum, weight_decay
        self.velocity = [[[0.0] * len(row) for row in values] for values, _ in parameters]

    def zero_grad(self):
        for _, grads in self.parameters:
            for row in grads:
                row[:] = [0.0] * len(row)

    def step(self):
        for (values, grads), velocity in zip(self.parameters, self.velocity):
            for row, grow, vrow in zip(values, grads, velocity):
                for k in range(len(row)):
                    vrow[k] = self.momentum * vrow[k] + grow[k] + self.weight_decay * row[k]
                    row[k] -= self.lr * vrow[k]


def cross_entropy(logits, targets):
    """Mean softmax cross-entropy and its gradient with respect to the logits."""
    loss, grad = 0.0, []
    for z, t in zip(logits, targets):
        m = max(z)
        exps = [math.exp(v - m) for v in z]
        total = sum(exps)
        loss -= math.log(max(exps[t] / total, 1e-12))
        grad.append([(e / total - (1.0 if k == t else 0.0)) / len(logits) for k, e in enumerate(exps)])
    return loss / len(logits), grad


def data_loader(xs, ys, batch_size, rng):
    order = list(range(len(xs)))
    rng.shuffle(order)
    for i in range(0, len(order), batch_size):
        idx = order[i:i + batch_size]
        yield [xs[j] for j in idx], [ys[j] for j in idx]


def make_moons(n, noise, rng):
    xs, ys = [], []
    for i in range(n):
        label = i % 2
        angle = rng.uniform(0, math.pi)
        x, y = (math.cos(angle), math.sin(angle)) if label == 0 else (1 - math.cos(angle), 0.5 - math.sin(angle))
        xs.append([x + rng.gauss(0, noise), y + rng.gauss(0, noise)])
        ys.append(label)
    return xs, ys


# --- the objective ------------------------------------------------------------------------------

DATA_RNG = random.Random(0)
TRAIN = make_moons(240, 0.2, DATA_RNG)
VALID = make_moons(120, 0.2, DATA_RNG)

SEARCH_SPACE = [
    gt.float_param("lr", 1e-3, 1.0, log=True),
    gt.float_param("momentum", 0.0, 0.95),
    gt.int_param("hidden", 2, 24),
    gt.categorical_param("activation", ["relu", "tanh"]),
    gt.categorical_param("batch_size", [16, 32, 64]),
]


def make_objective(epochs):
    def objective(trial):
        # Declared in the study's search space: these read what ask sampled, without a request.
        lr = trial.suggest_float("lr", 1e-3, 1.0, log=True)
        momentum = trial.suggest_float("momentum", 0.0, 0.95)
        hidden = trial.suggest_int("hidden", 2, 24)
        activation = trial.suggest_categorical("activation", ["relu", "tanh"])
        batch_size = trial.suggest_categorical("batch_size", [16, 32, 64])
        # Define-by-run works too: one request the first time.
        weight_decay = trial.suggest_float("weight_decay", 1e-6, 1e-2, log=True)

        rng = random.Random(trial.number)
        model = Sequential(Linear(2, hidden, rng), ReLU() if activation == "relu" else Tanh(), Linear(hidden, 2, rng))
        optimizer = SGD(model.parameters(), lr=lr, momentum=momentum, weight_decay=weight_decay)
        val_loss = float("inf")
        for epoch in range(epochs):
            train_loss = 0.0
            for x, y in data_loader(*TRAIN, batch_size, rng):
                optimizer.zero_grad()
                loss, grad = cross_entropy(model(x), y)
                model.backward(grad)
                optimizer.step()
                train_loss += loss * len(x)
            logits = model(VALID[0])
            val_loss, _ = cross_entropy(logits, VALID[1])
            accuracy = sum(1 for z, t in zip(logits, VALID[1]) if z.index(max(z)) == t) / len(VALID[1])
            if not math.isfinite(val_loss):
                raise gt.TrialPruned()  # diverged
            trial.log({"train_loss": train_loss / len(TRAIN[0]), "val_accuracy": accuracy}, epoch)
            trial.report(val_loss, epoch)
            if trial.should_prune():
                raise gt.TrialPruned()
        return val_loss

    return objective


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", default="http://127.0.0.1:4000/graphql")
    parser.add_argument("--study", default="python-mlp-moons")
    parser.add_argument("--trials", type=int, default=20)
    parser.add_argument("--epochs", type=int, default=15)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args(argv)

    client = gt.Graphtune(args.url)
    study = client.create_study(
        name=args.study, direction="minimize", load_if_exists=True,
        sampler={"type": "TPE", "seed": 1}, pruner={"type": "MEDIAN", "options": {"nWarmupSteps": 3}},
        search_space=SEARCH_SPACE)
    print("study %s (%s): sampler %s, pruner %s" % (study.name, study.id, study.sampler["type"], study.pruner["type"]))

    def progress(_, told):
        value = "%.4f" % told["values"][0] if told["values"] else "-"
        print("trial %d %s %s" % (told["number"], told["state"], value), flush=True)

    study.optimize(make_objective(args.epochs), n_trials=args.trials, n_jobs=args.jobs, callbacks=[progress])
    best = study.best_trial
    print("best trial #%d: validation loss %.4f with %s" % (best.number, best.value, best.params))


if __name__ == "__main__":
    main()
