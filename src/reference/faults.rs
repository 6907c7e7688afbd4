//! The catalogue of deliberate defects that `conform serve --fault NAME` can switch on.
//!
//! Each fault changes exactly one behaviour of the reference server, so that the test suite can
//! prove that the harness catches it with the check meant for it, and that the clean server
//! passes everything. The catalogue is data: the API modules ask [`Faults::has`] at the one
//! place where their behaviour forks.

use std::collections::BTreeSet;
use std::fmt;
use std::str::FromStr;

/// Which API a fault lives in (`All` for the HTTP plumbing every API shares).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FaultScope {
    All,
    Zapi,
    Wawp,
    Hypersender,
}

impl FaultScope {
    pub fn as_str(self) -> &'static str {
        match self {
            FaultScope::All => "all",
            FaultScope::Zapi => "zapi",
            FaultScope::Wawp => "wawp",
            FaultScope::Hypersender => "hypersender",
        }
    }
}

macro_rules! catalogue {
    ($( $variant:ident => ($name:literal, $scope:ident, $summary:literal), )+) => {
        /// One deliberate defect.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Fault {
            $( $variant, )+
        }

        impl Fault {
            /// Every fault, in catalogue order.
            pub const ALL: &'static [Fault] = &[ $( Fault::$variant, )+ ];

            /// The name used on the command line.
            pub fn name(self) -> &'static str {
                match self { $( Fault::$variant => $name, )+ }
            }

            /// The API the fault lives in.
            pub fn scope(self) -> FaultScope {
                match self { $( Fault::$variant => FaultScope::$scope, )+ }
            }

            /// One line saying what goes wrong.
            pub fn summary(self) -> &'static str {
                match self { $( Fault::$variant => $summary, )+ }
            }
        }
    };
}

catalogue! {
    // Wrong statuses in the shared HTTP plumbing.
    MethodNotAllowedAs404 => ("method-not-allowed-as-404", All,
        "an undocumented method on a documented path answers 404 instead of 405"),
    MissingAllowHeader => ("missing-allow-header", All,
        "405 answers carry no Allow header"),
    AcceptAnyContentType => ("accept-any-content-type", All,
        "a body without Content-Type: application/json is processed instead of refused with 415"),
    MalformedJson500 => ("malformed-json-500", All,
        "a body that is not JSON answers 500 instead of 400/422"),
    JsonAsTextPlain => ("json-as-text-plain", All,
        "JSON response bodies are labelled text/plain"),
    // Z-API.
    ZapiPhonePatternUnchecked => ("zapi-phone-pattern-unchecked", Zapi,
        "Z-API accepts a phone that is not 8-13 digits instead of answering 400"),
    ZapiLongPhone500 => ("zapi-long-phone-500", Zapi,
        "Z-API answers 500 to a phone longer than 13 characters"),
    ZapiClientTokenIgnored => ("zapi-client-token-ignored", Zapi,
        "Z-API does not check the Client-Token header"),
    ZapiRetryAfterString => ("zapi-retry-after-string", Zapi,
        "Z-API sends retryAfter as a string instead of a number of seconds"),
    ZapiSkipAvailability => ("zapi-skip-availability", Zapi,
        "Z-API sends a registration code without a prior registration-available"),
    ZapiPhoneMismatchAccepted => ("zapi-phone-mismatch-accepted", Zapi,
        "Z-API sends a code to a phone other than the one that passed registration-available"),
    ZapiConfirmWithoutRequest => ("zapi-confirm-without-request", Zapi,
        "Z-API confirms any code when no code was requested"),
    ZapiCaptchaWithoutPending => ("zapi-captcha-without-pending", Zapi,
        "Z-API accepts a captcha answer when no captcha is pending"),
    ZapiWrongCodeAccepted => ("zapi-wrong-code-accepted", Zapi,
        "Z-API confirms a wrong registration code"),
    ZapiCodeReusable => ("zapi-code-reusable", Zapi,
        "Z-API accepts a used registration code again"),
    ZapiCodeNeverExpires => ("zapi-code-never-expires", Zapi,
        "Z-API registration codes never expire"),
    ZapiNoAttemptLimit => ("zapi-no-attempt-limit", Zapi,
        "Z-API never invalidates a code after 5 wrong attempts"),
    ZapiNoWait => ("zapi-no-wait", Zapi,
        "Z-API sends a new code while the method's wait is still running"),
    ZapiConfirmAfterConnected => ("zapi-confirm-after-connected", Zapi,
        "Z-API confirm-registration-code on a connected instance answers its own checks instead of C1's `already connected`"),
    ZapiRequestAfterConnected => ("zapi-request-after-connected", Zapi,
        "Z-API request-registration-code ignores the connection: a connected instance gets a wait refusal or a new code"),
    ZapiConnectedCheckedLate => ("zapi-connected-checked-late", Zapi,
        "Z-API respond-captcha and confirm-pin-code on a connected instance answer `nothing pending` instead of `already connected`"),
    ZapiAvailabilityDisconnects => ("zapi-availability-disconnects", Zapi,
        "Z-API registration-available on a connected instance starts a new registration (the instance is no longer connected)"),
    ZapiRecoveryOutsidePin => ("zapi-recovery-outside-pin", Zapi,
        "Z-API recovery-pin-code succeeds when no registration waits for the PIN"),
    ZapiRecoveryForgetsPin => ("zapi-recovery-forgets-pin", Zapi,
        "Z-API recovery-pin-code drops the pending PIN, so the PIN the registration had no longer confirms"),
    ZapiRecoveryMailNotFiled => ("zapi-recovery-mail-not-filed", Zapi,
        "Z-API recovery-pin-code answers success but emails nothing"),
    ZapiAppealAnyToken => ("zapi-appeal-any-token", Zapi,
        "Z-API request-unbanning accepts an appealToken that registration-available never gave"),
    ZapiAppealUnbansAtOnce => ("zapi-appeal-unbans-at-once", Zapi,
        "Z-API request-unbanning answers IN_REVIEW but lifts the ban at once"),
    ZapiUnbannedStaysBanned => ("zapi-unbanned-stays-banned", Zapi,
        "Z-API keeps the number banned after the sandbox's appeal-unbanned"),
    ZapiSecurityWithoutConnection => ("zapi-security-without-connection", Zapi,
        "Z-API answers the /security operations on an instance that is not connected"),
    ZapiPinNotStored => ("zapi-pin-not-stored", Zapi,
        "Z-API set PIN answers success but hasCode stays false"),
    ZapiEmailVerifiedAtOnce => ("zapi-email-verified-at-once", Zapi,
        "Z-API reports a new email verified before its code is given"),
    ZapiEmailAnyCode => ("zapi-email-any-code", Zapi,
        "Z-API verify-email accepts a wrong code"),
    ZapiEmailCodeNotSuperseded => ("zapi-email-code-not-superseded", Zapi,
        "Z-API keeps the earlier email's verification code valid after a new set"),
    ZapiEmailVerifiesTwice => ("zapi-email-verifies-twice", Zapi,
        "Z-API verify-email succeeds again on an email already verified"),
    // Wawp.
    WawpTokenNotChecked => ("wawp-token-not-checked", Wawp,
        "Wawp accepts any access_token for an existing instance"),
    WawpRequestCodeAnyStatus => ("wawp-request-code-any-status", Wawp,
        "Wawp hands out a pairing code outside SCAN_QR_CODE"),
    WawpQrAnyStatus => ("wawp-qr-any-status", Wawp,
        "Wawp hands out a QR image outside SCAN_QR_CODE"),
    WawpLogoutKeepsStatus => ("wawp-logout-keeps-status", Wawp,
        "Wawp session/logout unlinks the device but leaves a WORKING session WORKING instead of SCAN_QR_CODE"),
    WawpMismatch409 => ("wawp-mismatch-409", Wawp,
        "Wawp answers a session status mismatch with the undocumented 409"),
    WawpPairingCodeFormat => ("wawp-pairing-code-format", Wawp,
        "Wawp pairing codes lose their hyphen (ABCD1234)"),
    WawpInfoMissingStatus => ("wawp-info-missing-status", Wawp,
        "Wawp session/info omits the required status field"),
    WawpCreateNotStopped => ("wawp-create-not-stopped", Wawp,
        "Wawp session/create makes a session in SCAN_QR_CODE instead of STOPPED"),
    WawpCreateShortId => ("wawp-create-short-id", Wawp,
        "Wawp session/create answers a 9-character instance_id instead of 12"),
    WawpStartingTooShort => ("wawp-starting-too-short", Wawp,
        "a started Wawp session leaves STARTING after 2 seconds instead of 10"),
    WawpRestartRefused => ("wawp-restart-refused", Wawp,
        "Wawp session/restart refuses a WORKING session with 422 instead of restarting it"),
    WawpLogoutKeepsKeys => ("wawp-logout-keeps-keys", Wawp,
        "Wawp session/logout keeps the saved keys: a later restart comes back WORKING"),
    WawpDeleteKeepsSession => ("wawp-delete-keeps-session", Wawp,
        "Wawp session/delete answers DELETED but the session still answers"),
    WawpMeAnyStatus => ("wawp-me-any-status", Wawp,
        "Wawp session/me answers outside WORKING"),
    WawpMeOtherId => ("wawp-me-other-id", Wawp,
        "Wawp session/me's id differs from session/info's me.id"),
    WawpRawQrAnyStatus => ("wawp-raw-qr-any-status", Wawp,
        "Wawp auth/qr hands out a raw QR outside SCAN_QR_CODE"),
    WawpRawQrNeverRotates => ("wawp-raw-qr-never-rotates", Wawp,
        "the Wawp raw QR keeps its value after its expiry"),
    WawpRawQrUnstable => ("wawp-raw-qr-unstable", Wawp,
        "the Wawp raw QR changes its value on every fetch while its expiry stays"),
    WawpRawQrExpirySeconds => ("wawp-raw-qr-expiry-seconds", Wawp,
        "the Wawp raw QR's expiry is in Unix seconds instead of milliseconds"),
    // Hypersender.
    HypersenderAuthIgnored => ("hypersender-auth-ignored", Hypersender,
        "Hypersender does not check the bearer token"),
    HypersenderValidation400 => ("hypersender-validation-400", Hypersender,
        "Hypersender answers validation errors with 400 instead of 422"),
    HypersenderCodeLengthOffByOne => ("hypersender-code-length-off-by-one", Hypersender,
        "Hypersender codes have length + 1 characters"),
    HypersenderCharsetIgnored => ("hypersender-charset-ignored", Hypersender,
        "Hypersender puts letters in codes when useLetter is false"),
    HypersenderExpiresAtWrong => ("hypersender-expires-at-wrong", Hypersender,
        "Hypersender expires_at ignores the requested expires (always created_at + 1800)"),
    HypersenderExpiresAtNotDateTime => ("hypersender-expires-at-not-date-time", Hypersender,
        "Hypersender expires_at is not an RFC 3339 date-time"),
    HypersenderCodeReusable => ("hypersender-code-reusable", Hypersender,
        "Hypersender validates a used code again"),
    HypersenderExpiryNotEnforced => ("hypersender-expiry-not-enforced", Hypersender,
        "Hypersender validates an expired code"),
    HypersenderWrongCodeAccepted => ("hypersender-wrong-code-accepted", Hypersender,
        "Hypersender validates a wrong code"),
    HypersenderNoSupersede => ("hypersender-no-supersede", Hypersender,
        "Hypersender keeps an older code valid after a new request-code"),
    HypersenderLinkNeverVerifies => ("hypersender-link-never-verifies", Hypersender,
        "Hypersender fails a magic link when the chat sends its prefilled text"),
    HypersenderLinkAnyCodeVerifies => ("hypersender-link-any-code-verifies", Hypersender,
        "Hypersender verifies a magic link with another bracketed code"),
    HypersenderLinkNeverExpires => ("hypersender-link-never-expires", Hypersender,
        "Hypersender verifies a magic link after its expires_at"),
    HypersenderLinkNotFinal => ("hypersender-link-not-final", Hypersender,
        "Hypersender decides a verified or failed magic link again on a later message"),
    HypersenderLinkExpiresAtWrong => ("hypersender-link-expires-at-wrong", Hypersender,
        "Hypersender link expires_at ignores the requested expires (always created_at + 1800)"),
    HypersenderLinkTextWithoutCode => ("hypersender-link-text-without-code", Hypersender,
        "Hypersender's whatsapp_link text leaves out the bracketed code"),
    HypersenderLinkNoCallback => ("hypersender-link-no-callback", Hypersender,
        "Hypersender files no callback record when a magic link is verified or fails"),
    HypersenderRewordedMessage => ("hypersender-reworded-message", Hypersender,
        "Hypersender's request-code success message is reworded: no schema or rule fixes it, only a snapshot sees it"),
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// An unknown fault name; its message lists the valid ones.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown fault `{name}`; valid faults are: {}", Fault::ALL.iter().map(|f| f.name()).collect::<Vec<_>>().join(", "))]
pub struct UnknownFault {
    pub name: String,
}

impl FromStr for Fault {
    type Err = UnknownFault;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Fault::ALL.iter().copied().find(|f| f.name() == s).ok_or_else(|| UnknownFault { name: s.to_owned() })
    }
}

/// The set of faults switched on for one server.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Faults(BTreeSet<Fault>);

impl Faults {
    pub fn none() -> Self {
        Self::default()
    }

    pub fn has(&self, fault: Fault) -> bool {
        self.0.contains(&fault)
    }

    pub fn iter(&self) -> impl Iterator<Item = Fault> + '_ {
        self.0.iter().copied()
    }
}

impl FromIterator<Fault> for Faults {
    fn from_iter<I: IntoIterator<Item = Fault>>(iter: I) -> Self {
        Faults(iter.into_iter().collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_round_trip() {
        let mut seen = BTreeSet::new();
        for fault in Fault::ALL {
            assert!(seen.insert(fault.name()), "duplicate name {}", fault.name());
            assert_eq!(fault.name().parse::<Fault>(), Ok(*fault));
            let prefix = fault.scope().as_str();
            assert!(
                fault.scope() == FaultScope::All || fault.name().starts_with(prefix),
                "{} should start with {prefix}",
                fault.name()
            );
        }
        assert!(Fault::ALL.len() >= 20);
    }

    #[test]
    fn unknown_name_lists_the_valid_ones() {
        let err = "no-such-fault".parse::<Fault>().unwrap_err();
        let message = err.to_string();
        assert!(message.contains("`no-such-fault`"));
        assert!(message.contains("malformed-json-500"));
        assert!(message.contains("hypersender-no-supersede"));
    }
}
