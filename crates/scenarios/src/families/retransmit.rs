//! Retransmission give-up: a side whose segments are never acknowledged
//! backs off exponentially (RFC 6298 §5.5) and, past its limit, aborts the
//! connection with a RST (Windows after `TcpMaxDataRetransmissions`, the
//! BSDs' `tcp_drop` after `TCP_MAXRXTSHIFT`, lwIP after `TCP_MAXRTX`).

use rstscope_core::decode::flags::ACK;
use rstscope_core::report::Cause;

use super::{own, Stage, Vantage};
use crate::conversation::Side;
use crate::payload;
use crate::scenarios::traffic;

/// Mid-session the path starts dropping everything: the giving-up side's
/// data is retransmitted with doubling timeouts (capped per stack), then
/// reset. The capture sits on the giving-up side of the loss.
pub fn data(st: &mut Stage) {
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
    let stack = match side {
        Side::Client => st.client_stack,
        Side::Server => st.server_stack,
    };
    let (min_rto, retries, cap) = stack.retransmission();
    // RFC 6298: RTO = SRTT + 4 RTTVAR, floored by the stack's minimum.
    let rto = (st.path.rtt_us() as f64 / 1e6 * 1.5 + 0.01).max(min_rto);
    let request = payload::tls_application_data(st.rng.range(200, 1300) as usize, &mut st.rng);
    let seq = c.next_seq(side);
    c.send(side, &request);
    for n in 0..retries {
        let timeout = (rto * f64::from(1u32 << n.min(20))).min(cap);
        c.retransmit(side, seq, &request, timeout);
    }
    c.wait((rto * f64::from(1u32 << retries.min(20))).min(cap));
    c.reset(side, ACK, own(side, Cause::RetransmitTimeout));
    st.net.add(c);
}
