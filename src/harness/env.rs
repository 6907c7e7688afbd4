//! The environment's word on a harness's settings, over the code's and the config file's:
//! `CONFORM_TARGET`, the builder's `target_env` variable, `CONFORM_SEED`, `CONFORM_CASES`,
//! `CONFORM_STRICT` and `CONFORM_SNAPSHOTS`. An empty variable counts as unset; a value that is
//! not what its variable wants is an error naming the variable (never a silent default).

use std::path::PathBuf;

use super::HarnessError;
use crate::config::{Origin, Settings, Snapshots, Targets};

fn get(env: &dyn Fn(&str) -> Option<String>, name: &str) -> Option<String> {
    env(name).map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
}

fn number<T: std::str::FromStr>(env: &dyn Fn(&str) -> Option<String>, name: &str) -> Result<Option<T>, HarnessError> {
    get(env, name)
        .map(|text| text.parse().map_err(|_| HarnessError::Env(format!("{name}=`{text}` is not a whole number"))))
        .transpose()
}

/// Lays the environment over `settings`.
pub(super) fn apply(
    settings: &mut Settings,
    target_env: Option<&str>,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<(), HarnessError> {
    let origin = |name: &str| Origin::Environment(name.to_owned());
    // CONFORM_TARGET is looked at last, so that it wins.
    for name in target_env.into_iter().chain(["CONFORM_TARGET"]) {
        if let Some(url) = get(env, name) {
            settings.targets.set(Targets { target: vec![url], base_url: Vec::new() }, origin(name));
        }
    }
    if let Some(seed) = number(env, "CONFORM_SEED")? {
        settings.seed.set(Some(seed), origin("CONFORM_SEED"));
    }
    if let Some(cases) = number::<u32>(env, "CONFORM_CASES")? {
        if cases > 10_000 {
            return Err(HarnessError::Env(format!("CONFORM_CASES={cases}: at most 10000")));
        }
        settings.cases.set(cases, origin("CONFORM_CASES"));
    }
    if let Some(strict) = get(env, "CONFORM_STRICT") {
        let strict = !matches!(strict.to_ascii_lowercase().as_str(), "0" | "false" | "no");
        settings.strict.set(strict, origin("CONFORM_STRICT"));
    }
    if let Some(dir) = get(env, "CONFORM_SNAPSHOTS") {
        settings.snapshots.set(Snapshots::Dir(PathBuf::from(dir)), origin("CONFORM_SNAPSHOTS"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Setting;

    fn with(vars: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let vars: Vec<(String, String)> = vars.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
        move |name| vars.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())
    }

    #[test]
    fn the_environment_beats_code_and_file() {
        let mut settings = Settings::default();
        settings.cases.set(3, Origin::Code(".cases()".into()));
        settings.strict.set(true, Origin::Code(".strict()".into()));
        let env = with(&[
            ("API_URL", "http://api.example"),
            ("CONFORM_SEED", "42"),
            ("CONFORM_CASES", " 7 "),
            ("CONFORM_STRICT", "0"),
            ("CONFORM_SNAPSHOTS", "snaps"),
        ]);
        apply(&mut settings, Some("API_URL"), &env).unwrap();
        assert_eq!(settings.targets.value.target, ["http://api.example"]);
        assert_eq!(settings.targets.origin, Origin::Environment("API_URL".into()));
        assert_eq!(settings.seed, Setting::new(Some(42), Origin::Environment("CONFORM_SEED".into())));
        assert_eq!(settings.cases.value, 7);
        assert!(!settings.strict.value);
        assert_eq!(settings.snapshots.value, Snapshots::Dir("snaps".into()));
    }

    #[test]
    fn conform_target_wins_and_empty_values_are_unset() {
        let mut settings = Settings::default();
        let env =
            with(&[("API_URL", "http://a.example"), ("CONFORM_TARGET", "http://b.example"), ("CONFORM_SEED", "")]);
        apply(&mut settings, Some("API_URL"), &env).unwrap();
        assert_eq!(settings.targets.value.target, ["http://b.example"]);
        assert!(settings.seed.is_default());
        let mut untouched = Settings::default();
        apply(&mut untouched, Some("API_URL"), &with(&[("CONFORM_STRICT", "yes")])).unwrap();
        assert!(untouched.targets.is_default() && untouched.strict.value);
    }

    #[test]
    fn a_bad_value_names_its_variable() {
        let error = apply(&mut Settings::default(), None, &with(&[("CONFORM_CASES", "many")])).unwrap_err();
        assert_eq!(error.to_string(), "CONFORM_CASES=`many` is not a whole number");
        let error = apply(&mut Settings::default(), None, &with(&[("CONFORM_CASES", "20000")])).unwrap_err();
        assert!(error.to_string().contains("at most 10000"));
    }
}
