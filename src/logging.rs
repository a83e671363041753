//! Logs go to stderr, results to stdout. `-v`/`-vv` pick the level and
//! `RUST_LOG` overrides it.

use std::sync::atomic::{AtomicU8, Ordering};
use tracing_subscriber::EnvFilter;

/// The `-v` count of this run, for output that is more detailed with it
/// (every finding listed on its own, not grouped).
static VERBOSE: AtomicU8 = AtomicU8::new(0);

/// How many `-v` the command line had (0 until [`init`]).
pub fn verbose() -> u8 {
    VERBOSE.load(Ordering::Relaxed)
}

pub fn init(verbose: u8) {
    VERBOSE.store(verbose, Ordering::Relaxed);
    let level = match verbose {
        0 => "warn",
        1 => "asc_sync=info",
        2 => "asc_sync=debug",
        _ => "asc_sync=trace",
    };
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(level));
    use std::io::IsTerminal;
    let ansi = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(ansi)
        .with_writer(std::io::stderr)
        .with_target(false)
        .try_init();
}
