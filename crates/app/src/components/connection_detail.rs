use yew::prelude::*;

use super::drawer::Drawer;
use super::export_pcap::{ExportPcap, Selection};
use super::packet_filters::PacketFilters;
use super::packet_list::PacketList;
use super::term::Term;
use super::{origin_badge, Shared};
use crate::format::TimeMode;
use crate::protocol::{CaptureFile, Conversation, FrameComment};
use crate::{format, glossary};
use rstscope_capture::export::verdict_comment;
use rstscope_core::report::Connection;
use rstscope_core::Report;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub connection: Connection,
    pub report: Shared<Report>,
    pub on_close: Callback<()>,
    /// One of its resets was picked: its frame.
    pub on_select: Callback<Option<u64>>,
    /// The capture, to list the packets; None for a shared report.
    pub capture: Option<CaptureFile>,
}

/// One connection: who, how it went (Zeek's state and history, in words),
/// filters to find its packets, and its resets.
#[component]
pub fn ConnectionDetail(props: &Props) -> Html {
    let c = &props.connection;
    let fact =
        |label: &str, value: Html| html! { <><dt>{ label.to_string() }</dt><dd>{ value }</dd></> };
    let text = |value: String| html! { <span class="mono">{ value }</span> };
    let roles = match &*c.roles_from {
        "handshake" | "syn" | "syn-ack" => format!("from the {}", c.roles_from),
        "refusal" => "told by a refusal's numbers (seq 0 answering a SYN not captured)".into(),
        other => format!("guessed from the {other} (no handshake seen)"),
    };
    let resets = c
        .resets
        .iter()
        .filter_map(|frame| props.report.resets.iter().find(|r| r.frame == *frame));
    html! {
        <Drawer title={format!("Connection #{}", c.id)} on_close={props.on_close.clone()}
                testid={AttrValue::from("connection-detail")}>
            <p class="mono endpoints">{ format!("{} → {}", c.client, c.server) }</p>
            <dl class="facts">
                { fact("client / server", html! { <>{ text(format!("{} / {}", c.client, c.server)) }
                    <span class="muted">{ format!(" (roles {roles})") }</span></> }) }
                if let Some(stream) = c.stream { { fact("Wireshark stream", text(stream.to_string())) } }
                if let Some(frame) = c.first_frame { { fact("first frame", text(frame.to_string())) } }
                { fact("first packet", text(format::utc_micros(c.first_time))) }
                { fact("duration", text(format::duration(c.last_time - c.first_time))) }
                { fact("packets", text(format!("{} from the client, {} from the server", c.client_packets, c.server_packets))) }
                { fact("payload", text(format!("{} from the client, {} from the server",
                    format::bytes(c.client_bytes), format::bytes(c.server_bytes)))) }
                { fact("Zeek state", html! { <Term text={c.conn_state.clone()} class="mono"
                    explain={glossary::conn_state(&c.conn_state).unwrap_or("Zeek connection state.")} /> }) }
                { fact("Zeek history", html! { <Term text={c.history.clone()} class="mono"
                    explain={glossary::history(&c.history)} /> }) }
            </dl>
            <PacketFilters stream={c.stream} a={c.client} b={c.server} />
            if let Some(frame) = c.first_frame.or_else(|| c.resets.first().copied()) {
                <h3>{ "All packets" }</h3>
                <ExportPcap capture={props.capture.clone()} select={export(&props.report, c, frame)}
                            file_name={format!("rstscope-connection-{}.pcapng", c.id)}
                            label="Export this connection (pcapng)" />
                <PacketList capture={props.capture.clone()} start={props.report.capture.first_time}
                            conversation={Conversation { client: c.client, server: c.server, frame }}
                            time_mode={TimeMode::default()} />
            }
            <h3>{ format!("Resets ({})", c.resets.len()) }</h3>
            if c.resets.is_empty() {
                <p class="muted">{ "No reset in this connection." }</p>
            } else {
                <ul class="connection-resets">
                    { for resets.map(|r| {
                        let frame = r.frame;
                        let onclick = props.on_select.reform(move |_: MouseEvent| Some(frame));
                        html! {
                            <li>
                                <button type="button" class="link" {onclick}>{ format!("Frame {frame}") }</button>
                                { origin_badge(r.origin.as_str()) }
                                { format!(" {} · {} · {}", r.cause.as_str(), format::percent(r.confidence), r.flags) }
                            </li>
                        }
                    }) }
                </ul>
            }
        </Drawer>
    }
}

/// What exporting the connection writes: its packets, its resets' verdicts
/// as their comments.
fn export(report: &Shared<Report>, c: &Connection, frame: u64) -> Callback<(), Selection> {
    let (report, c) = (report.clone(), c.clone());
    Callback::from(move |()| Selection {
        conversations: vec![Conversation {
            client: c.client,
            server: c.server,
            frame,
        }],
        comments: (c.resets.iter())
            .filter_map(|frame| report.resets.iter().find(|r| r.frame == *frame))
            .map(|r| FrameComment {
                frame: r.frame,
                text: verdict_comment(r),
            })
            .collect(),
    })
}
