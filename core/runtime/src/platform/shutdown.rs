//! Stopping on SIGINT or SIGTERM; exiting at once on the second signal.

use super::Platform;
use super::error::ShutdownError;
use super::report::StopReport;

/// The exit status after a second signal: 128 + SIGINT, as shells report an interrupted command.
const FORCED_EXIT: i32 = 130;

impl Platform {
    /// Runs until the first SIGINT or SIGTERM (Ctrl-C elsewhere than Unix), then stops the
    /// platform gracefully. A second signal during the stop exits the process at once with status
    /// 130.
    ///
    /// A component that asks to shut down ([`Supervisor::request_shutdown`](crate::Supervisor::request_shutdown)) stops the platform
    /// the same way. A tracked task that fails or panics ([`Supervisor::spawn`](crate::Supervisor::spawn)) stops it too,
    /// and the result is [`ShutdownError::TaskFailed`], naming the component and the task.
    ///
    /// The signal handlers are installed when this is *called*, not when the future is first
    /// polled: call it before announcing that the application is ready, and a signal that
    /// arrives right after the announcement still stops the platform gracefully.
    ///
    /// ```no_run
    /// # #[tokio::main]
    /// # async fn main() -> anyhow::Result<()> {
    /// let platform = weft::Builder::new().boot().await?;
    /// let shutdown = platform.run_until_shutdown(); // handlers installed here
    /// println!("ready");
    /// let report = shutdown.await?;
    /// println!("{report}");
    /// # Ok(()) }
    /// ```
    pub fn run_until_shutdown(
        &self,
    ) -> impl Future<Output = Result<StopReport, ShutdownError>> + Send + '_ {
        let signals = Signals::new();
        async move {
            let mut signals = signals.map_err(ShutdownError::Signals)?;
            tokio::select! {
                () = signals.recv() => {
                    tracing::info!("shutdown signal received; stopping (a second signal exits at once)");
                }
                () = self.shared.task_failed.cancelled() => {
                    tracing::error!("a tracked task failed; stopping the platform");
                }
                () = self.shared.requested.cancelled() => {}
            }
            tokio::spawn(async move {
                signals.recv().await;
                tracing::warn!("second shutdown signal; exiting now");
                std::process::exit(FORCED_EXIT);
            });
            self.stop_after_run().await
        }
    }
}

#[cfg(unix)]
struct Signals {
    interrupt: tokio::signal::unix::Signal,
    terminate: tokio::signal::unix::Signal,
}

#[cfg(unix)]
impl Signals {
    fn new() -> std::io::Result<Self> {
        use tokio::signal::unix::{SignalKind, signal};
        Ok(Signals {
            interrupt: signal(SignalKind::interrupt())?,
            terminate: signal(SignalKind::terminate())?,
        })
    }

    async fn recv(&mut self) {
        tokio::select! {
            _ = self.interrupt.recv() => {}
            _ = self.terminate.recv() => {}
        }
    }
}

#[cfg(not(unix))]
struct Signals;

#[cfg(not(unix))]
impl Signals {
    fn new() -> std::io::Result<Self> {
        Ok(Signals)
    }

    async fn recv(&mut self) {
        let _ = tokio::signal::ctrl_c().await;
    }
}
