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
        "Z-API confirms a new code on an instance that is already connected"),
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
