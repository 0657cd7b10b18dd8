//! Normalization: sanitize (being written).
