use yew::prelude::*;

use super::copy_button::CopyButton;
use super::drawer::Drawer;
use super::export_pcap::{ExportPcap, Selection};
use super::ladder::Ladder;
use super::packet_filters::PacketFilters;
use super::packet_list::PacketList;
use super::term::Term;
use super::time_select::TimeSelect;
use super::{bar, origin_badge, Shared};
use crate::format::{self, TimeMode};
use crate::glossary;
use crate::protocol::{CaptureFile, Conversation, FrameComment};
use rstscope_capture::export::verdict_comment;
use rstscope_core::report::{Connection, Reset};
use rstscope_core::Report;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub reset: Reset,
    pub report: Shared<Report>,
    pub on_close: Callback<()>,
    /// Another reset picked (the root this one follows from): its frame.
    pub on_select: Callback<Option<u64>>,
    pub time_mode: TimeMode,
    pub on_time_mode: Callback<TimeMode>,
    /// The capture, to list the connection's packets; None for a shared report.
    pub capture: Option<CaptureFile>,
}

/// One reset in full: the verdict, the packet's facts, filters to find it
/// in Wireshark, its packets, the evidence and what to do.
#[component]
pub fn ResetDetail(props: &Props) -> Html {
    let reset = &props.reset;
    let connection = reset
        .connection
        .and_then(|id| props.report.connections.iter().find(|c| c.id == id));
    html! {
        <Drawer title={format!("Reset in frame {}", reset.frame)} on_close={props.on_close.clone()}
                testid={AttrValue::from("reset-detail")}>
            <p class="mono endpoints">{ format!("{} → {}", reset.src, reset.dst) }
                <CopyButton text={reset.frame.to_string()} label={format!("Copy the frame number {}", reset.frame)}
                            testid={AttrValue::from("copy-frame")} />
            </p>
            { verdict(reset) }
            { story(reset, &props.report, &props.on_select) }
            { facts(reset, connection, props.report.capture.first_time) }
            <PacketFilters frame={Some(reset.frame)} stream={reset.stream}
                           a={reset.src} b={reset.dst} />
            if let Some(c) = connection {
                <div class="ladder-tools">
                    <TimeSelect mode={props.time_mode} on_change={props.on_time_mode.clone()} />
                </div>
                <Ladder packets={reset.ladder.clone()} rst_frame={reset.frame}
                        client={c.client} server={c.server}
                        time_mode={props.time_mode} start={props.report.capture.first_time} />
            }
            <h3>{ "All packets" }</h3>
            <ExportPcap capture={props.capture.clone()} select={export(&props.report, reset, connection)}
                        file_name={format!("rstscope-frame-{}.pcapng", reset.frame)}
                        label="Export this connection (pcapng)" />
            <PacketList capture={props.capture.clone()} conversation={conversation(reset, connection)}
                        start={props.report.capture.first_time} time_mode={props.time_mode}
                        mark={Some(reset.frame)}
                        raw_ladder={reset.ladder.iter().any(|p| !p.relative)} />
            if let Some(text) = &reset.payload_text {
                <h3>{ "Text in the RST" }</h3>
                <pre class="payload">{ text.clone() }</pre>
            }
            { evidence(reset) }
            { tips(reset) }
        </Drawer>
    }
}

/// The reset's connection, its client shown as the client.
fn conversation(reset: &Reset, connection: Option<&Connection>) -> Conversation {
    let (client, server) = match connection {
        Some(c) => (c.client, c.server),
        None => (reset.dst, reset.src),
    };
    Conversation {
        client,
        server,
        frame: reset.frame,
    }
}

/// What exporting the reset's connection writes: its packets, its resets'
/// verdicts as their comments.
fn export(
    report: &Shared<Report>,
    reset: &Reset,
    connection: Option<&Connection>,
) -> Callback<(), Selection> {
    let conversation = conversation(reset, connection);
    let (report, reset) = (report.clone(), reset.clone());
    Callback::from(move |()| Selection {
        conversations: vec![conversation.clone()],
        comments: comments(&report, reset.connection, &reset),
    })
}

/// The verdicts of the connection's resets, as the export's packet comments.
fn comments(report: &Report, connection: Option<u32>, reset: &Reset) -> Vec<FrameComment> {
    let of_connection = |r: &&Reset| connection.is_some() && r.connection == connection;
    let others = report
        .resets
        .iter()
        .filter(of_connection)
        .filter(|r| r.frame != reset.frame);
    std::iter::once(reset)
        .chain(others)
        .map(|r| FrameComment {
            frame: r.frame,
            text: verdict_comment(r),
        })
        .collect()
}

fn verdict(reset: &Reset) -> Html {
    html! {
        <div class="verdict">
            <Term text={reset.origin.as_str()} explain={glossary::origin(reset.origin)}
                  class={classes!("badge", format!("origin-{}", reset.origin.as_str()))} />
            <Term text={reset.cause.as_str()} explain={glossary::cause(reset.cause)} class="strong" />
            if let Some(sub) = &reset.sub_cause { <span class="muted">{ sub.as_str() }</span> }
            <span class="confidence" aria-hidden="true">
                { bar(f64::from(reset.confidence) * 100.0, "fill-confidence".into()) }
            </span>
            <span>{ format!("{} confident", format::percent(reset.confidence)) }</span>
            if let Some(conflict) = &reset.conflict {
                <p class="conflict" data-testid="conflict">
                    <span class="strong">{ "Signals disagree: " }</span>{ conflict.sentence.clone() }
                </p>
            }
        </div>
    }
}

/// Later resets listed in a root's drawer, at most.
const FOLLOWERS_LISTED: usize = 10;

/// Where the reset stands in its incident: the root it follows from, or
/// the resets that followed from it, each a link that opens that reset.
fn story(reset: &Reset, report: &Report, on_select: &Callback<Option<u64>>) -> Html {
    let link = |frame: u64, testid: &'static str| {
        html! {
            <button type="button" class="link" data-testid={testid}
                    onclick={on_select.reform(move |_| Some(frame))}>{ format!("frame {frame}") }</button>
        }
    };
    let incident = reset
        .incident
        .and_then(|id| report.incidents.iter().find(|i| i.id == id));
    let followers: Vec<u64> = report
        .resets
        .iter()
        .filter(|r| r.consequence_of == Some(reset.frame))
        .map(|r| r.frame)
        .collect();
    html! {
        <div class="story">
            if let Some(root) = reset.consequence_of {
                <p class="follows" data-testid="follows-from">
                    { "Follows from " }{ link(root, "follows-link") }
                    { ": that reset tore the connection down, and this one answered a segment \
                       that reached a socket no longer there." }
                </p>
            }
            if !followers.is_empty() {
                <p data-testid="followers">
                    { format!("{} later reset{} followed from this one: ", followers.len(),
                        if followers.len() == 1 { "" } else { "s" }) }
                    { for followers.iter().take(FOLLOWERS_LISTED).map(|&f| link(f, "follower-link")) }
                    if followers.len() > FOLLOWERS_LISTED { { "…" } }
                </p>
            }
            if let Some(i) = incident {
                <p class="muted" data-testid="reset-incident">
                    { format!("Incident #{}: {}", i.id, format::sentence(&i.summary)) }
                </p>
            }
        </div>
    }
}

/// The packet's own numbers; seq and ack also relative to the ISNs when
/// the ladder shows them so, so the facts and the ladder read alike.
fn facts(reset: &Reset, connection: Option<&Connection>, start: Option<f64>) -> Html {
    let fact =
        |label: &str, value: Html| html! { <><dt>{ label.to_string() }</dt><dd>{ value }</dd></> };
    let text = |value: String| html! { <span class="mono">{ value }</span> };
    let in_ladder = reset.ladder.iter().find(|p| p.frame == reset.frame);
    let relative = |raw: u32, rel: Option<u32>| match rel {
        Some(rel) => format!("{raw} (relative {rel})"),
        None => raw.to_string(),
    };
    let rel = in_ladder.filter(|p| p.relative);
    let has_ack = reset.flags.contains("ACK");
    let ack = if has_ack {
        relative(reset.ack, rel.map(|p| p.ack))
    } else {
        format!("{} (no ACK flag: not an acknowledgement)", reset.ack)
    };
    html! {
        <dl class="facts">
            { fact("time", text(format!("{} ({} s after the capture's start)", format::utc_micros(reset.time),
                TimeMode::Relative.show(reset.time, start, None)))) }
            { fact("flags", text(reset.flags.clone())) }
            { fact("sender", html! { <>{ reset.sender.as_str() }<span class="muted">{ " (whose address it carries)" }</span></> }) }
            { fact("stage", html! { <Term text={reset.stage.as_str()} explain={glossary::stage(reset.stage)} /> }) }
            { fact("seq", text(relative(reset.seq, rel.map(|p| p.seq)))) }
            { fact("ack", text(ack)) }
            { fact(glossary::ttl_name(reset.ip_id), text(reset.ttl.to_string())) }
            if let Some(id) = reset.ip_id { { fact("IP ID", text(format!("{id} (0x{id:04x})"))) } }
            { fact("payload", text(format!("{} bytes", reset.payload_len))) }
            { fact("layers", text(reset.encapsulation.clone())) }
            if let Some(signature) = &reset.signature {
                { fact("signature", html! { <Term text={signature.clone()} explain={glossary::signature(signature)} /> }) }
            }
            if let Some(code) = reset.reason_code { { fact("reason code", text(code.to_string())) } }
            if let Some(c) = connection { { fact("connection", connection_fact(c)) } }
        </dl>
    }
}

fn connection_fact(c: &Connection) -> Html {
    html! {
        <span>
            { format!("#{}", c.id) }
            if let Some(stream) = c.stream { { format!(" · tcp.stream {stream}") } }
            { " · " }
            <Term text={c.conn_state.clone()}
                  explain={glossary::conn_state(&c.conn_state).unwrap_or("Zeek connection state.")}
                  class="mono" />
            { " · " }
            <Term text={c.history.clone()} explain={glossary::history(&c.history)} class="mono" />
            <br />
            <span class="mono">{ format!("{} ↔ {}", c.client, c.server) }</span>
        </span>
    }
}

fn evidence(reset: &Reset) -> Html {
    html! {
        <>
            <h3>{ "Evidence" }</h3>
            if reset.evidence.is_empty() {
                <p class="muted">{ "No signal decided this verdict." }</p>
            } else {
                <ul class="evidence">
                    { for reset.evidence.iter().map(|e| html! {
                        <li>
                            if let Some(meaning) = glossary::signal(e.signal.as_str()) {
                                <Term text={e.signal.as_str()} explain={meaning} class="signal" />
                            } else {
                                <span class="signal">{ e.signal.as_str() }</span>
                            }
                            { origin_badge(e.points_to.as_str()) }
                            <span>{ e.finding.clone() }</span>
                        </li>
                    }) }
                </ul>
            }
        </>
    }
}

fn tips(reset: &Reset) -> Html {
    html! {
        <>
            <h3>{ "What to do" }</h3>
            if reset.tips.is_empty() {
                <p class="muted">{ "No advice for this reset." }</p>
            }
            { for reset.tips.iter().map(|tip| html! {
                <div class="tip">
                    <p>{ tip.text.clone() }</p>
                    { for tip.commands.iter().map(|command| html! {
                        <div class="command">
                            <pre>{ command.clone() }</pre>
                            <CopyButton text={command.clone()} label="Copy the command" />
                        </div>
                    }) }
                </div>
            }) }
        </>
    }
}
