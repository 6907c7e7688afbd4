//! conform: a contract-testing and conformance harness for OpenAPI services.
//!
//! The data flows one way: [`spec`] (load) → [`plan`] (cases) → [`run`] (send, check) →
//! [`report`]. [`case`] generates requests, [`check`] judges answers, [`http`] talks to targets.
//! The binary in `main.rs` only wires the command line ([`cli`]) to it. The reference server in
//! [`reference`] implements the three phone-verification APIs by hand and shares no code with
//! the checking side.
#![forbid(unsafe_code)]

pub mod case;
pub mod check;
pub mod cli;
pub mod config;
pub mod flow;
pub mod harness;
pub mod http;
pub mod plan;
pub mod reference;
pub mod report;
pub mod results;
pub mod run;
pub mod show;
pub mod snapshot;
pub mod spec;
pub mod suite;
