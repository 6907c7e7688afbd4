//! Which report files a run writes: `--report FORMAT=PATH`, parsed and checked before anything runs.

use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;

/// A file report's format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Format {
    /// The whole result, as conform reads it back (`report merge`, `report compare`).
    Json,
    /// JUnit XML, for CI test viewers.
    Junit,
    /// One self-contained page for people.
    Html,
    /// A short summary for CI step summaries and pull-request comments.
    Markdown,
}

impl Format {
    pub const ALL: [Format; 4] = [Format::Json, Format::Junit, Format::Html, Format::Markdown];

    pub fn name(self) -> &'static str {
        match self {
            Format::Json => "json",
            Format::Junit => "junit",
            Format::Html => "html",
            Format::Markdown => "markdown",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One `--report FORMAT=PATH`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportTarget {
    pub format: Format,
    pub path: PathBuf,
}

impl FromStr for ReportTarget {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let names = || Format::ALL.map(Format::name).join(", ");
        let (name, path) = text.split_once('=').ok_or_else(|| {
            format!("`{text}`: expected FORMAT=PATH, for example json=out/report.json (formats: {})", names())
        })?;
        let format = Format::ALL
            .into_iter()
            .find(|f| f.name().eq_ignore_ascii_case(name.trim()))
            .ok_or_else(|| format!("`{name}` is not a report format (formats: {})", names()))?;
        if path.trim().is_empty() {
            return Err(format!("`{text}`: the path is empty"));
        }
        Ok(ReportTarget { format, path: PathBuf::from(path) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_format_and_path() {
        let target: ReportTarget = "html=out/report.html".parse().unwrap();
        assert_eq!(target, ReportTarget { format: Format::Html, path: "out/report.html".into() });
        let target: ReportTarget = "JUnit=a=b.xml".parse().unwrap();
        assert_eq!(target, ReportTarget { format: Format::Junit, path: "a=b.xml".into() });
    }

    #[test]
    fn refuses_what_is_not_a_report() {
        assert!("out.json".parse::<ReportTarget>().unwrap_err().contains("expected FORMAT=PATH"));
        assert!("pdf=x.pdf".parse::<ReportTarget>().unwrap_err().contains("not a report format"));
        assert!("json=".parse::<ReportTarget>().unwrap_err().contains("path is empty"));
    }
}
