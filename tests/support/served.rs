//! `conform serve` as a separate process on a free loopback port, for the tests that drive a
//! target from outside (another project, a config file, a CI recipe); stopped when dropped.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

pub struct Served {
    child: Child,
    /// Its URL, as it printed it first.
    pub url: String,
}

impl Served {
    pub fn start() -> Served {
        let mut child = Command::new(env!("CARGO_BIN_EXE_conform"))
            .args(["serve", "--addr", "127.0.0.1:0"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut first = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut first).unwrap();
        assert!(first.starts_with("http://127.0.0.1:"), "conform serve prints its URL first: {first:?}");
        Served { child, url: first.trim().to_owned() }
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
