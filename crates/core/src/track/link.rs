//! What the link layer told about a connection's packets: the 802.11
//! transmission (retries, sequence numbers, radio), the netfilter rule that
//! logged it (NFLOG), the process that owned it (PKTAP). Kept per side, so
//! a reset can quote it for the packet it answers and for itself.
//!
//! A connection allocates this once, at its first packet that carries link
//! metadata (captures without any never do); per packet nothing is
//! allocated: texts (rule prefixes, process names) are interned in
//! [`Names`] and notes hold their 2-byte id.

use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec::Vec;

use crate::decode::{Hook, LinkMeta, WifiMeta};

/// Distinct texts a capture's link headers may carry before new ones are
/// dropped (a capture uses a handful; a hostile one could use millions).
const MAX_NAMES: usize = 256;

/// A text kept in [`Names`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NameId(u16);

/// Distinct texts seen in link headers, each stored once.
#[derive(Clone, Debug, Default)]
pub struct Names {
    texts: Vec<String>,
}

impl Names {
    /// The id of `text`, stored the first time it is seen; `None` once the
    /// table is full.
    pub fn intern(&mut self, text: &str) -> Option<NameId> {
        if let Some(i) = self.texts.iter().position(|t| t == text) {
            return u16::try_from(i).ok().map(NameId);
        }
        if self.texts.len() >= MAX_NAMES {
            return None;
        }
        self.texts.push(text.into());
        u16::try_from(self.texts.len() - 1).ok().map(NameId)
    }

    pub fn get(&self, id: NameId) -> Option<&str> {
        self.texts.get(usize::from(id.0)).map(String::as_str)
    }
}

/// One packet's link-layer facts, as the connection keeps them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LinkNote {
    pub wifi: Option<WifiNote>,
    pub nflog: Option<NflogNote>,
    pub process: Option<ProcessNote>,
}

/// One packet's 802.11 transmission, against the frames of the same
/// transmitter seen before it on this connection.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct WifiNote {
    /// Transmissions of this MAC frame (same sequence number and TID) seen,
    /// this one included.
    pub attempts: u8,
    /// Its Retry bit: the transmitter had sent it before.
    pub retry: bool,
    /// From the first transmission seen to this one.
    pub span_ns: i64,
    /// How many sequence numbers newer the newest frame of the same
    /// transmitter and TID already seen was: it was overtaken on the link.
    pub overtaken: u16,
    /// How long before it the first of those newer frames went.
    pub late_ns: i64,
    pub signal_dbm: Option<i8>,
    pub rate_kbps: Option<u32>,
}

/// The netfilter rule that logged a packet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NflogNote {
    pub prefix: Option<NameId>,
    pub hook: Option<Hook>,
    pub group: u16,
}

/// The process a packet belonged to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ProcessNote {
    pub name: Option<NameId>,
    pub pid: Option<u32>,
}

/// A connection's link-layer record, per side.
#[derive(Clone, Debug, Default)]
pub struct ConnLink {
    pub client: SideLink,
    pub server: SideLink,
}

/// What one side's packets showed.
#[derive(Clone, Debug, Default)]
pub struct SideLink {
    /// Its last non-RST packet's note, with the frame number.
    pub last: Option<(u64, LinkNote)>,
    /// The rule that logged its first logged packet: its usual rule.
    pub usual_rule: Option<NflogNote>,
    /// The last process named for its packets.
    pub process: Option<ProcessNote>,
}

impl SideLink {
    /// Notes one packet of this side (`wifi`: its transmission, as the
    /// [`Stations`] saw it); a RST is not kept as its last packet.
    pub fn note(
        &mut self,
        frame: u64,
        meta: &LinkMeta<'_>,
        wifi: Option<WifiNote>,
        rst: bool,
        names: &mut Names,
    ) -> LinkNote {
        let note = LinkNote {
            wifi,
            nflog: meta.nflog.map(|n| NflogNote {
                prefix: names.intern(n.prefix),
                hook: n.hook,
                group: n.group,
            }),
            process: meta.process.map(|p| ProcessNote {
                name: names.intern(p.name),
                pid: p.pid,
            }),
        };
        if note.process.is_some() {
            self.process = note.process;
        }
        if !rst {
            self.usual_rule = self.usual_rule.or(note.nflog);
            self.last = Some((frame, note));
        }
        note
    }
}

/// Wi-Fi transmitters remembered; more (a busy monitor capture) replace
/// the oldest.
const MAX_STATIONS: usize = 64;
/// MAC frames remembered per transmitter, by sequence number modulo this:
/// enough to see a frame retried after a long run of newer ones.
const SLOTS: usize = 256;
/// 802.11 sequence numbers are 12 bits.
const SEQUENCE_SPACE: u16 = 4096;
/// Sequence numbers count per QoS TID (0-15); non-QoS data has its own.
const NON_QOS: u8 = 16;

/// The recent MAC frames of each Wi-Fi transmitter in the capture: 802.11
/// sequence numbers belong to the transmitter, not to one connection.
/// Allocated at the first 802.11 frame (4 KiB per transmitter).
#[derive(Clone, Debug, Default)]
pub struct Stations {
    stations: Vec<Box<Station>>,
    /// Where the next new transmitter goes once the table is full.
    replace: usize,
}

#[derive(Clone, Debug)]
struct Station {
    transmitter: [u8; 6],
    /// Newest sequence number seen per TID.
    newest: [Option<u16>; NON_QOS as usize + 1],
    slots: [MacFrame; SLOTS],
}

#[derive(Clone, Copy, Debug, Default)]
struct MacFrame {
    /// Zero attempts: an empty slot.
    attempts: u8,
    sequence: u16,
    tid: u8,
    first_ns: i64,
}

impl Stations {
    /// Notes one 802.11 data frame; its transmission against the frames
    /// its transmitter sent before.
    pub fn note(&mut self, wifi: &WifiMeta, ts_ns: i64) -> WifiNote {
        let mut note = WifiNote {
            attempts: 1,
            retry: wifi.retry,
            signal_dbm: wifi.radio.signal_dbm,
            rate_kbps: wifi.radio.rate_kbps,
            ..WifiNote::default()
        };
        let Some(station) = self.station(wifi.transmitter) else {
            return note;
        };
        let tid = wifi.tid.unwrap_or(NON_QOS).min(NON_QOS);
        let overtaken = station
            .newest
            .get(usize::from(tid))
            .copied()
            .flatten()
            .and_then(|newest| newer_by(newest, wifi.sequence))
            .unwrap_or(0);
        let late_ns = (1..=overtaken.min(16))
            .filter_map(|ahead| station.frame(wifi.sequence.wrapping_add(ahead), tid))
            .map(|f| ts_ns.saturating_sub(f.first_ns))
            .max()
            .unwrap_or(0);
        let (attempts, first_ns) = station.transmitted(wifi.sequence, tid, ts_ns);
        note.attempts = attempts;
        note.span_ns = ts_ns.saturating_sub(first_ns).max(0);
        note.overtaken = overtaken;
        note.late_ns = late_ns.max(0);
        note
    }

    /// The transmitter's record, made (or made in place of the oldest) the
    /// first time it is seen.
    fn station(&mut self, transmitter: [u8; 6]) -> Option<&mut Station> {
        let index = match self
            .stations
            .iter()
            .position(|s| s.transmitter == transmitter)
        {
            Some(i) => i,
            None => {
                let fresh = Box::new(Station {
                    transmitter,
                    newest: [None; NON_QOS as usize + 1],
                    slots: [MacFrame::default(); SLOTS],
                });
                if self.stations.len() < MAX_STATIONS {
                    self.stations.push(fresh);
                    self.stations.len() - 1
                } else {
                    let i = self.replace % MAX_STATIONS;
                    self.replace = i + 1;
                    *self.stations.get_mut(i)? = fresh;
                    i
                }
            }
        };
        self.stations.get_mut(index).map(|s| &mut **s)
    }
}

impl Station {
    fn frame(&self, sequence: u16, tid: u8) -> Option<&MacFrame> {
        let sequence = sequence % SEQUENCE_SPACE;
        self.slots
            .get(usize::from(sequence) % SLOTS)
            .filter(|f| f.attempts > 0 && f.sequence == sequence && f.tid == tid)
    }

    /// Counts a transmission of (`sequence`, `tid`): how many so far and
    /// when the first was seen.
    fn transmitted(&mut self, sequence: u16, tid: u8, ts_ns: i64) -> (u8, i64) {
        if let Some(newest) = self.newest.get_mut(usize::from(tid)) {
            if newest.is_none_or(|n| newer_by(sequence, n).is_some()) {
                *newest = Some(sequence);
            }
        }
        let Some(slot) = self.slots.get_mut(usize::from(sequence) % SLOTS) else {
            return (1, ts_ns);
        };
        if slot.attempts > 0 && slot.sequence == sequence && slot.tid == tid {
            slot.attempts = slot.attempts.saturating_add(1);
        } else {
            *slot = MacFrame {
                attempts: 1,
                sequence,
                tid,
                first_ns: ts_ns,
            };
        }
        (slot.attempts, slot.first_ns)
    }
}

/// How many sequence numbers `a` is ahead of `b`, when it is (modulo
/// 4096, half the space ahead).
fn newer_by(a: u16, b: u16) -> Option<u16> {
    let ahead = a.wrapping_sub(b) % SEQUENCE_SPACE;
    (ahead > 0 && ahead < SEQUENCE_SPACE / 2).then_some(ahead)
}

/// Below this a Wi-Fi link is weak (about where rates drop to the lowest
/// modulations and retries become common).
const WEAK_SIGNAL_DBM: i8 = -75;
/// At or below this PHY rate (kbit/s) a link has fallen back to its
/// slowest modulations.
const SLOW_RATE_KBPS: u32 = 12_000;

/// A Wi-Fi frame received on a weak link: low signal or slow rate.
pub fn weak_radio(signal_dbm: Option<i8>, rate_kbps: Option<u32>) -> bool {
    signal_dbm.is_some_and(|s| s <= WEAK_SIGNAL_DBM)
        || rate_kbps.is_some_and(|r| r <= SLOW_RATE_KBPS)
}

/// Link metadata worth keeping: any part present.
pub fn carries_any(meta: &LinkMeta<'_>) -> bool {
    meta.wifi.is_some() || meta.nflog.is_some() || meta.process.is_some()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::Radio;

    fn wifi(sequence: u16, retry: bool) -> WifiMeta {
        WifiMeta {
            retry,
            sequence,
            transmitter: [2, 0, 0, 0, 0, 1],
            tid: Some(0),
            radio: Radio {
                signal_dbm: Some(-81),
                ..Radio::default()
            },
        }
    }

    #[test]
    fn test_wifi_retry_after_newer_frames_is_overtaken_and_counted() {
        let mut stations = Stations::default();
        stations.note(&wifi(4095, false), 0);
        for (i, seq) in [0u16, 1, 2].into_iter().enumerate() {
            stations.note(&wifi(seq, false), 10 + i as i64);
        }
        stations.note(&wifi(4095, true), 100);
        let w = stations.note(&wifi(4095, true), 180);
        assert_eq!((w.attempts, w.retry, w.span_ns), (3, true, 180));
        assert_eq!((w.overtaken, w.late_ns), (3, 170));
        assert_eq!(w.signal_dbm, Some(-81));
    }

    #[test]
    fn test_wifi_in_order_frames_are_neither_retried_nor_overtaken() {
        let mut stations = Stations::default();
        for seq in 0..600u16 {
            let w = stations.note(&wifi(seq % 4096, false), i64::from(seq));
            assert_eq!((w.attempts, w.overtaken, w.late_ns), (1, 0, 0));
        }
    }

    #[test]
    fn test_wifi_transmitters_count_their_own_sequence_numbers() {
        let mut stations = Stations::default();
        stations.note(&wifi(100, false), 0);
        let other = WifiMeta {
            transmitter: [2, 0, 0, 0, 0, 2],
            ..wifi(50, false)
        };
        assert_eq!(stations.note(&other, 1).overtaken, 0);
        for n in 0..=MAX_STATIONS as u8 {
            let w = WifiMeta {
                transmitter: [4, 0, 0, 0, 0, n],
                ..wifi(7, false)
            };
            assert_eq!(stations.note(&w, 2).attempts, 1);
        }
    }

    #[test]
    fn test_side_keeps_its_usual_rule_and_last_packet() {
        let (mut side, mut names) = (SideLink::default(), Names::default());
        let logged = |prefix| LinkMeta {
            nflog: Some(crate::decode::NflogMeta {
                prefix,
                hook: Some(Hook::Input),
                group: 5,
            }),
            ..LinkMeta::default()
        };
        side.note(1, &logged("HTTPS-IN"), None, false, &mut names);
        let note = side.note(2, &logged("INVALID-REJECT"), None, false, &mut names);
        side.note(3, &logged("RST"), None, true, &mut names);
        let usual = side
            .usual_rule
            .and_then(|r| r.prefix)
            .and_then(|id| names.get(id));
        assert_eq!(usual, Some("HTTPS-IN"));
        assert_eq!(side.last, Some((2, note)));
    }

    #[test]
    fn test_names_intern_once_and_stop_when_full() {
        let mut names = Names::default();
        let a = names.intern("INVALID-REJECT");
        assert_eq!(names.intern("INVALID-REJECT"), a);
        assert_eq!(a.and_then(|id| names.get(id)), Some("INVALID-REJECT"));
        for i in 0..MAX_NAMES {
            names.intern(&alloc::format!("n{i}"));
        }
        assert_eq!(names.intern("one too many"), None);
        assert_eq!(names.intern("INVALID-REJECT"), a);
    }
}
