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
        let mut pending = Pending::default();
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

    /// Every RST's packet and verdict, in the order seen (a RST whose
    /// connection was never judged has an empty verdict).
    pub fn into_judged(self) -> impl Iterator<Item = (RstPacket, Verdict)> {
        self.entries.into_iter().filter_map(|entry| match entry {
            Entry::Open(record) => {
                let record = *record;
                Some((record.packet, record.verdict.unwrap_or_else(unjudged)))
            }
            Entry::Judged(judged) => Some(*judged),
            Entry::Judging => None,
        })
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

    /// The packet of the record at ledger index `i`, if it is here.
    pub fn packet(&self, i: usize) -> Option<&RstPacket> {
        let at = self.at.iter().position(|&at| at == i)?;
        self.records.get(at).map(|record| &record.packet)
    }
}
