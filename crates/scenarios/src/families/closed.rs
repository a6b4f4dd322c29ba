//! Closes: data reaching a socket its application already closed, and the
//! benign RST some stacks send after an orderly close.

use rstscope_core::decode::flags::ACK;
use rstscope_core::report::Cause;

use super::{own, pick, InFlight, Stage};
use crate::conversation::{other, Conversation, Side};
use crate::label::SubCause;
use crate::net::{ResetId, Verdict};
use crate::payload;
use crate::scenarios::traffic;

/// Keep-alive timeouts of real servers, seconds: Apache 5, IIS 120, nginx
/// 75, Node.js 5, HAProxy `http-keep-alive` 10... (their documentation).
const KEEPALIVE_S: [f64; 6] = [5.0, 10.0, 15.0, 60.0, 75.0, 120.0];

/// The server closes an idle keep-alive connection with FIN; the client's
/// pool keeps it and sends its next request later. The server side no
/// longer reads: its kernel answers by the socket-less rule (`seq =
/// SEG.ACK`, no ACK flag), with the server's own TTL.
pub fn after_fin(st: &mut Stage) {
    st.background(0.0, 60.0);
    let at = st.seconds(1.0, 60.0);
    let plain = st.chance(50);
    let mut c = st.connect(if plain { 80 } else { 443 }, at);
    if plain {
        c.handshake();
        c.send(
            Side::Client,
            &payload::http_request("GET", "www.example.net", "/", 0),
        );
        let size = st.rng.range(500, 30_000) as usize;
        c.send(Side::Server, &payload::http_response("200 OK", size));
        c.ack(Side::Client);
    } else {
        traffic::https_start(&mut st.net, &mut c, "www.example.net");
    }
    let keepalive = pick(&mut st.rng, &KEEPALIVE_S);
    c.wait(keepalive);
    c.fin(Side::Server);
    c.ack(Side::Client);
    c.wait(st.seconds(0.05, 120.0));
    let request = if plain {
        payload::http_request("GET", "www.example.net", "/style.css", 0)
    } else {
        payload::tls_application_data(420, &mut st.rng)
    };
    c.send(Side::Client, &request);
    let label = own(Side::Server, Cause::ClosedSocket).sub(SubCause::DataAfterClose);
    c.reset_no_socket(Side::Server, label);
    st.net.add(c);
}

/// Both FINs exchanged, then one side resets anyway (browsers and Windows
/// stacks do): nothing was lost.
pub fn graceful_then_reset(st: &mut Stage) {
    st.background(0.0, 60.0);
    let at = st.seconds(1.0, 60.0);
    let mut c = st.connect(443, at);
    traffic::https_start(&mut st.net, &mut c, "static.example.com");
    c.wait(st.seconds(0.05, 10.0));
    let closer = st.side(70);
    let label = own(closer, Cause::GracefulClose).sub(SubCause::RstAfterFin);
    if st.chance(35) {
        late_fin_meets_no_socket(st, &mut c, closer, label);
    } else {
        // The active closer resets from TIME_WAIT: the passive one is gone
        // once its FIN is acknowledged.
        c.close(closer);
        c.wait(st.seconds(0.0, 0.2));
        c.reset(closer, ACK, label);
    }
    st.net.add(c);
}

/// The closer's FIN is acknowledged, but the other side closes only
/// later, with a FIN and no data; by then the closer's socket is gone
/// (an orphan past `tcp_fin_timeout`, an application that closed with
/// linger), so its kernel answers that FIN with a bare RST at its ack.
/// Every byte and both FINs went through: benign, as in Zeek's
/// `ctu-64702-888.pcap`.
fn late_fin_meets_no_socket(st: &mut Stage, c: &mut Conversation, closer: Side, label: Verdict) {
    let peer = other(closer);
    c.fin(closer);
    c.ack(peer);
    c.wait(st.seconds(0.05, 90.0));
    c.fin(peer);
    c.reset_no_socket(closer, label);
}

/// One side's application closes (FIN) while the other is still sending:
/// an HTTP client that has read what it wanted, a streaming response cut
/// short. Data reaching the closed socket makes its kernel reset (Linux
/// counts it as `TCPAbortOnData`), by the socket-less rule; segments
/// still in flight after that are answered the same way, as consequences
/// (nDPI's `reddit.pcap` and `ethereum.pcap` hold dozens of these). A
/// fifth of the time the capture drops the data (its buffer overflowed)
/// and keeps only the FIN and the resets, as in libtrace's `fragtest`:
/// the resets' connection-less form still tells the close.
pub fn close_race(st: &mut Stage) {
    st.background(0.0, 60.0);
    let at = st.seconds(1.0, 60.0);
    let mut c = st.connect(443, at);
    traffic::https_start(&mut st.net, &mut c, "stream.example.com");
    let closer = st.side(75);
    let talker = other(closer);
    c.send(closer, &payload::tls_application_data(300, &mut st.rng));
    let size = st.rng.range(4_000, 60_000) as usize;
    c.send(talker, &payload::tls_application_data(size, &mut st.rng));
    c.wait(st.seconds(0.0, 0.02));
    c.fin(closer);
    let closed_at = st.sent_at(closer, c.now_us());
    let count = st.rng.range(1, 6);
    let label = move |root: Option<ResetId>| {
        let closed = own(closer, Cause::ClosedSocket);
        match root {
            None => closed.sub(SubCause::DataAfterClose),
            Some(_) => closed.after(root),
        }
    };
    let mut flight = InFlight::new(talker, count, closed_at);
    flight.recorded = !st.chance(20);
    st.in_flight(&mut c, flight, None, label);
    st.net.add(c);
}

/// How long hosts take to come back from a reboot, seconds.
const DOWNTIME_S: (f64, f64) = (20.0, 300.0);

/// One end reboots while the other holds a connection open (half-open,
/// RFC 9293 §3.5.1). The survivor's next segment — its retransmissions
/// while the host was down, or its first data after a long quiet spell —
/// reaches a kernel that has never heard of the connection and resets it
/// by the socket-less rule. No idle timer is involved. When the survivor's
/// stack gives up retransmitting before the host is back, its own RST is a
/// retransmission give-up instead.
pub fn reboot(st: &mut Stage) {
    st.background(0.0, 30.0);
    let at = st.seconds(1.0, 30.0);
    let mut c = st.connect(443, at);
    traffic::https_start(&mut st.net, &mut c, "files.example.com");
    let rebooted = if st.chance(70) {
        Side::Server
    } else {
        Side::Client
    };
    let survivor = other(rebooted);
    c.wait(st.seconds(1.0, 600.0));
    let downtime = st.seconds(DOWNTIME_S.0, DOWNTIME_S.1);
    let label = own(rebooted, Cause::ClosedSocket).sub(SubCause::HalfOpen);
    if st.chance(50) {
        // The survivor was talking: it retransmits into the void.
        let data = payload::tls_application_data(st.rng.range(100, 1400) as usize, &mut st.rng);
        let seq = c.next_seq(survivor);
        c.send(survivor, &data);
        let stack = match survivor {
            Side::Client => st.client_stack,
            Side::Server => st.server_stack,
        };
        let (min_rto, retries, cap) = stack.retransmission();
        let rto = (st.path.rtt_us() as f64 / 1e6 * 1.5 + 0.01).max(min_rto);
        let mut waited = 0.0;
        for n in 0..retries {
            let timeout = (rto * f64::from(1u32 << n.min(20))).min(cap);
            c.retransmit(survivor, seq, &data, timeout);
            waited += timeout;
            if waited >= downtime {
                c.reset_no_socket(rebooted, label);
                st.net.add(c);
                return;
            }
        }
        if super::stacks::Stack::RST_ON_GIVE_UP.contains(&stack) {
            c.wait((rto * f64::from(1u32 << retries.min(20))).min(cap));
            c.reset(survivor, ACK, own(survivor, Cause::RetransmitTimeout));
        }
    } else {
        c.wait(downtime + st.seconds(1.0, 1800.0));
        let data = payload::tls_application_data(st.rng.range(100, 1400) as usize, &mut st.rng);
        c.send(survivor, &data);
        c.reset_no_socket(rebooted, label);
    }
    st.net.add(c);
}

/// RFC 5961 challenge ACKs answered by a host without the connection.
/// Either the client rebooted and reconnects from the same port: its SYN
/// hits the server's old connection, the server answers with a challenge
/// ACK (§4.2), and the client, in SYN-SENT, resets it (`<SEQ=SEG.ACK>`,
/// RFC 9293 §3.10.7.3); the server accepts that exact RST and the client's
/// next SYN gets through. Or the client application aborts while its last
/// data is lost on the way: the RST lands beyond RCV.NXT but in the window,
/// the server challenges it (§3.2), and the client's kernel, its socket
/// gone, resets again at exactly RCV.NXT (a consequence of the abort).
pub fn challenge_ack(st: &mut Stage) {
    st.background(0.0, 60.0);
    let at = st.seconds(1.0, 60.0);
    let mut old = st.connect(443, at);
    traffic::https_start(&mut st.net, &mut old, "sync.example.com");
    let label = own(Side::Client, Cause::ClosedSocket).sub(SubCause::ChallengeAck);
    if st.chance(50) {
        old.wait(st.seconds(30.0, 600.0));
        let client = st.client;
        let port = old.port(Side::Client);
        let mut new = st.connect_from(&client, port, 443, 0.0);
        new.set_now_us(old.now_us());
        new.syn();
        old.set_now_us(new.now_us());
        old.ack(Side::Server);
        old.reset_no_socket(Side::Client, label);
        new.set_now_us(old.now_us());
        new.wait(1.0);
        new.syn();
        new.syn_ack();
        new.ack(Side::Client);
        traffic::https_exchange(&mut st.net, &mut new, 400, 3_000);
        new.close(Side::Client);
        st.net.add(new);
    } else {
        old.wait(st.seconds(0.1, 10.0));
        // The data is lost just before the server: a server-side capture misses it.
        let lost_before_capture = st.path.vantage == super::Vantage::Server;
        old.set_visible(Side::Client, !lost_before_capture);
        old.send(
            Side::Client,
            &payload::tls_application_data(800, &mut st.rng),
        );
        old.set_visible(Side::Client, true);
        let root = old.reset_now(Side::Client, ACK, own(Side::Client, Cause::AppAbort));
        let expected = old.next_seq(Side::Client).wrapping_sub(800 + 5);
        old.ack_upto(Side::Server, expected, None);
        old.reset_no_socket(Side::Client, label.after(Some(root)));
    }
    st.net.add(old);
}
