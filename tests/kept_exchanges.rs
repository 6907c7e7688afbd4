//! What a run keeps of a passed case's exchange (its request, curl and response), which is shown
//! (redacted and masked) only when it is kept: every passed case's, when exchanges are kept; none,
//! when they are not; and a case only counted still has its answer's status counted.

use conform::plan::PlanOptions;
use conform::reference::Server;
use conform::run::{CaseStatus, Keep, RunConfig, RunResult, run};

async fn run_keeping(keep: Keep) -> RunResult {
    let server = Server::start(([127, 0, 0, 1], 0).into(), Default::default()).await.unwrap();
    let specs = conform::spec::bundled().unwrap();
    let config = RunConfig {
        targets: vec![server.url(); specs.len()],
        specs,
        plan: PlanOptions { cases: 3, seed: 11, shard: None },
        keep,
        ..RunConfig::default()
    };
    let result = run(config, |_| {}).await.expect("the run starts");
    server.stop().await.unwrap();
    result
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_passed_case_shows_its_exchange_only_when_exchanges_are_kept() {
    let all = run_keeping(Keep::ALL).await;
    let passed = |result: &RunResult| result.cases.iter().filter(|c| c.status == CaseStatus::Passed).count();
    assert!(passed(&all) > 50, "a run against the reference server passes most cases");
    for case in &all.cases {
        let (request, curl, response) = (case.request.as_ref(), case.curl.as_ref(), case.response.as_ref());
        assert!(request.is_some() && curl.is_some(), "{}: request and curl are kept", case.id);
        if case.status == CaseStatus::Passed {
            let response = response.unwrap_or_else(|| panic!("{}: the answer is kept", case.id));
            assert!(!response.headers.is_empty(), "{}: the answer is kept whole: {response:?}", case.id);
            assert!(curl.is_some_and(|c| c.starts_with("curl ")), "{}", case.id);
        }
    }
    // A token is masked in what is shown, as before.
    assert!(all.cases.iter().flat_map(|c| &c.request).all(|r| !r.headers.iter().any(|(_, v)| v.contains("12|"))));

    let without = run_keeping(Keep { passed_cases: true, passed_exchanges: false }).await;
    assert_eq!(passed(&without), passed(&all));
    for case in &without.cases {
        let answer_shown = case.response.as_ref().is_some_and(|r| !r.headers.is_empty() || !r.body.is_empty());
        let shown = case.request.is_some() || case.curl.is_some() || answer_shown;
        assert_eq!(shown, case.status != CaseStatus::Passed, "{}: {:?}", case.id, case.status);
        assert!(case.response.is_some(), "{}: the answer's status is kept", case.id);
        if case.status != CaseStatus::Passed {
            assert!(
                case.curl.is_some() && case.request.is_some(),
                "{}: a case that did not pass shows its request",
                case.id
            );
        }
    }

    let counted = run_keeping(Keep::FAILURES).await;
    assert!(counted.cases.iter().all(|c| c.status != CaseStatus::Passed || c.snapshot.is_some()));
    let answers = |result: &RunResult| -> usize {
        result.tally().operations.iter().map(|o| o.answers.values().sum::<usize>()).sum()
    };
    // Every answer is counted, those of the passed examples (kept without their exchange but
    // with their answer's status) included.
    assert!(counted.cases.iter().any(|c| c.status == CaseStatus::Passed && c.snapshot.is_some()));
    assert_eq!(answers(&counted), answers(&all), "counted cases have their answers counted");
    let without_answers = |result: &RunResult| {
        let mut tally = result.tally();
        tally.operations.iter_mut().for_each(|o| o.answers.clear());
        tally
    };
    assert_eq!(without_answers(&counted), without_answers(&all), "counted cases are tallied as kept ones");
}
