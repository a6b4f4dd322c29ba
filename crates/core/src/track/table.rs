//! The flow table: finds a packet's connection (direction-independent
//! 4-tuple, one hash lookup), starts new ones (including port reuse), and
//! keeps memory bounded: finished connections leave some time after their
//! last packet, and past the size limit the finished, then least recently
//! active, connections are evicted.

use alloc::collections::VecDeque;
use alloc::vec;
use alloc::vec::Vec;
use core::net::IpAddr;

use hashbrown::hash_table::{Entry, HashTable};

use super::conn::{Conn, Predecessor, RolesFrom, Side};
use super::embryo::Embryo;
use super::evict;
use super::grow;
use super::host::HostTable;
use super::id_order;
use super::stream::{Numbering, Stream};
pub use crate::decode::flow::Key;
use crate::decode::{flags, Flow, TcpPacket};

/// Zeek forgets a finished connection this long after its last packet; a
/// later packet on the same 4-tuple starts a new one.
const CLOSE_DELAY_NS: i64 = 5_000_000_000;
/// A finished connection leaves the table this long after Zeek would have
/// forgotten it: the margin lets packets that arrive out of time order
/// still find it, exactly as if it had stayed.
const EXPIRY_SLACK_NS: i64 = 60_000_000_000;
/// A SYN with a new ISN after this much silence reuses the ports.
const REUSE_GAP_NS: i64 = 30_000_000_000;
/// Ports from here up are ephemeral (Linux's default range starts at 32768).
const EPHEMERAL: u16 = 32768;

impl Key {
    /// The key of `conn`'s packets.
    fn of_conn(conn: &Conn) -> Self {
        Self::new(
            (conn.client.addr, conn.client.port),
            (conn.server.addr, conn.server.port),
        )
    }
}

pub struct ConnTable {
    /// 4-tuple -> slot of its connection in `conns` or `embryos`, found
    /// by [`Key::hashed`] (a decoded packet carries it: [`Flow`]).
    index: HashTable<(Key, Slot)>,
    /// The connections and embryos themselves.
    store: Store,
    max: usize,
    /// The latest stream of endpoint pairs whose connection left the table,
    /// oldest first, at most `max`: Wireshark never forgets a pair, so a
    /// late packet on it continues its stream. The order keeps their
    /// hashes: forgetting the oldest does not hash it again.
    departed: HashTable<(Key, Stream)>,
    departed_order: VecDeque<(u64, Key)>,
    /// Finished connections without resets, each with the time it may
    /// leave: roughly in time order (checked again when due).
    expiring: VecDeque<(i64, Key)>,
    /// Connections dropped to stay under `max`.
    pub evicted: u64,
}

/// The connections and embryos in their slots, and what numbers new ones.
struct Store {
    /// The connections side by side, their slots reused once they leave
    /// and are closed: a new connection allocates nothing once the table
    /// has grown. A connection stays in its slot until it is closed (never
    /// moved: it is ~1 KB); `weights` tells which slots are in the table.
    conns: Vec<Conn>,
    /// Slots of `conns` whose connection was closed (its heap freed),
    /// ready for a new one.
    free: Vec<usize>,
    /// Per slot of `conns`, what eviction weighs, kept apart so that
    /// choosing victims reads 16 bytes per connection, not its ~1 KB.
    weights: Vec<Weight>,
    /// Connections known by their opening only, side by side like
    /// `conns`, with their free slots and weights.
    embryos: Vec<Embryo>,
    embryos_free: Vec<usize>,
    embryo_weights: Vec<Weight>,
    /// Whether new connections may start as embryos (`Config::embryos`).
    embryonic: bool,
    next_id: u32,
    /// Wireshark's stream numbers (`tcp.stream`).
    streams: Numbering,
    /// Slots of connections that left the table (replaced by a new one on
    /// the same ports, expired, or evicted), in the order they left,
    /// waiting to be closed where they lie ([`ConnTable::close_retired`]).
    retired: Vec<Slot>,
}

/// A packet being looked up, with what a connection it starts is made of.
struct Arrival<'p, 'a> {
    frame: u64,
    ts_ns: i64,
    packet: &'p TcpPacket<'a>,
    hosts: &'p HostTable,
    /// Sent from the pair's lower endpoint (what its stream notes).
    from_lo: bool,
}

/// A connection's place in the table (see [`ConnTable::touched`]): a slot
/// of `conns`, or of `embryos` with [`EMBRYO`] set.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Slot(usize);

/// The bit that marks an embryo's slot (no table gets near 2^63 slots).
const EMBRYO: usize = 1 << (usize::BITS - 1);

/// Which of the table's two kinds of slot a [`Slot`] is.
enum Place {
    Full(usize),
    Embryo(usize),
}

impl Slot {
    fn embryo(i: usize) -> Self {
        Slot(i | EMBRYO)
    }

    fn place(self) -> Place {
        if self.0 & EMBRYO == 0 {
            Place::Full(self.0)
        } else {
            Place::Embryo(self.0 & !EMBRYO)
        }
    }
}

/// A connection leaving the table, to be closed: tracked in full, or
/// still an embryo (which the closer may grow, or only count).
pub enum Leaving<'t> {
    Conn(&'t Conn),
    Embryo(&'t Embryo),
}

/// The connections in the table at the end of a capture, in id order
/// ([`ConnTable::into_open`]): read in place, by any number of threads.
pub struct Open {
    conns: Vec<Conn>,
    embryos: Vec<Embryo>,
    order: Vec<Slot>,
}

impl Open {
    pub fn len(&self) -> usize {
        self.order.len()
    }

    /// The `i`-th connection in id order.
    pub fn get(&self, i: usize) -> Option<Leaving<'_>> {
        match self.order.get(i)?.place() {
            Place::Full(at) => self.conns.get(at).map(Leaving::Conn),
            Place::Embryo(at) => self.embryos.get(at).map(Leaving::Embryo),
        }
    }
}

/// What a packet belongs to (see [`ConnTable::lookup`]).
pub enum Found<'t> {
    /// A connection, the side that sent the packet, and its slot.
    Conn(&'t mut Conn, Side, Slot),
    /// A new connection waiting as its first packet (this one).
    Embryo(&'t mut Embryo, Slot),
}

/// What eviction weighs for one slot: finished connections go first, then
/// the least recently active.
#[derive(Clone, Copy, Debug)]
struct Weight {
    /// The slot holds a connection in the table (not one that left).
    live: bool,
    finished: bool,
    last_ns: i64,
}

impl Weight {
    /// Its place in the eviction order (unfinished, last activity) as one
    /// number: the unfinished weigh 2^64 more than any finished one.
    /// Selecting and sorting a flood's victims compared the pairs field by
    /// field.
    fn order(&self) -> i128 {
        i128::from(self.last_ns) + (i128::from(!self.finished) << 64)
    }
}

impl ConnTable {
    pub fn new(max: usize) -> Self {
        Self {
            index: HashTable::new(),
            store: Store {
                conns: Vec::new(),
                free: Vec::new(),
                weights: Vec::new(),
                embryos: Vec::new(),
                embryos_free: Vec::new(),
                embryo_weights: Vec::new(),
                embryonic: true,
                next_id: 0,
                streams: Numbering::default(),
                retired: Vec::new(),
            },
            max: max.max(16),
            departed: HashTable::new(),
            departed_order: VecDeque::new(),
            expiring: VecDeque::new(),
            evicted: 0,
        }
    }

    /// New connections never wait as embryos (every packet is then
    /// tracked with its full connection).
    pub fn without_embryos(mut self) -> Self {
        self.store.embryonic = false;
        self
    }

    /// The connection `packet` (whose key is `key`) belongs to, created if
    /// needed (as an embryo when it [fits](Embryo::fits)), the side that
    /// sent it, and its slot. Always `Some`: the index only holds slots
    /// that exist.
    pub fn lookup(
        &mut self,
        key: Key,
        frame: u64,
        ts_ns: i64,
        packet: &TcpPacket<'_>,
        hosts: &HostTable,
    ) -> Option<Found<'_>> {
        let hash = Flow::conn_of(packet, &key);
        let arrival = Arrival {
            frame,
            ts_ns,
            packet,
            hosts,
            from_lo: key.sent_from_lo(packet),
        };
        // A known pair costs one probe, at the limit too (checking for
        // room first probed it twice).
        let slot = match self.index.find_mut(hash, |(k, _)| *k == key) {
            Some((_, slot)) => {
                *slot = self.store.next_packet(*slot, &arrival)?;
                *slot
            }
            None => self.start(hash, key, &arrival)?,
        };
        self.store.found(slot, packet)
    }

    /// Files the new connection the arriving packet (whose pair, `key`
    /// hashed `hash`, is not in the table) starts: its slot. At the limit
    /// the table makes room first.
    fn start(&mut self, hash: u64, key: Key, arrival: &Arrival<'_, '_>) -> Option<Slot> {
        if self.index.len() >= self.max {
            self.evict();
        }
        let stream = match self.departed.find_entry(hash, |(k, _)| *k == key) {
            Ok(departed) => departed.remove().0 .1,
            Err(_) => self.store.streams.fresh(),
        };
        let slot = self.store.open(stream, arrival)?;
        let rehash = |(k, _): &(Key, Slot)| k.hashed();
        grow::room_for_one(&mut self.index, self.max, rehash);
        self.index.insert_unique(hash, (key, slot), rehash);
        Some(slot)
    }

    /// Notes what eviction weighs for the connection in `slot` after its
    /// packet: whether it has `finished`, and its last activity.
    pub fn touched(&mut self, slot: Slot, finished: bool, last_ns: i64) {
        if let Some(weight) = self.store.weight(slot) {
            *weight = Weight {
                live: true,
                finished,
                last_ns,
            };
        }
    }

    /// Queues the connection under `key` to leave the table at `due` (see
    /// [`leaves_at`]). The queue is bounded: past it, eviction at the size
    /// limit takes over.
    pub fn expire_at(&mut self, key: Key, due: i64) {
        if self.expiring.len() < self.max {
            self.expiring.push_back((due, key));
        }
    }

    /// Retires the queued connections that are due at time `now_ns`.
    pub fn expire(&mut self, now_ns: i64) {
        while let Some(&(due, key)) = self.expiring.front() {
            if due > now_ns {
                break;
            }
            self.expiring.pop_front();
            // The connection may have had packets (or been replaced) since;
            // an embryo (a SYN) has not finished.
            let found = self.index.find(key.hashed(), |(k, _)| *k == key);
            let Some(&(_, slot)) = found else {
                continue;
            };
            let Place::Full(i) = slot.place() else {
                continue;
            };
            let Some(conn) = self.store.conns.get(i) else {
                continue;
            };
            if !ends_quietly(conn) {
                continue;
            }
            let due = expiry(conn);
            if due > now_ns {
                self.expiring.push_back((due, key));
            } else {
                self.remove(key);
            }
        }
    }

    /// Takes the connection under `key` out of the table (it stays in its
    /// slot, listed in `retired`).
    fn remove(&mut self, key: Key) -> bool {
        let hash = key.hashed();
        let Ok(found) = self.index.find_entry(hash, |(k, _)| *k == key) else {
            return false;
        };
        let ((_, slot), _) = found.remove();
        let Some(stream) = self.store.leave(slot) else {
            return false;
        };
        self.depart(hash, key, stream);
        self.store.retired.push(slot);
        true
    }

    /// Keeps the stream of a pair (`key`, hashed `hash`) whose connection
    /// leaves the table.
    fn depart(&mut self, hash: u64, key: Key, stream: Stream) {
        if self.departed_order.len() >= self.max {
            if let Some((oldest_hash, oldest)) = self.departed_order.pop_front() {
                let found = self.departed.find_entry(oldest_hash, |(k, _)| *k == oldest);
                if let Ok(departed) = found {
                    departed.remove();
                }
            }
        }
        let rehash = |(k, _): &(Key, Stream)| k.hashed();
        grow::room_for_one(&mut self.departed, self.max, rehash);
        match self.departed.entry(hash, |(k, _)| *k == key, rehash) {
            Entry::Occupied(mut departed) => departed.get_mut().1 = stream,
            Entry::Vacant(departed) => {
                departed.insert((key, stream));
                self.departed_order.push_back((hash, key));
            }
        }
    }

    /// Whether connections left the table since the last
    /// [`ConnTable::close_retired`].
    pub fn has_retired(&self) -> bool {
        !self.store.retired.is_empty()
    }

    /// Hands the connections that left the table to `close`, in the order
    /// they left, where they lie, then frees their heap and their slots.
    pub fn close_retired(&mut self, mut close: impl FnMut(Leaving<'_>)) {
        let retired = core::mem::take(&mut self.store.retired);
        for &slot in &retired {
            self.store.close_slot(slot, &mut close);
        }
        self.store.retired = retired;
        self.store.retired.clear();
    }

    /// Closes the connections that already left (by `close`) and gives
    /// the ones still in the table, in id order, to be closed at the end
    /// of the capture: the table's lookup structures are freed.
    pub fn into_open(mut self, close: impl FnMut(Leaving<'_>)) -> Open {
        self.close_retired(close);
        let store = self.store;
        // Slots put in id order: a connection is too big to move around.
        let (conns, embryos) = (&store.conns, &store.embryos);
        let full = live(&store.weights).filter_map(|i| Some((Slot(i), conns.get(i)?.id)));
        let embryonic =
            live(&store.embryo_weights).filter_map(|i| Some((Slot::embryo(i), embryos.get(i)?.id)));
        let (slots, ids): (Vec<Slot>, Vec<u32>) = full.chain(embryonic).unzip();
        let mut order = vec![Slot(usize::MAX); slots.len()];
        for (slot, rank) in slots.into_iter().zip(id_order::ranks(&ids)) {
            if let Some(place) = order.get_mut(rank) {
                *place = slot;
            }
        }
        Open {
            conns: store.conns,
            embryos: store.embryos,
            order,
        }
    }

    /// Drops a sixteenth of the table: finished connections first, then
    /// the least recently active, then by key. Batching keeps the cost O(1)
    /// per new connection on average.
    fn evict(&mut self) {
        let count = (self.max / 16).max(1);
        for (_, key) in self.victims(count) {
            if self.remove(key) {
                self.evicted = self.evicted.saturating_add(1);
            }
        }
    }

    /// The first `count` connections in the order (unfinished, last
    /// activity, key), in that order: the order they leave in.
    fn victims(&self, count: usize) -> Vec<(i128, Key)> {
        let store = &self.store;
        let mut weights = Vec::with_capacity(self.index.len());
        weights.extend(weighed(&store.weights, Slot));
        weights.extend(weighed(&store.embryo_weights, Slot::embryo));
        evict::first(&mut weights, count, |slot| match Slot(slot).place() {
            Place::Full(i) => store.conns.get(i).map(Key::of_conn),
            Place::Embryo(i) => store.embryos.get(i).map(|e| Key::of(&e.packet())),
        })
    }
}

impl Store {
    /// What eviction weighs of the connection in `slot`.
    fn weight(&mut self, slot: Slot) -> Option<&mut Weight> {
        match slot.place() {
            Place::Full(i) => self.weights.get_mut(i),
            Place::Embryo(i) => self.embryo_weights.get_mut(i),
        }
    }

    /// The connection in `slot` leaves the table (it stays in its slot):
    /// its latest stream.
    fn leave(&mut self, slot: Slot) -> Option<Stream> {
        if let Some(weight) = self.weight(slot) {
            weight.live = false;
        }
        match slot.place() {
            Place::Full(i) => self.conns.get(i).map(|conn| conn.stream),
            Place::Embryo(i) => self.embryos.get(i).map(|embryo| embryo.stream),
        }
    }

    /// The slot of a new connection starting with the arriving packet, its
    /// pair's stream `stream` before it: an embryo when it fits.
    #[inline]
    fn open(&mut self, mut stream: Stream, a: &Arrival<'_, '_>) -> Option<Slot> {
        let tcp = &a.packet.tcp;
        self.streams
            .advance(&mut stream, a.from_lo, tcp.flags, tcp.seq);
        if self.embryonic && Embryo::fits(a.packet) {
            let roles = roles(a.packet, a.hosts);
            let id = take_id(&mut self.next_id);
            let embryo = Embryo::new(id, roles, a.frame, a.ts_ns, a.packet, stream);
            let (free, weights) = (&mut self.embryos_free, &mut self.embryo_weights);
            return put(&mut self.embryos, free, weights, embryo, a.ts_ns).map(Slot::embryo);
        }
        let conn = fresh(take_id(&mut self.next_id), stream, a);
        put(
            &mut self.conns,
            &mut self.free,
            &mut self.weights,
            conn,
            a.ts_ns,
        )
        .map(Slot)
    }

    /// The slot of the connection a packet on the pair of the one in
    /// `slot` belongs to: the embryo it answers, the same connection
    /// (grown from an embryo first), or a new one on the same ports.
    fn next_packet(&mut self, slot: Slot, a: &Arrival<'_, '_>) -> Option<Slot> {
        let i = match slot.place() {
            Place::Full(i) => i,
            Place::Embryo(i) if self.answer(i, a)? => return Some(slot),
            // Its next packet: the full connection from here on.
            Place::Embryo(i) => self.grow(i)?,
        };
        self.continue_or_restart(i, a)
    }

    /// Adds the arriving packet to embryo `i` if it is the SYN-ACK that
    /// answers it.
    fn answer(&mut self, i: usize, a: &Arrival<'_, '_>) -> Option<bool> {
        let embryo = self.embryos.get_mut(i)?;
        if !embryo.answered_by(a.packet) {
            return Some(false);
        }
        let (mut stream, tcp) = (embryo.stream, &a.packet.tcp);
        self.streams
            .advance(&mut stream, a.from_lo, tcp.flags, tcp.seq);
        embryo.answer(a.frame, a.ts_ns, a.packet, stream);
        Some(true)
    }

    /// Embryo `i` grown into the full connection: its slot of `conns`.
    fn grow(&mut self, i: usize) -> Option<usize> {
        let conn = self.embryos.get(i)?.conn();
        self.embryos_free.push(i);
        if let Some(weight) = self.embryo_weights.get_mut(i) {
            weight.live = false;
        }
        self.put_conn(conn)
    }

    /// The slot of the connection the arriving packet belongs to, given
    /// the connection in slot `i` of `conns` has its pair: that one, or a
    /// new one the packet starts (the old one stays in its slot until it
    /// is closed).
    fn continue_or_restart(&mut self, i: usize, a: &Arrival<'_, '_>) -> Option<Slot> {
        let conn = self.conns.get(i)?;
        let (mut stream, tcp) = (conn.stream, &a.packet.tcp);
        self.streams
            .advance(&mut stream, a.from_lo, tcp.flags, tcp.seq);
        if !starts_new_connection(conn, a.ts_ns, a.packet) {
            self.conns.get_mut(i)?.stream = stream;
            return Some(Slot(i));
        }
        let mut new = fresh(take_id(&mut self.next_id), stream, a);
        new.predecessor = Some(Predecessor::of(conn, &new));
        self.retired.push(Slot(i));
        if let Some(weight) = self.weights.get_mut(i) {
            weight.live = false;
        }
        self.put_conn(new).map(Slot)
    }

    /// Puts `conn` in a slot of `conns` (see [`put`]): its slot.
    #[inline(always)]
    fn put_conn(&mut self, conn: Conn) -> Option<usize> {
        let last_ns = conn.last_ns;
        put(
            &mut self.conns,
            &mut self.free,
            &mut self.weights,
            conn,
            last_ns,
        )
    }

    /// What a packet found in `slot`, with the side that sent it.
    #[inline]
    fn found(&mut self, slot: Slot, packet: &TcpPacket<'_>) -> Option<Found<'_>> {
        match slot.place() {
            Place::Full(i) => {
                let conn = self.conns.get_mut(i)?;
                let side = conn.side_of(packet.ip.src, packet.tcp.src_port);
                Some(Found::Conn(conn, side, slot))
            }
            Place::Embryo(i) => Some(Found::Embryo(self.embryos.get_mut(i)?, slot)),
        }
    }

    /// Closes the connection in `slot` where it lies, frees its heap and
    /// the slot.
    fn close_slot(&mut self, slot: Slot, close: &mut impl FnMut(Leaving<'_>)) {
        match slot.place() {
            Place::Full(i) => {
                if let Some(conn) = self.conns.get_mut(i) {
                    close(Leaving::Conn(conn));
                    conn.free_heap();
                    self.free.push(i);
                }
            }
            Place::Embryo(i) => {
                if let Some(embryo) = self.embryos.get(i) {
                    close(Leaving::Embryo(embryo));
                    self.embryos_free.push(i);
                }
            }
        }
    }
}

/// The next connection id, counted.
fn take_id(next_id: &mut u32) -> u32 {
    let id = *next_id;
    *next_id = next_id.saturating_add(1);
    id
}

/// Connection `id` tracked in full from the arriving packet, its stream
/// `stream`.
fn fresh(id: u32, stream: Stream, a: &Arrival<'_, '_>) -> Conn {
    let (side, roles_from) = roles(a.packet, a.hosts);
    Conn::new(id, side, roles_from, a.frame, a.ts_ns, a.packet, stream)
}

/// The slots of `weights` that hold a connection in the table.
fn live(weights: &[Weight]) -> impl Iterator<Item = usize> + '_ {
    let live = weights.iter().enumerate().filter(|(_, w)| w.live);
    live.map(|(i, _)| i)
}

/// What eviction weighs of each connection in the table whose weight is
/// in `weights`, with its slot (`slot(i)`, as a number).
fn weighed(
    weights: &[Weight],
    slot: fn(usize) -> Slot,
) -> impl Iterator<Item = (i128, usize)> + '_ {
    let live = weights.iter().enumerate().filter(|(_, w)| w.live);
    live.map(move |(i, w)| (w.order(), slot(i).0))
}

/// Puts `item` (a new connection or embryo), last active at `last_ns`, in
/// a free slot of `items` (or a new one), live and unfinished, as in the
/// table: its slot. Always inlined: called out of line it cost ~105
/// instructions a new connection (callgrind, flood).
#[inline(always)]
fn put<T>(
    items: &mut Vec<T>,
    free: &mut Vec<usize>,
    weights: &mut Vec<Weight>,
    item: T,
    last_ns: i64,
) -> Option<usize> {
    let slot = match free.pop() {
        Some(slot) => {
            *items.get_mut(slot)? = item;
            slot
        }
        None => {
            items.push(item);
            items.len().saturating_sub(1)
        }
    };
    let weight = Weight {
        live: true,
        finished: false,
        last_ns,
    };
    match weights.get_mut(slot) {
        Some(place) => *place = weight,
        // A new slot: `weights` grows with `items`, a slot at a time (a
        // `resize` here was called out of line, ~50 instructions a slot).
        None => weights.push(weight),
    }
    Some(slot)
}

/// When `conn` may leave the table, if its last packet made it finish
/// without a reset (it had not `ended_before`): it can no longer get
/// packets of its own, and a connection with resets stays so its resets
/// see everything after them.
pub fn leaves_at(conn: &Conn, ended_before: bool) -> Option<i64> {
    (!ended_before && ends_quietly(conn)).then(|| expiry(conn))
}

fn ends_quietly(conn: &Conn) -> bool {
    conn.zeek.finished() && conn.resets.is_empty()
}

fn expiry(conn: &Conn) -> i64 {
    conn.last_ns
        .saturating_add(CLOSE_DELAY_NS)
        .saturating_add(EXPIRY_SLACK_NS)
}

/// A packet on a known 4-tuple that belongs to a new connection: a fresh
/// SYN after the old one ended or went quiet, or anything once Zeek would
/// have forgotten a finished connection.
fn starts_new_connection(conn: &Conn, ts_ns: i64, packet: &TcpPacket<'_>) -> bool {
    let tcp = &packet.tcp;
    let gap = ts_ns.saturating_sub(conn.last_ns);
    let fresh_syn = tcp.has(flags::SYN) && !tcp.has(flags::ACK) && !tcp.has(flags::RST);
    if fresh_syn {
        let same_isn = conn.client.isn == Some(tcp.seq)
            && conn.side_of(packet.ip.src, tcp.src_port) == Side::Client;
        if !same_isn && (conn.finished() || conn.zeek.finished() || gap >= REUSE_GAP_NS) {
            return true;
        }
        // Zeek's IsReuse: any new SYN once an endpoint closed or reset,
        // even a retransmission with the old ISN (a SYN retried after a
        // refusal is a new REJ connection in Zeek's conn.log).
        if conn.zeek.closed() {
            return true;
        }
    }
    conn.zeek.finished() && gap >= CLOSE_DELAY_NS
}

/// Who the sender of a connection's first packet is: from the SYN or
/// SYN-ACK, else from the ports, else the sender is taken as the client.
fn roles(packet: &TcpPacket<'_>, hosts: &HostTable) -> (Side, RolesFrom) {
    let tcp = &packet.tcp;
    if tcp.has(flags::SYN) {
        return if tcp.has(flags::ACK) {
            (Side::Server, RolesFrom::SynAck)
        } else {
            (Side::Client, RolesFrom::Syn)
        };
    }
    let (sport, dport) = (tcp.src_port, tcp.dst_port);
    let known = |addr: &IpAddr, port: u16| hosts.get(addr).is_some_and(|h| h.is_server_port(port));
    let (src_server, dst_server) = (known(&packet.ip.src, sport), known(&packet.ip.dst, dport));
    if src_server != dst_server {
        let side = if src_server {
            Side::Server
        } else {
            Side::Client
        };
        return (side, RolesFrom::Ports);
    }
    // A refusal answers a SYN: its sender is the responder, whatever the
    // ports suggest (a peer-to-peer or database server listens on a high
    // port).
    if refusal_shape(tcp.flags, tcp.seq, tcp.ack) {
        return (Side::Server, RolesFrom::Refusal);
    }
    if (sport < 1024) != (dport < 1024) {
        let side = if sport < 1024 {
            Side::Server
        } else {
            Side::Client
        };
        return (side, RolesFrom::Ports);
    }
    if (sport >= EPHEMERAL) != (dport >= EPHEMERAL) {
        let side = if sport >= EPHEMERAL {
            Side::Client
        } else {
            Side::Server
        };
        return (side, RolesFrom::Ports);
    }
    (Side::Client, RolesFrom::FirstPacket)
}

/// RST+ACK with seq 0 and a non-zero ack: how a stack refuses a SYN (RFC
/// 9293 §3.10.7.1). Only a SYN's answer has nothing of its own to number;
/// a FIN or PSH set beside (a damaged or crafted frame) does not change
/// whose numbers these are, a SYN does (no stack resets with one).
pub fn refusal_shape(tcp_flags: u16, seq: u32, ack: u32) -> bool {
    let rst_ack = flags::RST | flags::ACK;
    tcp_flags & (rst_ack | flags::SYN) == rst_ack && seq == 0 && ack != 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::test_segment;

    /// The stream of a SYN (the same ISN each time) from client port
    /// `40000 + n` at time `n`, looked up in `table`.
    fn syn_stream(table: &mut ConnTable, hosts: &HostTable, n: u16) -> Option<u32> {
        let packet = test_segment(true, 40000 + n, flags::SYN, 1000, 0, 0, 1024);
        match table.lookup(Key::of(&packet), 0, i64::from(n), &packet, hosts)? {
            Found::Embryo(embryo, _) => Some(embryo.stream.number),
            Found::Conn(conn, _, _) => Some(conn.stream.number),
        }
    }

    /// Pairs 0..=`last`, each a new connection with the next stream; past
    /// 16 each evicts the oldest, whose pair departs.
    fn table_after(last: u16, hosts: &HostTable) -> ConnTable {
        let mut table = ConnTable::new(16);
        for n in 0..=last {
            assert_eq!(syn_stream(&mut table, hosts, n), Some(u32::from(n)));
        }
        table
    }

    #[test]
    fn test_departed_pair_continues_its_stream() {
        let hosts = HostTable::new(16);
        let mut table = table_after(16, &hosts);
        assert_eq!(table.evicted, 1);
        assert_eq!(syn_stream(&mut table, &hosts, 0), Some(0));
    }

    #[test]
    fn test_departed_pair_forgotten_after_max_others_starts_a_new_stream() {
        let hosts = HostTable::new(16);
        // Pair 0 departed first; the 17th departure (pair 16's) forgot it.
        let mut table = table_after(32, &hosts);
        assert_eq!(table.evicted, 17);
        assert_eq!(syn_stream(&mut table, &hosts, 0), Some(33));
    }
}
