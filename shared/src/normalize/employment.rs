//! Normalization: employment (being written).
