//! A scenario's variables: the suite's defaults, `--var`/env, the fixture, and a property's
//! generated input.

use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use serde_json::Value;

use super::skip::{Stop, missing_fixture_variable};
use crate::case::{self, Shrink};
use crate::results::{Reason, ReasonKind};
use crate::run::sandbox;
use crate::run::shared::{Shared, SpecTarget};
use crate::spec::Spec;
use crate::suite::{Suite, VarDefault, Vars, render};

/// The deterministic runner for a seed.
pub(super) fn runner(seed: u64) -> TestRunner {
    let mut bytes = [0u8; 32];
    bytes[..8].copy_from_slice(&seed.to_le_bytes());
    bytes[8..16].copy_from_slice(&seed.rotate_left(29).to_le_bytes());
    TestRunner::new_with_rng(Config::default(), TestRng::from_seed(RngAlgorithm::ChaCha, &bytes))
}

/// A property's input drawn from `given` with `seed`, after replaying `steps` of shrinking, and
/// whether the last step moved.
pub(super) fn property_input(
    given: &Value,
    pointer: &str,
    seed: u64,
    steps: &[Shrink],
) -> Result<(Value, bool), String> {
    let strategy = crate::case::valid_values(given, pointer).map_err(|e| e.to_string())?;
    let mut tree =
        strategy.new_tree(&mut runner(seed)).map_err(|e| format!("no input could be generated from `given`: {e}"))?;
    let moved = case::replay_steps(&mut tree, steps);
    Ok((tree.current(), moved))
}

/// The scenario's variables: the suite's defaults, then `--var`/env, then the fixture, then the
/// property's generated input. Captures come later, step by step.
pub(super) async fn variables(
    shared: &Shared,
    suite: &Suite,
    spec: &Spec,
    target: &SpecTarget,
    seed: u64,
    input: Option<&Value>,
) -> Result<Vars, Stop> {
    let mut vars = Vars::new();
    let mut rng = runner(seed ^ 0x5eed);
    // Generated defaults first, then the others in as many passes as their references need.
    for (name, default) in &suite.vars {
        if let VarDefault::Generate(regex) = default {
            let strategy = proptest::string::string_regex(&case::generator_regex(regex)).map_err(|e| {
                Stop::Error(Reason::new(ReasonKind::Harness, format!("vars.{name}: bad regex `{regex}`: {e}")))
            })?;
            let value = strategy
                .new_tree(&mut rng)
                .map_err(|e| Stop::Error(Reason::new(ReasonKind::NoInput, e.to_string())))?
                .current();
            vars.insert(name.clone(), Value::String(value));
        }
    }
    let mut pending: Vec<(&String, &Value)> = suite
        .vars
        .iter()
        .filter_map(|(name, default)| match default {
            VarDefault::Value(value) => Some((name, value)),
            VarDefault::Generate(_) => None,
        })
        .collect();
    while !pending.is_empty() {
        let before = pending.len();
        let mut last_error = String::new();
        pending.retain(|(name, value)| match render(value, &vars) {
            Ok(rendered) => {
                vars.insert((*name).clone(), rendered);
                false
            }
            Err(e) => {
                last_error = format!("vars.{name}: {e}");
                true
            }
        });
        if pending.len() == before {
            return Err(Stop::Skip(Reason::new(ReasonKind::NoInput, last_error)));
        }
    }
    for (name, value) in &target.given {
        vars.insert(name.clone(), Value::String(value.clone()));
    }
    if let Some(fixture) = &target.fixture {
        let values =
            sandbox::fixture_values(fixture, seed).map_err(|e| Stop::Error(Reason::new(ReasonKind::Harness, e)))?;
        sandbox::create(shared, target, fixture, &values)
            .await
            .map_err(|e| Stop::Error(Reason::new(ReasonKind::Sandbox, e)))?;
        vars.extend(values.into_iter().map(|(k, v)| (k, Value::String(v))));
    } else if let Some(fixture) = &spec.sandbox
        && let Some(missing) = fixture.variables().find(|n| !vars.contains_key(*n))
    {
        return Err(Stop::Skip(missing_fixture_variable(spec, missing)));
    }
    if let Some(Value::Object(input)) = input {
        vars.extend(input.iter().map(|(k, v)| (k.clone(), v.clone())));
    }
    Ok(vars)
}
