//! Normalization: salary (being written).
