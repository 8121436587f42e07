"""Optuna 3.1 side of the sampler benchmark (bench/samplers.ts runs it when Optuna imports).

Runs the same six functions as bench/functions.ts with Optuna's random, TPE, multivariate TPE,
CMA-ES and QMC samplers and prints {function: {sampler: median regret}} as JSON on stdout.
A sampler whose dependencies are missing (QMC needs SciPy, CMA-ES the cmaes package) is left out.
"""
import argparse
import json
import math
import statistics
import warnings

import optuna

optuna.logging.set_verbosity(optuna.logging.ERROR)
warnings.filterwarnings("ignore")


def floats(trial, n, low, high):
    return [trial.suggest_float(f"x{i}", low, high) for i in range(n)]


def branin(trial):
    x1 = trial.suggest_float("x0", -5, 10)
    x2 = trial.suggest_float("x1", 0, 15)
    b = 5.1 / (4 * math.pi**2)
    c = 5 / math.pi
    t = 1 / (8 * math.pi)
    return (x2 - b * x1 * x1 + c * x1 - 6) ** 2 + 10 * (1 - t) * math.cos(x1) + 10


H_ALPHA = [1.0, 1.2, 3.0, 3.2]
H_A = [[10, 3, 17, 3.5, 1.7, 8], [0.05, 10, 17, 0.1, 8, 14], [3, 3.5, 1.7, 10, 17, 8], [17, 8, 0.05, 10, 0.1, 14]]
H_P = [
    [0.1312, 0.1696, 0.5569, 0.0124, 0.8283, 0.5886],
    [0.2329, 0.4135, 0.8307, 0.3736, 0.1004, 0.9991],
    [0.2348, 0.1451, 0.3522, 0.2883, 0.3047, 0.665],
    [0.4047, 0.8828, 0.8732, 0.5743, 0.1091, 0.0381],
]


def hartmann6(trial):
    x = floats(trial, 6, 0, 1)
    return -sum(H_ALPHA[i] * math.exp(-sum(H_A[i][j] * (x[j] - H_P[i][j]) ** 2 for j in range(6))) for i in range(4))


def rosenbrock4(trial):
    x = floats(trial, 4, -5, 10)
    return sum(100 * (x[i + 1] - x[i] ** 2) ** 2 + (1 - x[i]) ** 2 for i in range(3))


def ackley5(trial):
    x = floats(trial, 5, -32.768, 32.768)
    n = len(x)
    sq = sum(v * v for v in x)
    cs = sum(math.cos(2 * math.pi * v) for v in x)
    return -20 * math.exp(-0.2 * math.sqrt(sq / n)) - math.exp(cs / n) + 20 + math.e


def styblinski5(trial):
    x = floats(trial, 5, -5, 5)
    return sum(v**4 - 16 * v * v + 5 * v for v in x) / 2


LR_OPT = {"adam": -3, "rmsprop": -3.5, "sgd": -1.5}
OPT_OFFSET = {"adam": 0, "rmsprop": 0.02, "sgd": 0.05}


def hpo_mixed(trial):
    lr = trial.suggest_float("lr", 1e-5, 1, log=True)
    layers = trial.suggest_int("layers", 1, 6)
    units = trial.suggest_int("units", 16, 512, log=True)
    dropout = trial.suggest_float("dropout", 0, 0.6)
    optimizer = trial.suggest_categorical("optimizer", ["adam", "sgd", "rmsprop"])
    batch_size = trial.suggest_int("batch_size", 16, 512, log=True)
    lr_gap = math.log10(lr) - LR_OPT[optimizer]
    capacity = layers * math.log2(units)
    best_dropout = 0.1 + 0.02 * (capacity - 14)
    bs_gap = math.log2(batch_size) - 6 - 2 * lr_gap
    return (
        0.05
        + OPT_OFFSET[optimizer]
        + 0.03 * lr_gap * lr_gap
        + 0.05 * ((capacity - 21) / 6) ** 2
        + 0.5 * (dropout - best_dropout) ** 2
        + 0.02 * bs_gap * bs_gap
    )


FUNCTIONS = {
    "branin": (branin, 0.397887357729738),
    "hartmann6": (hartmann6, -3.32236801141551),
    "rosenbrock4": (rosenbrock4, 0.0),
    "ackley5": (ackley5, 0.0),
    "styblinski5": (styblinski5, -39.16616570377142 * 5),
    "hpo_mixed": (hpo_mixed, 0.05),
}


def samplers():
    out = {
        "random": lambda seed: optuna.samplers.RandomSampler(seed=seed),
        "tpe": lambda seed: optuna.samplers.TPESampler(seed=seed),
        "tpe_mv": lambda seed: optuna.samplers.TPESampler(seed=seed, multivariate=True),
    }
    try:
        import cmaes  # noqa: F401

        out["cmaes"] = lambda seed: optuna.samplers.CmaEsSampler(seed=seed)
    except ImportError:
        pass
    try:
        import scipy  # noqa: F401

        out["qmc"] = lambda seed: optuna.samplers.QMCSampler(seed=seed)
    except ImportError:
        pass
    return out


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--trials", type=int, default=100)
    parser.add_argument("--functions", default=",".join(FUNCTIONS))
    parser.add_argument("--samplers", default=None)
    args = parser.parse_args()
    chosen = samplers()
    if args.samplers:
        chosen = {k: v for k, v in chosen.items() if k in args.samplers.split(",")}
    results = {}
    for name in args.functions.split(","):
        if name not in FUNCTIONS:
            continue
        fn, optimum = FUNCTIONS[name]
        results[name] = {}
        for label, make in chosen.items():
            regrets = []
            for seed in range(args.seeds):
                study = optuna.create_study(sampler=make(1000 + seed))
                study.optimize(fn, n_trials=args.trials)
                regrets.append(study.best_value - optimum)
            results[name][label] = statistics.median(regrets)
    print(json.dumps(results))


if __name__ == "__main__":
    main()
