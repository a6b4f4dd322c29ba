//! Labelled captures of every TCP reset cause and origin.
//!
//! Each scenario is built packet by packet from host models ([`host`]) and
//! TCP conversations ([`conversation`]) with consistent sequence numbers,
//! timing, TTLs and IP-IDs, and labels every RST it contains with the
//! verdict the engine must reach. The labels are the ground truth of the
//! verdict tests; [`sample`] is the web app's built-in example.

pub mod accuracy;
pub mod bulk;
pub mod calibrate;
pub mod conversation;
pub mod families;
pub mod host;
pub mod label;
pub mod monitor;
pub mod net;
pub mod packet;
pub mod pairs;
pub mod payload;
pub mod real;
pub mod rng;
mod sample;
mod scenarios;
pub mod write;

pub use label::SubCause;
pub use packet::Packet;
use rstscope_core::report::{Cause, Origin, Sender};
pub use sample::sample;

/// One labelled capture, before link-layer framing.
#[derive(Clone, Debug)]
pub struct Scenario {
    pub name: &'static str,
    pub description: &'static str,
    /// In capture order.
    pub packets: Vec<Packet>,
    /// Every RST in `packets`, in frame order.
    pub expected: Vec<ExpectedReset>,
}

/// The verdict the engine must reach for one RST frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ExpectedReset {
    /// 1-based frame number, as Wireshark numbers frames.
    pub frame: u64,
    pub sender: Sender,
    pub origin: Origin,
    pub cause: Cause,
    pub sub_cause: Option<SubCause>,
    /// The frame of the reset whose teardown this one answers; `None` for a
    /// root reset (or when that reset is not in the capture).
    pub consequence_of: Option<u64>,
    /// The first frame of the incident this reset belongs to: its root's
    /// for a consequence, the first reset of one actor's event (a scan, a
    /// NAT expiring a batch of flows, a censor), else its own frame.
    pub incident: u64,
}

/// The link-layer framing of a written capture.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Link {
    Ethernet,
    /// Ethernet with an 802.1Q tag.
    Vlan,
    LinuxSll,
    /// Bare IP packets (`LINKTYPE_RAW`, 101).
    RawIp,
    /// 802.11 in monitor mode with radiotap headers (127): the station's
    /// link as the monitor heard it.
    Radiotap(Radio),
    /// Linux NFLOG (239): what the capturing host's netfilter rules logged.
    Nflog,
}

/// A Wi-Fi station's link as a monitor-mode capture hears it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Radio {
    pub signal_dbm: i8,
    /// Legacy PHY rate, in radiotap's 500 kbit/s units.
    pub rate_500kbps: u8,
}

impl Link {
    pub const ALL: [Link; 4] = [Link::Ethernet, Link::Vlan, Link::LinuxSll, Link::RawIp];

    pub fn name(self) -> &'static str {
        match self {
            Link::Ethernet => "ethernet",
            Link::Vlan => "vlan",
            Link::LinuxSll => "linux-sll",
            Link::RawIp => "raw-ip",
            Link::Radiotap(_) => "radiotap",
            Link::Nflog => "nflog",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Pcap,
    PcapNg,
}

impl Format {
    pub fn extension(self) -> &'static str {
        match self {
            Format::Pcap => "pcap",
            Format::PcapNg => "pcapng",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Options {
    pub ipv6: bool,
    pub link: Link,
    pub format: Format,
    /// Same seed, same bytes.
    pub seed: u64,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            ipv6: false,
            link: Link::Ethernet,
            format: Format::PcapNg,
            seed: 1,
        }
    }
}

/// Each IP version with each link type, pcap and pcapng alternating: every
/// variant of framing at half the files of the full product.
pub fn variants() -> Vec<Options> {
    let links = [
        (Link::Ethernet, Format::PcapNg),
        (Link::Vlan, Format::Pcap),
        (Link::LinuxSll, Format::Pcap),
        (Link::RawIp, Format::PcapNg),
    ];
    [false, true]
        .into_iter()
        .flat_map(|ipv6| {
            links.map(|(link, format)| Options {
                ipv6,
                link,
                format,
                ..Options::default()
            })
        })
        .collect()
}

/// Every scenario of the catalogue, over IPv4 or IPv6 as `options` says.
pub fn catalogue(options: &Options) -> Vec<Scenario> {
    scenarios::RECIPES
        .iter()
        .map(|recipe| recipe.build(options))
        .collect()
}

/// The capture file bytes of a scenario, framed and formatted per `options`.
pub fn write(scenario: &Scenario, options: &Options) -> Vec<u8> {
    write::capture(&scenario.packets, options.link, options.format)
}
