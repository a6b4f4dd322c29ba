//! ICMP errors quote the start of the packet that caused them; followed
//! only for [`super::quoted_tcp`], since the quote is not a packet of its own.

use etherparse::IpNumber;

use super::bytes::u8_at;
use super::{ip, Cursor, DecodeError, Decoded, Layer, NotTcp};

/// ICMP header before the quoted packet: type, code, checksum, 4 more bytes.
const HEADER_LEN: usize = 8;

pub fn quote<'a>(
    cur: &mut Cursor<'a>,
    protocol: IpNumber,
    at: usize,
) -> Result<Decoded<'a>, DecodeError> {
    let not_quoting = Ok(Decoded::NotTcp(NotTcp::IpProtocol(protocol.0)));
    let Some(kind) = u8_at(cur.data, at) else {
        return not_quoting;
    };
    // Destination unreachable, source quench, redirect, time exceeded,
    // parameter problem; ICMPv6: unreachable, too big, time exceeded, parameter problem.
    let error = match protocol {
        IpNumber::ICMP => matches!(kind, 3 | 4 | 5 | 11 | 12),
        _ => matches!(kind, 1..=4),
    };
    if !error {
        return not_quoting;
    }
    cur.quoted = true;
    cur.enter(Layer::Icmp);
    cur.need_until(at + HEADER_LEN, Layer::Icmp, at)?;
    ip::by_version(cur, at + HEADER_LEN)
}
