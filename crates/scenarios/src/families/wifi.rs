//! Wi-Fi: the story this product was born from. A segment the wireless
//! link retries arrives late, after newer ones; a stateful firewall marks
//! it INVALID and rejects it with a reset. A monitor-mode capture next to
//! the station shows the link's part: the retries and the reordering.

use rstscope_core::report::Cause;

use super::reject::firewall_near;
use super::stacks;
use super::{forged, pick, Stage};
use crate::conversation::{rst_for, Side};
use crate::label::SubCause;
use crate::packet::LinkNote;
use crate::payload;
use crate::scenarios::traffic;
use crate::{Link, Radio};

/// An upload from a Wi-Fi station (captured in monitor mode, radiotap):
/// one MAC frame fails and newer ones overtake it (block ack); TCP
/// repairs the hole by fast retransmission and the upload moves on past
/// the window; then the driver's last retries of the old frame get
/// through, up to half a second late. A netfilter firewall in front of the
/// server marks the late segment INVALID and REJECTs it in the server's
/// name.
pub fn reorder(st: &mut Stage) {
    st.link = Some(Link::Radiotap(radio(st)));
    st.background(0.0, 40.0);
    let at = st.seconds(1.0, 40.0);
    let mut c = st.connect(443, at);
    traffic::https_start(&mut st.net, &mut c, "uploads.example.net");
    let (from, to) = (Side::Client, Side::Server);
    for _ in 0..st.rng.range(1, 3) {
        c.wait(st.seconds(0.01, 0.3));
        let size = st.rng.range(40_000, 90_000) as usize;
        c.send(from, &payload::tls_application_data(size, &mut st.rng));
        c.ack(to);
    }
    let position = firewall_near(st, to).unwrap_or(st.path.hops - 1);
    let firewall = st.device(stacks::NETFILTER, position);

    let mss = usize::from(c.mss());
    let hole_seq = c.next_seq(from);
    let hole = payload::tls_application_data(mss - 5, &mut st.rng);
    c.wait(st.seconds(0.01, 0.3));
    c.send(from, &hole);
    let burst = st.rng.range(3, 8) as usize * mss - 5;
    c.send_now(from, &payload::tls_application_data(burst, &mut st.rng));
    let hole_end = hole_seq.wrapping_add(mss as u32);
    for _ in 0..3 {
        c.ack_upto(to, hole_seq, Some((hole_end, c.next_seq(from))));
    }
    // TCP's fast retransmission is a new MAC frame of its own.
    c.retransmit(from, hole_seq, &hole, 0.000_2);
    c.ack(to);
    for _ in 0..st.rng.range(2, 3) {
        let size = st.rng.range(40_000, 90_000) as usize;
        c.send(from, &payload::tls_application_data(size, &mut st.rng));
        c.ack(to);
    }
    for _ in 0..st.rng.range(2, 6) {
        let backoff = st.seconds(0.005, 0.08);
        c.retransmit(from, hole_seq, &hole, backoff);
        c.note_last(LinkNote::WifiRetry);
    }
    if let Some(delay) = st.reply_after(from, &firewall) {
        c.wait(delay);
        let (seq, ack, flags) = rst_for(c.trigger(from), false);
        let label = forged(to, Cause::OutOfWindow).sub(SubCause::ConntrackInvalid);
        c.reset_from(&firewall.host, to, seq, ack, flags, label);
    }
    st.net.add(c);
}

/// The station's link as the monitor hears it: often good, sometimes weak
/// (far from the access point, low rate).
fn radio(st: &mut Stage) -> Radio {
    if st.chance(40) {
        Radio {
            signal_dbm: -(st.rng.range(76, 88) as i8),
            rate_500kbps: pick(&mut st.rng, &[12, 18, 24]),
        }
    } else {
        Radio {
            signal_dbm: -(st.rng.range(42, 66) as i8),
            rate_500kbps: pick(&mut st.rng, &[72, 96, 108]),
        }
    }
}
