//! Closes: data reaching a socket its application already closed, and the
//! benign RST some stacks send after an orderly close.

use rstscope_core::decode::flags::ACK;
use rstscope_core::report::Cause;

use super::{own, pick, Stage};
use crate::conversation::Side;
use crate::label::SubCause;
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
    let closer = if st.chance(70) {
        Side::Client
    } else {
        Side::Server
    };
    // The active closer resets from TIME_WAIT: the passive one is gone
    // once its FIN is acknowledged.
    c.close(closer);
    c.wait(st.seconds(0.0, 0.2));
    let label = own(closer, Cause::GracefulClose).sub(SubCause::RstAfterFin);
    c.reset(closer, ACK, label);
    st.net.add(c);
}
