//! Filters that select a report's packets in other tools: Wireshark display
//! filters (`frame.number == 12`, `tcp.stream eq 3`, a conversation's
//! address and port pair) and the tcpdump (BPF) capture filter of a
//! conversation, so a user can go from a verdict to the packets.

use alloc::format;
use alloc::string::String;
use core::net::IpAddr;

/// `frame.number == N`: one packet.
pub fn frame(frame: u64) -> String {
    format!("frame.number == {frame}")
}

/// `tcp.stream eq N`: a whole TCP conversation as Wireshark numbers it.
pub fn stream(stream: u32) -> String {
    format!("tcp.stream eq {stream}")
}

/// An endpoint as the report writes it: "10.0.0.1:443" or "[2001:db8::1]:443".
pub fn endpoint(text: &str) -> Option<(IpAddr, u16)> {
    let (addr, port) = match text.strip_prefix('[') {
        Some(v6) => v6.split_once("]:")?,
        None => text.rsplit_once(':')?,
    };
    Some((addr.parse().ok()?, port.parse().ok()?))
}

/// Both endpoints' addresses and ports, as Wireshark's conversation filter
/// does: `ip.addr==A && tcp.port==P && ip.addr==B && tcp.port==Q`
/// (`ipv6.addr` for IPv6). None when an endpoint is not "ip:port".
pub fn conversation(a: &str, b: &str) -> Option<String> {
    let ((a, p), (b, q)) = (endpoint(a)?, endpoint(b)?);
    Some(format!(
        "{}=={a} && tcp.port=={p} && {}=={b} && tcp.port=={q}",
        ip_field(a),
        ip_field(b)
    ))
}

/// The same conversation as a tcpdump capture filter:
/// `host A and port P and host B and port Q`.
pub fn bpf(a: &str, b: &str) -> Option<String> {
    let ((a, p), (b, q)) = (endpoint(a)?, endpoint(b)?);
    Some(format!(
        "tcp and host {a} and port {p} and host {b} and port {q}"
    ))
}

fn ip_field(addr: IpAddr) -> &'static str {
    match addr {
        IpAddr::V4(_) => "ip.addr",
        IpAddr::V6(_) => "ipv6.addr",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_frame_and_stream_filters() {
        assert_eq!(frame(12), "frame.number == 12");
        assert_eq!(stream(0), "tcp.stream eq 0");
    }

    #[test]
    fn test_conversation_of_ipv4_endpoints() {
        assert_eq!(
            conversation("10.0.0.5:50000", "203.0.113.7:443").as_deref(),
            Some("ip.addr==10.0.0.5 && tcp.port==50000 && ip.addr==203.0.113.7 && tcp.port==443")
        );
        assert_eq!(
            bpf("10.0.0.5:50000", "203.0.113.7:443").as_deref(),
            Some("tcp and host 10.0.0.5 and port 50000 and host 203.0.113.7 and port 443")
        );
    }

    #[test]
    fn test_conversation_of_ipv6_endpoints() {
        assert_eq!(
            conversation("[2001:db8::1]:443", "[fe80::2]:50000").as_deref(),
            Some(
                "ipv6.addr==2001:db8::1 && tcp.port==443 && ipv6.addr==fe80::2 && tcp.port==50000"
            )
        );
    }

    #[test]
    fn test_endpoints_that_are_not_addresses_give_no_filter() {
        assert_eq!(conversation("host-a:443", "10.0.0.1:80"), None);
        assert_eq!(conversation("10.0.0.1", "10.0.0.2:80"), None);
        assert_eq!(endpoint("[::1]443"), None);
        assert_eq!(endpoint("10.0.0.1:99999"), None);
    }
}
