//! `template.yaml` routes exactly the router's endpoints and pages to the api function: a new
//! endpoint without a route would be unreachable on AWS, a route without an endpoint a 404.

use std::collections::BTreeSet;

use jobfeed_fn::testing::http_routes;

#[test]
fn the_template_routes_every_endpoint_and_page_of_the_router_and_nothing_else() {
    let document = jobfeed::api::openapi();
    let endpoints: BTreeSet<String> = document
        .paths
        .paths
        .keys()
        .map(|path| path.as_str())
        .chain(jobfeed::api::PAGE_ROUTES)
        .map(|path| format!("GET {path}"))
        .collect();
    assert_eq!(http_routes(), endpoints);
}
