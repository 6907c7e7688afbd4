//! The send guard: against a target without the sandbox, an operation marked
//! `x-conform-side-effect: sends-message` only ever reaches allow-listed recipients, and only
//! within the `--max-sends` budget. Generated recipients are rewritten onto the allow-list; a
//! request whose recipient still is not allowed is skipped, never sent.

use std::sync::atomic::{AtomicU32, Ordering};

use serde_json::Value;

use crate::case::{Body, RequestInput, as_text};
use crate::spec::{RecipientPart, SideEffect};

/// Fewer digits than this cannot reach a phone: such a "recipient" (a broken value of a
/// negative case) needs no allow-listing.
const MIN_PHONE_DIGITS: usize = 6;

/// One `--allow-recipient` entry: digits, optionally split into parts with `-` (for recipients
/// given in several fields, such as Z-API's `ddi` and `phone`), optionally ending in `*`.
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
        self.sent.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| (n < self.max_sends).then_some(n + 1)).is_ok()
    }

    pub fn sent(&self) -> u32 {
        self.sent.load(Ordering::SeqCst)
    }
}

/// The digits of a value: `20123456789@c.us` → `20123456789`.
pub fn digits_of(text: &str) -> String {
    text.chars().filter(char::is_ascii_digit).collect()
}

fn part_value(input: &RequestInput, part: &RecipientPart) -> Option<String> {
    match part {
        RecipientPart::Body(pointer) => match &input.body {
            Body::Json(body) => body.pointer(pointer).map(as_text),
            _ => None,
        },
        RecipientPart::Parameter(location, name) => input.slot(*location).get(name).map(as_text),
    }
}

/// The numbers a request would reach: one per recipient alternative whose parts are all present.
pub fn recipients(effect: &SideEffect, input: &RequestInput) -> Vec<String> {
    effect
        .recipients
        .iter()
        .filter_map(|parts| parts.iter().map(|p| part_value(input, p)).collect::<Option<Vec<String>>>())
        .map(|values| values.iter().map(|v| digits_of(v)).collect::<String>())
        .filter(|number| number.len() >= MIN_PHONE_DIGITS)
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

fn set_part(input: &mut RequestInput, part: &RecipientPart, digits: &str) {
    match part {
        RecipientPart::Body(pointer) => {
            if let Body::Json(body) = &mut input.body
                && let Some(slot) = body.pointer_mut(pointer)
            {
                *slot = Value::String(replace_digits(&as_text(slot), digits));
            }
        }
        RecipientPart::Parameter(location, name) => {
            if let Some(slot) = input.slot_mut(*location).get_mut(name) {
                *slot = Value::String(replace_digits(&as_text(slot), digits));
            }
        }
    }
}

/// Rewrites every present recipient onto an allow-list entry chosen by `seed`. Parts named in
/// `frozen` (the field a negative case broke on purpose) are left alone. `Err` says why not.
pub fn rewrite(
    guard: &SendGuard,
    effect: &SideEffect,
    input: &mut RequestInput,
    seed: u64,
    frozen: &dyn Fn(&RecipientPart) -> bool,
) -> Result<(), String> {
    if guard.allow.is_empty() {
        return Err("it sends messages to phones and no --allow-recipient was given".to_owned());
    }
    let entry = &guard.allow[(seed % guard.allow.len() as u64) as usize];
    for parts in &effect.recipients {
        let present: Option<Vec<String>> = parts.iter().map(|p| part_value(input, p)).collect();
        let Some(values) = present else { continue };
        if parts.iter().any(frozen) {
            continue;
        }
        let targets: Vec<String> = if entry.parts.len() == parts.len() {
            entry.parts.clone()
        } else if parts.len() == 1 {
            vec![entry.digits()]
        } else {
            return Err(format!(
                "its recipient has {} parts; write the allowed recipient as {} parts joined by `-` (for example 55-11900000000)",
                parts.len(),
                parts.len()
            ));
        };
        let last = targets.len() - 1;
        for (i, (part, target)) in parts.iter().zip(targets).enumerate() {
            let mut digits = target;
            if entry.wildcard && i == last {
                // Fill the wildcard so the part keeps the length it was generated with.
                let generated = digits_of(&values[i]).len();
                let fill = generated.saturating_sub(digits.len());
                digits.extend((0..fill).map(|k| char::from(b'0' + ((seed >> (k % 16)) % 10) as u8)));
            }
            set_part(input, part, &digits);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::ParamLocation;
    use serde_json::json;

    fn zapi() -> SideEffect {
        SideEffect { recipients: vec![vec![RecipientPart::Body("/ddi".into()), RecipientPart::Body("/phone".into())]] }
    }

    fn input(body: Value) -> RequestInput {
        RequestInput { body: Body::Json(body), ..RequestInput::default() }
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
        assert!(recipients(&effect, &input(json!({"phone_number": "!!!!"}))).is_empty(), "no digits reach no phone");
    }

    #[test]
    fn rewriting_lands_on_the_allow_list() {
        let guard = SendGuard::new(vec!["55-11900000*".parse().unwrap()], 10);
        let mut request = input(json!({"ddi": "123", "phone": "4499999999", "method": "sms"}));
        rewrite(&guard, &zapi(), &mut request, 7, &|_| false).unwrap();
        let numbers = recipients(&zapi(), &request);
        assert_eq!(numbers.len(), 1);
        assert!(guard.allows(&numbers[0]), "{numbers:?}");
        let Body::Json(body) = &request.body else { panic!() };
        assert_eq!(body["ddi"], "55");
        assert_eq!(body["phone"].as_str().unwrap().len(), 10, "the phone keeps its generated length");

        let chat = SideEffect { recipients: vec![vec![RecipientPart::Body("/chatId".into())]] };
        let mut request = input(json!({"chatId": "123456789@c.us"}));
        rewrite(&SendGuard::new(vec!["201145202826".parse().unwrap()], 1), &chat, &mut request, 1, &|_| false).unwrap();
        assert_eq!(request.body, Body::Json(json!({"chatId": "201145202826@c.us"})));
    }

    #[test]
    fn rewriting_refuses_what_it_cannot_do() {
        let none = SendGuard::new(Vec::new(), 10);
        let mut request = input(json!({"ddi": "1", "phone": "44999999"}));
        assert!(rewrite(&none, &zapi(), &mut request, 1, &|_| false).unwrap_err().contains("no --allow-recipient"));
        let unsplit = SendGuard::new(vec!["5511999990000".parse().unwrap()], 10);
        assert!(rewrite(&unsplit, &zapi(), &mut request, 1, &|_| false).unwrap_err().contains("joined by `-`"));
    }

    #[test]
    fn the_budget_is_never_exceeded() {
        let guard = SendGuard::new(Vec::new(), 3);
        let granted = (0..10).filter(|_| guard.reserve()).count();
        assert_eq!((granted, guard.sent()), (3, 3));
    }
}
