//! 802.11 monitor-mode frames: data frames reach TCP through LLC/SNAP with
//! the Retry bit, sequence number and transmitter kept; each radio header
//! (radiotap, PPI, Prism, AVS) gives its signal and rate.

use alloc::vec::Vec;

use super::*;
use crate::decode::{Radio, WifiMeta};

const TRANSMITTER: [u8; 6] = [0x02, 0x11, 0x22, 0x33, 0x44, 0x55];
const SNAP_IPV4: [u8; 8] = [0xAA, 0xAA, 0x03, 0, 0, 0, 0x08, 0x00];

/// A data frame to the DS: frame control (`subtype_bits` | data type,
/// `flags`), duration, addresses 1-3, sequence control, then `body`.
pub(super) fn wlan_frame(
    subtype_bits: u8,
    flags: u8,
    sequence: u16,
    qos: Option<[u8; 2]>,
    body: &[u8],
) -> Vec<u8> {
    let mut out = Vec::from([subtype_bits | 0x08, flags, 0, 0]);
    out.extend([0x02, 0, 0, 0, 0, 0xAA]);
    out.extend(TRANSMITTER);
    out.extend([0x02, 0, 0, 0, 0, 0xBB]);
    out.extend((sequence << 4).to_le_bytes());
    if let Some(qos) = qos {
        out.extend(qos);
    }
    out.extend(body);
    out
}

pub(super) fn llc_rst() -> Vec<u8> {
    prefixed(&SNAP_IPV4, &ipv4(TCP, &rst(b"air")))
}

fn wifi(packet: &TcpPacket<'_>) -> WifiMeta {
    packet.link.wifi.expect("802.11 metadata")
}

#[test]
fn data_frame_reaches_tcp_with_its_sequence_number_and_transmitter() {
    let frame = wlan_frame(0x00, 0x01, 1234, None, &llc_rst());
    let packet = decode_tcp(LinkType::IEEE802_11, &frame);
    assert_is_built_ipv4_rst(&packet, b"air");
    assert_eq!(
        packet.encapsulation.layers(),
        [Layer::Wlan, Layer::Llc, Layer::Ipv4]
    );
    let meta = wifi(&packet);
    assert_eq!((meta.sequence, meta.retry, meta.tid), (1234, false, None));
    assert_eq!(meta.transmitter, TRANSMITTER);
    assert_eq!(meta.radio, Radio::default());
}

#[test]
fn qos_data_retry_keeps_the_tid_and_the_retry_bit() {
    // Retry (0x08) + To DS; QoS control TID 5.
    let frame = wlan_frame(0x80, 0x09, 7, Some([0x05, 0]), &llc_rst());
    let meta = wifi(&decode_tcp(LinkType::IEEE802_11, &frame));
    assert!(meta.retry);
    assert_eq!((meta.sequence, meta.tid), (7, Some(5)));
}

#[test]
fn four_address_and_ht_control_headers_are_skipped() {
    // To DS + From DS (a fourth address) and +HTC/Order with QoS (4 more bytes).
    let mut body = Vec::from([0u8; 6]);
    body.extend([0x05, 0]);
    body.extend([0u8; 4]);
    body.extend(llc_rst());
    // The builder puts no QoS field: the fourth address, QoS control and
    // HT control go in as the start of the body.
    let frame = wlan_frame(0x80, 0x83, 9, None, &body);
    let packet = decode_tcp(LinkType::IEEE802_11, &frame);
    assert_is_built_ipv4_rst(&packet, b"air");
    assert_eq!(wifi(&packet).tid, Some(5));
}

#[test]
fn first_amsdu_subframe_is_decoded() {
    let mut body = Vec::from([0u8; 12]);
    body.extend(u16::try_from(llc_rst().len()).unwrap().to_be_bytes());
    body.extend(llc_rst());
    // QoS control with the A-MSDU present bit.
    let frame = wlan_frame(0x80, 0x01, 3, Some([0x80, 0]), &body);
    assert_is_built_ipv4_rst(&decode_tcp(LinkType::IEEE802_11, &frame), b"air");
}

#[test]
fn protected_management_null_and_fragment_frames_are_counted_not_decoded() {
    let protected = wlan_frame(0x00, 0x41, 1, None, &[0x11; 40]);
    assert_eq!(
        decode_other(LinkType::IEEE802_11, &protected),
        NotTcp::EncryptedWlan
    );
    let beacon = prefixed(&[0x80, 0, 0, 0], &[0u8; 40]);
    assert_eq!(
        decode_other(LinkType::IEEE802_11, &beacon),
        NotTcp::WlanManagement
    );
    let ack = [0xD4, 0, 0, 0, 2, 0, 0, 0, 0, 1];
    assert_eq!(
        decode_other(LinkType::IEEE802_11, &ack),
        NotTcp::WlanManagement
    );
    let null = wlan_frame(0x40, 0x01, 1, None, &[]);
    assert_eq!(
        decode_other(LinkType::IEEE802_11, &null),
        NotTcp::WlanManagement
    );
    let mut fragment = wlan_frame(0x00, 0x01, 1, None, &[0x22; 30]);
    fragment[22] |= 0x01;
    assert_eq!(
        decode_other(LinkType::IEEE802_11, &fragment),
        NotTcp::OtherLink
    );
}

#[test]
fn a_cut_802_11_header_is_truncated_at_the_wlan_layer() {
    let frame = wlan_frame(0x80, 0x01, 1, Some([0, 0]), &llc_rst());
    assert_eq!(
        decode_error(LinkType::IEEE802_11, &frame[..20]),
        error(Layer::Wlan, 0, DecodeErrorKind::Truncated)
    );
}

/// Radiotap with TSFT, Flags, Rate (54 Mbit/s), Channel (2437 MHz), dBm
/// signal (-71) and noise (-95), then a second presence word.
pub(super) fn radiotap(body: &[u8]) -> Vec<u8> {
    let present: u32 = 1 << 0 | 1 << 1 | 1 << 2 | 1 << 3 | 1 << 5 | 1 << 6 | 1 << 29 | 1 << 31;
    let mut fields = Vec::new();
    fields.extend(present.to_le_bytes());
    fields.extend(0u32.to_le_bytes()); // second word: nothing more
    fields.extend([0u8; 4]); // TSFT is aligned to 8: offset 12 pads to 16
    fields.extend(1u64.to_le_bytes());
    fields.extend([0x00, 108]); // flags, rate in 500 kbit/s
    fields.extend(2437u16.to_le_bytes());
    fields.extend(0x00A0u16.to_le_bytes());
    fields.extend([(-71i8) as u8, (-95i8) as u8]);
    let len = u16::try_from(4 + fields.len()).unwrap();
    let mut out = Vec::from([0, 0]);
    out.extend(len.to_le_bytes());
    out.extend(fields);
    out.extend(body);
    out
}

#[test]
fn radiotap_signal_rate_and_channel_are_read() {
    let frame = radiotap(&wlan_frame(0x00, 0x02, 42, None, &llc_rst()));
    let packet = decode_tcp(LinkType::RADIOTAP, &frame);
    assert_is_built_ipv4_rst(&packet, b"air");
    assert_eq!(
        packet.encapsulation.layers()[..2],
        [Layer::Radiotap, Layer::Wlan]
    );
    let radio = wifi(&packet).radio;
    assert_eq!(radio.signal_dbm, Some(-71));
    assert_eq!(radio.noise_dbm, Some(-95));
    assert_eq!(radio.rate_kbps, Some(54_000));
    assert_eq!(radio.channel_mhz, Some(2437));
}

#[test]
fn radiotap_ht_and_vht_rates_are_worked_out() {
    let mcs = |known, flags, index| {
        let mut out = Vec::from([0, 0, 11, 0]);
        out.extend((1u32 << 19).to_le_bytes());
        out.extend([known, flags, index]);
        out.extend(wlan_frame(0x00, 0x02, 1, None, &llc_rst()));
        out
    };
    let rate = |frame: &[u8]| wifi(&decode_tcp(LinkType::RADIOTAP, frame)).radio.rate_kbps;
    // MCS 7, 20 MHz, long GI: 65 Mbit/s; MCS 15 (two streams), 40 MHz, short GI: 300.
    assert_eq!(rate(&mcs(0x07, 0x00, 7)), Some(65_000));
    assert_eq!(rate(&mcs(0x07, 0x05, 15)), Some(300_000));
    // Index not known: no rate.
    assert_eq!(rate(&mcs(0x01, 0x00, 7)), None);
    // VHT at offset 8 (aligned to 2): known, flags, bandwidth 80 MHz, MCS 9 x 1 stream.
    let mut vht = Vec::from([0, 0, 20, 0]);
    vht.extend((1u32 << 21).to_le_bytes());
    vht.extend([0, 0, 0x00, 4, 0x91, 0, 0, 0, 0, 0, 0, 0]);
    vht.extend(wlan_frame(0x00, 0x02, 1, None, &llc_rst()));
    assert_eq!(rate(&vht), Some(390_000));
}

#[test]
fn radiotap_with_a_bad_version_or_length_is_malformed() {
    let mut frame = radiotap(&wlan_frame(0x00, 0x02, 1, None, &llc_rst()));
    frame[0] = 1;
    assert_eq!(
        decode_error(LinkType::RADIOTAP, &frame),
        error(Layer::Radiotap, 0, DecodeErrorKind::Malformed)
    );
    let short = [0u8, 0, 200, 0, 0, 0, 0, 0];
    assert_eq!(
        decode_error(LinkType::RADIOTAP, &short),
        error(Layer::Radiotap, 0, DecodeErrorKind::Truncated)
    );
}

#[test]
fn ppi_common_field_gives_the_radio_and_names_the_inner_link_type() {
    let mut common = Vec::new();
    common.extend(0u64.to_le_bytes()); // TSF
    common.extend(0u16.to_le_bytes()); // flags
    common.extend(12u16.to_le_bytes()); // rate: 6 Mbit/s
    common.extend(5180u16.to_le_bytes());
    common.extend(0u16.to_le_bytes());
    common.extend([0, 0, (-80i8) as u8, 0x80]); // FHSS, signal, noise absent
    let mut header = Vec::from([0, 0]);
    header.extend(u16::try_from(8 + 4 + common.len()).unwrap().to_le_bytes());
    header.extend(105u32.to_le_bytes());
    header.extend(2u16.to_le_bytes());
    header.extend(u16::try_from(common.len()).unwrap().to_le_bytes());
    header.extend(&common);
    let frame = prefixed(&header, &wlan_frame(0x00, 0x01, 5, None, &llc_rst()));
    let packet = decode_tcp(LinkType::PPI, &frame);
    assert_eq!(
        packet.encapsulation.layers()[..2],
        [Layer::Ppi, Layer::Wlan]
    );
    let radio = wifi(&packet).radio;
    assert_eq!(radio.rate_kbps, Some(6_000));
    assert_eq!(radio.channel_mhz, Some(5180));
    assert_eq!((radio.signal_dbm, radio.noise_dbm), (Some(-80), None));
    // PPI around Ethernet names link type 1.
    let mut ethernet_ppi = Vec::from([0, 0, 8, 0]);
    ethernet_ppi.extend(1u32.to_le_bytes());
    let frame = prefixed(&ethernet_ppi, &ethernet(0x0800, &ipv4(TCP, &rst(b"x"))));
    assert_eq!(
        tcp_layers(LinkType::PPI, &frame),
        [Layer::Ppi, Layer::Ethernet, Layer::Ipv4]
    );
}

/// A Prism header (message code 0x44, length 144, ten items) in little-endian.
pub(super) fn prism(signal: i32, rate_500k: u32, channel: u32) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend(0x44u32.to_le_bytes());
    out.extend(144u32.to_le_bytes());
    out.extend(*b"wlan0\0\0\0\0\0\0\0\0\0\0\0");
    let values = [0, 0, channel, 0, 0, signal as u32, 0, rate_500k, 0, 0];
    for (i, value) in values.into_iter().enumerate() {
        out.extend((0x0001_0044u32 + (u32::try_from(i).unwrap() << 12)).to_le_bytes());
        out.extend(0u16.to_le_bytes());
        out.extend(4u16.to_le_bytes());
        out.extend(value.to_le_bytes());
    }
    out
}

#[test]
fn prism_gives_signal_rate_and_channel() {
    let frame = prefixed(
        &prism(-60, 22, 6),
        &wlan_frame(0x00, 0x01, 1, None, &llc_rst()),
    );
    let packet = decode_tcp(LinkType::PRISM, &frame);
    assert_eq!(
        packet.encapsulation.layers()[..2],
        [Layer::Prism, Layer::Wlan]
    );
    let radio = wifi(&packet).radio;
    assert_eq!(radio.signal_dbm, Some(-60));
    assert_eq!(radio.rate_kbps, Some(11_000));
    assert_eq!(radio.channel_mhz, Some(2437));
    // A driver that gives RSSI (a positive number) gives no dBm.
    let frame = prefixed(
        &prism(40, 22, 6),
        &wlan_frame(0x00, 0x01, 1, None, &llc_rst()),
    );
    assert_eq!(
        wifi(&decode_tcp(LinkType::PRISM, &frame)).radio.signal_dbm,
        None
    );
}

/// An AVS v1 header: 64 bytes, big-endian, signal in dBm.
pub(super) fn avs(rate_100k: u32, signal: i32) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend(0x8021_1001u32.to_be_bytes());
    out.extend(64u32.to_be_bytes());
    out.extend([0u8; 16]); // MAC and host times
    for value in [
        0u32,
        36,
        rate_100k,
        0,
        0,
        2,
        signal as u32,
        (-92i32) as u32,
        0,
        0,
    ] {
        out.extend(value.to_be_bytes());
    }
    out
}

#[test]
fn avs_gives_signal_noise_rate_and_channel_also_under_the_prism_link_type() {
    let frame = prefixed(&avs(540, -55), &wlan_frame(0x00, 0x01, 1, None, &llc_rst()));
    for link_type in [LinkType::AVS, LinkType::PRISM] {
        let packet = decode_tcp(link_type, &frame);
        assert_eq!(
            packet.encapsulation.layers()[..2],
            [Layer::Avs, Layer::Wlan]
        );
        let radio = wifi(&packet).radio;
        assert_eq!(radio.rate_kbps, Some(54_000));
        assert_eq!((radio.signal_dbm, radio.noise_dbm), (Some(-55), Some(-92)));
        assert_eq!(radio.channel_mhz, Some(5180));
    }
}
