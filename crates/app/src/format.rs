//! Human-readable numbers and times shared by the UI and the Markdown export.

/// Seconds since the Unix epoch as "2024-03-01 12:34:56.789 UTC".
pub fn utc(epoch_s: f64) -> String {
    if !epoch_s.is_finite() {
        return "-".to_string();
    }
    let millis = (epoch_s * 1000.0).round() as i64;
    let (days, ms_of_day) = (millis.div_euclid(86_400_000), millis.rem_euclid(86_400_000));
    let (year, month, day) = civil_from_days(days);
    let secs = ms_of_day / 1000;
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02}.{:03} UTC",
        secs / 3600,
        secs / 60 % 60,
        secs % 60,
        ms_of_day % 1000
    )
}

/// How packet and reset times are shown: Wireshark's three usual views.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum TimeMode {
    /// Seconds after the capture's first frame: "+12.345678 s".
    #[default]
    Relative,
    /// Wall-clock time: "2024-03-01 12:34:56.789012 UTC".
    Utc,
    /// Seconds since the previous row (packet or reset) shown: "Δ 0.000250 s".
    Delta,
}

impl TimeMode {
    pub const ALL: [TimeMode; 3] = [Self::Relative, Self::Utc, Self::Delta];

    pub fn label(self) -> &'static str {
        match self {
            Self::Relative => "since capture start",
            Self::Utc => "absolute (UTC)",
            Self::Delta => "delta to previous",
        }
    }

    /// Column heading for the times it shows.
    pub fn heading(self) -> &'static str {
        match self {
            Self::Relative => "Time (s)",
            Self::Utc => "Time (UTC)",
            Self::Delta => "Δ time (s)",
        }
    }

    /// `time` (seconds since the epoch) in this mode: `start` is the
    /// capture's first frame, `previous` the row shown before it (none for
    /// the first row, which shows a delta of 0).
    pub fn show(self, time: f64, start: Option<f64>, previous: Option<f64>) -> String {
        match self {
            Self::Relative => format!("{:.6}", (time - start.unwrap_or(time)).max(0.0)),
            Self::Utc => utc_micros(time),
            Self::Delta => format!("{:.6}", time - previous.unwrap_or(time)),
        }
    }
}

/// Seconds since the Unix epoch with microseconds, as Wireshark shows UTC
/// times: "2024-03-01 12:34:56.789012 UTC".
pub fn utc_micros(epoch_s: f64) -> String {
    if !epoch_s.is_finite() {
        return "-".to_string();
    }
    let micros = (epoch_s * 1e6).round() as i64;
    let (days, us_of_day) = (
        micros.div_euclid(86_400_000_000),
        micros.rem_euclid(86_400_000_000),
    );
    let (year, month, day) = civil_from_days(days);
    let secs = us_of_day / 1_000_000;
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02}.{:06} UTC",
        secs / 3600,
        secs / 60 % 60,
        secs % 60,
        us_of_day % 1_000_000
    )
}

/// Howard Hinnant's days-to-civil algorithm (proleptic Gregorian calendar).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// A duration as the core's findings write it (`render::duration`): "850 µs",
/// "2.5 ms", "12 ms", "3.20 s", "4 min 05 s", so a drawer's ladder and its
/// evidence read alike.
pub fn duration(secs: f64) -> String {
    rstscope_core::render::duration((secs.max(0.0) * 1e9).round() as i64)
}

/// A byte count with a binary unit: "512 B", "1.5 KiB", "20.0 MiB".
pub fn bytes(n: u64) -> String {
    const UNITS: [&str; 4] = ["KiB", "MiB", "GiB", "TiB"];
    if n < 1024 {
        return format!("{n} B");
    }
    let mut value = n as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    format!("{value:.1} {}", UNITS[unit])
}

/// Core's lower-case clause ("a censor ... injected 2 resets") as a
/// sentence: capital first letter, full stop.
pub fn sentence(clause: &str) -> String {
    let mut chars = clause.trim().chars();
    let Some(first) = chars.next() else {
        return String::new();
    };
    let mut text: String = first.to_uppercase().chain(chars).collect();
    if !text.ends_with(['.', '!', '?']) {
        text.push('.');
    }
    text
}

/// A confidence in [0, 1] as a whole percentage.
pub fn percent(confidence: f32) -> String {
    format!("{:.0}%", (confidence.clamp(0.0, 1.0) * 100.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clauses_become_sentences() {
        assert_eq!(
            sentence("a port scan: 9 resets on 9 connections"),
            "A port scan: 9 resets on 9 connections."
        );
        assert_eq!(sentence("Done."), "Done.");
        assert_eq!(sentence(" "), "");
    }

    #[test]
    fn utc_times() {
        assert_eq!(utc(0.0), "1970-01-01 00:00:00.000 UTC");
        // tshark: frame.time_epoch 1763505643.196787 is 2025-11-18 22:40:43.197 UTC.
        assert_eq!(utc(1_763_505_643.196_787), "2025-11-18 22:40:43.197 UTC");
        assert_eq!(utc(951_782_400.0), "2000-02-29 00:00:00.000 UTC");
        assert_eq!(utc(-1.0), "1969-12-31 23:59:59.000 UTC");
        assert_eq!(utc(f64::NAN), "-");
    }

    #[test]
    fn time_modes() {
        let start = Some(1_763_505_643.0);
        let t = 1_763_505_643.196_787;
        assert_eq!(TimeMode::Relative.show(t, start, None), "0.196787");
        assert_eq!(
            TimeMode::Utc.show(t, start, None),
            "2025-11-18 22:40:43.196787 UTC"
        );
        assert_eq!(
            TimeMode::Delta.show(t, start, Some(t - 0.00025)),
            "0.000250"
        );
        assert_eq!(TimeMode::Delta.show(t, start, None), "0.000000");
        // A capture whose clock went backwards shows a negative delta, as Wireshark does.
        assert_eq!(TimeMode::Delta.show(t, start, Some(t + 1.0)), "-1.000000");
        assert_eq!(utc_micros(-0.5), "1969-12-31 23:59:59.500000 UTC");
    }

    #[test]
    fn durations() {
        assert_eq!(duration(0.000_85), "850 µs");
        assert_eq!(duration(0.0025), "2.5 ms");
        assert_eq!(duration(0.0124), "12 ms");
        assert_eq!(duration(3.2), "3.20 s");
        assert_eq!(duration(245.0), "4 min 05 s");
        assert_eq!(duration(7500.0), "2 h 05 min");
    }

    #[test]
    fn byte_counts() {
        assert_eq!(bytes(512), "512 B");
        assert_eq!(bytes(1536), "1.5 KiB");
        assert_eq!(bytes(20 << 20), "20.0 MiB");
        assert_eq!(percent(0.876), "88%");
    }
}
