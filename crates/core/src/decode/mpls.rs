//! MPLS (RFC 3032): a stack of 4-byte label entries, the last one marked
//! bottom-of-stack. No field names what follows; like Wireshark, the first
//! nibble after the stack and a look for an Ethernet type field decide: 4 is
//! IPv4, 6 is IPv6, otherwise an Ethernet frame (Ethernet over MPLS, RFC
//! 4448), or, after a first nibble of 0, a pseudowire control word (RFC
//! 4385) and then one.
//!
//! The labels are not part of the connection key, so a connection labelled
//! in one direction only is still one connection.

use super::bytes::{be16, u8_at};
use super::{ip, link, Cursor, DecodeError, Decoded, Layer, NotTcp};

const ENTRY_LEN: usize = 4;
const BOTTOM_OF_STACK: u8 = 0x01;
/// Reserved labels that say which IP version follows (RFC 3032 §2.1).
const IPV4_EXPLICIT_NULL: u32 = 0;
const IPV6_EXPLICIT_NULL: u32 = 2;
/// Deeper stacks than this are corruption; real ones hold 2-5 labels.
const MAX_LABELS: usize = 16;
const CONTROL_WORD_LEN: usize = 4;

/// A label stack starting at `at`, and what it carries.
pub fn stack<'a>(cur: &mut Cursor<'a>, at: usize) -> Result<Decoded<'a>, DecodeError> {
    cur.deeper(Layer::Mpls, at)?;
    cur.enter(Layer::Mpls);
    let mut entry = at;
    for _ in 0..MAX_LABELS {
        let label_high = cur.need(be16(cur.data, entry), Layer::Mpls, entry)?;
        let flags = cur.need(u8_at(cur.data, entry + 2), Layer::Mpls, entry)?;
        cur.need(u8_at(cur.data, entry + 3), Layer::Mpls, entry)?;
        let label = u32::from(label_high) << 4 | u32::from(flags >> 4);
        entry += ENTRY_LEN;
        if flags & BOTTOM_OF_STACK != 0 {
            return payload(cur, label, entry);
        }
    }
    cur.malformed(Layer::Mpls, at)
}

/// What follows the bottom label.
fn payload<'a>(cur: &mut Cursor<'a>, label: u32, at: usize) -> Result<Decoded<'a>, DecodeError> {
    match label {
        IPV4_EXPLICIT_NULL => return ip::ipv4(cur, at),
        IPV6_EXPLICIT_NULL => return ip::ipv6(cur, at),
        _ => {}
    }
    let first = cur.need(u8_at(cur.data, at), Layer::Mpls, at)?;
    match first >> 4 {
        4 => ip::ipv4(cur, at),
        6 => ip::ipv6(cur, at),
        _ if ethernet_at(cur.data, at) => link::ethernet(cur, at),
        0 if ethernet_at(cur.data, at + CONTROL_WORD_LEN) => {
            cur.enter(Layer::PwControlWord);
            link::ethernet(cur, at + CONTROL_WORD_LEN)
        }
        _ => Ok(Decoded::NotTcp(NotTcp::OtherLink)),
    }
}

/// Whether an Ethernet frame starts at `at`, judged by its type field
/// (Wireshark's "looks like plain Ethernet"): a MAC address can start with
/// a 0 nibble just like a control word.
fn ethernet_at(data: &[u8], at: usize) -> bool {
    const ETHERNET_TYPES: [u16; 10] = [
        0x0800, 0x86DD, 0x0806, 0x8100, 0x88A8, 0x9100, 0x8847, 0x8848, 0x8863, 0x8864,
    ];
    be16(data, at + 12).is_some_and(|t| ETHERNET_TYPES.contains(&t))
}
