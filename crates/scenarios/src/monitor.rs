//! Link layers that record more than addresses: 802.11 in monitor mode
//! (radiotap) with the transmitters' sequence numbers and retries, and
//! Linux NFLOG with the netfilter hook and the rule's log prefix.

use std::collections::HashMap;

use crate::packet::{LinkNote, Packet};
use crate::Radio;

/// The Wi-Fi station (the capturing workstation) and its access point.
const STATION: [u8; 6] = [0x3c, 0x22, 0xfb, 0x5a, 0x10, 0x7e];
const ACCESS_POINT: [u8; 6] = [0x00, 0x1a, 0x2b, 0x3c, 0x4d, 0x5e];
/// Radiotap fields present: Flags, Rate, Channel, dBm signal, dBm noise.
const RADIOTAP_PRESENT: u32 = (1 << 1) | (1 << 2) | (1 << 3) | (1 << 5) | (1 << 6);
const RADIOTAP_LEN: u16 = 16;
/// Channel 36 (5180 MHz), flags 5 GHz + OFDM.
const CHANNEL_MHZ: u16 = 5180;
const CHANNEL_FLAGS: u16 = 0x0100 | 0x0040;
const NOISE_DBM: i8 = -95;
/// 802.11 sequence numbers are 12 bits.
const SEQUENCE_SPACE: u16 = 4096;

/// The air as a monitor-mode capture next to the station hears it: each
/// transmitter numbers its MAC frames; a [`LinkNote::WifiRetry`] packet
/// repeats the MAC frame of the same segment, Retry bit set, at a lower
/// rate (rate control falls back after a failed attempt).
#[derive(Default)]
pub struct Air {
    /// Next sequence number of the station and of the access point.
    next: [u16; 2],
    /// Sequence number of each segment's first transmission.
    sent: HashMap<(bool, u16, u16, u32, usize, u16), u16>,
}

impl Air {
    /// One packet (`ip`: its IP packet) as a radiotap + 802.11 QoS-data frame.
    pub fn frame(&mut self, packet: &Packet, ip: &[u8], radio: Radio) -> Vec<u8> {
        let retry = packet.link_note == LinkNote::WifiRetry;
        let sequence = self.sequence(packet, retry);
        let rate = if retry {
            (radio.rate_500kbps / 2).max(12)
        } else {
            radio.rate_500kbps
        };
        let mut out = Vec::with_capacity(ip.len() + 60);
        out.extend_from_slice(&[0, 0]);
        out.extend_from_slice(&RADIOTAP_LEN.to_le_bytes());
        out.extend_from_slice(&RADIOTAP_PRESENT.to_le_bytes());
        out.extend_from_slice(&[0, rate]);
        out.extend_from_slice(&CHANNEL_MHZ.to_le_bytes());
        out.extend_from_slice(&CHANNEL_FLAGS.to_le_bytes());
        out.extend_from_slice(&[radio.signal_dbm as u8, NOISE_DBM as u8]);
        // QoS data; To DS from the station, From DS from the access point.
        let (direction, addresses) = if packet.outgoing {
            (0x01, [ACCESS_POINT, STATION, ACCESS_POINT])
        } else {
            (0x02, [STATION, ACCESS_POINT, ACCESS_POINT])
        };
        out.extend_from_slice(&[0x88, direction | if retry { 0x08 } else { 0 }]);
        out.extend_from_slice(&44u16.to_le_bytes());
        for address in addresses {
            out.extend_from_slice(&address);
        }
        out.extend_from_slice(&(sequence << 4).to_le_bytes());
        out.extend_from_slice(&[0, 0]);
        out.extend_from_slice(&[0xaa, 0xaa, 0x03, 0, 0, 0]);
        out.extend_from_slice(&ethertype(packet).to_be_bytes());
        out.extend_from_slice(ip);
        out
    }

    fn sequence(&mut self, packet: &Packet, retry: bool) -> u16 {
        let key = (
            packet.outgoing,
            packet.src_port,
            packet.dst_port,
            packet.seq,
            packet.payload.len(),
            packet.flags,
        );
        if let Some(&sequence) = self.sent.get(&key).filter(|_| retry) {
            return sequence;
        }
        let next = &mut self.next[usize::from(!packet.outgoing)];
        let sequence = *next;
        *next = (sequence + 1) % SEQUENCE_SPACE;
        self.sent.insert(key, sequence);
        sequence
    }
}

/// NFLOG group the capture listens to (`tcpdump -i nflog:5`).
const NFLOG_GROUP: u16 = 5;
/// The rules that log every packet in and out (the host's audit log).
const PREFIX_IN: &str = "LOG-IN";
const PREFIX_OUT: &str = "LOG-OUT";

/// One packet as `tcpdump -i nflog:5` records it on the capturing host:
/// family, version, group, then attributes in the host's (little-endian)
/// order: the packet header with the netfilter hook (INPUT for what came
/// in, OUTPUT for what the host sent), the rule's prefix, the IP packet.
pub fn nflog(packet: &Packet, ip: &[u8]) -> Vec<u8> {
    const PACKET_HDR: u16 = 1;
    const PAYLOAD: u16 = 9;
    const PREFIX: u16 = 10;
    let (family, hook) = (
        if packet.src.is_ipv6() { 10 } else { 2 },
        if packet.outgoing { 3 } else { 1 },
    );
    let prefix = match packet.link_note {
        LinkNote::Logged(prefix) => prefix,
        _ if packet.outgoing => PREFIX_OUT,
        _ => PREFIX_IN,
    };
    let mut out = vec![family, 0];
    out.extend_from_slice(&NFLOG_GROUP.to_be_bytes());
    let mut header = ethertype(packet).to_be_bytes().to_vec();
    header.extend_from_slice(&[hook, 0]);
    attribute(&mut out, PACKET_HDR, &header);
    let mut text = prefix.as_bytes().to_vec();
    text.push(0);
    attribute(&mut out, PREFIX, &text);
    attribute(&mut out, PAYLOAD, ip);
    out
}

/// A type-length-value attribute, padded to 4 bytes.
fn attribute(out: &mut Vec<u8>, kind: u16, value: &[u8]) {
    let len = u16::try_from(4 + value.len()).expect("a generated packet fits an attribute");
    out.extend_from_slice(&len.to_le_bytes());
    out.extend_from_slice(&kind.to_le_bytes());
    out.extend_from_slice(value);
    out.resize(out.len().next_multiple_of(4), 0);
}

fn ethertype(packet: &Packet) -> u16 {
    if packet.src.is_ipv6() {
        0x86dd
    } else {
        0x0800
    }
}
