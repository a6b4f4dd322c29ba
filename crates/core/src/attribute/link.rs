//! Link-layer evidence of a RST: what the capture's link headers recorded
//! about the RST and the packet it answers (Wi-Fi retries and radio, the
//! netfilter rule that logged it, the owning process), copied out of the
//! connection when the RST is seen. It decides one thing: where netfilter
//! logged the RST and what it answers says which host sent the RST.

use alloc::string::String;
use alloc::vec::Vec;

use super::record::ResetRecord;
use super::role;
use crate::decode::Hook;
use crate::report::{Evidence, Fact, Origin, Role};
use crate::track::conn::{Conn, Side};
use crate::track::link::{
    weak_radio, LinkNote, NameId, Names, NflogNote, ProcessNote, SideLink, WifiNote,
};

/// The link layer's record of a RST and of its peer's last packet.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LinkSeen {
    pub rst: Option<PacketLink>,
    /// The peer's last non-RST packet (the RST's trigger, when it has one).
    pub peer_last: Option<PacketLink>,
    /// The process of the RST, else the last one named for its sender.
    pub process: Option<Process>,
}

/// One packet's link-layer record.
#[derive(Clone, Debug, PartialEq)]
pub struct PacketLink {
    pub frame: u64,
    pub wifi: Option<WifiNote>,
    pub logged: Option<Logged>,
}

/// The netfilter rule that logged a packet (NFLOG).
#[derive(Clone, Debug, PartialEq)]
pub struct Logged {
    pub prefix: String,
    pub hook: Option<Hook>,
    pub group: u16,
    /// The prefix that logged the side's other packets, when another rule
    /// did: this packet was singled out.
    pub usual: Option<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Process {
    pub name: String,
    pub pid: Option<u32>,
}

impl LinkSeen {
    /// The record of the RST of `side` in frame `frame` (`note`: its own
    /// link note), taken before the RST updates `conn`.
    pub fn of(conn: &Conn, side: Side, frame: u64, note: Option<LinkNote>, names: &Names) -> Self {
        let (sender, peer) = (conn.side_link(side), conn.side_link(side.other()));
        let usual = |s: Option<&SideLink>| s.and_then(|s| s.usual_rule);
        Self {
            rst: note.map(|n| PacketLink::of(frame, &n, usual(sender), names)),
            peer_last: peer
                .and_then(|p| p.last)
                .map(|(f, n)| PacketLink::of(f, &n, usual(peer), names)),
            process: note
                .and_then(|n| n.process)
                .or(sender.and_then(|s| s.process))
                .map(|p| Process::of(p, names)),
        }
    }

    /// The record of the packet `record`'s RST answers.
    pub fn trigger(&self, record: &ResetRecord) -> Option<&PacketLink> {
        let trigger = record.trigger()?;
        self.peer_last.as_ref().filter(|p| p.frame == trigger.frame)
    }
}

impl PacketLink {
    fn of(frame: u64, note: &LinkNote, usual: Option<NflogNote>, names: &Names) -> Self {
        let text = |id: Option<NameId>| -> String { names_text(names, id) };
        Self {
            frame,
            wifi: note.wifi,
            logged: note.nflog.map(|n| Logged {
                prefix: text(n.prefix),
                hook: n.hook,
                group: n.group,
                usual: usual
                    .filter(|u| u.prefix != n.prefix)
                    .map(|u| text(u.prefix)),
            }),
        }
    }
}

impl Process {
    fn of(p: ProcessNote, names: &Names) -> Self {
        Self {
            name: names_text(names, p.name),
            pid: p.pid,
        }
    }
}

fn names_text(names: &Names, id: Option<NameId>) -> String {
    id.and_then(|id| names.get(id)).unwrap_or_default().into()
}

/// Which host sent the RST, from where netfilter logged it and the packet
/// it answers: sent by the capturing host (OUTPUT) in answer to a packet
/// addressed to it (INPUT), by the claimed sender's own host (its kernel or
/// its firewall); in answer to a packet it forwarded (FORWARD), by that
/// host as a device on the path. Other hooks do not tell.
pub fn logged_origin(record: &ResetRecord) -> Option<Origin> {
    let rst_hook = record.link.rst.as_ref()?.logged.as_ref()?.hook?;
    let trigger = record.link.trigger(record)?;
    match (rst_hook, trigger.logged.as_ref()?.hook?) {
        (Hook::Output, Hook::Input) => Some(Origin::from(record.side)),
        (Hook::Output, Hook::Forward) => Some(Origin::Middlebox),
        _ => None,
    }
}

/// The link-layer evidence of `record`'s RST, judged as sent by `origin`.
pub fn evidence(record: &ResetRecord, origin: Origin) -> Vec<Evidence> {
    let who = role(record.side);
    let link = &record.link;
    let mut out = Vec::new();
    if let Some(trigger) = link.trigger(record) {
        if let Some(fact) = trigger
            .wifi
            .and_then(|w| wifi_fact(who.other(), trigger.frame, &w))
        {
            out.push(Evidence::of(fact, origin));
        }
        if let Some(logged) = &trigger.logged {
            let fact = nflog_fact(who.other(), trigger.frame, logged);
            out.push(Evidence::of(fact, origin));
        }
    }
    if let Some(rst) = &link.rst {
        if let Some(logged) = &rst.logged {
            out.push(Evidence::of(nflog_fact(who, rst.frame, logged), origin));
        }
    }
    if let Some(p) = &link.process {
        let fact = Fact::Process {
            role: who,
            name: p.name.clone(),
            pid: p.pid,
        };
        out.push(Evidence::of(fact, Origin::from(record.side)));
    }
    out
}

/// A Wi-Fi fact when the transmission tells something: retried,
/// overtaken by newer frames, or on a weak link.
fn wifi_fact(role: Role, frame: u64, w: &WifiNote) -> Option<Fact> {
    let notable = w.attempts > 1 || w.overtaken > 0 || weak_radio(w.signal_dbm, w.rate_kbps);
    notable.then_some(Fact::WifiLink {
        role,
        frame,
        attempts: w.attempts,
        span_ns: w.span_ns,
        overtaken: w.overtaken,
        late_ns: w.late_ns,
        signal_dbm: w.signal_dbm,
        rate_kbps: w.rate_kbps,
    })
}

fn nflog_fact(role: Role, frame: u64, logged: &Logged) -> Fact {
    Fact::NflogRule {
        role,
        frame,
        prefix: logged.prefix.clone(),
        hook: logged.hook,
        group: logged.group,
        usual: logged.usual.clone(),
    }
}
