//! Markup utilities shared by the extractors, the normalizer and the adapters: a tolerant
//! HTML tokenizer, the nesting pre-check run before html5ever, description cuts that keep
//! HTML well formed, decoding a document's bytes by its declared charset, and plain-text hygiene (XML-forbidden characters, tag-shaped text).
//! Depends on nothing but the model and the error types.

pub mod charset;
pub mod cut;
pub mod nesting;
pub mod text;
pub(crate) mod tokenizer;
