//! An address and a port: one end of a connection. The JSON writes it as
//! the string it always was, "10.0.0.1:443" or "[2001:db8::1]:443", and
//! reads it back from that string, so front ends get the typed value and
//! never parse it again.

use core::fmt;
use core::net::{IpAddr, Ipv4Addr};
use core::str::FromStr;

use serde::{de, Deserialize, Deserializer, Serialize, Serializer};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Endpoint {
    pub ip: IpAddr,
    pub port: u16,
}

impl Endpoint {
    pub const fn new(ip: IpAddr, port: u16) -> Self {
        Self { ip, port }
    }

    /// Passes "a.b.c.d:port", as [`Display`](fmt::Display) writes it, to
    /// `f` without formatting or allocating (the CLI's JSON writes two per
    /// connection); `None` for IPv6.
    pub fn with_v4_text<R>(&self, f: impl FnOnce(&str) -> R) -> Option<R> {
        match self.ip {
            IpAddr::V4(v4) => Some(f(v4_text(v4, self.port).as_str())),
            IpAddr::V6(_) => None,
        }
    }
}

/// 0.0.0.0:0, the unspecified address.
impl Default for Endpoint {
    fn default() -> Self {
        Self::new(IpAddr::V4(core::net::Ipv4Addr::UNSPECIFIED), 0)
    }
}

impl From<(IpAddr, u16)> for Endpoint {
    fn from((ip, port): (IpAddr, u16)) -> Self {
        Self { ip, port }
    }
}

/// "ip:port", with IPv6 addresses in brackets. IPv4 addresses and ports are
/// written digit by digit into a buffer on the stack: through the standard
/// formatting an endpoint cost ten times as much, and a report has two per
/// connection and per reset.
impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.ip {
            IpAddr::V4(v4) => f.write_str(v4_text(v4, self.port).as_str()),
            IpAddr::V6(v6) => {
                let mut port = Digits::default();
                port.push(b':');
                port.decimal(self.port);
                write!(f, "[{v6}]{}", port.as_str())
            }
        }
    }
}

/// "a.b.c.d:port", written without the formatting machinery: a report
/// holds two per connection, and `collect_str` through `Display` cost a
/// tenth of the CLI's instructions on a flood.
fn v4_text(v4: Ipv4Addr, port: u16) -> Digits {
    let mut buf = Digits::default();
    let [a, b, c, d] = v4.octets();
    for (octet, dot) in [(a, true), (b, true), (c, true), (d, false)] {
        buf.decimal(u16::from(octet));
        if dot {
            buf.push(b'.');
        }
    }
    buf.push(b':');
    buf.decimal(port);
    buf
}

/// Room for "255.255.255.255:65535".
#[derive(Default)]
struct Digits {
    bytes: [u8; 21],
    len: usize,
}

impl Digits {
    fn push(&mut self, byte: u8) {
        if let Some(slot) = self.bytes.get_mut(self.len) {
            *slot = byte;
            self.len += 1;
        }
    }

    /// `n` (at most 65 535: an octet or a port) in decimal, by constant
    /// divisors: two endpoints per listed connection.
    fn decimal(&mut self, n: u16) {
        for unit in [10_000, 1_000, 100, 10] {
            if n >= unit {
                // A digit is < 10: the cast keeps every bit.
                self.push(b'0' + (n / unit % 10) as u8);
            }
        }
        self.push(b'0' + (n % 10) as u8);
    }

    fn as_str(&self) -> &str {
        let written = self.bytes.get(..self.len).unwrap_or_default();
        core::str::from_utf8(written).unwrap_or_default()
    }
}

/// The text was not "ip:port" (or "[v6]:port").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NotAnEndpoint;

impl fmt::Display for NotAnEndpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("not an endpoint: expected \"ip:port\" or \"[ipv6]:port\"")
    }
}

impl FromStr for Endpoint {
    type Err = NotAnEndpoint;

    fn from_str(text: &str) -> Result<Self, NotAnEndpoint> {
        let (addr, port) = match text.strip_prefix('[') {
            Some(v6) => v6.split_once("]:"),
            None => text.rsplit_once(':'),
        }
        .ok_or(NotAnEndpoint)?;
        let ip = addr.parse().map_err(|_| NotAnEndpoint)?;
        let port = port.parse().map_err(|_| NotAnEndpoint)?;
        Ok(Self { ip, port })
    }
}

impl Serialize for Endpoint {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self.ip {
            IpAddr::V4(v4) => serializer.serialize_str(v4_text(v4, self.port).as_str()),
            IpAddr::V6(_) => serializer.collect_str(self),
        }
    }
}

impl<'de> Deserialize<'de> for Endpoint {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Text;
        impl de::Visitor<'_> for Text {
            type Value = Endpoint;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an endpoint, \"ip:port\" or \"[ipv6]:port\"")
            }
            fn visit_str<E: de::Error>(self, text: &str) -> Result<Endpoint, E> {
                text.parse()
                    .map_err(|_| E::invalid_value(de::Unexpected::Str(text), &self))
            }
        }
        deserializer.deserialize_str(Text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;
    use core::net::{Ipv4Addr, Ipv6Addr};

    #[test]
    fn endpoints_read_as_display_writes_them() {
        let cases = [
            (IpAddr::V4(Ipv4Addr::new(0, 0, 0, 0)), 0, "0.0.0.0:0"),
            (IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1)), 443, "10.0.0.1:443"),
            (
                IpAddr::V4(Ipv4Addr::new(255, 255, 255, 255)),
                65535,
                "255.255.255.255:65535",
            ),
            (
                IpAddr::V4(Ipv4Addr::new(192, 168, 100, 9)),
                4430,
                "192.168.100.9:4430",
            ),
            (
                IpAddr::V4(Ipv4Addr::new(9, 10, 99, 100)),
                10000,
                "9.10.99.100:10000",
            ),
            (
                IpAddr::V4(Ipv4Addr::new(1, 20, 199, 200)),
                9,
                "1.20.199.200:9",
            ),
            (IpAddr::V6(Ipv6Addr::LOCALHOST), 80, "[::1]:80"),
            (IpAddr::V6(Ipv6Addr::UNSPECIFIED), 0, "[::]:0"),
            (
                "::ffff:10.0.0.1".parse().unwrap(),
                8080,
                "[::ffff:10.0.0.1]:8080",
            ),
            ("2001:db8::1".parse().unwrap(), 8080, "[2001:db8::1]:8080"),
        ];
        for (ip, port, text) in cases {
            let endpoint = Endpoint::new(ip, port);
            assert_eq!(endpoint.to_string(), text);
            assert_eq!(text.parse(), Ok(endpoint));
            let json = serde_json::to_string(&endpoint).unwrap();
            assert_eq!(json, alloc::format!("\"{text}\""));
            assert_eq!(serde_json::from_str::<Endpoint>(&json).unwrap(), endpoint);
        }
    }

    #[test]
    fn v4_text_is_what_display_writes() {
        for text in [
            "0.0.0.0:0",
            "10.0.0.1:443",
            "255.255.255.255:65535",
            "1.22.103.4:8080",
        ] {
            let endpoint: Endpoint = text.parse().unwrap();
            assert_eq!(
                endpoint.with_v4_text(|t| t.to_string()).as_deref(),
                Some(text)
            );
        }
        let v6: Endpoint = "[2001:db8::1]:443".parse().unwrap();
        assert_eq!(v6.with_v4_text(|t| t.len()), None);
    }

    #[test]
    fn text_that_is_no_endpoint_is_refused() {
        for text in [
            "",
            "[",
            "[::1",
            "[::1]443",
            ":",
            "nothing",
            "[]:",
            "10.0.0.1:99999",
            "10.0.0.1",
        ] {
            assert_eq!(text.parse::<Endpoint>(), Err(NotAnEndpoint), "{text}");
        }
        assert!(serde_json::from_str::<Endpoint>("\"10.0.0.1\"").is_err());
        assert!(serde_json::from_str::<Endpoint>("443").is_err());
    }
}
