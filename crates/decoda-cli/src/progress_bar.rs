//! The terminal progress bar, fed by the engine's progress events.

use decoda_engine::{Progress, ProgressSink};
use indicatif::{ProgressBar, ProgressStyle};
use tokio::task::JoinHandle;

/// Starts the bar when `show` is set; returns the sink for the engine and the drawing task.
pub fn start(show: bool) -> (Option<ProgressSink>, Option<JoinHandle<()>>) {
    if !show {
        return (None, None);
    }
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let task = tokio::spawn(async move {
        let bar = ProgressBar::new(0);
        let style = ProgressStyle::with_template(
            "{bar:30} {bytes}/{total_bytes} {binary_bytes_per_sec} eta {eta} {msg}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar());
        bar.set_style(style);
        while let Some(event) = rx.recv().await {
            match event {
                Progress::Started { total_bytes, .. } => bar.set_length(total_bytes),
                Progress::Bytes(b) => bar.set_position(b.sent),
                Progress::Phase { phase, .. } => bar.set_message(phase.to_string()),
                Progress::Hashed { .. } | Progress::FileDone { .. } => {}
                Progress::Finished { .. } => break,
            }
        }
        bar.finish_and_clear();
    });
    (Some(tx), Some(task))
}
