//! Durations and UTC dates, shared with the giveaway plugin: see
//! [`vigie_text::time`].

pub use vigie_text::time::*;
