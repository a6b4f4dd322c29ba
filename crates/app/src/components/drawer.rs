use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement};
use yew::prelude::*;

use super::unique_id;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub title: AttrValue,
    pub on_close: Callback<()>,
    #[prop_or_default]
    pub children: Html,
    #[prop_or_default]
    pub testid: Option<AttrValue>,
}

/// What can take the focus inside the drawer.
const FOCUSABLE: &str = "a[href], button:not([disabled]), input:not([disabled]), select, \
                         textarea, [tabindex]:not([tabindex='-1'])";

/// A modal side panel (the WAI-ARIA dialog pattern): it takes the focus when
/// it opens, keeps Tab and Shift+Tab inside, closes on Escape, on its Close
/// button or a click beside it, and gives the focus back to what had it
/// before (the row or dot that opened it).
#[component]
pub fn Drawer(props: &Props) -> Html {
    let panel = use_node_ref();
    let heading = use_memo((), |()| unique_id("drawer-title"));
    {
        let panel = panel.clone();
        use_effect_with((), move |_| {
            let opener = web_sys::window()
                .and_then(|w| w.document())
                .and_then(|d| d.active_element())
                .and_then(|e| e.dyn_into::<HtmlElement>().ok());
            if let Some(panel) = panel.cast::<HtmlElement>() {
                let _ = panel.focus();
            }
            move || {
                if let Some(opener) = opener.filter(|o| o.is_connected()) {
                    let _ = opener.focus();
                }
            }
        });
    }
    // New content (another reset followed from this one): read from the top.
    {
        let panel = panel.clone();
        use_effect_with(props.title.clone(), move |_| {
            if let Some(panel) = panel.cast::<HtmlElement>() {
                panel.set_scroll_top(0);
                let _ = panel.focus();
            }
        });
    }
    let onkeydown = {
        let (on_close, panel) = (props.on_close.clone(), panel.clone());
        Callback::from(move |e: KeyboardEvent| match e.key().as_str() {
            "Escape" => {
                e.prevent_default();
                on_close.emit(());
            }
            "Tab" => {
                if let Some(panel) = panel.cast::<Element>() {
                    keep_tab_inside(&panel, &e);
                }
            }
            _ => {}
        })
    };
    let close = props.on_close.reform(|_: MouseEvent| ());
    html! {
        <>
            <div class="drawer-backdrop" onclick={close.clone()} aria-hidden="true"></div>
            <div class="drawer" role="dialog" aria-modal="true" aria-labelledby={(*heading).clone()}
                 tabindex="-1" ref={panel} {onkeydown} data-testid={props.testid.clone()}>
                <div class="drawer-head">
                    <h2 id={(*heading).clone()}>{ props.title.clone() }</h2>
                    <button type="button" class="button" onclick={close}>{ "Close" }</button>
                </div>
                { props.children.clone() }
            </div>
        </>
    }
}

/// Tab from the last focusable element goes to the first, Shift+Tab from
/// the first (or from the panel itself) to the last.
fn keep_tab_inside(panel: &Element, e: &KeyboardEvent) {
    let Ok(list) = panel.query_selector_all(FOCUSABLE) else {
        return;
    };
    let items: Vec<HtmlElement> = (0..list.length())
        .filter_map(|i| list.item(i)?.dyn_into::<HtmlElement>().ok())
        .filter(|el| el.offset_parent().is_some() || el.get_client_rects().length() > 0)
        .collect();
    let (Some(first), Some(last)) = (items.first(), items.last()) else {
        e.prevent_default();
        return;
    };
    let active = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.active_element());
    let at = |el: &HtmlElement| {
        active
            .as_ref()
            .is_some_and(|a| a == el.unchecked_ref::<Element>())
    };
    let on_panel = active.as_ref().is_some_and(|a| a == panel);
    if e.shift_key() && (at(first) || on_panel) {
        e.prevent_default();
        let _ = last.focus();
    } else if !e.shift_key() && at(last) {
        e.prevent_default();
        let _ = first.focus();
    }
}
