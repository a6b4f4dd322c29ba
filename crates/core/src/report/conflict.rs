//! Evidence that disagrees about who sent a reset, said in one sentence
//! beside the verdict ("TTL says server, timing says path") rather than
//! left to a low confidence alone.

use alloc::string::String;
use alloc::vec::Vec;
use serde::{Deserialize, Serialize};

use super::{Origin, Signal};

/// The signals of one reset that point to two different origins: the
/// verdict's, and the strongest other one.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Conflict {
    /// The origin the verdict concluded.
    pub concluded: Origin,
    /// The kinds of signal that point to it, strongest first, each once.
    pub for_concluded: Vec<Signal>,
    /// The origin the other signals point to.
    pub other: Origin,
    /// The kinds of signal that point to `other`, strongest first.
    pub for_other: Vec<Signal>,
    /// "TTL says server, timing says path.": `render::conflict(self)`.
    pub sentence: String,
}
