//! Retransmission give-up: a side whose segments are never acknowledged
//! backs off exponentially (RFC 6298 §5.5) and, past its limit, aborts the
//! connection with a RST (Windows after `TcpMaxDataRetransmissions`, the
//! BSDs' `tcp_drop` after `TCP_MAXRXTSHIFT`, lwIP after `TCP_MAXRTX`).
//! Linux gives up silently (`tcp_write_err`), so it is not among them.

use rstscope_core::decode::flags::ACK;
use rstscope_core::report::Cause;

use super::{own, Stage, Vantage};
use crate::conversation::{Conversation, Side};
use crate::payload;
use crate::scenarios::traffic;

/// Mid-session the path starts dropping everything: the giving-up side's
/// data is retransmitted with doubling timeouts (capped per stack), then
/// reset. The capture sits on the giving-up side of the loss.
pub fn data(st: &mut Stage) {
    let (mut c, side) = session(st);
    let request = payload::tls_application_data(st.rng.range(200, 1300) as usize, &mut st.rng);
    let seq = c.next_seq(side);
    c.send(side, &request);
    give_up(st, &mut c, side, |c, after| {
        c.retransmit(side, seq, &request, after)
    });
    st.net.add(c);
}

/// A side closes, but its FIN is never acknowledged (the path or the peer
/// is gone): the FIN is retransmitted with backoff from FIN-WAIT-1, then
/// the stack gives up with a RST (Zeek's `fin_retransmission.pcap`).
pub fn fin(st: &mut Stage) {
    let (mut c, side) = session(st);
    c.fin(side);
    give_up(st, &mut c, side, |c, after| c.retransmit_fin(side, after));
    st.net.add(c);
}

/// An HTTPS session after background traffic, and the side that will give
/// up: the one the capture sits next to, either on a router.
fn session(st: &mut Stage) -> (Conversation, Side) {
    st.background(0.0, 60.0);
    let at = st.seconds(1.0, 60.0);
    let mut c = st.connect(443, at);
    traffic::https_start(&mut st.net, &mut c, "mail.example.com");
    c.wait(st.seconds(0.5, 20.0));
    let coin = st.chance(50);
    let side = match st.path.vantage {
        Vantage::Client => Side::Client,
        Vantage::Server => Side::Server,
        Vantage::Middle if coin => Side::Client,
        Vantage::Middle => Side::Server,
    };
    (c, side)
}

/// Retransmits with `again` per `side`'s stack, then resets.
fn give_up(
    st: &mut Stage,
    c: &mut Conversation,
    side: Side,
    again: impl Fn(&mut Conversation, f64),
) {
    let stack = match side {
        Side::Client => st.client_stack,
        Side::Server => st.server_stack,
    };
    let (min_rto, retries, cap) = stack.retransmission();
    // RFC 6298: RTO = SRTT + 4 RTTVAR, floored by the stack's minimum.
    let rto = (st.path.rtt_us() as f64 / 1e6 * 1.5 + 0.01).max(min_rto);
    let timeout = |n: u32| (rto * f64::from(1u32 << n.min(20))).min(cap);
    for n in 0..retries {
        again(c, timeout(n));
    }
    c.wait(timeout(retries));
    c.reset(side, ACK, own(side, Cause::RetransmitTimeout));
}
