//! A server host that crafts resets itself: an IDS evasion test's
//! responder (suricata's bug-3286 pcaps) answers the SYN with a decoy
//! RST+ACK that the client's stack rejects, then with its real SYN-ACK.
//! Its user-space TCP copies the IP-ID of the segment each packet answers,
//! the decoy's too: a copied IP-ID there is the host's habit, not a
//! forger's shortcut. The same responder may send a bare ACK before its
//! SYN-ACK, which the client resets from SYN-SENT.

use rstscope_core::decode::flags::ACK;
use rstscope_core::report::Cause;

use super::{own, Stack, Stage};
use crate::conversation::{Conversation, Disguise, Side};
use crate::payload;

/// The decoy RST+ACK (seq 0, ack ISN+1, its timestamps unacceptable in
/// SYN-SENT, so the client keeps its socket), then the SYN-ACK and an
/// ordinary exchange; half the time the responder then aborts it (an
/// application's RST+ACK, again with the client's IP-ID).
pub fn evasion_decoy(st: &mut Stage) {
    st.background(0.0, 60.0);
    let port = if st.chance(60) { 80 } else { 8080 };
    let at = st.seconds(1.0, 60.0);
    let mut c = st.connect(port, at);
    c.syn();
    let seen = c.now_us();
    let isn = c.client_isn();
    c.syn_ack();
    let accepted = c.now_us();
    // Crafted on the same host, the decoy is only a little quicker than
    // its stack's SYN-ACK (2.9 ms of 65 in bug-3286).
    let lead = (accepted - seen) * st.rng.range(2, 10) as i64 / 100;
    c.set_now_us(accepted - lead);
    decoy(&mut c, isn);
    c.set_now_us(accepted);
    c.ack(Side::Client);
    let request = payload::http_request("GET", "www.example.com", "/", 0);
    c.send(Side::Client, &request);
    let body = st.rng.range(1_500, 6_000) as usize;
    c.send(Side::Server, &payload::http_response("200 OK", body));
    c.ack(Side::Client);
    if st.chance(50) {
        c.wait(st.seconds(0.01, 2.0));
        c.reset(Side::Server, ACK, own(Side::Server, Cause::AppAbort));
    } else {
        c.close(Side::Client);
    }
    st.net.add(c);
}

/// The responder's crafted bare ACK before its SYN-ACK: the client, in
/// SYN-SENT, finds it unacceptable and resets it at its ack (RFC 9293
/// §3.10.7.3), then takes the SYN-ACK. A Linux client with timestamps
/// rejects even an ACK of its SYN (a timestamp echo it never sent, RFC
/// 7323 §5.4); any stack rejects an ACK of something it never sent, the
/// shape of a challenge ACK from a peer holding an old connection, which
/// this responder does not have.
pub fn syn_sent_rejects(st: &mut Stage) {
    st.background(0.0, 60.0);
    let port = if st.chance(60) { 80 } else { 8080 };
    let at = st.seconds(1.0, 60.0);
    let mut c = st.connect(port, at);
    c.syn();
    let isn = c.client_isn();
    let acks_syn = st.client_stack == Stack::Linux && st.chance(50);
    let ack = if acks_syn {
        isn.wrapping_add(1)
    } else if st.chance(50) {
        isn
    } else {
        st.rng.u32()
    };
    c.ack_upto(Side::Server, ack, None);
    c.wait(0.000_05);
    c.reset_no_socket(Side::Client, own(Side::Client, Cause::OutOfWindow));
    c.syn_ack();
    c.ack(Side::Client);
    let request = payload::http_request("GET", "www.example.com", "/", 0);
    c.send(Side::Client, &request);
    let body = st.rng.range(1_500, 6_000) as usize;
    c.send(Side::Server, &payload::http_response("200 OK", body));
    c.ack(Side::Client);
    c.close(Side::Client);
    st.net.add(c);
}

/// The server host's crafted RST+ACK to the SYN of `isn`: its own TTL and
/// DF, the SYN's IP-ID (its stack's habit).
fn decoy(c: &mut Conversation, isn: u32) {
    let server = c.host(Side::Server);
    let disguise = Disguise {
        ttl: server.ttl_seen(),
        ip_id: None,
        dont_fragment: server.fingerprint.dont_fragment,
        timestamps: true,
    };
    let fields = (0, isn.wrapping_add(1), ACK);
    let label = own(Side::Server, Cause::Injected);
    c.reset_disguised(&server, Side::Server, fields, disguise, label);
}
