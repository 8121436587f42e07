"""Optuna 3.1 side of the pruning benchmark (bench/pruning.ts runs it when Optuna imports).

Optimises the same MF-Hartmann6 as bench/mfFunctions.ts with Optuna's TPESampler and each pruner
given as {label, type, kwargs} (a class of optuna.pruners and its arguments):
every trial reports its value at steps 1..100 and stops when pruned. Prints, per pruner, one
record per seed as JSON on stdout: the total steps consumed and, for every trial that reached the
last step, [steps consumed so far, regret of the best such trial so far].
"""
import argparse
import json
import math
import random
import warnings

import optuna

optuna.logging.set_verbosity(optuna.logging.ERROR)
warnings.filterwarnings("ignore")

ALPHA = [1.0, 1.2, 3.0, 3.2]
A = [[10, 3, 17, 3.5, 1.7, 8], [0.05, 10, 17, 0.1, 8, 14], [3, 3.5, 1.7, 10, 17, 8], [17, 8, 0.05, 10, 0.1, 14]]
P = [
    [0.1312, 0.1696, 0.5569, 0.0124, 0.8283, 0.5886],
    [0.2329, 0.4135, 0.8307, 0.3736, 0.1004, 0.9991],
    [0.2348, 0.1451, 0.3522, 0.2883, 0.3047, 0.665],
    [0.4047, 0.8828, 0.8732, 0.5743, 0.1091, 0.0381],
]
OPTIMUM = -3.32236801141551


def hartmann(x, shrink, bias):
    return -sum((ALPHA[i] - bias * shrink) * math.exp(-sum(A[i][j] * (x[j] - P[i][j]) ** 2 for j in range(6))) for i in range(4))


def make_pruner(spec):
    """spec: {"label", "type": a class of optuna.pruners, "kwargs": its keyword arguments}."""
    return getattr(optuna.pruners, spec["type"])(**spec["kwargs"])


def run(spec, seed, n_trials, bias, noise, max_step):
    state = {"steps": 0, "best": math.inf, "curve": []}
    log_max = math.log(max_step)

    def objective(trial):
        x = [trial.suggest_float(f"x{i}", 0, 1) for i in range(6)]
        rng = random.Random(seed * 1_000_003 + trial.number)
        value = math.nan
        for step in range(1, max_step + 1):
            shrink = 1 - math.log(step) / log_max
            value = hartmann(x, shrink, bias) + abs(rng.gauss(0, 1)) * noise * shrink
            state["steps"] += 1
            trial.report(value, step)
            if trial.should_prune():
                raise optuna.TrialPruned()
        state["best"] = min(state["best"], hartmann(x, 0, bias) - OPTIMUM)
        state["curve"].append([state["steps"], state["best"]])
        return value

    # A fixed study name: HyperbandPruner hashes it with the trial number to pick brackets.
    study = optuna.create_study(
        study_name=f"mf-hartmann6-{seed}", sampler=optuna.samplers.TPESampler(seed=seed), pruner=make_pruner(spec)
    )
    study.optimize(objective, n_trials=n_trials)
    return {"steps": state["steps"], "curve": state["curve"]}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", type=int, default=10)
    ap.add_argument("--trials", type=int, default=200)
    ap.add_argument("--bias", type=float, default=2.5)
    ap.add_argument("--noise", type=float, default=2.0)
    ap.add_argument("--max-step", type=int, default=100)
    ap.add_argument(
        "--pruners",
        default='[{"label": "SH", "type": "SuccessiveHalvingPruner", "kwargs": {}}]',
        help="JSON list of {label, type, kwargs}",
    )
    args = ap.parse_args()
    out = {}
    for spec in json.loads(args.pruners):
        out[spec["label"]] = [run(spec, seed, args.trials, args.bias, args.noise, args.max_step) for seed in range(args.seeds)]
    print(json.dumps(out))


if __name__ == "__main__":
    main()
