//! A one-line progress indicator on stderr, shown only when stderr is a terminal.

use std::io::{self, Write};
use std::time::{Duration, Instant};

pub struct Bar {
    total: Option<u64>,
    enabled: bool,
    started: Instant,
    last_draw: Option<Instant>,
}

impl Bar {
    pub fn new(total: Option<u64>, enabled: bool) -> Self {
        Self {
            total,
            enabled,
            started: Instant::now(),
            last_draw: None,
        }
    }

    pub fn update(&mut self, bytes: u64) {
        // Redraw at most ten times a second, and not at all for quick files.
        let now = Instant::now();
        let due = self
            .last_draw
            .map_or(now - self.started > Duration::from_millis(300), |t| {
                now - t > Duration::from_millis(100)
            });
        if !self.enabled || !due {
            return;
        }
        self.last_draw = Some(now);
        let mib = bytes as f64 / (1024.0 * 1024.0);
        let rate = mib / (now - self.started).as_secs_f64().max(1e-3);
        let line = match self.total {
            Some(total) if total > 0 => {
                let pct = 100.0 * bytes as f64 / total as f64;
                format!("reading {mib:.0} MiB ({pct:.0}%) at {rate:.0} MiB/s")
            }
            _ => format!("reading {mib:.0} MiB at {rate:.0} MiB/s"),
        };
        let _ = write!(io::stderr(), "\r\x1b[2K{line}");
    }

    pub fn clear(&self) {
        if self.enabled && self.last_draw.is_some() {
            let _ = write!(io::stderr(), "\r\x1b[2K");
        }
    }
}

/// "analysed 3 of 10 captures" on stderr, when it is a terminal.
pub struct Counter {
    total: usize,
    enabled: bool,
    drawn: bool,
}

impl Counter {
    pub fn new(total: usize, enabled: bool) -> Self {
        Self {
            total,
            enabled,
            drawn: false,
        }
    }

    pub fn done(&mut self, done: u64) {
        if self.enabled {
            self.drawn = true;
            let _ = write!(
                io::stderr(),
                "\r\x1b[2Kanalysed {done} of {} captures",
                self.total
            );
        }
    }

    pub fn clear(&self) {
        if self.drawn {
            let _ = write!(io::stderr(), "\r\x1b[2K");
        }
    }
}
