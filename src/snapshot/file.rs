//! The `.snap` file format of insta, so that `cargo insta review` and `cargo insta accept` work on
//! conform's snapshots: a YAML header between `---` lines (`source`, `expression`), then the
//! content. A snapshot that differs is written beside the committed one as `NAME.snap.new`.

use std::path::{Path, PathBuf};

use serde::Serialize;

/// The file name of a case's or a step's snapshot: the id's `::` parts joined with `__`, each
/// part made safe for a file name, as insta names its snapshots (`zapi__registration-available__example__available.snap`).
pub fn file_name(id: &str) -> String {
    let parts: Vec<String> = id.split("::").map(crate::case::slug).collect();
    format!("{}.snap", parts.join("__"))
}

/// Where the pending snapshot goes: `NAME.snap.new` beside `NAME.snap`.
pub fn pending_path(path: &Path) -> PathBuf {
    path.with_extension("snap.new")
}

#[derive(Serialize)]
struct Header<'a> {
    source: &'a str,
    expression: &'a str,
}

/// The whole file: insta's header, then the content and one newline.
pub fn render(source: &str, expression: &str, content: &str) -> String {
    let header = serde_yaml::to_string(&Header { source, expression }).unwrap_or_default();
    format!("---\n{header}---\n{}\n", normalized(content))
}

/// The content of a `.snap` file (what follows its header), compared as insta compares it:
/// trailing whitespace trimmed, CRLF as LF.
pub fn content(text: &str) -> String {
    let mut lines = text.split_inclusive('\n');
    let first = lines.next().unwrap_or_default();
    if first.trim_end() != "---" {
        // Legacy insta files (or hand-written ones) have no `---` header.
        return normalized(text);
    }
    let mut rest = String::new();
    let mut in_header = true;
    for line in lines {
        if in_header {
            in_header = line.trim_end() != "---";
            continue;
        }
        rest.push_str(line);
    }
    normalized(&rest)
}

/// Trailing whitespace trimmed, CRLF as LF.
pub fn normalized(content: &str) -> String {
    content.trim_end().replace("\r\n", "\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_format_follow_insta() {
        assert_eq!(file_name("zapi::confirm-pin-code::example::pin"), "zapi__confirm-pin-code__example__pin.snap");
        assert_eq!(file_name("hypersender::otp::expiry::02-validate"), "hypersender__otp__expiry__02-validate.snap");
        let text = render("conform run", "zapi::a::example::b", "status: 200\n");
        assert_eq!(text, "---\nsource: conform run\nexpression: zapi::a::example::b\n---\nstatus: 200\n");
        assert_eq!(content(&text), "status: 200");
        assert_eq!(content("---\nsource: x\n---\na\r\nb\n\n"), "a\nb");
        assert_eq!(pending_path(Path::new("s/a.snap")), Path::new("s/a.snap.new"));
    }
}
