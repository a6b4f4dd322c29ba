//! Adversarial inputs: decompression bombs, absurd declared lengths,
//! clocks going backwards, damage mid-file, and floods of flows or segments
//! through the core's `Analyzer`. Everything must finish in bounded memory
//! and time, keep what came before a problem, and say what went wrong.
//!
//! Memory is measured exactly with a counting global allocator: the peak of
//! heap bytes the test's own thread holds (parallel tests do not disturb it),
//! and the number of allocations it made.
//! The peak RSS (VmHWM) is printed for information only, since tests share
//! the process.

mod common;

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::net::Ipv4Addr;
use std::time::{Duration, Instant};

use common::{pcap_record, NgFile, PcapFile, PCAP_HEADER_LEN};
use flate2::{Compress, Compression, Crc, FlushCompress};
use rstscope_capture::{CaptureReader, Sink, Summary};
use rstscope_core::report::{Report, Warning, WarningKind};
use rstscope_core::{Analyzer, Config, Frame, LinkType};

const MIB: usize = 1 << 20;

// ---------------------------------------------------------------------------
// Heap accounting

/// The system allocator, counting the heap bytes each thread holds.
struct Counting;

thread_local! {
    /// (bytes held now, peak since the last reset) by this thread.
    static HEAP: Cell<(isize, isize)> = const { Cell::new((0, 0)) };
    /// Allocations (and growing reallocations) made by this thread.
    static ALLOCATIONS: Cell<u64> = const { Cell::new(0) };
}

fn note(delta: isize) {
    // `try_with`: allocations during thread teardown are simply not counted.
    let _ = HEAP.try_with(|heap| {
        let (now, peak) = heap.get();
        let now = now + delta;
        heap.set((now, peak.max(now)));
    });
    if delta > 0 {
        let _ = ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
    }
}

// SAFETY: every call is forwarded unchanged to `System`; only counters move.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let ptr = System.alloc(layout);
        if !ptr.is_null() {
            note(layout.size() as isize);
        }
        ptr
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let ptr = System.alloc_zeroed(layout);
        if !ptr.is_null() {
            note(layout.size() as isize);
        }
        ptr
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        System.dealloc(ptr, layout);
        note(-(layout.size() as isize));
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let new = System.realloc(ptr, layout, new_size);
        if !new.is_null() {
            note(new_size as isize - layout.size() as isize);
        }
        new
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Runs `f`, returning its result and the most heap it held beyond what
/// was held at the start (bytes).
fn peak_heap<R>(f: impl FnOnce() -> R) -> (R, usize) {
    let start = HEAP.with(|heap| {
        let (now, _) = heap.get();
        heap.set((now, now));
        now
    });
    let result = f();
    let peak = HEAP.with(|heap| heap.get().1);
    (result, usize::try_from(peak - start).unwrap_or(0))
}

/// Runs `f`, returning its result and the heap it still holds after
/// (bytes allocated and not freed).
fn held_heap<R>(f: impl FnOnce() -> R) -> (R, usize) {
    let start = HEAP.with(|heap| heap.get().0);
    let result = f();
    let end = HEAP.with(|heap| heap.get().0);
    (result, usize::try_from(end - start).unwrap_or(0))
}

/// Runs `f`, returning its result and how many allocations it made.
fn allocations<R>(f: impl FnOnce() -> R) -> (R, u64) {
    let start = ALLOCATIONS.with(Cell::get);
    let result = f();
    (result, ALLOCATIONS.with(Cell::get) - start)
}

/// Peak resident set size of the whole process, from /proc (Linux only).
fn vm_hwm_mib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|line| line.starts_with("VmHWM:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024)
}

fn report_resources(test: &str, heap: usize, elapsed: Duration) {
    println!(
        "{test}: peak heap growth {:.1} MiB, {:.1} s, process VmHWM {} MiB",
        heap as f64 / MIB as f64,
        elapsed.as_secs_f64(),
        vm_hwm_mib().map_or("?".into(), |mib| mib.to_string())
    );
}

// ---------------------------------------------------------------------------
// Sinks and input builders

/// Counts frames and keeps warnings; holds nothing per frame.
#[derive(Default)]
struct Counter {
    frames: u64,
    bytes: u64,
    max_frame: usize,
    warnings: Vec<Warning>,
}

impl Sink for Counter {
    fn frame(&mut self, frame: &Frame<'_>) {
        self.frames += 1;
        assert_eq!(frame.number, self.frames);
        self.bytes += frame.data.len() as u64;
        self.max_frame = self.max_frame.max(frame.data.len());
    }
    fn warning(&mut self, warning: Warning) {
        self.warnings.push(warning);
    }
}

/// Ethernet + IPv4 + TCP (20-byte header, no options) with `payload_len`
/// zero bytes of payload, written into `out` (cleared first).
#[allow(clippy::too_many_arguments)]
fn tcp_frame(
    out: &mut Vec<u8>,
    src: (Ipv4Addr, u16),
    dst: (Ipv4Addr, u16),
    flags: u8,
    seq: u32,
    ack: u32,
    payload_len: usize,
) {
    out.clear();
    out.extend_from_slice(&[0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 1, 0x08, 0x00]);
    let total = (40 + payload_len) as u16;
    out.extend_from_slice(&[0x45, 0]);
    out.extend_from_slice(&total.to_be_bytes());
    out.extend_from_slice(&[0, 1, 0x40, 0, 64, 6, 0, 0]);
    out.extend_from_slice(&src.0.octets());
    out.extend_from_slice(&dst.0.octets());
    let sum = ip_checksum(&out[14..34]);
    out[24..26].copy_from_slice(&sum.to_be_bytes());
    out.extend_from_slice(&src.1.to_be_bytes());
    out.extend_from_slice(&dst.1.to_be_bytes());
    out.extend_from_slice(&seq.to_be_bytes());
    out.extend_from_slice(&ack.to_be_bytes());
    out.extend_from_slice(&[0x50, flags, 0xff, 0xff, 0, 0, 0, 0]);
    out.resize(out.len() + payload_len, 0);
}

fn ip_checksum(header: &[u8]) -> u16 {
    let mut sum: u32 = header
        .chunks(2)
        .map(|pair| u32::from(u16::from_be_bytes([pair[0], pair[1]])))
        .sum();
    while sum > 0xffff {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    !(sum as u16)
}

const SYN: u8 = 0x02;
const RST: u8 = 0x04;
const ACK: u8 = 0x10;
const PSH: u8 = 0x08;

fn syn_frame() -> Vec<u8> {
    let mut frame = Vec::new();
    let client = (Ipv4Addr::new(192, 0, 2, 1), 40_000);
    let server = (Ipv4Addr::new(198, 51, 100, 1), 443);
    tcp_frame(&mut frame, client, server, SYN, 1, 0, 0);
    frame
}

/// Raw deflate of `input`, ended with `flush` (byte-aligned for a full flush).
fn deflate_full_flush(compress: &mut Compress, input: &[u8], flush: FlushCompress) -> Vec<u8> {
    let mut out = Vec::with_capacity(input.len() / 2 + 1024);
    let start = compress.total_in();
    loop {
        let consumed = (compress.total_in() - start) as usize;
        if out.capacity() - out.len() < 1024 {
            out.reserve(out.capacity());
        }
        compress
            .compress_vec(&input[consumed..], &mut out, flush)
            .unwrap();
        let consumed = (compress.total_in() - start) as usize;
        // Done once all input is in and the flush did not fill the buffer.
        if consumed == input.len() && out.capacity() - out.len() >= 1024 {
            return out;
        }
    }
}

/// Streams a gzip file whose content is `prefix` followed by `unit`
/// repeated until at least `content_len` bytes, to `emit` piece by piece.
/// Its size is about `content_len / 1000`; the whole content never exists.
/// Returns the content length.
fn gzip_bomb(prefix: &[u8], unit: &[u8], content_len: u64, mut emit: impl FnMut(&[u8])) -> u64 {
    let piece: Vec<u8> = unit.repeat(MIB / unit.len());
    let mut compress = Compress::new(Compression::best(), false);
    let mut crc = Crc::new();
    emit(&[0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff]);
    emit(&deflate_full_flush(
        &mut compress,
        prefix,
        FlushCompress::Full,
    ));
    crc.update(prefix);
    // The first piece follows the prefix; the second follows a piece, as
    // every later one does, so its back-references (at most 32 KiB, into the
    // piece before) hold for all of them. The trailer's CRC, checked by the
    // reader, proves it.
    let first = deflate_full_flush(&mut compress, &piece, FlushCompress::Full);
    let repeated = deflate_full_flush(&mut compress, &piece, FlushCompress::Full);
    let mut piece_crc = Crc::new();
    piece_crc.update(&piece);
    let mut total = prefix.len() as u64;
    while total < content_len {
        emit(if total == prefix.len() as u64 {
            &first
        } else {
            &repeated
        });
        crc.combine(&piece_crc);
        total += piece.len() as u64;
    }
    emit(&deflate_full_flush(
        &mut compress,
        &[],
        FlushCompress::Finish,
    ));
    let mut trailer = crc.sum().to_le_bytes().to_vec();
    trailer.extend_from_slice(&(total as u32).to_le_bytes());
    emit(&trailer);
    total
}

fn read_chunks(chunks: &[&[u8]], sink: &mut impl Sink) -> Summary {
    let mut reader = CaptureReader::new();
    for chunk in chunks {
        reader.push(chunk, sink).unwrap();
    }
    reader.finish(sink).unwrap()
}

fn analyze(capture: &[u8], chunk: usize) -> (Summary, Report) {
    let mut analyzer = Analyzer::new(Config::default());
    let chunks: Vec<&[u8]> = capture.chunks(chunk).collect();
    let summary = read_chunks(&chunks, &mut analyzer);
    (summary, analyzer.finish().report)
}

// ---------------------------------------------------------------------------
// Decompression bombs

const BOMB_LEN: u64 = 2 << 30;

#[test]
fn gzip_bomb_of_empty_records_is_read_in_bounded_memory_and_time() {
    // 2 GiB of zeros after a pcap header: 134 million empty records.
    let started = Instant::now();
    let ((content_len, compressed, sink, summary), heap) = peak_heap(|| {
        let mut reader = CaptureReader::new();
        let mut sink = Counter::default();
        let mut compressed = 0u64;
        let header = PcapFile::new(1).bytes();
        let content_len = gzip_bomb(&header, &[0; 16], BOMB_LEN, |piece| {
            compressed += piece.len() as u64;
            reader.push(piece, &mut sink).unwrap();
        });
        let summary = reader.finish(&mut sink).unwrap();
        (content_len, compressed, sink, summary)
    });
    let elapsed = started.elapsed();
    report_resources("2 GiB gzip bomb of empty records", heap, elapsed);
    assert!(content_len >= BOMB_LEN);
    assert!(
        compressed < 4 * MIB as u64,
        "a bomb: {compressed} bytes of gzip"
    );
    assert_eq!(sink.warnings, vec![], "a well-formed bomb finishes cleanly");
    assert_eq!(
        sink.frames,
        (content_len - PCAP_HEADER_LEN as u64) / 16,
        "every record is a frame"
    );
    assert_eq!(summary.frames, sink.frames);
    assert_eq!(summary.bytes, compressed);
    assert!(summary.compressed);
    assert!(heap < 64 * MIB, "reader held {heap} bytes");
    assert!(elapsed < Duration::from_secs(120), "took {elapsed:?}");
}

#[test]
fn gzip_bomb_of_repeated_syn_records_through_the_analyzer() {
    // 2 GiB of the same 54-byte SYN as pcap records: 30 million frames of one
    // 4-tuple, the whole pipeline as the CLI and app run it.
    let header = PcapFile::new(1).bytes();
    let record = pcap_record(1_700_000_000, 0, &syn_frame());
    let started = Instant::now();
    let ((content_len, report), heap) = peak_heap(|| {
        let mut reader = CaptureReader::new();
        let mut analyzer = Analyzer::new(Config::default());
        let content_len = gzip_bomb(&header, &record, BOMB_LEN, |piece| {
            reader.push(piece, &mut analyzer).unwrap();
        });
        reader.finish(&mut analyzer).unwrap();
        (content_len, analyzer.finish().report)
    });
    let elapsed = started.elapsed();
    report_resources("2 GiB gzip bomb of SYN records", heap, elapsed);
    let frames = (content_len - PCAP_HEADER_LEN as u64) / record.len() as u64;
    assert_eq!(report.capture.packets, frames, "every record is counted");
    assert_eq!(
        report.capture.warnings,
        vec![],
        "a valid SYN decodes without warnings"
    );
    assert!(heap < 64 * MIB, "pipeline held {heap} bytes");
}

#[test]
fn gzip_bomb_that_is_not_a_capture_is_refused_at_once() {
    // 2 GiB of zeros: no capture magic, so the reader gives up after the
    // first 64 bytes of output and ignores everything else.
    let started = Instant::now();
    let mut reader = CaptureReader::new();
    let mut sink = Counter::default();
    let mut errors = Vec::new();
    let (_, heap) = peak_heap(|| {
        gzip_bomb(&[], &[0; 64], BOMB_LEN, |piece| {
            if let Err(err) = reader.push(piece, &mut sink) {
                errors.push(err);
            }
        })
    });
    assert_eq!(errors.len(), 1, "one error, then the rest is ignored");
    assert!(errors[0].message.contains("not a capture"), "{}", errors[0]);
    assert_eq!(sink.frames, 0);
    assert!(heap < 16 * MIB, "held {heap} bytes");
    // Compressing dominates; the reader itself does almost nothing.
    assert!(started.elapsed() < Duration::from_secs(60));
}

// ---------------------------------------------------------------------------
// Huge declared lengths

/// A pcap of `n` SYN records.
fn pcap_with_syns(n: usize) -> Vec<u8> {
    let mut capture = PcapFile::new(1);
    for i in 0..n {
        capture.frame(1_700_000_000 + i as u32, 0, &syn_frame());
    }
    capture.bytes()
}

#[test]
fn pcap_record_declaring_4_gib_is_corruption_not_an_allocation() {
    let mut capture = pcap_with_syns(3);
    let damage_at = capture.len() as u64;
    for field in [1_700_000_010u32, 0, 0xffff_fff0, 0xffff_fff0] {
        capture.extend_from_slice(&field.to_le_bytes());
    }
    capture.extend_from_slice(&[0xab; 4096]);
    for chunk in [1, 7, 4096, capture.len()] {
        let ((summary, sink), heap) = peak_heap(|| {
            let mut sink = Counter::default();
            let chunks: Vec<&[u8]> = capture.chunks(chunk).collect();
            (read_chunks(&chunks, &mut sink), sink)
        });
        assert_eq!(sink.frames, 3, "the records before the damage are kept");
        assert_eq!(summary.frames, 3);
        assert_eq!(sink.warnings.len(), 1);
        let warning = &sink.warnings[0];
        assert_eq!(warning.kind, WarningKind::CorruptBlock);
        assert_eq!((warning.frame, warning.offset), (Some(4), Some(damage_at)));
        assert!(
            warning.message.contains("4294967280"),
            "{}",
            warning.message
        );
        assert!(heap < MIB, "chunk {chunk}: held {heap} bytes");
    }
}

#[test]
fn absurd_record_length_in_the_last_bytes_is_corruption_whatever_the_chunking() {
    // Found by the `capture` fuzz target: a record header cut after its
    // length field, at the very end of the input. Pushed whole it was
    // "corrupt-block"; pushed in small chunks the verdict was lost and the
    // reader reported "truncated-record" (of 0 bytes) instead.
    let mut capture = pcap_with_syns(2);
    let damage_at = capture.len() as u64;
    for field in [1_700_000_010u32, 0, 0xc3f4_0000] {
        capture.extend_from_slice(&field.to_le_bytes());
    }
    capture.extend_from_slice(&[0, 0x7a, 0x41]);
    for chunk in [1, 5, 13, capture.len()] {
        let (result, sink) = common::read_in_chunks(&capture, chunk);
        assert_eq!(result.unwrap().frames, 2);
        let warnings: Vec<_> = (sink.warnings.iter())
            .map(|w| (w.kind.as_str(), w.frame, w.offset))
            .collect();
        assert_eq!(
            warnings,
            [("corrupt-block", Some(3), Some(damage_at))],
            "chunks of {chunk} bytes"
        );
    }
}

/// A little-endian pcapng section with one Ethernet interface and `n` SYNs.
fn pcapng_with_syns(n: usize) -> Vec<u8> {
    let mut capture = NgFile::new(false);
    capture.interface(1, 0, None, None);
    for i in 0..n {
        let ts = Duration::from_micros(1_700_000_000_000_000 + i as u64);
        capture.packet(0, ts, &syn_frame());
    }
    capture.bytes()
}

#[test]
fn pcapng_blocks_with_impossible_lengths_are_corruption() {
    for (declared, what) in [
        (0xffff_fffc_u32, "4 GiB"),
        (0x8000_0000, "2 GiB"),
        ((64 << 20) + 4, "just over the 64 MiB unit limit"),
        (8, "shorter than a block header"),
        (30, "not a multiple of 4"),
    ] {
        let mut capture = pcapng_with_syns(4);
        let damage_at = capture.len() as u64;
        capture.extend_from_slice(&6u32.to_le_bytes());
        capture.extend_from_slice(&declared.to_le_bytes());
        capture.extend_from_slice(&[0x5a; 1000]);
        let ((summary, sink), heap) = peak_heap(|| {
            let mut sink = Counter::default();
            let chunks: Vec<&[u8]> = capture.chunks(100).collect();
            (read_chunks(&chunks, &mut sink), sink)
        });
        assert_eq!(summary.frames, 4, "{what}: the packets before it are kept");
        let kinds: Vec<_> = sink.warnings.iter().map(|w| w.kind.as_str()).collect();
        assert_eq!(kinds, ["corrupt-block"], "{what}");
        assert_eq!(sink.warnings[0].offset, Some(damage_at), "{what}");
        assert!(heap < MIB, "{what}: held {heap} bytes");
    }
}

#[test]
fn pcapng_block_declaring_64_mib_then_ending_buffers_only_what_arrived() {
    // The largest allowed block, announced but cut after 1000 bytes: the
    // reader must not reserve the announced size up front.
    let mut capture = pcapng_with_syns(2);
    capture.extend_from_slice(&6u32.to_le_bytes());
    capture.extend_from_slice(&(64u32 << 20).to_le_bytes());
    capture.extend_from_slice(&[0; 1000]);
    let ((summary, sink), heap) = peak_heap(|| {
        let mut sink = Counter::default();
        let chunks: Vec<&[u8]> = capture.chunks(256).collect();
        (read_chunks(&chunks, &mut sink), sink)
    });
    assert_eq!(summary.frames, 2);
    let kinds: Vec<_> = sink.warnings.iter().map(|w| w.kind.as_str()).collect();
    assert_eq!(kinds, ["truncated-record"]);
    assert!(heap < MIB, "held {heap} bytes");
}

#[test]
fn largest_allowed_record_is_buffered_once() {
    // A 64 MiB record (the limit) arriving in pieces is assembled in one
    // buffer of its own size, not rounded up by doubling.
    const LEN: usize = 64 << 20;
    let mut head = PcapFile::new(1).bytes();
    for field in [1u32, 0, LEN as u32, LEN as u32] {
        head.extend_from_slice(&field.to_le_bytes());
    }
    // 60 000-byte pieces: doubling from there overshoots 64 MiB to 117 MiB.
    let zeros = vec![0u8; LEN];
    let ((summary, sink), heap) = peak_heap(|| {
        let mut chunks: Vec<&[u8]> = vec![&head];
        chunks.extend(zeros.chunks(60_000));
        let mut sink = Counter::default();
        (read_chunks(&chunks, &mut sink), sink)
    });
    assert_eq!(summary.frames, 1);
    assert_eq!(sink.max_frame, LEN);
    assert_eq!(sink.warnings, vec![]);
    assert!(
        heap < LEN + 2 * MIB,
        "a {LEN}-byte record made the reader hold {heap} bytes"
    );
}

#[test]
fn epb_declaring_more_bytes_than_its_block_is_corruption() {
    let mut capture = pcapng_with_syns(3);
    let damage_at = capture.len() - (12 + 20 + syn_frame().len().next_multiple_of(4));
    // The last EPB's captured length (after the block header, interface and
    // timestamp) claims 4 GiB.
    let captured_len = damage_at + 8 + 12;
    capture[captured_len..captured_len + 4].copy_from_slice(&u32::MAX.to_le_bytes());
    let damage_at = damage_at as u64;
    let (summary, sink) = {
        let mut sink = Counter::default();
        (read_chunks(&[&capture], &mut sink), sink)
    };
    assert_eq!(summary.frames, 2);
    assert_eq!(sink.warnings.len(), 1);
    assert_eq!(sink.warnings[0].kind, WarningKind::CorruptBlock);
    assert_eq!(sink.warnings[0].offset, Some(damage_at));
}

// ---------------------------------------------------------------------------
// Time going backwards, damage mid-file

#[test]
fn timestamps_going_backwards_keep_every_frame() {
    let seconds = [
        1_700_000_100u32,
        1_700_000_050,
        1_700_000_010,
        1_700_000_200,
        1_700_000_150,
    ];
    let client = (Ipv4Addr::new(192, 0, 2, 7), 50_000);
    let server = (Ipv4Addr::new(198, 51, 100, 7), 80);
    let mut capture = PcapFile::new(1);
    let mut frame = Vec::new();
    let segments = [
        (client, server, SYN, 1000, 0),
        (server, client, SYN | ACK, 5000, 1001),
        (client, server, ACK, 1001, 5001),
        (client, server, PSH | ACK, 1001, 5001),
        (server, client, RST, 5001, 0),
    ];
    for (&(src, dst, flags, seq, ack), &second) in segments.iter().zip(&seconds) {
        let payload = if flags & PSH != 0 { 10 } else { 0 };
        tcp_frame(&mut frame, src, dst, flags, seq, ack, payload);
        capture.frame(second, 0, &frame);
    }
    let capture = capture.bytes();
    let (_, recorded) = common::read_in_chunks(&capture, 3);
    let times: Vec<i64> = recorded
        .frames
        .iter()
        .map(|f| f.ts_ns / 1_000_000_000)
        .collect();
    let expected: Vec<i64> = seconds.iter().map(|&s| i64::from(s)).collect();
    assert_eq!(
        times, expected,
        "frames keep their own times, in file order"
    );
    assert_eq!(recorded.warnings, vec![]);

    let (summary, report) = analyze(&capture, 3);
    assert_eq!(summary.frames, 5);
    assert_eq!(
        report.capture.packets, 5,
        "no frame is dropped for its time"
    );
    let backwards: Vec<&Warning> = (report.capture.warnings.iter())
        .filter(|w| w.kind == WarningKind::TimeBackwards)
        .collect();
    if let Some(first) = backwards.first() {
        // Optional in the core; when reported, it names the first frame
        // whose time is earlier than its predecessor's.
        assert_eq!(first.frame, Some(2), "{first:?}");
    }
}

#[test]
fn frames_before_a_corrupt_pcap_record_are_kept_by_the_analyzer() {
    let mut capture = pcap_with_syns(5);
    capture.extend_from_slice(&[0xff; 16]);
    capture.extend_from_slice(&pcap_with_syns(5)[24..]);
    let (summary, report) = analyze(&capture, 10);
    assert_eq!(summary.frames, 5);
    assert_eq!(report.capture.packets, 5);
    let corrupt: Vec<&Warning> = (report.capture.warnings.iter())
        .filter(|w| w.kind == WarningKind::CorruptBlock)
        .collect();
    assert_eq!(corrupt.len(), 1, "{:?}", report.capture.warnings);
    assert_eq!(corrupt[0].frame, Some(6));
}

#[test]
fn frames_before_a_pcapng_block_with_a_bad_trailer_are_kept() {
    let mut capture = pcapng_with_syns(5);
    // One more SYN whose block's trailing length is damaged.
    let mut bad = pcapng_with_syns(1);
    let last = bad.len() - 4;
    bad[last] ^= 0x40;
    let epb = 12 + 20 + syn_frame().len().next_multiple_of(4);
    capture.extend_from_slice(&bad[bad.len() - epb..]);
    capture.extend_from_slice(&pcapng_with_syns(3));
    let (summary, report) = analyze(&capture, 64);
    assert_eq!(summary.frames, 5);
    assert_eq!(report.capture.packets, 5);
    let kinds: Vec<&str> = (report.capture.warnings.iter())
        .filter(|w| w.kind != WarningKind::Decode)
        .map(|w| w.kind.as_str())
        .collect();
    assert_eq!(kinds, ["corrupt-block"]);
}

#[test]
fn damaged_gzip_keeps_every_frame_inflated_before_the_damage_whatever_the_chunking() {
    // A gzip member whose deflate data holds the first 10 000 records, then a
    // block with the reserved type 3 (an error at once), then more. However
    // the stream is pushed, exactly the 10 000 frames before the damage are
    // delivered, then one warning.
    let capture = pcap_with_syns(20_000);
    let split = 24 + 10_000 * (16 + syn_frame().len());
    let mut compress = Compress::new(Compression::fast(), false);
    let mut gz = vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff];
    gz.extend(deflate_full_flush(
        &mut compress,
        &capture[..split],
        FlushCompress::Full,
    ));
    gz.push(0b110); // BFINAL 0, BTYPE 11: "invalid block type"
    gz.extend(deflate_full_flush(
        &mut compress,
        &capture[split..],
        FlushCompress::Finish,
    ));
    let results: Vec<(usize, usize, Vec<WarningKind>)> = [1, 10, 4096, 1 << 20]
        .into_iter()
        .map(|chunk| {
            let (result, sink) = common::read_in_chunks(&gz, chunk);
            assert!(result.is_ok(), "damage after the first frame is a warning");
            let kinds = sink.warnings.iter().map(|w| w.kind).collect();
            (chunk, sink.frames.len(), kinds)
        })
        .collect();
    for (chunk, frames, kinds) in &results {
        assert_eq!(*frames, 10_000, "chunks of {chunk} bytes: {results:?}");
        assert_eq!(
            kinds,
            &[WarningKind::CorruptBlock],
            "chunks of {chunk} bytes"
        );
    }
}

// ---------------------------------------------------------------------------
// Floods through the Analyzer

#[test]
fn two_million_distinct_syns_in_bounded_memory() {
    const FLOWS: u32 = 2_000_000;
    let server = (Ipv4Addr::new(198, 51, 100, 80), 443);
    let started = Instant::now();
    let (report, heap) = peak_heap(|| {
        let mut analyzer = Analyzer::new(Config::default());
        let mut data = Vec::new();
        for i in 0..FLOWS {
            let client = (
                Ipv4Addr::from(0x0a00_0000 + (i >> 4)),
                1024 + (i & 0xf) as u16,
            );
            tcp_frame(&mut data, client, server, SYN, i, 0, 0);
            analyzer.push(&Frame {
                number: u64::from(i) + 1,
                ts_ns: 1_700_000_000_000_000_000 + i64::from(i) * 1000,
                link_type: LinkType::ETHERNET,
                orig_len: data.len() as u32,
                data: &data,
                process: None,
            });
        }
        analyzer.finish().report
    });
    report_resources("2 million distinct SYNs", heap, started.elapsed());
    assert_eq!(report.capture.packets, u64::from(FLOWS));
    assert_eq!(
        report.capture.tcp_packets,
        u64::from(FLOWS),
        "every SYN decodes as TCP"
    );
    assert!(report.connections.len() <= Config::default().max_listed_connections);
    assert!(heap < 200_000_000, "analyzer held {heap} bytes");
}

#[test]
fn one_connection_with_millions_of_segments_in_bounded_memory() {
    const DATA_SEGMENTS: u32 = 3_000_000;
    let client = (Ipv4Addr::new(192, 0, 2, 33), 51_000);
    let server = (Ipv4Addr::new(198, 51, 100, 33), 443);
    let started = Instant::now();
    let (report, heap) = peak_heap(|| {
        let mut analyzer = Analyzer::new(Config::default());
        let mut data = Vec::new();
        let mut number = 0u64;
        let mut push = |data: &[u8]| {
            number += 1;
            analyzer.push(&Frame {
                number,
                ts_ns: 1_700_000_000_000_000_000 + number as i64 * 10_000,
                link_type: LinkType::ETHERNET,
                orig_len: data.len() as u32,
                data,
                process: None,
            });
        };
        let (client_isn, server_isn) = (7_000u32, 9_000u32);
        tcp_frame(&mut data, client, server, SYN, client_isn, 0, 0);
        push(&data);
        tcp_frame(
            &mut data,
            server,
            client,
            SYN | ACK,
            server_isn,
            client_isn + 1,
            0,
        );
        push(&data);
        let mut seq = client_isn + 1;
        for i in 0..DATA_SEGMENTS {
            if i % 2 == 0 {
                tcp_frame(
                    &mut data,
                    client,
                    server,
                    PSH | ACK,
                    seq,
                    server_isn + 1,
                    100,
                );
                seq = seq.wrapping_add(100);
            } else {
                tcp_frame(&mut data, server, client, ACK, server_isn + 1, seq, 0);
            }
            push(&data);
        }
        tcp_frame(&mut data, server, client, RST, server_isn + 1, 0, 0);
        push(&data);
        analyzer.finish().report
    });
    report_resources(
        "one connection, 3 million segments",
        heap,
        started.elapsed(),
    );
    let frames = u64::from(DATA_SEGMENTS) + 3;
    assert_eq!(report.capture.packets, frames);
    assert_eq!(report.capture.tcp_packets, frames, "every segment decodes");
    assert_eq!(report.resets.len(), 1);
    assert_eq!(report.resets[0].frame, frames);
    assert_eq!(report.connections.len(), 1);
    assert!(heap < 64 * MIB, "analyzer held {heap} bytes");
}

/// The per-packet path allocates nothing once the connections it sees are
/// known: reading records from chunks, decoding, tracking, the ladder.
#[test]
fn established_connections_allocate_nothing_per_packet() {
    const CONNECTIONS: u32 = 500;
    const ROUNDS: u32 = 40;
    let mut capture = Traffic::new(CONNECTIONS);
    capture.handshakes();
    capture.round(0);
    let warm = capture.bytes.len();
    for round in 1..=ROUNDS {
        capture.round(round);
    }

    let mut analyzer = Analyzer::new(Config::default());
    let mut reader = CaptureReader::new();
    // Chunks that cut records anywhere, as a browser's reads do.
    const CHUNK: usize = 65_537;
    for chunk in capture.bytes[..warm].chunks(CHUNK) {
        reader.push(chunk, &mut analyzer).unwrap();
    }
    let ((), made) = allocations(|| {
        for chunk in capture.bytes[warm..].chunks(CHUNK) {
            reader.push(chunk, &mut analyzer).unwrap();
        }
    });
    let per_round = u64::from(3 * CONNECTIONS + 1);
    assert_eq!(
        made,
        0,
        "{made} allocations for {} frames on known connections",
        u64::from(ROUNDS) * per_round
    );
    reader.finish(&mut analyzer).unwrap();
    let report = analyzer.finish().report;
    let frames = u64::from(2 * CONNECTIONS) + u64::from(ROUNDS + 1) * per_round;
    assert_eq!(report.capture.packets, frames);
    assert_eq!(report.capture.tcp_packets, frames - u64::from(ROUNDS + 1));
    assert_eq!(report.connections.len(), CONNECTIONS as usize);
    assert!(report.resets.is_empty());
}

/// The budget of a new connection: no allocation while it is tracked (its
/// table slot, host profile and first two ladder packets reuse memory held
/// by the tables), one when it has a third packet (its ladder ring), and
/// none when it is listed in the report (roles_from and Zeek's conn_state
/// are static names, a common history such as this "Sh" a static string;
/// client and server are `Endpoint`s; was three). Here a flood of
/// answered SYNs from distinct hosts keeps both tables full, so every new
/// connection and host evicts old ones.
#[test]
fn new_connections_allocate_within_budget() {
    const WARM: u32 = 5_000;
    const MEASURED: u32 = 20_000;
    let mut capture = Traffic::new(0);
    for i in 0..WARM {
        capture.syn_and_syn_ack(i);
    }
    let warm = capture.bytes.len();
    for i in WARM..WARM + MEASURED {
        capture.syn_and_syn_ack(i);
    }
    let per_connection = |max_listed_connections: usize| {
        let mut analyzer = Analyzer::new(Config {
            max_connections: 1_000,
            max_hosts: 1_000,
            max_listed_connections,
            ..Config::default()
        });
        let mut reader = CaptureReader::new();
        reader.push(&capture.bytes[..warm], &mut analyzer).unwrap();
        let ((), made) = allocations(|| {
            reader.push(&capture.bytes[warm..], &mut analyzer).unwrap();
        });
        reader.finish(&mut analyzer).unwrap();
        let report = analyzer.finish().report;
        assert!(report.capture.evicted_connections >= u64::from(MEASURED));
        made as f64 / f64::from(MEASURED)
    };
    // Choosing victims allocates its lists once per batch (of 62 here) in
    // each table: about 0.1 per connection.
    let tracked = per_connection(0);
    assert!(
        tracked < 0.15,
        "{tracked:.3} allocations per tracked connection"
    );
    let listed = per_connection(usize::MAX);
    assert!(
        listed < 0.15,
        "{listed:.3} allocations per listed connection"
    );
}

/// A judged RST keeps its packet and verdict, not its record (copies of
/// both directions of its connection, the ladder's raw packets): a scan's
/// tens of thousands of refusals held ~1.3 KB each in records until the
/// end of the capture. Here refused connections leave a small table (and
/// are judged) as the capture goes on; each reset, with its listed
/// connection and its client's host profile, held 4 010 bytes with the
/// records kept, 2 376 without.
#[test]
fn judged_resets_keep_their_verdict_not_their_record() {
    const REFUSED: u32 = 20_000;
    let mut capture = Traffic::new(0);
    for i in 0..REFUSED {
        capture.syn_refused(i);
    }
    let mut analyzer = Analyzer::new(Config {
        max_connections: 1_000,
        ..Config::default()
    });
    let mut reader = CaptureReader::new();
    let ((), held) = held_heap(|| reader.push(&capture.bytes, &mut analyzer).unwrap());
    reader.finish(&mut analyzer).unwrap();
    let report = analyzer.finish().report;
    assert_eq!(report.resets.len(), REFUSED as usize);
    assert!(report.capture.evicted_connections >= u64::from(REFUSED) - 1_000);
    let per_reset = held / REFUSED as usize;
    println!("refused connections: {per_reset} bytes held per reset while reading");
    assert!(per_reset < 3_000, "{per_reset} bytes held per judged reset");
}

/// A pcap of many clients talking to one server, written round by round.
struct Traffic {
    bytes: Vec<u8>,
    connections: u32,
    frame: Vec<u8>,
    time_ms: u32,
}

impl Traffic {
    const SERVER: (Ipv4Addr, u16) = (Ipv4Addr::new(198, 51, 100, 7), 443);
    const CLIENT_ISN: u32 = 1_000;
    const SERVER_ISN: u32 = 5_000;

    fn new(connections: u32) -> Self {
        Self {
            bytes: PcapFile::new(1).bytes(),
            connections,
            frame: Vec::new(),
            time_ms: 0,
        }
    }

    fn client(i: u32) -> (Ipv4Addr, u16) {
        (Ipv4Addr::from(0x0a00_0000 + i), 40_000)
    }

    fn tcp(&mut self, from_client: bool, i: u32, flags: u8, seq: u32, ack: u32, len: usize) {
        let (src, dst) = if from_client {
            (Self::client(i), Self::SERVER)
        } else {
            (Self::SERVER, Self::client(i))
        };
        let mut frame = std::mem::take(&mut self.frame);
        tcp_frame(&mut frame, src, dst, flags, seq, ack, len);
        self.record(&frame);
        self.frame = frame;
    }

    fn record(&mut self, frame: &[u8]) {
        self.time_ms += 1;
        let (s, ms) = (self.time_ms / 1000, self.time_ms % 1000);
        let record = pcap_record(1_700_000_000 + s, ms * 1000, frame);
        self.bytes.extend_from_slice(&record);
    }

    fn handshakes(&mut self) {
        for i in 0..self.connections {
            self.syn_and_syn_ack(i);
        }
    }

    /// The first two packets of connection `i` (client `i`, a host of its own).
    fn syn_and_syn_ack(&mut self, i: u32) {
        let (c, s) = (Self::CLIENT_ISN, Self::SERVER_ISN);
        self.tcp(true, i, SYN, c, 0, 0);
        self.tcp(false, i, SYN | ACK, s, c + 1, 0);
    }

    /// A SYN to connection `i`'s closed port, and the server's refusal.
    fn syn_refused(&mut self, i: u32) {
        let c = Self::CLIENT_ISN;
        self.tcp(true, i, SYN, c, 0, 0);
        self.tcp(false, i, RST | ACK, 0, c + 1, 0);
    }

    /// A request, a response and an ACK on every connection, and a UDP datagram.
    fn round(&mut self, round: u32) {
        let c = Self::CLIENT_ISN + 1 + round * 300;
        let s = Self::SERVER_ISN + 1 + round * 1200;
        for i in 0..self.connections {
            self.tcp(true, i, PSH | ACK, c, s, 300);
            self.tcp(false, i, PSH | ACK, s, c + 300, 1200);
            self.tcp(true, i, ACK, c + 300, s + 1200, 0);
        }
        self.record(&udp_frame());
    }
}

/// Ethernet + IPv4 + UDP (a DNS-sized datagram), not TCP.
fn udp_frame() -> Vec<u8> {
    let mut out = vec![0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 1, 0x08, 0x00];
    out.extend_from_slice(&[0x45, 0, 0, 28 + 40, 0, 1, 0, 0, 64, 17, 0, 0]);
    out.extend_from_slice(&[192, 0, 2, 53, 198, 51, 100, 53]);
    let sum = ip_checksum(&out[14..34]);
    out[24..26].copy_from_slice(&sum.to_be_bytes());
    out.extend_from_slice(&[0xc3, 0x50, 0, 53, 0, 8 + 40, 0, 0]);
    out.resize(out.len() + 40, 0);
    out
}

/// A warning limit holds however many frames fail to decode.
#[test]
fn a_million_undecodable_frames_keep_the_warning_list_bounded() {
    let (report, heap) = peak_heap(|| {
        let mut analyzer = Analyzer::new(Config::default());
        for number in 1..=1_000_000u64 {
            analyzer.push(&Frame {
                number,
                ts_ns: 0,
                link_type: LinkType::ETHERNET,
                orig_len: 3,
                data: &[1, 2, 3],
                process: None,
            });
        }
        analyzer.finish().report
    });
    assert_eq!(report.capture.packets, 1_000_000);
    let limit = Config::default().max_warnings;
    assert!(report.capture.warnings.len() <= limit + 1);
    assert!(heap < 16 * MIB, "analyzer held {heap} bytes");
}
