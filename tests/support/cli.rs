//! The real `conform` binary, run as a user runs it (with no `CONFORM_TARGET` from the caller's
//! environment), for the tests that drive the command line.

use std::process::{Command, Output};

/// Runs `conform ARGS` and waits for it.
pub fn conform(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_conform")).args(args).env_remove("CONFORM_TARGET").output().unwrap()
}
