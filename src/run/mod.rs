//! Running a plan against targets: variables, sandbox fixtures, concurrency, the calls, the checks
//! and shrinking. It emits [`Event`]s for progress and returns a [`RunResult`]; it never prints.

mod budget;
mod clock;
mod config;
mod exchange;
mod execute;
mod flows;
mod guard;
mod halt;
mod health;
mod pool;
mod prepare;
mod sandbox;
mod scenario;
mod secrets;
mod session;
mod shared;
mod variables;
mod wire;

pub use budget::BudgetKind;
pub use config::{Event, Keep, RunConfig, RunError};
pub use flows::PlannedFlow;
pub use guard::{AllowEntry, Refusal, SendGuard};
pub use session::{Session, run};
// The results a run produces live in `crate::results`; they are named here too, for callers that
// think of them as the run's.
pub use crate::results::{
    CaseResult, CaseStatus, EarlyStop, MissingVariable, Phase, Reason, ReasonKind, RequestCounts, ResponseSummary,
    RuleInfo, RunResult, ScenarioResult, SendGuardReport, SpecWarning, StepResult, TargetInfo, Verdict, catalogue,
    sorted_rules,
};
pub use crate::results::{OperationTally, RuleCounts, StatusCounts, Tally};
pub use sandbox::{Handshake, detect as detect_sandbox, fixture_values, read_handshake};
use scenario::guard_step as guard_step_for_flows;
pub use scenario::{PlannedScenario, plan_scenarios};
pub use secrets::{Secret, redactor as secrets_redactor, secrets, short_secret_warnings};
pub use variables::{BadVar, QuietParser, VarFlag, VariableSources, env_name, header_credentials, header_parser};
