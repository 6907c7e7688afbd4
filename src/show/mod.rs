//! Showing what a run sent and received, in one place: the redaction of the user's secrets in
//! every form they take in text ([`Redactor`]), the masking of values the spec marks
//! (`x-conform-mask`, credentials, recipients: [`MaskPolicy`]), both together for one operation
//! ([`Shown`]), and the `curl` line that reproduces a request ([`to_curl`]). Everything a report,
//! a snapshot or the console prints of an exchange went through here; the checks never see it.

mod curl;
mod encodings;
mod mask;
mod redact;
mod shown;

pub use curl::to_curl;
pub use encodings::MIN_SAFE_LEN;
pub use mask::{
    HIDDEN, Mark, MaskPolicy, mask_body, mask_digits, mask_header, mask_json, mask_message, mask_phone, mask_request,
    mask_url,
};
pub use redact::{MASK, Redactor};
pub use shown::{Shown, mask_policy};
