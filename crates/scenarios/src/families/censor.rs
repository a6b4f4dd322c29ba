//! Censors: an on-path injector matches a name in the first data segment
//! and forges RSTs (Clayton, Murdoch, Watson, "Ignoring the Great Firewall
//! of China", 2006; Weaver, Sommer, Paxson, NDSS 2009).

use rstscope_core::report::Cause;

use super::stacks;
use super::{forged, own, Stage};
use crate::conversation::{Conversation, Side};
use crate::net::ResetId;
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
    let at = st.seconds(1.0, 60.0);
    let tls = st.chance(70);
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
    if let Some(delay) = st.reply_after(Side::Client, &censor) {
        let count = st.rng.range(1, 3);
        for i in 0..count {
            let step = 1460 * i as u32;
            let (seq, ack) = if st.chance(50) {
                (t.ack, end.wrapping_add(step))
            } else {
                (t.ack.wrapping_add(step), end)
            };
            c.set_now_us(seen + (delay * 1e6) as i64 + 60 * i as i64);
            let label = forged(Side::Server, Cause::Injected);
            roots.push(c.reset_from(&censor.host, Side::Server, seq, ack, ack_flag(st), label));
        }
    }
    let both_ways = st.chance(50);
    let server_answers = !both_ways || st.chance(30);
    if both_ways {
        let extra_ms = if server_answers {
            st.seconds(0.002, 0.02)
        } else {
            0.0
        };
        if let Some(delay) = st.forward_after(Side::Client, &censor) {
            c.set_now_us(seen + ((delay + extra_ms) * 1e6) as i64);
            let label = forged(Side::Client, Cause::Injected);
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

/// RST or RST+ACK, as injectors vary.
fn ack_flag(st: &mut Stage) -> u16 {
    if st.chance(70) {
        rstscope_core::decode::flags::ACK
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
