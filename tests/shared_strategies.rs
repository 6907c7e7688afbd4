//! A run builds each operation's valid-input strategy once and shares it between its cases
//! (`case::Strategies`): every case draws the same input from the shared strategy as from one
//! built for it alone, and shrinks the same way, so that a seed sends the same requests.

use std::collections::BTreeSet;

use conform::case::{Shrink, Strategies};
use conform::plan::{PlanOptions, plan};

#[test]
fn a_shared_strategy_draws_what_a_fresh_one_draws() {
    let specs = conform::spec::bundled().unwrap();
    // With no variable, and with the variables a sandbox fixture fills (fewer parameters generated).
    let fixture_names = |spec: &conform::spec::Spec| -> BTreeSet<String> {
        spec.sandbox.iter().flat_map(|f| f.variables()).map(str::to_owned).collect()
    };
    for names in [specs.iter().map(|_| BTreeSet::new()).collect::<Vec<_>>(), specs.iter().map(fixture_names).collect()]
    {
        let shared: Vec<Strategies> =
            specs.iter().zip(&names).map(|(spec, n)| Strategies::new(spec.operations.len(), n.clone())).collect();
        let mut compared = 0;
        for seed in [1, 7, 1234] {
            let plan = plan(&specs, &names, &PlanOptions { cases: 4, seed, shard: None });
            for case in plan.cases() {
                let operation = &specs[case.spec].operations[case.operation];
                let steps = [Shrink::Simplify, Shrink::Simplify, Shrink::Complicate, Shrink::Simplify];
                for steps in [&steps[..0], &steps[..]] {
                    let fresh = case.replay(operation, &names[case.spec], steps);
                    let cached = case.replay_in(operation, &shared[case.spec], steps);
                    match (fresh, cached) {
                        (Ok(fresh), Ok(cached)) => assert_eq!(fresh, cached, "{} after {steps:?}", case.id),
                        (Err(fresh), Err(cached)) => assert_eq!(fresh, cached, "{}", case.id),
                        (fresh, cached) => panic!("{}: {fresh:?} and {cached:?}", case.id),
                    }
                    compared += 1;
                }
            }
        }
        assert!(compared > 500, "{compared} inputs compared");
    }
}

#[test]
fn an_operation_not_seen_at_its_index_gets_its_own_strategy() {
    let specs = conform::spec::bundled().unwrap();
    let spec = &specs[0];
    assert!(spec.operations.len() >= 2);
    let names = BTreeSet::new();
    let shared = Strategies::new(spec.operations.len(), names.clone());
    let plan = plan(std::slice::from_ref(spec), std::slice::from_ref(&names), &PlanOptions::default());
    let case = plan.cases().find(|c| c.operation == 1).expect("a case of the second operation");
    // The slot of operation 0 is filled first; asked for operation 1 at index 0, the cache builds anew.
    let first = &spec.operations[0];
    let _ = shared.valid(0, first);
    let other = &spec.operations[1];
    let fresh = case.replay(other, &names, &[]).unwrap();
    let mut moved = case.clone();
    moved.operation = 0;
    assert_eq!(moved.replay_in(other, &shared, &[]).unwrap(), fresh);
}
