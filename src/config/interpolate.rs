//! `${NAME}` in a config file's strings: the value of the environment variable `NAME`, so that a
//! token lives in the CI's secret store rather than in the file. `$$` is one `$`; a `$` before
//! anything else is kept as it is. An unset variable is an error (a run with a missing token
//! would test something else than the file says), and so is a `${` left open.

/// A string with its `${NAME}`s replaced, and the names, in order, each once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Interpolated {
    pub text: String,
    pub env: Vec<String>,
}

/// Why a string could not be interpolated, and the byte offset in it where the problem starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub offset: usize,
    pub message: String,
}

/// Replaces each `${NAME}` of `text` by `env(NAME)`.
pub fn interpolate(text: &str, env: &dyn Fn(&str) -> Option<String>) -> Result<Interpolated, Problem> {
    let mut out = Interpolated { text: String::with_capacity(text.len()), env: Vec::new() };
    let mut rest = text;
    while let Some(at) = rest.find('$') {
        out.text.push_str(&rest[..at]);
        let offset = text.len() - rest.len() + at;
        let after = &rest[at + 1..];
        if let Some(after) = after.strip_prefix('$') {
            out.text.push('$');
            rest = after;
        } else if let Some(body) = after.strip_prefix('{') {
            let Some(end) = body.find('}') else {
                return Err(Problem {
                    offset,
                    message: "`${` is not closed: write `${NAME}` (or `$$` for a `$`)".into(),
                });
            };
            let name = &body[..end];
            if name.is_empty() || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
                return Err(Problem {
                    offset,
                    message: format!(
                        "`${{{name}}}`: an environment variable's name is letters, digits and `_` (`$$` is a `$`)"
                    ),
                });
            }
            let Some(value) = env(name) else {
                return Err(Problem {
                    offset,
                    message: format!("`${{{name}}}`: the environment variable {name} is not set"),
                });
            };
            out.text.push_str(&value);
            if !out.env.iter().any(|n| n == name) {
                out.env.push(name.to_owned());
            }
            rest = &body[end + 1..];
        } else {
            out.text.push('$');
            rest = after;
        }
    }
    out.text.push_str(rest);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(name: &str) -> Option<String> {
        match name {
            "STAGING_TOKEN" => Some("t0k3n".into()),
            "HOST" => Some("staging.example.com".into()),
            _ => None,
        }
    }

    #[test]
    fn replaces_names_and_keeps_the_rest() {
        let done = interpolate("Bearer ${STAGING_TOKEN} at https://${HOST}/ ${STAGING_TOKEN}", &env).unwrap();
        assert_eq!(done.text, "Bearer t0k3n at https://staging.example.com/ t0k3n");
        assert_eq!(done.env, ["STAGING_TOKEN", "HOST"]);
        let plain = interpolate("cost: $5, $$HOME, ${HOST}$", &env).unwrap();
        assert_eq!(plain.text, "cost: $5, $HOME, staging.example.com$");
        assert_eq!(interpolate("no dollar", &env).unwrap().env, Vec::<String>::new());
    }

    #[test]
    fn unset_open_and_bad_names_are_located() {
        let unset = interpolate("a ${MISSING} b", &env).unwrap_err();
        assert_eq!(
            unset,
            Problem { offset: 2, message: "`${MISSING}`: the environment variable MISSING is not set".into() }
        );
        assert_eq!(interpolate("x ${HOST", &env).unwrap_err().offset, 2);
        assert!(interpolate("${A B}", &env).unwrap_err().message.contains("letters, digits and `_`"));
        assert!(interpolate("${}", &env).is_err());
    }
}
