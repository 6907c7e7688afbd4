//! Values in places: reading, writing and removing a value at a [`RecipientPart`] of a
//! [`RequestInput`], the schema of a place, and `x-conform-either-place` (one value an API reads
//! from several places). Such a value is sent in one place, or the same value in every place it
//! is sent ([`unify`]); a negative case breaks it wherever it is sent ([`spread`]).

use std::collections::BTreeSet;

use serde_json::{Map, Value};

use super::input::{Body, RequestInput};
use crate::spec::{CredentialLocation, EitherPlace, Operation, ParamLocation, RecipientPart};

/// The value of a body, whatever its encoding, whether it is sent whole or cut short.
pub fn body_json(body: &Body) -> Option<&Value> {
    body.value()
}

fn body_json_mut(body: &mut Body) -> Option<&mut Value> {
    body.value_mut()
}

/// The value at `place`, if the input has one.
pub fn value_at<'a>(input: &'a RequestInput, place: &RecipientPart) -> Option<&'a Value> {
    match place {
        RecipientPart::Body(pointer) => body_json(&input.body)?.pointer(pointer),
        RecipientPart::Parameter(location, name) => input.slot(*location).get(name),
    }
}

/// The parent pointer and the last (unescaped) segment of a non-empty pointer.
fn split_pointer(pointer: &str) -> Option<(&str, String)> {
    let (parent, last) = pointer.rsplit_once('/')?;
    Some((parent, last.replace("~1", "/").replace("~0", "~")))
}

/// Puts `value` at `place`, creating the body (an object) or the key when missing. A place
/// inside a body that is not an object is left alone.
pub fn set_at(input: &mut RequestInput, place: &RecipientPart, value: Value) {
    match place {
        RecipientPart::Body(pointer) => {
            if input.body == Body::None {
                input.body = Body::Json(Value::Object(Map::new()));
            }
            let Some(body) = body_json_mut(&mut input.body) else { return };
            if pointer.is_empty() {
                *body = value;
            } else if let Some(slot) = body.pointer_mut(pointer) {
                *slot = value;
            } else if let Some((parent, key)) = split_pointer(pointer)
                && let Some(Value::Object(object)) = body.pointer_mut(parent)
            {
                object.insert(key, value);
            }
        }
        RecipientPart::Parameter(location, name) => {
            input.slot_mut(*location).insert(name.clone(), value);
        }
    }
}

/// Takes the value at `place` out of the input.
pub fn remove_at(input: &mut RequestInput, place: &RecipientPart) {
    match place {
        RecipientPart::Body(pointer) => {
            let Some(body) = body_json_mut(&mut input.body) else { return };
            if let Some((parent, key)) = split_pointer(pointer)
                && let Some(Value::Object(object)) = body.pointer_mut(parent)
            {
                object.remove(&key);
            }
        }
        RecipientPart::Parameter(location, name) => {
            input.slot_mut(*location).remove(name);
        }
    }
}

/// The schema of a place: a parameter's, or the body schema's property at its pointer.
pub fn place_schema(operation: &Operation, place: &RecipientPart) -> Option<Value> {
    match place {
        RecipientPart::Parameter(location, name) => {
            operation.parameters.iter().find(|p| p.location == *location && &p.name == name).map(|p| p.schema.clone())
        }
        RecipientPart::Body(pointer) => {
            let mut schema = operation.body.as_ref()?.json()?.1.clone();
            for segment in pointer.split('/').skip(1) {
                let segment = segment.replace("~1", "/").replace("~0", "~");
                schema = flatten(schema)?.get("properties")?.get(&segment)?.clone();
            }
            Some(schema)
        }
    }
}

/// A schema with its `$ref`s followed and its `allOf` merged, as far as that goes (a bounded
/// number of rounds: a schema can refer to itself).
fn flatten(mut schema: Value) -> Option<Value> {
    for _ in 0..32 {
        if let Some(all) = schema.get("allOf").and_then(Value::as_array).cloned() {
            schema = super::values::merge_all_of(schema.as_object()?, &all);
        } else if crate::spec::referenced(&schema).is_some() {
            schema = crate::spec::expand(&schema).into_owned();
        } else {
            break;
        }
    }
    Some(schema)
}

/// Whether a variable fills `place` when the request is built: a parameter of that name with a
/// value, or a credential carried there.
pub fn filled_by_variable(operation: &Operation, place: &RecipientPart, variables: &BTreeSet<String>) -> bool {
    let RecipientPart::Parameter(location, name) = place else { return false };
    let parameter = operation.parameters.iter().any(|p| p.location == *location && &p.name == name);
    let credential = operation.credentials.iter().any(|c| {
        variables.contains(&c.variable)
            && match (&c.location, location) {
                (CredentialLocation::Query(n), ParamLocation::Query)
                | (CredentialLocation::Header(n), ParamLocation::Header) => n == name,
                _ => false,
            }
    });
    (parameter && variables.contains(name)) || credential
}

/// One `x-conform-either-place` value, as generation sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct Group {
    pub either: EitherPlace,
    /// A variable fills one of its places: the others must stay empty.
    pub fixed: bool,
}

/// The operation's either-place values, given which variables have values.
pub fn groups(operation: &Operation, variables: &BTreeSet<String>) -> Vec<Group> {
    operation
        .either
        .iter()
        .map(|either| Group {
            fixed: either.places.iter().any(|p| filled_by_variable(operation, p, variables)),
            either: either.clone(),
        })
        .collect()
}

/// Makes each group's value appear in one place, or the same value in every place it is in.
/// `choices` holds, per group, a draw that picks how, and a valid value for a required group
/// that the generation left out everywhere.
pub fn unify(groups: &[Group], input: &mut RequestInput, choices: &[(u8, Option<Value>)]) {
    for (group, (choice, fallback)) in groups.iter().zip(choices) {
        let places = &group.either.places;
        if group.fixed {
            // The variable's place carries it; a generated value elsewhere would contradict it.
            for place in places.iter().filter(|p| matches!(p, RecipientPart::Body(_))) {
                remove_at(input, place);
            }
            continue;
        }
        let present: Vec<&RecipientPart> = places.iter().filter(|p| value_at(input, p).is_some()).collect();
        match present.as_slice() {
            [] => {
                if let (true, Some(value)) = (group.either.required, fallback) {
                    set_at(input, &places[usize::from(*choice) % places.len()], value.clone());
                }
            }
            [_] => {}
            [first, rest @ ..] => {
                let keep = usize::from(*choice) % (present.len() + 1);
                if keep == present.len() {
                    let value = value_at(input, first).cloned().unwrap_or(Value::Null);
                    for place in rest {
                        set_at(input, place, value.clone());
                    }
                } else {
                    for (i, place) in present.iter().enumerate() {
                        if i != keep {
                            remove_at(input, place);
                        }
                    }
                }
            }
        }
    }
}

/// After a negative case broke the value at `broken`, makes every other place of its group that
/// carries the value carry the same broken value (or lack it, if the break was a removal).
pub fn spread(groups: &[Group], input: &mut RequestInput, broken: &RecipientPart) {
    let Some(group) = groups.iter().find(|g| g.either.places.contains(broken)) else { return };
    let value = value_at(input, broken).cloned();
    for place in group.either.places.iter().filter(|p| *p != broken) {
        if value_at(input, place).is_none() {
            continue;
        }
        match &value {
            Some(value) => set_at(input, place, value.clone()),
            None => remove_at(input, place),
        }
    }
}

/// Removes the group's value from every place (the "missing everywhere" negative case).
pub fn remove_everywhere(group: &EitherPlace, input: &mut RequestInput) {
    for place in &group.places {
        remove_at(input, place);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn phone_group(required: bool) -> Group {
        Group {
            either: EitherPlace {
                name: "phone_number".into(),
                required,
                places: vec![
                    RecipientPart::Parameter(ParamLocation::Query, "phone_number".into()),
                    RecipientPart::Body("/phone_number".into()),
                ],
                source: None,
            },
            fixed: false,
        }
    }

    fn both(query: &str, body: &str) -> RequestInput {
        let mut input = RequestInput { body: Body::Json(json!({"phone_number": body})), ..Default::default() };
        input.query.insert("phone_number".into(), json!(query));
        input
    }

    fn values(input: &RequestInput) -> Vec<Option<Value>> {
        phone_group(false).either.places.iter().map(|p| value_at(input, p).cloned()).collect()
    }

    #[test]
    fn two_places_never_carry_two_values() {
        let groups = [phone_group(false)];
        for choice in 0..6u8 {
            let mut input = both("201111111111", "202222222222");
            unify(&groups, &mut input, &[(choice, None)]);
            let present: Vec<Value> = values(&input).into_iter().flatten().collect();
            assert!(!present.is_empty(), "choice {choice}");
            assert!(present.windows(2).all(|w| w[0] == w[1]), "choice {choice}: {present:?}");
        }
    }

    #[test]
    fn a_required_value_left_out_everywhere_is_put_in_one_place() {
        let mut input = RequestInput::default();
        unify(&[phone_group(true)], &mut input, &[(1, Some(json!("201145202826")))]);
        assert_eq!(values(&input), [None, Some(json!("201145202826"))]);
        let mut optional = RequestInput::default();
        unify(&[phone_group(false)], &mut optional, &[(1, Some(json!("201145202826")))]);
        assert_eq!(values(&optional), [None, None]);
    }

    #[test]
    fn a_fixed_value_leaves_the_body_empty() {
        let group = Group { fixed: true, ..phone_group(true) };
        let mut input = both("201111111111", "202222222222");
        unify(&[group], &mut input, &[(0, None)]);
        assert_eq!(values(&input), [Some(json!("201111111111")), None]);
    }

    #[test]
    fn a_broken_value_is_broken_everywhere() {
        let groups = [phone_group(true)];
        let query = RecipientPart::Parameter(ParamLocation::Query, "phone_number".into());
        let mut input = both("12", "201111111111");
        spread(&groups, &mut input, &query);
        assert_eq!(values(&input), [Some(json!("12")), Some(json!("12"))]);
        let mut removed = both("201111111111", "201111111111");
        remove_at(&mut removed, &query);
        spread(&groups, &mut removed, &query);
        assert_eq!(values(&removed), [None, None]);
        let mut gone = both("201111111111", "201111111111");
        remove_everywhere(&groups[0].either, &mut gone);
        assert_eq!(values(&gone), [None, None]);
    }
}
