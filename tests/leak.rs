//! Nothing conform writes holds a secret, even when the target echoes every credential it gets:
//! a loopback server that quotes them in an HTML error page, a JSON body, a response header, a
//! redirect's `Location` and a `Set-Cookie`, raw, URL-encoded, JSON- and HTML-escaped and in
//! base64; and, once it has seen them, in its `/__sandbox` answer. A run against it with every
//! report format and snapshots on (recorded, then compared so that diffs and `.snap.new` files
//! appear), its dry run, and `report merge`/`report compare` on its JSON reports leave no
//! secret in stdout, stderr or any file. Also: a credential given as a header satisfies its
//! scheme; a short secret is warned about, never shown; `CI=0` is not CI for any flag.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE_NO_PAD};
use serde_json::{Value, json};

#[path = "support/cli.rs"]
mod cli;

/// A spec with a bearer scheme, an apiKey header, a query apiKey and basic auth.
const SPEC: &str = r#"
openapi: 3.1.0
info: {title: Echo, version: "1"}
servers: [{url: /api}]
paths:
  /page:
    get:
      operationId: page
      security: [{bearer: []}]
      responses:
        '200': {description: A page., content: {text/html: {schema: {type: string}}}}
  /data:
    get:
      operationId: data
      security: [{key: [], query: []}]
      responses:
        '200':
          description: Items.
          content:
            application/json:
              schema: {type: object, required: [items], properties: {items: {type: array}}}
  /login:
    get:
      operationId: login
      security: [{basic: []}]
      responses:
        '200': {description: Logged in.}
  /items:
    post:
      operationId: create-item
      security: [{key: []}]
      requestBody:
        required: true
        content:
          application/json:
            schema: {type: object, required: [name], properties: {name: {type: string, maxLength: 20}}}
            examples:
              widget: {value: {name: widget}}
      responses:
        '201':
          description: Created.
          content:
            application/json:
              schema: {type: object}
components:
  securitySchemes:
    bearer: {type: http, scheme: bearer, x-conform-variable: token}
    key: {type: apiKey, in: header, name: X-Api-Key}
    query: {type: apiKey, in: query, name: api_key}
    basic: {type: http, scheme: basic}
"#;

/// A scenario whose failed expectation quotes the echoed key, and whose step is snapshotted.
const SUITE: &str = r#"
spec: leak
source: {level: doc, cite: "tests/leak.rs: the echo server"}
steps:
  data:
    call: data
    expect:
      /echo/0: {equals: "not what the server echoes"}
scenarios:
  echo:
    steps: [data]
"#;

const BEARER: &str = "brr.T0ken/9+z=&q";
const API_KEY: &str = "k3y\"<v4l>'ue-77";
const QUERY_KEY: &str = "q key+v&l~1x";
const BASIC_PAIR: &str = "ana:pa55:w0rd%x";
const PASSWORD: &str = "pa55:w0rd%x";
const PROXY: &str = "prx-7Hc/2kQ9";
const EXTRA: &str = "xtra-Secr3t-55";

/// What the server has seen: every credential, and each request's path with its `Authorization`.
#[derive(Default)]
struct Seen {
    credentials: Vec<String>,
    requests: Vec<(String, Option<String>)>,
    answers: u64,
}

type Shared = Arc<Mutex<Seen>>;

fn url_encoded(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

fn html_escaped(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;").replace('\'', "&#x27;")
}

/// Every credential a request carries: whole headers, the part after a scheme word, Basic's
/// decoded pair and password, the query key.
fn credentials(headers: &HeaderMap, query: Option<&str>) -> Vec<String> {
    let mut out = Vec::new();
    for name in ["authorization", "proxy-authorization", "x-api-key", "x-extra"] {
        let Some(value) = headers.get(name).and_then(|v| v.to_str().ok()) else { continue };
        out.push(value.to_owned());
        if let Some((word, rest)) = value.split_once(' ') {
            out.push(rest.to_owned());
            if word == "Basic"
                && let Some(pair) = STANDARD.decode(rest).ok().and_then(|b| String::from_utf8(b).ok())
            {
                out.extend(pair.split_once(':').map(|(_, password)| password.to_owned()));
                out.push(pair);
            }
        }
    }
    let pairs = url::form_urlencoded::parse(query.unwrap_or_default().as_bytes());
    out.extend(pairs.filter(|(k, _)| k == "api_key").map(|(_, v)| v.into_owned()));
    out
}

/// The server: every answer echoes the credentials of its request in a header and a cookie;
/// `/page` in an HTML error page, `/login` in a redirect, `/data` and `/items` in JSON; its
/// sandbox handshake quotes every credential it has seen before.
async fn echo(State(seen): State<Shared>, request: Request) -> Response {
    let path = request.uri().path().to_owned();
    let query = request.uri().query().map(str::to_owned);
    let found = credentials(request.headers(), query.as_deref());
    let authorization = request.headers().get("authorization").and_then(|v| v.to_str().ok()).map(str::to_owned);
    let (before, n) = {
        let mut seen = seen.lock().unwrap();
        let before = seen.credentials.clone();
        seen.requests.push((path.clone(), authorization));
        for credential in &found {
            if !seen.credentials.contains(credential) {
                seen.credentials.push(credential.clone());
            }
        }
        seen.answers += 1;
        (before, seen.answers)
    };
    if path == "/__sandbox" {
        if before.is_empty() {
            return StatusCode::NOT_FOUND.into_response();
        }
        return axum::Json(json!({"sandbox": "conform", "version": 1, "apis": before})).into_response();
    }
    let mut response = match path.as_str() {
        "/api/page" => {
            let mut html =
                String::from("<!doctype html><html><head><title>500 Internal Server Error</title></head><body>");
            for c in &found {
                html.push_str(&format!(
                    "<p data-token=\"{}\">{}</p><a href=\"/login?next=%2F&token={}\">again</a>\
                     <script>const t = {}; const b = \"{}\";</script>",
                    html_escaped(c),
                    html_escaped(c),
                    url_encoded(c),
                    serde_json::to_string(c).unwrap(),
                    STANDARD.encode(c),
                ));
            }
            html.push_str("</body></html>");
            (StatusCode::INTERNAL_SERVER_ERROR, [(header::CONTENT_TYPE, "text/html; charset=utf-8")], html)
                .into_response()
        }
        "/api/login" => {
            let query: Vec<String> = found.iter().map(|c| format!("token={}", url_encoded(c))).collect();
            let mut response = StatusCode::FOUND.into_response();
            let location = format!("/login/next?{}", query.join("&"));
            response.headers_mut().insert(header::LOCATION, HeaderValue::from_str(&location).unwrap());
            response
        }
        _ => {
            let body = json!({
                "echo": found,
                "encoded": found.iter().map(|c| url_encoded(c)).collect::<Vec<_>>(),
                "base64": found.iter().map(|c| STANDARD.encode(c)).collect::<Vec<_>>(),
                "n": n,
            });
            let status = if path == "/api/items" { StatusCode::CREATED } else { StatusCode::OK };
            let mut response = (status, axum::Json(body)).into_response();
            // A header a snapshot keeps, quoting a credential.
            if let Some(first) = found.first() {
                let content_type = format!("application/json; echo={}", url_encoded(first));
                response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_str(&content_type).unwrap());
            }
            response
        }
    };
    for credential in &found {
        let headers = response.headers_mut();
        headers.append("x-echo", HeaderValue::from_str(credential).unwrap());
        headers.append(header::SET_COOKIE, HeaderValue::from_str(&format!("session={credential}; Path=/")).unwrap());
    }
    response
}

async fn serve() -> (String, Shared) {
    let seen = Shared::default();
    let app = Router::new().fallback(echo).with_state(seen.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, seen)
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("conform-leak-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("leak.yaml"), SPEC).unwrap();
    std::fs::write(dir.join("leak-suite.yaml"), SUITE).unwrap();
    dir
}

/// `conform ARGS` outside CI (so that snapshots may be recorded), in `dir`.
fn conform_outside_ci(dir: &Path, args: &[String]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_conform"));
    command.current_dir(dir).args(args).env_remove("CONFORM_TARGET").env_remove("CI").env_remove("TF_BUILD");
    command.output().unwrap()
}

/// Every form of `secret` that the test looks for, computed with the encoders themselves.
fn forms(secret: &str) -> Vec<(&'static str, String)> {
    let json = serde_json::to_string(secret).unwrap();
    vec![
        ("raw", secret.to_owned()),
        ("form-encoded", url_encoded(secret)),
        ("path-encoded", url_encoded(secret).replace('+', "%20")),
        ("JSON-escaped", json[1..json.len() - 1].to_owned()),
        ("HTML-escaped", html_escaped(secret)),
        ("base64", STANDARD_NO_PAD.encode(secret)),
        ("base64url", URL_SAFE_NO_PAD.encode(secret)),
    ]
}

/// Each secret's form found in `artefacts` (name → text), with where and how often.
fn leaks(artefacts: &BTreeMap<String, String>) -> Vec<String> {
    let mut out = Vec::new();
    for secret in [BEARER, API_KEY, QUERY_KEY, BASIC_PAIR, PASSWORD, PROXY, EXTRA] {
        for (form, text) in forms(secret) {
            for (name, artefact) in artefacts {
                let count = artefact.matches(text.as_str()).count();
                if count > 0 {
                    out.push(format!("{secret:?} ({form} {text:?}) {count} time(s) in {name}"));
                }
            }
        }
    }
    out
}

/// Every file under `dir` but the spec and the suite, by path.
fn files(dir: &Path, out: &mut BTreeMap<String, String>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files(&path, out);
        } else if !path.ends_with("leak.yaml") && !path.ends_with("leak-suite.yaml") {
            out.insert(
                path.display().to_string(),
                String::from_utf8_lossy(&std::fs::read(&path).unwrap()).into_owned(),
            );
        }
    }
}

fn strings(args: &[&str]) -> Vec<String> {
    args.iter().map(|a| (*a).to_owned()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_artefact_holds_an_echoed_secret_in_any_form() {
    let (url, seen) = serve().await;
    let dir = scratch("echo");
    let work = dir.clone();
    let (outputs, snapshots) = tokio::task::spawn_blocking(move || {
        let dir = work;
        let token = format!("token={BEARER}");
        let key = format!("X-Api-Key={API_KEY}");
        let query = format!("api_key={QUERY_KEY}");
        let basic = format!("leak.basic={BASIC_PAIR}");
        let proxy = format!("Proxy-Authorization: token {PROXY}");
        let extra = format!("X-Extra: {EXTRA}");
        let common = strings(&[
            "run",
            "--spec",
            "leak.yaml",
            "--suite",
            "leak-suite.yaml",
            "--target",
            &url,
            "--cases",
            "3",
            "--seed",
            "7",
            "--var",
            &token,
            "--var",
            &key,
            "--var",
            &query,
            "--var",
            &basic,
            "--header",
            &proxy,
            "--header",
            &extra,
            "--snapshots",
            "snaps",
        ]);
        let reports = |run: &str| {
            ["json", "junit", "html", "markdown"]
                .iter()
                .flat_map(|format| ["--report".to_owned(), format!("{format}={run}.{format}")])
                .collect::<Vec<_>>()
        };
        let mut outputs = Vec::new();
        let record = [common.clone(), strings(&["--update-snapshots"]), reports("record")].concat();
        outputs.push(("record", conform_outside_ci(&dir, &record)));
        let snapshots: Vec<String> = std::fs::read_dir(dir.join("snaps"))
            .map(|d| d.map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect())
            .unwrap_or_default();
        outputs.push(("compare", conform_outside_ci(&dir, &[common.clone(), reports("compare")].concat())));
        outputs.push(("dry run", conform_outside_ci(&dir, &[common.clone(), strings(&["--dry-run"])].concat())));
        for shard in ["1", "2"] {
            let args = strings(&["--shard", &format!("{shard}/2"), "--report", &format!("json=shard-{shard}.json")]);
            let name = if shard == "1" { "shard 1/2" } else { "shard 2/2" };
            outputs.push((name, conform_outside_ci(&dir, &[common.clone(), args].concat())));
        }
        let merge = [strings(&["report", "merge", "shard-1.json", "shard-2.json"]), reports("merged")].concat();
        outputs.push(("merge", conform_outside_ci(&dir, &merge)));
        let compare = strings(&[
            "report",
            "compare",
            "record.json",
            "compare.json",
            "--report",
            "markdown=both.md",
            "--report",
            "html=both.html",
        ]);
        outputs.push(("report compare", conform_outside_ci(&dir, &compare)));
        (outputs, snapshots)
    })
    .await
    .unwrap();

    let mut artefacts = BTreeMap::new();
    for (name, output) in &outputs {
        artefacts.insert(format!("{name}: stdout"), String::from_utf8_lossy(&output.stdout).into_owned());
        artefacts.insert(format!("{name}: stderr"), String::from_utf8_lossy(&output.stderr).into_owned());
    }
    files(&dir, &mut artefacts);
    let all: String = artefacts.iter().map(|(n, t)| format!("== {n}\n{t}\n")).collect();

    // The run had every chance to leak: the server saw each credential and echoed it back...
    let credentials = seen.lock().unwrap().credentials.clone();
    for secret in [BEARER, API_KEY, QUERY_KEY, BASIC_PAIR, PASSWORD, PROXY, EXTRA] {
        assert!(credentials.iter().any(|c| c == secret), "the server never got {secret:?}: {credentials:?}");
    }
    // ... the runs printed answers, failures and curl lines, masked ...
    for (name, output) in &outputs[..2] {
        assert_eq!(output.status.code(), Some(1), "{name}: the echo server breaks its spec:\n{all}");
    }
    for (name, output) in &outputs[outputs.len() - 2..] {
        assert_eq!(output.status.code(), Some(0), "{name}:\n{all}");
    }
    for file in ["merged.json", "merged.junit", "merged.html", "merged.markdown", "both.md", "both.html"] {
        assert!(dir.join(file).is_file(), "{file} was not written:\n{all}");
    }
    let compare_console = &artefacts["compare: stdout"];
    assert!(compare_console.contains("[REDACTED]") && compare_console.contains("curl"), "{compare_console}");
    // ... snapshots were recorded, then compared and found changed (a diff, a pending file) ...
    assert!(snapshots.iter().any(|s| s.ends_with(".snap")), "recorded: {snapshots:?}");
    assert!(artefacts.keys().any(|p| p.ends_with(".snap.new")), "no pending snapshot: {:?}", artefacts.keys());
    let report: Value = serde_json::from_str(&artefacts[&dir.join("compare.json").display().to_string()]).unwrap();
    let diffs = report["cases"].as_array().unwrap().iter().filter(|c| c["snapshot"]["diff"].is_string()).count();
    assert!(diffs > 0, "no snapshot diff in the compared run");
    // ... the error page and the redirect are in the report, and so is the sandbox's answer.
    assert!(all.contains("data-token=") && all.contains("/login/next?token="), "the echoes were shown");
    let evidence = report["targets"][0]["sandbox_evidence"].as_str().unwrap();
    // (Which credentials it quotes depends on which requests came first.)
    assert!(evidence.starts_with("GET /__sandbox: a conform sandbox (version 1: "), "{evidence}");
    assert!(evidence.contains("[REDACTED]"), "{evidence}");

    // And yet no secret is anywhere, in any form.
    let leaks = leaks(&artefacts);
    assert!(leaks.is_empty(), "{} leak(s):\n{}", leaks.len(), leaks.join("\n"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_credential_given_as_a_header_satisfies_its_scheme() {
    let (url, seen) = serve().await;
    let dir = scratch("header");
    let work = dir.clone();
    let output = tokio::task::spawn_blocking(move || {
        let args = strings(&[
            "run",
            "--spec",
            "leak.yaml",
            "--target",
            &url,
            "--cases",
            "2",
            "--seed",
            "3",
            "--no-snapshots",
            "--header",
            "Authorization: token h3ader-t0ken-42",
            "--header",
            "X-Api-Key: h3ader-k3y-42",
            "--var",
            "api_key=qu3ry-k3y-42",
            "--report",
            "json=run.json",
        ]);
        conform_outside_ci(&work, &args)
    })
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_ne!(output.status.code(), Some(2), "nothing is missing:\n{stdout}\n{stderr}");
    let report: Value = serde_json::from_str(&std::fs::read_to_string(dir.join("run.json")).unwrap()).unwrap();
    assert_eq!(report["missing"], json!([]), "the bearer and basic schemes have the header");
    let skipped: Vec<&Value> =
        report["cases"].as_array().unwrap().iter().filter(|c| c["status"]["status"] == "skipped").collect();
    assert!(skipped.is_empty(), "skipped: {skipped:#?}");
    // Every request to a bearer or basic operation carried the header as given, but for the
    // probes that take the credential away or send a wrong one.
    let requests = seen.lock().unwrap().requests.clone();
    let authorized: Vec<&Option<String>> =
        requests.iter().filter(|(p, _)| p == "/api/page" || p == "/api/login").map(|(_, a)| a).collect();
    let as_given = authorized.iter().filter(|a| a.as_deref() == Some("token h3ader-t0ken-42")).count();
    assert!(as_given >= 4, "positive cases and negatives sent the header: {authorized:?}");
    for auth in authorized.iter().flat_map(|a| a.as_deref()) {
        assert!(
            auth == "token h3ader-t0ken-42" || !auth.contains("h3ader-t0ken-42"),
            "the header was built over rather than sent as given: {auth}"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_short_secret_is_named_at_the_start_never_shown() {
    let output = cli::conform(&[
        "run",
        "--spec",
        "specs/zapi.yaml",
        "--dry-run",
        "--cases",
        "0",
        "--var",
        "zapi.token=q7",
        "--var",
        "zapi.clientToken=long-enough-secret",
        "--var",
        "zapi.instanceId=instance-0123456789",
    ]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    let warnings: Vec<&str> = stderr.lines().filter(|l| l.starts_with("conform: warning:")).collect();
    assert_eq!(warnings.len(), 1, "{stderr}");
    assert!(warnings[0].contains("--var zapi.token is 2 characters long: it is masked"), "{stderr}");
    assert!(!warnings[0].contains("q7"), "the warning shows the value: {}", warnings[0]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("[REDACTED]") && !stdout.contains("long-enough-secret"), "masked anyway:\n{stdout}");
}

#[test]
fn an_unreachable_target_s_error_hides_a_secret_in_its_url() {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let base = format!("http://127.0.0.1:{port}/k3y-in-the-path-99");
    let output = cli::conform(&[
        "run",
        "--spec",
        "specs/zapi.yaml",
        "--base-url",
        &base,
        "--var",
        "zapi.token=k3y-in-the-path-99",
    ]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("unreachable") && stderr.contains("[REDACTED]"), "{stderr}");
    assert!(!stderr.contains("k3y-in-the-path-99"), "{stderr}");
}

#[test]
fn ci_0_is_not_ci_for_any_flag() {
    let run = |ci: &str, flag: &str| {
        let dir = std::env::temp_dir().join(format!("conform-leak-ci-{}-{ci}", std::process::id()));
        let _ = std::fs::create_dir_all(&dir);
        let snapshots = dir.join("snaps").display().to_string();
        let mut command = Command::new(env!("CARGO_BIN_EXE_conform"));
        command.args([
            "run",
            "--spec",
            "specs/zapi.yaml",
            "--dry-run",
            "--cases",
            "0",
            flag,
            "--snapshots",
            &snapshots,
        ]);
        command.current_dir(env!("CARGO_MANIFEST_DIR")).env("CI", ci).env_remove("TF_BUILD");
        let output = command.output().unwrap();
        let _ = std::fs::remove_dir_all(&dir);
        String::from_utf8_lossy(&output.stderr).into_owned()
    };
    for flag in ["--show-secrets", "--update-snapshots"] {
        assert!(run("1", flag).contains("is refused when CI is set"), "CI=1 is CI for {flag}");
        assert!(!run("0", flag).contains("is refused"), "CI=0 is not CI for {flag}: {}", run("0", flag));
    }
}
