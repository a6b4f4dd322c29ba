//! IEEE 802.11 MAC frames: data and QoS-data frames lead through LLC/SNAP
//! to IP; protected frames are counted as encrypted, management and control
//! frames as such. The Retry bit, sequence number and transmitter go into
//! [`WifiMeta`], with the radio header's reading when there was one.

use super::bytes::{le16, u8_at};
use super::link;
use super::{Cursor, DecodeError, Decoded, Layer, NotTcp, WifiMeta};

const TYPE_DATA: u8 = 2;
/// Data subtypes with this bit set (Null, QoS Null, CF-Ack, ...) carry no body.
const SUBTYPE_NO_DATA: u8 = 0x40;
/// Data subtypes with this bit set have a 2-byte QoS control field.
const SUBTYPE_QOS: u8 = 0x80;
const TO_DS: u8 = 0x01;
const FROM_DS: u8 = 0x02;
const RETRY: u8 = 0x08;
const PROTECTED: u8 = 0x40;
/// With QoS, the +HTC/Order bit announces a 4-byte HT Control field.
const ORDER: u8 = 0x80;
/// QoS control: the body is an A-MSDU (subframes, each with its own header).
const QOS_AMSDU: u8 = 0x80;

/// Fixed part of a data frame header: frame control, duration, three
/// addresses, sequence control.
const HEADER_LEN: usize = 24;
const TRANSMITTER_AT: usize = 10;
const SEQUENCE_CONTROL_AT: usize = 22;
/// A-MSDU subframe header: destination, source, length.
const AMSDU_SUBFRAME_LEN: usize = 14;

/// An 802.11 MAC frame starting at `at`.
pub fn frame<'a>(cur: &mut Cursor<'a>, at: usize) -> Result<Decoded<'a>, DecodeError> {
    cur.deeper(Layer::Wlan, at)?;
    cur.enter(Layer::Wlan);
    let fc0 = cur.need(u8_at(cur.data, at), Layer::Wlan, at)?;
    let fc1 = cur.need(u8_at(cur.data, at + 1), Layer::Wlan, at)?;
    if (fc0 >> 2) & 0b11 != TYPE_DATA {
        return Ok(Decoded::NotTcp(NotTcp::WlanManagement));
    }
    if fc0 & SUBTYPE_NO_DATA != 0 {
        return Ok(Decoded::NotTcp(NotTcp::WlanManagement));
    }
    let qos = fc0 & SUBTYPE_QOS != 0;
    let four_addresses = fc1 & (TO_DS | FROM_DS) == TO_DS | FROM_DS;
    let qos_at = at + HEADER_LEN + if four_addresses { 6 } else { 0 };
    let body = qos_at + if qos { 2 } else { 0 } + if qos && fc1 & ORDER != 0 { 4 } else { 0 };
    cur.need_until(body, Layer::Wlan, at)?;
    let sequence_control = cur.need(le16(cur.data, at + SEQUENCE_CONTROL_AT), Layer::Wlan, at)?;
    let qos_control = if qos {
        Some(cur.need(u8_at(cur.data, qos_at), Layer::Wlan, at)?)
    } else {
        None
    };
    let transmitter = cur
        .data
        .get(at + TRANSMITTER_AT..at + TRANSMITTER_AT + 6)
        .and_then(|address| address.try_into().ok())
        .unwrap_or_default();
    cur.meta.wifi = Some(WifiMeta {
        retry: fc1 & RETRY != 0,
        sequence: sequence_control >> 4,
        transmitter,
        tid: qos_control.map(|q| q & 0x0F),
        radio: cur.radio,
    });
    if fc1 & PROTECTED != 0 {
        return Ok(Decoded::NotTcp(NotTcp::EncryptedWlan));
    }
    // Later fragments of a fragmented MSDU carry no LLC header of their own.
    if sequence_control & 0x0F != 0 {
        return Ok(Decoded::NotTcp(NotTcp::OtherLink));
    }
    match qos_control {
        // The first A-MSDU subframe: its own addresses and length, then LLC.
        Some(q) if q & QOS_AMSDU != 0 => {
            cur.need_until(body + AMSDU_SUBFRAME_LEN, Layer::Wlan, body)?;
            link::llc(cur, body + AMSDU_SUBFRAME_LEN)
        }
        _ => link::llc(cur, body),
    }
}
