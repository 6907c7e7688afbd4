//! A value the API reads from the query or the body (`x-conform-either-place`, Wawp's
//! `phone_number`, `instance_id` and `access_token`): across many seeds, conform never sends two
//! different values for it, breaks it wherever it sends it, and has a case where it is missing
//! everywhere, which the reference server refuses with 400.

use std::collections::BTreeSet;

use conform::case::{CaseKind, MutationKind, Recipe};
use conform::plan::{PlanOptions, plan};
use conform::reference::{Faults, Server};
use conform::run::{CaseStatus, RunConfig, run};
use serde_json::Value;

/// Every value of `name` the request carries: in the query string and in the JSON body.
fn values_of(request: &conform::http::PreparedRequest, name: &str) -> Vec<String> {
    let query = request.url.split_once('?').map_or("", |(_, q)| q);
    let mut out: Vec<String> =
        url::form_urlencoded::parse(query.as_bytes()).filter(|(k, _)| k == name).map(|(_, v)| v.into_owned()).collect();
    let body = request.body.as_deref().and_then(|b| serde_json::from_slice::<Value>(b).ok());
    if let Some(value) = body.as_ref().and_then(|b| b.get(name)) {
        out.push(value.as_str().map_or(value.to_string(), str::to_owned));
    }
    out
}

#[test]
fn one_value_in_one_place_or_the_same_in_both() {
    let specs: Vec<_> = conform::spec::bundled().unwrap().into_iter().filter(|s| s.id == "wawp").collect();
    let names: BTreeSet<String> = ["instance_id", "access_token"].map(String::from).into();
    let variables = [("instance_id", "INSTANCE1234"), ("access_token", "TOKEN12345678")]
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .into();
    let (mut both, mut broken_everywhere, mut missing_everywhere) = (0, 0, 0);
    for seed in 0..40 {
        let plan = plan(&specs, std::slice::from_ref(&names), &PlanOptions { cases: 10, seed, shard: None });
        for case in plan.cases() {
            let operation = &specs[0].operations[case.operation];
            let (input, _) = case.replay(operation, &names, &[]).unwrap();
            let context = conform::case::Context { base_url: "http://h", variables: &variables, headers: &[] };
            let request = conform::case::build(operation, &input, context);
            for name in ["phone_number", "instance_id", "access_token"] {
                let values = values_of(&request, name);
                assert!(values.windows(2).all(|w| w[0] == w[1]), "{}: {name} = {values:?}", case.id);
                both += usize::from(values.len() == 2);
                // session/create names no session: it takes only the access token.
                let takes = name != "instance_id" || operation.parameters.iter().any(|p| p.name == name);
                if name != "phone_number" && takes {
                    assert_eq!(values.len(), 1, "{}: {name} comes from its variable alone: {values:?}", case.id);
                }
            }
            let phones = values_of(&request, "phone_number");
            if let CaseKind::Negative(mutation) = &case.kind {
                if mutation.constraint.contains("phone_number") || case.id.as_str().contains("phone_number") {
                    if matches!(case.recipe, Recipe::MissingEverywhere(_)) {
                        assert!(phones.is_empty(), "{}: {phones:?}", case.id);
                        missing_everywhere += 1;
                    } else if phones.len() == 2 && mutation.kind != MutationKind::MalformedJson {
                        broken_everywhere += 1;
                    }
                }
            } else if operation.id == "request-code" && !matches!(case.kind, CaseKind::Hostile { .. }) {
                assert_eq!(phones.len().min(1), 1, "{}: a valid request-code names a phone", case.id);
            }
        }
    }
    assert!(both > 0, "some requests carry a value in both places");
    assert!(broken_everywhere > 0, "some negative cases broke the value in both places");
    assert_eq!(missing_everywhere, 40, "one missing-everywhere case per plan");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn missing_everywhere_is_refused() {
    let server = Server::start(([127, 0, 0, 1], 0).into(), Faults::none()).await.unwrap();
    let specs: Vec<_> = conform::spec::bundled().unwrap().into_iter().filter(|s| s.id == "wawp").collect();
    let config = RunConfig {
        targets: vec![server.url()],
        specs,
        plan: PlanOptions { cases: 2, seed: 1, shard: None },
        strict: true,
        ..RunConfig::default()
    };
    let result = run(config, |_| {}).await.unwrap();
    let case = result
        .cases
        .iter()
        .find(|c| c.id.as_str() == "wawp::request-code::negative::phone_number-missing-everywhere")
        .expect("the case exists");
    assert_eq!(case.status, CaseStatus::Passed, "{case:?}");
    assert_eq!(case.response.as_ref().unwrap().status, 400);
}
