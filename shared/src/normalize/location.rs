//! Normalization: location (being written).
