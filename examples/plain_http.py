"""A training script in Python talking to graphtune over plain HTTP (standard library only).

    python3 examples/plain_http.py [http://127.0.0.1:4000/graphql]
"""
import json
import math
import sys
import urllib.request

URL = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:4000/graphql"


def gql(query, **variables):
    request = urllib.request.Request(URL, data=json.dumps({"query": query, "variables": variables}).encode(),
                                     headers={"content-type": "application/json"})
    with urllib.request.urlopen(request) as response:
        body = json.load(response)
    if body.get("errors"):
        raise RuntimeError("; ".join(f'{e.get("extensions", {}).get("code")}: {e["message"]}' for e in body["errors"]))
    return body["data"]


study = gql("""mutation($input: CreateStudyInput!) { createStudy(input: $input) { id } }""",
            input={"name": "python-plain-http", "loadIfExists": True,
                   "searchSpace": [{"name": "x", "type": "FLOAT", "low": -5, "high": 5},
                                   {"name": "y", "type": "INT", "low": -5, "high": 5}]})["createStudy"]

for _ in range(20):
    trial = gql("mutation($s: ID!) { askTrial(studyId: $s) { id number params } }", s=study["id"])["askTrial"]
    x, y = trial["params"]["x"], trial["params"]["y"]
    value = (x - 1.5) ** 2 + (y + 2) ** 2 + math.sin(3 * x)
    gql("mutation($t: ID!, $p: [MetricPointInput!]!) { reportMetrics(trialId: $t, points: $p) { shouldPrune } }",
        t=trial["id"], p=[{"step": 0, "value": value}])
    gql("mutation($t: ID!, $v: [Float!]) { tellTrial(trialId: $t, state: COMPLETE, values: $v) { state } }",
        t=trial["id"], v=[value])
    print(f'trial {trial["number"]}: {value:.4f} at x={x:.3f}, y={y}')

best = gql("query($id: ID) { study(id: $id) { bestTrial { number values params } } }", id=study["id"])
print("best:", best["study"]["bestTrial"])
