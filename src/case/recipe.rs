//! A [`Case`] and how its request is made: from its seed, a proptest value tree of
//! [`RequestInput`] (valid, or valid then broken by one mutation), then a protocol probe bending
//! the built request. The tree is what the runner shrinks when the case fails.

use std::collections::BTreeSet;

use proptest::prelude::*;
use proptest::strategy::{BoxedStrategy, SBoxedStrategy, ValueTree};
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use serde::Serialize;
use serde_json::Value;

use super::id::CaseId;
use super::input::{self, Body, Hostile, RequestInput};
use super::kind::{CaseKind, Probe};
use super::mutation::Constraint;
use super::strategies::Strategies;
use super::values::GenerateError;
use crate::http::PreparedRequest;
use crate::spec::{CredentialLocation, Operation, ParamLocation, RecipientPart};

/// Where the broken value of a negative case lives.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum Place {
    Body,
    Parameter(ParamLocation, String),
}

/// How a case's input is made.
#[derive(Debug, Clone, PartialEq)]
pub enum Recipe {
    /// Valid by the schemas.
    Valid,
    /// Valid, then one constraint broken.
    Mutated { place: Place, constraint: Constraint },
    /// (issue 25) Valid, then one value set to a coverage edge that keeps it valid.
    Edge { place: Place, constraint: Constraint },
    /// (issue 25) A valid JSON body (an empty object where none was made) sent as hostile bytes.
    Hostile(Hostile),
    /// A valid body cut short, so that it is not JSON.
    Malformed,
    /// Valid, then the operation's `x-conform-either-place` value at this index (a required one)
    /// taken out of every place.
    MissingEverywhere(usize),
    /// The operation's request example at this index of its body's `examples` (none: the
    /// parameters' examples alone, with a generated body), with the parameters' examples;
    /// whatever neither gives (and no variable fills) is generated.
    Example(Option<usize>),
}

/// One case: what to send and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Case {
    pub id: CaseId,
    /// Index of the spec in the plan, and of the operation in the spec.
    pub spec: usize,
    pub operation: usize,
    pub kind: CaseKind,
    pub recipe: Recipe,
    pub seed: u64,
    /// (issue 25) Made by the coverage phase (an edge value or hostile bytes; not a protocol
    /// probe): its requests are counted under `coverage`.
    pub coverage: bool,
}

/// One step of shrinking.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shrink {
    Simplify,
    Complicate,
}

/// A generated input that can be shrunk.
pub type InputTree = Box<dyn ValueTree<Value = RequestInput>>;

/// The deterministic runner for a seed: the same seed draws the same values.
fn runner(seed: u64) -> TestRunner {
    let mut bytes = [0u8; 32];
    for (i, chunk) in bytes.chunks_mut(8).enumerate() {
        chunk.copy_from_slice(&seed.wrapping_mul(0x9E37_79B9_7F4A_7C15).wrapping_add(i as u64).to_le_bytes());
    }
    let config = Config { max_local_rejects: 2_000, max_shrink_iters: 64, ..Config::default() };
    TestRunner::new_with_rng(config, TestRng::from_seed(RngAlgorithm::ChaCha, &bytes))
}

/// What decides whether a mutated input really is invalid at its place: the place's schema (none
/// when the operation has no such place) and whether leaving the value out breaks it. Taken out of
/// the operation once per strategy, so that the strategy does not carry a copy of the operation.
struct PlaceRule {
    schema: Option<Value>,
    required: bool,
}

impl PlaceRule {
    fn new(operation: &Operation, place: &Place) -> PlaceRule {
        match place {
            Place::Body => PlaceRule {
                schema: operation.body.as_ref().and_then(|b| b.generated()).map(|(_, schema, _)| schema.clone()),
                required: false,
            },
            Place::Parameter(location, name) => {
                match operation.parameters.iter().find(|p| p.location == *location && &p.name == name) {
                    Some(param) => PlaceRule { schema: Some(param.schema.clone()), required: param.required },
                    None => PlaceRule { schema: None, required: false },
                }
            }
        }
    }

    /// Whether the edited input is still valid at the edited place (present, where it is a
    /// parameter).
    fn still_valid(&self, place: &Place, input: &RequestInput) -> bool {
        let Some(schema) = &self.schema else { return false };
        let value = match place {
            Place::Body => input.body.value(),
            Place::Parameter(location, name) => input.slot(*location).get(name),
        };
        value.is_some_and(|value| crate::spec::is_valid(schema, value))
    }

    /// Whether the mutated input really is invalid at the mutated place.
    fn still_invalid(&self, place: &Place, input: &RequestInput) -> bool {
        let Some(schema) = &self.schema else { return false };
        match place {
            Place::Body => input.body.value().is_some_and(|value| !crate::spec::is_valid(schema, value)),
            Place::Parameter(location, name) => match input.slot(*location).get(name) {
                None => self.required,
                Some(value) => !crate::spec::is_valid(schema, value),
            },
        }
    }
}

impl Case {
    /// The input strategy of this case, from the operation's valid-input strategy.
    fn strategy(
        &self,
        operation: &Operation,
        variables: &BTreeSet<String>,
        valid: SBoxedStrategy<RequestInput>,
    ) -> Result<BoxedStrategy<RequestInput>, GenerateError> {
        Ok(match &self.recipe {
            Recipe::Valid => valid.boxed(),
            Recipe::Hostile(hostile) => {
                let hostile = hostile.clone();
                valid
                    .prop_map(move |mut input| {
                        let value = match std::mem::take(&mut input.body) {
                            Body::Json(value) => value,
                            _ => Value::Object(Default::default()),
                        };
                        input.body = Body::Hostile(hostile.clone(), value);
                        input
                    })
                    .boxed()
            }
            Recipe::Malformed => valid
                .prop_map(|mut input| {
                    input.body = match std::mem::take(&mut input.body) {
                        Body::Json(value) => Body::Truncated(value),
                        _ => Body::Truncated(Value::Object(Default::default())),
                    };
                    input
                })
                .boxed(),
            Recipe::Example(index) => {
                let example = match index {
                    None => None,
                    Some(index) => {
                        Some(operation.body.as_ref().and_then(|b| b.examples.get(*index)).cloned().ok_or_else(
                            || GenerateError {
                                pointer: operation.pointer.clone(),
                                message: format!("{}: no request example #{index}", self.id),
                            },
                        )?)
                    }
                };
                let parameters: Vec<(ParamLocation, String, Value)> = operation
                    .parameters
                    .iter()
                    .filter(|p| !variables.contains(&p.name) && p.location != ParamLocation::Cookie)
                    .filter_map(|p| Some((p.location, p.name.clone(), p.example.clone()?)))
                    .collect();
                let groups = super::either::groups(operation, variables);
                valid
                    .prop_map(move |mut input| {
                        if let Some((_, body)) = &example {
                            input.body = Body::Json(body.clone());
                        }
                        for (location, name, value) in &parameters {
                            input.slot_mut(*location).insert(name.clone(), value.clone());
                        }
                        // One value in one place: a variable's place carries it alone; otherwise
                        // the example body's value is the one every place that has it carries.
                        for group in &groups {
                            let in_body = |p: &&RecipientPart| matches!(p, RecipientPart::Body(_));
                            if group.fixed {
                                for place in group.either.places.iter().filter(in_body) {
                                    super::either::remove_at(&mut input, place);
                                }
                                continue;
                            }
                            let body_value = group
                                .either
                                .places
                                .iter()
                                .filter(in_body)
                                .find_map(|p| super::either::value_at(&input, p).cloned());
                            let Some(value) = body_value else { continue };
                            for place in &group.either.places {
                                if super::either::value_at(&input, place).is_some() {
                                    super::either::set_at(&mut input, place, value.clone());
                                }
                            }
                        }
                        input
                    })
                    .boxed()
            }
            Recipe::MissingEverywhere(index) => {
                let group = operation.either.get(*index).cloned().ok_or_else(|| GenerateError {
                    pointer: operation.pointer.clone(),
                    message: format!("{}: no either-place value #{index}", self.id),
                })?;
                valid
                    .prop_map(move |mut input| {
                        super::either::remove_everywhere(&group, &mut input);
                        input
                    })
                    .boxed()
            }
            Recipe::Mutated { place, constraint } | Recipe::Edge { place, constraint } => {
                // (issue 25) An edge keeps the input valid; a mutation must break it.
                let keeps_valid = matches!(self.recipe, Recipe::Edge { .. });
                let rule = PlaceRule::new(operation, place);
                let (place, constraint) = (place.clone(), constraint.clone());
                let groups = super::either::groups(operation, variables);
                // Where the broken value sits, as an either-place would name it.
                let broken = match &place {
                    Place::Body => RecipientPart::Body(constraint.pointer.clone()),
                    Place::Parameter(location, name) => RecipientPart::Parameter(*location, name.clone()),
                };
                valid
                    .prop_filter_map(
                        "the edit must leave the input valid or invalid as its case says",
                        move |mut input| {
                            let applied = match &place {
                                Place::Body => input.body.value_mut().is_some_and(|value| constraint.apply(value)),
                                Place::Parameter(location, name) => {
                                    let slot = input.slot_mut(*location);
                                    if constraint.pointer.is_empty()
                                        && constraint.kind == super::MutationKind::MissingRequired
                                    {
                                        slot.remove(name).is_some()
                                    } else {
                                        let mut value = slot.get(name).cloned().unwrap_or(Value::Null);
                                        let applied = constraint.apply(&mut value);
                                        slot.insert(name.clone(), value);
                                        applied
                                    }
                                }
                            };
                            super::either::spread(&groups, &mut input, &broken);
                            let as_meant = if keeps_valid {
                                rule.still_valid(&place, &input)
                            } else {
                                constraint.breaks_format() || rule.still_invalid(&place, &input)
                            };
                            (applied && as_meant).then_some(input)
                        },
                    )
                    .boxed()
            }
        })
    }

    /// The input after replaying `steps` of shrinking on the tree drawn from the seed, and whether
    /// the last step moved. Replaying (rather than keeping the tree) keeps callers `Send`: the
    /// tree never lives across an `.await`. The empty replay is the case's first input.
    pub fn replay(
        &self,
        operation: &Operation,
        variables: &BTreeSet<String>,
        steps: &[Shrink],
    ) -> Result<(RequestInput, bool), GenerateError> {
        let mut tree = self.generate(operation, variables)?;
        let moved = replay_steps(tree.as_mut(), steps);
        Ok((tree.current(), moved))
    }

    /// [`Case::replay`] with the operation's valid-input strategy taken from `strategies` (the
    /// strategies of the case's spec), built once for every case of the run: the same input.
    pub fn replay_in(
        &self,
        operation: &Operation,
        strategies: &Strategies,
        steps: &[Shrink],
    ) -> Result<(RequestInput, bool), GenerateError> {
        let valid = strategies.valid(self.operation, operation)?;
        let mut tree = self.draw(operation, strategies.names(), valid)?;
        let moved = replay_steps(tree.as_mut(), steps);
        Ok((tree.current(), moved))
    }

    /// The value tree of this case's input, drawn from its seed.
    pub fn generate(&self, operation: &Operation, variables: &BTreeSet<String>) -> Result<InputTree, GenerateError> {
        self.draw(operation, variables, input::strategy(operation, variables)?)
    }

    /// The value tree of this case's input, drawn from its seed, given the valid-input strategy.
    fn draw(
        &self,
        operation: &Operation,
        variables: &BTreeSet<String>,
        valid: SBoxedStrategy<RequestInput>,
    ) -> Result<InputTree, GenerateError> {
        let strategy = self.strategy(operation, variables, valid)?;
        let mut runner = runner(self.seed);
        strategy.new_tree(&mut runner).map(|tree| Box::new(tree) as InputTree).map_err(|reason| GenerateError {
            pointer: operation.pointer.clone(),
            message: format!("no input could be generated for {}: {reason}", self.id),
        })
    }
}

/// Replays `steps` of shrinking on a freshly drawn tree; whether the last step moved (`true`
/// for no steps).
pub fn replay_steps<T: ValueTree + ?Sized>(tree: &mut T, steps: &[Shrink]) -> bool {
    let mut moved = true;
    for step in steps {
        moved = match step {
            Shrink::Simplify => tree.simplify(),
            Shrink::Complicate => tree.complicate(),
        };
    }
    moved
}

/// A value no credential has.
pub const WRONG_CREDENTIAL: &str = "conform-wrong-credential";

/// Whether a header is named `name` (case-insensitive).
fn is(name: &str) -> impl Fn(&(String, String)) -> bool + '_ {
    move |(n, _)| n.eq_ignore_ascii_case(name)
}

/// Bends a valid request the way a protocol probe says.
pub fn apply_probe(probe: &Probe, operation: &Operation, request: &mut PreparedRequest) {
    match probe {
        Probe::UndocumentedMethod { method } => request.method = method.clone(),
        // These probes are about a body sent without its label: an optional body is always sent.
        Probe::MissingContentType => {
            request.body.get_or_insert_with(|| b"{}".to_vec());
            request.headers.retain(|h| !is("content-type")(h));
        }
        Probe::WrongContentType { content_type } => {
            request.body.get_or_insert_with(|| b"{}".to_vec());
            request.headers.retain(|h| !is("content-type")(h));
            request.headers.push(("Content-Type".to_owned(), content_type.clone()));
        }
        Probe::MissingCredential { scheme } | Probe::WrongCredential { scheme } => {
            let wrong = matches!(probe, Probe::WrongCredential { .. });
            let Some(credential) = operation.credentials.iter().find(|c| &c.scheme == scheme) else { return };
            match &credential.location {
                CredentialLocation::Header(name) => {
                    request.headers.retain(|h| !is(name)(h));
                    if wrong {
                        request.headers.push((name.clone(), WRONG_CREDENTIAL.to_owned()));
                    }
                }
                CredentialLocation::Bearer | CredentialLocation::Basic => {
                    let scheme_word =
                        if credential.location == CredentialLocation::Bearer { "Bearer" } else { "Basic" };
                    request.headers.retain(|h| !is("authorization")(h));
                    if wrong {
                        request.headers.push(("Authorization".to_owned(), format!("{scheme_word} {WRONG_CREDENTIAL}")));
                    }
                }
                CredentialLocation::Query(name) => {
                    request.url = rewrite_query(&request.url, name, wrong.then_some(WRONG_CREDENTIAL));
                }
                CredentialLocation::Cookie(name) => {
                    // The credential is one pair of the Cookie header; the others stay.
                    let prefix = format!("{name}=");
                    let mut kept: Vec<String> = Vec::new();
                    request.headers.retain(|(n, v)| {
                        let cookie = n.eq_ignore_ascii_case("cookie");
                        if cookie {
                            kept.extend(
                                v.split(';').map(str::trim).filter(|p| !p.starts_with(&prefix)).map(str::to_owned),
                            );
                        }
                        !cookie
                    });
                    if wrong {
                        kept.push(format!("{name}={WRONG_CREDENTIAL}"));
                    }
                    if !kept.is_empty() {
                        request.headers.push(("Cookie".to_owned(), kept.join("; ")));
                    }
                }
            }
        }
    }
}

/// `url` with the query parameter `name` removed, or set to `value`.
fn rewrite_query(url: &str, name: &str, value: Option<&str>) -> String {
    let (base, query) = url.split_once('?').unwrap_or((url, ""));
    let mut out = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in url::form_urlencoded::parse(query.as_bytes()) {
        if k != name {
            out.append_pair(&k, &v);
        }
    }
    if let Some(value) = value {
        out.append_pair(name, value);
    }
    let query = out.finish();
    if query.is_empty() { base.to_owned() } else { format!("{base}?{query}") }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_rewriting() {
        assert_eq!(rewrite_query("http://h/p?a=1&token=s&b=2", "token", None), "http://h/p?a=1&b=2");
        assert_eq!(rewrite_query("http://h/p?token=s", "token", Some("w")), "http://h/p?token=w");
        assert_eq!(rewrite_query("http://h/p?token=s", "token", None), "http://h/p");
    }

    #[test]
    fn same_seed_same_draw() {
        let strategy = proptest::collection::vec(any::<u32>(), 5);
        let a = strategy.new_tree(&mut runner(42)).unwrap().current();
        let b = strategy.new_tree(&mut runner(42)).unwrap().current();
        let c = strategy.new_tree(&mut runner(43)).unwrap().current();
        assert_eq!(a, b);
        assert_ne!(a, c);
    }
}
