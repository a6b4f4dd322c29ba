//! Linux NFLOG (LINKTYPE 239): what `tcpdump -i nflog:N` captures, the
//! packets iptables/nftables rules sent to log group N. A 4-byte header
//! (address family, version, group), then type-length-value attributes in
//! the capturing host's byte order: the packet header (with the netfilter
//! hook), the rule's log prefix, and the packet itself, starting at IP.

use super::bytes::{be16, le16, u8_at};
use super::meta::c_str;
use super::{ip, Cursor, DecodeError, Decoded, Hook, Layer, NflogMeta, NotTcp};

const HEADER_LEN: usize = 4;
const TLV_HEADER_LEN: usize = 4;
const AF_INET: u8 = 2;
const AF_INET6: u8 = 10;
/// NFULA_PACKET_HDR: hardware protocol (2, big-endian), hook (1), pad.
const PACKET_HDR: u16 = 1;
const PAYLOAD: u16 = 9;
const PREFIX: u16 = 10;
/// The attribute type's upper bits are flags (NLA_F_NESTED, ...).
const TYPE_MASK: u16 = 0x7FFF;
/// More attributes than netfilter defines (about 20) means a loop on garbage.
const MAX_ATTRIBUTES: usize = 64;

pub fn frame<'a>(cur: &mut Cursor<'a>) -> Result<Decoded<'a>, DecodeError> {
    cur.enter(Layer::Nflog);
    let family = cur.need(u8_at(cur.data, 0), Layer::Nflog, 0)?;
    let group = cur.need(be16(cur.data, 2), Layer::Nflog, 0)?;
    let read_u16 = byte_order(cur.data);
    let mut meta = NflogMeta {
        group,
        ..NflogMeta::default()
    };
    let mut payload = None;
    let mut at = HEADER_LEN;
    for _ in 0..MAX_ATTRIBUTES {
        let (Some(len), Some(kind)) = (read_u16(cur.data, at), read_u16(cur.data, at + 2)) else {
            break;
        };
        let len = usize::from(len);
        if len < TLV_HEADER_LEN && payload.is_none() {
            return cur.malformed(Layer::Nflog, at);
        }
        if len < TLV_HEADER_LEN {
            break;
        }
        let value_at = at + TLV_HEADER_LEN;
        let value = cur.data.get(value_at..at + len);
        match (kind & TYPE_MASK, value) {
            (PACKET_HDR, Some(value)) => {
                meta.hook = u8_at(value, 2).and_then(Hook::from_number);
            }
            (PREFIX, Some(value)) => meta.prefix = c_str(value),
            // The payload may be cut by the snaplen: take what there is.
            (PAYLOAD, _) => payload = Some(value_at),
            _ => {}
        }
        at += len.next_multiple_of(4);
    }
    cur.meta.nflog = Some(meta);
    let Some(payload_at) = payload else {
        return Ok(Decoded::NotTcp(NotTcp::OtherLink));
    };
    match family {
        AF_INET => ip::ipv4(cur, payload_at),
        AF_INET6 => ip::ipv6(cur, payload_at),
        _ => ip::by_version(cur, payload_at),
    }
}

/// The attributes' lengths are in the capturing host's order, which the
/// file does not record: the order whose first length fits the frame wins
/// (little-endian, the usual host, when both do).
fn byte_order(data: &[u8]) -> fn(&[u8], usize) -> Option<u16> {
    let fits = |len: Option<u16>| {
        len.is_some_and(|len| {
            let len = usize::from(len);
            len >= TLV_HEADER_LEN && HEADER_LEN + len <= data.len()
        })
    };
    if fits(le16(data, HEADER_LEN)) || !fits(be16(data, HEADER_LEN)) {
        le16
    } else {
        be16
    }
}
