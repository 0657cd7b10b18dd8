//! The `jobfeed` command.
fn main() {}
