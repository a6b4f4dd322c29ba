use yew::prelude::*;

use super::unique_id;

#[derive(Properties, PartialEq)]
pub struct Props {
    /// The word as the report writes it ("RSTR", "post-psh", "ttl").
    pub text: AttrValue,
    /// What it means, in a sentence.
    pub explain: AttrValue,
    /// A Tab stop of its own; inside a grid the cell takes the focus
    /// instead, and shows the explanation while it has it.
    #[prop_or(true)]
    pub focusable: bool,
    #[prop_or_default]
    pub class: Classes,
}

/// A piece of jargon with its explanation, shown on hover and on focus and
/// read out by screen readers as the element's description.
#[component]
pub fn Term(props: &Props) -> Html {
    let id = use_memo((), |()| unique_id("term"));
    html! {
        <span class={classes!("term", props.class.clone())}
              tabindex={props.focusable.then_some("0")} aria-describedby={(*id).clone()}>
            { props.text.clone() }
            <span class="tooltip" role="tooltip" id={(*id).clone()}>{ props.explain.clone() }</span>
        </span>
    }
}
