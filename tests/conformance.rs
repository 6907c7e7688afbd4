//! `cargo test --test conformance`: conform's bundled specs and suites through its own library
//! harness (`conform::harness`, documented in docs/library-harness.md). Every case is one libtest
//! trial, named by its case id (`zapi::request-registration-code::negative::phone-pattern`), and
//! every scenario of the bundled suites one more (`hypersender::hypersender::code-single-use`),
//! so name filters, `--list`, `--exact` and nextest sharding work.
//!
//! The target is `CONFORM_TARGET` (one URL for every bundled spec), or else the embedded reference
//! server. Variables come from `CONFORM_VAR_*`; `CONFORM_SEED` fixes the seed (default 0, so that
//! trial names and inputs are stable); `CONFORM_CASES` sets the positive cases per operation
//! (default 5); warnings fail a trial unless `CONFORM_STRICT=0`. A failing trial prints the same
//! reproduction as `conform run`. A case that cannot be sent (a missing variable), or a scenario
//! that needs a sandbox the target has not, is an ignored trial.
//!
//! Request examples' answers and scenario steps' are compared with their `.snap` files (insta's
//! format): in `snapshots/` against the embedded server, in `CONFORM_SNAPSHOTS` (a directory)
//! against a `CONFORM_TARGET`, where nothing is compared without it. `INSTA_UPDATE` and `CI` work
//! as they do with insta: `INSTA_UPDATE=always` records, a mismatch outside CI leaves a
//! `.snap.new` for `cargo insta review`, and with `CI` set nothing is written.

fn main() {
    conform::harness::Harness::new().strict(true).run()
}
