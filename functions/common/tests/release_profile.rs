//! The workspace's release profile as `cargo lambda build --release` (and `sam build`, which
//! runs it) will use it. cargo-lambda adds its own defaults for every release setting the
//! profile leaves out, among them `panic = "abort"` and `lto = "thin"`; the functions depend
//! on unwinding (one panicking SQS message must not abort its whole batch) and the sizes in
//! BENCHMARKS.md on fat LTO, so both must be written out.

fn release_profile() -> toml::Table {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../Cargo.toml");
    let manifest: toml::Table = std::fs::read_to_string(path)
        .expect("the workspace Cargo.toml")
        .parse()
        .expect("valid TOML");
    manifest["profile"]["release"]
        .as_table()
        .expect("a [profile.release] table")
        .clone()
}

#[test]
fn the_release_profile_spells_out_unwinding_so_cargo_lambda_cannot_default_it_to_abort() {
    let release = release_profile();
    assert_eq!(
        release.get("panic").and_then(|v| v.as_str()),
        Some("unwind")
    );
}

#[test]
fn the_release_profile_sets_every_option_cargo_lambda_would_otherwise_choose() {
    let release = release_profile();
    for key in ["strip", "lto", "codegen-units", "panic"] {
        assert!(
            release.contains_key(key),
            "[profile.release] leaves {key} to cargo-lambda"
        );
    }
    assert_eq!(release.get("lto").and_then(|v| v.as_str()), Some("fat"));
}
