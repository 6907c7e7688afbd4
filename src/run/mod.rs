//! Running a plan against targets: variables, sandbox fixtures, concurrency, the calls, the checks
//! and shrinking. It emits [`Event`]s for progress and returns a [`RunResult`]; it never prints.

mod execute;
mod guard;
mod result;
mod sandbox;
mod shown;
mod variables;

pub use execute::{Event, RunConfig, RunError, Session, run};
pub use guard::{AllowEntry, SendGuard};
pub use result::{CaseResult, CaseStatus, MissingVariable, ResponseSummary, RunResult, TargetInfo, Verdict};
pub use sandbox::{detect as detect_sandbox, fixture_values};
pub use variables::{BadVar, VarFlag, VariableSources, env_name};
