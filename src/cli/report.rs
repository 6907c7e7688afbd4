//! `conform report merge|compare`, and the one way report files are written: whole or not at all
//! (each goes to a temporary file beside its path, then is renamed over it).

use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};

use super::exit::{CONFORMANT, HARNESS_ERROR};
use super::output::errln;
use crate::report::{self, Format, ReportError, ReportTarget};
use crate::results::RunResult;

#[derive(Debug, Args)]
pub struct ReportArgs {
    #[command(subcommand)]
    pub command: ReportCommand,
}

#[derive(Debug, Subcommand)]
pub enum ReportCommand {
    /// Build every report of a run from its shards' JSON reports (`run --shard i/n --report json=…`).
    Merge {
        /// The shards' JSON reports.
        #[arg(required = true, value_name = "SHARD.json")]
        shards: Vec<PathBuf>,
        /// A report to write: FORMAT=PATH (json, junit, html, markdown; repeatable).
        #[arg(long = "report", value_name = "FORMAT=PATH", required = true)]
        reports: Vec<ReportTarget>,
    },
    /// Put several runs' JSON reports side by side: one column per run, one row per rule and
    /// operation, differences marked.
    Compare {
        /// The runs' JSON reports, in column order (at least two).
        #[arg(required = true, num_args = 2.., value_name = "RUN.json")]
        runs: Vec<PathBuf>,
        /// A report to write: FORMAT=PATH (html or markdown; repeatable).
        #[arg(long = "report", value_name = "FORMAT=PATH", required = true)]
        reports: Vec<ReportTarget>,
    },
}

pub fn run(args: ReportArgs) -> u8 {
    let outcome = match args.command {
        ReportCommand::Merge { shards, reports } => merge(&shards, &reports),
        ReportCommand::Compare { runs, reports } => compare(&runs, &reports),
    };
    match outcome {
        Ok(()) => CONFORMANT,
        Err(e) => {
            errln!("error: {e}");
            HARNESS_ERROR
        }
    }
}

fn read_all(paths: &[PathBuf]) -> Result<Vec<RunResult>, ReportError> {
    paths.iter().map(|p| report::json::read(p)).collect()
}

fn merge(shards: &[PathBuf], reports: &[ReportTarget]) -> Result<(), String> {
    let runs = read_all(shards).map_err(|e| e.to_string())?;
    let named = shards.iter().map(|p| p.display().to_string()).zip(runs).collect();
    let merged = report::merge::merge(named).map_err(|e| e.to_string())?;
    write_reports(reports, |format| report::render(format, &merged))
}

fn compare(paths: &[PathBuf], reports: &[ReportTarget]) -> Result<(), String> {
    let runs = read_all(paths).map_err(|e| e.to_string())?;
    let labelled: Vec<(String, RunResult)> = paths.iter().map(|p| label(p)).zip(runs).collect();
    write_reports(reports, |format| report::compare::render(format, &labelled))
}

/// A run's column name: its file name without `.json`.
fn label(path: &Path) -> String {
    path.file_name().map(|n| n.to_string_lossy().trim_end_matches(".json").to_owned()).unwrap_or_default()
}

/// Renders every report first, then writes each whole: a render error writes nothing.
pub fn write_reports(
    reports: &[ReportTarget],
    render: impl Fn(Format) -> Result<String, ReportError>,
) -> Result<(), String> {
    let rendered: Vec<(&ReportTarget, String)> = reports
        .iter()
        .map(|r| render(r.format).map(|text| (r, text)))
        .collect::<Result<_, _>>()
        .map_err(|e| e.to_string())?;
    for (target, text) in rendered {
        write_whole(&target.path, &text)
            .map_err(|e| format!("{}: cannot write the {} report: {e}", target.path.display(), target.format))?;
    }
    Ok(())
}

/// Writes `text` to `path` through a temporary file in the same directory, so that a reader never
/// sees half a report; creates the directory when it is missing. A symbolic link is followed (the
/// file it names is replaced, the link stays), and a path that is not a regular file (`/dev/stdout`,
/// a pipe) is written to as it is: renaming over it would replace the device or the pipe.
fn write_whole(path: &Path, text: &str) -> std::io::Result<()> {
    if std::fs::metadata(path).is_ok_and(|m| !m.is_file()) {
        return std::fs::write(path, text);
    }
    let resolved;
    let path = if std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink()) {
        resolved = std::fs::canonicalize(path)?;
        resolved.as_path()
    } else {
        path
    };
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let temporary = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    std::fs::write(&temporary, text)?;
    std::fs::rename(&temporary, path).inspect_err(|_| {
        let _ = std::fs::remove_file(&temporary);
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_report_is_written_whole_into_a_new_directory() {
        let dir = std::env::temp_dir().join(format!("conform-write-{}", std::process::id()));
        let path = dir.join("nested/report.md");
        write_whole(&path, "# hello\n").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "# hello\n");
        let leftovers: Vec<_> = std::fs::read_dir(path.parent().unwrap()).unwrap().collect();
        assert_eq!(leftovers.len(), 1, "no temporary file is left behind");
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn a_link_is_followed_and_a_device_is_written_in_place() {
        let dir = std::env::temp_dir().join(format!("conform-write-link-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let (file, link) = (dir.join("real.json"), dir.join("link.json"));
        std::fs::write(&file, "old").unwrap();
        std::os::unix::fs::symlink(&file, &link).unwrap();
        write_whole(&link, "new").unwrap();
        assert!(std::fs::symlink_metadata(&link).unwrap().file_type().is_symlink(), "the link stays a link");
        assert_eq!(std::fs::read_to_string(&file).unwrap(), "new");
        std::fs::remove_dir_all(dir).unwrap();
        write_whole(Path::new("/dev/null"), "into the void").unwrap();
        assert!(!std::fs::metadata("/dev/null").unwrap().is_file(), "/dev/null is still a device");
    }

    #[test]
    fn a_failed_render_writes_nothing() {
        let dir = std::env::temp_dir().join(format!("conform-nowrite-{}", std::process::id()));
        let reports = vec![
            ReportTarget { format: Format::Json, path: dir.join("a.json") },
            ReportTarget { format: Format::Html, path: dir.join("a.html") },
        ];
        let outcome = write_reports(&reports, |format| match format {
            Format::Json => Ok("{}".to_owned()),
            other => Err(ReportError::Render { format: other, message: "broken".to_owned() }),
        });
        assert!(outcome.unwrap_err().contains("html report: broken"));
        assert!(!dir.exists());
    }
}
