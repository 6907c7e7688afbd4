//! `--dry-run`'s console output, rendered case by case as the run reports them (see
//! `cli::dry_run`, which prints it): each request that would be sent as a curl line, why the
//! others would not be, and a closing count.

use crate::results::{CaseStatus, ReasonKind};

/// `--dry-run`'s output: every request that would be sent, as a curl line, and why the others
/// would not be, one case at a time as they come (in plan order), then a closing line. The
/// cases are rendered as they finish rather than from the [`RunResult`], which need not keep
/// them (see `run::Keep`); it counts what it rendered for the closing line.
#[derive(Debug, Default)]
pub struct DryRun {
    /// Cases with a request that would be sent.
    planned: usize,
    /// Every generated case.
    cases: usize,
}

impl DryRun {
    /// One generated case: `# id` and the curl line it would send, or why it would not be sent;
    /// nothing for a case that could not be built (it counts in the closing line).
    pub fn case(&mut self, id: &str, status: &CaseStatus, curl: Option<&str>) -> String {
        self.cases += 1;
        match (status, curl) {
            (CaseStatus::Skipped(reason), Some(curl)) if reason.kind == ReasonKind::DryRun => {
                self.planned += 1;
                format!("# {id}\n{curl}\n")
            }
            (CaseStatus::Skipped(reason), _) => {
                let reason = reason.message.strip_prefix("not sent: ").unwrap_or(&reason.message);
                format!("# {id} (would not be sent: {reason})\n")
            }
            _ => String::new(),
        }
    }

    /// The closing line, after every case: how many requests would be sent, and the seed.
    pub fn summary(&self, seed: u64) -> String {
        format!(
            "\ndry run: {} of {} requests would be sent; nothing was sent (seed {seed})\n",
            self.planned, self.cases
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dry_run_prints_each_case_as_it_comes_and_counts_them() {
        use crate::results::{Reason, ReasonKind};
        let mut dry_run = DryRun::default();
        let planned = CaseStatus::Skipped(Reason::new(ReasonKind::DryRun, "dry run: not sent"));
        let guarded = CaseStatus::Skipped(Reason::new(ReasonKind::SendGuard, "not sent: no --allow-recipient"));
        let missing = CaseStatus::Skipped(Reason::new(ReasonKind::MissingVariable, "no value for a.token"));
        let broken = CaseStatus::Error(Reason::new(ReasonKind::Harness, "no fixture"));
        let text = [
            dry_run.case("a::send::positive::0", &planned, Some("curl -X POST 'http://x/send'")),
            dry_run.case("a::send::positive::1", &guarded, Some("curl -X POST 'http://x/send'")),
            dry_run.case("a::list::positive::0", &missing, None),
            dry_run.case("a::list::positive::1", &broken, None),
            dry_run.summary(7),
        ]
        .concat();
        assert_eq!(
            text,
            "# a::send::positive::0\ncurl -X POST 'http://x/send'\n\
             # a::send::positive::1 (would not be sent: no --allow-recipient)\n\
             # a::list::positive::0 (would not be sent: no value for a.token)\n\
             \ndry run: 1 of 4 requests would be sent; nothing was sent (seed 7)\n"
        );
    }
}
