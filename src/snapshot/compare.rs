//! Comparing a normalized answer with its committed snapshot, as insta does: a match passes; a
//! change or a missing snapshot fails, and outside CI the new content is written beside the
//! committed file as `NAME.snap.new` for `cargo insta review`. `--update-snapshots` records
//! (writes `NAME.snap`) instead. With CI set nothing is ever written.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use similar::TextDiff;

use super::file;
use crate::check::{Failure, RuleId, Severity};
use crate::spec::{Level, Source};

/// The rule id of every snapshot failure.
pub const RULE: &str = "snapshot";
/// What a snapshot file written by conform names as its source.
const SOURCE: &str = "conform run";

/// Where snapshots are and what to do with them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Settings {
    /// The directory of the `.snap` files; `None`: answers are normalized but compared with nothing.
    pub dir: Option<PathBuf>,
    /// `--update-snapshots`: record every snapshot (write `NAME.snap`), compare nothing.
    pub update: bool,
    /// `CI` is set: nothing is written, and a missing snapshot is a failure.
    pub ci: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "verdict", content = "detail", rename_all = "snake_case")]
pub enum Match {
    /// No snapshot directory for this run.
    NotCompared,
    Matched,
    /// Written by `--update-snapshots` (new or changed).
    Recorded,
    /// No committed snapshot (a failure).
    Missing,
    /// The answer differs from the committed snapshot (a failure).
    Changed,
    /// A file could not be read or written: a harness error, not the target's fault.
    Error(String),
}

/// One snapshot comparison, as reports show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Comparison {
    /// The case or step id (`zapi::confirm-pin-code::example::pin`).
    pub id: String,
    /// The normalized answer.
    pub content: String,
    /// The committed snapshot's path, when there is a directory.
    pub path: Option<String>,
    pub verdict: Match,
    /// A unified diff, committed (`-`) against now (`+`), when it changed.
    pub diff: Option<String>,
    /// The `NAME.snap.new` written for review, if any.
    pub pending: Option<String>,
}

impl Comparison {
    /// The failure this outcome is, if it is one. Snapshot failures fail the run (severity
    /// error), though their source is the profile: a committed snapshot is a deliberate record.
    pub fn failure(&self) -> Option<Failure> {
        let path = self.path.as_deref().unwrap_or_default();
        let message = match &self.verdict {
            Match::Missing => format!("{}: no committed snapshot {path}", self.id),
            Match::Changed => {
                let changed = self
                    .diff
                    .iter()
                    .flat_map(|d| d.lines())
                    .filter(|l| {
                        (l.starts_with('-') || l.starts_with('+')) && !l.starts_with("---") && !l.starts_with("+++")
                    })
                    .take(4)
                    .collect::<Vec<_>>()
                    .join(" | ");
                format!("{}: the answer differs from {path}: {changed}", self.id)
            }
            _ => return None,
        };
        let mut message = message;
        if let Some(pending) = &self.pending {
            message.push_str(&format!(" (new snapshot written to {pending}: `cargo insta review`)"));
        }
        let source = Source::new(Level::Profile, format!("committed snapshot {path}"));
        let mut failure = Failure::new(RuleId::new(RULE), source, message);
        failure.severity = Severity::Error;
        Some(failure)
    }
}

fn write(path: &Path, text: &str) -> Result<(), String> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
    }
    std::fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// A unified diff of the committed content against the new one.
pub fn diff(path: &str, committed: &str, now: &str) -> String {
    let committed = format!("{committed}\n");
    let now = format!("{now}\n");
    TextDiff::from_lines(&committed, &now).unified_diff().context_radius(3).header(path, "now").to_string()
}

/// Compares `content` (a normalized answer) with the snapshot of `id`, recording or writing a
/// pending snapshot as the settings say.
pub fn compare(settings: &Settings, id: &str, content: &str) -> Comparison {
    let content = file::normalized(content);
    let mut outcome =
        Comparison { id: id.to_owned(), content, path: None, verdict: Match::NotCompared, diff: None, pending: None };
    let Some(dir) = &settings.dir else { return outcome };
    let path = dir.join(file::file_name(id));
    let shown = path.display().to_string();
    outcome.path = Some(shown.clone());
    let committed = match std::fs::read_to_string(&path) {
        Ok(text) => Some(file::content(&text)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => {
            outcome.verdict = Match::Error(format!("cannot read {shown}: {e}"));
            return outcome;
        }
    };
    let pending = file::pending_path(&path);
    if committed.as_deref() == Some(outcome.content.as_str()) {
        outcome.verdict = Match::Matched;
        return outcome;
    }
    if settings.update && !settings.ci {
        outcome.verdict = match write(&path, &file::render(SOURCE, id, &outcome.content)) {
            Ok(()) => {
                let _ = std::fs::remove_file(&pending);
                Match::Recorded
            }
            Err(e) => Match::Error(e),
        };
        return outcome;
    }
    outcome.verdict = match &committed {
        None => Match::Missing,
        Some(committed) => {
            outcome.diff = Some(diff(&shown, committed, &outcome.content));
            Match::Changed
        }
    };
    if !settings.ci {
        match write(&pending, &file::render(SOURCE, id, &outcome.content)) {
            Ok(()) => outcome.pending = Some(pending.display().to_string()),
            Err(e) => outcome.verdict = Match::Error(e),
        }
    }
    outcome
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("conform-snap-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        dir
    }

    #[test]
    fn record_match_change_and_ci() {
        let dir = temp("unit");
        let id = "zapi::op::example::one";
        let local = Settings { dir: Some(dir.clone()), update: false, ci: false };
        let ci = Settings { ci: true, ..local.clone() };
        // Missing in CI: a failure, nothing written.
        let missing = compare(&ci, id, "status: 200\n");
        assert_eq!(missing.verdict, Match::Missing);
        assert!(missing.failure().is_some_and(|f| f.severity == Severity::Error && f.rule == RuleId::new(RULE)));
        assert!(!dir.exists());
        // Recorded, then matched.
        let recorded = compare(&Settings { update: true, ..local.clone() }, id, "status: 200\nbody: a\n");
        assert_eq!(recorded.verdict, Match::Recorded);
        assert_eq!(compare(&local, id, "status: 200\nbody: a").verdict, Match::Matched);
        // Changed: a diff naming the value, and a pending file outside CI only.
        let changed = compare(&ci, id, "status: 200\nbody: b\n");
        assert_eq!(changed.verdict, Match::Changed);
        assert!(changed.diff.as_deref().unwrap().contains("-body: a\n+body: b"), "{:?}", changed.diff);
        assert!(changed.pending.is_none());
        assert!(changed.failure().unwrap().message.contains("+body: b"));
        let changed = compare(&local, id, "status: 200\nbody: b\n");
        let pending = dir.join("zapi__op__example__one.snap.new");
        assert_eq!(changed.pending.as_deref(), Some(pending.display().to_string().as_str()));
        assert!(std::fs::read_to_string(&pending).unwrap().ends_with("---\nstatus: 200\nbody: b\n"));
        assert_eq!(compare(&Settings { dir: None, ..local }, id, "x").verdict, Match::NotCompared);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
