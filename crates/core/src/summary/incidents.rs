//! Incidents: the resets grouped by what happened. A consequence joins the
//! incident of the reset it followed from; a root joins the incident of
//! the same actor when there is one (a censor's resets toward one server,
//! a scan or refusals between two hosts, a NAT or firewall expiring the
//! idle flows of one client), else it starts its own, per connection.

use alloc::collections::BTreeMap;
use alloc::vec::Vec;
use core::net::IpAddr;

use crate::render;
use crate::report::{
    Cause, Connection, Incident, IncidentKind, Origin, OriginCount, Reset, SubCause,
};

/// The actor an incident's roots share.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
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
    let hosts: BTreeMap<u32, (IpAddr, IpAddr)> = connections
        .iter()
        .map(|c| (c.id, (c.client.ip, c.server.ip)))
        .collect();
    let mut incidents: Vec<Incident> = Vec::new();
    let mut by_actor: BTreeMap<Actor, usize> = BTreeMap::new();
    let mut by_frame: BTreeMap<u64, usize> = BTreeMap::new();
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
        by_frame.insert(reset.frame, index);
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

fn actor(reset: &Reset, hosts: &BTreeMap<u32, (IpAddr, IpAddr)>) -> Actor {
    let kind = kind_of(reset.origin, reset.cause);
    let Some(&(client, server)) = reset.connection.and_then(|id| hosts.get(&id)) else {
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
