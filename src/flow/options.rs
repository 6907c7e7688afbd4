//! How a run's flow phase is set: on or off, how many walks per spec, how long each, and whether
//! what a flow created is deleted at its end.

/// The flow phase's settings (`RunConfig::flows`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FlowOptions {
    /// On by default: every spec whose graph has an edge is walked.
    pub enabled: bool,
    pub walks_per_spec: usize,
    /// The most planned calls in one walk (probes and cleanup not counted).
    pub max_steps: usize,
    /// `--no-cleanup` turns it off: what a flow created is kept.
    pub cleanup: bool,
}

impl Default for FlowOptions {
    fn default() -> Self {
        FlowOptions { enabled: true, walks_per_spec: 4, max_steps: 6, cleanup: true }
    }
}
