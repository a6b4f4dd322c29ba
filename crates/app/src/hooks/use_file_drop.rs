//! Files dropped on a zone or picked with its file input, for every drop zone.

use web_sys::{DragEvent, FileList, HtmlInputElement};
use yew::prelude::*;

use crate::protocol::CaptureFile;

/// The handlers a drop zone puts on its element and its file input.
pub struct FileDrop {
    /// A file is being dragged over the zone.
    pub dragging: bool,
    pub ondragover: Callback<DragEvent>,
    pub ondragleave: Callback<DragEvent>,
    pub ondrop: Callback<DragEvent>,
    /// For the zone's `<input type=file>`.
    pub onchange: Callback<Event>,
}

/// Every file dropped or picked goes to `on_files` (all of them: the
/// receiver says when there are too many), unless `busy`.
#[hook]
pub fn use_file_drop(on_files: Callback<Vec<CaptureFile>>, busy: bool) -> FileDrop {
    let dragging = use_state(|| false);
    let onchange = {
        let on_files = on_files.clone();
        Callback::from(move |e: Event| {
            let input: HtmlInputElement = e.target_unchecked_into();
            let files = captures(input.files());
            if !files.is_empty() {
                on_files.emit(files);
            }
            // Choosing the same file again must fire `change` again.
            input.set_value("");
        })
    };
    let ondragover = {
        let dragging = dragging.clone();
        Callback::from(move |e: DragEvent| {
            // Without this the browser opens the file itself.
            e.prevent_default();
            dragging.set(true);
        })
    };
    let ondragleave = {
        let dragging = dragging.clone();
        Callback::from(move |_: DragEvent| dragging.set(false))
    };
    let ondrop = {
        let dragging = dragging.clone();
        Callback::from(move |e: DragEvent| {
            e.prevent_default();
            // An enclosing zone must not take the files too.
            e.stop_propagation();
            dragging.set(false);
            let files = captures(e.data_transfer().and_then(|d| d.files()));
            if !files.is_empty() && !busy {
                on_files.emit(files);
            }
        })
    };
    FileDrop {
        dragging: *dragging,
        ondragover,
        ondragleave,
        ondrop,
        onchange,
    }
}

fn captures(files: Option<FileList>) -> Vec<CaptureFile> {
    let Some(files) = files else {
        return Vec::new();
    };
    (0..files.length())
        .filter_map(|i| files.get(i))
        .map(CaptureFile::from)
        .collect()
}
