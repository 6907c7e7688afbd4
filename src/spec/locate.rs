//! Finding the line and column of a JSON pointer in YAML text, for error messages. Best effort:
//! block-style mappings and sequences are followed; when a segment cannot be found (flow style,
//! anchors), the deepest ancestor found is returned.

/// The 1-based line and column where `pointer` (`#/paths/~1x/post`) starts in `text`.
pub fn locate(text: &str, pointer: &str) -> Option<(usize, usize)> {
    let lines: Vec<&str> = text.lines().collect();
    locate_in(&lines, pointer)
}

/// [`locate`] in text already split into lines (to locate many pointers in one big file).
pub fn locate_in(lines: &[&str], pointer: &str) -> Option<(usize, usize)> {
    walk(lines, pointer).found.or(Some((1, 1)))
}

/// Every line and column where `key` is written in the object at `pointer` (more than one when
/// the key is duplicated). Empty when the object cannot be found.
pub fn locate_all(text: &str, pointer: &str, key: &str) -> Vec<(usize, usize)> {
    let lines: Vec<&str> = text.lines().collect();
    let walked = walk(&lines, pointer);
    if !walked.complete {
        return Vec::new();
    }
    let Some((first, indent)) = find_key(&lines, walked.from, walked.min_indent, key) else { return Vec::new() };
    let mut out = vec![(first + 1, indent + 1)];
    // Later keys of the same object sit at the same indent, before anything less indented.
    for (i, line) in lines.iter().enumerate().skip(first + 1) {
        if !is_content(line) {
            continue;
        }
        let body = line.trim_start().trim_start_matches("- ");
        let at = indent_of(line) + (line.trim_start().len() - body.len());
        if at < indent {
            break;
        }
        if at == indent && is_key(body, key) {
            out.push((i + 1, at + 1));
        }
    }
    out
}

/// Whether a line's content (indent stripped) is `key:` (quoted or not).
fn is_key(body: &str, key: &str) -> bool {
    let unquoted = body.trim_start_matches(['"', '\'']);
    unquoted.strip_prefix(key).is_some_and(|rest| rest.trim_start_matches(['"', '\'']).starts_with(':'))
}

/// Where following a pointer got to.
struct Walked {
    /// The deepest place found.
    found: Option<(usize, usize)>,
    /// The first line and the least indent of the content under it.
    from: usize,
    min_indent: usize,
    /// Whether every segment was found.
    complete: bool,
}

fn walk(lines: &[&str], pointer: &str) -> Walked {
    let segments: Vec<String> =
        pointer.trim_start_matches('#').split('/').skip(1).map(|s| s.replace("~1", "/").replace("~0", "~")).collect();
    let mut walked = Walked { found: None, from: 0, min_indent: 0, complete: true };
    for segment in &segments {
        // A numeric segment is a sequence index, or a key such as a status code.
        let item =
            segment.parse::<usize>().ok().and_then(|index| find_item(lines, walked.from, walked.min_indent, index));
        let hit = item.or_else(|| find_key(lines, walked.from, walked.min_indent, segment));
        match hit {
            // An item's content starts on its own line (`- name: x`), at the item's content indent.
            Some((line, indent)) if item.is_some() => {
                walked.found = Some((line + 1, indent + 1));
                walked.from = line;
                walked.min_indent = indent;
            }
            Some((line, indent)) => {
                walked.found = Some((line + 1, indent + 1));
                walked.from = line + 1;
                walked.min_indent = indent + 1;
            }
            None => {
                walked.complete = false;
                break;
            }
        }
    }
    walked
}

fn indent_of(line: &str) -> usize {
    line.len() - line.trim_start().len()
}

/// Whether a line holds a key or an item (not blank, a comment, or a bracket of pretty-printed JSON).
fn is_content(line: &str) -> bool {
    let trimmed = line.trim_start();
    !trimmed.is_empty() && !trimmed.starts_with('#') && !trimmed.chars().all(|c| "{}[],".contains(c))
}

/// The line of `key:` within the block that starts at `from` (indent at least `min_indent`).
fn find_key(lines: &[&str], from: usize, min_indent: usize, key: &str) -> Option<(usize, usize)> {
    let mut block_indent = None;
    for (i, line) in lines.iter().enumerate().skip(from) {
        if !is_content(line) {
            continue;
        }
        let body = line.trim_start().trim_start_matches("- ");
        let indent = indent_of(line) + (line.trim_start().len() - body.len());
        if indent < min_indent {
            return None;
        }
        let level = *block_indent.get_or_insert(indent);
        if indent < level {
            return None;
        }
        if indent == level && is_key(body, key) {
            return Some((i, indent));
        }
    }
    None
}

/// The line of the `index`-th `- ` item of the sequence that starts at `from`.
fn find_item(lines: &[&str], from: usize, min_indent: usize, index: usize) -> Option<(usize, usize)> {
    let mut seen = 0;
    let mut level = None;
    for (i, line) in lines.iter().enumerate().skip(from) {
        if !is_content(line) {
            continue;
        }
        let indent = indent_of(line);
        if indent < min_indent.saturating_sub(1) {
            return None;
        }
        if line.trim_start().starts_with("- ") || line.trim_start() == "-" {
            let level = *level.get_or_insert(indent);
            if indent == level {
                if seen == index {
                    return Some((i, indent + 2));
                }
                seen += 1;
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "openapi: 3.1.0\npaths:\n  /a/b:\n    post:\n      parameters:\n        - name: x\n        - name: y\n          in: query\n      responses:\n        '200':\n          description: ok\n";

    #[test]
    fn finds_keys_and_items() {
        assert_eq!(locate(TEXT, "#/paths/~1a~1b/post"), Some((4, 5)));
        assert_eq!(locate(TEXT, "#/paths/~1a~1b/post/parameters/1/in"), Some((8, 11)));
        assert_eq!(locate(TEXT, "#/paths/~1a~1b/post/responses/200/description"), Some((11, 11)));
    }

    #[test]
    fn falls_back_to_the_deepest_ancestor() {
        assert_eq!(locate(TEXT, "#/paths/~1a~1b/get"), Some((3, 3)));
        assert_eq!(locate(TEXT, "#/nope"), Some((1, 1)));
    }

    #[test]
    fn finds_every_place_of_a_duplicated_key() {
        let text = "a:\n  x: 1\n  y:\n    x: 2\n  x: 3\nx: 4\n";
        assert_eq!(locate_all(text, "#/a", "x"), [(2, 3), (5, 3)]);
        assert_eq!(locate_all(text, "#", "x"), [(6, 1)]);
        assert!(locate_all(text, "#/nope", "x").is_empty());
    }
}
