use yew::prelude::*;

use super::Shared;
use crate::{comparison, format};
use rstscope_core::report::{AlignedPacket, CaptureName, ComparedReset, Comparison, Role};
use rstscope_core::Report;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub report: Shared<Report>,
    /// Index of the reset in `comparison.resets`.
    pub index: usize,
}

/// Drawn at its natural size; the box around it scrolls on narrow screens.
const TIME_W: f64 = 70.0;
/// Client and server lifelines of the left and right capture.
const LIVES: [[f64; 2]; 2] = [
    [TIME_W + 30.0, TIME_W + 250.0],
    [TIME_W + 350.0, TIME_W + 570.0],
];
const WIDTH: f64 = TIME_W + 600.0;
const HEAD: f64 = 52.0;
const ROW: f64 = 30.0;
/// How far an arrow falls between sender and receiver.
const SLANT: f64 = 8.0;

/// A reset's matched connection as both captures saw it: client and server
/// at each capture point side by side, one row per packet in time order on
/// this capture's clock. A dashed line joins the two sightings of a packet;
/// a packet seen at one end only (lost, or made on the path) has none and
/// is drawn dashed, with "seen here only".
#[component]
pub fn AlignedLadder(props: &Props) -> Html {
    let Some(cmp) = &props.report.comparison else {
        return html! {};
    };
    let Some(reset) = cmp.resets.get(props.index) else {
        return html! {};
    };
    if reset.ladder.is_empty() {
        return html! {
            <p class="muted" data-testid="aligned-ladder-empty">
                { "This connection was not found in the other capture: there is nothing to line up." }
            </p>
        };
    }
    let order = comparison::ladder_order(cmp);
    let column = |c: CaptureName| usize::from(order[1] == c);
    let zero = comparison::ladder_rst(reset).map_or(0.0, |p| p.time);
    let row_y = |i: usize| HEAD + i as f64 * ROW;
    let height = row_y(reset.ladder.len()) + 6.0;

    // Each packet's arrow middle, to join the two sightings of a packet.
    let middle = |i: usize, p: &AlignedPacket| {
        let [c, s] = LIVES[column(p.capture)];
        ((c + s) / 2.0, row_y(i) + 12.0 + SLANT / 2.0)
    };
    let joins = reset.ladder.iter().enumerate().filter_map(|(i, p)| {
        // Drawn once, from the left capture's sighting.
        if column(p.capture) != 0 {
            return None;
        }
        let frame = p.peer_frame?;
        let (j, twin) = reset
            .ladder
            .iter()
            .enumerate()
            .find(|(_, q)| q.capture != p.capture && q.frame == frame)?;
        let ((x1, y1), (x2, y2)) = (middle(i, p), middle(j, twin));
        Some(html! {
            <line class="aligned-join" x1={format!("{x1:.1}")} y1={format!("{y1:.1}")}
                  x2={format!("{x2:.1}")} y2={format!("{y2:.1}")} />
        })
    });
    let lifelines = LIVES.iter().flatten().map(|&x| {
        html! { <line class="ladder-life" x1={x.to_string()} x2={x.to_string()}
        y1={(HEAD - 8.0).to_string()} y2={(height - 4.0).to_string()} /> }
    });
    let heads = order.iter().zip(LIVES).map(|(&capture, [c, s])| {
        html! {
            <g class="ladder-end">
                <text class="aligned-capture" x={((c + s) / 2.0).to_string()} y="14" text-anchor="middle">
                    { comparison::capture_label(cmp, capture) }
                </text>
                <text class="ladder-role" x={c.to_string()} y="34" text-anchor="middle">{ "client" }</text>
                <text class="ladder-role" x={s.to_string()} y="34" text-anchor="middle">{ "server" }</text>
            </g>
        }
    });
    let rows = reset.ladder.iter().enumerate().map(|(i, p)| {
        let is_this = p.capture == reset.capture && p.frame == reset.frame;
        arrow(p, row_y(i), LIVES[column(p.capture)], zero, is_this)
    });
    let unpaired = reset
        .ladder
        .iter()
        .filter(|p| p.peer_frame.is_none())
        .count();
    html! {
        <section class="aligned-ladder" aria-label="The connection at both ends">
            <p class="muted ladder-caption">
                { caption(cmp, reset, unpaired) }
            </p>
            <div class="ladder-box" tabindex="0" role="region" aria-label="Two-capture ladder, scrolls sideways">
                <svg data-testid="aligned-ladder" class="ladder-svg" width={WIDTH.to_string()}
                     height={height.to_string()} viewBox={format!("0 0 {WIDTH} {height}")} role="img"
                     aria-label={format!("Sequence diagram of {} packets at both capture points, {unpaired} seen at one end only",
                                         reset.ladder.len())}>
                    <text class="ladder-time-head" x="4" y="34">{ "time to RST" }</text>
                    { for heads }
                    { for lifelines }
                    { for joins }
                    { for rows }
                </svg>
            </div>
        </section>
    }
}

fn caption(cmp: &Comparison, reset: &ComparedReset, unpaired: usize) -> String {
    let relative = if reset.ladder.iter().all(|p| p.relative) {
        "seq / ack relative to each capture's own initial sequence numbers"
    } else {
        "raw seq / ack (a handshake was not seen)"
    };
    let clock = if cmp.clock_offset.is_some() {
        "the other end's times moved onto this capture's clock by the measured offset and drift"
    } else {
        "no clock offset known, so the other end's times are as recorded"
    };
    format!(
        "The packets around the reset at both ends, in time order ({clock}; {relative}). \
         Dashed lines join the two sightings of a packet; {unpaired} packet{} seen at one end only.",
        if unpaired == 1 { " was" } else { "s were" },
    )
}

fn arrow(
    p: &AlignedPacket,
    y: f64,
    [client_x, server_x]: [f64; 2],
    zero: f64,
    is_this: bool,
) -> Html {
    let (x1, x2) = match p.from {
        Role::Client => (client_x, server_x),
        Role::Server => (server_x, client_x),
    };
    let (y1, y2) = (y + 12.0, y + 12.0 + SLANT);
    // Arrowhead: a triangle at the receiver's end, along the arrow.
    let (dx, dy) = (x2 - x1, y2 - y1);
    let length = (dx * dx + dy * dy).sqrt().max(1.0);
    let (ux, uy) = (dx / length, dy / length);
    let (bx, by) = (x2 - ux * 8.0, y2 - uy * 8.0);
    let head = format!(
        "{:.1},{:.1} {:.1},{:.1} {:.1},{:.1}",
        x2,
        y2,
        bx - uy * 3.5,
        by + ux * 3.5,
        bx + uy * 3.5,
        by - ux * 3.5
    );
    let paired = p.peer_frame.is_some();
    let class = classes!(
        "ladder-packet",
        p.flags.contains("RST").then_some("ladder-rst"),
        is_this.then_some("aligned-this"),
        (!paired).then_some("aligned-lone"),
        (p.payload_len > 0).then_some("ladder-data"),
    );
    let offset = p.time - zero;
    let when = format!(
        "{}{}",
        if offset < 0.0 { "−" } else { "+" },
        format::duration(offset.abs())
    );
    let mut label = p.flags.clone();
    if p.payload_len > 0 {
        label.push_str(&format!(" len {}", p.payload_len));
    }
    if !paired {
        label.push_str(" · seen here only");
    }
    let title = format!(
        "{} frame {} · {} · {} → {} · {} · seq {} ack {}{} · len {} · TTL {} · IP ID {} · {}",
        p.capture.as_str(),
        p.frame,
        format::utc(p.time),
        p.from.as_str(),
        match p.from {
            Role::Client => "server",
            Role::Server => "client",
        },
        p.flags,
        p.seq,
        p.ack,
        if p.relative { " (relative)" } else { "" },
        p.payload_len,
        p.ttl,
        p.ip_id.map_or("- (IPv6)".to_string(), |id| id.to_string()),
        match p.peer_frame {
            Some(f) => format!("frame {f} in the other capture"),
            None => "not in the other capture".to_string(),
        },
    );
    let left = client_x.min(server_x);
    html! {
        <g {class} data-testid="aligned-packet" data-capture={p.capture.as_str()}
           data-frame={p.frame.to_string()} data-paired={paired.to_string()}>
            <title>{ title }</title>
            <text class="ladder-when" x="4" y={(y + 14.0).to_string()}>{ when }</text>
            <text class="ladder-frame" x={(left - 6.0).to_string()} y={(y + 10.0).to_string()}
                  text-anchor="end">{ format!("#{}", p.frame) }</text>
            <line class="ladder-arrow" x1={x1.to_string()} y1={y1.to_string()}
                  x2={format!("{:.1}", x2 - ux * 7.0)} y2={format!("{:.1}", y2 - uy * 7.0)} />
            <polygon class="ladder-head" points={head} />
            <text class="ladder-label" x={((client_x + server_x) / 2.0).to_string()}
                  y={(y + 12.0 + SLANT / 2.0 - 5.0).to_string()} text-anchor="middle">{ label }</text>
        </g>
    }
}
