//! `conform flows` and the links `conform lint` checks, as a user runs them: the real binary on
//! the bundled specs and on specs under `tests/flows/`.

#[path = "support/cli.rs"]
mod cli;
use cli::conform;

fn stdout(args: &[&str]) -> String {
    let output = conform(args);
    let (out, err) = (String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    assert_eq!(output.status.code(), Some(0), "{out}\n{err}");
    out.into_owned()
}

#[test]
fn the_bundled_specs_show_the_links_their_suites_walk() {
    let shown = stdout(&["flows"]);
    insta::assert_snapshot!("bundled_graph", shown);
}

#[test]
fn a_crud_spec_shows_declared_and_inferred_edges() {
    let shown = stdout(&["flows", "--spec", "tests/flows/pets.yaml", "--spec", "tests/flows/links.yaml"]);
    insta::assert_snapshot!("crud_graph", shown);
    assert!(shown.contains("createPet --201--> getPet  [declared: GetCreated]"), "{shown}");
    assert!(shown.contains("trackOrder --2XX--> cancelOrder  [x-conform-links"), "{shown}");
    assert!(!shown.contains("getStore"), "x-conform-links disables placeOrder -> getStore: {shown}");
}

#[test]
fn lint_locates_broken_links() {
    let output = conform(&["lint", "tests/flows/broken-links.yaml"]);
    let err = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{err}");
    for (place, message) in [
        ("broken-links.yaml:12:15", "operationId `getThingy` names no operation of this spec"),
        ("broken-links.yaml:15:15", "`$response.body.id`: a body is read as"),
        ("broken-links.yaml:24:5", "no operation `nobody` to follow"),
    ] {
        assert!(err.contains(place) && err.contains(message), "{place} {message}:\n{err}");
    }
    assert!(err.contains("3 problem(s)"), "{err}");
}

#[test]
fn flows_on_a_spec_with_broken_links_warns_and_shows_the_rest() {
    let output = conform(&["flows", "--spec", "tests/flows/broken-links.yaml"]);
    let (out, err) = (String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    assert_eq!(output.status.code(), Some(0), "{err}");
    assert_eq!(err.matches("warning: ").count(), 3, "{err}");
    assert!(out.contains("makeThing --201--> getThing  [inferred: created resource]"), "{out}");
}

#[test]
fn docs_flows_md_shows_what_conform_flows_prints() {
    let page = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/flows.md")).unwrap();
    assert!(page.contains("conform flows --spec tests/flows/pets.yaml"));
    let shown = stdout(&["flows", "--spec", "tests/flows/pets.yaml"]);
    let block = page.split("```text\n").nth(1).unwrap().split("```").next().unwrap();
    for line in block.lines().filter(|l| l.trim() != "...") {
        assert!(shown.lines().any(|s| s == line), "docs/flows.md shows `{line}`, conform prints:\n{shown}");
    }
}
