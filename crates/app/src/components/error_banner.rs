use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub message: AttrValue,
}

/// An analysis or share-link failure; the rest of the page stays usable.
#[component]
pub fn ErrorBanner(props: &Props) -> Html {
    html! {
        <div class="error-banner" role="alert">
            <strong>{ "Could not analyse this input" }</strong>
            <span data-testid="error">{ props.message.clone() }</span>
        </div>
    }
}
