"""Optuna 3.1 as a search driver over stdin/stdout, for benchmarks whose trials train in Node.

The Node side trains; this process only samples and prunes, with Optuna's TPESampler and the
pruner it is given, through Optuna's ask-and-tell interface. One JSON object a line each way:

  argv: --seed N --pruner '{"type": "SuccessiveHalvingPruner", "kwargs": {...}}' --space '[ParamSpec...]'
  (the pruner's JSON may carry "sampler_kwargs": TPESampler's arguments besides the seed)
  {"cmd": "ask"}                                  -> {"number": n, "params": {...}}
  {"cmd": "report", "step": s, "value": v}        -> {"prune": true|false}   (the asked trial)
  {"cmd": "tell", "state": "COMPLETE", "value": v} | {"cmd": "tell", "state": "PRUNED"|"FAIL"} -> {}

A PRUNED tell keeps the trial's last intermediate value as its value, as Optuna does itself.
"""
import argparse
import json
import sys
import warnings

import optuna

optuna.logging.set_verbosity(optuna.logging.ERROR)
warnings.filterwarnings("ignore")


def distribution(spec):
    kind = spec["type"]
    if kind == "FLOAT":
        return optuna.distributions.FloatDistribution(spec["low"], spec["high"], log=spec.get("log", False), step=spec.get("step"))
    if kind == "INT":
        return optuna.distributions.IntDistribution(spec["low"], spec["high"], log=spec.get("log", False), step=spec.get("step") or 1)
    if kind == "CATEGORICAL":
        return optuna.distributions.CategoricalDistribution(spec["choices"])
    raise ValueError(f"unknown parameter type {kind}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, required=True)
    ap.add_argument("--pruner", required=True)
    ap.add_argument("--space", required=True)
    ap.add_argument("--direction", default="minimize")
    args = ap.parse_args()
    pruner_spec = json.loads(args.pruner)
    pruner = getattr(optuna.pruners, pruner_spec["type"])(**pruner_spec.get("kwargs", {}))
    space = {spec["name"]: distribution(spec) for spec in json.loads(args.space)}
    # A fixed study name: HyperbandPruner hashes it with the trial number to pick brackets.
    sampler = optuna.samplers.TPESampler(seed=args.seed, **pruner_spec.get("sampler_kwargs", {}))
    study = optuna.create_study(study_name=f"bench-{args.seed}", direction=args.direction, sampler=sampler, pruner=pruner)
    trial = None
    for line in sys.stdin:
        msg = json.loads(line)
        if msg["cmd"] == "ask":
            trial = study.ask(space)
            out = {"number": trial.number, "params": trial.params}
        elif msg["cmd"] == "report":
            trial.report(msg["value"], msg["step"])
            out = {"prune": bool(trial.should_prune())}
        elif msg["cmd"] == "tell":
            state = getattr(optuna.trial.TrialState, msg["state"])
            study.tell(trial, msg.get("value") if state == optuna.trial.TrialState.COMPLETE else None, state=state)
            trial = None
            out = {}
        else:
            raise ValueError(f"unknown command {msg['cmd']}")
        sys.stdout.write(json.dumps(out) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
