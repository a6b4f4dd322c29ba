//! Multipath TCP: an endpoint's MPTCP layer closes one subflow with a
//! RST+ACK that carries an MP_TCPRST option and its reason (RFC 8684
//! §3.6): an MPTCP protocol error, lack of resources, a path that performs
//! too badly or holds too much unacknowledged data, a middlebox seen
//! interfering. The MPTCP connection goes on over its other subflows,
//! which a capture of this one path does not show.

use rstscope_core::report::Cause;

use super::{own, pick, Stage};
use crate::conversation::{other, Side};
use crate::label::SubCause;
use crate::payload;
use crate::scenarios::traffic;

/// RFC 8684's reason codes, weighted roughly as stacks send them: MPTCP
/// errors and poor paths most, an unassigned code now and then.
const REASONS: &[u8] = &[0, 1, 1, 1, 2, 3, 4, 5, 5, 6, 6, 9];

/// A subflow of an MPTCP connection (Linux 5.6+ servers, Apple and Linux
/// clients) carries some requests and answers; then one end's MPTCP layer
/// resets it. If the other end was still sending, its segments in flight
/// reach a host with no subflow left, whose kernel resets each.
pub fn subflow_reset(st: &mut Stage) {
    st.background(0.0, 60.0);
    let at = st.seconds(1.0, 60.0);
    let mut c = st.connect(443, at);
    traffic::https_start(&mut st.net, &mut c, "mptcp.example.net");
    for _ in 0..st.rng.range(0, 3) {
        c.wait(st.seconds(0.0, 5.0));
        let request = payload::tls_application_data(st.rng.range(200, 1200) as usize, &mut st.rng);
        c.send(Side::Client, &request);
        let size = st.rng.range(400, 60_000) as usize;
        c.send(
            Side::Server,
            &payload::tls_application_data(size, &mut st.rng),
        );
        c.ack(Side::Client);
    }
    let closing = if st.chance(60) {
        Side::Server
    } else {
        Side::Client
    };
    let in_flight = st.chance(35);
    if in_flight {
        let size = st.rng.range(2_000, 30_000) as usize;
        c.send(
            other(closing),
            &payload::tls_application_data(size, &mut st.rng),
        );
    } else {
        c.wait(st.seconds(0.05, 20.0));
    }
    let transient = u8::from(st.chance(30));
    let reason = pick(&mut st.rng, REASONS);
    let label = own(closing, Cause::Unknown).sub(SubCause::MptcpSubflow);
    let root = c.reset_mptcp(closing, transient, reason, label);
    if in_flight {
        st.kernel_answers_in_flight(&mut c, closing, root, 3);
    }
    st.net.add(c);
}
