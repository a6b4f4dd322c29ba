//! What a capture's link layer records about a packet beyond its addresses:
//! the radio that carried it, the firewall rule that logged it, the process
//! that owned it. Borrowed from the frame and `Copy`: carrying it costs no
//! allocation, so every packet can have it.

use serde::{Deserialize, Serialize};

/// Link-layer facts about one packet; each part is present only when the
/// capture's link type records it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LinkMeta<'a> {
    /// An 802.11 data frame (monitor-mode capture).
    pub wifi: Option<WifiMeta>,
    /// A packet logged by a netfilter rule (Linux NFLOG).
    pub nflog: Option<NflogMeta<'a>>,
    /// The process that sent or received the packet (Apple PKTAP, or the
    /// process blocks of macOS `tcpdump -k` pcapng files).
    pub process: Option<ProcessMeta<'a>>,
}

/// One 802.11 transmission as a monitor-mode capture saw it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct WifiMeta {
    /// The Retry bit: this transmission repeats an earlier one of the same
    /// frame (same transmitter and sequence number).
    pub retry: bool,
    /// The 12-bit sequence number of the MAC frame.
    pub sequence: u16,
    /// Transmitter address (Address 2).
    pub transmitter: [u8; 6],
    /// QoS traffic identifier; sequence numbers count per TID. `None` for
    /// non-QoS data frames.
    pub tid: Option<u8>,
    pub radio: Radio,
}

/// What the radio header (radiotap, PPI, Prism, AVS) said about reception.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Radio {
    /// Received signal strength in dBm.
    pub signal_dbm: Option<i8>,
    /// Noise floor in dBm.
    pub noise_dbm: Option<i8>,
    /// PHY data rate in kbit/s (legacy rate, or HT/VHT MCS worked out).
    pub rate_kbps: Option<u32>,
    /// Channel centre frequency in MHz.
    pub channel_mhz: Option<u16>,
}

/// A packet logged by `iptables ... -j NFLOG` / nftables `log group N`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct NflogMeta<'a> {
    /// The rule's `--nflog-prefix` / `log prefix` (empty when it has none).
    pub prefix: &'a str,
    /// The netfilter hook the rule sits on.
    pub hook: Option<Hook>,
    /// The NFLOG group (`nflog:N` in tcpdump).
    pub group: u16,
}

/// Netfilter hooks of the IPv4/IPv6 families, in the kernel's numbering.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Hook {
    PreRouting,
    Input,
    Forward,
    Output,
    PostRouting,
}

impl Hook {
    pub fn from_number(number: u8) -> Option<Self> {
        Some(match number {
            0 => Hook::PreRouting,
            1 => Hook::Input,
            2 => Hook::Forward,
            3 => Hook::Output,
            4 => Hook::PostRouting,
            _ => return None,
        })
    }

    /// The chain name iptables users know ("INPUT", "FORWARD", ...).
    pub fn chain(self) -> &'static str {
        match self {
            Hook::PreRouting => "PREROUTING",
            Hook::Input => "INPUT",
            Hook::Forward => "FORWARD",
            Hook::Output => "OUTPUT",
            Hook::PostRouting => "POSTROUTING",
        }
    }
}

/// The process a packet belonged to, as macOS recorded it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ProcessMeta<'a> {
    pub pid: Option<u32>,
    /// The command name (at most what the kernel keeps: 16-20 bytes in PKTAP).
    pub name: &'a str,
}

/// The longest UTF-8 prefix of `bytes` before the first NUL: names in
/// capture headers are C strings of fixed size, and a damaged one still
/// gives its readable start rather than nothing.
pub(super) fn c_str(bytes: &[u8]) -> &str {
    let end = bytes.iter().position(|&b| b == 0).unwrap_or(bytes.len());
    let bytes = bytes.get(..end).unwrap_or_default();
    match core::str::from_utf8(bytes) {
        Ok(text) => text,
        Err(err) => bytes
            .get(..err.valid_up_to())
            .and_then(|valid| core::str::from_utf8(valid).ok())
            .unwrap_or_default(),
    }
}
