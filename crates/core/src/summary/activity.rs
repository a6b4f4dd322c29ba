//! Connections and resets over the capture's span, in equal time buckets,
//! so a chart can show whether resets came with a burst of traffic.
//!
//! Built at the end from the connection list (each connection's first and
//! last packet times) and the resets: fixed-size counts, nothing per packet.

use alloc::vec;

use crate::report::{Activity, ActivityBucket, CaptureInfo, Connection, Reset};

/// Buckets across a span longer than zero.
const BUCKETS: usize = 60;

pub fn over_time(connections: &[Connection], resets: &[Reset], info: &CaptureInfo) -> Activity {
    let (Some(first), Some(last)) = (info.first_time, info.last_time) else {
        return Activity::default();
    };
    // Frames can go back in time: the span is the range of both ends.
    let (start, end) = (first.min(last), first.max(last));
    let count = if end > start { BUCKETS } else { 1 };
    let bucket_seconds = (end - start) / count as f64;
    let index = |time: f64| -> usize {
        if bucket_seconds > 0.0 {
            // `as` saturates: times before the start (and NaN) land in bucket
            // 0; `min` keeps the end itself in the last bucket.
            (((time - start) / bucket_seconds) as usize).min(count - 1)
        } else {
            0
        }
    };

    let mut buckets = vec![ActivityBucket::default(); count];
    for connection in connections {
        let (opened, closed) = (index(connection.first_time), index(connection.last_time));
        if let Some(bucket) = buckets.get_mut(opened) {
            bucket.started += 1;
        }
        // Out-of-order timestamps can put the last packet before the first.
        let (from, to) = (opened.min(closed), opened.max(closed));
        for bucket in buckets.iter_mut().take(to + 1).skip(from) {
            bucket.active += 1;
        }
    }
    for reset in resets {
        if let Some(bucket) = buckets.get_mut(index(reset.time)) {
            bucket.resets += 1;
        }
    }
    Activity {
        start,
        bucket_seconds,
        buckets,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::Origin;
    use crate::summary::tests::{connection, reset};
    use alloc::vec::Vec;

    fn info(first: f64, last: f64) -> CaptureInfo {
        CaptureInfo {
            first_time: Some(first),
            last_time: Some(last),
            ..CaptureInfo::default()
        }
    }

    #[test]
    fn connections_and_resets_land_in_their_buckets() {
        // A 60 s capture: one bucket per second.
        let connections = [
            connection(1, 100.0, 102.5),
            connection(2, 100.2, 100.4),
            connection(3, 130.0, 160.0),
        ];
        let resets = [
            reset(9, 100.4, "10.0.0.1:80", "10.0.0.2:5000", Origin::Server),
            reset(40, 160.0, "10.0.0.1:80", "10.0.0.3:5000", Origin::Middlebox),
        ];
        let activity = over_time(&connections, &resets, &info(100.0, 160.0));
        assert_eq!((activity.start, activity.bucket_seconds), (100.0, 1.0));
        assert_eq!(activity.buckets.len(), 60);
        let triple = |i: usize| {
            let b = activity.buckets[i];
            (b.started, b.active, b.resets)
        };
        assert_eq!(triple(0), (2, 2, 1));
        assert_eq!(triple(1), (0, 1, 0));
        assert_eq!(triple(2), (0, 1, 0));
        assert_eq!(triple(3), (0, 0, 0));
        assert_eq!(triple(30), (1, 1, 0));
        // The capture's last instant belongs to the last bucket.
        assert_eq!(triple(59), (0, 1, 1));
        let total = |f: fn(&ActivityBucket) -> u64| activity.buckets.iter().map(f).sum::<u64>();
        assert_eq!(total(|b| b.started), 3);
        assert_eq!(total(|b| b.resets), 2);
        assert_eq!(total(|b| b.active), 3 + 1 + 30);
    }

    #[test]
    fn a_zero_span_has_one_bucket_and_no_frames_none() {
        let resets = [reset(1, 5.0, "10.0.0.1:80", "10.0.0.2:9", Origin::Client)];
        let activity = over_time(&[connection(1, 5.0, 5.0)], &resets, &info(5.0, 5.0));
        assert_eq!(
            activity.buckets,
            [ActivityBucket {
                started: 1,
                active: 1,
                resets: 1
            }]
        );
        assert_eq!(activity.bucket_seconds, 0.0);
        let empty = over_time(&[], &[], &CaptureInfo::default());
        assert_eq!(empty, Activity::default());
    }

    #[test]
    fn times_outside_the_span_are_clamped() {
        // Timestamps that went backwards, or nonsense, still count somewhere.
        let connections = [
            connection(1, 50.0, 70.0),
            connection(2, f64::NAN, f64::INFINITY),
        ];
        let activity = over_time(&connections, &[], &info(60.0, 0.0));
        let started: Vec<u64> = activity.buckets.iter().map(|b| b.started).collect();
        assert_eq!(activity.start, 0.0);
        assert_eq!(started.iter().sum::<u64>(), 2);
        assert_eq!((started[0], started[50]), (1, 1));
        assert!(activity.buckets.iter().all(|b| b.active >= 1));
    }
}
