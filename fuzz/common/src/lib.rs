//! Helpers shared by the fuzz targets and the seed-corpus builder: the
//! byte encodings of fuzz inputs live here so seeds and targets agree.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};

use rstscope_capture::Sink;
use rstscope_core::report::{Warning, WarningKind};
use rstscope_core::{Frame, LinkType};

/// The link types the core names. The `decode` target's first byte indexes
/// this table; bytes past its end are used as a raw (mostly unknown) number.
/// New link types go at the end, so that kept inputs keep their meaning.
pub const LINK_TYPES: [LinkType; 26] = [
    LinkType::NULL,
    LinkType::ETHERNET,
    LinkType::FDDI,
    LinkType::RAW,
    LinkType::LOOP,
    LinkType::LINUX_SLL,
    LinkType::IPV4,
    LinkType::IPV6,
    LinkType::IPOIB,
    LinkType::LINUX_SLL2,
    LinkType::PPP,
    LinkType::PPP_HDLC,
    LinkType::CISCO_HDLC,
    LinkType::IEEE802_11,
    LinkType::FRAME_RELAY,
    LinkType::PRISM,
    LinkType::RADIOTAP,
    LinkType::USER2,
    LinkType::AVS,
    LinkType::JUNIPER_ETHER,
    LinkType::PPI,
    LinkType::ERF,
    LinkType::IPNET,
    LinkType::NFLOG,
    LinkType::NETLINK,
    LinkType::PKTAP,
];

/// The link type a fuzz input's selector byte stands for.
pub fn link_type(selector: u8) -> LinkType {
    LINK_TYPES
        .get(usize::from(selector))
        .copied()
        .unwrap_or(LinkType(u32::from(selector)))
}

/// The selector byte for `link_type`, if the `decode` target can express it.
pub fn link_selector(link_type: LinkType) -> Option<u8> {
    match LINK_TYPES.iter().position(|&known| known == link_type) {
        Some(index) => u8::try_from(index).ok(),
        None => u8::try_from(link_type.0)
            .ok()
            .filter(|&raw| usize::from(raw) >= LINK_TYPES.len()),
    }
}

/// Layout of a `capture` target input: a 3-byte header, then the payload.
///
/// * `mode & 3`: 0 or 1 push the payload as is; 2 gzips it first; 3 gzips it
///   and then damages the gzip stream (cut short when `mode & 4`, else one
///   byte flipped) at the fraction `position / 256` of its length.
/// * `chunking`: how the stream is cut into pushes, see [`chunk_sizes`].
pub struct CaptureInput<'a> {
    pub mode: u8,
    pub chunking: u8,
    pub position: u8,
    pub payload: &'a [u8],
}

impl<'a> CaptureInput<'a> {
    pub const HEADER_LEN: usize = 3;

    pub fn parse(input: &'a [u8]) -> Option<Self> {
        let (&[mode, chunking, position], payload) = input.split_first_chunk()?;
        Some(Self {
            mode,
            chunking,
            position,
            payload,
        })
    }

    /// The seed encoding of `payload` pushed as is (or gzipped by the target).
    pub fn encode(gzip_in_target: bool, chunking: u8, payload: &[u8]) -> Vec<u8> {
        let mut out = vec![if gzip_in_target { 2 } else { 0 }, chunking, 0];
        out.extend_from_slice(payload);
        out
    }

    /// The bytes the reader is given.
    pub fn stream(&self) -> Vec<u8> {
        match self.mode & 3 {
            0 | 1 => self.payload.to_vec(),
            2 => gzip(self.payload),
            _ => {
                let mut gz = gzip(self.payload);
                let at = gz.len() * usize::from(self.position) / 256;
                if self.mode & 4 != 0 {
                    gz.truncate(at);
                } else if let Some(byte) = gz.get_mut(at) {
                    *byte ^= 1 << (self.mode >> 5);
                }
                gz
            }
        }
    }
}

/// Push sizes for a stream of `len` bytes: `chunking == 0` is one push of
/// everything; otherwise pseudo-random sizes in `1..=2^(chunking % 18)`.
pub fn chunk_sizes(chunking: u8, len: usize) -> Vec<usize> {
    if chunking == 0 {
        return vec![len];
    }
    let max = 1usize << (chunking % 18);
    let mut state = u64::from(chunking) ^ (len as u64).rotate_left(17) ^ 0x9E37_79B9_7F4A_7C15;
    let mut sizes = Vec::new();
    let mut left = len;
    while left > 0 {
        state = splitmix(state);
        let size = (1 + (state % max as u64) as usize).min(left);
        sizes.push(size);
        left -= size;
    }
    sizes
}

fn splitmix(state: u64) -> u64 {
    let mut z = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The `analyze` target's frames format (its first byte odd): frames as a
/// capture holds them, so seeds cut from real captures and the generator's
/// scenarios reach the analyzer with real connections. Each frame: its
/// link selector ([`link_type`]), microseconds since the frame before (u32
/// LE), its length (u16 LE) and its bytes.
pub struct FrameRecord<'a> {
    pub selector: u8,
    pub gap_us: u32,
    pub data: &'a [u8],
}

impl FrameRecord<'_> {
    /// Appends this frame to an input.
    pub fn write(&self, out: &mut Vec<u8>) {
        let len = u16::try_from(self.data.len()).unwrap_or(u16::MAX);
        out.push(self.selector);
        out.extend_from_slice(&self.gap_us.to_le_bytes());
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(&self.data[..usize::from(len)]);
    }

    /// The frames of an input, up to the first one cut short.
    pub fn read_all(mut input: &[u8]) -> Vec<FrameRecord<'_>> {
        let mut frames = Vec::new();
        while let Some((&[selector, g0, g1, g2, g3, l0, l1], rest)) = input.split_first_chunk() {
            let len = usize::from(u16::from_le_bytes([l0, l1]));
            let Some((data, rest)) = rest.split_at_checked(len) else {
                break;
            };
            frames.push(FrameRecord {
                selector,
                gap_us: u32::from_le_bytes([g0, g1, g2, g3]),
                data,
            });
            input = rest;
        }
        frames
    }
}

/// gzip of `data`: one member whose deflate stream is [`stored`] blocks
/// (the reader inflates them like compressed ones; compressing here cost
/// a tenth of the capture target's time). The seeds' ".gz" inputs are
/// really compressed, so Huffman-coded streams are fuzzed too.
pub fn gzip(data: &[u8]) -> Vec<u8> {
    // ID1 ID2, CM deflate, no flags, no mtime, no extra flags, OS unknown.
    let mut out = vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff];
    out.extend_from_slice(&stored(data));
    let mut crc = flate2::Crc::new();
    crc.update(data);
    out.extend_from_slice(&crc.sum().to_le_bytes());
    out.extend_from_slice(&(data.len() as u32).to_le_bytes());
    out
}

/// A sink that checks the reader's promises as frames arrive and keeps a
/// digest of everything it saw, so two readings can be compared.
#[derive(Default)]
pub struct Checker<S> {
    pub inner: S,
    pub frames: u64,
    pub warnings: Vec<(WarningKind, Option<u64>, Option<u64>)>,
    digest: DefaultHasher,
}

impl<S: Sink> Checker<S> {
    pub fn new(inner: S) -> Self {
        Self {
            inner,
            frames: 0,
            warnings: Vec::new(),
            digest: DefaultHasher::new(),
        }
    }

    /// Hash of every frame (number, time, link type, lengths, bytes).
    pub fn digest(&self) -> u64 {
        self.digest.finish()
    }
}

impl<S: Sink> Sink for Checker<S> {
    fn frame(&mut self, frame: &Frame<'_>) {
        self.frames += 1;
        assert_eq!(
            frame.number, self.frames,
            "frames are numbered 1, 2, 3, ..."
        );
        assert!(
            self.warnings.is_empty(),
            "no frame after a warning: the reader stops at damage"
        );
        (frame.number, frame.ts_ns, frame.link_type.0, frame.orig_len).hash(&mut self.digest);
        frame.data.hash(&mut self.digest);
        self.inner.frame(frame);
    }

    fn warning(&mut self, warning: Warning) {
        self.warnings
            .push((warning.kind, warning.frame, warning.offset));
        self.inner.warning(warning);
    }
}

/// An old share-link fragment carrying a report's `json` as rstscope
/// packed them before links carried typed data: raw deflate, base64url
/// without padding, behind `#report=v1.`. Not the app's own packing: the
/// deflate stream is [`stored`] blocks, which any inflater reads like
/// compressed ones, at no cost (a compressor's state is ~300 KB to set up
/// and fill per input: a quarter of the share target's time).
pub fn share_link_of_json(json: &[u8]) -> String {
    share_link("v1.", json)
}

/// A share-link fragment carrying a `v2.` payload (postcard of the
/// app's `share::Link`), packed as [`share_link_of_json`] packs JSON.
pub fn share_link_of_payload(payload: &[u8]) -> String {
    share_link("v2.", payload)
}

fn share_link(version: &str, bytes: &[u8]) -> String {
    use base64::Engine;
    let payload = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(stored(bytes));
    format!("#report={version}{payload}")
}

/// `bytes` as a raw deflate stream of stored (uncompressed) blocks
/// (RFC 1951 3.2.4): per block of at most 65,535 bytes, a header byte
/// (BFINAL on the last, BTYPE 00), LEN and its complement, the bytes.
pub fn stored(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len() + 5 * (bytes.len() / 65_535 + 1));
    let mut blocks = bytes.chunks(65_535).peekable();
    if blocks.peek().is_none() {
        out.extend_from_slice(&[1, 0, 0, 0xff, 0xff]);
    }
    while let Some(block) = blocks.next() {
        let len = block.len() as u16;
        out.push(u8::from(blocks.peek().is_none()));
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(&(!len).to_le_bytes());
        out.extend_from_slice(block);
    }
    out
}

/// A sink that drops everything.
pub struct Discard;

impl Sink for Discard {
    fn frame(&mut self, _: &Frame<'_>) {}
    fn warning(&mut self, _: Warning) {}
}

/// Ethernet + IPv4/IPv6 + TCP frame bytes, with correct IP checksum and lengths.
pub struct TcpFrame<'a> {
    pub src: std::net::IpAddr,
    pub dst: std::net::IpAddr,
    pub src_port: u16,
    pub dst_port: u16,
    pub seq: u32,
    pub ack: u32,
    /// 9 bits: FIN SYN RST PSH ACK URG ECE CWR AE.
    pub flags: u16,
    pub window: u16,
    pub ttl: u8,
    pub ip_id: u16,
    /// Raw option bytes (padded with zeros to 4 bytes, cut at 40).
    pub options: &'a [u8],
    pub payload: &'a [u8],
}

impl TcpFrame<'_> {
    pub fn to_ethernet(&self) -> Vec<u8> {
        use std::net::IpAddr;
        let options_len = self.options.len().min(40).next_multiple_of(4);
        let tcp_len = 20 + options_len + self.payload.len();
        let mut out = Vec::with_capacity(54 + tcp_len);
        out.extend_from_slice(&[0x02, 0, 0, 0, 0, 0x02, 0x02, 0, 0, 0, 0, 0x01]);
        match (self.src, self.dst) {
            (IpAddr::V4(src), IpAddr::V4(dst)) => {
                out.extend_from_slice(&0x0800u16.to_be_bytes());
                let start = out.len();
                let total = u16::try_from(20 + tcp_len).unwrap_or(u16::MAX);
                out.extend_from_slice(&[0x45, 0]);
                out.extend_from_slice(&total.to_be_bytes());
                out.extend_from_slice(&self.ip_id.to_be_bytes());
                out.extend_from_slice(&[0x40, 0, self.ttl, 6, 0, 0]);
                out.extend_from_slice(&src.octets());
                out.extend_from_slice(&dst.octets());
                let sum = checksum(&out[start..]);
                out[start + 10..start + 12].copy_from_slice(&sum.to_be_bytes());
            }
            (src, dst) => {
                let v6 = |ip: IpAddr| match ip {
                    IpAddr::V4(v4) => v4.to_ipv6_mapped(),
                    IpAddr::V6(v6) => v6,
                };
                out.extend_from_slice(&0x86DDu16.to_be_bytes());
                out.extend_from_slice(&[0x60, 0, 0, 0]);
                let payload = u16::try_from(tcp_len).unwrap_or(u16::MAX);
                out.extend_from_slice(&payload.to_be_bytes());
                out.extend_from_slice(&[6, self.ttl]);
                out.extend_from_slice(&v6(src).octets());
                out.extend_from_slice(&v6(dst).octets());
            }
        }
        out.extend_from_slice(&self.src_port.to_be_bytes());
        out.extend_from_slice(&self.dst_port.to_be_bytes());
        out.extend_from_slice(&self.seq.to_be_bytes());
        out.extend_from_slice(&self.ack.to_be_bytes());
        let offset_words = u8::try_from((20 + options_len) / 4).unwrap_or(15);
        out.push(offset_words << 4 | u8::from(self.flags & 0x100 != 0));
        out.push(self.flags as u8);
        out.extend_from_slice(&self.window.to_be_bytes());
        out.extend_from_slice(&[0, 0, 0, 0]);
        let options = &self.options[..self.options.len().min(40)];
        out.extend_from_slice(options);
        out.resize(out.len() + options_len - options.len(), 0);
        out.extend_from_slice(self.payload);
        out
    }
}

/// The Internet checksum of `bytes`.
fn checksum(bytes: &[u8]) -> u16 {
    let mut sum: u32 = bytes
        .chunks(2)
        .map(|pair| u32::from(pair[0]) << 8 | u32::from(*pair.get(1).unwrap_or(&0)))
        .sum();
    while sum > 0xFFFF {
        sum = (sum & 0xFFFF) + (sum >> 16);
    }
    !(sum as u16)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn link_selectors_round_trip() {
        for selector in 0..=u8::MAX {
            // Raw numbers of named types (10 is FDDI) map to the table entry.
            let link = link_type(selector);
            assert_eq!(link_selector(link).map(link_type), Some(link));
        }
        assert_eq!(link_selector(LinkType::ETHERNET), Some(1));
        assert_eq!(link_selector(LinkType(1000)), None);
    }

    #[test]
    fn chunk_sizes_cover_the_stream() {
        for chunking in 0..=u8::MAX {
            for len in [0, 1, 17, 5000] {
                let sizes = chunk_sizes(chunking, len);
                assert_eq!(sizes.iter().sum::<usize>(), len);
                assert!(sizes.iter().all(|&size| size > 0) || len == 0);
            }
        }
    }

    #[test]
    fn ipv4_header_checksum_verifies() {
        let frame = TcpFrame {
            src: [10, 0, 0, 1].into(),
            dst: [10, 0, 0, 2].into(),
            src_port: 1,
            dst_port: 2,
            seq: 3,
            ack: 4,
            flags: 0x002,
            window: 5,
            ttl: 64,
            ip_id: 6,
            options: &[2, 4, 5, 0xb4],
            payload: b"hi",
        }
        .to_ethernet();
        assert_eq!(frame.len(), 14 + 20 + 24 + 2);
        assert_eq!(checksum(&frame[14..34]), 0);
    }
}

#[cfg(test)]
mod stored_tests {
    use super::*;
    use std::io::Read;

    #[test]
    fn stored_deflate_and_gzip_inflate_to_their_input() {
        for len in [0, 1, 65_535, 65_536, 200_000] {
            let data: Vec<u8> = (0..len).map(|i| (i * 7 % 251) as u8).collect();
            let mut inflated = Vec::new();
            flate2::read::DeflateDecoder::new(stored(&data).as_slice())
                .read_to_end(&mut inflated)
                .expect("inflates");
            assert_eq!(inflated, data, "deflate of {len} bytes");
            let mut gunzipped = Vec::new();
            flate2::read::GzDecoder::new(gzip(&data).as_slice())
                .read_to_end(&mut gunzipped)
                .expect("gunzips");
            assert_eq!(gunzipped, data, "gzip of {len} bytes");
        }
    }
}
