//! The reference server: a hand-written implementation of the three phone-verification APIs
//! (Z-API mobile registration, Wawp v2 auth, Hypersender OTP v2) as `contract.md` and
//! `docs/reference-behaviour.md` describe them, plus the `/__sandbox` test surface and a catalogue
//! of deliberate faults.
//!
//! It is independent of the harness on purpose: nothing here reads the specs or imports the
//! checking modules, so one misreading of the contract cannot pass both sides.
//! All state is in memory, behind one lock per API, and bounded.

mod bounded;
mod clock;
mod codes;
pub mod faults;
mod fields;
mod hypersender;
mod outbox;
mod sandbox;
pub mod variants;
mod wawp;
mod wire;
mod zapi;

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use axum::Router;
use axum::extract::DefaultBodyLimit;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use faults::{Fault, FaultScope, Faults, UnknownFault};
pub use variants::{UnknownVariant, Variant, Variants};

use clock::Clock;
use outbox::Outbox;

/// Request bodies larger than this are refused with 413.
pub const MAX_BODY_BYTES: usize = 64 * 1024;
/// Each API keeps at most this many instances (sessions); the oldest go first.
pub const MAX_INSTANCES: usize = 10_000;

/// Everything the server remembers.
#[derive(Debug)]
pub struct Reference {
    faults: Faults,
    /// Other choices where `contract.md` is silent (none: the reference's own).
    variants: Variants,
    /// Whether `/__sandbox` is served (a production-like deployment leaves it off).
    sandbox: bool,

    clock: Clock,
    outbox: Mutex<Outbox>,
    /// Calls that arrived at an operation that can reach a person by email or a magic link
    /// (recovery-pin-code, set email, generate-link), counted before any check.
    sending_calls: AtomicU64,
    zapi: Mutex<zapi::Store>,
    wawp: Mutex<wawp::Store>,
    hypersender: Mutex<hypersender::Store>,
}

impl Reference {
    pub fn new(faults: Faults) -> Self {
        Self::with_options(faults, true)
    }

    pub fn with_options(faults: Faults, sandbox: bool) -> Self {
        Self {
            faults,
            variants: Variants::none(),
            sandbox,

            clock: Clock::default(),
            outbox: Mutex::default(),
            sending_calls: AtomicU64::new(0),
            zapi: Mutex::new(zapi::Store::default()),
            wawp: Mutex::new(wawp::Store::default()),
            hypersender: Mutex::new(hypersender::Store::default()),
        }
    }

    /// The same server, keeping at most `instances` instances (sessions) per API and as many
    /// outbox messages, instead of [`MAX_INSTANCES`] and [`outbox::MAX_MESSAGES`]. For a server
    /// that one harness run drives in the same process (`conform run` without a target): each
    /// case makes its own fixture and is done with it when it ends, so only the few cases in
    /// flight need theirs, and a long run's memory and outbox scans stay small. Starts empty.
    pub fn with_capacity(mut self, instances: usize) -> Self {
        let instances = instances.max(1);
        self.outbox = Mutex::new(Outbox::with_cap(instances));
        self.zapi = Mutex::new(zapi::Store::with_cap(instances));
        self.wawp = Mutex::new(wawp::Store::with_cap(instances));
        self.hypersender = Mutex::new(hypersender::Store::with_cap(instances));
        self
    }

    /// The same server, making the given other choices where the contract is silent.
    pub fn with_variants(mut self, variants: Variants) -> Self {
        self.variants = variants;
        self
    }

    pub fn faults(&self) -> &Faults {
        &self.faults
    }

    pub fn variants(&self) -> &Variants {
        &self.variants
    }

    fn outbox(&self) -> MutexGuard<'_, Outbox> {
        lock(&self.outbox)
    }

    /// Puts a fixture into a named state, as `POST /__sandbox/state` does (for in-process tests of
    /// a server that serves no sandbox).
    pub fn apply_state(&self, api: &str, state: &str, params: &serde_json::Value) -> Result<(), String> {
        sandbox::apply(self, api, state, params)
    }

    /// The recipient of every message still in the outbox, oldest first.
    pub fn message_recipients(&self) -> Vec<String> {
        self.outbox().recipients()
    }

    /// How many messages the server has sent (SMS, voice, WhatsApp, captcha, email, callback).
    pub fn messages_sent(&self) -> u64 {
        self.outbox().total_sent()
    }

    /// How many requests reached recovery-pin-code, `POST /security/email` or generate-link,
    /// whatever they answered: the calls a send guard must hold back on a target without a sandbox.
    pub fn sending_calls(&self) -> u64 {
        self.sending_calls.load(Ordering::SeqCst)
    }

    fn count_sending_call(&self) {
        self.sending_calls.fetch_add(1, Ordering::SeqCst);
    }
}

/// Locks a store. A handler that panicked while holding the lock leaves the data as consistent as
/// any single write makes it, so a poisoned lock is taken over rather than taking the server down.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The whole application: the three APIs and the sandbox.
pub fn router(reference: Arc<Reference>) -> Router {
    let apis = Router::new().merge(zapi::routes()).merge(wawp::routes()).merge(hypersender::routes());
    let app = if reference.sandbox { apis.merge(sandbox::routes()) } else { apis };
    let app = app.layer(DefaultBodyLimit::max(MAX_BODY_BYTES)).with_state(reference.clone());
    // axum adds the `Allow` header to a 405 after the router's own layers have run, so the
    // faults and variants that bend 405 answers wrap the finished router from outside.
    Router::new().fallback_service(app).layer(axum::middleware::from_fn_with_state(reference, wire::method_answers))
}

/// A reference server running on a background task.
#[derive(Debug)]
pub struct Server {
    addr: SocketAddr,
    reference: Arc<Reference>,
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<io::Result<()>>,
}

impl Server {
    /// Binds `addr` (port 0 picks a free port) and serves until [`Server::stop`] or drop.
    pub async fn start(addr: SocketAddr, faults: Faults) -> io::Result<Server> {
        Self::start_with(addr, Reference::new(faults)).await
    }

    /// Serves a reference built by the caller (for example without the sandbox).
    pub async fn start_with(addr: SocketAddr, reference: Reference) -> io::Result<Server> {
        let (stop, stopped) = oneshot::channel::<()>();
        let reference = Arc::new(reference);
        let (addr, serving) = serve_reference(addr, reference.clone(), async {
            let _ = stopped.await;
        })
        .await?;
        Ok(Server { addr, reference, stop: Some(stop), task: tokio::spawn(serving) })
    }

    /// The server's state, for tests that measure what reached it.
    pub fn reference(&self) -> &Reference {
        &self.reference
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT`, without a trailing slash.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Stops accepting, lets in-flight requests finish, and waits.
    pub async fn stop(mut self) -> io::Result<()> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        match (&mut self.task).await {
            Ok(result) => result,
            Err(join) => Err(io::Error::other(join)),
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// Binds `addr` and returns the bound address and the future that serves until `shutdown` resolves.
pub async fn bind(
    addr: SocketAddr,
    reference: Reference,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> io::Result<(SocketAddr, impl Future<Output = io::Result<()>> + Send + 'static)> {
    serve_reference(addr, Arc::new(reference), shutdown).await
}

async fn serve_reference(
    addr: SocketAddr,
    reference: Arc<Reference>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> io::Result<(SocketAddr, impl Future<Output = io::Result<()>> + Send + 'static)> {
    let listener = TcpListener::bind(addr).await?;
    let bound = listener.local_addr()?;
    let app = router(reference);
    let serving = async move { axum::serve(listener, app).with_graceful_shutdown(shutdown).await };
    Ok((bound, serving))
}
