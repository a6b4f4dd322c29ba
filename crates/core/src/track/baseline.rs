//! Small fixed-size statistics of a sender's IP fingerprint: the TTL
//! values it uses and how its IP identification field moves.

/// The few TTL (hop-limit) values a sender was seen with, and how often.
/// A host's packets arrive with one TTL (two around route changes); more
/// than [`TtlBaseline::SLOTS`] values is noise, and the rarest is dropped.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TtlBaseline {
    slots: [(u8, u32); TtlBaseline::SLOTS],
}

impl TtlBaseline {
    pub const SLOTS: usize = 4;

    pub fn add(&mut self, ttl: u8) {
        if let Some(slot) = self.slots.iter_mut().find(|(t, n)| *n > 0 && *t == ttl) {
            slot.1 = slot.1.saturating_add(1);
        } else if let Some(slot) = self.slots.iter_mut().min_by_key(|(_, n)| *n) {
            *slot = (ttl, 1);
        }
    }

    pub fn total(&self) -> u32 {
        self.slots
            .iter()
            .fold(0u32, |sum, (_, n)| sum.saturating_add(*n))
    }

    /// Packets whose TTL was within one of `ttl` (route changes move it by one).
    pub fn near(&self, ttl: u8) -> u32 {
        self.slots
            .iter()
            .filter(|(t, n)| *n > 0 && t.abs_diff(ttl) <= 1)
            .fold(0u32, |sum, (_, n)| sum.saturating_add(*n))
    }

    /// Packets with exactly this TTL.
    pub fn exact(&self, ttl: u8) -> u32 {
        self.slots
            .iter()
            .find(|(t, n)| *n > 0 && *t == ttl)
            .map_or(0, |(_, n)| *n)
    }

    /// The most common TTL and its count.
    pub fn dominant(&self) -> Option<(u8, u32)> {
        self.slots
            .iter()
            .filter(|(_, n)| *n > 0)
            .max_by_key(|(_, n)| *n)
            .copied()
    }
}

/// The initial TTL a sender most likely used: the next common default at or
/// above the observed value (32, 64, 128, 255).
pub fn initial_ttl(ttl: u8) -> u8 {
    match ttl {
        0..=32 => 32,
        33..=64 => 64,
        65..=128 => 128,
        _ => 255,
    }
}

/// How a sender's IP-IDs moved from one packet to the next.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct IpIdStats {
    /// Packets with IP-ID 0.
    pub zero: u32,
    /// Packets with a non-zero IP-ID.
    pub nonzero: u32,
    /// Steps of 1..=[`IpIdStats::SMALL_STEP`] and larger steps between
    /// consecutive non-zero IP-IDs.
    pub small_steps: u32,
    pub big_steps: u32,
}

/// How a host fills the IPv4 identification field.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IpIdStyle {
    /// A counter (per connection or global, depending on where it was measured).
    Counter,
    /// Always 0 (Linux with DF).
    Zero,
    /// No visible pattern.
    Random,
    /// Too few packets to tell.
    Unknown,
}

impl IpIdStats {
    /// Largest step still counted as "the next value of a counter".
    pub const SMALL_STEP: u16 = 64;
    const MIN_SAMPLES: u32 = 3;

    /// Records `id`, with `prev` the previous IP-ID of the same series.
    pub fn add(&mut self, prev: Option<u16>, id: u16) {
        if id == 0 {
            self.zero = self.zero.saturating_add(1);
            return;
        }
        self.nonzero = self.nonzero.saturating_add(1);
        if let Some(prev) = prev.filter(|p| *p != 0) {
            if is_counter_step(prev, id) {
                self.small_steps = self.small_steps.saturating_add(1);
            } else {
                self.big_steps = self.big_steps.saturating_add(1);
            }
        }
    }

    pub fn style(&self) -> IpIdStyle {
        let steps = self.small_steps.saturating_add(self.big_steps);
        let total = self.zero.saturating_add(self.nonzero);
        if total < Self::MIN_SAMPLES {
            IpIdStyle::Unknown
        } else if self.zero.saturating_mul(10) >= total.saturating_mul(9) {
            IpIdStyle::Zero
        } else if steps >= 2 && self.small_steps.saturating_mul(10) >= steps.saturating_mul(7) {
            IpIdStyle::Counter
        } else if steps >= 2 {
            IpIdStyle::Random
        } else {
            IpIdStyle::Unknown
        }
    }
}

/// True when `next` is a plausible next value of a counter at `prev`.
pub fn is_counter_step(prev: u16, next: u16) -> bool {
    let step = next.wrapping_sub(prev);
    (1..=IpIdStats::SMALL_STEP).contains(&step)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_ttl_baseline_keeps_common_values() {
        let mut b = TtlBaseline::default();
        for _ in 0..10 {
            b.add(52);
        }
        b.add(53);
        for t in [1, 2, 3, 4, 5] {
            b.add(t);
        }
        assert_eq!(b.dominant(), Some((52, 10)));
        assert_eq!(b.near(51), 10);
        assert_eq!(b.near(53), 10);
        assert_eq!(b.exact(53), 0, "the rarest value was replaced");
    }

    #[test]
    fn test_ip_id_styles() {
        let mut counter = IpIdStats::default();
        let mut prev = None;
        for id in [100u16, 101, 102, 104, 105] {
            counter.add(prev, id);
            prev = Some(id);
        }
        assert_eq!(counter.style(), IpIdStyle::Counter);

        let mut zero = IpIdStats::default();
        for _ in 0..5 {
            zero.add(Some(0), 0);
        }
        assert_eq!(zero.style(), IpIdStyle::Zero);

        let mut random = IpIdStats::default();
        let mut prev = None;
        for id in [100u16, 40000, 7, 23000, 9000] {
            random.add(prev, id);
            prev = Some(id);
        }
        assert_eq!(random.style(), IpIdStyle::Random);
        assert_eq!(initial_ttl(52), 64);
        assert_eq!(initial_ttl(248), 255);
    }
}
