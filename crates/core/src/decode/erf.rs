//! Endace ERF records (LINKTYPE_ERF 197, and native ERF files, whose records
//! the capture reader hands over whole under that link type): a 16-byte
//! header (timestamp, record type, flags, record and wire lengths), optional
//! 8-byte extension headers, then the packet in the record type's framing.

use super::bytes::u8_at;
use super::{ip, link, wan, Cursor, DecodeError, Decoded, Layer, NotTcp};

const HEADER_LEN: usize = 16;
const TYPE_AT: usize = 8;
/// In the type byte and in each extension header: another extension follows.
const MORE_EXTENSIONS: u8 = 0x80;
const EXTENSION_LEN: usize = 8;
/// Extension chains longer than this are corruption.
const MAX_EXTENSIONS: usize = 16;
/// Ethernet records have two bytes (offset, pad) before the frame.
const ETHERNET_PAD: usize = 2;
/// Multichannel records have a 4-byte channel header before the HDLC frame.
const MULTICHANNEL_HEADER: usize = 4;

/// Record types, the low 7 bits of the type byte.
mod record {
    pub const HDLC_POS: u8 = 1;
    pub const ETH: u8 = 2;
    pub const MC_HDLC: u8 = 5;
    pub const COLOR_HDLC_POS: u8 = 10;
    pub const COLOR_ETH: u8 = 11;
    pub const DSM_COLOR_HDLC_POS: u8 = 15;
    pub const DSM_COLOR_ETH: u8 = 16;
    pub const COLOR_MC_HDLC_POS: u8 = 17;
    pub const IPV4: u8 = 20;
    pub const IPV6: u8 = 21;
}

pub fn record<'a>(cur: &mut Cursor<'a>) -> Result<Decoded<'a>, DecodeError> {
    cur.enter(Layer::Erf);
    cur.need_until(HEADER_LEN, Layer::Erf, 0)?;
    let type_byte = cur.need(u8_at(cur.data, TYPE_AT), Layer::Erf, 0)?;
    let mut body = HEADER_LEN;
    let mut more = type_byte & MORE_EXTENSIONS != 0;
    for _ in 0..MAX_EXTENSIONS {
        if !more {
            break;
        }
        more = cur.need(u8_at(cur.data, body), Layer::Erf, body)? & MORE_EXTENSIONS != 0;
        body += EXTENSION_LEN;
    }
    if more {
        return cur.malformed(Layer::Erf, HEADER_LEN);
    }
    match type_byte & !MORE_EXTENSIONS {
        record::ETH | record::COLOR_ETH | record::DSM_COLOR_ETH => {
            cur.need_until(body + ETHERNET_PAD, Layer::Erf, 0)?;
            link::ethernet(cur, body + ETHERNET_PAD)
        }
        record::IPV4 => ip::ipv4(cur, body),
        record::IPV6 => ip::ipv6(cur, body),
        record::HDLC_POS | record::COLOR_HDLC_POS | record::DSM_COLOR_HDLC_POS => {
            wan::ppp(cur, body)
        }
        record::MC_HDLC | record::COLOR_MC_HDLC_POS => {
            cur.need_until(body + MULTICHANNEL_HEADER, Layer::Erf, 0)?;
            wan::ppp(cur, body + MULTICHANNEL_HEADER)
        }
        _ => Ok(Decoded::NotTcp(NotTcp::OtherLink)),
    }
}
