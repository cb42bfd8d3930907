//! The command-line tools around the pipeline, one module each: what
//! `vigie bench`, `test --golden`, `new`, the store readers (`audit`,
//! `dead-letters`, `versions`, `shadow-report`, `replay`, all in
//! `report`), `report` itself (the KPIs, in `kpi`), `faq-check`, `simulate`, `user`
//! (the console's accounts) and `cluster` (publish a plugin version to every
//! host) do. `main.rs` parses the command line and runs
//! the host; the pipeline itself lives in the library.

pub mod bench;
pub mod cluster;
pub mod faq_check;
pub mod golden;
pub mod kpi;
pub mod report;
pub mod scaffold;
pub mod simulate;
pub mod user;
