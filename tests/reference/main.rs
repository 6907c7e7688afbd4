//! Integration tests of the reference server over real HTTP on loopback: every flow of
//! `contract.md`, every sandbox state, and for every fault, proof that its defect is observable.

mod support;

mod common;
mod faults;
mod hypersender;
mod sandbox;
mod wawp;
mod zapi;
