//! Running a plan against targets: variables, sandbox fixtures, concurrency, the calls, the checks
//! and shrinking. It emits [`Event`]s for progress and returns a [`RunResult`]; it never prints.

mod admission;
mod call;
mod execute;
mod flows;
mod guard;
mod halt;
mod health;
mod pool;
mod reason;
mod requests;
mod result;
mod rules;
mod sandbox;
mod scenario;
mod secrets;
mod shown;
mod shrink;
mod tally;
mod variables;
mod wire;

pub use execute::{Event, Keep, RunConfig, RunError, Session, run};
pub use flows::PlannedFlow;
pub use guard::{AllowEntry, BudgetKind, Refusal, SendGuard};
pub use halt::EarlyStop;
pub use reason::{Reason, ReasonKind};
pub use requests::{Phase, RequestCounts};
pub use result::{
    CaseResult, CaseStatus, MissingVariable, ResponseSummary, RunResult, SendGuardReport, SpecWarning, TargetInfo,
    Verdict,
};
pub use rules::{RuleInfo, catalogue, sorted as sorted_rules};
pub use sandbox::{Handshake, detect as detect_sandbox, fixture_values, read_handshake};
use scenario::guard_step as guard_step_for_flows;
pub use scenario::{PlannedScenario, ScenarioResult, StepResult, plan_scenarios};
pub use secrets::{Secret, redactor as secrets_redactor, secrets, short_secret_warnings};
pub use tally::{OperationTally, RuleCounts, StatusCounts, Tally};
pub use variables::{BadVar, QuietParser, VarFlag, VariableSources, env_name, header_credentials, header_parser};
