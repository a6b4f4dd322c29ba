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

    /// Every RST's report entry, in the order seen: `entry` makes it of
    /// the packet and verdict kept here (a RST whose connection was never
    /// judged has an empty verdict); `made` holds the entries of RSTs taken
    /// out ([`Ledger::take_open`]) and made elsewhere, each by its ledger
    /// index, in any order.
    pub fn into_entries<T>(
        self,
        made: impl Iterator<Item = (usize, T)>,
        mut entry: impl FnMut(RstPacket, Verdict) -> T,
    ) -> Vec<T> {
        // Their indexes sorted, not the entries (a few hundred bytes each).
        let mut order: Vec<(usize, usize)> = Vec::new();
        let mut made: Vec<Option<T>> = (made.enumerate())
            .map(|(k, (at, made))| {
                order.push((at, k));
                Some(made)
            })
            .collect();
        order.sort_unstable();
        let mut order = order.into_iter().peekable();
        let mut entries = Vec::with_capacity(self.entries.len());
        for (i, kept) in self.entries.into_iter().enumerate() {
            match kept {
                Entry::Open(record) => {
                    let record = *record;
                    entries.push(entry(
                        record.packet,
                        record.verdict.unwrap_or_else(unjudged),
                    ));
                }
                Entry::Judged(judged) => {
                    let (packet, verdict) = *judged;
                    entries.push(entry(packet, verdict));
                }
                Entry::Judging => {
                    let k = order.next_if(|&(at, _)| at == i).map(|(_, k)| k);
                    entries.extend(k.and_then(|k| made.get_mut(k)?.take()));
                }
            }
        }
        entries
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
