//! Whether the run is in CI, decided one way for every flag that asks (`--show-secrets` and
//! `--update-snapshots` are refused there; snapshots are never written there): as insta decides
//! it, so that conform and `cargo insta` agree. `CI` set to anything but `""`, `0` or `false`;
//! without `CI`, Azure Pipelines' `TF_BUILD`.

/// Whether the process runs in CI.
pub fn in_ci() -> bool {
    ci(std::env::var_os("CI").as_deref(), std::env::var_os("TF_BUILD").is_some())
}

/// [`in_ci`] for given values of `CI` and whether `TF_BUILD` is set.
fn ci(value: Option<&std::ffi::OsStr>, tf_build: bool) -> bool {
    match value.map(|v| v.to_str()) {
        None => tf_build,
        Some(Some("" | "0" | "false")) => false,
        Some(_) => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ci_is_any_value_but_empty_zero_or_false() {
        let is = |value: &str| ci(Some(std::ffi::OsStr::new(value)), false);
        assert!(is("true") && is("1") && is("yes") && is("FALSE"));
        assert!(!is("0") && !is("false") && !is(""), "CI=0 is not CI, for every flag alike");
        assert!(!ci(None, false));
        assert!(ci(None, true), "Azure Pipelines sets TF_BUILD, not CI");
        assert!(!ci(Some(std::ffi::OsStr::new("0")), true), "CI=0 wins over TF_BUILD");
    }
}
