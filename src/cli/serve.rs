//! `conform serve`: the reference server in the foreground, until Ctrl-C (or SIGTERM).

use std::net::SocketAddr;

use clap::Args;

use super::exit::{CONFORMANT, HARNESS_ERROR};
use super::output::{errln, outln};
use crate::reference::{self, Fault, Faults, Variant, Variants};

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on; port 0 picks a free port. The bound URL is printed on the first line.
    #[arg(long, default_value = "127.0.0.1:0")]
    pub addr: SocketAddr,

    /// Turn on one deliberate defect (repeatable). See --list-faults.
    #[arg(long = "fault", value_name = "NAME")]
    pub faults: Vec<Fault>,

    /// Make another choice where contract.md is silent (repeatable). See --list-variants.
    #[arg(long = "variant", value_name = "NAME")]
    pub variants: Vec<Variant>,

    /// Serve the APIs without /__sandbox, as a production deployment would.
    #[arg(long)]
    pub no_sandbox: bool,

    /// Print the catalogue of faults, one per line, and exit.
    #[arg(long, conflicts_with_all = ["faults", "variants", "addr", "no_sandbox", "list_variants"])]
    pub list_faults: bool,

    /// Print the catalogue of variants, one `NAME: description` per line, and exit.
    #[arg(long, conflicts_with_all = ["faults", "variants", "addr", "no_sandbox"])]
    pub list_variants: bool,
}

pub fn run(args: ServeArgs) -> u8 {
    if args.list_faults {
        outln!("{}", catalogue().trim_end_matches('\n'));
        return CONFORMANT;
    }
    if args.list_variants {
        outln!("{}", variant_catalogue().trim_end_matches('\n'));
        return CONFORMANT;
    }
    let runtime = match super::runtime::runtime() {
        Ok(runtime) => runtime,
        Err(e) => {
            errln!("{e}");
            return HARNESS_ERROR;
        }
    };
    let faults: Faults = args.faults.iter().copied().collect();
    let variants: Variants = args.variants.iter().copied().collect();
    runtime.block_on(async {
        let server =
            reference::Reference::with_options(faults.clone(), !args.no_sandbox).with_variants(variants.clone());
        let (bound, serving) = match reference::bind(args.addr, server, shutdown_signal()).await {
            Ok(server) => server,
            Err(e) => {
                errln!("error: cannot listen on {}: {e}", args.addr);
                return HARNESS_ERROR;
            }
        };
        outln!("http://{bound}");
        for fault in faults.iter() {
            outln!("fault on: {fault} ({})", fault.summary());
        }
        for variant in variants.iter() {
            outln!("variant on: {variant} ({})", variant.summary());
        }
        match serving.await {
            Ok(()) => {
                errln!("conform serve: stopped");
                CONFORMANT
            }
            Err(e) => {
                errln!("error: the server stopped: {e}");
                HARNESS_ERROR
            }
        }
    })
}

/// The catalogue as `--list-faults` prints it: name, API, summary.
pub fn catalogue() -> String {
    let width = Fault::ALL.iter().map(|f| f.name().len()).max().unwrap_or(0);
    Fault::ALL.iter().map(|f| format!("{:<width$}  {:<11}  {}\n", f.name(), f.scope().as_str(), f.summary())).collect()
}

/// The variants as `--list-variants` prints them: `NAME: what changes (allowed by: contract line)`.
pub fn variant_catalogue() -> String {
    Variant::ALL.iter().map(|v| format!("{}: {} (allowed by: {})\n", v.name(), v.summary(), v.allowed_by())).collect()
}

/// Resolves on Ctrl-C, or on SIGTERM where there is one.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variant_catalogue_has_one_line_per_variant() {
        let text = variant_catalogue();
        assert_eq!(text.lines().count(), Variant::ALL.len());
        for variant in Variant::ALL {
            assert!(text.lines().any(|l| l.starts_with(&format!("{}: {}", variant.name(), variant.summary()))));
        }
    }

    #[test]
    fn catalogue_has_one_line_per_fault() {
        let text = catalogue();
        assert_eq!(text.lines().count(), Fault::ALL.len());
        for fault in Fault::ALL {
            assert!(text.lines().any(|l| l.starts_with(fault.name()) && l.ends_with(fault.summary())));
        }
    }
}
