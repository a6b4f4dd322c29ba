use std::cell::RefCell;
use std::rc::Rc;

use rstscope_core::listing::ListedPacket;
use rstscope_core::report::Role;
use web_sys::HtmlElement;
use yew::prelude::*;

use crate::format::TimeMode;
use crate::glossary;
use crate::job::WorkerJob;
use crate::protocol::{CaptureFile, Conversation, FromWorker, ToWorker};

#[derive(Properties, PartialEq)]
pub struct Props {
    /// The capture to read again; None for a shared report (no capture).
    pub capture: Option<CaptureFile>,
    pub conversation: Conversation,
    /// The capture's first time, for times since its start.
    pub start: Option<f64>,
    pub time_mode: TimeMode,
    /// A frame to mark (the reset the drawer is about).
    #[prop_or_default]
    pub mark: Option<u64>,
    /// The drawer's ladder shows raw numbers (the handshake was not seen):
    /// the list says why its own numbers differ.
    #[prop_or_default]
    pub raw_ladder: bool,
}

#[derive(Clone, PartialEq)]
enum Listing {
    Idle,
    /// Percent of the two passes read.
    Reading(u64),
    Done(Rc<Vec<ListedPacket>>, u64),
    Failed(String),
}

/// A connection's every packet, as Wireshark's packet list shows its
/// `tcp.stream` ("Follow TCP stream"): read again from the capture in a
/// worker when asked, since that takes a pass over the whole file.
#[component]
pub fn PacketList(props: &Props) -> Html {
    let listing = use_state(|| Listing::Idle);
    // Holds the focus while the button gives way to the bar and the list,
    // so Escape and Tab still work in the drawer.
    let holder = use_node_ref();
    // Dropped with the drawer: closing it stops the worker.
    let job = use_mut_ref(|| None::<WorkerJob>);
    let Some(capture) = props.capture.clone() else {
        return html! {
            <p class="muted">{ "A shared report carries no packets: open the capture to list them." }</p>
        };
    };
    let on_list = {
        let (listing, job, conversation) =
            (listing.clone(), job.clone(), props.conversation.clone());
        let holder = holder.clone();
        Callback::from(move |_: MouseEvent| {
            if let Some(holder) = holder.cast::<HtmlElement>() {
                let _ = holder.focus();
            }
            start(&listing, &job, capture.clone(), conversation.clone())
        })
    };
    let shown = match &*listing {
        Listing::Idle => html! {
            <button type="button" class="button" data-testid="list-packets" onclick={on_list}>
                { "List all packets of this connection" }
            </button>
        },
        Listing::Reading(percent) => html! {
            <p role="status">
                <label>{ "Reading the capture again for this connection's packets… " }
                    <progress data-testid="packets-progress" max="100" value={percent.to_string()} />
                </label>
                { format!(" {percent}%") }
            </p>
        },
        Listing::Failed(message) => html! { <p class="error" role="alert">{ message.clone() }</p> },
        Listing::Done(packets, more) => table(packets, *more, props),
    };
    html! { <div class="packet-listing" tabindex="-1" ref={holder}>{ shown }</div> }
}

fn start(
    listing: &UseStateHandle<Listing>,
    job: &Rc<RefCell<Option<WorkerJob>>>,
    capture: CaptureFile,
    conversation: Conversation,
) {
    listing.set(Listing::Reading(0));
    let request = ToWorker::ListPackets {
        capture,
        conversation,
    };
    let state = listing.clone();
    let on_message = move |message| match message {
        FromWorker::Progress { bytes, total, .. } => {
            state.set(Listing::Reading(bytes.saturating_mul(100) / total.max(1)));
        }
        FromWorker::Packets { packets, more } => state.set(Listing::Done(Rc::new(packets), more)),
        FromWorker::Failed { message } => state.set(Listing::Failed(message)),
        _ => {}
    };
    match WorkerJob::start(&request, on_message) {
        Ok(started) => *job.borrow_mut() = Some(started),
        Err(message) => listing.set(Listing::Failed(message)),
    }
}

fn table(packets: &[ListedPacket], more: u64, props: &Props) -> Html {
    let hop = glossary::ttl_name(packets.first().and_then(|p| p.ip_id));
    let mut previous = None;
    let rows = packets.iter().map(|p| {
        let row = row(p, previous, props);
        previous = Some(p.time);
        row
    });
    html! {
        <>
            <p class="muted" data-testid="packet-count">
                { format!("{} packet{}", packets.len(), if packets.len() == 1 { "" } else { "s" }) }
                if more > 0 { { format!(", and {more} more not listed") } }
                { "; seq and ack relative, as Wireshark shows them" }
                { if props.raw_ladder {
                    " (to the first number seen where a SYN was not: the ladder above shows them raw)."
                } else { "." } }
            </p>
            <div class="table-scroll" tabindex="0" role="region" aria-label="The connection's packets">
                <table class="packet-list" data-testid="packet-list">
                    <thead><tr>
                        <th scope="col">{ "No." }</th>
                        <th scope="col">{ props.time_mode.heading() }</th>
                        <th scope="col">{ "Δ (s)" }</th>
                        <th scope="col">{ "Direction" }</th>
                        <th scope="col">{ "Flags" }</th>
                        <th scope="col">{ "Seq" }</th>
                        <th scope="col">{ "Ack" }</th>
                        <th scope="col">{ "Len" }</th>
                        <th scope="col">{ "Window" }</th>
                        <th scope="col">{ hop }</th>
                        <th scope="col">{ "IP ID" }</th>
                        <th scope="col">{ "Notes" }</th>
                    </tr></thead>
                    <tbody>{ for rows }</tbody>
                </table>
            </div>
        </>
    }
}

fn row(p: &ListedPacket, previous: Option<f64>, props: &Props) -> Html {
    let direction = match p.from {
        Role::Client => "client → server",
        Role::Server => "server → client",
    };
    let delta = previous.map_or_else(String::new, |t| format!("{:.6}", (p.time - t).max(0.0)));
    let notes: Vec<String> = p
        .notes
        .iter()
        .map(|n| match (n, p.dup_ack) {
            (rstscope_core::listing::Note::DupAck, Some(k)) => format!("{} #{k}", n.label()),
            _ => n.label().to_string(),
        })
        .collect();
    let marked = props.mark == Some(p.frame);
    html! {
        <tr data-frame={p.frame.to_string()} class={classes!(marked.then_some("marked"))}
            aria-current={marked.then_some("true")}>
            <td class="mono">{ p.frame }</td>
            <td class="mono">{ props.time_mode.show(p.time, props.start, previous) }</td>
            <td class="mono">{ delta }</td>
            <td>{ direction }</td>
            <td class="mono" data-col="flags">{ p.flags.clone() }</td>
            <td class="mono" data-col="seq">{ p.seq }</td>
            <td class="mono" data-col="ack">{ p.ack.map(|a| a.to_string()).unwrap_or_default() }</td>
            <td class="mono" data-col="len">{ p.len }</td>
            <td class="mono" data-col="window">{ p.window }</td>
            <td class="mono">{ p.ttl }</td>
            <td class="mono">{ p.ip_id.map(|id| format!("0x{id:04x}")).unwrap_or_default() }</td>
            <td data-col="notes">{ notes.join(", ") }</td>
        </tr>
    }
}
