//! Sequence-number arithmetic modulo 2^32 (RFC 793 §3.3).

/// `a - b` as a signed distance: positive when `a` is after `b`, correct
/// across wraparound as long as the two are less than 2^31 apart.
pub fn diff(a: u32, b: u32) -> i64 {
    i64::from(a.wrapping_sub(b) as i32)
}

/// True when `a` comes strictly after `b`.
pub fn after(a: u32, b: u32) -> bool {
    diff(a, b) > 0
}

/// Length in sequence space: payload, plus one each for SYN and FIN.
pub fn segment_len(payload_len: u32, syn: bool, fin: bool) -> u32 {
    payload_len
        .wrapping_add(u32::from(syn))
        .wrapping_add(u32::from(fin))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_diff_wraps() {
        assert_eq!(diff(5, u32::MAX - 4), 10);
        assert_eq!(diff(u32::MAX - 4, 5), -10);
        assert!(after(3, u32::MAX));
        assert!(!after(u32::MAX, 3));
    }
}
