"""A graphtune client for Python training scripts, with Optuna's vocabulary and nothing but the
standard library (copy this one file next to your script).

    import graphtune as gt

    client = gt.Graphtune("http://127.0.0.1:4000/graphql")
    study = client.create_study(
        name="mlp", direction="minimize", sampler={"type": "TPE"}, pruner={"type": "MEDIAN"},
        search_space=[gt.float_param("lr", 1e-4, 1e-1, log=True), gt.int_param("hidden", 4, 64)])

    def objective(trial):
        lr = trial.suggest_float("lr", 1e-4, 1e-1, log=True)   # declared: no request
        hidden = trial.suggest_int("hidden", 4, 64)
        for epoch in range(20):
            loss = train_one_epoch(lr, hidden)
            trial.report(loss, epoch)
            if trial.should_prune():
                raise gt.TrialPruned()
        return loss

    study.optimize(objective, n_trials=50, n_jobs=2)
    print(study.best_trial)

As in Optuna, report() only records the value and should_prune() says whether to stop. Declared
search spaces take one round trip per trial (ask samples every declared parameter); other names
are define-by-run, one request each. Network faults are retried with backoff where a retry is safe
(queries, report, suggest_*, tell), and raise NetworkError after the last try.
"""
import http.client
import json
import random
import socket
import threading
import time
import urllib.error
import urllib.request

__all__ = [
    "Graphtune", "Study", "Trial", "FrozenTrial", "TrialPruned",
    "GraphtuneError", "BadUserInputError", "NotFoundError", "ConflictError", "UnauthenticatedError",
    "ForbiddenError", "InternalServerError", "NetworkError",
    "float_param", "int_param", "categorical_param",
]


# --- errors -------------------------------------------------------------------------------------

class GraphtuneError(Exception):
    """An error the server answered; `code` is its extensions.code, `field` the input to fix."""

    def __init__(self, message, code, field=None):
        super().__init__(message)
        self.code = code
        self.field = field
        #: The try that got this answer (1 for the first).
        self.attempts = 1


class BadUserInputError(GraphtuneError):
    """Input the server refused as sent; `field` names what to change."""


class NotFoundError(GraphtuneError):
    """An id or name that names nothing."""


class ConflictError(GraphtuneError):
    """Valid input the current state does not allow, e.g. telling a finished trial again."""


class UnauthenticatedError(GraphtuneError):
    """The server wants credentials: pass api_key."""


class ForbiddenError(GraphtuneError):
    """The credentials do not allow this operation."""


class InternalServerError(GraphtuneError):
    """The server failed unexpectedly; its log has the details."""


class NetworkError(GraphtuneError):
    """The server could not be reached, or stopped answering, through every try."""


class TrialPruned(Exception):
    """Raise it from an objective to stop a trial; optimize tells the trial PRUNED."""


_BY_CODE = {
    "BAD_USER_INPUT": BadUserInputError,
    "GRAPHQL_VALIDATION_FAILED": BadUserInputError,
    "GRAPHQL_PARSE_FAILED": BadUserInputError,
    "NOT_FOUND": NotFoundError,
    "CONFLICT": ConflictError,
    "UNAUTHENTICATED": UnauthenticatedError,
    "FORBIDDEN": ForbiddenError,
    "INTERNAL_SERVER_ERROR": InternalServerError,
}


def _error_from_server(error):
    code = (error.get("extensions") or {}).get("code") or "INTERNAL_SERVER_ERROR"
    field = (error.get("extensions") or {}).get("field")
    return _BY_CODE.get(code, GraphtuneError)(error.get("message", "error"), code, field)


# --- documents ----------------------------------------------------------------------------------

_TRIAL_FIELDS = "id number state params values userAttrs pruneReason startedAt completedAt"
_STUDY_FIELDS = ("id name directions objectiveMetric userAttrs sampler { type seed options } pruner { type options } "
                 "searchSpace { name type low high log step choices condition { param values } }")
_CREATE_STUDY = "mutation($input: CreateStudyInput!) { createStudy(input: $input) { %s } }" % _STUDY_FIELDS
_GET_STUDY = "query($id: ID, $name: String) { study(id: $id, name: $name) { %s } }" % _STUDY_FIELDS
_DELETE_STUDY = "mutation($id: ID!) { deleteStudy(id: $id) }"
_STUDY_BEST = "query($id: ID!) { study(id: $id) { bestTrials { %s } } }" % _TRIAL_FIELDS
_STUDY_TRIALS = ("query($id: ID!, $first: Int, $after: String, $states: [TrialState!]) { study(id: $id) { "
                 "trials(first: $first, after: $after, states: $states) { pageInfo { endCursor hasNextPage } "
                 "edges { node { %s intermediateValues { step value } } } } } }" % _TRIAL_FIELDS)
_ASK = "mutation($s: ID!) { askTrial(studyId: $s) { id number state params } }"
_SUGGEST = "mutation($t: ID!, $spec: ParamSpecInput!) { suggestParam(trialId: $t, spec: $spec) }"
_REPORT = "mutation($t: ID!, $p: [MetricPointInput!]!) { reportMetrics(trialId: $t, points: $p) { shouldPrune reason } }"
_TELL = ("mutation($t: ID!, $state: TrialState!, $v: [Float!]) { "
         "tellTrial(trialId: $t, state: $state, values: $v) { id number state values } }")
_ENQUEUE = "mutation($s: ID!, $p: JSON!) { enqueueTrial(studyId: $s, params: $p) { %s } }" % _TRIAL_FIELDS
_PRUNE = "mutation($t: ID!, $r: String) { pruneTrial(trialId: $t, reason: $r) { %s } }" % _TRIAL_FIELDS
_GET_TRIAL = "query($id: ID!) { trial(id: $id) { %s } }" % _TRIAL_FIELDS


# --- search spaces ------------------------------------------------------------------------------

def float_param(name, low, high, step=None, log=False):
    """A FLOAT parameter for create_study(search_space=...); the arguments of suggest_float."""
    return {"name": name, "type": "FLOAT", "low": low, "high": high, "log": log, "step": step}


def int_param(name, low, high, step=1, log=False):
    """An INT parameter for create_study(search_space=...); the arguments of suggest_int."""
    return {"name": name, "type": "INT", "low": low, "high": high, "log": log, "step": None if log else step}


def categorical_param(name, choices):
    """A CATEGORICAL parameter for create_study(search_space=...); the arguments of suggest_categorical."""
    return {"name": name, "type": "CATEGORICAL", "choices": list(choices)}


def _close(a, b):
    return abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b))


def _matches_declared(declared, asked):
    """True when a suggestion asks for the declared distribution (normalised as the server stores it)."""
    if declared["type"] != asked["type"]:
        return False
    if asked["type"] == "CATEGORICAL":
        return json.dumps(declared["choices"]) == json.dumps(asked["choices"])
    low, high, step = asked["low"], asked["high"], asked.get("step")
    if asked["type"] == "INT" and step is None:
        step = 1
    if step:
        high = low + int((high - low) / step + 1e-9) * step
    d_step = declared.get("step")
    return (declared["low"] is not None and _close(declared["low"], low) and _close(declared["high"], high)
            and bool(declared["log"]) == bool(asked.get("log"))
            and ((d_step is None and step is None) or (d_step is not None and step is not None and _close(d_step, step))))


# --- transport ----------------------------------------------------------------------------------

class _Fault(Exception):
    def __init__(self, description, not_sent):
        super().__init__(description)
        self.not_sent = not_sent


class Graphtune:
    """The entry point (Optuna's `optuna` module): create, load and delete studies on one server.

    retries: tries in all after network faults (default 5); backoff: the first wait in seconds,
    doubled per try up to max_backoff (defaults 0.2 and 5); timeout: seconds one try may take
    (default 30).
    """

    def __init__(self, url="http://127.0.0.1:4000/graphql", api_key=None, retries=5, backoff=0.2,
                 max_backoff=5.0, timeout=30.0):
        self.url = url
        self.retries = max(1, retries)
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.timeout = timeout
        self._headers = {"content-type": "application/json", "accept": "application/json"}
        if api_key:
            self._headers["authorization"] = "Bearer " + api_key

    def request(self, query, variables=None, idempotent=None):
        """Sends one operation and returns its data; raises the GraphtuneError subclass for its code.

        idempotent: whether another try is safe after one that may have reached the server;
        default True for queries, False for mutations. A refused connection is retried either way.
        """
        if idempotent is None:
            idempotent = not query.lstrip().startswith(("mutation", "subscription"))
        body = json.dumps({"query": query, "variables": variables or {}}).encode()
        started = time.monotonic()
        attempt = 0
        while True:
            attempt += 1
            try:
                return self._once(body)
            except GraphtuneError as error:
                error.attempts = attempt
                raise
            except _Fault as fault:
                may_retry = fault.not_sent or idempotent
                name = _operation_name(query)
                if not may_retry:
                    error = NetworkError(
                        "%s failed: %s. It was not tried again because the request may have reached the server "
                        "at %s and %s is not idempotent; check what it did before repeating it." % (name, fault, self.url, name),
                        "NETWORK_ERROR")
                    error.attempts = attempt
                    raise error from None
                if attempt >= self.retries:
                    error = NetworkError(
                        "%s failed after %d tries over %.1f s: %s. Check that the server at %s is running and "
                        "reachable; Graphtune(retries=...) sets how long to keep trying."
                        % (name, attempt, time.monotonic() - started, fault, self.url), "NETWORK_ERROR")
                    error.attempts = attempt
                    raise error from None
                wait = min(self.max_backoff, self.backoff * 2 ** (attempt - 1))
                time.sleep(wait / 2 + random.random() * wait / 2)

    def _once(self, body):
        request = urllib.request.Request(self.url, data=body, headers=self._headers, method="POST")
        status = 200
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                text = response.read()
        except urllib.error.HTTPError as error:
            status = error.code
            text = error.read()
        except urllib.error.URLError as error:
            reason = error.reason
            not_sent = isinstance(reason, (ConnectionRefusedError, socket.gaierror))
            raise _Fault("%s" % (reason,), not_sent) from None
        except (ConnectionError, http.client.HTTPException, socket.timeout, TimeoutError) as error:
            raise _Fault("%s: %s" % (type(error).__name__, error), False) from None
        try:
            parsed = json.loads(text)
        except ValueError:
            parsed = None
        if not isinstance(parsed, dict) or ("data" not in parsed and "errors" not in parsed):
            if status >= 500 or status == 429:
                raise _Fault("HTTP %d without a GraphQL body" % status, False)
            raise GraphtuneError("the server at %s answered HTTP %d without a GraphQL body; check the url." % (self.url, status),
                                 "BAD_RESPONSE")
        if parsed.get("errors"):
            raise _error_from_server(parsed["errors"][0])
        return parsed["data"]

    # --- studies ---

    def create_study(self, name, direction="minimize", directions=None, sampler=None, pruner=None,
                     search_space=None, objective_metric=None, user_attrs=None, load_if_exists=False):
        """Creates a study (Optuna's create_study). search_space declares parameters
        (float_param, int_param, categorical_param) so that each trial is one round trip."""
        directions = directions or [direction]
        study_input = {"name": name, "directions": [d.upper() for d in directions], "sampler": sampler,
                       "pruner": pruner, "searchSpace": search_space, "objectiveMetric": objective_metric,
                       "userAttrs": user_attrs, "loadIfExists": load_if_exists}
        data = self.request(_CREATE_STUDY, {"input": study_input}, idempotent=load_if_exists)
        return Study(self, data["createStudy"])

    def load_study(self, study_name=None, study_id=None):
        """The study of that name (Optuna's load_study), or of that id."""
        data = self.request(_GET_STUDY, {"name": study_name, "id": study_id})
        if data["study"] is None:
            raise NotFoundError("study %r does not exist; check the name, or create it with create_study."
                                % (study_name or study_id), "NOT_FOUND", "name")
        return Study(self, data["study"])

    def delete_study(self, study_name=None, study_id=None):
        """Deletes a study with its trials and metrics; False when there was none."""
        if study_id is None:
            found = self.request(_GET_STUDY, {"name": study_name, "id": None})["study"]
            if found is None:
                return False
            study_id = found["id"]
        return self.request(_DELETE_STUDY, {"id": study_id})["deleteStudy"]


def _operation_name(query):
    start = query.find("{")
    words = query[start + 1:].split("(")[0].split("{")[0].split()
    return words[0] if words else "request"


# --- studies and trials -------------------------------------------------------------------------

class FrozenTrial:
    """A trial as stored (Optuna's FrozenTrial): number, state, params, values, intermediate_values."""

    def __init__(self, fields):
        self.id = fields["id"]
        self.number = fields["number"]
        self.state = fields["state"]
        self.params = fields.get("params") or {}
        self.values = fields.get("values")
        self.user_attrs = fields.get("userAttrs") or {}
        self.prune_reason = fields.get("pruneReason")
        self.intermediate_values = {p["step"]: p["value"] for p in fields.get("intermediateValues") or []}

    @property
    def value(self):
        """The objective value of a single-objective trial (None when it has none)."""
        return self.values[0] if self.values else None

    def __repr__(self):
        return "FrozenTrial(number=%d, state=%s, values=%r, params=%r)" % (self.number, self.state, self.values, self.params)


class Study:
    """A study (Optuna's Study): optimize, or ask and tell by hand; read results."""

    def __init__(self, client, fields):
        self._client = client
        self.id = fields["id"]
        self.name = fields["name"]
        self.directions = fields["directions"]
        self.objective_metric = fields["objectiveMetric"]
        self.search_space = fields["searchSpace"]
        self.sampler = fields["sampler"]
        self.pruner = fields["pruner"]
        self.user_attrs = fields["userAttrs"]
        self._declared = {p["name"]: p for p in self.search_space}

    # --- results (read from the server on each access) ---

    @property
    def best_trials(self):
        """The Pareto front (the best trial, as a list, for one objective)."""
        return [FrozenTrial(t) for t in self._client.request(_STUDY_BEST, {"id": self.id})["study"]["bestTrials"]]

    @property
    def best_trial(self):
        """The best finished trial of a single-objective study; ValueError before any, as in Optuna."""
        if len(self.directions) > 1:
            raise RuntimeError("best_trial is for single-objective studies; use best_trials.")
        best = self.best_trials
        if not best:
            raise ValueError("no trial of study %r has finished yet." % self.name)
        return best[0]

    @property
    def best_value(self):
        return self.best_trial.value

    @property
    def best_params(self):
        return self.best_trial.params

    @property
    def trials(self):
        """Every trial, oldest first."""
        return self.get_trials()

    def get_trials(self, states=None):
        """Every trial, oldest first, optionally only some states ("COMPLETE", "PRUNED", ...)."""
        trials, after = [], None
        while True:
            data = self._client.request(_STUDY_TRIALS, {"id": self.id, "first": 1000, "after": after, "states": states})
            page = data["study"]["trials"]
            trials.extend(FrozenTrial(e["node"]) for e in page["edges"])
            if not page["pageInfo"]["hasNextPage"]:
                return trials
            after = page["pageInfo"]["endCursor"]

    # --- ask and tell ---

    def ask(self):
        """Starts a trial: an enqueued one first, else the sampler's next point, in one round trip."""
        fields = self._client.request(_ASK, {"s": self.id})["askTrial"]
        return Trial(self._client, self._declared, fields)

    def tell(self, trial, values=None, state=None):
        """Finishes a trial: values make it COMPLETE unless state says otherwise (PRUNED, FAIL).
        Retried after network faults; a retry that finds the trial told as asked counts as success."""
        trial_id = trial.id if isinstance(trial, (Trial, FrozenTrial)) else str(trial)
        if values is not None and not isinstance(values, (list, tuple)):
            values = [values]
        values = [float(v) for v in values] if values is not None else None
        state = state or ("COMPLETE" if values is not None else "FAIL")
        try:
            return self._client.request(_TELL, {"t": trial_id, "state": state, "v": values}, idempotent=True)["tellTrial"]
        except ConflictError as error:
            if error.attempts > 1 or state == "PRUNED":
                current = self._client.request(_GET_TRIAL, {"id": trial_id})["trial"]
                if current and current["state"] == state and (values is None or state == "PRUNED" or current["values"] == values):
                    return {k: current[k] for k in ("id", "number", "state", "values")}
            raise

    def enqueue_trial(self, params):
        """Queues a trial with fixed parameters; the next ask takes it."""
        return FrozenTrial(self._client.request(_ENQUEUE, {"s": self.id, "p": params})["enqueueTrial"])

    def prune_trial(self, trial_id, reason=None):
        """Prunes a running trial from outside, as a person on the dashboard would."""
        return FrozenTrial(self._client.request(_PRUNE, {"t": trial_id, "r": reason})["pruneTrial"])

    def optimize(self, objective, n_trials=None, timeout=None, n_jobs=1, catch=(), callbacks=None):
        """Runs trials (Optuna's optimize): ask, objective(trial), tell, n_jobs threads at a time,
        until n_trials or timeout (seconds). TrialPruned tells PRUNED; a NaN or infinite value
        tells FAIL; an exception tells FAIL and, unless it is an instance of a class in `catch`,
        stops the run and is raised again once the running trials are told."""
        if n_trials is None and timeout is None:
            raise ValueError("optimize needs n_trials or timeout to know when to stop.")
        deadline = None if timeout is None else time.monotonic() + timeout
        lock = threading.Lock()
        state = {"started": 0, "failure": None}

        def claim():
            with lock:
                if state["failure"] is not None:
                    return False
                if n_trials is not None and state["started"] >= n_trials:
                    return False
                if deadline is not None and time.monotonic() >= deadline:
                    return False
                state["started"] += 1
                return True

        def fail(error):
            with lock:
                if state["failure"] is None:
                    state["failure"] = error

        def worker():
            try:
                while claim():
                    trial = self.ask()
                    told = self._run_one(objective, trial, tuple(catch), fail)
                    for callback in callbacks or []:
                        callback(self, told)
            except BaseException as error:  # a request that failed for good, or a callback's error
                fail(error)

        jobs = max(1, min(n_jobs, n_trials or n_jobs))
        if jobs == 1:
            worker()
        else:
            threads = [threading.Thread(target=worker, daemon=True) for _ in range(jobs)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
        if state["failure"] is not None:
            raise state["failure"]

    def _run_one(self, objective, trial, catch, fail):
        try:
            result = objective(trial)
        except TrialPruned:
            return self.tell(trial, None, "PRUNED")
        except Exception as error:
            told = self.tell(trial, None, "FAIL")
            if not (catch and isinstance(error, catch)):
                fail(error)
            return told
        values = list(result) if isinstance(result, (list, tuple)) else [result]
        try:
            values = [float(v) for v in values]
        except (TypeError, ValueError):
            values = []
        if not values or any(v != v or v in (float("inf"), float("-inf")) for v in values):
            return self.tell(trial, None, "FAIL")
        return self.tell(trial, values, "COMPLETE")


class Trial:
    """A running trial as an objective sees it (Optuna's Trial)."""

    def __init__(self, client, declared, fields):
        self._client = client
        self._declared = declared
        self._suggested = {}
        self._last = {"shouldPrune": False, "reason": None}
        self.id = fields["id"]
        self.number = fields["number"]
        #: Parameter name to value: what ask sampled, plus define-by-run suggestions so far.
        self.params = dict(fields.get("params") or {})

    def suggest_float(self, name, low, high, step=None, log=False):
        return self._suggest(float_param(name, low, high, step=step, log=log))

    def suggest_int(self, name, low, high, step=1, log=False):
        return self._suggest(int_param(name, low, high, step=step, log=log))

    def suggest_categorical(self, name, choices):
        return self._suggest(categorical_param(name, choices))

    def _suggest(self, spec):
        key = json.dumps(spec, sort_keys=True)
        name = spec["name"]
        if self._suggested.get(name) == key:
            return self.params[name]
        declared = self._declared.get(name)
        if declared is not None and name in self.params and _matches_declared(declared, spec):
            self._suggested[name] = key
            return self.params[name]
        value = self._client.request(_SUGGEST, {"t": self.id, "spec": spec}, idempotent=True)["suggestParam"]
        self.params[name] = value
        self._suggested[name] = key
        return value

    def report(self, value, step):
        """Records the objective's intermediate value at step; then ask should_prune()."""
        self._report([{"step": int(step), "value": float(value)}])

    def log(self, metrics, step):
        """Records several named metrics at one step, e.g. {"loss": 0.3, "accuracy": 0.9}."""
        self._report([{"name": k, "step": int(step), "value": float(v)} for k, v in metrics.items()])

    def should_prune(self):
        """Whether the study's pruner (or a person, with pruneTrial) stopped this trial at the last report."""
        return self._last["shouldPrune"]

    def _report(self, points):
        try:
            self._last = self._client.request(_REPORT, {"t": self.id, "p": points}, idempotent=True)["reportMetrics"]
        except ConflictError:
            current = self._client.request(_GET_TRIAL, {"id": self.id})["trial"]
            if current and current["state"] == "PRUNED":  # pruned from outside
                self._last = {"shouldPrune": True, "reason": current["pruneReason"]}
                return
            raise
