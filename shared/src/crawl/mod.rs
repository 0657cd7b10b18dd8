//! The crawler's side of the web: the fetch port ([`fetch`]), behind the `http` feature its
//! reqwest adapter ([`http`]), and the crawl of one source over that port ([`source`], with
//! the API paging rules in [`paging`]).

pub mod fetch;
#[cfg(feature = "http")]
pub mod http;
pub mod paging;
pub mod run;
pub mod source;
