//! The catalogue of differently-correct servers that `conform serve --variant NAME` can switch on.
//!
//! The reference server is one implementation among many. Wherever `contract.md` leaves a choice
//! open, a variant makes another one (never one the contract forbids), so that the test suite can
//! prove that the harness does not fail a server for a choice only the reference made: every
//! variant, alone and all together, must pass under `--strict`. Each variant names the line of
//! `contract.md` (or of the RFC it defers to) that leaves the choice open.
//!
//! Like the fault catalogue, this is data: the API modules ask [`Variants::has`] at the one place
//! where their behaviour forks.

use std::collections::BTreeSet;
use std::fmt;
use std::str::FromStr;

use super::faults::FaultScope;

macro_rules! catalogue {
    ($( $variant:ident => ($name:literal, $scope:ident, $summary:literal, $allowed_by:literal), )+) => {
        /// One other choice where the contract is silent.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Variant {
            $( $variant, )+
        }

        impl Variant {
            /// Every variant, in catalogue order.
            pub const ALL: &'static [Variant] = &[ $( Variant::$variant, )+ ];

            /// The name used on the command line.
            pub fn name(self) -> &'static str {
                match self { $( Variant::$variant => $name, )+ }
            }

            /// The API the variant lives in (`All` for the HTTP plumbing every API shares).
            pub fn scope(self) -> FaultScope {
                match self { $( Variant::$variant => FaultScope::$scope, )+ }
            }

            /// One line saying what the server does differently.
            pub fn summary(self) -> &'static str {
                match self { $( Variant::$variant => $summary, )+ }
            }

            /// The line of `contract.md` (or the RFC it defers to) that leaves the choice open.
            pub fn allowed_by(self) -> &'static str {
                match self { $( Variant::$variant => $allowed_by, )+ }
            }
        }
    };
}

catalogue! {
    // The HTTP plumbing every API shares.
    JsonCharset => ("json-charset", All,
        "JSON answers are labelled `application/json; charset=utf-8`",
        "contract.md §2 fixes statuses, not response media-type parameters; RFC 9110 §8.3 allows parameters"),
    JsonMediaTypeCase => ("json-media-type-case", All,
        "JSON answers are labelled `Application/JSON` (media types are case-insensitive)",
        "contract.md §2 is silent on response labels; RFC 9110 §8.3.1: type and subtype are case-insensitive"),
    JsonPretty => ("json-pretty", All,
        "JSON bodies are pretty-printed (indented, one member per line)",
        "contract.md §2-§5 fix JSON values, not their layout; RFC 8259 §2: insignificant whitespace"),
    JsonKeysSorted => ("json-keys-sorted", All,
        "JSON object members are written in alphabetical order instead of the documented order",
        "contract.md §2-§5 fix members, not their order; RFC 8259 §4: objects are unordered"),
    ExtraFields => ("extra-fields", All,
        "every JSON answer object carries an undocumented `request_id` member",
        "contract.md §3-§5 list the members a body has, never that it has no others; the specs allow more"),
    ExtraHeaders => ("extra-headers", All,
        "answers carry undocumented `Cache-Control: no-store` and `X-Request-Id` headers",
        "contract.md §2 names only the Allow header; RFC 9110 §5: other fields may be sent and ignored"),
    MethodNotAllowedBody => ("method-not-allowed-body", All,
        "Z-API and Hypersender 405 answers carry a JSON body in the API's own error shape (still with Allow)",
        "contract.md §2: a 405 needs only the Allow header; the body is left open (Wawp's is fixed by §4)"),
    UnsupportedMediaTypeEmpty => ("unsupported-media-type-empty", All,
        "Z-API and Hypersender answer 415 with an empty body and no Content-Type",
        "contract.md §2 fixes the 415 status, not a body (Wawp's is fixed by §4, so it keeps its error body)"),
    AllowListFormat => ("allow-list-format", All,
        "the Allow header lists POST first, with `, ` between methods (`POST, GET, HEAD`)",
        "contract.md §2 asks Allow to list the methods, not their order; RFC 9110 §5.6.1 list syntax"),
    BodyChecksFirst => ("body-checks-first", All,
        "media type, JSON and field checks answer before the instance and credential checks",
        "contract.md §2-§5 fix the status of each situation, not which answers first when several apply"),
    // Z-API.
    ZapiOtherMessages => ("zapi-other-messages", Zapi,
        "Z-API words its `reason` strings and its 400/415 `error` texts differently",
        "contract.md §3: a refusal carries `a reason string` (profile); only the 404/400/403 auth texts are fixed"),
    ZapiUnboundedAnswers => ("zapi-unbounded-answers", Zapi,
        "Z-API takes a `code` or `captcha` of any non-empty length: a long one is just wrong (200, success false)",
        "contract.md §3 bounds only ddi and phone (anything else 400); the 1-32 and 1-64 lengths are the reference's"),
    ZapiShortWait => ("zapi-short-wait", Zapi,
        "Z-API waits 60 seconds (not 120) between two code requests for a number",
        "contract.md §3: a repeat request refuses with the remaining `*WaitSeconds` > 0; the wait's length is open"),
    ZapiConnectedAvailability => ("zapi-connected-availability", Zapi,
        "Z-API registration-available on a connected instance answers `available: false` with the reason `already connected`",
        "contract.md §3 C1: registration-available still answers and starts no new registration; what it answers is open"),
    ZapiConnectedBeforeFields => ("zapi-connected-before-fields", Zapi,
        "on a connected instance the four registration calls answer `already connected` before reading the body, even an invalid one",
        "contract.md §3 C1: the refusal comes first for a schema-valid body; for an invalid one the order is open"),
    ZapiFreshAppealToken => ("zapi-fresh-appeal-token", Zapi,
        "each registration-available of a banned number hands out a new appealToken; only the latest is accepted",
        "contract.md §3.1 left open: whether repeated registration-available calls give the same appealToken"),
    ZapiAppealTokenPerInstance => ("zapi-appeal-token-per-instance", Zapi,
        "an appealToken is accepted only on the instance that handed it out",
        "contract.md §3.1 left open: whether one instance's token works on another instance"),
    ZapiAppealOnce => ("zapi-appeal-once", Zapi,
        "a second request-unbanning for a number refuses instead of answering the appeal's status",
        "contract.md §3.1 left open: what a second request-unbanning with the same token answers"),
    ZapiShortDescription => ("zapi-short-description", Zapi,
        "request-unbanning takes a description of at most 500 characters (400 beyond)",
        "contract.md §3.1 left open: a maximum length for description"),
    ZapiRecoveryOnce => ("zapi-recovery-once", Zapi,
        "a second recovery-pin-code while the same PIN is awaited refuses",
        "contract.md §3.1 left open: whether recovery may be repeated at once"),
    ZapiRemoveAbsentRefused => ("zapi-remove-absent-refused", Zapi,
        "removing a PIN or an email that is not there refuses (200, success false)",
        "contract.md §3.2 left open: whether removing a PIN or email that is not there succeeds or refuses"),
    ZapiRemoveMessages => ("zapi-remove-messages", Zapi,
        "the two removes answer `message: REMOVED` beside `success: true`",
        "contract.md §3.2 left open: the `message` of the removes"),
    ZapiConnectedWithEmail => ("zapi-connected-with-email", Zapi,
        "a newly connected account already has a verified email",
        "contract.md §3.2 left open: whether a newly connected account already has an email"),
    ZapiNullEmail => ("zapi-null-email", Zapi,
        "get email answers `email: null` when hasEmail is false, instead of leaving it out",
        "contract.md §3.2 left open: whether `email` is left out or null when `hasEmail` is false"),
    ZapiEmailCodeStrict => ("zapi-email-code-strict", Zapi,
        "an email verification code lives 10 minutes and dies at the first wrong attempt",
        "contract.md §3.2 left open: the verification code's lifetime and attempt limit"),
    ZapiPinFollowsNumber => ("zapi-pin-follows-number", Zapi,
        "a PIN set on the account is asked for by any later registration of the number",
        "contract.md §3.2 left open: whether a PIN set here is asked for by a later registration of the number"),
    // Wawp.
    WawpBodyWins => ("wawp-body-wins", Wawp,
        "Wawp uses the JSON body's value when the query string and the body both carry a parameter",
        "contract.md §4: when both places carry one, which wins is left to the implementation"),
    WawpOtherMessages => ("wawp-other-messages", Wawp,
        "Wawp words every error `message` differently (the `code` values stay)",
        "contract.md §4 fixes the error body's `code` values, not its `message` texts"),
    WawpPairingLetters => ("wawp-pairing-letters", Wawp,
        "Wawp pairing codes are drawn from letters only (ABCD-EFGH)",
        "contract.md §4: the pairing code matches ^[A-Z0-9]{4}-[A-Z0-9]{4}$; the alphabet within it is open"),
    WawpPairingDigits => ("wawp-pairing-digits", Wawp,
        "Wawp pairing codes are drawn from digits only (1234-5678)",
        "contract.md §4: the pairing code matches ^[A-Z0-9]{4}-[A-Z0-9]{4}$; the alphabet within it is open"),
    WawpQrRotatesSlowly => ("wawp-qr-rotates-slowly", Wawp,
        "the Wawp QR image (qr-image, info.qr) changes every 40 seconds on its own, not with the raw QR",
        "contract.md §4.2 left open: whether qr-image and `info.qr` follow the raw value"),
    WawpQrFixedSchedule => ("wawp-qr-fixed-schedule", Wawp,
        "raw QR values rotate on a fixed 15-second schedule of the clock, not 20 seconds from their first fetch",
        "contract.md §4.2 Q3: a value lives at most 20 s; left open: first fetch or a fixed schedule"),
    WawpPairingStopsQr => ("wawp-pairing-stops-qr", Wawp,
        "while a pairing code is live, the raw QR keeps its value (each fetch a later expiry)",
        "contract.md §4.2 left open: whether a pairing-code request stops the rotation"),
    WawpQrOtherFormatsRefused => ("wawp-qr-other-formats-refused", Wawp,
        "auth/qr answers 400 to a `format` other than raw",
        "contract.md §4.2 Q2: `format` may be left out or be `raw`; other values are left open"),
    WawpStartAnywhere => ("wawp-start-anywhere", Wawp,
        "session/start outside STOPPED and FAILED answers 200 with the session unchanged, not 422",
        "contract.md §4.1 left open: start from a status other than STOPPED"),
    WawpFailedLosesKeys => ("wawp-failed-loses-keys", Wawp,
        "a session put in FAILED loses its saved keys: its restart ends in SCAN_QR_CODE",
        "contract.md §4.1 left open: the end status of a restart from FAILED"),
    WawpForcedStartingStays => ("wawp-forced-starting-stays", Wawp,
        "a STARTING forced with the sandbox's session-status never ends by itself",
        "contract.md §4.1 left open: whether a STARTING forced with `session-status` ends by itself"),
    WawpCreate201 => ("wawp-create-201", Wawp,
        "session/create answers 201 with instance_id, session_name and server_name",
        "contract.md §4.1 left open: create's status code, and its fields other than `instance_id`"),
    WawpLogoutOnlyWorking => ("wawp-logout-only-working", Wawp,
        "session/logout outside WORKING answers 422 session_status_mismatch, expected WORKING",
        "contract.md §4.1 left open: logout outside WORKING"),
    // Hypersender.
    HypersenderOtherMessages => ("hypersender-other-messages", Hypersender,
        "Hypersender words its refusal, 415 and validation `message` texts differently",
        "contract.md §5 fixes only `Unauthenticated.` and `Instance not found.`; the other texts are open"),
    HypersenderLongNames => ("hypersender-long-names", Hypersender,
        "Hypersender takes a `name` of up to 255 characters (Laravel's string|max:255), not 64",
        "contract.md §5 bounds only length and expires (field, from the SDK); the name's 64 is the reference's"),
    HypersenderOtherStatuses => ("hypersender-other-statuses", Hypersender,
        "Hypersender's validate-code failures say `data.status` invalid, expired, used or not_found",
        "contract.md §5: a failure is 422 {success, message, data: {status}} (profile); the strings are open"),
    HypersenderLaravelTimestamps => ("hypersender-laravel-timestamps", Hypersender,
        "Hypersender writes times as Laravel does: `2025-12-29T18:09:38.000000Z`",
        "contract.md §5 fixes expires_at = created_at + expires, not the RFC 3339 form (offset, fraction)"),
    HypersenderLinkMessage => ("hypersender-link-message", Hypersender,
        "generate-link also sends the chat a WhatsApp message with the link",
        "contract.md §5.1 left open: whether generate-link also messages the chat when the link is created"),
    HypersenderLinkInstanceNumber => ("hypersender-link-instance-number", Hypersender,
        "the wa.me link targets the instance's own number (the doc's 201553730661), not the chat's",
        "contract.md §5.1 left open: the `wa.me` number"),
    HypersenderLinkDigitCodes => ("hypersender-link-digit-codes", Hypersender,
        "magic-link codes are 6 digits instead of 8 upper-case letters",
        "contract.md §5.1 left open: the code's shape beyond `[<code>]`"),
    HypersenderLinkPlaceholders => ("hypersender-link-placeholders", Hypersender,
        "`{name}`, `{code}` and `{link}` in the link's message texts are replaced",
        "contract.md §5.1 left open: placeholder substitution"),
    HypersenderLinkExactText => ("hypersender-link-exact-text", Hypersender,
        "only the unchanged prefilled text verifies a link; the right code with other edits fails it",
        "contract.md §5.1 left open: a message with the right code but other edits"),
    HypersenderLinkUnbracketedFails => ("hypersender-link-unbracketed-fails", Hypersender,
        "a message without any bracketed code fails the chat's pending link (the reference ignores it)",
        "contract.md §5.1 left open: a message without any bracketed code"),
    HypersenderLinkOtherChat => ("hypersender-link-other-chat", Hypersender,
        "a message from another chat carrying a link's [code] verifies that link",
        "contract.md §5.1 left open: a message from another chat"),
    HypersenderLinkExpiryNotifies => ("hypersender-link-expiry-notifies", Hypersender,
        "a link that expires files its expired reply and callback.failed record without waiting for a message",
        "contract.md §5.1 left open: whether expiry calls callback.failed, and whether expiry with no message replies"),
    HypersenderLinkSupersedes => ("hypersender-link-supersedes", Hypersender,
        "a new link for a chat ends the chat's older pending link",
        "contract.md §5.1 left open: whether a new link supersedes an older pending link for the same chat"),
    HypersenderLinkCodeValidates => ("hypersender-link-code-validates", Hypersender,
        "validate-code accepts a pending link's code for its chat, and the link is verified",
        "contract.md §5.1 left open: how links and codes for one chat interact"),
}

impl fmt::Display for Variant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// An unknown variant name; its message lists the valid ones.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown variant `{name}`; valid variants are: {}", Variant::ALL.iter().map(|v| v.name()).collect::<Vec<_>>().join(", "))]
pub struct UnknownVariant {
    pub name: String,
}

impl FromStr for Variant {
    type Err = UnknownVariant;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Variant::ALL.iter().copied().find(|v| v.name() == s).ok_or_else(|| UnknownVariant { name: s.to_owned() })
    }
}

/// The set of variants switched on for one server (none: the reference's own choices).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Variants(BTreeSet<Variant>);

impl Variants {
    pub fn none() -> Self {
        Self::default()
    }

    /// Every variant at once (they combine: no two touch the same choice in conflicting ways).
    pub fn all() -> Self {
        Variant::ALL.iter().copied().collect()
    }

    pub fn has(&self, variant: Variant) -> bool {
        self.0.contains(&variant)
    }

    pub fn iter(&self) -> impl Iterator<Item = Variant> + '_ {
        self.0.iter().copied()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl FromIterator<Variant> for Variants {
    fn from_iter<I: IntoIterator<Item = Variant>>(iter: I) -> Self {
        Variants(iter.into_iter().collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_round_trip() {
        let mut seen = BTreeSet::new();
        for variant in Variant::ALL {
            assert!(seen.insert(variant.name()), "duplicate name {}", variant.name());
            assert_eq!(variant.name().parse::<Variant>(), Ok(*variant));
            let prefix = variant.scope().as_str();
            assert!(
                variant.scope() == FaultScope::All || variant.name().starts_with(prefix),
                "{} should start with {prefix}",
                variant.name()
            );
            assert!(
                variant.allowed_by().contains("contract.md §"),
                "{} must cite the contract line that leaves it open",
                variant.name()
            );
        }
        assert!(Variant::ALL.len() >= 10);
    }

    #[test]
    fn unknown_name_lists_the_valid_ones() {
        let message = "no-such-variant".parse::<Variant>().unwrap_err().to_string();
        assert!(message.contains("`no-such-variant`"));
        assert!(message.contains("wawp-body-wins"));
        assert!(message.contains("json-pretty"));
    }
}
