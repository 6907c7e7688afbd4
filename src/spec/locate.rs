//! Finding the line and column of a JSON pointer in YAML text, for error messages. Best effort:
//! block-style mappings and sequences are followed; when a segment cannot be found (flow style,
//! anchors), the deepest ancestor found is returned.

/// The 1-based line and column where `pointer` (`#/paths/~1x/post`) starts in `text`.
pub fn locate(text: &str, pointer: &str) -> Option<(usize, usize)> {
    let segments: Vec<String> =
        pointer.trim_start_matches('#').split('/').skip(1).map(|s| s.replace("~1", "/").replace("~0", "~")).collect();
    let lines: Vec<&str> = text.lines().collect();
    let mut found = None;
    let mut from = 0;
    let mut min_indent = 0;
    for segment in &segments {
        // A numeric segment is a sequence index, or a key such as a status code.
        let item = segment.parse::<usize>().ok().and_then(|index| find_item(&lines, from, min_indent, index));
        let hit = item.or_else(|| find_key(&lines, from, min_indent, segment));
        let item = item.is_some().then_some(());
        match hit {
            // An item's content starts on its own line (`- name: x`), at the item's content indent.
            Some((line, indent)) if item.is_some() => {
                found = Some((line + 1, indent + 1));
                from = line;
                min_indent = indent;
            }
            Some((line, indent)) => {
                found = Some((line + 1, indent + 1));
                from = line + 1;
                min_indent = indent + 1;
            }
            None => break,
        }
    }
    found.or(Some((1, 1)))
}

fn indent_of(line: &str) -> usize {
    line.len() - line.trim_start().len()
}

fn is_content(line: &str) -> bool {
    let trimmed = line.trim_start();
    !trimmed.is_empty() && !trimmed.starts_with('#')
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
        if indent == level {
            let unquoted = body.trim_start_matches(['"', '\'']);
            if let Some(rest) = unquoted.strip_prefix(key) {
                let rest = rest.trim_start_matches(['"', '\'']);
                if rest.starts_with(':') {
                    return Some((i, indent));
                }
            }
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
}
