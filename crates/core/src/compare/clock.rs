//! The peer clock against the main clock, from the times the same packets
//! were seen at both capture points.
//!
//! A packet from the client crosses the path one way, a packet from the
//! server the other way: `peer - main` is `offset + d` for one direction
//! and `offset - d` for the other (`d` the one-way delay between the
//! capture points). Taking the per-direction medians apart removes `d`
//! where a connection had traffic both ways; a slope over time is the drift.

use alloc::vec::Vec;

/// Matched packets must span this long for a drift to be measured.
const MIN_DRIFT_SPAN_NS: f64 = 30e9;
const MIN_DRIFT_SAMPLES: usize = 8;

/// One matched packet: main time, peer minus main, and whether the client sent it.
#[derive(Clone, Copy, Debug)]
pub struct Sample {
    pub t_main: i64,
    pub diff_ns: f64,
    pub from_client: bool,
}

/// The fitted clock relation.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Clock {
    /// Peer minus main at `at` (ns), without the path delay.
    pub offset_ns: f64,
    pub at_ns: i64,
    /// Peer ns per main ns, minus one.
    pub slope: f64,
    /// One-way delay from the main capture point to the peer's for a
    /// client packet (positive: main is nearer the client), when measured.
    pub delay_ns: Option<f64>,
    pub samples: usize,
    pub span_ns: f64,
}

impl Clock {
    /// The peer time a packet seen in main at `t_main` is expected at
    /// (`from_client`: direction), in ns.
    pub fn expected_peer(&self, t_main: i64, from_client: bool) -> f64 {
        let d = self.delay_ns.unwrap_or(0.0);
        let d = if from_client { d } else { -d };
        t_main as f64 + self.offset_diff(t_main) + d
    }

    /// Peer minus main at main time `t_main`, without the path delay.
    pub fn offset_diff(&self, t_main: i64) -> f64 {
        self.offset_ns + self.slope * (t_main.saturating_sub(self.at_ns)) as f64
    }

    /// The main time of a peer time (inverse of the offset, delay ignored), in ns.
    pub fn main_time(&self, t_peer: f64) -> f64 {
        let guess = t_peer - self.offset_ns;
        t_peer - self.offset_diff(guess as i64)
    }
}

/// Fits the clock from each matched connection's samples; `at_ns` is where
/// the offset is given.
pub fn fit(per_conn: &[Vec<Sample>], at_ns: i64) -> Option<Clock> {
    // One-way delay per connection that had packets both ways.
    let mut delays = Vec::new();
    for samples in per_conn {
        let fwd = median(samples.iter().filter(|s| s.from_client).map(|s| s.diff_ns));
        let rev = median(samples.iter().filter(|s| !s.from_client).map(|s| s.diff_ns));
        if let (Some(f), Some(r)) = (fwd, rev) {
            delays.push((f - r) / 2.0);
        } else {
            delays.push(f64::NAN);
        }
    }
    let global = median(delays.iter().copied().filter(|d| !d.is_nan()));
    let mut points: Vec<(i64, f64)> = Vec::new();
    for (samples, &d) in per_conn.iter().zip(&delays) {
        let d = if d.is_nan() { global } else { Some(d) };
        for s in samples {
            let d = d.unwrap_or(0.0);
            let y = if s.from_client {
                s.diff_ns - d
            } else {
                s.diff_ns + d
            };
            points.push((s.t_main, y));
        }
    }
    if points.is_empty() {
        return None;
    }
    crate::sort::sort_by_key(&mut points, |p| p.0);
    let (first, last) = (points.first()?.0, points.last()?.0);
    let span_ns = last.saturating_sub(first) as f64;
    let mut slope = 0.0;
    if span_ns >= MIN_DRIFT_SPAN_NS && points.len() >= MIN_DRIFT_SAMPLES {
        // Median of each half in time: robust to outliers, O(n log n).
        let half = points.len() / 2;
        let (early, late) = points.split_at(half);
        let t1 = median(early.iter().map(|p| p.0 as f64));
        let y1 = median(early.iter().map(|p| p.1));
        let t2 = median(late.iter().map(|p| p.0 as f64));
        let y2 = median(late.iter().map(|p| p.1));
        if let (Some(t1), Some(y1), Some(t2), Some(y2)) = (t1, y1, t2, y2) {
            if t2 - t1 > MIN_DRIFT_SPAN_NS / 4.0 {
                slope = (y2 - y1) / (t2 - t1);
            }
        }
        if slope.is_nan() || slope.abs() >= 1e-3 {
            slope = 0.0; // more than 1000 ppm is not a clock
        }
    }
    let offset_ns = median(
        points
            .iter()
            .map(|&(t, y)| y - slope * t.saturating_sub(at_ns) as f64),
    )?;
    Some(Clock {
        offset_ns,
        at_ns,
        slope,
        delay_ns: global,
        samples: points.len(),
        span_ns,
    })
}

/// Median (the mean of the middle two for an even count); `None` when empty.
pub fn median(values: impl Iterator<Item = f64>) -> Option<f64> {
    let mut v: Vec<f64> = values.filter(|x| x.is_finite()).collect();
    if v.is_empty() {
        return None;
    }
    crate::sort::sort_by(&mut v, f64::total_cmp);
    let mid = v.len() / 2;
    let hi = *v.get(mid)?;
    if v.len() % 2 == 1 {
        Some(hi)
    } else {
        Some((v.get(mid - 1)? + hi) / 2.0)
    }
}
