//! The tables' filter box. It takes what a network engineer types by habit:
//! Wireshark display filters (`ip.addr==10.0.0.5`, `tcp.port eq 443`,
//! `tcp.stream eq 3`, `frame.number==12`, with `and`/`&&`, `or`/`||`,
//! `not`/`!` and parentheses, as Wireshark's own conversation filters are
//! written), tcpdump terms (`host 10.0.0.5`, `port 443`, `net 10.0.0.0/8`,
//! `src`/`dst`), and bare addresses, `:port` or `address:port`. Anything
//! else is refused with a message saying what it takes: a filter never
//! silently shows nothing because it was misread.

use std::fmt;
use std::net::IpAddr;

use rstscope_core::report::Endpoint as End;

/// A parsed filter; the empty filter keeps every row.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Query(Option<Expr>);

#[derive(Clone, Debug, PartialEq)]
enum Expr {
    Or(Vec<Expr>),
    And(Vec<Expr>),
    Not(Box<Expr>),
    Term(Term),
}

#[derive(Clone, Debug, PartialEq)]
enum Term {
    /// An address, or a network with a prefix length.
    Host(Dir, IpAddr, u8),
    Port(Dir, u16),
    Endpoint(IpAddr, u16),
    Stream(u32),
    Frame(u64),
    /// Part of an address being typed ("10.0."): matched as text.
    Partial(String),
}

/// Which end of a row a term looks at.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Dir {
    Either,
    Src,
    Dst,
}

/// What a filter is matched against: a reset (its packet's source and
/// destination) or a connection (client and server).
pub struct Row<'a> {
    pub src: End,
    pub dst: End,
    pub stream: Option<u32>,
    /// The frames it stands for: a reset's own, a connection's resets.
    pub frames: &'a [u64],
}

/// Why a filter was refused, in words for the user.
#[derive(Clone, Debug, PartialEq)]
pub struct FilterError(pub String);

impl fmt::Display for FilterError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {SYNTAX}", self.0)
    }
}

/// What the box takes, said whenever it cannot read a filter.
pub const SYNTAX: &str = "The filter takes Wireshark terms (ip.addr==10.0.0.5, tcp.port==443, \
tcp.stream eq 3, frame.number==12, joined by and/or/not) or tcpdump terms (host 10.0.0.5, \
port 443, net 10.0.0.0/8, src/dst).";

impl Query {
    pub fn parse(text: &str) -> Result<Self, FilterError> {
        let tokens = tokenize(text);
        if tokens.is_empty() {
            return Ok(Self(None));
        }
        let mut parser = Parser { tokens, at: 0 };
        let expr = parser.or()?;
        match parser.peek() {
            None => Ok(Self(Some(expr))),
            Some(")") => Err(FilterError("A \")\" has no \"(\" to close.".into())),
            Some(token) => Err(FilterError(format!("\"{token}\" is not understood here."))),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_none()
    }

    pub fn keeps(&self, row: &Row<'_>) -> bool {
        self.0.as_ref().is_none_or(|expr| expr.keeps(row))
    }
}

/// The filter as it was understood, to show under the box.
impl fmt::Display for Query {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            None => write!(f, "everything"),
            Some(expr) => write!(f, "{expr}"),
        }
    }
}

impl Expr {
    fn keeps(&self, s: &Row<'_>) -> bool {
        match self {
            Self::Or(all) => all.iter().any(|e| e.keeps(s)),
            Self::And(all) => all.iter().all(|e| e.keeps(s)),
            Self::Not(e) => !e.keeps(s),
            Self::Term(term) => term.keeps(s),
        }
    }
}

impl Term {
    fn keeps(&self, s: &Row<'_>) -> bool {
        let ends = |dir: Dir| match dir {
            Dir::Either => [Some(s.src), Some(s.dst)],
            Dir::Src => [Some(s.src), None],
            Dir::Dst => [None, Some(s.dst)],
        };
        match self {
            Self::Host(dir, net, prefix) => ends(*dir)
                .iter()
                .flatten()
                .any(|end| in_network(end.ip, *net, *prefix)),
            Self::Port(dir, port) => ends(*dir).iter().flatten().any(|end| end.port == *port),
            Self::Endpoint(ip, port) => [s.src, s.dst].contains(&End::new(*ip, *port)),
            Self::Stream(n) => s.stream == Some(*n),
            Self::Frame(n) => s.frames.contains(n),
            // What is being typed matches the endpoint as the table shows it.
            Self::Partial(text) => [s.src, s.dst]
                .iter()
                .any(|end| end.to_string().contains(text.as_str())),
        }
    }
}

fn in_network(ip: IpAddr, net: IpAddr, prefix: u8) -> bool {
    let bits = |ip: IpAddr| match ip {
        IpAddr::V4(v4) => (u128::from(v4.to_bits()) << 96, 32),
        IpAddr::V6(v6) => (v6.to_bits(), 128),
    };
    let ((a, width), (b, net_width)) = (bits(ip), bits(net));
    if width != net_width {
        return false;
    }
    let prefix = u32::from(prefix.min(width as u8));
    let mask = u128::MAX.checked_shl(128 - prefix).unwrap_or(0);
    a & mask == b & mask
}

/// Words, with parentheses and the operators `==`, `!=`, `&&`, `||`, `!`
/// split off even when written without spaces.
fn tokenize(text: &str) -> Vec<String> {
    let mut tokens = Vec::new();
    let mut word = String::new();
    let mut chars = text.chars().peekable();
    let flush = |word: &mut String, tokens: &mut Vec<String>| {
        if !word.is_empty() {
            tokens.push(std::mem::take(word));
        }
    };
    while let Some(c) = chars.next() {
        let next = chars.peek().copied();
        let operator = match (c, next) {
            ('=', Some('=')) | ('!', Some('=')) | ('&', Some('&')) | ('|', Some('|')) => {
                chars.next();
                Some(format!("{c}{c2}", c2 = next.unwrap_or_default()))
            }
            ('(' | ')' | '!', _) => Some(c.to_string()),
            _ => None,
        };
        if let Some(op) = operator {
            flush(&mut word, &mut tokens);
            tokens.push(op);
        } else if c.is_whitespace() {
            flush(&mut word, &mut tokens);
        } else {
            word.push(c);
        }
    }
    flush(&mut word, &mut tokens);
    tokens
}

struct Parser {
    tokens: Vec<String>,
    at: usize,
}

impl Parser {
    fn peek(&self) -> Option<&str> {
        self.tokens.get(self.at).map(String::as_str)
    }

    fn next(&mut self) -> Option<String> {
        let token = self.tokens.get(self.at).cloned();
        self.at += usize::from(token.is_some());
        token
    }

    fn eat(&mut self, words: &[&str]) -> bool {
        let found = self
            .peek()
            .is_some_and(|t| words.iter().any(|w| t.eq_ignore_ascii_case(w)));
        self.at += usize::from(found);
        found
    }

    fn or(&mut self) -> Result<Expr, FilterError> {
        let mut all = vec![self.and()?];
        while self.eat(&["or", "||"]) {
            all.push(self.and()?);
        }
        Ok(if all.len() == 1 {
            all.remove(0)
        } else {
            Expr::Or(all)
        })
    }

    /// Terms side by side are joined by "and", as in tcpdump.
    fn and(&mut self) -> Result<Expr, FilterError> {
        let mut all = vec![self.unary()?];
        loop {
            let explicit = self.eat(&["and", "&&"]);
            match self.peek() {
                None | Some(")") if !explicit => break,
                Some(t) if !explicit && (t.eq_ignore_ascii_case("or") || t == "||") => break,
                _ => all.push(self.unary()?),
            }
        }
        Ok(if all.len() == 1 {
            all.remove(0)
        } else {
            Expr::And(all)
        })
    }

    fn unary(&mut self) -> Result<Expr, FilterError> {
        if self.eat(&["not", "!"]) {
            return Ok(Expr::Not(Box::new(self.unary()?)));
        }
        if self.eat(&["("]) {
            let inner = self.or()?;
            if !self.eat(&[")"]) {
                return Err(FilterError("A \"(\" is not closed.".into()));
            }
            return Ok(inner);
        }
        self.term()
    }

    fn term(&mut self) -> Result<Expr, FilterError> {
        let Some(word) = self.next() else {
            return Err(FilterError(
                "The filter ends where a term should follow.".into(),
            ));
        };
        let lower = word.to_ascii_lowercase();
        if let Some(field) = Field::named(&lower) {
            return self.field_term(field, &word);
        }
        if matches!(self.peek(), Some("==" | "!=" | "eq" | "ne")) {
            return Err(FilterError(format!(
                "\"{word}\" is not a field this filter knows (it knows {}).",
                Field::NAMES
            )));
        }
        let dir = match lower.as_str() {
            "src" => Some(Dir::Src),
            "dst" => Some(Dir::Dst),
            _ => None,
        };
        let keyword = match dir {
            Some(_) => self.next().unwrap_or_default().to_ascii_lowercase(),
            None => lower,
        };
        let dir = dir.unwrap_or(Dir::Either);
        let term = match keyword.as_str() {
            "host" | "net" => {
                let value = self.value(&keyword)?;
                net(&value).map(|(ip, prefix)| Term::Host(dir, ip, prefix))
            }
            "port" => {
                let value = self.value(&keyword)?;
                value.parse().ok().map(|p| Term::Port(dir, p))
            }
            _ if dir != Dir::Either => {
                return Err(FilterError(format!(
                    "\"{word}\" must be followed by host, net or port."
                )))
            }
            _ => bare(&word),
        };
        term.map(Expr::Term)
            .ok_or_else(|| FilterError(format!("\"{word}\" is not understood.")))
    }

    /// `field == value`, `field eq value` or `field != value`.
    fn field_term(&mut self, field: Field, name: &str) -> Result<Expr, FilterError> {
        let negated = match self.next().as_deref() {
            Some("==" | "eq" | "EQ" | "=") => false,
            Some("!=" | "ne" | "NE") => true,
            _ => {
                return Err(FilterError(format!(
                    "\"{name}\" needs a comparison, e.g. {name} == {}.",
                    field.example()
                )))
            }
        };
        let value = self.value(name)?;
        let term = field.term(&value).ok_or_else(|| {
            FilterError(format!(
                "\"{value}\" is not a valid value for {name} (e.g. {}).",
                field.example()
            ))
        })?;
        let expr = Expr::Term(term);
        Ok(if negated {
            Expr::Not(Box::new(expr))
        } else {
            expr
        })
    }

    fn value(&mut self, after: &str) -> Result<String, FilterError> {
        match self.next() {
            Some(value) if !matches!(value.as_str(), "(" | ")" | "&&" | "||" | "!") => Ok(value),
            _ => Err(FilterError(format!("\"{after}\" needs a value after it."))),
        }
    }
}

/// Wireshark fields the filter knows.
#[derive(Clone, Copy)]
enum Field {
    Addr(Dir),
    Port(Dir),
    Stream,
    Frame,
}

impl Field {
    const NAMES: &'static str = "ip.addr, ip.src, ip.dst, the same with ipv6., tcp.port, \
tcp.srcport, tcp.dstport, tcp.stream and frame.number";

    fn named(name: &str) -> Option<Self> {
        Some(match name {
            "ip.addr" | "ipv6.addr" | "ip.host" | "ipv6.host" => Self::Addr(Dir::Either),
            "ip.src" | "ipv6.src" => Self::Addr(Dir::Src),
            "ip.dst" | "ipv6.dst" => Self::Addr(Dir::Dst),
            "tcp.port" => Self::Port(Dir::Either),
            "tcp.srcport" => Self::Port(Dir::Src),
            "tcp.dstport" => Self::Port(Dir::Dst),
            "tcp.stream" => Self::Stream,
            "frame.number" => Self::Frame,
            _ => return None,
        })
    }

    fn term(self, value: &str) -> Option<Term> {
        match self {
            Self::Addr(dir) => net(value).map(|(ip, prefix)| Term::Host(dir, ip, prefix)),
            Self::Port(dir) => value.parse().ok().map(|p| Term::Port(dir, p)),
            Self::Stream => value.parse().ok().map(Term::Stream),
            Self::Frame => value.parse().ok().map(Term::Frame),
        }
    }

    fn example(self) -> &'static str {
        match self {
            Self::Addr(_) => "10.0.0.5",
            Self::Port(_) => "443",
            Self::Stream => "3",
            Self::Frame => "12",
        }
    }
}

/// "10.0.0.5" or "10.0.0.0/8" (a prefix longer than the address is refused).
fn net(text: &str) -> Option<(IpAddr, u8)> {
    let (addr, prefix) = match text.split_once('/') {
        Some((addr, prefix)) => (addr, Some(prefix.parse::<u8>().ok()?)),
        None => (text, None),
    };
    let ip: IpAddr = addr.parse().ok()?;
    let width = if ip.is_ipv4() { 32 } else { 128 };
    match prefix {
        Some(p) if p > width => None,
        Some(p) => Some((ip, p)),
        None => Some((ip, width)),
    }
}

/// A word on its own: an address or network, "443" or ":443", "address:port", or
/// part of an address being typed.
fn bare(word: &str) -> Option<Term> {
    if let Some((ip, prefix)) = net(word) {
        return Some(Term::Host(Dir::Either, ip, prefix));
    }
    // A number alone is a port, the usual reason to type one.
    if let Some(port) = word.strip_prefix(':').or(Some(word)) {
        if let Ok(port) = port.parse() {
            return Some(Term::Port(Dir::Either, port));
        }
    }
    if let Ok(end) = word.parse::<End>() {
        return Some(Term::Endpoint(end.ip, end.port));
    }
    let address_like = word
        .chars()
        .all(|c| c.is_ascii_hexdigit() || matches!(c, '.' | ':' | '[' | ']'));
    let digits_only = word.chars().all(|c| c.is_ascii_digit());
    (address_like && !digits_only && word.contains(['.', ':'])).then(|| Term::Partial(word.into()))
}

impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let join = |f: &mut fmt::Formatter<'_>, all: &[Expr], word: &str| {
            for (i, e) in all.iter().enumerate() {
                if i > 0 {
                    write!(f, " {word} ")?;
                }
                match e {
                    Expr::Or(_) | Expr::And(_) => write!(f, "({e})")?,
                    _ => write!(f, "{e}")?,
                }
            }
            Ok(())
        };
        match self {
            Self::Or(all) => join(f, all, "or"),
            Self::And(all) => join(f, all, "and"),
            Self::Not(e) => match **e {
                Expr::Term(_) | Expr::Not(_) => write!(f, "not {e}"),
                _ => write!(f, "not ({e})"),
            },
            Self::Term(term) => write!(f, "{term}"),
        }
    }
}

impl fmt::Display for Term {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let dir = |d: Dir| match d {
            Dir::Either => "",
            Dir::Src => "source ",
            Dir::Dst => "destination ",
        };
        match self {
            Self::Host(d, ip, prefix) if u32::from(*prefix) == width(*ip) => {
                write!(f, "{}host {ip}", dir(*d))
            }
            Self::Host(d, ip, prefix) => write!(f, "{}network {ip}/{prefix}", dir(*d)),
            Self::Port(d, port) => write!(f, "{}port {port}", dir(*d)),
            Self::Endpoint(ip @ IpAddr::V6(_), port) => write!(f, "endpoint [{ip}]:{port}"),
            Self::Endpoint(ip, port) => write!(f, "endpoint {ip}:{port}"),
            Self::Stream(n) => write!(f, "tcp.stream {n}"),
            Self::Frame(n) => write!(f, "frame {n}"),
            Self::Partial(text) => write!(f, "an address containing \"{text}\""),
        }
    }
}

fn width(ip: IpAddr) -> u32 {
    if ip.is_ipv4() {
        32
    } else {
        128
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::{Ipv4Addr, Ipv6Addr};

    const RESET: Row<'static> = Row {
        src: End::new(IpAddr::V4(Ipv4Addr::new(10, 0, 0, 5)), 50000),
        dst: End::new(IpAddr::V4(Ipv4Addr::new(203, 0, 113, 7)), 443),
        stream: Some(3),
        frames: &[12],
    };
    const V6: Row<'static> = Row {
        src: End::new(
            IpAddr::V6(Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 1)),
            443,
        ),
        dst: End::new(
            IpAddr::V6(Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 2)),
            61000,
        ),
        stream: Some(4),
        frames: &[20, 21],
    };

    fn keeps(filter: &str, row: &Row<'_>) -> bool {
        Query::parse(filter)
            .unwrap_or_else(|e| panic!("{filter}: {e}"))
            .keeps(row)
    }

    #[test]
    fn wireshark_fields_match_either_end_or_one() {
        for yes in [
            "ip.addr==10.0.0.5",
            "ip.addr == 203.0.113.7",
            "ip.addr eq 10.0.0.5",
            "ip.src==10.0.0.5",
            "ip.dst==203.0.113.7",
            "tcp.port==443",
            "tcp.srcport == 50000",
            "tcp.dstport eq 443",
            "tcp.stream eq 3",
            "frame.number == 12",
            "ip.addr==10.0.0.0/8",
            "ip.addr != 192.0.2.1",
        ] {
            assert!(keeps(yes, &RESET), "{yes}");
        }
        for no in [
            "ip.src==203.0.113.7",
            "tcp.port==80",
            "tcp.srcport==443",
            "tcp.stream eq 4",
            "frame.number==13",
            "ip.addr==192.168.0.0/16",
            "ip.addr != 10.0.0.5",
        ] {
            assert!(!keeps(no, &RESET), "{no}");
        }
        assert!(keeps("ipv6.addr==2001:db8::2 && tcp.port==61000", &V6));
        assert!(keeps("frame.number==21", &V6));
    }

    #[test]
    fn tcpdump_terms_and_bare_words() {
        for yes in [
            "host 10.0.0.5",
            "port 443",
            "src port 50000",
            "dst host 203.0.113.7",
            "net 203.0.113.0/24",
            "10.0.0.5",
            ":443",
            "443",
            "10.0.0.5:50000",
            "host 10.0.0.5 and port 443",
            "host 10.0.0.5 port 443",
            "10.0.",
        ] {
            assert!(keeps(yes, &RESET), "{yes}");
        }
        for no in [
            "src port 443",
            "10.0.0.50",
            "host 10.0.0.6",
            ":80",
            "10.0.0.5:443",
        ] {
            assert!(!keeps(no, &RESET), "{no}");
        }
        assert!(keeps("[2001:db8::1]:443", &V6));
        assert!(keeps("2001:db8::/32", &V6));
    }

    #[test]
    fn conversation_filters_as_wireshark_and_rstscope_write_them() {
        let wireshark = "(ip.addr eq 10.0.0.5 and ip.addr eq 203.0.113.7) and (tcp.port eq 50000 and tcp.port eq 443)";
        assert!(keeps(wireshark, &RESET));
        let ours = rstscope_core::filters::conversation(RESET.src, RESET.dst);
        assert!(keeps(&ours, &RESET));
        assert!(!keeps(&ours, &V6));
        let bpf = rstscope_core::filters::bpf(RESET.src, RESET.dst);
        assert!(keeps(bpf.trim_start_matches("tcp and "), &RESET));
    }

    #[test]
    fn or_not_and_precedence() {
        assert!(keeps("port 80 or port 443", &RESET));
        assert!(keeps("port 80 || host 10.0.0.5 && port 443", &RESET));
        assert!(!keeps("not port 443", &RESET));
        assert!(keeps("!(port 80 or host 192.0.2.1)", &RESET));
        assert!(!keeps("!port 443 or port 80", &RESET));
        assert!(keeps("not not port 443", &RESET));
    }

    #[test]
    fn the_understood_filter_is_said_back() {
        let shown = |text: &str| Query::parse(text).unwrap().to_string();
        assert_eq!(shown(""), "everything");
        assert_eq!(shown("443"), "port 443");
        assert_eq!(
            shown("src host 10.0.0.5 && tcp.port==443"),
            "source host 10.0.0.5 and port 443"
        );
        assert_eq!(
            shown("ip.addr==10.0.0.0/8 or not :80"),
            "network 10.0.0.0/8 or not port 80"
        );
        assert_eq!(
            shown("tcp.stream eq 3 and (port 1 or port 2)"),
            "tcp.stream 3 and (port 1 or port 2)"
        );
        assert_eq!(shown("[::1]:80"), "endpoint [::1]:80");
    }

    #[test]
    fn what_it_cannot_read_is_refused_with_the_syntax() {
        for (bad, says) in [
            (
                "ip.adr==10.0.0.5",
                "\"ip.adr\" is not a field this filter knows",
            ),
            ("tcp.flags.reset == 1", "\"tcp.flags.reset\" is not a field"),
            ("ip.addr", "needs a comparison"),
            ("ip.addr==", "needs a value"),
            ("ip.addr==banana", "not a valid value for ip.addr"),
            ("tcp.port==99999", "not a valid value"),
            ("port", "needs a value"),
            ("src 10.0.0.5", "must be followed by host, net or port"),
            ("(port 443", "not closed"),
            ("port 443)", "no \"(\""),
            ("port 443 and", "ends where a term"),
            ("ip.addr==10.0.0.0/33", "not a valid value"),
            ("http", "\"http\" is not understood"),
        ] {
            let err = Query::parse(bad).expect_err(bad);
            let text = err.to_string();
            assert!(text.contains(says), "{bad}: {text}");
            assert!(text.ends_with(SYNTAX), "{bad}: {text}");
        }
    }

    #[test]
    fn an_empty_filter_keeps_everything() {
        let query = Query::parse("   ").unwrap();
        assert!(query.is_empty());
        assert!(query.keeps(&RESET));
    }
}
