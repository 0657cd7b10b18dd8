//! The crawler's side of the web: the fetch port ([`fetch`]), behind the `http` feature its
//! reqwest adapter ([`http`]), and the resumable crawl of one source over that port
//! ([`source`], with the API paging rules in [`paging`] and what a crawl knows of its source
//! in [`known`]).

pub mod fetch;
#[cfg(feature = "http")]
pub mod http;
pub mod known;
pub mod paging;
pub mod source;
