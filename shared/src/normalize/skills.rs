//! Normalization: skills (being written).
