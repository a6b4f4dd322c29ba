//! Incidents: the resets grouped by what happened. A consequence joins the
//! incident of the reset it followed from; a root joins the incident of
//! the same actor when there is one (a censor's resets toward one server,
//! a scan or refusals between two hosts, a NAT or firewall expiring the
//! idle flows of one client), else it starts its own, per connection.

use alloc::vec::Vec;
use core::net::IpAddr;
use hashbrown::HashMap;

use crate::render;
use crate::report::{
    Cause, Connection, Incident, IncidentKind, Origin, OriginCount, Reset, SubCause,
};

/// The actor an incident's roots share.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum Actor {
    /// One connection's own resets (a RST without one stands alone).
    Connection(Option<u32>, u64),
    /// A device's resets of one kind, toward the host it is keyed by.
    Device(IncidentKind, Cause, IpAddr),
    /// Scans and refusals between two hosts (client, server).
    Hosts(IpAddr, IpAddr),
    /// A host answering again and again for a connection it lost.
    Lost(IpAddr, IpAddr),
}

/// Groups `resets` (in frame order) into incidents, and sets each reset's
/// `incident`.
pub fn group(resets: &mut [Reset], connections: &[Connection]) -> Vec<Incident> {
    let hosts = Hosts::of(connections);
    let mut incidents: Vec<Incident> = Vec::new();
    // Looked up, never walked: hashed (as trees they were most of the
    // grouping's instructions on a scan's thousands of resets).
    let mut by_actor: HashMap<Actor, usize> = HashMap::new();
    let mut by_frame: HashMap<u64, usize> = HashMap::with_capacity(resets.len());
    // (incident, connection) of each strong root; counted once each below.
    let mut strong_on: Vec<(usize, u32)> = Vec::new();
    for reset in resets.iter_mut() {
        let root = reset
            .consequence_of
            .and_then(|frame| by_frame.get(&frame).copied());
        let index = match root {
            Some(index) => index,
            None => {
                let actor = actor(reset, &hosts);
                *by_actor.entry(actor).or_insert_with(|| {
                    incidents.push(started_by(incidents.len(), reset));
                    incidents.len() - 1
                })
            }
        };
        if let Some(incident) = incidents.get_mut(index) {
            join(incident, reset, root.is_some());
            reset.incident = Some(incident.id);
        }
        if root.is_none() && super::is_strong(reset) {
            strong_on.extend(reset.connection.map(|id| (index, id)));
        }
        by_frame.insert(reset.frame, index);
    }
    strong_on.sort_unstable();
    strong_on.dedup();
    for (index, _) in strong_on {
        if let Some(incident) = incidents.get_mut(index) {
            incident.strong_connections += 1;
        }
    }
    for incident in &mut incidents {
        incident.connections.sort_unstable();
        incident.connections.dedup();
        incident.summary = render::incident(&incident.story());
    }
    incidents
}

/// What kind of incident a root reset makes.
pub fn kind_of(origin: Origin, cause: Cause) -> IncidentKind {
    match (origin, cause) {
        (_, Cause::Injected) => IncidentKind::Injection,
        (_, Cause::Scan) => IncidentKind::Scan,
        (_, Cause::Refused) => IncidentKind::Refusals,
        (Origin::Middlebox, Cause::IdleTimeout) => IncidentKind::StateExpiry,
        (Origin::Middlebox, _) => IncidentKind::Device,
        _ => IncidentKind::Connection,
    }
}

/// Each connection's (client, server) addresses, by id.
struct Hosts(Vec<(u32, IpAddr, IpAddr)>);

impl Hosts {
    /// One flat list, searched by halves: a report lists its connections
    /// in id order, so the sort only checks it (a map built a tree).
    fn of(connections: &[Connection]) -> Self {
        let mut hosts: Vec<_> = connections
            .iter()
            .map(|c| (c.id, c.client.ip, c.server.ip))
            .collect();
        hosts.sort_by_key(|&(id, ..)| id);
        Hosts(hosts)
    }

    /// The addresses of connection `id` (the last listed, if it is listed
    /// twice).
    fn get(&self, id: u32) -> Option<(IpAddr, IpAddr)> {
        let after = self.0.partition_point(|&(at, ..)| at <= id);
        let &(at, client, server) = self.0.get(after.checked_sub(1)?)?;
        (at == id).then_some((client, server))
    }
}

fn actor(reset: &Reset, hosts: &Hosts) -> Actor {
    let kind = kind_of(reset.origin, reset.cause);
    let Some((client, server)) = reset.connection.and_then(|id| hosts.get(id)) else {
        return Actor::Connection(reset.connection, reset.frame);
    };
    match kind {
        IncidentKind::Connection if reset.sub_cause == Some(SubCause::HalfOpen) => {
            Actor::Lost(client, server)
        }
        IncidentKind::Connection => Actor::Connection(reset.connection, 0),
        IncidentKind::Scan | IncidentKind::Refusals => Actor::Hosts(client, server),
        // A NAT or firewall at the client's edge expires that client's flows.
        IncidentKind::StateExpiry => Actor::Device(kind, reset.cause, client),
        IncidentKind::Injection | IncidentKind::Device => Actor::Device(kind, reset.cause, server),
    }
}

/// A new incident whose first root is `reset`.
fn started_by(count: usize, reset: &Reset) -> Incident {
    Incident {
        id: u32::try_from(count + 1).unwrap_or(u32::MAX),
        kind: kind_of(reset.origin, reset.cause),
        origin: reset.origin,
        cause: reset.cause,
        root_frame: reset.frame,
        frames: Vec::new(),
        connections: Vec::new(),
        roots: 0,
        strong: 0,
        strong_connections: 0,
        followers: Vec::new(),
        summary: alloc::string::String::new(),
    }
}

/// Adds `reset` to `incident`, as a consequence of one of its resets or
/// as one more root.
fn join(incident: &mut Incident, reset: &Reset, consequence: bool) {
    incident.frames.push(reset.frame);
    incident.connections.extend(reset.connection);
    if !consequence {
        incident.roots += 1;
        if !super::is_strong(reset) {
            return;
        }
        // Named for its first strong root: a weak verdict never names it.
        if incident.strong == 0 {
            incident.kind = kind_of(reset.origin, reset.cause);
            incident.cause = reset.cause;
            incident.origin = reset.origin;
        }
        incident.strong += 1;
        // Refusals between two hosts that also scanned are the scan's.
        if reset.cause == Cause::Scan && incident.kind == IncidentKind::Refusals {
            incident.kind = IncidentKind::Scan;
            incident.cause = Cause::Scan;
            incident.origin = reset.origin;
        }
        return;
    }
    match incident
        .followers
        .iter_mut()
        .find(|f| f.origin == reset.origin)
    {
        Some(count) => count.resets += 1,
        None => incident.followers.push(OriginCount {
            origin: reset.origin,
            resets: 1,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::summary::tests::{connection, reset};

    /// A root reset on connection `id` with `cause` and `confidence`.
    fn root(frame: u64, id: u32, origin: Origin, cause: Cause, confidence: f32) -> Reset {
        let mut r = reset(frame, 1.0, "10.0.0.1:80", "10.0.0.2:5000", origin);
        r.connection = Some(id);
        r.cause = cause;
        r.confidence = confidence;
        r
    }

    fn grouped(mut resets: Vec<Reset>) -> Vec<Incident> {
        let connections = [connection(1, 0.0, 2.0), connection(2, 0.0, 2.0)];
        group(&mut resets, &connections)
    }

    #[test]
    fn test_injection_all_weak_names_no_censor() {
        let weak = |frame, id| root(frame, id, Origin::Middlebox, Cause::Injected, 0.3);
        let incidents = grouped(alloc::vec![weak(1, 1), weak(2, 2)]);
        let [incident] = incidents.as_slice() else {
            panic!("{incidents:?}")
        };
        assert_eq!((incident.roots, incident.strong), (2, 0));
        assert_eq!(
            incident.summary,
            "2 resets on 2 connections with weak evidence, too little to tell who sent them or why"
        );
    }

    #[test]
    fn test_injection_partly_strong_counts_the_strong_roots() {
        let incidents = grouped(alloc::vec![
            root(1, 1, Origin::Middlebox, Cause::Injected, 0.9),
            root(2, 2, Origin::Middlebox, Cause::Injected, 0.2),
        ]);
        let [incident] = incidents.as_slice() else {
            panic!("{incidents:?}")
        };
        assert_eq!((incident.strong, incident.strong_connections), (1, 1));
        assert_eq!(
            incident.summary,
            "a censor or DPI device injected 1 reset into 1 connection; 1 more reset has weak evidence"
        );
    }

    #[test]
    fn test_refusals_weak_scan_first_is_named_by_strong_refusal() {
        // Both on the same two hosts: one incident, named by its strong root.
        let incidents = grouped(alloc::vec![
            root(1, 1, Origin::Server, Cause::Scan, 0.3),
            root(2, 2, Origin::Server, Cause::Refused, 0.9),
            root(3, 1, Origin::Server, Cause::Scan, 0.4),
        ]);
        let [incident] = incidents.as_slice() else {
            panic!("{incidents:?}")
        };
        assert_eq!(
            (incident.kind, incident.cause, incident.root_frame),
            (IncidentKind::Refusals, Cause::Refused, 1)
        );
        assert_eq!(
            incident.summary,
            "the server refused 1 connection; 2 more resets have weak evidence"
        );
    }
}
