//! A log kept in memory for a test to read: give a `tracing` subscriber
//! `.with_writer(move || log.clone())` and read [`CapturedLog::lines`] afterwards.

use std::io::Write;
use std::sync::{Arc, Mutex};

/// Everything written to it or to any of its clones, in order.
#[derive(Clone, Default)]
pub struct CapturedLog(Arc<Mutex<Vec<u8>>>);

impl Write for CapturedLog {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl CapturedLog {
    /// What was written so far, line by line.
    pub fn lines(&self) -> Vec<String> {
        String::from_utf8_lossy(&self.0.lock().unwrap_or_else(|e| e.into_inner())).lines().map(str::to_owned).collect()
    }
}
