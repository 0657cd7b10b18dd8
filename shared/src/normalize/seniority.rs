//! Normalization: seniority (being written).
