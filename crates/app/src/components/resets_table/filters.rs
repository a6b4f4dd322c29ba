//! The filters above the resets table: the filter box, origin, cause,
//! grouping, time and sort, and how many resets they keep.

use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use super::{Choice, COLUMNS};
use crate::components::time_select::TimeSelect;
use crate::format::TimeMode;
use crate::reset_rows::{Column, Grouping};

#[derive(Properties, PartialEq)]
pub struct Props {
    /// The filter box's text, and whether it is understood.
    pub host: AttrValue,
    pub on_host: Callback<String>,
    pub invalid: bool,
    pub choice: Choice,
    pub on_choice: Callback<Choice>,
    /// The origins and causes the report has, to pick from.
    pub origins: Vec<String>,
    pub causes: Vec<String>,
    pub grouping: Grouping,
    pub on_grouping: Callback<Grouping>,
    /// The report has incidents to group by.
    pub incidents: bool,
    pub time_mode: TimeMode,
    pub on_time_mode: Callback<TimeMode>,
    pub sort: (Column, bool),
    pub on_sort: Callback<(Column, bool)>,
    /// Resets the filters keep, of all.
    pub matching: usize,
    pub total: usize,
}

#[component]
pub fn ResetFilters(props: &Props) -> Html {
    let on_host = props
        .on_host
        .reform(|e: InputEvent| e.target_unchecked_into::<HtmlInputElement>().value());
    let on_grouping = props.on_grouping.reform(|e: Event| {
        let value = e.target_unchecked_into::<HtmlSelectElement>().value();
        match value.as_str() {
            "connection" => Grouping::Connection,
            "incident" => Grouping::Incident,
            _ => Grouping::None,
        }
    });
    let choice = &props.choice;
    let grouping = props.grouping;
    html! {
        <div class="filters">
            <label class="filter grow">
                <span>{ "Filter (Wireshark or tcpdump terms)" }</span>
                <input type="search" placeholder="e.g. ip.addr==10.0.0.5, tcp.port==443, host 10.0.0.5, port 443"
                       data-testid="host-filter" value={props.host.clone()} oninput={on_host}
                       aria-invalid={props.invalid.to_string()} spellcheck="false" />
            </label>
            { select(props, "Origin", &props.origins, &choice.origin, |f, v| f.origin = v) }
            { select(props, "Cause", &props.causes, &choice.cause, |f, v| f.cause = v) }
            <label class="filter">
                <span>{ "Group by" }</span>
                <select onchange={on_grouping} data-testid="group-by">
                    <option value="none" selected={grouping == Grouping::None}>{ "nothing (one row per reset)" }</option>
                    <option value="connection" selected={grouping == Grouping::Connection}>{ "connection" }</option>
                    if props.incidents {
                        <option value="incident" selected={grouping == Grouping::Incident}>{ "incident" }</option>
                    }
                </select>
            </label>
            <TimeSelect mode={props.time_mode} on_change={props.on_time_mode.clone()} />
            { sort_select(props.sort, &props.on_sort) }
            <span class="muted count" data-testid="reset-matches">{ format!("{} of {}", props.matching, props.total) }</span>
        </div>
    }
}

/// A select of `options` ("all" first) that sets one field of the choice.
fn select(
    props: &Props,
    label: &'static str,
    options: &[String],
    current: &str,
    pick: fn(&mut Choice, String),
) -> Html {
    let (choice, on_choice) = (props.choice.clone(), props.on_choice.clone());
    let onchange = Callback::from(move |e: Event| {
        let mut next = choice.clone();
        pick(
            &mut next,
            e.target_unchecked_into::<HtmlSelectElement>().value(),
        );
        on_choice.emit(next);
    });
    html! {
        <label class="filter">
            <span>{ label }</span>
            <select {onchange}>
                <option value="" selected={current.is_empty()}>{ "all" }</option>
                { for options.iter().map(|o| html! {
                    <option value={o.clone()} selected={o == current}>{ o.clone() }</option>
                }) }
            </select>
        </label>
    }
}

/// The sort as a select, for the phone's card layout, where the header row
/// and its sort buttons are not shown (CSS shows it only there). Each
/// sortable column, in both directions.
fn sort_select(current: (Column, bool), on_sort: &Callback<(Column, bool)>) -> Html {
    let sortable = || {
        COLUMNS
            .iter()
            .filter_map(|&(label, column, _)| Some((label, column?)))
    };
    let value = |column: Column, ascending: bool| {
        let i = sortable().position(|(_, c)| c == column).unwrap_or(0);
        format!("{i}{}", if ascending { "a" } else { "d" })
    };
    let on_sort = on_sort.clone();
    let onchange = Callback::from(move |e: Event| {
        let picked = e.target_unchecked_into::<HtmlSelectElement>().value();
        let (index, ascending) = picked.split_at(picked.len().saturating_sub(1));
        let column = index.parse::<usize>().ok().and_then(|i| sortable().nth(i));
        if let Some((_, column)) = column {
            on_sort.emit((column, ascending == "a"));
        }
    });
    let options = sortable().flat_map(|(label, column)| {
        [(true, "ascending"), (false, "descending")]
            .map(move |(ascending, words)| (label, column, ascending, words))
    });
    html! {
        <label class="filter sort-select">
            <span>{ "Sort by" }</span>
            <select {onchange} data-testid="sort-by">
                { for options.map(|(label, column, ascending, words)| html! {
                    <option value={value(column, ascending)} selected={current == (column, ascending)}>
                        { format!("{label}, {words}") }
                    </option>
                }) }
            </select>
        </label>
    }
}
