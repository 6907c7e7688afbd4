//! The send guard: against a target without the sandbox, an operation marked
//! `x-conform-side-effect: sends-message` only ever reaches allow-listed recipients, and only
//! within the `--max-sends` budget. Generated recipients are rewritten onto the allow-list; a
//! request whose recipient still is not allowed is skipped, never sent. Which calls get one of the
//! budget's sends is decided before anything is sent, in `budget.rs`.

use std::sync::atomic::{AtomicU32, Ordering};

use serde_json::Value;

use crate::case::{CaseKind, MutationKind, RequestInput, Target, as_text, body_json, place_schema, set_at, value_at};
use crate::spec::{Operation, ParamLocation, RecipientPart, SideEffect};

/// One `--allow-recipient` entry: digits, optionally split into parts with `-` (for recipients
/// given in several fields, such as Z-API's `ddi` and `phone`), optionally ending in `*`. An entry
/// without `-` is an E.164 number: it also reaches a recipient given in parts, split where the
/// schema accepts it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AllowEntry {
    parts: Vec<String>,
    wildcard: bool,
}

impl std::str::FromStr for AllowEntry {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let trimmed = text.trim().trim_start_matches('+');
        let (body, wildcard) = match trimmed.strip_suffix('*') {
            Some(body) => (body, true),
            None => (trimmed, false),
        };
        let parts: Vec<String> = body.split('-').map(str::to_owned).collect();
        let digits: usize = parts.iter().map(String::len).sum();
        if parts.iter().any(|p| p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit())) || digits == 0 {
            return Err(format!(
                "`{text}`: an allowed recipient is digits, optionally split by `-` into parts and ending in `*` \
                 (for example 5511900000* or 55-11900000*)"
            ));
        }
        Ok(AllowEntry { parts, wildcard })
    }
}

impl AllowEntry {
    fn digits(&self) -> String {
        self.parts.concat()
    }

    pub fn matches(&self, number: &str) -> bool {
        let digits = self.digits();
        if self.wildcard { number.starts_with(&digits) } else { number == digits }
    }
}

/// The allow-list and the budget of one run.
#[derive(Debug, Default)]
pub struct SendGuard {
    pub allow: Vec<AllowEntry>,
    pub max_sends: u32,
    sent: AtomicU32,
}

impl SendGuard {
    pub fn new(allow: Vec<AllowEntry>, max_sends: u32) -> Self {
        SendGuard { allow, max_sends, sent: AtomicU32::new(0) }
    }

    pub fn allows(&self, number: &str) -> bool {
        self.allow.iter().any(|e| e.matches(number))
    }

    /// Takes one send from the budget; `false` when it is spent.
    pub fn reserve(&self) -> bool {
        self.reserve_many(1)
    }

    /// Takes `count` sends from the budget, all or none; `false` when fewer are left.
    pub fn reserve_many(&self, count: u32) -> bool {
        self.sent
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| {
                n.checked_add(count).filter(|after| *after <= self.max_sends)
            })
            .is_ok()
    }

    pub fn sent(&self) -> u32 {
        self.sent.load(Ordering::SeqCst)
    }
}

/// Why the guard keeps a case from being sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// No `--allow-recipient` was given.
    NoAllowList,
    /// A negative case whose broken value is the recipient itself: it cannot stay allow-listed.
    RecipientMutated(String),
    /// The recipient cannot be written onto the allow-list, or names no one (the reason).
    NoAllowedRecipient(String),
    /// The recipient is not allow-listed (masked).
    NotAllowListed(String),
    /// The `--max-sends` budget went to other cases.
    BudgetSpent(u32),
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let why = match self {
            Refusal::NoAllowList => "it sends messages to phones and no --allow-recipient was given".to_owned(),
            Refusal::RecipientMutated(place) => {
                format!("its broken value is the recipient itself ({place}), which cannot stay allow-listed")
            }
            Refusal::NoAllowedRecipient(why) => why.clone(),
            Refusal::NotAllowListed(number) => format!("the recipient {number} is not allow-listed"),
            Refusal::BudgetSpent(max) => format!("the --max-sends budget ({max}) went to other cases"),
        };
        write!(f, "not sent: {why} (the target has no sandbox)")
    }
}

/// The digits of a value: `20123456789@c.us` → `20123456789`.
pub fn digits_of(text: &str) -> String {
    text.chars().filter(char::is_ascii_digit).collect()
}

fn part_value(input: &RequestInput, part: &RecipientPart) -> Option<String> {
    value_at(input, part).map(as_text)
}

/// The numbers a request would reach: one per recipient alternative whose parts are all present.
pub fn recipients(effect: &SideEffect, input: &RequestInput) -> Vec<String> {
    effect
        .recipients
        .iter()
        .filter_map(|parts| parts.iter().map(|p| part_value(input, p)).collect::<Option<Vec<String>>>())
        .map(|values| values.iter().map(|v| digits_of(v)).collect::<String>())
        .collect()
}

/// Replaces the first run of digits in `text` with `digits` (keeping `@c.us` and the like).
fn replace_digits(text: &str, digits: &str) -> String {
    let start = text.find(|c: char| c.is_ascii_digit());
    match start {
        None => digits.to_owned(),
        Some(start) => {
            let end = text[start..].find(|c: char| !c.is_ascii_digit()).map_or(text.len(), |e| start + e);
            format!("{}{digits}{}", &text[..start], &text[end..])
        }
    }
}

/// The length of the E.164 country calling code at the start of `digits` (the codes form a
/// prefix code: 1 and 7 alone, the two-digit codes below, and three digits for the rest).
fn country_code_len(digits: &str) -> usize {
    const TWO_DIGIT: &[&str] = &[
        "20", "27", "30", "31", "32", "33", "34", "36", "39", "40", "41", "43", "44", "45", "46", "47", "48", "49",
        "51", "52", "53", "54", "55", "56", "57", "58", "60", "61", "62", "63", "64", "65", "66", "81", "82", "84",
        "86", "90", "91", "92", "93", "94", "95", "98",
    ];
    if digits.starts_with(['1', '7']) {
        1
    } else if TWO_DIGIT.iter().any(|code| digits.starts_with(code)) {
        2
    } else {
        3
    }
}

/// `count` filler digits drawn from `seed`.
fn filler(seed: u64, count: usize) -> String {
    (0..count).map(|k| char::from(b'0' + ((seed.rotate_left((k * 7 % 64) as u32) >> (k % 8)) % 10) as u8)).collect()
}

/// Every way of cutting `digits` into `count` non-empty parts, with whether the first cut is
/// where the country code ends and how far the part lengths are from `preferred`.
fn splits(digits: &str, count: usize, preferred: &[usize]) -> Vec<(bool, usize, Vec<String>)> {
    fn cuts(len: usize, count: usize) -> Vec<Vec<usize>> {
        if count == 1 {
            return if len > 0 { vec![vec![len]] } else { Vec::new() };
        }
        (1..len)
            .flat_map(|first| {
                cuts(len - first, count - 1).into_iter().map(move |mut rest| {
                    rest.insert(0, first);
                    rest
                })
            })
            .collect()
    }
    cuts(digits.len(), count)
        .into_iter()
        .map(|lengths| {
            let at_country_code = count > 1 && lengths[0] == country_code_len(digits);
            let distance = lengths.iter().zip(preferred).map(|(a, b)| a.abs_diff(*b)).sum::<usize>();
            let mut at = 0;
            let parts = lengths
                .iter()
                .map(|n| {
                    at += n;
                    digits[at - n..at].to_owned()
                })
                .collect();
            (at_country_code, distance, parts)
        })
        .collect()
}

/// The digit strings, one per part, that `entry` can put into a recipient of `generated.len()`
/// parts (whose generated digits are `generated`), most natural first: the user's own split,
/// else a cut where the country code ends; then the length closest to the generated one.
fn candidates(entry: &AllowEntry, generated: &[String], seed: u64) -> Vec<Vec<String>> {
    let count = generated.len();
    let preferred: Vec<usize> = generated.iter().map(String::len).collect();
    let generated_len: usize = preferred.iter().sum();
    let shortest = entry.digits().len();
    // With a wildcard, the number is the entry's digits plus filler, of any sensible length.
    let totals = if entry.wildcard { shortest..=shortest + 15 } else { shortest..=shortest };
    let mut ranked: Vec<((bool, usize, usize), Vec<String>)> = Vec::new();
    for total in totals {
        let fill = filler(seed, total - shortest);
        let off = total.abs_diff(generated_len.max(shortest));
        if entry.parts.len() == count {
            // The user's own split: the wildcard fills the last part, best to its generated length.
            let mut parts = entry.parts.clone();
            if let Some(last) = parts.last_mut() {
                last.push_str(&fill);
            }
            let distance = parts.iter().zip(&preferred).map(|(p, n)| p.len().abs_diff(*n)).sum::<usize>();
            ranked.push(((false, distance, 0), parts));
        } else {
            let number = format!("{}{fill}", entry.digits());
            for (at_country_code, distance, parts) in splits(&number, count, &preferred) {
                ranked.push(((!at_country_code, off, distance), parts));
            }
        }
    }
    ranked.sort_by_key(|(rank, _)| *rank);
    ranked.into_iter().map(|(_, parts)| parts).collect()
}

/// Whether `texts`, written into `parts` of `input`, are each accepted by the schema that governs
/// that place. A parameter is judged by its own schema. A body field is judged by the whole
/// body's schema, which follows every `$ref` and `allOf` to it: the rewrite fits when no
/// violation is at the field or within it (the rest of a negative case's body may be broken on
/// purpose). A place with no schema at all accepts anything.
fn fits(operation: &Operation, parts: &[RecipientPart], texts: &[String], input: &RequestInput) -> bool {
    let mut written = input.clone();
    for (part, text) in parts.iter().zip(texts) {
        set_at(&mut written, part, Value::String(text.clone()));
    }
    let body_schema = operation.body.as_ref().and_then(|b| b.json()).map(|(_, schema)| schema);
    let body_errors = match (body_schema, body_json(&written.body)) {
        (Some(schema), Some(body)) if parts.iter().any(|p| matches!(p, RecipientPart::Body(_))) => {
            crate::spec::validation_errors(schema, body)
        }
        _ => Vec::new(),
    };
    parts.iter().zip(texts).all(|(part, text)| match part {
        RecipientPart::Body(pointer) => !body_errors.iter().any(|error| violation_within(error, pointer)),
        RecipientPart::Parameter(..) => place_schema(operation, part)
            .is_none_or(|schema| crate::spec::is_valid(&schema, &Value::String(text.clone()))),
    })
}

/// Whether a validation error (`/pointer: message`, or `(root): message`) is at `pointer` or
/// within it.
fn violation_within(error: &str, pointer: &str) -> bool {
    let at = if pointer.is_empty() { "(root)" } else { pointer };
    error.starts_with(&format!("{at}: ")) || (!pointer.is_empty() && error.starts_with(&format!("{pointer}/")))
}

/// Rewrites every recipient present in `input` onto an allow-list entry chosen by `seed`, with
/// values its schema accepts. `Err` says why it cannot be done.
pub fn rewrite(
    guard: &SendGuard,
    operation: &Operation,
    effect: &SideEffect,
    input: &mut RequestInput,
    seed: u64,
) -> Result<(), Refusal> {
    if guard.allow.is_empty() {
        return Err(Refusal::NoAllowList);
    }
    let entry = &guard.allow[(seed % guard.allow.len() as u64) as usize];
    for parts in &effect.recipients {
        let present: Option<Vec<String>> = parts.iter().map(|p| part_value(input, p)).collect();
        let Some(values) = present else { continue };
        let generated: Vec<String> = values.iter().map(|v| digits_of(v)).collect();
        let written = candidates(entry, &generated, seed).into_iter().find_map(|digits| {
            let texts: Vec<String> = values.iter().zip(&digits).map(|(v, d)| replace_digits(v, d)).collect();
            fits(operation, parts, &texts, input).then_some(texts)
        });
        let Some(texts) = written else {
            return Err(Refusal::NoAllowedRecipient(format!(
                "no way to write an allowed recipient into {} that its schema accepts",
                describe(parts)
            )));
        };
        for (part, text) in parts.iter().zip(texts) {
            set_at(input, part, Value::String(text));
        }
    }
    Ok(())
}

/// `body /ddi + body /phone`, for messages.
fn describe(parts: &[RecipientPart]) -> String {
    parts.iter().map(RecipientPart::to_string).collect::<Vec<_>>().join(" + ")
}

/// Whether a negative case's broken value is (or contains) a recipient part: then no rewrite can
/// make it allow-listed without undoing the mutation. A mutation of the whole body, or of an
/// object the recipient sits in, breaks the recipient too. A malformed body is not one: it is a
/// valid body cut short, whose recipient is rewritten like any other.
fn mutates_recipient(effect: &SideEffect, kind: &CaseKind) -> Option<String> {
    let CaseKind::Negative(mutation) = kind else { return None };
    if mutation.kind == MutationKind::MalformedJson {
        return None;
    }
    let within = |outer: &str, inner: &str| inner == outer || inner.starts_with(&format!("{outer}/"));
    let hit = effect.recipients.iter().flatten().any(|part| match (part, &mutation.target) {
        (RecipientPart::Body(pointer), Target::Body(target)) => within(target, pointer) || within(pointer, target),
        (RecipientPart::Parameter(ParamLocation::Query, name), Target::Query(target))
        | (RecipientPart::Parameter(ParamLocation::Header, name), Target::Header(target))
        | (RecipientPart::Parameter(ParamLocation::Path, name), Target::Path(target)) => name == target,
        _ => false,
    });
    hit.then(|| mutation.target.to_string())
}

/// Makes a message-sending request safe to send to a target without a sandbox: refuses a case
/// that breaks its recipient, rewrites every recipient onto the allow-list, and checks that the
/// request names at least one recipient and only allowed ones. Returns the numbers it reaches.
pub fn guard_request(
    guard: &SendGuard,
    operation: &Operation,
    effect: &SideEffect,
    kind: &CaseKind,
    input: &mut RequestInput,
    seed: u64,
) -> Result<Vec<String>, Refusal> {
    if guard.allow.is_empty() {
        return Err(Refusal::NoAllowList);
    }
    if let Some(place) = mutates_recipient(effect, kind) {
        return Err(Refusal::RecipientMutated(place));
    }
    rewrite(guard, operation, effect, input, seed)?;
    let numbers = recipients(effect, input);
    if numbers.is_empty() {
        return Err(Refusal::NoAllowedRecipient(format!("the request names no recipient ({})", {
            let all: Vec<String> = effect.recipients.iter().map(|p| describe(p)).collect();
            all.join(" or ")
        })));
    }
    if let Some(number) = numbers.iter().find(|n| !guard.allows(n)) {
        return Err(Refusal::NotAllowListed(crate::show::mask_phone(number)));
    }
    Ok(numbers)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::{Body, Mutation};
    use crate::spec::extract_operations;
    use serde_json::json;

    fn zapi() -> SideEffect {
        SideEffect { recipients: vec![vec![RecipientPart::Body("/ddi".into()), RecipientPart::Body("/phone".into())]] }
    }

    /// An operation whose body has Z-API's `ddi` (1-3 digits) and `phone` (8-13 digits).
    fn zapi_operation() -> Operation {
        let document = json!({"openapi": "3.1.0", "paths": {"/code": {"post": {
            "operationId": "request-code",
            "requestBody": {"required": true, "content": {"application/json": {"schema": {
                "type": "object", "required": ["ddi", "phone"],
                "properties": {
                    "ddi": {"type": "string", "pattern": "^[0-9]{1,3}$"},
                    "phone": {"type": "string", "pattern": "^[0-9]{8,13}$"},
                    "chatId": {"type": "string"}}}}}},
            "responses": {"200": {"description": "ok"}}}}}});
        extract_operations("zapi", &document).unwrap().remove(0)
    }

    fn input(body: Value) -> RequestInput {
        RequestInput { body: Body::Json(body), ..RequestInput::default() }
    }

    fn body(request: &RequestInput) -> &Value {
        crate::case::body_json(&request.body).unwrap()
    }

    #[test]
    fn entries_parse_and_match() {
        let exact: AllowEntry = "+5511999990000".parse().unwrap();
        assert!(exact.matches("5511999990000") && !exact.matches("55119999900001"));
        let wild: AllowEntry = "55-11900000*".parse().unwrap();
        assert!(wild.matches("551190000012") && !wild.matches("551190010000"));
        for bad in ["", "abc", "55--1", "55*1", "*"] {
            assert!(bad.parse::<AllowEntry>().is_err(), "{bad}");
        }
    }

    #[test]
    fn recipients_are_read_from_every_alternative() {
        let effect = SideEffect {
            recipients: vec![
                vec![RecipientPart::Parameter(ParamLocation::Query, "phone_number".into())],
                vec![RecipientPart::Body("/phone_number".into())],
            ],
        };
        let mut request = input(json!({"phone_number": "201145202826"}));
        request.query.insert("phone_number".into(), json!("209999999999"));
        assert_eq!(recipients(&effect, &request), ["209999999999", "201145202826"]);
        let truncated = RequestInput { body: Body::Truncated(json!({"phone_number": "2011"})), ..Default::default() };
        assert_eq!(recipients(&effect, &truncated), ["2011"], "a body sent cut short still names its recipient");
    }

    #[test]
    fn rewriting_lands_on_the_allow_list() {
        let guard = SendGuard::new(vec!["55-11900000*".parse().unwrap()], 10);
        let mut request = input(json!({"ddi": "123", "phone": "4499999999", "method": "sms"}));
        rewrite(&guard, &zapi_operation(), &zapi(), &mut request, 7).unwrap();
        let numbers = recipients(&zapi(), &request);
        assert_eq!(numbers.len(), 1);
        assert!(guard.allows(&numbers[0]), "{numbers:?}");
        assert_eq!(body(&request)["ddi"], "55");
        assert_eq!(body(&request)["phone"].as_str().unwrap().len(), 10, "the phone keeps its generated length");

        let chat = SideEffect { recipients: vec![vec![RecipientPart::Body("/chatId".into())]] };
        let mut request = input(json!({"chatId": "123456789@c.us"}));
        let one = SendGuard::new(vec!["201145202826".parse().unwrap()], 1);
        rewrite(&one, &zapi_operation(), &chat, &mut request, 1).unwrap();
        assert_eq!(request.body, Body::Json(json!({"chatId": "201145202826@c.us"})));
    }

    #[test]
    fn an_e164_entry_is_split_where_the_country_code_ends() {
        for (entry, ddi) in [("5511900000*", "55"), ("+12025550100", "1"), ("35312345678*", "353")] {
            let guard = SendGuard::new(vec![entry.parse().unwrap()], 10);
            let mut request = input(json!({"ddi": "7", "phone": "44999999999"}));
            rewrite(&guard, &zapi_operation(), &zapi(), &mut request, 3).unwrap();
            assert_eq!(body(&request)["ddi"], ddi, "{entry}");
            let numbers = recipients(&zapi(), &request);
            assert!(guard.allows(&numbers[0]), "{entry}: {numbers:?}");
            let phone = body(&request)["phone"].as_str().unwrap().len();
            assert!((8..=13).contains(&phone), "{entry}: the schema's 8-13 digits, got {phone}");
        }
    }

    #[test]
    fn a_rewrite_fits_a_schema_reached_through_all_of_and_refs() {
        // Z-API's request-registration-code body is `allOf: [$ref Number, {method}]`: the phone's
        // 8-13 digits are only seen through the whole body's schema.
        let specs = crate::spec::bundled().unwrap();
        let zapi = specs.iter().find(|s| s.id == "zapi").unwrap();
        let operation = zapi.operations.iter().find(|o| o.id == "request-registration-code").unwrap();
        let effect = operation.side_effect.clone().unwrap();
        let guard = SendGuard::new(vec!["5511900000*".parse().unwrap()], 10);
        for seed in 0..200 {
            let mut request = input(json!({"ddi": "44", "phone": "4499999999", "method": "sms"}));
            rewrite(&guard, operation, &effect, &mut request, seed).unwrap();
            let phone = body(&request)["phone"].as_str().unwrap().len();
            assert!((8..=13).contains(&phone), "seed {seed}: {}", body(&request));
            assert!(guard.allows(&recipients(&effect, &request)[0]));
        }
        assert!(violation_within("/phone: \"1\" is too short", "/phone"));
        assert!(violation_within("/a/b: x", "/a") && !violation_within("/ab: x", "/a"));
        assert!(violation_within("(root): x", "") && !violation_within("(root): x", "/phone"));
    }

    #[test]
    fn a_split_the_schema_refuses_is_not_made() {
        // 6 digits cannot be a 1-3 digit ddi plus an 8-13 digit phone.
        let guard = SendGuard::new(vec!["551190".parse().unwrap()], 10);
        let mut request = input(json!({"ddi": "55", "phone": "11999999999"}));
        let refusal = rewrite(&guard, &zapi_operation(), &zapi(), &mut request, 1).unwrap_err();
        assert!(refusal.to_string().contains("body /ddi + body /phone"), "{refusal}");
    }

    #[test]
    fn a_case_that_breaks_its_recipient_is_refused() {
        let guard = SendGuard::new(vec!["55-11900000*".parse().unwrap()], 10);
        let negative = |target: &str| {
            CaseKind::Negative(Mutation {
                kind: MutationKind::PatternMismatch,
                target: Target::Body(target.into()),
                constraint: String::new(),
                source: None,
            })
        };
        for broken in ["/phone", "/ddi", ""] {
            let mut request = input(json!({"ddi": "55", "phone": "x"}));
            let refusal =
                guard_request(&guard, &zapi_operation(), &zapi(), &negative(broken), &mut request, 1).unwrap_err();
            assert!(matches!(refusal, Refusal::RecipientMutated(_)), "{broken}: {refusal}");
        }
        let mut request = input(json!({"ddi": "1", "phone": "44999999", "method": 5}));
        let numbers = guard_request(&guard, &zapi_operation(), &zapi(), &negative("/method"), &mut request, 1).unwrap();
        assert!(guard.allows(&numbers[0]), "another field's mutation keeps an allowed recipient");
        let mut nobody = input(json!({"method": "sms"}));
        let refusal =
            guard_request(&guard, &zapi_operation(), &zapi(), &CaseKind::Positive, &mut nobody, 1).unwrap_err();
        assert!(matches!(refusal, Refusal::NoAllowedRecipient(_)), "a request to nobody is not sent: {refusal}");
        let none = SendGuard::new(Vec::new(), 10);
        let refusal =
            guard_request(&none, &zapi_operation(), &zapi(), &CaseKind::Positive, &mut nobody, 1).unwrap_err();
        assert_eq!(refusal, Refusal::NoAllowList);
    }

    #[test]
    fn the_budget_is_never_exceeded() {
        let guard = SendGuard::new(Vec::new(), 3);
        let granted = (0..10).filter(|_| guard.reserve()).count();
        assert_eq!((granted, guard.sent()), (3, 3));
    }

    #[test]
    fn a_scenario_s_sends_are_taken_all_or_none() {
        let guard = SendGuard::new(Vec::new(), 5);
        assert!(guard.reserve_many(3));
        assert!(!guard.reserve_many(3), "two left: a flow that needs three gets none");
        assert_eq!(guard.sent(), 3);
        assert!(guard.reserve_many(2));
        assert!(!guard.reserve(), "spent");
        assert!(!guard.reserve_many(u32::MAX), "no overflow");
    }
}
