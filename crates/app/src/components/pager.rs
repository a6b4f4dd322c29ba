use web_sys::HtmlSelectElement;
use yew::prelude::*;

use crate::reset_rows::PAGE_SIZES;

#[derive(Properties, PartialEq)]
pub struct Props {
    /// Lines in all pages, the page shown (from 0) and lines per page.
    pub count: usize,
    pub page: usize,
    pub size: usize,
    pub on_page: Callback<usize>,
    pub on_size: Callback<usize>,
    /// "resets", "connections": what the lines are.
    pub noun: AttrValue,
}

/// "51–100 of 1,333 resets", the first, previous, next and last page, and
/// how many lines a page holds.
#[component]
pub fn Pager(props: &Props) -> Html {
    let (range, pages) = crate::reset_rows::page(props.count, props.page, props.size);
    let page = props.page.min(pages - 1);
    let go = |to: usize, label: &'static str, text: &'static str, enabled: bool| {
        let on_page = props.on_page.clone();
        html! {
            <button type="button" class="button small" aria-label={label} disabled={!enabled}
                    onclick={move |_| on_page.emit(to)}>{ text }</button>
        }
    };
    let on_size = {
        let on_size = props.on_size.clone();
        Callback::from(move |e: Event| {
            let value = e.target_unchecked_into::<HtmlSelectElement>().value();
            on_size.emit(value.parse().unwrap_or(PAGE_SIZES[1]));
        })
    };
    if props.count <= PAGE_SIZES[0] {
        return html! {};
    }
    html! {
        <nav class="pager" aria-label={format!("Pages of {}", props.noun)}>
            { go(0, "First page", "«", page > 0) }
            { go(page.saturating_sub(1), "Previous page", "‹", page > 0) }
            <span class="pager-where" data-testid="pager-where">
                { format!("{}–{} of {} {} (page {} of {pages})", range.start + 1, range.end,
                          props.count, props.noun, page + 1) }
            </span>
            { go(page + 1, "Next page", "›", page + 1 < pages) }
            { go(pages - 1, "Last page", "»", page + 1 < pages) }
            <label class="filter inline">
                <span>{ "Per page" }</span>
                <select onchange={on_size}>
                    { for PAGE_SIZES.iter().map(|&n| html! {
                        <option value={n.to_string()} selected={n == props.size}>{ n }</option>
                    }) }
                </select>
            </label>
        </nav>
    }
}
