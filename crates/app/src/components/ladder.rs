use yew::prelude::*;

use crate::format::{self, TimeMode};
use crate::glossary;
use rstscope_core::report::{Endpoint, LadderPacket, Role};

#[derive(Properties, PartialEq)]
pub struct Props {
    pub packets: Vec<LadderPacket>,
    /// Frame of the RST the ladder is drawn around.
    pub rst_frame: u64,
    /// Each end.
    pub client: Endpoint,
    pub server: Endpoint,
    /// How the time column reads, and the capture's first frame.
    pub time_mode: TimeMode,
    pub start: Option<f64>,
}

/// Drawn at its natural size; the box around it scrolls on narrow screens.
const WIDTH: f64 = 520.0;
const CLIENT_X: f64 = 112.0;
const SERVER_X: f64 = 420.0;
const HEAD: f64 = 44.0;
const ROW: f64 = 36.0;
/// How far an arrow falls between sender and receiver.
const SLANT: f64 = 10.0;
const BREAK: f64 = 26.0;
/// Silences at least this long are drawn as a break in the lifelines.
const BREAK_MS: f64 = 1000.0;

/// The packets around a reset as a sequence diagram: client and server
/// lifelines, one slanted arrow per packet, the RST in red, later packets dimmed.
#[component]
pub fn Ladder(props: &Props) -> Html {
    let packets = &props.packets;
    if packets.is_empty() {
        return html! {};
    }
    let rst_time = packets
        .iter()
        .find(|p| p.frame == props.rst_frame)
        .map_or(0.0, |p| p.time);
    let mut y = HEAD;
    let mut breaks = Vec::new();
    let mut rows = Vec::new();
    let mut after = false;
    let mut previous = None;
    for (i, packet) in packets.iter().enumerate() {
        if i > 0 && packet.gap_ms >= BREAK_MS {
            breaks.push((y, packet.gap_ms));
            y += BREAK;
        }
        let is_rst = packet.frame == props.rst_frame;
        let when = time_text(props.time_mode, packet.time, props.start, previous);
        previous = Some(packet.time);
        rows.push(arrow(packet, y, (is_rst, after), rst_time, when));
        after |= is_rst;
        y += ROW;
    }
    let height = y + 6.0;

    // Lifelines, interrupted where the connection fell silent.
    let mut segments = Vec::new();
    let mut top = HEAD - 8.0;
    for &(at, _) in &breaks {
        segments.push((top, at + 2.0));
        top = at + BREAK - 2.0;
    }
    segments.push((top, height - 4.0));
    let lifelines = segments.iter().flat_map(|&(y1, y2)| {
        [CLIENT_X, SERVER_X].map(|x| {
            html! { <line class="ladder-life" x1={x.to_string()} x2={x.to_string()}
            y1={y1.to_string()} y2={y2.to_string()} /> }
        })
    });
    let gaps = breaks.iter().map(|&(at, gap_ms)| {
        let mid = at + BREAK / 2.0;
        html! {
            <g class="ladder-break">
                { for [CLIENT_X, SERVER_X].map(|x| html! {
                    <line class="ladder-break-line" x1={x.to_string()} x2={x.to_string()}
                          y1={(at + 2.0).to_string()} y2={(at + BREAK - 2.0).to_string()} />
                }) }
                <text x={((CLIENT_X + SERVER_X) / 2.0).to_string()} y={(mid + 4.0).to_string()}
                      text-anchor="middle">
                    { format!("⋯ {} idle ⋯", format::duration(gap_ms / 1e3)) }
                </text>
            </g>
        }
    });
    let relative = packets.iter().all(|p| p.relative);
    let before = packets
        .iter()
        .take_while(|p| p.frame != props.rst_frame)
        .count();
    let later = packets.len().saturating_sub(before + 1);
    html! {
        <section class="ladder" aria-label="Packets around the reset">
            <h3>{ "Packets around the reset" }</h3>
            <p class="muted ladder-caption">
                { format!(
                    "The connection's last {before} packet{} before the RST{}. {}",
                    if before == 1 { "" } else { "s" },
                    match later {
                        0 => String::new(),
                        1 => ", and the one after it".to_string(),
                        n => format!(", and the {n} after it"),
                    },
                    if relative {
                        "seq / ack relative to each side's initial sequence number."
                    } else {
                        "Raw seq / ack: the handshake was not seen."
                    }
                ) }
                if props.time_mode == TimeMode::Utc {
                    { format!(" Times of day in UTC, on {}.", format::utc_micros(rst_time).get(..10).unwrap_or("")) }
                }
            </p>
            <div class="ladder-box" tabindex="0" role="group"
                 aria-label="Packets around the reset (scrolls sideways on narrow screens)">
                <svg data-testid="ladder" class="ladder-svg" width={WIDTH.to_string()}
                     height={height.to_string()} viewBox={format!("0 0 {WIDTH} {height}")}
                     role="img"
                     aria-label={format!("Sequence diagram of {} packets between client and server", packets.len())}>
                    <text class="ladder-time-head" x="4" y="16">{ props.time_mode.heading() }</text>
                    { end_label("client", &props.client, CLIENT_X) }
                    { end_label("server", &props.server, SERVER_X) }
                    { for lifelines }
                    { for gaps }
                    { for rows }
                </svg>
            </div>
        </section>
    }
}

fn end_label(role: &str, endpoint: &Endpoint, x: f64) -> Html {
    html! {
        <g class="ladder-end">
            <text class="ladder-role" x={x.to_string()} y="16" text-anchor="middle">{ role.to_string() }</text>
            <text class="ladder-endpoint" x={x.to_string()} y="30" text-anchor="middle">{ endpoint.to_string() }</text>
        </g>
    }
}

/// The time column: seconds since the capture's start, the time of day
/// (UTC), or seconds since the previous packet of the ladder.
fn time_text(mode: TimeMode, time: f64, start: Option<f64>, previous: Option<f64>) -> String {
    match mode {
        TimeMode::Utc => {
            let full = format::utc_micros(time);
            full.get(11..26).unwrap_or(&full).to_string()
        }
        _ => mode.show(time, start, previous),
    }
}

/// One packet's arrow; `(is_rst, after)`: it is the RST, it follows it.
fn arrow(
    packet: &LadderPacket,
    y: f64,
    (is_rst, after): (bool, bool),
    rst_time: f64,
    when: String,
) -> Html {
    let (x1, x2) = match packet.from {
        Role::Client => (CLIENT_X, SERVER_X),
        Role::Server => (SERVER_X, CLIENT_X),
    };
    let (y1, y2) = (y + 12.0, y + 12.0 + SLANT);
    // Arrowhead: a triangle at the receiver's end, along the arrow.
    let (dx, dy) = (x2 - x1, y2 - y1);
    let length = (dx * dx + dy * dy).sqrt().max(1.0);
    let (ux, uy) = (dx / length, dy / length);
    let (bx, by) = (x2 - ux * 9.0, y2 - uy * 9.0);
    let head = format!(
        "{:.1},{:.1} {:.1},{:.1} {:.1},{:.1}",
        x2,
        y2,
        bx - uy * 4.0,
        by + ux * 4.0,
        bx + uy * 4.0,
        by - ux * 4.0
    );
    let class = classes!(
        "ladder-packet",
        is_rst.then_some("ladder-rst"),
        after.then_some("ladder-after"),
        (packet.payload_len > 0).then_some("ladder-data"),
    );
    let numbers = if packet.flags.contains("ACK") {
        format!("seq {} ack {}", packet.seq, packet.ack)
    } else {
        format!("seq {}", packet.seq)
    };
    let offset = packet.time - rst_time;
    let to_rst = if is_rst {
        "the RST".to_string()
    } else {
        format!(
            "{} {} the RST",
            format::duration(offset.abs()),
            if offset < 0.0 { "before" } else { "after" }
        )
    };
    let ttl_name = glossary::ttl_name(packet.ip_id);
    let title = format!(
        "Frame {} · {} · {to_rst} · {} → {} · {} · seq {} ack {}{} · len {} · win {} · {ttl_name} {}{}",
        packet.frame,
        format::utc_micros(packet.time),
        packet.from.as_str(),
        match packet.from {
            Role::Client => "server",
            Role::Server => "client",
        },
        packet.flags,
        packet.seq,
        packet.ack,
        if packet.relative { " (relative)" } else { "" },
        packet.payload_len,
        packet.window,
        packet.ttl,
        packet
            .ip_id
            .map_or(String::new(), |id| format!(" · IP ID {id} (0x{id:04x})")),
    );
    html! {
        <g {class} data-testid={is_rst.then_some("ladder-rst")}>
            <title>{ title }</title>
            <text class="ladder-when" x="4" y={(y + 14.0).to_string()}>{ when }</text>
            <text class="ladder-frame" x="4" y={(y + 27.0).to_string()}>{ format!("#{}", packet.frame) }</text>
            <line class="ladder-arrow" x1={x1.to_string()} y1={y1.to_string()}
                  x2={format!("{:.1}", x2 - ux * 8.0)} y2={format!("{:.1}", y2 - uy * 8.0)} />
            <polygon class="ladder-head" points={head} />
            <text class="ladder-label" x={((CLIENT_X + SERVER_X) / 2.0).to_string()}
                  y={(y + 12.0 + SLANT / 2.0 - 5.0).to_string()} text-anchor="middle">
                <tspan class="ladder-flags">{ packet.flags.clone() }</tspan>
                { format!("  {numbers}  len {}  {ttl_name} {}", packet.payload_len, packet.ttl) }
            </text>
        </g>
    }
}
