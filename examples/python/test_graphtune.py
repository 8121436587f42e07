"""Tests of graphtune.py against a running server (GRAPHTUNE_URL, default http://127.0.0.1:4000/graphql).

    GRAPHTUNE_URL=http://127.0.0.1:4000/graphql python3 -m unittest examples/python/test_graphtune.py
"""
import os
import socket
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import graphtune as gt  # noqa: E402

URL = os.environ.get("GRAPHTUNE_URL", "http://127.0.0.1:4000/graphql")
RUN = str(int(time.time() * 1000))


def unique(prefix):
    unique.seq += 1
    return "%s-%s-%d" % (prefix, RUN, unique.seq)


unique.seq = 0


class Counting(gt.Graphtune):
    """Counts the operations sent, by their first field."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.sent = {}

    def _once(self, body):
        name = gt._operation_name(body.decode().split('"query": "', 1)[1])
        self.sent[name] = self.sent.get(name, 0) + 1
        return super()._once(body)


class AnswerDroppingProxy:
    """A TCP proxy that lets requests through but drops the next `drop` answers, closing the connection."""

    def __init__(self, url):
        host_port = url.split("//", 1)[1].split("/", 1)[0]
        self.target = (host_port.rsplit(":", 1)[0], int(host_port.rsplit(":", 1)[1]))
        self.drop = 0
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(16)
        self.url = "http://127.0.0.1:%d/graphql" % self.listener.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(self.target)
            threading.Thread(target=self._pump, args=(client, upstream, False), daemon=True).start()
            threading.Thread(target=self._pump, args=(upstream, client, True), daemon=True).start()

    def _pump(self, source, sink, answers):
        try:
            while True:
                data = source.recv(65536)
                if not data:
                    break
                if answers and self.drop > 0:
                    self.drop -= 1
                    break
                sink.sendall(data)
        except OSError:
            pass
        for s in (source, sink):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            s.close()

    def close(self):
        self.listener.close()


class ClientTest(unittest.TestCase):
    def test_declared_space_takes_one_round_trip_per_trial(self):
        client = Counting(URL)
        study = client.create_study(unique("py-declared"), sampler={"type": "RANDOM", "seed": 2}, search_space=[
            gt.float_param("lr", 1e-4, 1e-1, log=True), gt.int_param("n", 1, 9, step=2),
            gt.categorical_param("act", ["relu", "tanh"])])

        def objective(trial):
            lr = trial.suggest_float("lr", 1e-4, 1e-1, log=True)
            n = trial.suggest_int("n", 1, 9, step=2)
            act = trial.suggest_categorical("act", ["relu", "tanh"])
            self.assertTrue(1e-4 <= lr <= 1e-1)
            self.assertIn(n, [1, 3, 5, 7, 9])
            self.assertIn(act, ["relu", "tanh"])
            return lr * n

        study.optimize(objective, n_trials=6, n_jobs=3)
        self.assertEqual(client.sent.get("askTrial"), 6)
        self.assertEqual(client.sent.get("tellTrial"), 6)
        self.assertNotIn("suggestParam", client.sent)
        trials = study.trials
        self.assertEqual(sorted(t.number for t in trials), list(range(6)))
        self.assertEqual(study.best_value, min(t.value for t in trials))

    def test_define_by_run_and_a_refused_range(self):
        client = Counting(URL)
        study = client.create_study(unique("py-dbr"))
        trial = study.ask()
        x = trial.suggest_float("x", -1, 1)
        self.assertEqual(trial.suggest_float("x", -1, 1), x)
        self.assertEqual(client.sent.get("suggestParam"), 1)
        with self.assertRaises(gt.BadUserInputError) as caught:
            trial.suggest_float("x", -2, 2)
        self.assertEqual(caught.exception.code, "BAD_USER_INPUT")
        self.assertEqual(caught.exception.field, "spec")
        study.tell(trial, x * x)
        with self.assertRaises(gt.ConflictError):
            study.tell(trial, 0.0)

    def test_pruning_by_the_study_pruner_and_from_outside(self):
        client = gt.Graphtune(URL)
        study = client.create_study(unique("py-prune"), sampler={"type": "RANDOM", "seed": 4},
                                    pruner={"type": "THRESHOLD", "options": {"upper": 5}},
                                    search_space=[gt.float_param("x", 0, 10)])

        def objective(trial):
            x = trial.suggest_float("x", 0, 10)
            for step in range(3):
                trial.report(x + step, step)
                if trial.should_prune():
                    raise gt.TrialPruned()
            return x

        study.optimize(objective, n_trials=8)
        states = [t.state for t in study.trials]
        self.assertIn("PRUNED", states)
        for t in study.get_trials(states=["PRUNED"]):
            self.assertGreater(max(t.intermediate_values.values()), 5)

        trial = study.ask()
        trial.report(1.0, 0)
        study.prune_trial(trial.id, "flat curve")
        trial.report(1.0, 1)
        self.assertTrue(trial.should_prune())
        self.assertEqual(study.tell(trial, None, "PRUNED")["state"], "PRUNED")

    def test_enqueue_errors_and_multi_objective(self):
        client = gt.Graphtune(URL)
        name = unique("py-misc")
        study = client.create_study(name, directions=["minimize", "maximize"], search_space=[gt.float_param("x", 0, 1)])
        study.enqueue_trial({"x": 0.5})
        first = study.ask()
        self.assertEqual(first.suggest_float("x", 0, 1), 0.5)
        study.tell(first, [1.0, 1.0])
        values = iter([[2.0, 3.0], [3.0, 2.0], [0.5, 0.5]])
        study.optimize(lambda trial: next(values), n_trials=3)
        self.assertEqual(sorted(t.values for t in study.best_trials), [[0.5, 0.5], [1.0, 1.0], [2.0, 3.0]])
        with self.assertRaises(RuntimeError):
            study.best_trial
        self.assertEqual(client.load_study(name).id, study.id)
        with self.assertRaises(gt.ConflictError):
            client.create_study(name)
        self.assertTrue(client.delete_study(name))
        with self.assertRaises(gt.NotFoundError):
            client.load_study(name)

    def test_an_objective_error_fails_the_trial_and_stops_the_run(self):
        study = gt.Graphtune(URL).create_study(unique("py-fail"), search_space=[gt.float_param("x", 0, 1)])

        def objective(trial):
            if trial.number == 1:
                raise ZeroDivisionError("boom")
            return float("nan") if trial.number == 0 else 1.0

        with self.assertRaises(ZeroDivisionError):
            study.optimize(objective, n_trials=5)
        self.assertEqual([t.state for t in study.trials], ["FAIL", "FAIL"])
        study.optimize(objective, n_trials=2, catch=(ZeroDivisionError,))
        self.assertEqual([t.state for t in study.trials], ["FAIL", "FAIL", "COMPLETE", "COMPLETE"])

    def test_retries_lost_answers_without_duplicating_points(self):
        proxy = AnswerDroppingProxy(URL)
        try:
            client = Counting(proxy.url, backoff=0.02)
            study = client.create_study(unique("py-faults"), search_space=[gt.float_param("x", 0, 1)])
            trial = study.ask()
            proxy.drop = 2
            trial.report(0.5, 0)
            trial.report(0.4, 1)
            self.assertEqual(client.sent["reportMetrics"], 4)
            proxy.drop = 1
            self.assertEqual(study.tell(trial, 0.4)["state"], "COMPLETE")
            self.assertEqual(client.sent["tellTrial"], 2)
            (stored,) = gt.Graphtune(URL).load_study(study_id=study.id).trials
            self.assertEqual(stored.intermediate_values, {0: 0.5, 1: 0.4})
            proxy.drop = 1
            with self.assertRaises(gt.NetworkError) as caught:
                study.ask()
            self.assertIn("not idempotent", str(caught.exception))
        finally:
            proxy.close()

    def test_a_clear_error_after_the_last_try(self):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        client = gt.Graphtune("http://127.0.0.1:%d/graphql" % port, retries=3, backoff=0.01)
        with self.assertRaises(gt.NetworkError) as caught:
            client.load_study("anything")
        self.assertEqual(caught.exception.attempts, 3)
        self.assertRegex(str(caught.exception), r"study failed after 3 tries over [\d.]+ s: .*running and reachable")


if __name__ == "__main__":
    unittest.main()
