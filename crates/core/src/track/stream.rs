//! Wireshark's `tcp.stream` numbers, so that a display filter copied from
//! rstscope (`tcp.stream eq 7`) selects the same packets in Wireshark.
//!
//! Wireshark (4.0, `packet-tcp.c`) numbers TCP conversations in order of
//! their first packet. A conversation is a pair of endpoints; it never ends
//! by time or by a FIN or RST. A new one starts on the same pair only when a
//! SYN without ACK carries a sequence number other than the first one its
//! direction showed (the "base seq": a SYN's own sequence number, or one
//! less than a first segment's that is not a SYN). Zeek's connections,
//! which rstscope's tracking follows, split more often (after a close, or a
//! long silence), so several of them can share one stream.

use crate::decode::flags::{ACK, SYN};

/// The stream a packet belongs to and what Wireshark needs to know to
/// start the next one on the same endpoints.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Stream {
    pub number: u32,
    /// Base seq of each direction: from the pair's lower endpoint, from the upper.
    base_lo: Option<u32>,
    base_hi: Option<u32>,
}

impl Stream {
    pub fn new(number: u32) -> Self {
        Self {
            number,
            base_lo: None,
            base_hi: None,
        }
    }

    /// Whether Wireshark starts a new stream at a packet with `flags` and
    /// `seq`, sent from the lower endpoint of the pair when `from_lo`.
    pub fn restarted_by(&self, from_lo: bool, flags: u16, seq: u32) -> bool {
        let syn_only = flags & (SYN | ACK) == SYN;
        let base = if from_lo { self.base_lo } else { self.base_hi };
        syn_only && base.is_some_and(|base| base != seq)
    }

    /// Remembers the first sequence number of the packet's direction.
    pub fn note(&mut self, from_lo: bool, flags: u16, seq: u32) {
        let base = if flags & SYN != 0 {
            seq
        } else {
            seq.wrapping_sub(1)
        };
        let slot = if from_lo {
            &mut self.base_lo
        } else {
            &mut self.base_hi
        };
        slot.get_or_insert(base);
    }
}

/// Hands out stream numbers in order, as Wireshark does.
#[derive(Debug, Default)]
pub struct Numbering {
    next: u32,
}

impl Numbering {
    pub fn fresh(&mut self) -> Stream {
        let stream = Stream::new(self.next);
        self.next = self.next.saturating_add(1);
        stream
    }

    /// The stream of a packet on a pair whose latest stream is `stream`
    /// (replaced by a new one when the packet starts it), noted.
    pub fn advance(&mut self, stream: &mut Stream, from_lo: bool, flags: u16, seq: u32) {
        if stream.restarted_by(from_lo, flags, seq) {
            *stream = self.fresh();
        }
        stream.note(from_lo, flags, seq);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::flags::{FIN, RST};

    const LO: bool = true;
    const HI: bool = false;

    fn stream_of(packets: &[(bool, u16, u32)]) -> alloc::vec::Vec<u32> {
        let mut numbering = Numbering::default();
        let mut stream = numbering.fresh();
        packets
            .iter()
            .map(|&(from_lo, flags, seq)| {
                numbering.advance(&mut stream, from_lo, flags, seq);
                stream.number
            })
            .collect()
    }

    #[test]
    fn test_handshake_data_and_close_stay_in_one_stream() {
        let packets = [
            (LO, SYN, 100),
            (HI, SYN | ACK, 900),
            (LO, ACK, 101),
            (LO, ACK | FIN, 101),
            (HI, ACK | RST, 901),
        ];
        assert_eq!(stream_of(&packets), [0; 5]);
    }

    #[test]
    fn test_syn_with_new_isn_starts_a_new_stream() {
        let packets = [(LO, SYN, 100), (HI, RST | ACK, 0), (LO, SYN, 5000)];
        assert_eq!(stream_of(&packets), [0, 0, 1]);
    }

    #[test]
    fn test_retransmitted_syn_keeps_the_stream() {
        let packets = [(LO, SYN, 100), (HI, RST | ACK, 0), (LO, SYN, 100)];
        assert_eq!(stream_of(&packets), [0, 0, 0]);
    }

    #[test]
    fn test_syn_from_the_other_side_compares_with_its_own_base() {
        // The upper endpoint's first SYN sets its base; it is not a restart.
        let packets = [(LO, SYN, 100), (HI, SYN, 900), (HI, SYN, 901)];
        assert_eq!(stream_of(&packets), [0, 0, 1]);
    }

    #[test]
    fn test_syn_ack_with_new_isn_is_no_restart() {
        let packets = [(LO, SYN, 100), (HI, SYN | ACK, 900), (HI, SYN | ACK, 77)];
        assert_eq!(stream_of(&packets), [0, 0, 0]);
    }

    #[test]
    fn test_midstream_base_is_one_below_the_first_segment() {
        // A capture that starts mid-connection: a SYN at base seq 99 is not new.
        let packets = [(LO, ACK, 100), (LO, SYN, 99), (LO, SYN, 100)];
        assert_eq!(stream_of(&packets), [0, 0, 1]);
    }

    #[test]
    fn test_bare_resets_never_split_a_stream() {
        let packets = [(LO, RST, 1), (LO, RST, 2), (HI, RST, 3), (LO, RST, 4)];
        assert_eq!(stream_of(&packets), [0; 4]);
    }
}
