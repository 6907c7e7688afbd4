//! The async runtime a subcommand runs on: one worker thread per core. The count is set here, so
//! tokio does not read `TOKIO_WORKER_THREADS` from the environment (it panics on a bad value).

use tokio::runtime::{Builder, Runtime};

/// A multi-threaded runtime with one worker per available core, or the error to print.
pub(super) fn runtime() -> Result<Runtime, String> {
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get());
    Builder::new_multi_thread()
        .worker_threads(workers)
        .enable_all()
        .build()
        .map_err(|e| format!("error: cannot start the async runtime: {e}"))
}
