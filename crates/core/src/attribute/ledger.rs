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
    /// Taken out to be judged, only while [`Ledger::judge`] runs.
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
        let mut records: Vec<ResetRecord> = Vec::with_capacity(conn.resets.len());
        let mut judged: Vec<usize> = Vec::with_capacity(conn.resets.len());
        for &i in &conn.resets {
            let Some(entry) = self.entries.get_mut(i) else {
                continue;
            };
            if let Entry::Open(record) = core::mem::replace(entry, Entry::Judging) {
                records.push(*record);
                judged.push(i);
            }
        }
        judge_connection(&mut records, conn, hosts, echoes);
        for (i, record) in judged.into_iter().zip(records) {
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
