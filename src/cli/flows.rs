//! `conform flows [--spec PATH]...`: prints the link graph the flow phase walks, each edge marked
//! declared (OpenAPI `links`), `x-conform-links` or inferred. Specs load as `conform run` loads
//! them (default: the bundled ones); a spec that does not load exits 2 with lint's diagnostics.

use std::path::PathBuf;

use clap::Args;

use super::exit::{CONFORMANT, HARNESS_ERROR};
use super::output::{errln, out};
use crate::flow::{Graph, render};

#[derive(Debug, Args)]
pub struct FlowsArgs {
    /// An OpenAPI spec (repeatable). Default: the three bundled specs (zapi, wawp, hypersender).
    #[arg(long = "spec", value_name = "PATH")]
    pub specs: Vec<PathBuf>,
}

pub fn run(args: FlowsArgs) -> u8 {
    let (specs, warnings) = match super::specs::load_specs(&args.specs) {
        Ok(loaded) => loaded,
        Err(message) => {
            errln!("{message}");
            return HARNESS_ERROR;
        }
    };
    for warning in &warnings {
        errln!("warning: {} ({})", warning.message, warning.location());
    }
    let graphs: Vec<Graph> = specs.iter().map(Graph::of).collect();
    let shown: Vec<_> = specs.iter().zip(&graphs).collect();
    match out(&render(&shown)) {
        Ok(()) => CONFORMANT,
        Err(e) => {
            errln!("error: cannot print: {e}");
            HARNESS_ERROR
        }
    }
}
