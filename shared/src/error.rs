//! Errors of the domain. Everything here is permanent: the same input fails the same way, so
//! callers never retry a `ParseError` (a queue consumer sends such a message to its DLQ).

use crate::model::SourceKind;

/// Why a document could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    /// The document is empty (or only whitespace).
    #[error("the document is empty")]
    Empty,
    /// The document is larger than the configured limit.
    #[error("the document is {size} bytes, over the {limit}-byte limit")]
    TooLarge {
        /// Its size in bytes.
        size: u64,
        /// The limit in bytes.
        limit: u64,
    },
    /// The document is not text (NUL bytes, or not UTF-8 in a way that decoding cannot mend).
    #[error("the document is binary, not text ({0})")]
    NotText(String),
    /// The document is syntactically broken, or not the shape `kind` expects.
    #[error("not a valid {kind} document: {detail}")]
    Malformed {
        /// The kind that was tried.
        kind: SourceKind,
        /// What was wrong (short; never the document itself).
        detail: String,
    },
    /// `auto` could not tell what kind of document this is.
    #[error("cannot detect the kind of this document: {0}")]
    UnknownKind(String),
    /// The request itself is wrong (e.g. the `html` kind without a recipe).
    #[error("{0}")]
    Usage(String),
}

impl ParseError {
    /// A `Malformed` error for `kind` with a short detail (never the document itself).
    pub fn malformed(kind: SourceKind, detail: impl Into<String>) -> Self {
        ParseError::Malformed {
            kind,
            detail: detail.into(),
        }
    }
}
