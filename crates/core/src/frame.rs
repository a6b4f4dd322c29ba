//! The input of the core: one captured frame, as a capture reader hands it over.

/// A link-layer header type, as numbered by tcpdump's `LINKTYPE_*` registry
/// (the value in a pcap file header or a pcapng interface description block).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct LinkType(pub u32);

impl LinkType {
    pub const NULL: Self = Self(0);
    pub const ETHERNET: Self = Self(1);
    pub const FDDI: Self = Self(10);
    pub const RAW: Self = Self(101);
    pub const LOOP: Self = Self(108);
    pub const LINUX_SLL: Self = Self(113);
    pub const IPV4: Self = Self(228);
    pub const IPV6: Self = Self(229);
    pub const IPOIB: Self = Self(242);
    pub const LINUX_SLL2: Self = Self(276);

    /// A short lower-case name for reports ("ethernet", "linux-sll", ...).
    pub fn name(self) -> &'static str {
        match self.0 {
            0 => "null",
            1 => "ethernet",
            10 => "fddi",
            101 => "raw",
            108 => "loop",
            113 => "linux-sll",
            228 => "ipv4",
            229 => "ipv6",
            242 => "ipoib",
            276 => "linux-sll2",
            _ => "other",
        }
    }
}

/// One captured frame. Borrowed: the core copies nothing it does not keep.
#[derive(Clone, Copy, Debug)]
pub struct Frame<'a> {
    /// 1-based position in the capture file, as Wireshark numbers frames.
    pub number: u64,
    /// Capture time in nanoseconds since the Unix epoch.
    pub ts_ns: i64,
    pub link_type: LinkType,
    /// Length of the packet on the wire; larger than `data.len()` when the
    /// capture's snaplen cut it.
    pub orig_len: u32,
    /// The captured bytes, starting at the link-layer header.
    pub data: &'a [u8],
}
