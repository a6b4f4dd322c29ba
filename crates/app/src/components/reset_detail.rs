use yew::prelude::*;

use super::ladder::Ladder;
use super::{bar, origin_badge, Shared};
use crate::{browser, format};
use rstscope_core::report::Reset;
use rstscope_core::Report;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub reset: Reset,
    pub report: Shared<Report>,
    pub on_close: Callback<()>,
}

/// One reset in full: the verdict, the packet's facts, the evidence and what to do.
#[component]
pub fn ResetDetail(props: &Props) -> Html {
    let reset = &props.reset;
    let panel = use_node_ref();
    // Keyboard users land in the panel; Escape takes them back out.
    {
        let panel = panel.clone();
        use_effect_with(reset.frame, move |_| {
            if let Some(element) = panel.cast::<web_sys::HtmlElement>() {
                let _ = element.focus();
            }
        });
    }
    let on_close = props.on_close.reform(|_: MouseEvent| ());
    let onkeydown = {
        let on_close = props.on_close.clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Escape" {
                on_close.emit(());
            }
        })
    };
    let connection = reset
        .connection
        .and_then(|id| props.report.connections.iter().find(|c| c.id == id));

    let fact = |label: &str, value: String| {
        html! { <><dt>{ label.to_string() }</dt><dd class="mono">{ value }</dd></> }
    };
    html! {
        <aside class="drawer" role="dialog" aria-modal="false" tabindex="-1" ref={panel}
               aria-label={format!("Reset in frame {}", reset.frame)} {onkeydown}>
            <div class="drawer-head">
                <h2>{ format!("Frame {}", reset.frame) }</h2>
                <button class="button" onclick={on_close} aria-label="Close">{ "Close ✕" }</button>
            </div>
            <p class="mono">{ format!("{} → {}", reset.src, reset.dst) }</p>
            <div class="verdict">
                { origin_badge(reset.origin.as_str()) }
                <strong>{ reset.cause.as_str() }</strong>
                if let Some(sub) = &reset.sub_cause { <span class="muted">{ sub.as_str() }</span> }
                <span class="confidence" title="confidence">
                    { bar(f64::from(reset.confidence) * 100.0, "fill-confidence".into()) }
                </span>
                <span>{ format::percent(reset.confidence) }</span>
            </div>
            <dl class="facts">
                { fact("time", format::utc(reset.time)) }
                { fact("flags", reset.flags.clone()) }
                { fact("sender", format!("{} (whose address it carries)", reset.sender.as_str())) }
                { fact("stage", reset.stage.as_str().to_string()) }
                { fact("seq / ack", format!("{} / {}", reset.seq, reset.ack)) }
                { fact("TTL", reset.ttl.to_string()) }
                { fact("IP ID", reset.ip_id.map_or("- (IPv6)".to_string(), |id| format!("{id} (0x{id:04x})"))) }
                { fact("payload", format!("{} bytes", reset.payload_len)) }
                { fact("layers", reset.encapsulation.clone()) }
                if let Some(signature) = &reset.signature { { fact("signature", signature.clone()) } }
                if let Some(code) = reset.reason_code { { fact("reason code", code.to_string()) } }
                if let Some(c) = connection {
                    { fact("connection", format!("#{} {} {} ({} ↔ {})", c.id, c.conn_state, c.history, c.client, c.server)) }
                }
            </dl>
            if let Some(c) = connection {
                <Ladder packets={reset.ladder.clone()} rst_frame={reset.frame}
                        client={c.client.clone()} server={c.server.clone()} />
            }
            if let Some(text) = &reset.payload_text {
                <h3>{ "Text in the RST" }</h3>
                <pre class="payload">{ text.clone() }</pre>
            }
            <h3>{ "Evidence" }</h3>
            if reset.evidence.is_empty() {
                <p class="muted">{ "No signal decided this verdict." }</p>
            } else {
                <ul class="evidence">
                    { for reset.evidence.iter().map(|e| html! {
                        <li>
                            <span class="signal">{ e.signal.as_str() }</span>
                            { origin_badge(e.points_to.as_str()) }
                            <span>{ e.finding.clone() }</span>
                        </li>
                    }) }
                </ul>
            }
            <h3>{ "What to do" }</h3>
            if reset.tips.is_empty() {
                <p class="muted">{ "No advice for this reset." }</p>
            }
            { for reset.tips.iter().map(|tip| html! {
                <div class="tip">
                    <p>{ tip.text.clone() }</p>
                    { for tip.commands.iter().map(|command| {
                        let copy = {
                            let command = command.clone();
                            Callback::from(move |_: MouseEvent| browser::copy_to_clipboard(&command))
                        };
                        html! {
                            <div class="command">
                                <pre>{ command.clone() }</pre>
                                <button class="button small" onclick={copy} aria-label="Copy command">{ "Copy" }</button>
                            </div>
                        }
                    }) }
                </div>
            }) }
        </aside>
    }
}
