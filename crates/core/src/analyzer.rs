//! The entry point: push frames in, take a report out.

use alloc::borrow::Cow;
use alloc::collections::BTreeMap;
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use crate::attribute::echo::Echoes;
use crate::attribute::judge::Verdict;
use crate::attribute::ledger::{self, Ledger, Pending, Unmade};
use crate::attribute::link::LinkSeen;
pub use crate::attribute::RstPacket;
use crate::attribute::{self, payload, ResetRecord};
use crate::compare::trace::{self, Ends, Trace};
use crate::confidence;
use crate::decode::{self, flags, Decoded, NotTcp, TcpPacket};
use crate::frame::{Frame, LinkType};
use crate::render;
use crate::report::{
    CaptureInfo, Connection, Endpoint, LinkTypeCount, Report, Reset, Warning, WarningKind,
};
use crate::summary;
use crate::track::conn::{Conn, PacketSummary, Seen};
use crate::track::embryo::Embryo;
use crate::track::host::HostSlot;
use crate::track::id_order;
use crate::track::link::{Names, Stations};
use crate::track::listed::Listed;
use crate::track::table::{self, Found, Key, Leaving, Open};
use crate::track::{ConnTable, HostTable};

/// Limits that keep memory bounded on any input.
#[derive(Clone, Copy, Debug)]
pub struct Config {
    /// Most connections tracked at once; past it, finished or idle ones are evicted.
    pub max_connections: usize,
    /// Most warnings kept in the report (the rest are counted).
    pub max_warnings: usize,
    /// Most hosts with a TTL/IP-ID baseline; past it, the least recently seen go.
    pub max_hosts: usize,
    /// Most connections listed in the report; connections with resets are
    /// always listed, the others past this are only counted.
    pub max_listed_connections: usize,
    /// Record the comparison trace (see [`crate::compare`]), within these
    /// limits; `None`: no trace.
    pub trace: Option<trace::Limits>,
    /// A new connection's opening (a SYN, its SYN-ACK) may wait as a
    /// ~200-byte embryo instead of a ~1 KB connection: a flood's memory.
    /// `false` tracks every connection in full from its first packet, for
    /// tests that hold the two the same (report and trace).
    pub embryos: bool,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            // A tracked connection is ~0.9 KB (plus its map node): 50 000 of
            // them stay near 50 MB however many flows a capture holds.
            max_connections: 50_000,
            max_warnings: 1_000,
            // A host is ~0.2 KB; one per distinct address of a flood.
            max_hosts: 50_000,
            max_listed_connections: 100_000,
            trace: None,
            embryos: true,
        }
    }
}

impl Config {
    /// The defaults, with the comparison trace recorded.
    pub fn traced() -> Self {
        Self {
            trace: Some(trace::Limits::default()),
            ..Self::default()
        }
    }
}

/// What an analysis gives: the report, and the trace another capture can
/// be compared with ([`crate::compare::compare`]); the trace is empty
/// unless [`Config::trace`] asked for it.
#[derive(Clone, Debug, Default)]
pub struct Analysis {
    pub report: Report,
    pub trace: Trace,
}

impl Analysis {
    /// This capture's report with its comparison to `peer`, another
    /// capture of the same traffic (both analysed with a trace).
    pub fn compared_with(self, peer: &Analysis) -> Report {
        let comparison = crate::compare::compare(&self, peer);
        Report {
            comparison: Some(comparison),
            ..self.report
        }
    }
}

/// Streaming analysis of one capture. Frames are pushed in file order.
pub struct Analyzer {
    config: Config,
    info: CaptureInfo,
    link_types: BTreeMap<u32, u64>,
    /// Frames of the latest link type not yet added to `link_types`: a
    /// capture rarely changes link type, so most frames skip the map.
    link_run: Option<(u32, u64)>,
    /// Frames that are not TCP, by kind: named (a String each) only in
    /// `finish`, so counting them allocates nothing.
    other: BTreeMap<NotTcp, u64>,
    conns: ConnTable,
    hosts: HostTable,
    /// Each 4-tuple's RSTs, for a host repeating one answer.
    echoes: Echoes,
    /// Rule prefixes and process names from link headers, stored once.
    names: Names,
    /// Each Wi-Fi transmitter's recent MAC frames (monitor-mode captures).
    stations: Stations,
    resets: Ledger,
    connections: Vec<Connection>,
    dropped_warnings: u64,
    /// Latest frame time so far, and the frames that went back in time
    /// (count, first frame number).
    latest_ns: Option<i64>,
    backwards: (u64, Option<u64>),
    trace: Option<Trace>,
}

impl Analyzer {
    pub fn new(config: Config) -> Self {
        Self {
            config,
            info: CaptureInfo::default(),
            link_types: BTreeMap::new(),
            link_run: None,
            other: BTreeMap::new(),
            conns: if config.embryos {
                ConnTable::new(config.max_connections)
            } else {
                ConnTable::new(config.max_connections).without_embryos()
            },
            hosts: HostTable::new(config.max_hosts),
            echoes: Echoes::default(),
            names: Names::default(),
            stations: Stations::default(),
            resets: Ledger::default(),
            connections: Vec::new(),
            dropped_warnings: 0,
            latest_ns: None,
            backwards: (0, None),
            trace: config.trace.map(Trace::new),
        }
    }

    /// A frame's own facts (counts, link types, times), decoded or not.
    fn note_frame(&mut self, frame: &Frame<'_>) {
        self.info.packets += 1;
        match &mut self.link_run {
            Some((id, frames)) if *id == frame.link_type.0 => *frames += 1,
            run => {
                if let Some((id, frames)) = run.replace((frame.link_type.0, 1)) {
                    *self.link_types.entry(id).or_default() += frames;
                }
            }
        }
        if (frame.data.len() as u64) < u64::from(frame.orig_len) {
            self.info.truncated_frames += 1;
        }
        match self.latest_ns {
            Some(latest) if frame.ts_ns < latest => {
                self.backwards.0 += 1;
                self.backwards.1.get_or_insert(frame.number);
            }
            _ => self.latest_ns = Some(frame.ts_ns),
        }
        if let Some(trace) = &mut self.trace {
            trace.note_time(frame.ts_ns);
        }
        let time = seconds(frame.ts_ns);
        self.info.first_time.get_or_insert(time);
        self.info.last_time = Some(time);
    }

    /// Feeds one frame. Never fails: undecodable frames become warnings.
    #[inline]
    pub fn push(&mut self, frame: &Frame<'_>) {
        self.push_decoded(frame, decode::decode(frame.link_type, frame.data));
    }

    /// Feeds one frame with its decoding already done: `push` is exactly
    /// `push_decoded(frame, decode::decode(frame.link_type, frame.data))`.
    /// The CLI decodes on its reading thread (the decoding is pure), then
    /// tracks here, in file order, on the analysing one.
    #[inline]
    pub fn push_decoded<'a>(
        &mut self,
        frame: &Frame<'a>,
        mut decoded: Result<Decoded<'a>, decode::DecodeError>,
    ) {
        match decoded {
            // Bound in place: moving the packet out is a 300-byte copy per frame.
            Ok(Decoded::Tcp(ref mut packet)) => self.push_tcp(frame, packet),
            Ok(Decoded::NotTcp(kind)) => {
                self.note_frame(frame);
                *self.other.entry(kind).or_default() += 1;
            }
            Err(err) => {
                self.note_frame(frame);
                self.undecodable(frame.number, err);
            }
        }
    }

    /// `push_decoded` of a frame that decoded to `packet`, borrowed: a
    /// caller holding the packet (the CLI's decoded batches) passes it
    /// without wrapping it in a `Decoded` (a copy of ~220 bytes per frame).
    #[inline]
    pub fn push_tcp<'a>(&mut self, frame: &Frame<'a>, packet: &mut TcpPacket<'a>) {
        self.note_frame(frame);
        packet.link.process = packet.link.process.or(frame.process);
        self.info.tcp_packets += 1;
        self.track(frame.number, frame.ts_ns, packet);
    }

    /// Counts frame `frame`, which did not decode, and warns about it.
    fn undecodable(&mut self, frame: u64, err: decode::DecodeError) {
        let message = format!(
            "{} header at byte {} of the frame is {}",
            err.layer.name(),
            err.offset,
            match err.kind {
                decode::DecodeErrorKind::Truncated => "cut short",
                decode::DecodeErrorKind::Malformed => "malformed",
            }
        );
        *self
            .info
            .other
            .entry("undecodable".to_string())
            .or_default() += 1;
        self.warn(Warning {
            kind: WarningKind::Decode,
            frame: Some(frame),
            offset: None,
            message,
        });
    }

    /// Feeds one decoded TCP packet (what [`Analyzer::push`] does after
    /// decoding; also the entry point for tests and other front ends).
    /// Counts it as a frame only through `push`.
    pub fn push_packet(&mut self, frame: u64, ts_ns: i64, packet: &TcpPacket<'_>) {
        self.track(frame, ts_ns, packet);
    }

    fn track(&mut self, frame: u64, ts_ns: i64, packet: &TcpPacket<'_>) {
        let is_rst = packet.tcp.has(flags::RST);
        let key = Key::of(packet);
        let wifi = packet.link.wifi.map(|w| self.stations.note(&w, ts_ns));
        // One way out to the table's expiry below: a second call of it
        // here kept the compiler from inlining it into the packet loop.
        'tracked: {
            let (conn, side, slot) = match self.conns.lookup(key, frame, ts_ns, packet, &self.hosts)
            {
                Some(Found::Conn(conn, side, slot)) => (conn, side, slot),
                Some(Found::Embryo(embryo, slot)) => {
                    if let Some(trace) = &mut self.trace {
                        let side = embryo.latest_side();
                        trace.record(
                            || Ends::of_embryo(embryo),
                            embryo.id,
                            side,
                            frame,
                            ts_ns,
                            packet,
                        );
                    }
                    let last_ns = note_opening(&mut self.hosts, embryo, ts_ns, packet);
                    self.conns.touched(slot, false, last_ns);
                    break 'tracked;
                }
                None => return,
            };
            // The capture's second copy of a segment tells nothing new.
            if !is_rst && attribute::copy::repeats(conn, side, ts_ns, packet) {
                conn.copies = conn.copies.saturating_add(1);
                return;
            }
            if let Some(trace) = &mut self.trace {
                trace.record(|| Ends::of_conn(conn), conn.id, side, frame, ts_ns, packet);
            }
            let ended_before = conn.zeek.finished();
            let summary = PacketSummary::of(frame, ts_ns, side, packet);
            let link = conn.note_link(side, frame, &packet.link, wifi, is_rst, &mut self.names);

            // Later packets are the "after" of this connection's earlier resets.
            for &i in &conn.resets {
                if let Some(record) = self.resets.open_mut(i) {
                    record.observe(side, ts_ns, packet.tcp.flags, packet.tcp.payload_len);
                    record.note_after(summary);
                }
            }
            if is_rst {
                let host = self.hosts.get(&packet.ip.src);
                let mut record = ResetRecord::new(
                    rst_packet(frame, ts_ns, (conn.id, conn.stream.number), packet),
                    side,
                    ts_ns,
                    packet.tcp.flags,
                    packet.ip.dont_fragment,
                    conn,
                    host,
                );
                self.echoes.note(packet, ts_ns, conn.copies > 0);
                record.link = LinkSeen::of(conn, side, frame, link, &self.names);
                record.ladder = conn.history.to_vec();
                record.ladder.push(summary);
                conn.resets.push(self.resets.push(record));
            } else {
                let (id, first_packet) = (conn.id, conn.client.packets + conn.server.packets == 0);
                let sender = conn.dir_mut(side);
                // A retransmitted SYN opens no new connection.
                let facts = (sender.last_ip_id, sender.syn_ns.is_none(), first_packet);
                let host = &mut sender.host;
                if let Some(parallel) = note_sender(&mut self.hosts, host, id, facts, ts_ns, packet)
                {
                    conn.parallel_open = parallel;
                }
            }
            let had_ack = conn.ack_ns.is_some();
            conn.update(&Seen {
                frame,
                ts_ns,
                side,
                packet,
                summary,
                air_retry: wifi.is_some_and(|w| w.attempts > 1),
            });
            // The handshake just completed: remember how fast each host answers.
            if !had_ack && conn.ack_ns.is_some() {
                let (server_delay, client_delay) = (conn.server_delay_ns(), conn.client_delay_ns());
                let (server, client) = (&mut conn.server, &mut conn.client);
                (self.hosts.entry_at(&mut server.host, server.addr))
                    .note_delays(server_delay, None);
                (self.hosts.entry_at(&mut client.host, client.addr))
                    .note_delays(None, client_delay);
            }
            let leaves = table::leaves_at(conn, ended_before);
            let (finished, last_ns) = (conn.finished(), conn.last_ns);
            self.conns.touched(slot, finished, last_ns);
            if let Some(due) = leaves {
                self.conns.expire_at(key, due);
            }
        }
        self.conns.expire(ts_ns);
        self.retire_finished();
    }

    /// Judges and lists connections the table let go of, in the order they
    /// left: past the listing limit, the first to leave are the ones listed.
    fn retire_finished(&mut self) {
        if !self.conns.has_retired() {
            return;
        }
        // Closed where they lie in the table: moved out, each ~1 KB
        // connection was copied twice (out of its slot, into a list), most
        // of a flood's cache misses.
        let mut conns = core::mem::replace(&mut self.conns, ConnTable::new(0));
        conns.close_retired(|leaving| self.close(leaving));
        self.conns = conns;
    }

    /// A connection left the table: judge and list it. An embryo has no
    /// resets (a RST grows it): past the listing limit it is only counted,
    /// not grown (most of a flood's).
    fn close(&mut self, leaving: Leaving<'_>) {
        match leaving {
            Leaving::Conn(conn) => self.close_conn(conn),
            Leaving::Embryo(_) if self.connections.len() >= self.config.max_listed_connections => {
                self.info.unlisted_connections += 1;
            }
            // Listed as it would be grown, without growing it.
            Leaving::Embryo(embryo) => self.list(connection_entry(&embryo.listed(), Vec::new())),
        }
    }

    /// Judges and lists the connections `open` at the end, in `parts`
    /// runs that `run` may run on threads; then keeps the entries in id
    /// order, as closing them one by one would. The entries of their
    /// resets, made in the parts, by ledger index (a list per part).
    fn close_open(
        &mut self,
        open: &Open,
        parts: usize,
        run: &mut impl FnMut(&mut [Closing<'_>]),
    ) -> Vec<Vec<(usize, Reset)>> {
        // Taken out first, so that the parts share the ledger read-only.
        let mut pending: Vec<Pending> = (0..open.len())
            .map(|i| match open.get(i) {
                Some(Leaving::Conn(conn)) => self.resets.take_open(conn),
                _ => Pending::default(),
            })
            .collect();
        // Connection i in id order is listed, resets or not, below this
        // (the listing's room when closing began).
        let room = (self.config.max_listed_connections).saturating_sub(self.connections.len());
        let mut closings: Vec<Closing<'_>> = ledger::runs(&mut pending, parts)
            .map(|(first, pending)| {
                Closing::new(Work::Open(OpenRun {
                    open,
                    hosts: &self.hosts,
                    echoes: &self.echoes,
                    ledger: &self.resets,
                    first,
                    room,
                    pending,
                    entries: Vec::new(),
                    unlisted: 0,
                }))
            })
            .collect();
        Closing::run_all(&mut closings, run);
        let listed = closings.iter().map(|closing| match &closing.work {
            Work::Open(part) => part.entries.len(),
            Work::Judged(_) => 0,
        });
        self.connections.reserve_exact(listed.sum());
        let mut resets = Vec::with_capacity(closings.len());
        for closing in closings {
            if let Work::Open(mut part) = closing.work {
                self.connections.append(&mut part.entries);
                self.info.unlisted_connections += part.unlisted;
            }
            resets.push(closing.resets);
        }
        resets
    }

    /// A connection ended: judge its resets and list it.
    fn close_conn(&mut self, conn: &Conn) {
        self.resets.judge(conn, &self.hosts, &self.echoes);
        if conn.resets.is_empty() && self.connections.len() >= self.config.max_listed_connections {
            self.info.unlisted_connections += 1;
            return;
        }
        let resets = conn.resets.iter().filter_map(|&i| self.resets.packet(i));
        let resets = resets.map(|p| p.frame).collect();
        self.list(connection_entry(&Listed::of(conn), resets));
    }

    /// Adds `entry` to the connection list.
    fn list(&mut self, entry: Connection) {
        // Grow by doubling up to the limit (a flood fills it: the last
        // doubling would reserve 6 MB that is never used), then by an eighth:
        // past it only connections with resets come, and a doubling there
        // would reserve ~20 MB for a few thousand of them.
        let (len, limit) = (self.connections.len(), self.config.max_listed_connections);
        if len == self.connections.capacity() {
            let more = if len < limit {
                len.max(4).min(limit.saturating_sub(len))
            } else {
                (len / 8).max(4)
            };
            self.connections.reserve_exact(more);
        }
        self.connections.push(entry);
    }

    /// Records a problem found outside the core (e.g. by the capture reader).
    pub fn warn(&mut self, warning: Warning) {
        if self.info.warnings.len() < self.config.max_warnings {
            self.info.warnings.push(warning);
        } else {
            self.dropped_warnings += 1;
        }
    }

    /// Ends the analysis: the report, and the trace if one was recorded.
    pub fn finish(self) -> Analysis {
        self.finish_in_parts(1, |_| {})
    }

    /// Ends the analysis as [`Analyzer::finish`] does, its two longest
    /// steps in `parts` runs each: the connections still open judged and
    /// listed (runs of them by id), then the report entries of the resets
    /// judged before (runs of them by index). `run` is called with each
    /// step's parts and may run them ([`Closing::run`]) side by side on
    /// threads (a part it leaves is run here after it). The report is the
    /// same whatever the parts and the order they run in.
    pub fn finish_in_parts(
        mut self,
        parts: usize,
        mut run: impl FnMut(&mut [Closing<'_>]),
    ) -> Analysis {
        self.info.evicted_connections = self.conns.evicted;
        let table = core::mem::replace(&mut self.conns, ConnTable::new(0));
        let open = table.into_open(|leaving| self.close(leaving));
        let closed_resets = self.close_open(&open, parts, &mut run);
        // Every connection is judged: the tables (~60 MB when full) go
        // before the report's entries are built, not after.
        drop(open);
        self.hosts = HostTable::new(0);
        self.echoes = Echoes::default();
        if let (count @ 1.., Some(first)) = self.backwards {
            self.warn(Warning {
                kind: WarningKind::TimeBackwards,
                frame: Some(first),
                offset: None,
                message: format!(
                    "{count} frame(s) are timestamped earlier than a frame before them, the first at frame {first}; timings around them are unreliable"
                ),
            });
        }
        if self.dropped_warnings > 0 {
            self.info.warnings.push(Warning {
                kind: WarningKind::WarningLimit,
                frame: None,
                offset: None,
                message: format!("{} further warnings not listed", self.dropped_warnings),
            });
        }
        if self.info.evicted_connections > 0 {
            self.info.warnings.push(Warning {
                kind: WarningKind::FlowLimit,
                frame: None,
                offset: None,
                message: format!(
                    "{} connections were evicted from the flow table (limit {}); their later packets started new connections",
                    self.info.evicted_connections, self.config.max_connections
                ),
            });
        }
        for (kind, frames) in core::mem::take(&mut self.other) {
            *self.info.other.entry(not_tcp_name(kind)).or_default() += frames;
        }
        if let Some((id, frames)) = self.link_run.take() {
            *self.link_types.entry(id).or_default() += frames;
        }
        self.info.link_types = self
            .link_types
            .iter()
            .map(|(&id, &frames)| LinkTypeCount {
                id,
                name: LinkType(id).name().to_string(),
                frames,
            })
            .collect();
        let made = Closing::make_entries(self.resets.unmade(parts), &mut run);
        let closed_resets = closed_resets.into_iter().flatten();
        let mut resets = self.resets.into_entries(closed_resets, made);
        confidence::calibrate(&mut resets, &self.info);
        let connections = by_id(self.connections);
        let incidents = summary::incidents::group(&mut resets, &connections);
        let summary = summary::summarize(&resets, &incidents, &connections, &self.info);
        let report = Report {
            capture: self.info,
            summary,
            resets,
            connections,
            incidents,
            comparison: None,
            generator: None,
        };
        Analysis {
            report,
            trace: self.trace.unwrap_or_default(),
        }
    }

    /// RSTs seen so far: live results while a capture is being read.
    pub fn resets_seen(&self) -> usize {
        self.resets.len()
    }

    /// The `i`-th RST seen so far, as its packet shows it: the verdict
    /// comes with `finish`.
    pub fn reset_at(&self, i: usize) -> Option<&RstPacket> {
        self.resets.packet(i)
    }
}

/// What a new connection's opening `packet` (a SYN, the SYN-ACK to it),
/// kept by `embryo`, does outside the connection (the connection replays
/// it when it grows): the sender's profile learns from it. The embryo's
/// last activity.
fn note_opening(
    hosts: &mut HostTable,
    embryo: &mut Embryo,
    ts_ns: i64,
    packet: &TcpPacket<'_>,
) -> i64 {
    let id = embryo.id;
    let (host, facts) = embryo.sender();
    if let Some(parallel) = note_sender(hosts, host, id, facts, ts_ns, packet) {
        embryo.parallel_open = parallel;
    }
    embryo.last_ns()
}

/// What the sender's profile (found through `slot`) learns from a non-RST
/// packet of connection `id`, given what the connection knew before it:
/// the sender's previous IP ID, whether this is its first SYN and the
/// connection's first packet. A first SYN tells whether it opened in
/// parallel with another connection (`Some`).
fn note_sender(
    hosts: &mut HostTable,
    slot: &mut HostSlot,
    id: u32,
    (prev_id, first_syn, first_packet): (Option<u16>, bool, bool),
    ts_ns: i64,
    packet: &TcpPacket<'_>,
) -> Option<bool> {
    let (ip, tcp) = (&packet.ip, &packet.tcp);
    let host = hosts.sender_at(slot, packet, ts_ns);
    host.add_packet(id, ip.ttl, ip.dont_fragment, ip.id, prev_id);
    if tcp.has(flags::SYN) && tcp.has(flags::ACK) {
        host.note_server_port(tcp.src_port);
    } else if tcp.has(flags::SYN) && first_syn {
        return Some(host.note_syn(ip.dst, tcp.dst_port, tcp.seq, ts_ns));
    } else if first_packet && tcp.has(flags::ACK) {
        // A connection picked up mid-flow: its sender's port may serve others.
        host.note_pickup(tcp.src_port, tcp.dst_port);
    } else if first_packet && attribute::probe::probe_of(tcp.flags).is_some() {
        // A connection opened by a FIN, NULL or Xmas segment.
        host.note_stealth_probe();
    }
    None
}

/// A part of the end of a capture ([`Analyzer::finish_in_parts`]): a run
/// of the connections still open, or of the resets judged before. Parts
/// share nothing they write, so they may run on threads side by side.
pub struct Closing<'a> {
    work: Work<'a>,
    /// The report entries of the resets made here, by ledger index.
    resets: Vec<(usize, Reset)>,
    done: bool,
}

enum Work<'a> {
    Open(OpenRun<'a>),
    /// Resets judged while reading (their connections ended then): only
    /// their report entries are left to make.
    Judged(Unmade<'a>),
}

impl<'a> Closing<'a> {
    fn new(work: Work<'a>) -> Self {
        Self {
            work,
            resets: Vec::new(),
            done: false,
        }
    }

    /// Does this part's work: judges and lists its connections, as
    /// closing them one by one would, and makes its resets' report entries.
    pub fn run(&mut self) {
        match &mut self.work {
            Work::Open(part) => part.close(&mut self.resets),
            Work::Judged(unmade) => self.resets = unmade.make(reset_entry),
        }
        self.done = true;
    }

    /// Hands `parts` to `run`, then runs the ones it left.
    fn run_all(parts: &mut [Closing<'_>], run: &mut impl FnMut(&mut [Closing<'_>])) {
        run(parts);
        for part in parts.iter_mut().filter(|part| !part.done) {
            part.run();
        }
    }

    /// The report entries of the resets in `unmade`, by ledger index, each
    /// run's in order, the runs made in parts handed to `run`.
    fn make_entries(
        unmade: Vec<Unmade<'a>>,
        run: &mut impl FnMut(&mut [Closing<'_>]),
    ) -> Vec<Vec<(usize, Reset)>> {
        let mut parts: Vec<Closing<'_>> = unmade
            .into_iter()
            .map(|unmade| Closing::new(Work::Judged(unmade)))
            .collect();
        Closing::run_all(&mut parts, run);
        parts.into_iter().map(|part| part.resets).collect()
    }
}

/// The connections open at the end of a capture, `first..` of them in
/// id order.
struct OpenRun<'a> {
    open: &'a Open,
    hosts: &'a HostTable,
    echoes: &'a Echoes,
    ledger: &'a Ledger,
    first: usize,
    /// Connections before this index (in id order) are listed even
    /// without resets; after it, only counted.
    room: usize,
    /// The records of each connection's resets, taken out of the ledger.
    pending: &'a mut [Pending],
    entries: Vec<Connection>,
    unlisted: u64,
}

impl OpenRun<'_> {
    /// Judges the connections' resets and lists them, and adds the
    /// resets' report entries to `resets` (by ledger index).
    fn close(&mut self, resets: &mut Vec<(usize, Reset)>) {
        // An entry is a few hundred bytes: not copied as the list grows.
        resets.reserve_exact(self.pending.iter().map(Pending::len).sum());
        for (at, pending) in self.pending.iter_mut().enumerate() {
            let i = self.first + at;
            let listed = i < self.room;
            let conn = match self.open.get(i) {
                Some(Leaving::Conn(conn)) => conn,
                // An embryo has no resets: past the room it is only counted,
                // within it listed as it would be grown, without growing it.
                Some(Leaving::Embryo(_)) if !listed => {
                    self.unlisted += 1;
                    continue;
                }
                Some(Leaving::Embryo(embryo)) => {
                    let entry = connection_entry(&embryo.listed(), Vec::new());
                    self.entries.push(entry);
                    continue;
                }
                None => continue,
            };
            if !conn.resets.is_empty() {
                pending.judge(conn, self.hosts, self.echoes);
            }
            if listed || !conn.resets.is_empty() {
                let ledger = self.ledger;
                let frame = |&i: &usize| pending.packet(i).or_else(|| ledger.packet(i));
                let resets = conn.resets.iter().filter_map(frame).map(|p| p.frame);
                let entry = connection_entry(&Listed::of(conn), resets.collect());
                self.entries.push(entry);
            } else {
                self.unlisted += 1;
            }
            let made = pending
                .take_judged()
                .map(|(at, p, v)| (at, reset_entry(p, v)));
            resets.extend(made);
        }
    }
}

/// The list's entry of a connection, given the frames of its resets.
fn connection_entry(listed: &Listed, resets: Vec<u64>) -> Connection {
    let (c, s) = (listed.client, listed.server);
    Connection {
        id: listed.id,
        stream: Some(listed.first_stream),
        first_frame: Some(listed.first_frame),
        client: Endpoint::new(c.0, c.1),
        server: Endpoint::new(s.0, s.1),
        roles_from: Cow::Borrowed(listed.roles_from.name()),
        first_time: seconds(listed.first_ns),
        last_time: seconds(listed.last_ns),
        client_packets: listed.packets.0,
        server_packets: listed.packets.1,
        client_bytes: listed.bytes.0,
        server_bytes: listed.bytes.1,
        conn_state: Cow::Borrowed(listed.zeek.conn_state()),
        history: listed.zeek.history(),
        resets,
    }
}

/// `connections` in id order. They are ranked by id, then put in place by
/// following the permutation's cycles: each connection is swapped at most
/// once into its place, and no second list (~30 MB at the listing limit)
/// is built beside the first.
fn by_id(mut connections: Vec<Connection>) -> Vec<Connection> {
    let ids: Vec<u32> = connections.iter().map(|c| c.id).collect();
    if ids.is_sorted() {
        return connections;
    }
    // `place[i]`: the position the connection now at `i` belongs at.
    let mut place = id_order::ranks(&ids);
    drop(ids);
    for i in 0..connections.len() {
        while let Some(&to) = place
            .get(i)
            .filter(|&&to| to != i && to < connections.len())
        {
            connections.swap(i, to);
            place.swap(i, to);
        }
    }
    connections
}

fn seconds(ts_ns: i64) -> f64 {
    ts_ns as f64 / 1e9
}

/// The RST's own fields.
fn rst_packet(
    frame: u64,
    ts_ns: i64,
    (connection, stream): (u32, u32),
    packet: &TcpPacket<'_>,
) -> RstPacket {
    RstPacket {
        frame,
        time: seconds(ts_ns),
        src: Endpoint::new(packet.ip.src, packet.tcp.src_port),
        dst: Endpoint::new(packet.ip.dst, packet.tcp.dst_port),
        seq: packet.tcp.seq,
        ack: packet.tcp.ack,
        flags: flags::names(packet.tcp.flags),
        ttl: packet.ip.ttl,
        ip_id: packet.ip.id,
        payload_len: packet.tcp.payload_len,
        encapsulation: encapsulation_name(packet),
        connection,
        stream,
        payload_text: payload::text(packet.tcp.payload),
        reason_code: payload::reason_code(packet.tcp.payload),
        mptcp_reason: packet.tcp.options.mptcp_rst_reason,
    }
}

/// The report entry of a judged RST: all but its confidence and its
/// incident, which depend on the other resets.
fn reset_entry(p: RstPacket, v: Verdict) -> Reset {
    let mut tips = render::tips(v.cause, v.origin, v.sub_cause, &v.observed);
    tips.extend(render::link_tips(&v.evidence));
    let mut reset = Reset {
        frame: p.frame,
        time: p.time,
        src: p.src,
        dst: p.dst,
        seq: p.seq,
        ack: p.ack,
        flags: p.flags,
        ttl: p.ttl,
        ip_id: p.ip_id,
        payload_len: p.payload_len,
        encapsulation: p.encapsulation,
        connection: Some(p.connection),
        stream: Some(p.stream),
        sender: v.sender,
        origin: v.origin,
        cause: v.cause,
        sub_cause: v.sub_cause,
        // Looked up by confidence::calibrate once every reset is judged.
        confidence: 0.0,
        evidence: v.evidence,
        signature: v.signature,
        stage: v.stage,
        payload_text: p.payload_text,
        reason_code: p.reason_code,
        tips,
        observed: v.observed,
        ladder: v.ladder,
        consequence_of: v.consequence_of,
        incident: None,
        conflict: None,
    };
    reset.conflict = confidence::conflict(&reset);
    reset
}

fn encapsulation_name(packet: &TcpPacket<'_>) -> String {
    let names: Vec<&str> = packet
        .encapsulation
        .layers()
        .iter()
        .map(|l| l.name())
        .collect();
    names.join(":")
}

fn not_tcp_name(kind: NotTcp) -> String {
    match kind {
        NotTcp::IpProtocol(17) => "udp".to_string(),
        NotTcp::IpProtocol(1) => "icmp".to_string(),
        NotTcp::IpProtocol(58) => "icmpv6".to_string(),
        NotTcp::IpProtocol(p) => format!("ip-proto {p}"),
        NotTcp::IpFragment => "ip-fragment".to_string(),
        NotTcp::EtherType(t) => format!("ethertype 0x{t:04x}"),
        NotTcp::OtherLink => "non-ip link frame".to_string(),
        NotTcp::EncryptedWlan => "encrypted 802.11".to_string(),
        NotTcp::WlanManagement => "802.11 management/control".to_string(),
        NotTcp::Netlink => "netlink".to_string(),
        NotTcp::UnknownLinkType(lt) => format!("linktype {}", lt.0),
    }
}
