//! Captures that begin after the connection did: a ring buffer, a capture
//! started once the trouble was already going on, a short slice of a busy
//! link. The handshake, and sometimes everything but the reset, predates
//! the first packet, so the roles are guessed from the ports, and the
//! ports do not always tell (a peer-to-peer or database server listens on
//! a high port).

use rstscope_core::decode::flags::ACK;
use rstscope_core::report::Cause;

use super::{own, Stack, Stage, Vantage};
use crate::conversation::{Conversation, Side};
use crate::host::Fingerprint;
use crate::payload;
use crate::scenarios::traffic;

/// What the capture saw of the connection before its reset.
#[derive(Clone, Copy)]
enum Seen {
    /// Nothing: the reset is its only packet.
    Nothing,
    /// The last few segments of a transfer.
    Tail,
}

/// One of three stories, its start unseen: a refusal whose SYN came before
/// the capture (only the server's `seq 0` RST+ACK is seen, then a Windows
/// client's retry); an application aborting mid-transfer (the transfer's
/// tail, then its RST+ACK with live numbers); the same abort with nothing
/// else of the connection captured, half the time from an address that
/// other machines share ([`shared_address`]).
pub fn late_start(st: &mut Stage) {
    st.background(0.0, 60.0);
    let at = st.seconds(1.0, 60.0);
    let port = if st.chance(50) {
        443
    } else {
        st.rng.range(1024, 65000) as u16
    };
    let mut c = st.connect(port, at);
    c.set_visible(Side::Client, false);
    c.set_visible(Side::Server, false);
    match st.rng.range(0, 2) {
        0 => refusal(st, &mut c),
        1 => {
            abort(st, &mut c, Seen::Tail);
        }
        _ => {
            let aborter = abort(st, &mut c, Seen::Nothing);
            // Captured on the aborter's machine, the others are not seen.
            let on_aborter = matches!(
                (st.path.vantage, aborter),
                (Vantage::Client, Side::Client) | (Vantage::Server, Side::Server)
            );
            if !on_aborter && st.chance(50) {
                shared_address(st, aborter, port, at);
            }
        }
    }
    st.net.add(c);
}

/// Other machines behind the aborter's address (a NAT's other clients, a
/// server pool) make connections the capture sees in full, before the
/// abort, with another stack's initial TTL, DF and IP-IDs: the address's
/// habits say "another machine" about the abort, yet it is the endpoint.
fn shared_address(st: &mut Stage, aborter: Side, port: u16, before: f64) {
    let (client, server) = (st.client, st.server);
    let own = if aborter == Side::Client {
        client
    } else {
        server
    };
    let kind = if own.fingerprint.initial_ttl == 128 {
        Fingerprint::LINUX
    } else {
        Fingerprint::WINDOWS
    };
    let other = st.net.behind(&own, kind);
    for _ in 0..st.rng.range(2, 4) {
        let at = st.seconds(0.0, before);
        let mut c = match aborter {
            Side::Client => st.connect_hosts(&other, &server, port, at),
            Side::Server => st.connect_hosts(&client, &other, port, at),
        };
        traffic::https_start(&mut st.net, &mut c, "pool.example.com");
        c.wait(st.seconds(0.05, 1.0));
        c.close(Side::Client);
        st.net.add(c);
    }
}

/// The SYN predates the capture; the server's kernel refuses it.
fn refusal(st: &mut Stage, c: &mut Conversation) {
    c.syn();
    c.wait(st.seconds(0.0, 0.3));
    show(c);
    let label = own(Side::Server, Cause::Refused);
    c.reset_no_socket(Side::Server, label);
    if st.client_stack == Stack::Windows {
        c.wait(0.5);
        c.syn();
        c.reset_no_socket(Side::Server, label);
    }
}

/// An application aborts a transfer the capture joined late (or not at
/// all); the side that aborted.
fn abort(st: &mut Stage, c: &mut Conversation, seen: Seen) -> Side {
    traffic::https_start(&mut st.net, c, "late.example.com");
    c.wait(st.seconds(0.1, 20.0));
    let aborter = st.side(50);
    if let Seen::Tail = seen {
        show(c);
    }
    let talker = st.side(50);
    let size = st.rng.range(200, 1400) as usize;
    c.send(talker, &payload::tls_application_data(size, &mut st.rng));
    c.wait(st.seconds(0.0, 2.0));
    show(c);
    c.reset(aborter, ACK, own(aborter, Cause::AppAbort));
    aborter
}

fn show(c: &mut Conversation) {
    c.set_visible(Side::Client, true);
    c.set_visible(Side::Server, true);
}
