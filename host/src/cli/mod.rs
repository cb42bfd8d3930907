//! The command-line tools around the pipeline, one module each: what
//! `vigie bench`, `test --golden`, `new`, and the store readers (`audit`,
//! `dead-letters`, `versions`, `shadow-report`, `replay`), `simulate` and `user` (the console's accounts) do. `main.rs`
//! parses the command line and runs the host; the pipeline itself lives in
//! the library.

pub mod bench;
pub mod golden;
pub mod report;
pub mod scaffold;
pub mod simulate;
pub mod user;
