#!/usr/bin/env python3
"""Summarise the real-world lab's results (bench/realworld/out/): one row per server and tool run.

For each run it reads the tool's own reports and counts:
  - requests: Schemathesis, the exchanges its NDJSON report records (plus its probes); conform, the
    `requests` figure of its JSON report (summed over its phases), or, for a report written before
    conform counted requests, the cases it sent plus their shrink steps (a lower bound);
  - the distinct 5xx endpoints: method and path template of every request answered with a 5xx
    (conform: the exchange each case kept; Schemathesis: every exchange it recorded), and beside them
    the endpoints where the target closed the connection without answering (a crash; each is also a
    unique failure, check `connection_dropped`);
  - the unique failures: failed checks grouped by operation and check, each joined with its
    judgement in judgements.tsv (true, false, or `?` when nobody has judged it yet);
  - secret occurrences: every file the run wrote, searched for every secret the server was run with,
    raw, URL-encoded, JSON-escaped and base64, and inside the base64 bodies of JSON/NDJSON reports;
    a form none of these accounts for is still caught by the secret's longest alphanumeric run.

Prints the table and the details, and writes out/summary.md and out/summary.json.
Usage: summarize.py OUT_DIR [--judgements FILE]
"""

import base64
import binascii
import csv
import fnmatch
import json
import os
import re
import sys
import urllib.parse

try:
    import yaml  # Schemathesis's virtualenv has it; the specs of 2.0 servers may be YAML
except ImportError:  # pragma: no cover
    yaml = None

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace", "query")


# ------------------------------------------------------------------------------------------------
# Specs: operation ids (as conform names them) to "METHOD /path".

def load_spec(path):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    if path.endswith(".json") or text.lstrip().startswith("{"):
        return json.loads(text)
    if yaml is None:
        raise SystemExit("PyYAML is needed to read " + path)
    return yaml.safe_load(text)


def fallback_id(method, path):
    """conform's id for an operation without operationId: method-slug-of-path."""
    slug = "".join(c.lower() if c.isascii() and c.isalnum() else "-" for c in path)
    return method + "-" + "-".join(s for s in slug.split("-") if s)


def operations(spec):
    """(ids: {id: "METHOD /path"}, templates: [(regex, "/path")])."""
    ids, templates = {}, []
    for path, item in (spec.get("paths") or {}).items():
        if not isinstance(item, dict):
            continue
        pattern = "^" + re.sub(r"\\\{[^}]*\\\}", "[^/]*", re.escape(path)) + "$"
        templates.append((re.compile(pattern), path))
        for method in METHODS:
            op = item.get(method)
            if isinstance(op, dict):
                label = f"{method.upper()} {path}"
                ids[op.get("operationId") or fallback_id(method, path)] = label
                ids.setdefault(fallback_id(method, path), label)
    return ids, templates


def template_of(url, base, templates):
    path = urllib.parse.urlsplit(url).path
    base_path = urllib.parse.urlsplit(base).path.rstrip("/")
    if base_path and path.startswith(base_path):
        path = path[len(base_path):] or "/"
    matches = [t for rx, t in templates if rx.match(path)]
    # The most literal template wins (/a/b over /a/{x}).
    return min(matches, key=lambda t: t.count("{")) if matches else path


# ------------------------------------------------------------------------------------------------
# Tool reports.

class Run:
    def __init__(self, server, name, meta):
        self.server, self.name, self.meta = server, name, meta
        self.tool = meta["tool"]
        self.requests = None
        self.requests_note = ""
        self.five_xx = {}  # "METHOD /path" -> count
        self.dropped = {}  # "METHOD /path" -> requests whose connection closed without an answer
        self.failures = {}  # (operation, check) -> {"count", "sample", "severities"}
        self.errors = {}  # title -> count
        self.note = ""
        self.own_unique = None  # conform: the unique failures its console counted (its own grouping)
        self.found_while_shrinking = 0  # conform: findings met while shrinking another case
        self.requests_by_phase = {}
        self.secrets = {}  # (secret index, variant) -> count
        self.secret_files = {}  # file -> count

    def add_failure(self, operation, check, status, sample, severity="error", evidence=""):
        entry = self.failures.setdefault((operation, check),
                                         {"count": 0, "sample": sample, "severities": set(), "statuses": {},
                                          "cases": []})
        entry["count"] += 1
        entry["severities"].add(severity)
        entry["statuses"][str(status)] = entry["statuses"].get(str(status), 0) + 1
        # Each case is judged on its own (judge_group): its status and the exchange, as one line.
        entry["cases"].append((str(status), evidence))


def evidence_line(method, url, headers, body, status, response_body):
    """One case's exchange as one line, for the `~REGEX` of a judgement: `METHOD URL | Name: value | ...
    | body: … => STATUS …` (the credential's header left out; bodies cut at 400 characters)."""
    parts = [f"{method} {url}"]
    for name, value in headers:
        if name.lower() not in ("authorization", "user-agent", "x-schemathesis-testcaseid"):
            parts.append(f"{name}: {value}")
    if body is not None:
        parts.append("body: " + (body if isinstance(body, str) else json.dumps(body))[:400])
    text = (response_body if isinstance(response_body, str) else json.dumps(response_body))[:400]
    return " | ".join(parts) + f" => {status} {text}"


# A request the target closed its connection on without answering: a crash, when it answers others.
DROPPED = re.compile(r"closed|reset|aborted|incomplete|without response|RemoteDisconnected", re.IGNORECASE)


def first_error_line(path):
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            for line in f:
                if line.startswith("error"):
                    return line.strip()
    except FileNotFoundError:
        pass
    return ""


def read_conform(run, run_dir, spec_path):
    report = os.path.join(run_dir, "report.json")
    if not os.path.exists(report):
        run.note = first_error_line(os.path.join(run_dir, "stderr")) or "no report written"
        return
    data = json.load(open(report, encoding="utf-8"))
    ids, templates = operations(load_spec(spec_path))
    base = data["targets"][0]["base_url"] if data.get("targets") else ""
    sent, shrinks = 0, 0
    operations_seen, operations_tested = set(), set()
    for case in data.get("cases", []):
        operations_seen.add(case["operation"])
        if case["status"]["status"] in ("passed", "failed"):
            operations_tested.add(case["operation"])
        request, response = case.get("request"), case.get("response")
        op = ids.get(case["operation"])
        if op is None and request:
            op = request["method"] + " " + template_of(request["url"], base, templates)
        op = op or case["operation"]
        if request is not None and case["status"]["status"] in ("passed", "failed"):
            sent += 1
            shrinks += case.get("shrink_steps", 0)
        if response and response["status"] >= 500 and request:
            endpoint = request["method"] + " " + op.split(" ", 1)[1]
            run.five_xx[endpoint] = run.five_xx.get(endpoint, 0) + 1
        for failure in case.get("failures", []):
            status = response["status"] if response else "-"
            if response is None and request and DROPPED.search(failure["message"]):
                # Since issue 25 a request whose connection the target dropped is a failure (a crash).
                endpoint = request["method"] + " " + op.split(" ", 1)[1]
                run.dropped[endpoint] = run.dropped.get(endpoint, 0) + 1
            sample = f"{status}: {failure['message']}"
            evidence = ""
            if request:
                evidence = evidence_line(request["method"], request["url"], request.get("headers") or [],
                                         request.get("body"), status, (response or {}).get("body") or "")
            run.add_failure(op, failure["rule"], status, sample, failure.get("severity", "error"), evidence)
        if case["status"]["status"] == "error":
            detail = case["status"]["detail"]
            run.errors[detail["kind"]] = run.errors.get(detail["kind"], 0) + 1
            if request and DROPPED.search(detail["message"]):
                endpoint = request["method"] + " " + op.split(" ", 1)[1]
                run.dropped[endpoint] = run.dropped.get(endpoint, 0) + 1
                run.add_failure(op, "connection_dropped", "-", detail["message"])
        if case.get("found_while_shrinking"):
            run.found_while_shrinking += 1
    for scenario in data.get("scenarios", []):
        sent += len(scenario.get("steps", []))
    requests = data.get("requests")
    if isinstance(requests, dict):
        # Counted by phase (examples, positive, negative, protocol, shrinking, retries, scenarios, sandbox).
        run.requests_by_phase = {k: v for k, v in requests.items() if isinstance(v, int) and v}
        requests = requests.get("total", sum(v for v in requests.values() if isinstance(v, int)))
    if isinstance(requests, int):
        run.requests = requests
    else:
        run.requests = sent + shrinks
        run.requests_note = "≥"  # cases sent + shrink steps: conform does not count requests yet
    run.own_unique = own_unique_count(os.path.join(run_dir, "stdout"))
    skipped = sum(1 for c in data.get("cases", []) if c["status"]["status"] == "skipped")
    notes = []
    if not data.get("omitted"):  # every case kept: the operations can be counted
        notes.append(f"{len(operations_tested)}/{len(operations_seen)} operations tested")
    if run.own_unique is not None:
        notes.append(f"{run.own_unique} unique as conform groups them")
    if run.found_while_shrinking:
        notes.append(f"{run.found_while_shrinking} found while shrinking")
    if skipped:
        notes.append(f"{skipped} of {len(data.get('cases', []))} kept cases skipped")
    run.note = "; ".join(notes)


# conform's console: "failures: N unique in M case(s), ...".
OWN_UNIQUE = re.compile(r"^failures: (\d+) unique", re.MULTILINE)


def own_unique_count(stdout_path):
    try:
        with open(stdout_path, encoding="utf-8", errors="replace") as f:
            match = OWN_UNIQUE.search(f.read())
    except FileNotFoundError:
        return None
    return int(match.group(1)) if match else 0


def schemathesis_operation(recorder, case):
    label = recorder.get("label", "")
    if re.match(r"^[A-Z]+ /", label) and " -> " not in label:
        return label
    return f"{case.get('method', '?').upper()} {case.get('path', '?')}"


def decoded(blob):
    """A body as Schemathesis's NDJSON keeps it ({"$base64": …}), as text."""
    if isinstance(blob, dict) and "$base64" in blob:
        try:
            return base64.b64decode(blob["$base64"]).decode("utf-8", errors="replace")
        except (binascii.Error, ValueError):
            return blob["$base64"]
    return blob


def read_schemathesis(run, run_dir):
    reports = os.path.join(run_dir, "reports")
    ndjson = [f for f in os.listdir(reports)] if os.path.isdir(reports) else []
    ndjson = [os.path.join(reports, f) for f in ndjson if f.endswith(".ndjson")]
    if not ndjson:
        run.note = "no NDJSON report written"
        return
    requests = 0
    with open(ndjson[0], encoding="utf-8") as f:
        for line in f:
            event = json.loads(line)
            if "PhaseFinished" in event:
                payload = event["PhaseFinished"].get("payload") or {}
                requests += len(payload.get("probes") or [])
            if "NonFatalError" in event:
                error = event["NonFatalError"]
                title = error["value"].get("type", "error")
                run.errors[title] = run.errors.get(title, 0) + 1
                if title == "ConnectionError" and DROPPED.search(error["value"].get("message", "")):
                    label = error.get("label") or "?"
                    run.dropped[label] = run.dropped.get(label, 0) + 1
                    run.add_failure(label, "connection_dropped", "-", error["value"]["message"])
            if "ScenarioFinished" not in event:
                continue
            recorder = event["ScenarioFinished"]["recorder"]
            cases = {cid: c["value"] for cid, c in (recorder.get("cases") or {}).items()}
            for cid, interaction in (recorder.get("interactions") or {}).items():
                requests += 1
                status = (interaction.get("response") or {}).get("status_code")
                case = cases.get(cid, {})
                if status and status >= 500:
                    path = case.get("path") or urllib.parse.urlsplit(interaction["request"]["uri"]).path
                    endpoint = f"{interaction['request']['method'].upper()} {path}"
                    run.five_xx[endpoint] = run.five_xx.get(endpoint, 0) + 1
            for cid, checks in (recorder.get("checks") or {}).items():
                for check in checks:
                    if check.get("status") != "failure":
                        continue
                    info = (check.get("failure_info") or {}).get("failure") or {}
                    interaction = (recorder.get("interactions") or {}).get(cid) or {}
                    status = (interaction.get("response") or {}).get("status_code", "-")
                    message = (info.get("title") or "") + ": " + (info.get("message") or "").replace("\n", " ")
                    request = interaction.get("request") or {}
                    headers = [(k, v) for k, vs in (request.get("headers") or {}).items()
                               for v in (vs if isinstance(vs, list) else [vs])]
                    evidence = evidence_line(request.get("method", "?"), request.get("uri", "?"), headers,
                                             decoded(request.get("body")), status,
                                             decoded((interaction.get("response") or {}).get("content")) or "")
                    run.add_failure(schemathesis_operation(recorder, cases.get(cid, {})), check["name"], status,
                                    f"{status}: {message}", evidence=evidence)
    run.requests = requests
    summary = [f for f in os.listdir(reports) if f.startswith("json-") and f.endswith(".json")]
    if summary:
        data = json.load(open(os.path.join(reports, summary[0]), encoding="utf-8"))
        tested = data.get("operations", {})
        run.note = f"{tested.get('tested', '?')}/{tested.get('selected', '?')} operations tested"
        run.errors = {e["title"]: e["count"] for e in data.get("errors", [])} or run.errors


# ------------------------------------------------------------------------------------------------
# The secret audit.

B64_BLOB = re.compile(rb'"\$?base64"\s*:\s*"([A-Za-z0-9+/=]{8,})"')


def variants(secret):
    """The forms a secret may take in an artefact, each counted once."""
    found = {"raw": secret}
    for name, value in (
        ("url", urllib.parse.quote(secret, safe="")),
        ("url (path-safe)", urllib.parse.quote(secret, safe="/")),
        ("url+", urllib.parse.quote_plus(secret)),
        ("json", json.dumps(secret)[1:-1]),
        ("base64", base64.b64encode(secret.encode()).decode()),
        ("base64url", base64.urlsafe_b64encode(secret.encode()).decode().rstrip("=")),
    ):
        if value not in found.values():
            found[name] = value
    # Whatever else a secret turns into (half-encoded, escaped some other way) keeps its longest
    # alphanumeric run: counted where none of the forms above already accounts for it.
    fragment = max(re.findall(r"[A-Za-z0-9]+", secret) or [""], key=len)
    if len(fragment) >= 12 and fragment != secret:
        found["partial"] = fragment
    return found


def count_secrets(content, secrets):
    """{(secret index, form): count}; longer forms first, each occurrence counted once."""
    needles = sorted(((len(v), i, name, v.encode()) for i, s in enumerate(secrets) for name, v in variants(s).items()),
                     reverse=True)
    counts = {}
    for _, index, name, needle in needles:
        n = content.count(needle)
        if n:
            counts[(index, name)] = n
            content = content.replace(needle, b"\0")
    return counts


def audit(run, run_dir, secrets):
    for dirpath, _, files in os.walk(run_dir):
        for name in files:
            path = os.path.join(dirpath, name)
            with open(path, "rb") as f:
                content = f.read()
            decoded = b""
            if name.endswith((".json", ".ndjson")):
                for blob in B64_BLOB.findall(content):
                    try:
                        decoded += base64.b64decode(blob) + b"\n"
                    except (binascii.Error, ValueError):
                        pass
            found = count_secrets(content, secrets)
            for (index, form), n in count_secrets(decoded, secrets).items():
                found[(index, form + " in base64 bodies")] = n
            for key, n in found.items():
                run.secrets[key] = run.secrets.get(key, 0) + n
                rel = os.path.relpath(path, run_dir)
                run.secret_files[rel] = run.secret_files.get(rel, 0) + n


# ------------------------------------------------------------------------------------------------
# Judgements: server, tool, operation, check, verdict, reason (fnmatch patterns, first match wins).

def load_judgements(path):
    rules = []
    if not path or not os.path.exists(path):
        return rules
    with open(path, encoding="utf-8") as f:
        for row in csv.reader(f, delimiter="\t"):
            if not row or row[0].startswith("#") or len(row) < 6:
                continue
            rules.append([c.strip() for c in row[:6]])
    return rules


def judge(rules, server, tool, operation, check, status, evidence):
    """The first rule that matches one case. A check pattern may end in @STATUS (an fnmatch pattern
    for the case's status: `positive_data_acceptance@412`) and then in ~REGEX (searched in the case's
    evidence line: `positive_data_acceptance~If-Match: 0 `)."""
    for r_server, r_tool, r_op, r_check, verdict, reason in rules:
        r_check, _, r_regex = r_check.partition("~")
        r_check, _, r_status = r_check.partition("@")
        if (fnmatch.fnmatchcase(server, r_server) and fnmatch.fnmatchcase(tool, r_tool)
                and fnmatch.fnmatchcase(operation, r_op) and fnmatch.fnmatchcase(check, r_check)
                and (not r_status or fnmatch.fnmatchcase(status, r_status))
                and (not r_regex or re.search(r_regex, evidence))):
            return verdict, reason
    return "?", "not judged yet"


def judge_group(rules, server, tool, operation, check, cases):
    """A group (operation × check) is true when one of its cases is judged true (the fact is real even
    if other cases are artefacts), false when every case is judged false, and `?` otherwise; the reason
    is the deciding case's. Returns (verdict, reason, {verdict: cases})."""
    verdicts = {}
    counts = {}
    for status, evidence in cases:
        verdict, reason = judge(rules, server, tool, operation, check, status, evidence)
        verdicts.setdefault(verdict, reason)
        counts[verdict] = counts.get(verdict, 0) + 1
    for verdict in ("true", "?", "false"):
        if verdict in verdicts:
            return verdict, verdicts[verdict], counts
    return "?", "not judged yet", counts


# ------------------------------------------------------------------------------------------------

RUN_ORDER = ("conform-shipped", "schemathesis-equal", "conform-converted")


def run_key(name):
    return (RUN_ORDER.index(name) if name in RUN_ORDER else len(RUN_ORDER), name)


def spec_for(server_dir, run_name):
    label = "converted" if run_name.endswith("converted") else "shipped"
    spec_dir = os.path.join(server_dir, "spec", label)
    files = [f for f in sorted(os.listdir(spec_dir)) if f.endswith((".json", ".yaml", ".yml"))]
    return os.path.join(spec_dir, files[0])


def collect(out, rules):
    servers = []
    for server in sorted(os.listdir(out)):
        server_dir = os.path.join(out, server)
        if not os.path.isdir(server_dir) or not os.path.exists(os.path.join(server_dir, ".secrets")):
            continue
        secrets = [s for s in open(os.path.join(server_dir, ".secrets"), encoding="utf-8").read().splitlines() if s]
        runs = []
        for name in sorted(os.listdir(server_dir), key=run_key):
            run_dir = os.path.join(server_dir, name)
            meta_path = os.path.join(run_dir, "run.json")
            if not os.path.exists(meta_path):
                continue
            run = Run(server, name, json.load(open(meta_path, encoding="utf-8")))
            if run.tool == "conform":
                read_conform(run, run_dir, spec_for(server_dir, name))
            else:
                read_schemathesis(run, run_dir)
            audit(run, run_dir, secrets)
            for (operation, check), entry in run.failures.items():
                entry["verdict"], entry["reason"], entry["case_verdicts"] = judge_group(
                    rules, server, run.tool, operation, check, entry["cases"])
            runs.append(run)
        servers.append((server, secrets, runs))
    return servers


def verdict_counts(run, warnings_only=False):
    """Unique failures by verdict; with warnings_only, those whose every case was a warning."""
    counts = {"true": 0, "false": 0, "?": 0}
    for entry in run.failures.values():
        if warnings_only and entry["severities"] != {"warning"}:
            continue
        counts[entry["verdict"] if entry["verdict"] in counts else "?"] += 1
    return counts


def crash_cell(run):
    if run.requests is None:
        return "-"
    return str(len(run.five_xx)) + (f" (+{len(set(run.dropped) - set(run.five_xx))})" if run.dropped else "")


def table(servers):
    head = ["server", "run", "exit", "requests", "wall s", "5xx (+dropped) endpoints", "unique failures (true/false/?)",
            "of which warnings (true/false)", "secret occurrences", "note"]
    rows = []
    for server, _, runs in servers:
        for run in runs:
            budget = run.meta.get("budget_seconds")
            label = run.name + (f" (--max-time {budget:g})" if budget else "")
            requests = "-" if run.requests is None else f"{run.requests_note}{run.requests}"
            v = verdict_counts(run)
            failures = f"{len(run.failures)} ({v['true']}/{v['false']}/{v['?']})" if run.requests is not None else "-"
            w = verdict_counts(run, warnings_only=True)
            warned = f"{w['true']}/{w['false']}" + (f"/{w['?']}" if w["?"] else "") if sum(w.values()) else "-"
            rows.append([server, label, str(run.meta["exit_code"]), requests, f"{run.meta['wall_seconds']:.1f}",
                         crash_cell(run), failures, warned,
                         str(sum(run.secrets.values())), run.note])
    return head, rows


def markdown_table(head, rows):
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(c.replace("|", "\\|") for c in row) + " |" for row in rows]
    return "\n".join(lines)


def text_table(head, rows):
    widths = [max(len(r[i]) for r in [head] + rows) for i in range(len(head))]
    fmt = lambda r: "  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip()
    return "\n".join([fmt(head), fmt(["-" * w for w in widths])] + [fmt(r) for r in rows])


def details(servers):
    lines = []
    for server, secrets, runs in servers:
        lines.append(f"\n## {server}\n")
        for run in runs:
            lines.append(f"### {server} / {run.name}\n")
            if run.requests is None:
                lines.append(f"- not run: {run.note}\n")
            if run.five_xx:
                lines.append("- 5xx endpoints: " + ", ".join(f"`{e}` ×{n}" for e, n in sorted(run.five_xx.items())))
            if run.dropped:
                lines.append("- connection dropped without an answer: "
                             + ", ".join(f"`{e}` ×{n}" for e, n in sorted(run.dropped.items())))
            if run.requests_by_phase:
                lines.append("- requests by phase: " + ", ".join(f"{k} {v}" for k, v in run.requests_by_phase.items()))
            if run.errors:
                lines.append("- errors: " + ", ".join(f"{t} ×{n}" for t, n in sorted(run.errors.items())))
            if run.secrets:
                parts = [f"secret {i + 1} {v}: {n}" for (i, v), n in sorted(run.secrets.items())]
                where = [f"{f}: {n}" for f, n in sorted(run.secret_files.items())]
                lines.append("- secrets: " + ", ".join(parts) + " (in " + ", ".join(where) + ")")
            if run.failures:
                lines.append("\n| operation | check | count | verdict | reason | sample |\n|---|---|---|---|---|---|")
                for (operation, check), e in sorted(run.failures.items()):
                    sample = e["sample"].replace("|", "\\|").replace("\n", " ")
                    if len(sample) > 140:
                        sample = sample[:137] + "..."
                    check_label = check + (" (warning)" if e["severities"] == {"warning"} else "")
                    lines.append(f"| `{operation}` | {check_label} | {e['count']} | {e['verdict']} | "
                                 f"{e['reason'].replace('|', '/')} | {sample} |")
            lines.append("")
    return "\n".join(lines)


def by_reason(servers):
    """Per server: each judgement (verdict, check, reason) with the operations it covers, per run."""
    lines = ["\n## Judgements by reason\n",
             "Each row: a verdict and its reason, and how many unique failures (operation × check) of each"
             " run it covers.\n"]
    for server, _, runs in servers:
        names = [r.name for r in runs if r.requests is not None]
        if not any(r.failures for r in runs):
            continue
        rows = {}
        for run in runs:
            for (operation, check), e in run.failures.items():
                key = (e["verdict"], check, e["reason"])
                rows.setdefault(key, {})[run.name] = rows.setdefault(key, {}).get(run.name, 0) + 1
        lines.append(f"\n### {server}\n")
        lines.append("| verdict | check | reason | " + " | ".join(names) + " |")
        lines.append("|---|---|---|" + "---|" * len(names))
        for (verdict, check, reason), counts in sorted(rows.items(), key=lambda kv: (kv[0][0] != "true", kv[0][1])):
            cells = [str(counts.get(n, "")) for n in names]
            lines.append(f"| {verdict} | {check} | {reason.replace('|', '/')} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def as_json(servers):
    result = []
    for server, _, runs in servers:
        for run in runs:
            result.append({
                "server": server, "run": run.name, **run.meta, "requests": run.requests,
                "requests_lower_bound": bool(run.requests_note), "note": run.note,
                "own_unique_failures": run.own_unique, "found_while_shrinking": run.found_while_shrinking,
                "requests_by_phase": run.requests_by_phase,
                "five_xx_endpoints": run.five_xx, "dropped_endpoints": run.dropped, "errors": run.errors,
                "secret_occurrences": sum(run.secrets.values()),
                "secrets": {f"{i + 1}:{v}": n for (i, v), n in run.secrets.items()},
                "failures": [{"operation": o, "check": c, "count": e["count"], "verdict": e["verdict"],
                              "reason": e["reason"], "sample": e["sample"], "statuses": e["statuses"],
                              "case_verdicts": e["case_verdicts"], "cases": [ev for _, ev in e["cases"][:20]],
                              "severities": sorted(e["severities"])}
                             for (o, c), e in sorted(run.failures.items())],
            })
    return result


def main(argv):
    if not argv or argv[0].startswith("-"):
        raise SystemExit(__doc__)
    out = argv[0]
    judgements = argv[argv.index("--judgements") + 1] if "--judgements" in argv else None
    servers = collect(out, load_judgements(judgements))
    if not servers:
        raise SystemExit(f"no lab results under {out}")
    head, rows = table(servers)
    body = by_reason(servers) + "\n" + details(servers)
    with open(os.path.join(out, "summary.md"), "w", encoding="utf-8") as f:
        f.write("# Real-world lab: summary\n\n" + markdown_table(head, rows) + "\n" + body + "\n")
    with open(os.path.join(out, "summary.json"), "w", encoding="utf-8") as f:
        json.dump(as_json(servers), f, indent=2, ensure_ascii=False)
    print(text_table(head, rows))
    print(f"\nDetails (5xx endpoints, judged failures, where secrets were found): {out}/summary.md")
    unjudged = sum(verdict_counts(r)["?"] for _, _, runs in servers for r in runs)
    if unjudged:
        print(f"{unjudged} unique failure(s) not judged yet: add them to judgements.tsv")


if __name__ == "__main__":
    main(sys.argv[1:])
