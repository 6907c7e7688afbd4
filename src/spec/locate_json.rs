//! Finding the line and column of JSON pointers in JSON text, in one pass over the text, whether
//! it is pretty-printed or minified onto one line (where a line-based search can only say
//! "line 1"). A member is located at its key, an array item at its first character; a pointer
//! that is not in the text is located at its deepest ancestor that is.

use std::collections::{HashMap, HashSet};

use super::problem::escape;

/// The 1-based line and column (in bytes) of each of `pointers` in the JSON `text`, in order.
pub fn locate_json(text: &str, pointers: &[&str]) -> Vec<(usize, usize)> {
    // Every pointer wanted, and every ancestor of one: the scan enters only those.
    let mut wanted: HashSet<String> = HashSet::new();
    for pointer in pointers {
        let mut end = pointer.len();
        loop {
            wanted.insert(pointer[..end].to_owned());
            match pointer[..end].rfind('/') {
                Some(at) => end = at,
                None => break,
            }
        }
    }
    let bytes = text.as_bytes();
    let mut scanner = Scanner { bytes, at: 0, wanted: &wanted, found: HashMap::new(), pointer: String::from("#") };
    scanner.skip_space();
    if text.starts_with('\u{feff}') {
        scanner.at = 3;
        scanner.skip_space();
    }
    let start = scanner.at;
    scanner.found.insert("#".to_owned(), start);
    scanner.value();
    let mut offsets: Vec<usize> = pointers
        .iter()
        .map(|pointer| {
            let mut end = pointer.len();
            loop {
                if let Some(offset) = scanner.found.get(&pointer[..end]) {
                    return *offset;
                }
                match pointer[..end].rfind('/') {
                    Some(at) => end = at,
                    None => return 0,
                }
            }
        })
        .collect();
    // Offsets to lines and columns, counting newlines once.
    let mut order: Vec<usize> = (0..offsets.len()).collect();
    order.sort_by_key(|&i| offsets[i]);
    let (mut line, mut line_start, mut counted) = (1, 0, 0);
    let mut places = vec![(1, 1); offsets.len()];
    for i in order {
        let offset = offsets[i].min(bytes.len());
        for (at, byte) in bytes.iter().enumerate().take(offset).skip(counted) {
            if *byte == b'\n' {
                line += 1;
                line_start = at + 1;
            }
        }
        counted = counted.max(offset);
        places[i] = (line, offset - line_start + 1);
        offsets[i] = offset;
    }
    places
}

struct Scanner<'a> {
    bytes: &'a [u8],
    at: usize,
    wanted: &'a HashSet<String>,
    /// The offset of each wanted pointer met.
    found: HashMap<String, usize>,
    /// The pointer of the value being read.
    pointer: String,
}

impl Scanner<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    fn skip_space(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.at += 1;
        }
    }

    /// Reads the value at `at`: entering it when some wanted pointer is in it, else skipping it.
    fn value(&mut self) {
        self.skip_space();
        let enter = self.wanted.contains(&self.pointer);
        match self.peek() {
            Some(b'{') if enter => self.object(),
            Some(b'[') if enter => self.array(),
            Some(b'"') => self.string(),
            _ => self.skip_value(),
        }
    }

    fn object(&mut self) {
        self.at += 1;
        loop {
            self.skip_space();
            match self.peek() {
                Some(b'"') => {}
                Some(b'}') | None => {
                    self.at += 1;
                    return;
                }
                Some(_) => {
                    self.at += 1;
                    continue;
                }
            }
            let key_at = self.at;
            let key = self.key();
            let len = self.pointer.len();
            self.pointer.push('/');
            self.pointer.push_str(&escape(&key));
            if self.wanted.contains(&self.pointer) {
                self.found.insert(self.pointer.clone(), key_at);
            }
            self.skip_space();
            if self.peek() == Some(b':') {
                self.at += 1;
            }
            self.value();
            self.pointer.truncate(len);
            self.skip_space();
            if self.peek() == Some(b',') {
                self.at += 1;
            }
        }
    }

    fn array(&mut self) {
        self.at += 1;
        let mut index = 0;
        loop {
            self.skip_space();
            match self.peek() {
                Some(b']') | None => {
                    self.at += 1;
                    return;
                }
                Some(b',') => {
                    self.at += 1;
                    continue;
                }
                Some(_) => {}
            }
            let len = self.pointer.len();
            self.pointer.push('/');
            self.pointer.push_str(&index.to_string());
            if self.wanted.contains(&self.pointer) {
                self.found.insert(self.pointer.clone(), self.at);
            }
            self.value();
            self.pointer.truncate(len);
            index += 1;
        }
    }

    /// A key's text, unescaped.
    fn key(&mut self) -> String {
        let start = self.at;
        self.string();
        let raw = &self.bytes[start..self.at.min(self.bytes.len())];
        let raw = std::str::from_utf8(raw).unwrap_or_default();
        if raw.contains('\\') {
            serde_json::from_str::<String>(raw).unwrap_or_default()
        } else {
            raw.trim_matches('"').to_owned()
        }
    }

    /// Past a string that starts at `at`.
    fn string(&mut self) {
        self.at += 1;
        while let Some(byte) = self.peek() {
            self.at += 1;
            match byte {
                b'\\' => self.at += 1,
                b'"' => return,
                _ => {}
            }
        }
    }

    /// Past any value that starts at `at`, nested or not.
    fn skip_value(&mut self) {
        let mut depth = 0usize;
        while let Some(byte) = self.peek() {
            match byte {
                b'"' => {
                    self.string();
                    if depth == 0 {
                        return;
                    }
                    continue;
                }
                b'{' | b'[' => depth += 1,
                b'}' | b']' => {
                    if depth == 0 {
                        return;
                    }
                    depth -= 1;
                    if depth == 0 {
                        self.at += 1;
                        return;
                    }
                }
                b',' if depth == 0 => return,
                _ => {}
            }
            self.at += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minified_and_pretty_json_alike() {
        let minified = r#"{"swagger":"2.0","paths":{"/a/b":{"get":{"parameters":[{"name":"x"},{"name":"y","type":"int"}]}}},"n":[1,[2,3],{"k":"v"}]}"#;
        let pointers =
            ["#/paths/~1a~1b/get/parameters/1/type", "#/swagger", "#/n/2/k", "#/paths/~1a~1b/post", "#/nope"];
        let places = locate_json(minified, &pointers);
        let column = |needle: &str| minified.find(needle).unwrap() + 1;
        assert_eq!(places[0], (1, column(r#""type":"int""#)));
        assert_eq!(places[1], (1, 2));
        assert_eq!(places[2], (1, column(r#""k":"v""#)));
        assert_eq!(places[3], (1, column(r#""/a/b""#)), "the deepest ancestor found");
        assert_eq!(places[4], (1, 1));

        let pretty =
            serde_json::to_string_pretty(&serde_json::from_str::<serde_json::Value>(minified).unwrap()).unwrap();
        let places = locate_json(&pretty, &pointers[..1]);
        let line = pretty.lines().position(|l| l.contains(r#""type": "int""#)).unwrap() + 1;
        assert_eq!(places[0], (line, pretty.lines().nth(line - 1).unwrap().find('"').unwrap() + 1));
    }

    #[test]
    fn escaped_keys_and_strings_with_brackets() {
        let text = r#"{"a\/b": {"s": "}]\"{", "t": 1}, "c~d": [ {"e": 2} ]}"#;
        let places = locate_json(text, &["#/a~1b/t", "#/c~0d/0/e"]);
        assert_eq!(places[0].1, text.find(r#""t""#).unwrap() + 1);
        assert_eq!(places[1].1, text.find(r#""e""#).unwrap() + 1);
    }
}
