use yew::prelude::*;

use super::summary::SummaryView;
use super::Shared;
use crate::state::Head;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub head: Shared<Head>,
    /// The capture's name.
    pub name: AttrValue,
    /// A top talker's address was clicked: the filter the resets table opens with.
    pub on_talker: Callback<String>,
}

/// A finished analysis's summary while its report is on its way (seconds,
/// for a large one): the report's place, busy until the report view takes it.
#[component]
pub fn SummaryFirst(props: &Props) -> Html {
    let head = &props.head;
    html! {
        <div class="report" aria-busy="true">
            <div class="report-top">
                <SummaryView report={Shared(head.report.clone())} name={props.name.clone()} stats={None}
                             resets={head.resets} connections={head.connections}
                             on_talker={props.on_talker.clone()} on_warnings={Callback::noop()} />
            </div>
            <div class="report-pending" aria-hidden="true"></div>
        </div>
    }
}
