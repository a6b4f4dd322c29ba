//! Radio headers that monitor-mode captures put before the 802.11 frame:
//! radiotap (127), PPI (192), Prism (119) and AVS (163). Each gives its
//! length, so the 802.11 frame is always found; the fields a verdict can use
//! (signal, noise, rate, channel) are read into [`Radio`] on the way.
//!
//! The `radiotap` crate needs `std`; these few fields are read here.

use super::bytes::{be32, le16, le32, u8_at};
use super::{link, wlan, Cursor, DecodeError, Decoded, Layer, Radio};
use crate::frame::LinkType;

/// Radiotap (radiotap.org): version 0, a pad byte, the header length, then
/// presence bitmaps (bit 31 chains another) and the fields they announce,
/// each aligned to its natural size from the start of the header.
pub fn radiotap<'a>(cur: &mut Cursor<'a>, at: usize) -> Result<Decoded<'a>, DecodeError> {
    const EXT: u32 = 1 << 31;
    cur.enter(Layer::Radiotap);
    let version = cur.need(u8_at(cur.data, at), Layer::Radiotap, at)?;
    let len = usize::from(cur.need(le16(cur.data, at + 2), Layer::Radiotap, at)?);
    let present = cur.need(le32(cur.data, at + 4), Layer::Radiotap, at)?;
    if version != 0 || len < 8 {
        return cur.malformed(Layer::Radiotap, at);
    }
    cur.need_until(at + len, Layer::Radiotap, at)?;
    let header = cur.data.get(at..at + len).unwrap_or_default();
    // Fields start after the last presence word.
    let mut fields_at = 8;
    let mut word = present;
    while word & EXT != 0 {
        word = match le32(header, fields_at) {
            Some(next) => next,
            None => return cur.malformed(Layer::Radiotap, at),
        };
        fields_at += 4;
    }
    cur.radio = radiotap_fields(header, present, fields_at);
    wlan::frame(cur, at + len)
}

/// Reads the first presence word's fields up to VHT (bit 21); stops early
/// at a field that does not fit.
fn radiotap_fields(header: &[u8], present: u32, mut at: usize) -> Radio {
    // (alignment, size) of fields 0..=21: TSFT, Flags, Rate, Channel, FHSS,
    // dBm signal, dBm noise, lock quality, TX attenuation, dB TX attenuation,
    // dBm TX power, antenna, dB signal, dB noise, RX flags, TX flags, RTS
    // retries, data retries, XChannel, MCS, A-MPDU status, VHT.
    const LAYOUT: [(usize, usize); 22] = [
        (8, 8),
        (1, 1),
        (1, 1),
        (2, 4),
        (2, 2),
        (1, 1),
        (1, 1),
        (2, 2),
        (2, 2),
        (2, 2),
        (1, 1),
        (1, 1),
        (1, 1),
        (1, 1),
        (2, 2),
        (2, 2),
        (1, 1),
        (1, 1),
        (4, 8),
        (1, 3),
        (4, 8),
        (2, 12),
    ];
    let mut radio = Radio::default();
    for (bit, (align, size)) in LAYOUT.iter().enumerate() {
        if present & (1 << bit) == 0 {
            continue;
        }
        at = at.next_multiple_of(*align);
        let Some(field) = header.get(at..at + size) else {
            break;
        };
        radiotap_field(&mut radio, bit, field);
        at += size;
    }
    radio
}

fn radiotap_field(radio: &mut Radio, bit: usize, field: &[u8]) {
    const RATE: usize = 2;
    const CHANNEL: usize = 3;
    const SIGNAL: usize = 5;
    const NOISE: usize = 6;
    const MCS: usize = 19;
    const VHT: usize = 21;
    match (bit, field) {
        (RATE, [rate]) if *rate != 0 => radio.rate_kbps = Some(u32::from(*rate) * 500),
        (CHANNEL, [low, high, ..]) => radio.channel_mhz = Some(u16::from_le_bytes([*low, *high])),
        (SIGNAL, [dbm]) => radio.signal_dbm = Some(i8::from_ne_bytes([*dbm])),
        (NOISE, [dbm]) => radio.noise_dbm = Some(i8::from_ne_bytes([*dbm])),
        (MCS, [known, flags, index]) => {
            radio.rate_kbps = radio.rate_kbps.or(ht_rate(*known, *flags, *index));
        }
        (VHT, [_, _, flags, bandwidth, mcs_nss, ..]) => {
            radio.rate_kbps = radio.rate_kbps.or(vht_rate(*flags, *bandwidth, *mcs_nss));
        }
        _ => {}
    }
}

/// HT (802.11n) rate from radiotap's MCS field: index 0-31 is modulation
/// (index % 8) times spatial streams (index / 8 + 1).
fn ht_rate(known: u8, flags: u8, index: u8) -> Option<u32> {
    const INDEX_KNOWN: u8 = 0x02;
    if known & INDEX_KNOWN == 0 || index > 31 {
        return None;
    }
    let subcarriers = if flags & 0b11 == 1 { 108 } else { 52 };
    let short_gi = flags & 0x04 != 0;
    Some(phy_rate(subcarriers, index % 8, index / 8 + 1, short_gi))
}

/// VHT (802.11ac) rate for the first user: bandwidth code, MCS and NSS.
fn vht_rate(flags: u8, bandwidth: u8, mcs_nss: u8) -> Option<u32> {
    let subcarriers = match bandwidth {
        0 => 52,
        1..=3 => 108,
        4..=10 => 234,
        11..=25 => 468,
        _ => return None,
    };
    let (mcs, nss) = (mcs_nss >> 4, mcs_nss & 0x0F);
    if nss == 0 || mcs > 9 {
        return None;
    }
    Some(phy_rate(subcarriers, mcs, nss, flags & 0x04 != 0))
}

/// OFDM data rate in kbit/s: data subcarriers x coded bits per subcarrier
/// x spatial streams, per 4 µs symbol (3.6 µs with the short guard interval).
fn phy_rate(subcarriers: u32, mcs: u8, streams: u8, short_gi: bool) -> u32 {
    // Coded bits per subcarrier for MCS 0-9, in sixths (BPSK 1/2 = 3/6, ...).
    const SIXTHS: [u32; 10] = [3, 6, 9, 12, 18, 24, 27, 30, 36, 40];
    let sixths = SIXTHS.get(usize::from(mcs)).copied().unwrap_or(0);
    let symbol_tenths_us = if short_gi { 36 } else { 40 };
    subcarriers * sixths * u32::from(streams) * 10_000 / (6 * symbol_tenths_us)
}

/// PPI (Per-Packet Information): version, flags, length and the inner link
/// type, then typed fields; the 802.11-Common field holds the radio reading.
pub fn ppi<'a>(cur: &mut Cursor<'a>, at: usize) -> Result<Decoded<'a>, DecodeError> {
    const HEADER_LEN: usize = 8;
    const FIELD_80211_COMMON: u16 = 2;
    cur.deeper(Layer::Ppi, at)?;
    cur.enter(Layer::Ppi);
    let len = usize::from(cur.need(le16(cur.data, at + 2), Layer::Ppi, at)?);
    let inner = cur.need(le32(cur.data, at + 4), Layer::Ppi, at)?;
    if len < HEADER_LEN {
        return cur.malformed(Layer::Ppi, at);
    }
    cur.need_until(at + len, Layer::Ppi, at)?;
    let mut field = at + HEADER_LEN;
    while let (Some(kind), Some(size)) = (le16(cur.data, field), le16(cur.data, field + 2)) {
        let body = field + 4;
        let end = body + usize::from(size);
        if end > at + len {
            break;
        }
        if kind == FIELD_80211_COMMON {
            cur.radio = ppi_common(cur.data.get(body..end).unwrap_or_default());
        }
        field = end;
    }
    link::frame_at(cur, LinkType(inner), at + len)
}

/// PPI 802.11-Common: TSF (8), flags (2), rate in 500 kbit/s (2), channel
/// frequency (2) and flags (2), FHSS (2), then dBm signal and noise.
fn ppi_common(field: &[u8]) -> Radio {
    let rate = le16(field, 10).filter(|&r| r != 0);
    let dbm = |at| u8_at(field, at).map(|b| i8::from_ne_bytes([b]));
    Radio {
        rate_kbps: rate.map(|r| u32::from(r) * 500),
        channel_mhz: le16(field, 12).filter(|&f| f != 0),
        // -128 (0x80) is PPI's "not present".
        signal_dbm: dbm(18).filter(|&d| d != i8::MIN),
        noise_dbm: dbm(19).filter(|&d| d != i8::MIN),
    }
}

/// Prism monitor header (LINKTYPE 119): message code and length, device
/// name, then ten 12-byte items (DID, status, length, 32-bit value) in the
/// capturing host's byte order. Some drivers write AVS under this number.
pub fn prism<'a>(cur: &mut Cursor<'a>, at: usize) -> Result<Decoded<'a>, DecodeError> {
    const ITEMS_AT: usize = 24;
    const ITEM_LEN: usize = 12;
    // Item order: hosttime, mactime, channel, rssi, sq, signal, noise, rate.
    const CHANNEL: usize = 2;
    const SIGNAL: usize = 5;
    const NOISE: usize = 6;
    const RATE: usize = 7;
    if be32(cur.data, at).is_some_and(is_avs_version) {
        return avs(cur, at);
    }
    cur.enter(Layer::Prism);
    let code = cur.need(le32(cur.data, at), Layer::Prism, at)?;
    let swap = |v: u32| if code >> 16 == 0 { v } else { v.swap_bytes() };
    let len = swap(cur.need(le32(cur.data, at + 4), Layer::Prism, at)?);
    let len = usize::try_from(len).unwrap_or(usize::MAX);
    if len < ITEMS_AT {
        return cur.malformed(Layer::Prism, at);
    }
    cur.need_until(at + len, Layer::Prism, at)?;
    let item = |index: usize| {
        let item_at = at + ITEMS_AT + index * ITEM_LEN;
        // The item's status (a u16 after the DID) is 0 when it holds a value.
        let status = le16(cur.data, item_at + 4)?;
        (status == 0 && item_at + ITEM_LEN <= at + len)
            .then(|| le32(cur.data, item_at + 8).map(swap))
            .flatten()
    };
    // Prism's "signal" and "noise" are dBm only on drivers that say so by
    // giving a negative value; others give an RSSI.
    let dbm = |v: u32| i8::try_from(v as i32).ok().filter(|&d| d < 0);
    cur.radio = Radio {
        signal_dbm: item(SIGNAL).and_then(dbm),
        noise_dbm: item(NOISE).and_then(dbm),
        rate_kbps: item(RATE)
            .filter(|&r| r != 0)
            .map(|r| r.saturating_mul(500)),
        channel_mhz: item(CHANNEL).and_then(channel_mhz),
    };
    wlan::frame(cur, at + len)
}

/// AVS headers start with version 0x80211001 or 0x80211002, big-endian.
fn is_avs_version(word: u32) -> bool {
    word & 0xFFFF_FFF0 == 0x8021_1000
}

/// AVS (LINKTYPE 163): big-endian, version and length, MAC and host times,
/// PHY type, channel, data rate in 100 kbit/s, antenna, priority, then the
/// signal's unit (2 = dBm), signal and noise, preamble and encoding.
pub fn avs<'a>(cur: &mut Cursor<'a>, at: usize) -> Result<Decoded<'a>, DecodeError> {
    const SSI_DBM: u32 = 2;
    const MIN_LEN: usize = 64;
    cur.enter(Layer::Avs);
    let version = cur.need(be32(cur.data, at), Layer::Avs, at)?;
    let len = cur.need(be32(cur.data, at + 4), Layer::Avs, at)?;
    let len = usize::try_from(len).unwrap_or(usize::MAX);
    if !is_avs_version(version) || len < MIN_LEN {
        return cur.malformed(Layer::Avs, at);
    }
    cur.need_until(at + len, Layer::Avs, at)?;
    let field = |offset| be32(cur.data, at + offset);
    let dbm = |v: u32| i8::try_from(v as i32).ok();
    let in_dbm = field(44) == Some(SSI_DBM);
    cur.radio = Radio {
        rate_kbps: field(32).filter(|&r| r != 0).map(|r| r.saturating_mul(100)),
        signal_dbm: field(48).filter(|_| in_dbm).and_then(dbm),
        noise_dbm: field(52).filter(|_| in_dbm).and_then(dbm),
        channel_mhz: field(28).and_then(channel_mhz),
    };
    wlan::frame(cur, at + len)
}

/// Centre frequency of an 802.11 channel number (2.4 GHz band for 1-14,
/// 5 GHz above), as Prism and AVS give channels by number.
fn channel_mhz(channel: u32) -> Option<u16> {
    let mhz = match channel {
        1..=13 => 2407 + 5 * channel,
        14 => 2484,
        32..=196 => 5000 + 5 * channel,
        _ => return None,
    };
    u16::try_from(mhz).ok()
}
