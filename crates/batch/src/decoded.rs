//! Frames framed and decoded on the reading thread, as records that borrow
//! nothing: each slice a frame or its decoding points into is kept as a
//! [`Span`] of the chunk the frame came from (or, for the rare bytes that
//! are not in it, of a small side buffer they are copied to). The
//! analysing thread rebuilds the frame and its decoding from the record and
//! the chunk, and calls [`Analyzer::push_decoded`] (for a TCP packet its
//! borrowed form, [`Analyzer::push_tcp`]): the same calls, in the same
//! order, as [`Analyzer::push`] makes, so the report is the same.

use rstscope_capture::Sink;
use rstscope_core::decode::{
    self, DecodeError, Decoded, LinkMeta, NflogMeta, NotTcp, ProcessMeta, TcpPacket, TcpSegment,
};
use rstscope_core::report::Warning;
use rstscope_core::{Analyzer, Frame, LinkType};

/// Bytes of the chunk, or of the side buffer when `start` has [`SIDE`]
/// set. 8 bytes: records are written and read once per frame.
#[derive(Clone, Copy, Debug, Default)]
struct Span {
    start: u32,
    len: u32,
}

/// The flag of a [`Span`] in the side buffer. Chunks are 1 MiB and the
/// side buffer holds at most a straddling frame or two (a unit is at most
/// 64 MiB), so offsets stay far below it.
const SIDE: u32 = 1 << 31;

impl Span {
    fn of<'b>(self, chunk: &'b [u8], side: &'b [u8]) -> &'b [u8] {
        let (from, start) = match self.start & SIDE {
            0 => (chunk, self.start),
            _ => (side, self.start & !SIDE),
        };
        let start = start as usize;
        from.get(start..start.saturating_add(self.len as usize))
            .unwrap_or_default()
    }

    fn text<'b>(self, chunk: &'b [u8], side: &'b [u8]) -> &'b str {
        // Copied from a `&str`, so always valid UTF-8.
        core::str::from_utf8(self.of(chunk, side)).unwrap_or_default()
    }
}

/// One chunk's frames, decoded, and what they point to outside the chunk.
#[derive(Default)]
pub(crate) struct Records {
    records: Vec<Record>,
    /// The reader's warnings, each after the records before it (its index).
    warnings: Vec<(usize, Warning)>,
    /// Bytes of frames that are not in the chunk (one straddling two chunks).
    side: Vec<u8>,
}

impl Records {
    /// Empties the records, keeping their memory.
    pub(crate) fn clear(&mut self) {
        self.records.clear();
        self.warnings.clear();
        self.side.clear();
    }

    /// A sink that records the frames of `chunk`, decoding them only if
    /// `decode` (else the analysing thread decodes them).
    pub(crate) fn recorder<'a>(&'a mut self, chunk: &'a [u8], decode: bool) -> Recorder<'a> {
        Recorder {
            chunk,
            decode,
            to: self,
        }
    }

    /// Feeds the frames and warnings, in file order, to `analyzer`, as
    /// `Analyzer::push` and `Analyzer::warn` would get them from `chunk`.
    pub(crate) fn push_into(&self, analyzer: &mut Analyzer, chunk: &[u8]) {
        let mut warnings = self.warnings.iter().peekable();
        for (i, record) in self.records.iter().enumerate() {
            while let Some((_, warning)) = warnings.next_if(|(at, _)| *at <= i) {
                analyzer.warn(warning.clone());
            }
            record.push_into(analyzer, chunk, &self.side);
        }
        for (_, warning) in warnings {
            analyzer.warn(warning.clone());
        }
    }
}

/// A frame and its decoding, borrowing nothing.
struct Record {
    number: u64,
    ts_ns: i64,
    link_type: LinkType,
    orig_len: u32,
    data: Span,
    process: Option<(Option<u32>, Span)>,
    /// `None`: left for the analysing thread to decode.
    decoded: Option<Result<Detached, DecodeError>>,
}

// Every record holds a packet's room: records live in a reused Vec, and
// boxing the packet would allocate once per frame.
#[allow(clippy::large_enum_variant)]
enum Detached {
    /// The packet with its slices emptied; they are in the spans.
    Tcp {
        packet: TcpPacket<'static>,
        payload: Span,
        nflog_prefix: Span,
        process_name: Span,
    },
    NotTcp(NotTcp),
}

/// The reading thread's sink: records each frame of `chunk`, decoded or not.
pub(crate) struct Recorder<'a> {
    chunk: &'a [u8],
    decode: bool,
    to: &'a mut Records,
}

impl Recorder<'_> {
    /// Where `bytes` are: in the chunk, else copied to the side buffer.
    fn place(&mut self, bytes: &[u8]) -> Span {
        let base = self.chunk.as_ptr() as usize;
        let at = bytes.as_ptr() as usize;
        let len = u32::try_from(bytes.len()).unwrap_or(u32::MAX);
        if at >= base && at.saturating_add(bytes.len()) <= base.saturating_add(self.chunk.len()) {
            let start = u32::try_from(at - base).unwrap_or(u32::MAX);
            return Span { start, len };
        }
        let start = u32::try_from(self.to.side.len()).unwrap_or(u32::MAX) | SIDE;
        self.to.side.extend_from_slice(bytes);
        Span { start, len }
    }

    fn detach(&mut self, packet: &TcpPacket<'_>) -> Detached {
        let payload = self.place(packet.tcp.payload);
        let nflog_prefix = packet.link.nflog.map(|n| self.place(n.prefix.as_bytes()));
        let process_name = packet.link.process.map(|p| self.place(p.name.as_bytes()));
        Detached::Tcp {
            packet: without_slices(packet),
            payload,
            nflog_prefix: nflog_prefix.unwrap_or_default(),
            process_name: process_name.unwrap_or_default(),
        }
    }
}

impl Sink for Recorder<'_> {
    fn frame(&mut self, frame: &Frame<'_>) {
        let decoded = self
            .decode
            .then(|| match decode::decode(frame.link_type, frame.data) {
                Ok(Decoded::Tcp(ref packet)) => Ok(self.detach(packet)),
                Ok(Decoded::NotTcp(kind)) => Ok(Detached::NotTcp(kind)),
                Err(err) => Err(err),
            });
        let record = Record {
            number: frame.number,
            ts_ns: frame.ts_ns,
            link_type: frame.link_type,
            orig_len: frame.orig_len,
            data: self.place(frame.data),
            process: frame
                .process
                .map(|p| (p.pid, self.place(p.name.as_bytes()))),
            decoded,
        };
        self.to.records.push(record);
    }

    fn warning(&mut self, warning: Warning) {
        self.to.warnings.push((self.to.records.len(), warning));
    }
}

/// `packet` with its borrowed slices empty (the spans keep where they were).
fn without_slices(packet: &TcpPacket<'_>) -> TcpPacket<'static> {
    let TcpSegment {
        src_port,
        dst_port,
        seq,
        ack,
        flags,
        window,
        options,
        payload: _,
        payload_len,
    } = packet.tcp;
    let LinkMeta {
        wifi,
        nflog,
        process,
    } = packet.link;
    TcpPacket {
        ip: packet.ip,
        tcp: TcpSegment {
            src_port,
            dst_port,
            seq,
            ack,
            flags,
            window,
            options,
            payload: &[],
            payload_len,
        },
        encapsulation: packet.encapsulation,
        link: LinkMeta {
            wifi,
            nflog: nflog.map(|n| NflogMeta { prefix: "", ..n }),
            process: process.map(|p| ProcessMeta { name: "", ..p }),
        },
        fragmented: packet.fragmented,
        flow: packet.flow,
    }
}

impl Record {
    /// Rebuilds the frame and its decoding over `chunk` and `side`, and
    /// feeds them to `analyzer` as `Analyzer::push` would.
    fn push_into(&self, analyzer: &mut Analyzer, chunk: &[u8], side: &[u8]) {
        let frame = Frame {
            number: self.number,
            ts_ns: self.ts_ns,
            link_type: self.link_type,
            orig_len: self.orig_len,
            data: self.data.of(chunk, side),
            process: self.process.map(|(pid, name)| ProcessMeta {
                pid,
                name: name.text(chunk, side),
            }),
        };
        let Some(decoded) = &self.decoded else {
            return analyzer.push(&frame);
        };
        match decoded {
            Ok(Detached::Tcp {
                packet,
                payload,
                nflog_prefix,
                process_name,
            }) => {
                let mut packet: TcpPacket<'_> = *packet;
                packet.tcp.payload = payload.of(chunk, side);
                if let Some(nflog) = &mut packet.link.nflog {
                    nflog.prefix = nflog_prefix.text(chunk, side);
                }
                if let Some(process) = &mut packet.link.process {
                    process.name = process_name.text(chunk, side);
                }
                // Borrowed, not wrapped in a `Decoded`: one copy less.
                analyzer.push_tcp(&frame, &mut packet);
            }
            Ok(Detached::NotTcp(kind)) => analyzer.push_decoded(&frame, Ok(Decoded::NotTcp(*kind))),
            Err(err) => analyzer.push_decoded(&frame, Err(*err)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstscope_capture::CaptureReader;
    use rstscope_core::Config;
    use rstscope_scenarios::bulk::{bulk_mix, Mix};
    use rstscope_scenarios::Format;

    fn report_json(analyzer: Analyzer) -> String {
        serde_json::to_string(&analyzer.finish().report).unwrap()
    }

    /// Chunks decoded on the reading thread and chunks left to the
    /// analysing one, mixed in one capture, give `Analyzer::push`'s report.
    #[test]
    fn test_records_decoded_or_not_give_the_same_report() {
        let mut bytes = Vec::new();
        bulk_mix(&mut bytes, 3 << 20, Format::PcapNg, 5, Mix::Web).unwrap();

        let mut direct = Analyzer::new(Config::default());
        rstscope_capture::read_all(bytes.as_slice(), &mut direct, |_| {}).unwrap();

        let mut mixed = Analyzer::new(Config::default());
        let mut reader = CaptureReader::new();
        let mut records = Records::default();
        for (i, chunk) in bytes.chunks(100_000).enumerate() {
            records.clear();
            reader
                .push(chunk, &mut records.recorder(chunk, i % 3 != 1))
                .unwrap();
            records.push_into(&mut mixed, chunk);
        }
        records.clear();
        reader.finish(&mut records.recorder(&[], true)).unwrap();
        records.push_into(&mut mixed, &[]);

        assert_eq!(report_json(mixed), report_json(direct));
    }
}
