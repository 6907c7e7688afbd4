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

/// Only the strategies of the operations asked for last are kept, so that a spec with many
/// operations does not hold every one the run built; one built again draws the same inputs.
#[test]
fn only_the_latest_operations_strategies_are_kept_and_one_built_again_draws_the_same() {
    let specs = conform::spec::bundled().unwrap();
    let names: Vec<BTreeSet<String>> = specs.iter().map(|_| BTreeSet::new()).collect();
    let plan = plan(&specs, &names, &PlanOptions { cases: 3, seed: 5, shard: None });
    let two: Vec<Strategies> =
        specs.iter().map(|s| Strategies::keeping(s.operations.len(), BTreeSet::new(), 2)).collect();
    let every: Vec<Strategies> = specs.iter().map(|s| Strategies::new(s.operations.len(), BTreeSet::new())).collect();
    // Twice through the plan: the second time, every spec's first operations were dropped.
    for _ in 0..2 {
        for case in plan.cases() {
            let operation = &specs[case.spec].operations[case.operation];
            let steps = [Shrink::Simplify, Shrink::Complicate];
            assert_eq!(
                case.replay_in(operation, &two[case.spec], &steps),
                case.replay_in(operation, &every[case.spec], &steps)
            );
            assert!(two[case.spec].built() <= 2, "{}: {} kept", case.id, two[case.spec].built());
        }
    }
    let operations: usize = specs.iter().map(|s| s.operations.len()).sum();
    assert!(operations > 3 * 2, "more operations than are kept: {operations}");
    assert_eq!(every.iter().map(Strategies::built).sum::<usize>(), operations, "within the bound, all are kept");
}
