//! One exchange with a target, in stages that generated cases, scenario steps and (coming)
//! generated flows all go through (`docs/architecture.md` draws them):
//!
//! 1. variables and a fresh fixture ([`input`], [`attempt`]);
//! 2. the request built (`case::build`);
//! 3. the send guard: a typed [`Admission`](super::guard::Admission) decided before the run
//!    ([`admission`] for cases; `scenario/plan.rs` for scenarios);
//! 4. the send, with the 429 wait and retry ([`call`]);
//! 5. the stateless checks on every answer ([`call`]);
//! 6. what is shown: masked failures and snapshots ([`record`], with `crate::show`).
//!
//! A failure is then shrunk by [`shrink`]'s one loop.
//!
//! A driver (the case pool in `execute.rs`, the scenarios in `scenario/`, a generated flow)
//! decides what to send next. It gets its sends from the send guard before the run, sends each
//! built request through [`call::call`] (which returns an [`Attempt`](call::Attempt): the request
//! and its [`CallOutcome`](call::CallOutcome)), shows what it keeps with `show::Shown` and
//! [`record::record_snapshot`], and shrinks by implementing [`shrink::Tried`] for what one try
//! gives and calling [`shrink::shrink_by`].

pub(crate) mod admission;
pub(crate) mod attempt;
pub(crate) mod call;
pub(crate) mod input;
pub(crate) mod record;
pub(crate) mod shrink;
