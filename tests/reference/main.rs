//! Integration tests of the reference server over real HTTP on loopback: every flow of
//! `contract.md`, every sandbox state, for every fault, proof that its defect is observable, and
//! for every variant, proof that it really answers differently.

mod support;

mod common;
mod faults;
mod hypersender;
mod hypersender_link;
mod sandbox;
mod variants;
mod wawp;
mod wawp_lifecycle;
mod zapi;
mod zapi_account;
