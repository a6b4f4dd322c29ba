//! The vocabulary of ground-truth labels: sub-causes, and reading the
//! report's kebab-case names back into its enums (for the TSV label files).

use rstscope_core::report::{Cause, Origin, Sender};

/// A finer cause, named as the report's `sub_cause` names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SubCause {
    /// A firewall's `REJECT --reject-with tcp-reset` refused the SYN.
    FirewallReject,
    /// A stateful firewall marked a segment conntrack-INVALID and rejected it.
    ConntrackInvalid,
    /// A NAT, firewall or load balancer forgot an idle flow.
    StateExpired,
    /// One end lost the connection's state (reboot, crash) while the other kept it.
    HalfOpen,
    /// Data reached a socket whose application had already closed it.
    DataAfterClose,
    /// A reset after the FINs of an orderly close.
    RstAfterFin,
    /// A load balancer's health check: connect, then reset at once.
    ConnectProbe,
    /// The same by a connect() scanner sweeping ports or hosts (nmap -sT).
    ConnectScan,
    FinProbe,
    NullProbe,
    XmasProbe,
    /// The application closed with unread bytes in its receive buffer, so
    /// the kernel reset instead of sending FIN (RFC 2525 §2.17).
    UnreadData,
    /// The peer's receive window stayed closed until the application gave up.
    ZeroWindow,
    /// The application gave up waiting for an answer to its request.
    RequestTimeout,
    /// A speculative or racing connection (preconnect, happy eyeballs) the
    /// client no longer needed.
    SpeculativeConnect,
    /// The answer to an RFC 5961 challenge ACK from a host without the connection.
    ChallengeAck,
    /// An inline IPS blocked the flow on a signature match.
    IpsBlock,
    /// A full proxy relays the reset of the backend behind it.
    BackendReset,
    /// An MPTCP endpoint closed one subflow (an MP_TCPRST option).
    MptcpSubflow,
}

impl SubCause {
    pub const ALL: [SubCause; 19] = [
        SubCause::FirewallReject,
        SubCause::ConntrackInvalid,
        SubCause::StateExpired,
        SubCause::HalfOpen,
        SubCause::DataAfterClose,
        SubCause::RstAfterFin,
        SubCause::ConnectProbe,
        SubCause::ConnectScan,
        SubCause::FinProbe,
        SubCause::NullProbe,
        SubCause::XmasProbe,
        SubCause::UnreadData,
        SubCause::ZeroWindow,
        SubCause::RequestTimeout,
        SubCause::SpeculativeConnect,
        SubCause::ChallengeAck,
        SubCause::IpsBlock,
        SubCause::BackendReset,
        SubCause::MptcpSubflow,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            SubCause::FirewallReject => "firewall-reject",
            SubCause::ConntrackInvalid => "conntrack-invalid",
            SubCause::StateExpired => "state-expired",
            SubCause::HalfOpen => "half-open",
            SubCause::DataAfterClose => "data-after-close",
            SubCause::RstAfterFin => "rst-after-fin",
            SubCause::ConnectProbe => "connect-probe",
            SubCause::ConnectScan => "connect-scan",
            SubCause::FinProbe => "fin-probe",
            SubCause::NullProbe => "null-probe",
            SubCause::XmasProbe => "xmas-probe",
            SubCause::UnreadData => "unread-data",
            SubCause::ZeroWindow => "zero-window",
            SubCause::RequestTimeout => "request-timeout",
            SubCause::SpeculativeConnect => "speculative-connect",
            SubCause::ChallengeAck => "challenge-ack",
            SubCause::IpsBlock => "ips-block",
            SubCause::BackendReset => "backend-reset",
            SubCause::MptcpSubflow => "mptcp-subflow",
        }
    }
}

pub fn parse_sender(text: &str) -> Option<Sender> {
    Sender::ALL.iter().copied().find(|s| s.as_str() == text)
}

pub fn parse_origin(text: &str) -> Option<Origin> {
    Origin::ALL.iter().copied().find(|o| o.as_str() == text)
}

pub fn parse_cause(text: &str) -> Option<Cause> {
    Cause::ALL.iter().copied().find(|c| c.as_str() == text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_read_back() {
        assert_eq!(parse_cause("closed-socket"), Some(Cause::ClosedSocket));
        assert_eq!(parse_origin("middlebox"), Some(Origin::Middlebox));
        assert_eq!(parse_sender("client"), Some(Sender::Client));
        assert_eq!(parse_cause("closed_socket"), None);
        let names: std::collections::BTreeSet<_> =
            SubCause::ALL.iter().map(|s| s.as_str()).collect();
        assert_eq!(
            names.len(),
            SubCause::ALL.len(),
            "sub-cause names are distinct"
        );
    }
}
