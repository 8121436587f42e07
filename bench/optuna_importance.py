"""Optuna 3.1 side of the importance benchmark (bench/importance.ts runs it when Optuna imports).

Reads a study as JSON ({"direction", "specs": [...], "trials": [{"params", "value"}]}), loads it
into an in-memory Optuna study and times Optuna's fANOVA evaluator (its default, 64 trees, which
needs scikit-learn) on it. Prints {"fanova": {"median_ms", "importances"}} as JSON on stdout, or
{"fanova": {"error": ...}} when the evaluator cannot run. Optuna 3.1 has no PED-ANOVA (it came
in 3.6).
"""
import argparse
import json
import statistics
import time
import warnings

import optuna

optuna.logging.set_verbosity(optuna.logging.ERROR)
warnings.filterwarnings("ignore")


def distribution(spec):
    if spec["type"] == "CATEGORICAL":
        return optuna.distributions.CategoricalDistribution(spec["choices"])
    if spec["type"] == "INT":
        step = spec["step"] if not spec["log"] else 1
        return optuna.distributions.IntDistribution(spec["low"], spec["high"], log=spec["log"], step=step)
    return optuna.distributions.FloatDistribution(spec["low"], spec["high"], log=spec["log"], step=spec["step"])


def load_study(data):
    direction = "maximize" if data["direction"] == "MAXIMIZE" else "minimize"
    study = optuna.create_study(direction=direction)
    dists = {s["name"]: distribution(s) for s in data["specs"]}
    study.add_trials(
        [
            optuna.trial.create_trial(
                params=t["params"], distributions={k: dists[k] for k in t["params"]}, value=t["value"]
            )
            for t in data["trials"]
        ]
    )
    return study


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--input", required=True)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    with open(args.input) as f:
        study = load_study(json.load(f))
    out = {}
    try:
        from optuna.importance import FanovaImportanceEvaluator

        times = []
        importances = None
        for _ in range(args.repeats):
            evaluator = FanovaImportanceEvaluator(seed=args.seed)
            start = time.perf_counter()
            importances = evaluator.evaluate(study)
            times.append((time.perf_counter() - start) * 1000)
        out["fanova"] = {"median_ms": statistics.median(times), "importances": dict(importances)}
    except Exception as e:  # scikit-learn missing, or the evaluator refused the study
        out["fanova"] = {"error": f"{type(e).__name__}: {e}"}
    print(json.dumps(out))


if __name__ == "__main__":
    main()
