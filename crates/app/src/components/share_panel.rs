use std::rc::Rc;

use web_sys::HtmlInputElement;
use yew::prelude::*;

use super::copy_button::CopyButton;
use super::Shared;
use crate::anonymize::anonymize;
use crate::share::{self, Omitted, ShareError};
use crate::{browser, job, markdown};
use rstscope_core::Report;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub report: Shared<Report>,
    /// The capture's file name, the stem of export file names.
    pub name: AttrValue,
    /// The share link's fragment this report was opened from: its link as
    /// is, not made again (which takes a worker and a second decode).
    #[prop_or_default]
    pub link: Option<AttrValue>,
    /// The whole report is drawn: only then is its link made, which on a
    /// large report is seconds of the page's time that the tables would
    /// otherwise wait for.
    pub drawn: bool,
}

/// A link that reproduces the report (not the capture), and exports.
#[component]
pub fn SharePanel(props: &Props) -> Html {
    let anonymised = use_state(|| false);
    // The report as shared (maybe anonymised), made once per choice.
    let prepared = use_memo(
        (props.report.clone(), *anonymised),
        |(report, anonymised)| {
            if *anonymised {
                anonymize(report).map(|r| Shared(Rc::new(r)))
            } else {
                Ok(report.clone())
            }
        },
    );
    // Its link, made once the report is on screen and compressed by a
    // worker: a big report takes seconds, which would freeze the page. Kept
    // with the report it encodes, so a stale link never shows after the
    // choice changes.
    let link = use_state(|| None::<(Shared<Report>, LinkResult)>);
    {
        let link = link.clone();
        let as_is = props.link.clone().filter(|_| !*anonymised);
        use_effect_with((prepared.clone(), props.drawn), move |(prepared, drawn)| {
            if let Ok(report) = &**prepared {
                let report = report.clone();
                if let Some(fragment) = as_is {
                    let url = browser::page_url_with(&fragment);
                    link.set(Some((report.clone(), Ok((url, Omitted::of(&report))))));
                    return;
                }
                if !*drawn {
                    return;
                }
                wasm_bindgen_futures::spawn_local(async move {
                    browser::after_paint().await;
                    let made = share::encode_fitting(&report, job::pack_in_worker)
                        .await
                        .map(|(fragment, omitted)| (browser::page_url_with(&fragment), omitted));
                    link.set(Some((report, made)));
                });
            }
        });
    }
    let on_toggle = {
        let anonymised = anonymised.clone();
        Callback::from(move |e: Event| {
            anonymised.set(e.target_unchecked_into::<HtmlInputElement>().checked());
        })
    };
    let body = match &*prepared {
        Ok(report) => {
            let made = (*link)
                .as_ref()
                .filter(|(made_for, _)| made_for == report)
                .map(|(_, made)| made);
            shared_report(report, made, &props.name)
        }
        Err(err) => {
            html! { <p class="muted">{ format!("Could not anonymise the report: {err}") }</p> }
        }
    };
    html! {
        <section class="share" aria-label="Share and export">
            <h3>{ "Share" }</h3>
            { body }
            <label class="check">
                <input type="checkbox" checked={*anonymised} onchange={on_toggle} />
                { "Anonymise addresses (link and exports)" }
            </label>
            <p class="muted small">{ "The link holds the report only, in its #fragment, which browsers never send to a server." }</p>
        </section>
    }
}

/// A share link and what it had to leave out, or why there is none.
type LinkResult = Result<(String, Omitted), ShareError>;

/// The link with its copy button (once it is made), and the export buttons.
fn shared_report(report: &Shared<Report>, link: Option<&LinkResult>, name: &str) -> Html {
    let stem = name
        .split('.')
        .next()
        .filter(|s| !s.is_empty())
        .unwrap_or("capture")
        .to_string();
    let export_json = {
        let (report, file) = (report.clone(), format!("{stem}.rstscope.json"));
        Callback::from(move |_: MouseEvent| {
            let json = serde_json::to_string_pretty(&*report).unwrap_or_default();
            browser::download(&file, "application/json", &json);
        })
    };
    let export_markdown = {
        let (report, file) = (report.clone(), format!("{stem}.rstscope.md"));
        Callback::from(move |_: MouseEvent| {
            browser::download(&file, "text/markdown", &markdown::to_markdown(&report));
        })
    };
    let link = match link {
        None => {
            html! { <p class="muted small" data-testid="share-preparing">{ "Preparing the link…" }</p> }
        }
        Some(Ok((url, omitted))) => {
            let select_all = Callback::from(|e: FocusEvent| {
                e.target_unchecked_into::<HtmlInputElement>().select();
            });
            html! {
                <>
                <div class="share-link">
                    <input type="text" readonly=true data-testid="share-link" value={url.clone()}
                           aria-label="Share link" onfocus={select_all} />
                    <CopyButton text={url.clone()} label="Copy the share link" testid="copy-link" />
                </div>
                if omitted.any() {
                    <p class="muted small" data-testid="share-omitted">{ omitted_text(omitted) }</p>
                }
                </>
            }
        }
        Some(Err(err)) => {
            html! { <p class="muted" data-testid="share-unavailable">{ err.to_string() }</p> }
        }
    };
    html! {
        <>
            { link }
            <div class="export">
                <button class="button" onclick={export_json}>{ "Export JSON" }</button>
                <button class="button" onclick={export_markdown}>{ "Export Markdown" }</button>
            </div>
        </>
    }
}

/// Says what the link leaves out, and where the whole report is.
fn omitted_text(omitted: &Omitted) -> String {
    let mut parts = Vec::new();
    if omitted.ladders {
        parts.push("the ladder diagrams".to_string());
    }
    if omitted.connections > 0 {
        parts.push(format!(
            "{} connections without resets",
            omitted.connections
        ));
    }
    if omitted.comparison_notes {
        parts.push("the comparison's explanations (why each capture is at its end, the details of each difference)".to_string());
    }
    format!(
        "The link carries every verdict and its evidence as data (the app that opens it writes the sentences); it leaves out {}. Export JSON for the whole report.",
        parts.join(", ")
    )
}
