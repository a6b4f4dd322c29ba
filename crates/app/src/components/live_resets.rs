use yew::prelude::*;

use crate::format;
use crate::state::LiveResets;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub live: LiveResets,
}

/// The resets found while the capture is still being read: their packets
/// only, since verdicts need the whole capture.
#[component]
pub fn LiveResetsView(props: &Props) -> Html {
    let live = &props.live;
    if live.seen == 0 {
        return html! {};
    }
    let more = live.seen.saturating_sub(live.first.len() as u64);
    html! {
        <section class="live-resets" data-testid="live-resets" aria-live="polite">
            <p>
                <strong data-testid="live-reset-count">{ live.seen }</strong>
                { if live.seen == 1 { " reset so far" } else { " resets so far" } }
                <span class="muted">{ " · verdicts when the whole capture is read" }</span>
            </p>
            <div class="table-scroll">
                <table class="data">
                    <thead><tr>
                        <th class="num">{ "Frame" }</th>
                        <th>{ "Time (UTC)" }</th>
                        <th>{ "From" }</th>
                        <th>{ "To" }</th>
                        <th>{ "Flags" }</th>
                    </tr></thead>
                    <tbody>
                        { for live.first.iter().map(|reset| html! {
                            <tr data-testid="live-reset-row">
                                <td class="num">{ reset.frame }</td>
                                <td>{ format::utc(reset.time) }</td>
                                <td class="mono">{ reset.src.to_string() }</td>
                                <td class="mono">{ reset.dst.to_string() }</td>
                                <td class="mono">{ reset.flags.clone() }</td>
                            </tr>
                        }) }
                    </tbody>
                </table>
            </div>
            if more > 0 {
                <p class="muted">{ format!("and {more} more") }</p>
            }
        </section>
    }
}
