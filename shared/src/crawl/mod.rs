//! The crawler's side of the web: the fetch port ([`fetch`]) and, behind the `http` feature,
//! its reqwest adapter ([`http`]).

pub mod fetch;
#[cfg(feature = "http")]
pub mod http;
