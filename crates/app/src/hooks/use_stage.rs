//! A report drawn in steps, one more after each paint.

use yew::prelude::*;

use crate::browser;

/// How much of a report is drawn.
#[derive(Clone, Copy, PartialEq)]
pub enum Stage {
    /// The summary and its headline: what a reader looks at first.
    Summary,
    /// The incidents and the comparison too.
    Incidents,
    /// The timeline and the tables too.
    Complete,
}

impl Stage {
    fn next(self) -> Self {
        match self {
            Self::Summary => Self::Incidents,
            Self::Incidents | Self::Complete => Self::Complete,
        }
    }
}

/// The stage a report is drawn to, one step more each time the browser
/// painted the one before: a big report does not hold the first view back,
/// and no step is one long task (on a phone each is a long task of its
/// own). Marks `rstscope:report-painted` once the summary is painted.
#[hook]
pub fn use_stage() -> Stage {
    let stage = use_state(|| Stage::Summary);
    {
        let stage = stage.clone();
        use_effect_with(*stage, move |now| {
            let now = *now;
            wasm_bindgen_futures::spawn_local(async move {
                if now == Stage::Complete {
                    return;
                }
                browser::after_paint().await;
                if now == Stage::Summary {
                    browser::mark("rstscope:report-painted");
                }
                stage.set(now.next());
            });
        });
    }
    *stage
}
