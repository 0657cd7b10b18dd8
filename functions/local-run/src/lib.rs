//! Test-only crate: `tests/full_run.rs` runs the whole serverless stack locally.
