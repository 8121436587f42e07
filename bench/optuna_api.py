"""Peer for bench/api.ts: Optuna's RDB storage on the same PostgreSQL, same workload shape.

Usage: python3 optuna_api.py URL N_TRIALS N_WORKERS REPORTS
Prints one JSON line: {"trials_per_s": ...}. Workers are threads sharing one storage, the way
Optuna's own parallel optimisation runs.
"""
import json
import sys
import threading
import time

import optuna

optuna.logging.set_verbosity(optuna.logging.WARNING)


def main():
    url, n_trials, n_workers, reports = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    storage = optuna.storages.RDBStorage(url, engine_kwargs={"pool_size": n_workers + 2})
    study = optuna.create_study(storage=storage, sampler=optuna.samplers.RandomSampler(seed=1),
                                study_name=f"bench-{time.time()}")
    distributions = {
        "lr": optuna.distributions.FloatDistribution(1e-5, 1, log=True),
        "layers": optuna.distributions.IntDistribution(1, 6),
    }
    remaining = [n_trials]
    lock = threading.Lock()

    def worker():
        while True:
            with lock:
                if remaining[0] == 0:
                    return
                remaining[0] -= 1
            trial = study.ask(distributions)
            for step in range(reports):
                trial.report(1.0 / (step + 1), step)
                trial.should_prune()
            study.tell(trial, trial.params["lr"])

    start = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(n_workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - start
    print(json.dumps({"trials_per_s": n_trials / elapsed}))


if __name__ == "__main__":
    main()
