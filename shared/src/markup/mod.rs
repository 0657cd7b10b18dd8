//! Markup utilities shared by the extractors, the normalizer and the adapters: a tolerant
//! HTML tokenizer, the nesting pre-check run before html5ever, and description cuts that keep
//! HTML well formed. Depends on nothing but the model and the error types.

pub mod cut;
pub mod nesting;
pub(crate) mod tokenizer;
