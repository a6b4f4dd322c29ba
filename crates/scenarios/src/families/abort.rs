//! Applications that abort: the endpoint's own socket sends an in-window
//! RST+ACK (`close()` with `SO_LINGER` 0, a crash), and segments the other
//! side had already sent reach a host with no socket left (consequences).

use rstscope_core::decode::flags::ACK;
use rstscope_core::report::Cause;

use super::{forged, own, stacks, InFlight, Stage, Vantage};
use crate::conversation::Side;
use crate::host::IpIdStyle;
use crate::label::SubCause;
use crate::payload;
use crate::scenarios::traffic;

/// The server application aborts while handling a request (a crash, a
/// proxy giving up, a rejected upload). Sometimes the client was still
/// uploading: its segments in flight get the server kernel's bare RSTs.
pub fn server(st: &mut Stage) {
    st.background(0.0, 60.0);
    let at = st.seconds(1.0, 60.0);
    let uploading = st.chance(40);
    let mut c = if st.chance(50) {
        let mut c = st.connect(443, at);
        traffic::https_start(&mut st.net, &mut c, "api.example.net");
        c.send(
            Side::Client,
            &payload::tls_application_data(1200, &mut st.rng),
        );
        c
    } else {
        let mut c = st.connect(8080, at);
        c.handshake();
        let body = if uploading { 40_000 } else { 0 };
        let request = payload::http_request("POST", "api.example.net", "/v1/upload", body);
        c.send(Side::Client, &request[..request.len().min(1400)]);
        c
    };
    c.ack(Side::Server);
    if !uploading {
        c.wait(st.seconds(0.01, 30.0));
    }
    let root = c.reset(Side::Server, ACK, own(Side::Server, Cause::AppAbort));
    if uploading {
        st.kernel_answers_in_flight(&mut c, Side::Server, root, 4);
    }
    st.net.add(c);
}

/// The client cancels a download (`SO_LINGER` 0, or closing with the
/// response unread). If the server was still streaming, its segments in
/// flight reach a client with no socket, whose kernel resets each.
pub fn client(st: &mut Stage) {
    st.background(0.0, 60.0);
    let at = st.seconds(1.0, 60.0);
    let mut c = st.connect(443, at);
    traffic::https_start(&mut st.net, &mut c, "downloads.example.org");
    c.send(
        Side::Client,
        &payload::tls_application_data(400, &mut st.rng),
    );
    let size = st.rng.range(8_000, 120_000) as usize;
    c.send(
        Side::Server,
        &payload::tls_application_data(size, &mut st.rng),
    );
    c.ack(Side::Client);
    let streaming = st.chance(60);
    c.wait(if streaming {
        st.seconds(0.0, 0.05)
    } else {
        st.seconds(0.1, 30.0)
    });
    let root = c.reset(Side::Client, ACK, own(Side::Client, Cause::AppAbort));
    if streaming {
        let dead_at = st.sent_at(Side::Client, c.now_us());
        let count = st.rng.range(1, 4);
        let mut flight = InFlight::new(Side::Server, count, dead_at);
        // A stateful firewall on the client's side saw the RST and dropped
        // the flow: it rejects the server's later segments itself, in the
        // client's name (Suricata's bug-2769 capture), and the client
        // never sees them.
        if st.path.vantage != Vantage::Client && st.chance(40) {
            let position = st.position(Some(Side::Client), 2).min(st.path.tap.max(1));
            let fingerprint = if st.chance(50) {
                stacks::NETFILTER
            } else {
                stacks::appliance(&mut st.rng)
            };
            flight.answerer = Some(st.device(fingerprint, position));
            let label = |root| forged(Side::Client, Cause::ClosedSocket).after(root);
            st.in_flight(&mut c, flight, Some(root), label);
        } else {
            st.in_flight(&mut c, flight, Some(root), Stage::consequence(Side::Client));
        }
    }
    st.net.add(c);
}

/// Responses that end a request early, before its body is read.
const EARLY_ANSWERS: [&str; 4] = [
    "413 Payload Too Large",
    "401 Unauthorized",
    "400 Bad Request",
    "429 Too Many Requests",
];

/// The server answers an upload after reading only its headers and closes
/// with the body unread: the kernel sends RST+ACK instead of FIN (RFC 2525
/// §2.17, Linux `tcp_close`), from the socket, right after the response.
/// The body segments still in flight reach a host with no socket, whose
/// kernel resets each (consequences).
pub fn unread_data(st: &mut Stage) {
    st.background(0.0, 60.0);
    let at = st.seconds(1.0, 60.0);
    let port = if st.chance(50) { 80 } else { 8080 };
    let mut c = st.connect(port, at);
    c.handshake();
    let body = st.rng.range(20_000, 2_000_000) as usize;
    let request = payload::http_request("POST", "upload.example.net", "/files", body);
    let mss = usize::from(c.mss());
    let sent = mss * st.rng.range(1, 6) as usize;
    c.send(Side::Client, &request[..sent.min(request.len())]);
    let answer = super::pick(&mut st.rng, &EARLY_ANSWERS);
    c.send(Side::Server, &payload::http_response(answer, 0));
    let label = own(Side::Server, Cause::AppAbort).sub(SubCause::UnreadData);
    let root = c.reset_now(Side::Server, ACK, label);
    if st.chance(70) {
        st.kernel_answers_in_flight(&mut c, Side::Server, root, 5);
    }
    st.net.add(c);
}

/// How long applications wait for a stalled peer or a slow answer before
/// giving up, seconds (HTTP client defaults, proxy timeouts).
const APP_PATIENCE_S: [f64; 6] = [5.0, 10.0, 30.0, 60.0, 120.0, 300.0];

/// The receiver stops reading (a stuck consumer, an overloaded backend):
/// its window falls to 0 and stays there. The sender's kernel probes the
/// window with backoff (RFC 9293 §3.8.6.1; Linux sends SND.UNA - 1 with no
/// data) and the receiver answers each with window 0; the kernel never
/// gives up on answered probes, the sending application does, and aborts.
pub fn zero_window(st: &mut Stage) {
    st.background(0.0, 60.0);
    let at = st.seconds(1.0, 60.0);
    let mut c = st.connect(443, at);
    traffic::https_start(&mut st.net, &mut c, "feed.example.com");
    let receiver = st.side(60);
    let sender = crate::conversation::other(receiver);
    let size = st.rng.range(20_000, 80_000) as usize;
    c.send(sender, &payload::tls_application_data(size, &mut st.rng));
    c.set_window(receiver, Some(0));
    c.ack(receiver);
    let patience = super::pick(&mut st.rng, &APP_PATIENCE_S);
    let rto = (st.path.rtt_us() as f64 / 1e6 * 1.5 + 0.01).max(0.2);
    let mut waited = 0.0;
    for n in 0.. {
        let timeout = (rto * f64::from(1u32 << n.min(20))).min(120.0);
        if waited + timeout >= patience {
            break;
        }
        c.probe_old(sender, 0, timeout);
        c.ack(receiver);
        waited += timeout;
    }
    c.wait(patience - waited);
    let label = own(sender, Cause::AppAbort).sub(SubCause::ZeroWindow);
    c.reset(sender, ACK, label);
    st.net.add(c);
}

/// The client's request gets no answer within its timeout (the server
/// acknowledged it, its backend is slow); the client application aborts.
/// Sometimes the server's late answer was already on its way: the client's
/// kernel, without the socket, resets it (consequences).
pub fn request_timeout(st: &mut Stage) {
    st.background(0.0, 60.0);
    let at = st.seconds(1.0, 60.0);
    let mut c = st.connect(443, at);
    traffic::https_start(&mut st.net, &mut c, "reports.example.com");
    c.wait(st.seconds(0.1, 20.0));
    c.send(
        Side::Client,
        &payload::tls_application_data(600, &mut st.rng),
    );
    c.ack(Side::Server);
    let patience = super::pick(&mut st.rng, &APP_PATIENCE_S[..5]);
    c.wait(patience);
    let label = own(Side::Client, Cause::AppAbort).sub(SubCause::RequestTimeout);
    let root = c.reset(Side::Client, ACK, label);
    if st.chance(40) {
        st.kernel_answers_in_flight(&mut c, Side::Client, root, 3);
    }
    st.net.add(c);
}

/// Connections a client opened speculatively and did not need: a browser's
/// preconnect or the losing attempt of happy eyeballs (RFC 8305). Closed
/// before the SYN-ACK came, the client's kernel resets the SYN-ACK; closed
/// after, the application aborts the idle connection (RST+ACK), at once or
/// after a few seconds. Its sibling carries the real traffic.
pub fn speculative(st: &mut Stage) {
    if st.chance(40) {
        return happy_eyeballs(st);
    }
    st.background(0.0, 60.0);
    let at = st.seconds(1.0, 60.0);
    let mut used = st.connect(443, at);
    let spare_at = at + st.seconds(0.0, 0.25);
    traffic::https_start(&mut st.net, &mut used, "www.example.com");
    used.wait(st.seconds(0.5, 5.0));
    used.close(Side::Client);
    st.net.add(used);
    let mut spare = st.connect(443, spare_at);
    let label = own(Side::Client, Cause::AppAbort).sub(SubCause::SpeculativeConnect);
    spare.syn();
    if st.chance(40) {
        spare.syn_ack();
        spare.reset_no_socket(Side::Client, label);
    } else {
        spare.syn_ack();
        spare.ack(Side::Client);
        spare.wait(if st.chance(50) {
            st.seconds(0.0, 0.01)
        } else {
            st.seconds(1.0, 60.0)
        });
        spare.reset(Side::Client, ACK, label);
    }
    st.net.add(spare);
}

/// Happy eyeballs across IP versions (RFC 8305): the first attempt's path
/// is slow, the other version starts after the 50-250 ms connection attempt
/// delay and wins; the client abandons the first attempt, so its late
/// SYN-ACK meets the client's kernel, which resets it.
fn happy_eyeballs(st: &mut Stage) {
    st.background(0.0, 60.0);
    let (client, server) = st.twins();
    let at = st.seconds(1.0, 60.0);
    let mut slow = st.connect_hosts(&client, &server, 443, at);
    slow.syn();
    let delay = st.seconds(0.05, 0.25);
    let mut used = st.connect(443, at + delay);
    traffic::https_start(&mut st.net, &mut used, "www.example.com");
    used.wait(st.seconds(0.5, 5.0));
    used.close(Side::Client);
    st.net.add(used);
    slow.wait(delay + st.seconds(0.05, 1.5));
    slow.syn_ack();
    let label = own(Side::Client, Cause::AppAbort).sub(SubCause::SpeculativeConnect);
    slow.reset_no_socket(Side::Client, label);
    st.net.add(slow);
}

/// A FIN-then-RST close: an application shuts its side down and then
/// aborts (Windows `closesocket` after `shutdown` with linger 0, some
/// routers' telnet servers): RST+ACK from the socket right after its FIN,
/// before the peer closed. The peer's ACK of that FIN, and its own FIN,
/// reach a host without the socket, whose kernel resets them
/// (consequences), as in Arkime's `mpls-basic.pcap`. There, a router
/// numbering its packets per connection sends a bare RST at its FIN's
/// seq, the ack of a short command of the peer's that crossed the FIN: a
/// third of the time when the closer's stack counts IP-IDs per connection.
pub fn fin_then_rst(st: &mut Stage) {
    st.background(0.0, 60.0);
    let at = st.seconds(1.0, 60.0);
    let mut c = st.connect(443, at);
    traffic::https_start(&mut st.net, &mut c, "intranet.example.com");
    c.wait(st.seconds(0.1, 60.0));
    let closer = st.side(60);
    let peer = crate::conversation::other(closer);
    let per_connection = c.host(closer).fingerprint.ip_id == IpIdStyle::PerConnection;
    let crossing = per_connection && st.chance(33);
    c.fin(closer);
    let fin_seq = c.next_seq(closer).wrapping_sub(1);
    if crossing {
        // Sent before the FIN reached the peer: it acks only up to the FIN.
        c.wait(0.0002);
        c.send_now_acking(peer, b"q\r", fin_seq);
    }
    c.wait(st.seconds(0.0003, 0.003));
    let root = if crossing {
        c.reset_now_at(closer, fin_seq, own(closer, Cause::AppAbort))
    } else {
        c.reset_now(closer, ACK, own(closer, Cause::AppAbort))
    };
    // The peer had answered the FIN before the RST arrived.
    let back = c.now_us();
    c.set_now_us(back - 10);
    c.ack(peer);
    c.reset_no_socket(closer, own(closer, Cause::ClosedSocket).after(Some(root)));
    if st.chance(50) {
        c.fin(peer);
        c.reset_no_socket(closer, own(closer, Cause::ClosedSocket).after(Some(root)));
    }
    st.net.add(c);
}
