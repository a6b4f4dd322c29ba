//! Filters that select a report's packets in other tools: Wireshark display
//! filters (`frame.number == 12`, `tcp.stream eq 3`, a conversation's
//! address and port pair) and the tcpdump (BPF) capture filter of a
//! conversation, so a user can go from a verdict to the packets.

use alloc::format;
use alloc::string::String;
use core::net::IpAddr;

use crate::report::Endpoint;

/// `frame.number == N`: one packet.
pub fn frame(frame: u64) -> String {
    format!("frame.number == {frame}")
}

/// `tcp.stream eq N`: a whole TCP conversation as Wireshark numbers it.
pub fn stream(stream: u32) -> String {
    format!("tcp.stream eq {stream}")
}

/// Both endpoints' addresses and ports, as Wireshark's conversation filter
/// does: `ip.addr==A && tcp.port==P && ip.addr==B && tcp.port==Q`
/// (`ipv6.addr` for IPv6).
pub fn conversation(a: Endpoint, b: Endpoint) -> String {
    format!(
        "{}=={} && tcp.port=={} && {}=={} && tcp.port=={}",
        ip_field(a.ip),
        a.ip,
        a.port,
        ip_field(b.ip),
        b.ip,
        b.port
    )
}

/// The same conversation as a tcpdump capture filter:
/// `host A and port P and host B and port Q`.
pub fn bpf(a: Endpoint, b: Endpoint) -> String {
    format!(
        "tcp and host {} and port {} and host {} and port {}",
        a.ip, a.port, b.ip, b.port
    )
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

    fn ends(a: &str, b: &str) -> (Endpoint, Endpoint) {
        (a.parse().unwrap(), b.parse().unwrap())
    }

    #[test]
    fn test_conversation_of_ipv4_endpoints() {
        let (a, b) = ends("10.0.0.5:50000", "203.0.113.7:443");
        assert_eq!(
            conversation(a, b),
            "ip.addr==10.0.0.5 && tcp.port==50000 && ip.addr==203.0.113.7 && tcp.port==443"
        );
        assert_eq!(
            bpf(a, b),
            "tcp and host 10.0.0.5 and port 50000 and host 203.0.113.7 and port 443"
        );
    }

    #[test]
    fn test_conversation_of_ipv6_endpoints() {
        let (a, b) = ends("[2001:db8::1]:443", "[fe80::2]:50000");
        assert_eq!(
            conversation(a, b),
            "ipv6.addr==2001:db8::1 && tcp.port==443 && ipv6.addr==fe80::2 && tcp.port==50000"
        );
    }
}
