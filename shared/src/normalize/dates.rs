//! Normalization: dates (being written).
