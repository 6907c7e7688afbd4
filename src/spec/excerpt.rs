//! The part of a file a diagnostic shows: a few lines around the problem, each cut to a window
//! around the column. A minified JSON spec is one line of tens of kilobytes; showing "the line"
//! printed the whole document. Line numbers stay those of the file.

use miette::{MietteError, MietteSpanContents, SourceCode, SourceSpan, SpanContents};

/// Lines shown before and after the problem's line.
const CONTEXT_LINES: usize = 2;
/// Bytes kept before the column on a long line, and in all on any shown line.
const BEFORE: usize = 60;
const WIDTH: usize = 160;

/// A window of a file's text, as a [`SourceCode`] whose line numbers are the file's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Excerpt {
    name: String,
    /// The shown lines, each cut to its window, joined by `\n`.
    text: String,
    /// The 0-based line of the file where `text` starts.
    first_line: usize,
    /// Where the problem is in `text`, and how many bytes to underline.
    offset: usize,
    width: usize,
    /// The 0-based line (in `text`) of the problem, and how many bytes were cut from its
    /// start (less the `…` shown instead), so that miette names the file's column.
    problem_line: usize,
    cut: usize,
}

/// The largest char boundary of `text` at or before `at`.
fn floor(text: &str, mut at: usize) -> usize {
    at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// The lines of `text` around `line` (1-based) and `column` (1-based, in bytes), named `name`.
pub fn excerpt(name: &str, text: &str, line: usize, column: usize) -> Excerpt {
    let line = line.max(1);
    let first = line.saturating_sub(CONTEXT_LINES + 1);
    let mut shown = String::new();
    let mut offset = 0;
    let mut width = 1;
    let mut cut = 0;
    for (index, full) in text.lines().enumerate().skip(first).take(line - first + CONTEXT_LINES) {
        if !shown.is_empty() {
            shown.push('\n');
        }
        let target = column.saturating_sub(1).min(full.len());
        let start =
            if index + 1 == line && full.len() > WIDTH { floor(full, target.saturating_sub(BEFORE)) } else { 0 };
        let end = floor(full, start + WIDTH);
        if start > 0 {
            shown.push('…');
            if index + 1 == line {
                cut = start - '…'.len_utf8();
            }
        }
        if index + 1 == line {
            offset = shown.len() + floor(full, target).saturating_sub(start);
            let rest = &full[floor(full, target).max(start)..end];
            width = rest.find(['\n', ':']).unwrap_or(rest.len()).clamp(1, 60);
        }
        shown.push_str(&full[start..end]);
        if end < full.len() {
            shown.push('…');
        }
    }
    width = width.min(shown.len().saturating_sub(offset)).max(usize::from(offset < shown.len()));
    Excerpt {
        name: name.to_owned(),
        text: shown,
        first_line: first,
        offset,
        width,
        problem_line: line - 1 - first,
        cut,
    }
}

impl Excerpt {
    /// The span to underline.
    pub fn span(&self) -> std::ops::Range<usize> {
        self.offset..self.offset + self.width
    }

    /// The shown text (for tests and plain renderings).
    pub fn text(&self) -> &str {
        &self.text
    }
}

impl SourceCode for Excerpt {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let inner = self.text.as_str().read_span(span, context_lines_before, context_lines_after)?;
        // Contents that start inside the problem's line (the label's own) start at the file's column.
        let column = if inner.column() > 0 && inner.line() == self.problem_line {
            inner.column() + self.cut
        } else {
            inner.column()
        };
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            inner.data(),
            *inner.span(),
            inner.line() + self.first_line,
            column,
            inner.line_count(),
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_line_is_cut_around_the_column() {
        let line = format!("{{\"a\":\"{}\",\"type\":\"int\",\"b\":\"{}\"}}", "x".repeat(30_000), "y".repeat(30_000));
        let column = line.find("\"type\"").unwrap() + 1;
        let shown = excerpt("s.json", &line, 1, column);
        assert!(shown.text().len() < 200, "{}", shown.text().len());
        assert!(shown.text().starts_with('…') && shown.text().ends_with('…'));
        assert_eq!(&shown.text()[shown.span()], "\"type\"");
        let span: SourceSpan = shown.span().into();
        assert_eq!(shown.read_span(&span, 0, 0).unwrap().column() + 1, column, "the file's column");
    }

    #[test]
    fn short_lines_are_shown_whole_with_their_neighbours_and_numbers() {
        let text = "a: 1\nb: 2\nc:\n  d: é\ne: 5\nf: 6\ng: 7\n";
        let shown = excerpt("s.yaml", text, 4, 3);
        assert_eq!(shown.text(), "b: 2\nc:\n  d: é\ne: 5\nf: 6");
        assert_eq!(&shown.text()[shown.span()], "d");
        let span: SourceSpan = shown.span().into();
        let contents = shown.read_span(&span, 1, 1).unwrap();
        assert_eq!(contents.line(), 2, "0-based line of `c:` in the file");
        let past_the_end = excerpt("s.yaml", "a: 1", 9, 9);
        assert!(past_the_end.span().end <= past_the_end.text().len());
    }
}
