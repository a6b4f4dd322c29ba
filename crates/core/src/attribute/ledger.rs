//! Every RST seen so far, in the order seen. A RST is recorded in full
//! (~1.2 KB: two snapshots of its connection's directions, its ladder
//! packets) while its connection is tracked; once the connection ends and
//! its RSTs are judged, only the packet and the verdict stay (~0.3 KB, and
//! their text). A scan's 27 000 resets held 34 MB of records to the end of
//! the capture.

use alloc::boxed::Box;
use alloc::vec::Vec;

use super::echo::Echoes;
use super::judge::{judge_connection, unjudged, Verdict};
use super::record::{ResetRecord, RstPacket};
use crate::track::conn::Conn;
use crate::track::HostTable;

#[derive(Debug, Default)]
pub struct Ledger {
    entries: Vec<Entry>,
}

#[derive(Debug)]
enum Entry {
    /// Its connection is still tracked: later packets add to the record.
    Open(Box<ResetRecord>),
    Judged(Box<(RstPacket, Verdict)>),
    /// Taken out to be judged ([`Ledger::take_open`]).
    Judging,
}

impl Ledger {
    /// RSTs seen so far.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Adds a RST; its index, for its connection's list.
    pub fn push(&mut self, record: ResetRecord) -> usize {
        self.entries.push(Entry::Open(Box::new(record)));
        self.entries.len() - 1
    }

    /// The `i`-th RST's packet.
    pub fn packet(&self, i: usize) -> Option<&RstPacket> {
        match self.entries.get(i)? {
            Entry::Open(record) => Some(&record.packet),
            Entry::Judged(judged) => Some(&judged.0),
            Entry::Judging => None,
        }
    }

    /// The `i`-th RST's record, while its connection is tracked.
    pub fn open_mut(&mut self, i: usize) -> Option<&mut ResetRecord> {
        match self.entries.get_mut(i)? {
            Entry::Open(record) => Some(record),
            Entry::Judged(..) | Entry::Judging => None,
        }
    }

    /// Judges the RSTs of `conn`, which has ended, and keeps only their
    /// packets and verdicts.
    pub fn judge(&mut self, conn: &Conn, hosts: &HostTable, echoes: &Echoes) {
        if conn.resets.is_empty() {
            return;
        }
        let mut pending = self.take_open(conn);
        pending.judge(conn, hosts, echoes);
        self.put_judged(pending);
    }

    /// The records of `conn`'s RSTs, taken out to be judged elsewhere
    /// ([`Pending::judge`]) and put back by [`Ledger::put_judged`].
    pub fn take_open(&mut self, conn: &Conn) -> Pending {
        // Sized once: grown one record (~1.2 KB) at a time, each growth
        // copied the records before it.
        let mut pending = Pending {
            records: Vec::with_capacity(conn.resets.len()),
            at: Vec::with_capacity(conn.resets.len()),
        };
        for &i in &conn.resets {
            let Some(entry) = self.entries.get_mut(i) else {
                continue;
            };
            if let Entry::Open(record) = core::mem::replace(entry, Entry::Judging) {
                pending.records.push(*record);
                pending.at.push(i);
            }
        }
        pending
    }

    /// Keeps the packets and verdicts of records judged out of the ledger.
    pub fn put_judged(&mut self, pending: Pending) {
        for (i, record) in pending.at.into_iter().zip(pending.records) {
            if let Some(entry) = self.entries.get_mut(i) {
                let verdict = record.verdict.unwrap_or_else(unjudged);
                *entry = Entry::Judged(Box::new((record.packet, verdict)));
            }
        }
    }

    /// The RSTs not taken out (judged while reading, or never judged), in
    /// `parts` runs by ledger index, so that their report entries can be
    /// made side by side ([`Unmade::make`]).
    pub fn unmade(&mut self, parts: usize) -> Vec<Unmade<'_>> {
        runs(&mut self.entries, parts)
            .map(|(first, entries)| Unmade { first, entries })
            .collect()
    }

    /// Every RST's report entry, in the order seen, once all were made
    /// elsewhere, each with its ledger index: `closed` of the records
    /// taken out ([`Ledger::take_open`]), in any order; `made` by the runs
    /// of [`Ledger::unmade`], in order.
    pub fn into_entries<T>(
        self,
        closed: impl Iterator<Item = (usize, T)>,
        made: Vec<Vec<(usize, T)>>,
    ) -> Vec<T> {
        // Their indexes sorted, not the entries (a few hundred bytes each).
        let mut order: Vec<(usize, usize)> = Vec::new();
        let mut closed: Vec<Option<T>> = (closed.enumerate())
            .map(|(k, (at, entry))| {
                order.push((at, k));
                Some(entry)
            })
            .collect();
        order.sort_unstable();
        let mut order = order.into_iter().peekable();
        let mut closed_before = |at: usize, entries: &mut Vec<T>| {
            while let Some((_, k)) = order.next_if(|&(i, _)| i < at) {
                entries.extend(closed.get_mut(k).and_then(Option::take));
            }
        };
        let mut entries = Vec::with_capacity(self.entries.len());
        for (at, entry) in made.into_iter().flatten() {
            closed_before(at, &mut entries);
            entries.push(entry);
        }
        closed_before(usize::MAX, &mut entries);
        entries
    }
}

/// `items` cut into at most `parts` runs of one length (the last may be
/// shorter), each with the index of its first item: the end's steps share
/// their work between threads this way.
pub fn runs<T>(items: &mut [T], parts: usize) -> impl Iterator<Item = (usize, &mut [T])> {
    let per_part = items.len().div_ceil(parts.max(1)).max(1);
    (items.chunks_mut(per_part).enumerate()).map(move |(k, run)| (k * per_part, run))
}

/// A run of the ledger's RSTs, `first..` by index, whose report entries
/// are made together: runs share nothing, so they may be made on threads.
pub struct Unmade<'a> {
    first: usize,
    entries: &'a mut [Entry],
}

impl Unmade<'_> {
    /// The report entry of each RST here not taken out, with its ledger
    /// index, in order: `entry` makes it of the packet and verdict (a RST
    /// whose connection was never judged has an empty verdict).
    pub fn make<T>(&mut self, mut entry: impl FnMut(RstPacket, Verdict) -> T) -> Vec<(usize, T)> {
        let mut made = Vec::new();
        for (at, kept) in self.entries.iter_mut().enumerate() {
            let (packet, verdict) = match core::mem::replace(kept, Entry::Judging) {
                Entry::Open(record) => {
                    let record = *record;
                    (record.packet, record.verdict.unwrap_or_else(unjudged))
                }
                Entry::Judged(judged) => *judged,
                Entry::Judging => continue,
            };
            made.push((self.first + at, entry(packet, verdict)));
        }
        made
    }
}

/// One connection's RST records out of the ledger, and where they go back.
#[derive(Debug, Default)]
pub struct Pending {
    records: Vec<ResetRecord>,
    /// Each record's index in the ledger.
    at: Vec<usize>,
}

impl Pending {
    /// Judges the records, RSTs of `conn`, which has ended.
    pub fn judge(&mut self, conn: &Conn, hosts: &HostTable, echoes: &Echoes) {
        judge_connection(&mut self.records, conn, hosts, echoes);
    }

    /// How many records are here.
    pub fn len(&self) -> usize {
        self.records.len()
    }

    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// The packet of the record at ledger index `i`, if it is here.
    pub fn packet(&self, i: usize) -> Option<&RstPacket> {
        let at = self.at.iter().position(|&at| at == i)?;
        self.records.get(at).map(|record| &record.packet)
    }

    /// The records' packets and verdicts, each with its ledger index,
    /// taken out: [`Ledger::into_entries`] places what is made of them.
    pub fn take_judged(&mut self) -> impl Iterator<Item = (usize, RstPacket, Verdict)> {
        let at = core::mem::take(&mut self.at);
        let records = core::mem::take(&mut self.records);
        at.into_iter().zip(records).map(|(at, record)| {
            let verdict = record.verdict.unwrap_or_else(unjudged);
            (at, record.packet, verdict)
        })
    }
}
