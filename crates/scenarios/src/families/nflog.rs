//! The conntrack-INVALID case as `tcpdump -i nflog:5` on the rejecting
//! host records it: the host's rules log every packet in and out, and the
//! INVALID rule logs the packet it rejects under its own prefix.

use rstscope_core::report::Cause;

use super::reject::send_trigger;
use super::{own, pick, Stage};
use crate::conversation::Side;
use crate::label::SubCause;
use crate::packet::LinkNote;
use crate::payload;
use crate::scenarios::traffic;
use crate::Link;

/// Prefixes people give the rule in front of `REJECT --reject-with
/// tcp-reset` for conntrack INVALID packets.
const PREFIXES: [&str; 4] = ["INVALID-REJECT", "ct-invalid", "DROP-INVALID", "fw-invalid"];

/// A Linux server's own netfilter marks a client's late, retransmitted or
/// out-of-window segment INVALID: one rule logs it (NFLOG, its prefix),
/// the next REJECTs it; the RST leaves through OUTPUT, logged with the
/// host's other outgoing packets.
pub fn conntrack_invalid(st: &mut Stage) {
    st.link = Some(Link::Nflog);
    st.background(0.0, 40.0);
    let at = st.seconds(1.0, 40.0);
    let mut c = st.connect(443, at);
    traffic::https_start(&mut st.net, &mut c, "registry.example.io");
    let (from, target) = (Side::Client, Side::Server);
    let bulk_start = c.next_seq(from);
    for _ in 0..st.rng.range(2, 4) {
        c.wait(st.seconds(0.01, 0.5));
        let size = st.rng.range(40_000, 90_000) as usize;
        c.send(from, &payload::tls_application_data(size, &mut st.rng));
        c.ack(target);
    }
    send_trigger(st, &mut c, from, bulk_start);
    c.note_last(LinkNote::Logged(pick(&mut st.rng, &PREFIXES)));
    let label = own(target, Cause::OutOfWindow).sub(SubCause::ConntrackInvalid);
    c.reset_no_socket(target, label);
    st.net.add(c);
}
