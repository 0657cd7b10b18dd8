//! Normalization: title (being written).
