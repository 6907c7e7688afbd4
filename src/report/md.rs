//! Markdown building blocks shared by the Markdown summary and the Markdown comparison: safe table
//! cells and code spans, lists cut with "… and N more", and the hard cap of [`MAX_CHARS`] that a
//! pull-request comment or a CI step summary can hold.

use std::fmt::Write;

/// The most a Markdown report may hold (GitHub's limit for a comment), counted in bytes, which is
/// never fewer than its characters.
pub const MAX_CHARS: usize = 65_536;

/// Table cells and list items are cut to this many characters.
pub const MAX_CELL_CHARS: usize = 160;

/// `text` cut to `max` characters, with `…` when something was cut.
pub fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_owned()
    } else {
        let mut out: String = text.chars().take(max.saturating_sub(1)).collect();
        out.push('…');
        out
    }
}

/// `text` as the content of one table cell: on one line, pipes escaped, cut to [`MAX_CELL_CHARS`].
pub fn cell(text: &str) -> String {
    one_line(&shorten(text, MAX_CELL_CHARS)).replace('|', "\\|")
}

/// `text` as an inline code span that its own backticks cannot close: the fence is one backtick
/// longer than the longest run inside, padded with spaces when the text starts or ends with one.
/// On one line, pipes escaped (GFM requires it inside table cells, code spans included), cut to
/// [`MAX_CELL_CHARS`].
pub fn code(text: &str) -> String {
    let text = one_line(&shorten(text, MAX_CELL_CHARS));
    let mut longest = 0;
    let mut run = 0;
    for c in text.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    let fence = "`".repeat(longest + 1);
    let pad = if text.starts_with('`') || text.ends_with('`') || text.is_empty() { " " } else { "" };
    format!("{fence}{pad}{text}{pad}{fence}").replace('|', "\\|")
}

/// Newlines (and other line breaks) as spaces.
fn one_line(text: &str) -> String {
    text.chars().map(|c| if c == '\n' || c == '\r' { ' ' } else { c }).collect()
}

/// A table: the head, then at most `max` rows, then "… and N more" when rows were cut.
pub fn table(out: &mut String, head: &[&str], rows: impl ExactSizeIterator<Item = Vec<String>>, max: usize) {
    let total = rows.len();
    let _ = writeln!(out, "| {} |", head.join(" | "));
    let _ = writeln!(out, "|{}", "---|".repeat(head.len()));
    for row in rows.take(max) {
        let _ = writeln!(out, "| {} |", row.join(" | "));
    }
    more(out, total, max);
}

/// A bullet list of at most `max` items, then "… and N more" when items were cut.
pub fn list(out: &mut String, items: impl ExactSizeIterator<Item = String>, max: usize) {
    let total = items.len();
    for item in items.take(max) {
        let _ = writeln!(out, "- {item}");
    }
    more(out, total, max);
}

fn more(out: &mut String, total: usize, shown: usize) {
    if total > shown {
        let _ = writeln!(out, "\n… and {} more", total - shown);
    }
}

/// The report within [`MAX_CHARS`]: when the sections together are still too long, it is cut at a
/// line boundary, with a last line that says so.
pub fn fit(mut out: String) -> String {
    if out.len() <= MAX_CHARS {
        return out;
    }
    const NOTE: &str = "\n… cut here: the summary reached its limit of 65,536 characters\n";
    let mut end = MAX_CHARS - NOTE.len();
    while !out.is_char_boundary(end) {
        end -= 1;
    }
    let end = out[..end].rfind('\n').unwrap_or(end);
    out.truncate(end);
    out.push_str(NOTE);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_keep_to_one_line_and_escape_pipes() {
        assert_eq!(cell("a | b\nc"), "a \\| b c");
        assert_eq!(cell(&"x".repeat(500)).chars().count(), MAX_CELL_CHARS);
        assert!(cell(&"x".repeat(500)).ends_with('…'));
    }

    #[test]
    fn code_spans_cannot_be_closed_by_their_text() {
        assert_eq!(code("plain"), "`plain`");
        assert_eq!(code("a `b` c"), "``a `b` c``");
        assert_eq!(code("``x"), "``` ``x ```");
        assert_eq!(code("a|b"), "`a\\|b`");
    }

    #[test]
    fn lists_say_how_many_were_cut() {
        let mut out = String::new();
        list(&mut out, (0..5).map(|n| n.to_string()), 2);
        assert_eq!(out, "- 0\n- 1\n\n… and 3 more\n");
        let mut out = String::new();
        table(&mut out, &["a"], vec![vec!["1".to_owned()]].into_iter(), 5);
        assert_eq!(out, "| a |\n|---|\n| 1 |\n");
    }

    #[test]
    fn fit_cuts_at_a_line_and_says_so() {
        let long = "é123456789\n".repeat(10_000);
        let cut = fit(long);
        assert!(cut.len() <= MAX_CHARS);
        assert!(cut.ends_with("limit of 65,536 characters\n"));
        assert_eq!(fit("short\n".to_owned()), "short\n");
    }
}
