//! The TCP header: flags, options, and the difference between a header cut
//! by the capture (Truncated) and one whose data offset is impossible
//! (Malformed).

use alloc::vec::Vec;

use super::*;

#[test]
fn all_nine_flag_bits_including_ae() {
    let packet = ipv4(TCP, &tcp(0x1FF, &[], &[]));
    let decoded = decode_tcp(LinkType::IPV4, &packet);
    assert_eq!(decoded.tcp.flags, 0x1FF);
    assert!(decoded.tcp.has(flags::AE));
    let plain = ipv4(TCP, &tcp(flags::SYN, &[], &[]));
    let decoded = decode_tcp(LinkType::IPV4, &plain);
    assert!(decoded.tcp.has(flags::SYN) && !decoded.tcp.has(flags::AE));
}

#[test]
fn handshake_options_are_read() {
    let mut options = Vec::from([2, 4, 0x05, 0xB4]); // MSS 1460
    options.extend([1, 3, 3, 7]); // NOP, window scale 7
    options.extend([4, 2, 8, 10]); // SACK permitted, timestamps...
    options.extend([0, 0, 0, 5, 0, 0, 0, 6, 0, 0]); // ...TSval 5, TSecr 6, end
    let packet = ipv6(TCP, &tcp(flags::SYN, &options, &[]));
    let decoded = decode_tcp(LinkType::IPV6, &packet);
    let o = decoded.tcp.options;
    assert_eq!(o.mss, Some(1460));
    assert_eq!(o.window_scale, Some(7));
    assert!(o.sack_permitted);
    assert_eq!(o.timestamps, Some((5, 6)));
    assert_eq!(o.mptcp_rst_reason, None);
}

#[test]
fn mptcp_tcprst_reason_is_read() {
    // Kind 30, length 4, subtype 8 (MP_TCPRST) with the T flag, reason 6.
    let options = [30, 4, 0x81, 6];
    let packet = ipv4(TCP, &tcp(flags::RST, &options, &[]));
    let decoded = decode_tcp(LinkType::IPV4, &packet);
    assert_eq!(decoded.tcp.options.mptcp_rst_reason, Some(6));
    // Another MPTCP subtype (DSS, 2) is not a reset reason.
    let dss = ipv4(TCP, &tcp(flags::ACK, &[30, 4, 0x20, 0], &[]));
    assert_eq!(
        decode_tcp(LinkType::IPV4, &dss)
            .tcp
            .options
            .mptcp_rst_reason,
        None
    );
}

#[test]
fn data_offset_below_five_is_malformed() {
    let mut segment = rst(&[]);
    segment[12] = 0x40 | (segment[12] & 0x0F);
    let frame = ethernet(0x0800, &ipv4(TCP, &segment));
    assert_eq!(
        decode_error(LinkType::ETHERNET, &frame),
        error(Layer::Tcp, 34, DecodeErrorKind::Malformed)
    );
}

#[test]
fn data_offset_past_the_segment_is_malformed() {
    // Data offset 10 (40 bytes) in a 20-byte segment.
    let mut segment = rst(&[]);
    segment[12] = 0xA0 | (segment[12] & 0x0F);
    let frame = ethernet(0x0800, &ipv4(TCP, &segment));
    assert_eq!(
        decode_error(LinkType::ETHERNET, &frame),
        error(Layer::Tcp, 34, DecodeErrorKind::Malformed)
    );
}

#[test]
fn a_fixed_header_cut_by_the_capture_is_truncated() {
    let options = [1u8; 20];
    let frame = ethernet(0x0800, &ipv4(TCP, &tcp(flags::SYN, &options, &[])));
    assert_eq!(
        decode_error(LinkType::ETHERNET, &frame[..34 + 10]),
        error(Layer::Tcp, 34, DecodeErrorKind::Truncated)
    );
}

#[test]
fn options_cut_by_the_capture_keep_the_fixed_header_and_what_was_captured() {
    // MSS, then NOPs the snaplen cuts, then data the IP header still counts.
    let mut options = Vec::from([2, 4, 0x05, 0xB4]);
    options.extend([1u8; 16]);
    let frame = ethernet(0x0800, &ipv4(TCP, &tcp(flags::SYN, &options, b"data")));
    let packet = decode_tcp(LinkType::ETHERNET, &frame[..34 + 26]);
    assert_eq!(
        (packet.tcp.src_port, packet.tcp.dst_port),
        (SRC_PORT, DST_PORT)
    );
    assert_eq!((packet.tcp.seq, packet.tcp.ack), (SEQ, ACK));
    assert_eq!((packet.tcp.flags, packet.tcp.window), (flags::SYN, WINDOW));
    assert_eq!(packet.tcp.options.mss, Some(1460));
    assert_eq!(packet.tcp.payload, b"");
    assert_eq!(packet.tcp.payload_len, 4);
}

#[test]
fn a_segment_shorter_than_the_fixed_header_is_truncated() {
    let segment = rst(&[]);
    let packet = ipv4(TCP, &segment[..15]);
    assert_eq!(
        decode_error(LinkType::IPV4, &packet),
        error(Layer::Tcp, 20, DecodeErrorKind::Truncated)
    );
}
