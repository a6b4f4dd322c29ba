use yew::prelude::*;

use super::copy_button::CopyButton;
use rstscope_core::filters;
use rstscope_core::report::Endpoint;

#[derive(Properties, PartialEq)]
pub struct Props {
    /// The packet (a reset's), when there is one.
    #[prop_or_default]
    pub frame: Option<u64>,
    /// Wireshark's `tcp.stream` of the conversation.
    pub stream: Option<u32>,
    /// The two endpoints.
    pub a: Endpoint,
    pub b: Endpoint,
}

/// Copyable filters that show these packets in Wireshark and tcpdump.
#[component]
pub fn PacketFilters(props: &Props) -> Html {
    let mut rows: Vec<(&str, String, &str)> = Vec::new();
    if let Some(frame) = props.frame {
        rows.push(("this packet", filters::frame(frame), "filter-frame"));
    }
    if let Some(stream) = props.stream {
        rows.push(("its stream", filters::stream(stream), "filter-stream"));
    }
    rows.push((
        "both endpoints",
        filters::conversation(props.a, props.b),
        "filter-conversation",
    ));
    rows.push(("tcpdump -w …", filters::bpf(props.a, props.b), "filter-bpf"));
    html! {
        <section class="packet-filters" aria-label="Filters for Wireshark and tcpdump">
            <h3>{ "Find these packets" }</h3>
            <dl>
                { for rows.into_iter().map(|(what, filter, testid)| html! {
                    <div class="filter-row">
                        <dt>{ what }</dt>
                        <dd>
                            <code data-testid={testid}>{ filter.clone() }</code>
                            <CopyButton text={filter.clone()} label={format!("Copy the filter for {what}")}
                                        testid={AttrValue::from(format!("copy-{testid}"))} />
                        </dd>
                    </div>
                }) }
            </dl>
        </section>
    }
}
