//! Applications that abort: the endpoint's own socket sends an in-window
//! RST+ACK (`close()` with `SO_LINGER` 0, a crash), and segments the other
//! side had already sent reach a host with no socket left (consequences).

use rstscope_core::decode::flags::ACK;
use rstscope_core::report::Cause;

use super::{own, Stage};
use crate::conversation::Side;
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
        let dead_at = st.sent_at(Side::Server, c.now_us());
        let count = st.rng.range(1, 4);
        let label = Stage::consequence(Side::Server);
        st.in_flight(&mut c, Side::Client, (count, dead_at), Some(root), label);
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
        let label = Stage::consequence(Side::Client);
        st.in_flight(&mut c, Side::Server, (count, dead_at), Some(root), label);
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
        let dead_at = st.sent_at(Side::Server, c.now_us());
        let count = st.rng.range(1, 5);
        let label = Stage::consequence(Side::Server);
        st.in_flight(&mut c, Side::Client, (count, dead_at), Some(root), label);
    }
    st.net.add(c);
}
