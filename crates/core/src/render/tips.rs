//! The cause catalogue: what to do about each cause, per origin and
//! sub-cause, with the observed numbers filled in.

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec;
use alloc::vec::Vec;

use super::headline::seconds;
use crate::report::{Cause, Observed, Origin, SubCause, Tip};

fn tip(text: String, commands: &[&str]) -> Tip {
    Tip {
        text,
        commands: commands.iter().map(|c| c.to_string()).collect(),
    }
}

/// Keepalive interval comfortably below an idle timeout of `idle_s`.
fn keepalive_below(idle_s: f64) -> u64 {
    let idle = idle_s.max(1.0) as u64;
    (idle.saturating_mul(3) / 4).clamp(10, 7200)
}

/// What to do about a reset of `cause` sent by `origin`.
pub fn tips(cause: Cause, origin: Origin, sub: Option<SubCause>, seen: &Observed) -> Vec<Tip> {
    let port = seen
        .server_port
        .map_or_else(|| "PORT".to_string(), |p| p.to_string());
    match (cause, origin) {
        (Cause::Refused, Origin::Middlebox) => vec![
            tip(
                format!("A firewall on the path refuses port {port} in the server's name (REJECT --reject-with tcp-reset). Check its rules for this port, or ask its owner."),
                &["iptables -S | grep -i 'reject-with tcp-reset'", "nft list ruleset | grep -i 'reject with tcp reset'"],
            ),
        ],
        (Cause::Refused, _) if sub == Some(SubCause::ScanProbe) => vec![tip(
            format!("A port scan found port {port} closed: the RST is the normal answer, nothing to fix on the server. If the scanner is not yours, rate-limit or block its source."),
            &["iptables -A INPUT -p tcp --syn -m hashlimit --hashlimit-above 20/sec --hashlimit-mode srcip --hashlimit-name scan -j DROP"],
        )],
        (Cause::Refused, _) => vec![tip(
            format!("Nothing listens on port {port} (or the host's own firewall rejects it): start or bind the service, then check REJECT rules."),
            &[&format!("ss -ltnp 'sport = :{port}'"), "iptables -S | grep -i reject"],
        )],
        (Cause::IdleTimeout, Origin::Middlebox) => {
            let idle = seconds(seen.idle_ns).unwrap_or(300.0);
            let keep = keepalive_below(idle);
            vec![
                tip(
                    format!("Idle {idle:.0} s before the reset: a NAT or firewall dropped the connection's state. Send keepalives below {keep} s (SO_KEEPALIVE, or application pings)."),
                    &[&format!("sysctl -w net.ipv4.tcp_keepalive_time={keep}"), "sysctl -w net.ipv4.tcp_keepalive_intvl=30"],
                ),
                tip(
                    format!("Or raise the device's TCP idle timeout above {idle:.0} s (AWS NAT gateway and Network Firewall use 350 s)."),
                    &["sysctl -w net.netfilter.nf_conntrack_tcp_timeout_established=7440"],
                ),
            ]
        }
        (Cause::IdleTimeout, _) => {
            let idle = seconds(seen.idle_ns).map_or_else(|| "a long".to_string(), |s| format!("{s:.0} s"));
            vec![tip(
                format!("The endpoint itself closed the connection after {idle} of silence (an application or load-balancer idle timeout). Keep it busy with keepalives, or raise that timeout, or let the client reconnect."),
                &["sysctl -w net.ipv4.tcp_keepalive_time=60"],
            )]
        }
        (Cause::OutOfWindow, Origin::Middlebox) => vec![tip(
            "A stateful firewall marked a retransmitted or out-of-window segment INVALID and rejected it with a reset. Drop INVALID packets right after the ESTABLISHED,RELATED accept and before any REJECT --reject-with tcp-reset, or let conntrack be liberal about windows.".to_string(),
            &[
                "iptables -I FORWARD 2 -m conntrack --ctstate INVALID -j DROP",
                "sysctl -w net.netfilter.nf_conntrack_tcp_be_liberal=1",
            ],
        )],
        (Cause::OutOfWindow, _) if sub == Some(SubCause::ConntrackInvalid) => vec![tip(
            "The host's own firewall (netfilter) marked a late, reordered or out-of-window segment INVALID and rejected it with a reset in the host's name. Drop INVALID packets right after the ESTABLISHED,RELATED accept and before any REJECT --reject-with tcp-reset, or let conntrack be liberal about windows.".to_string(),
            &[
                "iptables -I INPUT 2 -m conntrack --ctstate INVALID -j DROP",
                "sysctl -w net.netfilter.nf_conntrack_tcp_be_liberal=1",
            ],
        )],
        (Cause::OutOfWindow, _) => vec![tip(
            "The endpoint rejected a segment outside its window: look for reordering or a sequence-number rewrite on the path (load balancer, NAT).".to_string(),
            &[],
        )],
        (Cause::Injected, _) => vec![tip(
            "Resets forged on the path (censor, DPI or traffic shaper): not fixable at the endpoints. Encrypt the metadata it matches (TLS with ECH, a VPN or tunnel), and report it.".to_string(),
            &[],
        )],
        (Cause::AppAbort, _) => app_abort_tips(sub, &port),
        (Cause::ClosedSocket, _) => closed_socket_tips(sub),
        (Cause::Scan, _) => scan_tips(sub),
        (Cause::GracefulClose, _) => vec![tip(
            "Benign: the RST came after the FIN exchange, so all data had been delivered.".to_string(),
            &[],
        )],
        (Cause::RetransmitTimeout, _) => vec![tip(
            format!("The sender gave up after {} unanswered retransmissions: look for packet loss, a blackhole route or an MTU problem on the path.", seen.retransmissions),
            &["tracepath -n HOST", "ping -M do -s 1472 HOST"],
        )],
        (Cause::Unknown, _) if sub == Some(SubCause::MptcpSubflow) => vec![tip(
            "An MPTCP endpoint closed one subflow; its reason code is in the evidence. The MPTCP connection can go on over its other subflows: look further only if subflows keep being reset (the path manager's limits and endpoints, MPTCP's error counters).".to_string(),
            &["ip mptcp limits show", "ip mptcp endpoint show", "nstat -az | grep -i mptcp"],
        )],
        (Cause::Unknown, _) => vec![tip(
            "Too little context to explain this reset: capture closer to both ends, including the connection's start.".to_string(),
            &[],
        )],
    }
}

/// What to do about an application's abort, by how it looked.
fn app_abort_tips(sub: Option<SubCause>, port: &str) -> Vec<Tip> {
    match sub {
        Some(SubCause::ConnectProbe) => vec![tip(
            format!("A connection opened and reset at once with no data: typical of load-balancer or monitoring health checks on port {port}. Expected if the source is your checker; otherwise find who probes the port."),
            &[&format!("tcpdump -ni any 'tcp port {port} and tcp[tcpflags] & tcp-rst != 0'")],
        )],
        Some(SubCause::RequestTimeout) => vec![tip(
            format!("The client stopped waiting for an answer the server had acknowledged but never sent: look at the server's (or its backend's) latency on port {port}, and at the client's request timeout."),
            &[],
        )],
        Some(SubCause::ZeroWindow) => vec![tip(
            "The receiver's window stayed shut (its application stopped reading) and the sender gave up: find why the receiving application stalled; the network is not at fault.".to_string(),
            &["ss -tnp state established '( rcv-q > 0 )'"],
        )],
        Some(SubCause::SpeculativeConnect) => vec![tip(
            "Benign: the client dropped a connection it opened speculatively (a browser's preconnect or the losing attempt of happy eyeballs).".to_string(),
            &[],
        )],
        _ => vec![tip(
            "The application aborted the connection: read its logs around this time; close sockets only after reading all pending data, and avoid SO_LINGER 0 unless an abort is meant.".to_string(),
            &["journalctl --since '-10 min'"],
        )],
    }
}

/// What to do about a reset from a host that had closed its side.
fn closed_socket_tips(sub: Option<SubCause>) -> Vec<Tip> {
    match sub {
        Some(SubCause::HalfOpen) => vec![tip(
            "The host no longer had this connection (it rebooted or its process restarted) and its kernel reset the peer's next segment. Expected after a restart; let the peer reconnect, and use keepalives to find such half-open connections sooner.".to_string(),
            &["sysctl -w net.ipv4.tcp_keepalive_time=300"],
        )],
        Some(SubCause::ChallengeAck) => vec![tip(
            "The client reconnected from a port whose old connection the server still held; the server's challenge ACK (RFC 5961) was answered by the client's RST, which clears the old connection. Benign; the next SYN gets through.".to_string(),
            &[],
        )],
        _ => vec![tip(
            "Data arrived after the host had closed its side. Make the protocol's close handshake explicit (e.g. HTTP keep-alive timeouts: the client's pool timeout must be shorter than the server's), and retry idempotent requests.".to_string(),
            &[],
        )],
    }
}

/// What to do about a scan, by how it probed.
fn scan_tips(sub_cause: Option<SubCause>) -> Vec<Tip> {
    let what = match sub_cause {
        Some(SubCause::FinProbe | SubCause::NullProbe | SubCause::XmasProbe) => {
            "A stealth port scan (FIN/NULL/Xmas probes): the RSTs are closed ports answering, as RFC 9293 requires. A stateful firewall drops such probes before they reach the host"
        }
        Some(SubCause::ConnectScan) => {
            "A connect() scan: the scanner completes each handshake and resets at once"
        }
        Some(SubCause::CraftedFlags) => {
            "A crafted packet with impossible flags (OS fingerprinting or fuzzing)"
        }
        _ => "A half-open (SYN) scan: the scanner resets each handshake it provoked",
    };
    vec![tip(
        format!("{what}. Usually benign if it is your own scanner; otherwise rate-limit or block the source, and drop packets conntrack marks INVALID."),
        &["iptables -A INPUT -m conntrack --ctstate INVALID -j DROP", "nft add rule inet filter input ct state invalid drop"],
    )]
}
