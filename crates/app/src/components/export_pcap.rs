use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::rc::Rc;

use yew::prelude::*;

use crate::browser;
use crate::job::WorkerJob;
use crate::lookup;
use crate::protocol::{CaptureFile, Conversation, FrameComment, FromWorker, ToWorker};
use rstscope_capture::export::verdict_comment;
use rstscope_core::report::Reset;
use rstscope_core::Report;

#[derive(Properties, PartialEq)]
pub struct Props {
    /// The capture to read again; None for a shared report (no capture).
    pub capture: Option<CaptureFile>,
    /// What to export, made when the button is clicked: the comments of a
    /// report's 27 k resets took seconds to write at each render.
    pub select: Callback<(), Selection>,
    /// The downloaded file's name.
    pub file_name: AttrValue,
    pub label: AttrValue,
}

/// What an export writes: these conversations' packets, with comments on
/// some of their frames (the RSTs' verdicts).
pub struct Selection {
    pub conversations: Vec<Conversation>,
    pub comments: Vec<FrameComment>,
}

#[derive(Clone, PartialEq)]
enum Export {
    Idle,
    /// Percent of the two passes read.
    Reading(u64),
    Saved(u64),
    Failed(String),
}

/// Exports connections' packets as a pcapng file that opens in Wireshark
/// (original timestamps and link types, each RST's verdict as a comment),
/// read again from the capture in a worker.
#[component]
pub fn ExportPcap(props: &Props) -> Html {
    let export = use_state(|| Export::Idle);
    // Dropped with the component: leaving stops the worker.
    let job = use_mut_ref(|| None::<WorkerJob>);
    let Some(capture) = props.capture.clone() else {
        return html! {};
    };
    let onclick = {
        let (export, job, select) = (export.clone(), job.clone(), props.select.clone());
        let file_name = props.file_name.to_string();
        Callback::from(move |_: MouseEvent| {
            let Selection {
                conversations,
                comments,
            } = select.emit(());
            let request = ToWorker::ExportPcap {
                capture: capture.clone(),
                conversations,
                comments,
            };
            start(&export, &job, &request, file_name.clone());
        })
    };
    let busy = matches!(*export, Export::Reading(_));
    html! {
        <div class="export-pcap">
            <button type="button" class="button" data-testid="export-pcap" {onclick} disabled={busy}>
                { props.label.clone() }
            </button>
            <span role="status" class="muted">
                { match &*export {
                    Export::Idle => html! {},
                    Export::Reading(percent) => html! {
                        <label>{ " Reading the capture… " }<progress max="100" value={percent.to_string()} /></label>
                    },
                    Export::Saved(packets) => html! {
                        { format!(" Saved {} ({packets} packet{}).", props.file_name,
                            if *packets == 1 { "" } else { "s" }) }
                    },
                    Export::Failed(message) => html! { <span class="error">{ format!(" {message}") }</span> },
                } }
            </span>
        </div>
    }
}

fn start(
    export: &UseStateHandle<Export>,
    job: &Rc<RefCell<Option<WorkerJob>>>,
    request: &ToWorker,
    file_name: String,
) {
    export.set(Export::Reading(0));
    let state = export.clone();
    let on_message = move |message| match message {
        FromWorker::Progress { bytes, total, .. } => {
            state.set(Export::Reading(bytes.saturating_mul(100) / total.max(1)));
        }
        FromWorker::Pcapng { file, packets } => {
            browser::download_bytes(&file_name, "application/vnd.tcpdump.pcap", &file);
            state.set(Export::Saved(packets));
        }
        FromWorker::Failed { message } => state.set(Export::Failed(message)),
        _ => {}
    };
    match WorkerJob::start(request, on_message) {
        Ok(started) => *job.borrow_mut() = Some(started),
        Err(message) => export.set(Export::Failed(message)),
    }
}

/// What an export of several resets writes: the conversation of each of
/// their connections once (a reset outside any connection: its own), and
/// the verdict of every RST of those connections as its packet's comment.
/// `places` are the report's connections' ([`lookup::places`]).
pub fn of_resets(report: &Report, places: &HashMap<u32, usize>, resets: &[&Reset]) -> Selection {
    let mut seen = HashSet::new();
    let mut conversations = Vec::new();
    for reset in one_per_connection(resets) {
        seen.extend(reset.connection);
        let connection = reset
            .connection
            .and_then(|id| lookup::connection(&report.connections, places, id));
        let (client, server) = connection.map_or((reset.dst, reset.src), |c| (c.client, c.server));
        conversations.push(Conversation {
            client,
            server,
            frame: reset.frame,
        });
    }
    let listed: HashSet<u64> = resets.iter().map(|r| r.frame).collect();
    let comments = report
        .resets
        .iter()
        .filter(|r| listed.contains(&r.frame) || r.connection.is_some_and(|id| seen.contains(&id)))
        .map(|r| FrameComment {
            frame: r.frame,
            text: verdict_comment(r),
        })
        .collect();
    Selection {
        conversations,
        comments,
    }
}

/// How many conversations an export of `resets` holds ([`of_resets`]).
pub fn conversations_of(resets: &[&Reset]) -> usize {
    one_per_connection(resets).count()
}

/// The first of `resets` in each connection; each reset outside any
/// connection (a conversation of its own).
fn one_per_connection<'a>(resets: &'a [&'a Reset]) -> impl Iterator<Item = &'a Reset> {
    let mut seen = HashSet::new();
    resets
        .iter()
        .copied()
        .filter(move |r| r.connection.is_none_or(|id| seen.insert(id)))
}
