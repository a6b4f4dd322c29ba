use gloo_timers::callback::Timeout;
use yew::prelude::*;

use crate::browser;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub text: AttrValue,
    /// What is copied, for screen readers ("Copy the stream filter").
    pub label: AttrValue,
    #[prop_or_default]
    pub testid: Option<AttrValue>,
}

/// A small "Copy" button; "Copied" shows beside it for two seconds and is
/// announced (a polite live region, present before it changes).
#[component]
pub fn CopyButton(props: &Props) -> Html {
    let copied = use_state(|| false);
    let timer = use_mut_ref(|| None::<Timeout>);
    let onclick = {
        let (text, copied) = (props.text.clone(), copied.clone());
        Callback::from(move |_: MouseEvent| {
            browser::copy_to_clipboard(&text);
            copied.set(true);
            let copied = copied.clone();
            *timer.borrow_mut() = Some(Timeout::new(2_000, move || copied.set(false)));
        })
    };
    html! {
        <span class="copy">
            <button type="button" class="button small" aria-label={props.label.clone()} {onclick}
                    data-testid={props.testid.clone()}>{ "Copy" }</button>
            <span class="copied" role="status" aria-live="polite">{ if *copied { "Copied" } else { "" } }</span>
        </span>
    }
}
