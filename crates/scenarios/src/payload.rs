//! Application payloads that dissectors accept: HTTP/1.1 text and TLS 1.3
//! records with correct length fields (contents of encrypted records are
//! random, as on the wire).

use crate::rng::Rng;

pub fn http_request(method: &str, host: &str, path: &str, body_len: usize) -> Vec<u8> {
    let mut out = format!(
        "{method} {path} HTTP/1.1\r\nHost: {host}\r\nUser-Agent: curl/8.5.0\r\nAccept: */*\r\n"
    );
    if body_len > 0 {
        out.push_str(&format!(
            "Content-Type: application/json\r\nContent-Length: {body_len}\r\n"
        ));
    }
    out.push_str("\r\n");
    let mut bytes = out.into_bytes();
    bytes.extend(text_body(body_len));
    bytes
}

pub fn http_response(status: &str, body_len: usize) -> Vec<u8> {
    let head = format!(
        "HTTP/1.1 {status}\r\nServer: nginx/1.24.0\r\nContent-Type: text/html\r\nContent-Length: {body_len}\r\n\r\n"
    );
    let mut bytes = head.into_bytes();
    bytes.extend(text_body(body_len));
    bytes
}

fn text_body(len: usize) -> impl Iterator<Item = u8> {
    b"<p>lorem ipsum dolor sit amet</p>\n"
        .iter()
        .copied()
        .cycle()
        .take(len)
}

/// A TLS 1.3 ClientHello naming `sni` (the field censors match on).
pub fn tls_client_hello(sni: &str, rng: &mut Rng) -> Vec<u8> {
    let mut ext = Vec::new();
    // server_name
    let name = sni.as_bytes();
    let mut sn = Vec::new();
    sn.extend(u16_be(name.len() + 3));
    sn.push(0); // host_name
    sn.extend(u16_be(name.len()));
    sn.extend_from_slice(name);
    extension(&mut ext, 0x0000, &sn);
    extension(&mut ext, 0x000a, &[0x00, 0x04, 0x00, 0x1d, 0x00, 0x17]); // supported_groups
    extension(
        &mut ext,
        0x000d,
        &[0x00, 0x06, 0x04, 0x03, 0x08, 0x04, 0x04, 0x01],
    ); // signature_algorithms
    extension(&mut ext, 0x002b, &[0x04, 0x03, 0x04, 0x03, 0x03]); // supported_versions
    let mut key_share = vec![0x00, 0x24, 0x00, 0x1d, 0x00, 0x20];
    key_share.extend(random(rng, 32));
    extension(&mut ext, 0x0033, &key_share);

    let mut hello = vec![0x03, 0x03];
    hello.extend(random(rng, 32));
    hello.push(32);
    hello.extend(random(rng, 32));
    hello.extend([0x00, 0x06, 0x13, 0x01, 0x13, 0x02, 0x13, 0x03]); // cipher suites
    hello.extend([0x01, 0x00]); // null compression
    hello.extend(u16_be(ext.len()));
    hello.extend(ext);
    record(0x16, &handshake(1, &hello))
}

/// The server's first flight: ServerHello, ChangeCipherSpec, then
/// encrypted handshake and application data of about `len` bytes.
pub fn tls_server_flight(len: usize, rng: &mut Rng) -> Vec<u8> {
    let mut hello = vec![0x03, 0x03];
    hello.extend(random(rng, 32));
    hello.push(32);
    hello.extend(random(rng, 32));
    hello.extend([0x13, 0x01, 0x00]); // TLS_AES_128_GCM_SHA256, null compression
    let mut ext = Vec::new();
    extension(&mut ext, 0x002b, &[0x03, 0x04]);
    let mut key_share = vec![0x00, 0x1d, 0x00, 0x20];
    key_share.extend(random(rng, 32));
    extension(&mut ext, 0x0033, &key_share);
    hello.extend(u16_be(ext.len()));
    hello.extend(ext);
    let mut out = record(0x16, &handshake(2, &hello));
    out.extend(record(0x14, &[0x01]));
    out.extend(tls_application_data(len, rng));
    out
}

/// Encrypted records (content type 23) carrying `len` bytes in total.
pub fn tls_application_data(len: usize, rng: &mut Rng) -> Vec<u8> {
    let mut out = Vec::new();
    let mut left = len.max(1);
    while left > 0 {
        let n = left.min(16_384);
        out.extend(record(0x17, &random(rng, n)));
        left -= n;
    }
    out
}

fn record(content_type: u8, body: &[u8]) -> Vec<u8> {
    let mut out = vec![content_type, 0x03, 0x03];
    out.extend(u16_be(body.len()));
    out.extend_from_slice(body);
    out
}

fn handshake(kind: u8, body: &[u8]) -> Vec<u8> {
    let len = body.len() as u32;
    let mut out = vec![kind];
    out.extend_from_slice(&len.to_be_bytes()[1..]);
    out.extend_from_slice(body);
    out
}

fn extension(out: &mut Vec<u8>, kind: u16, body: &[u8]) {
    out.extend(kind.to_be_bytes());
    out.extend(u16_be(body.len()));
    out.extend_from_slice(body);
}

fn u16_be(n: usize) -> [u8; 2] {
    (n as u16).to_be_bytes()
}

fn random(rng: &mut Rng, len: usize) -> Vec<u8> {
    (0..len).map(|_| rng.next_u64() as u8).collect()
}
