//! The SSRF guard: which addresses a fetch may reach, and a DNS resolver that enforces it at
//! connect time so a host name cannot smuggle a private address past the URL checks.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use reqwest::dns::{Addrs, Name, Resolve, Resolving};

/// Which addresses a client may connect to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AddressPolicy {
    /// Public unicast addresses only.
    PublicOnly,
    /// Also loopback and private ranges (local tests, intranet sources). Link-local stays
    /// refused: it holds cloud metadata endpoints (169.254.169.254) and nothing worth crawling.
    AllowPrivate,
}

impl AddressPolicy {
    /// Why `ip` may not be reached under this policy, or `None` when it may.
    pub(crate) fn refusal(self, ip: IpAddr) -> Option<&'static str> {
        let class = classify(ip);
        match (self, class) {
            (_, AddressClass::Public) => None,
            (Self::AllowPrivate, AddressClass::Private) => None,
            (_, AddressClass::Private) => Some("a loopback or private address"),
            (_, AddressClass::LinkLocal) => Some("a link-local address"),
            (_, AddressClass::Other) => Some("a non-public address"),
        }
    }
}

/// What kind of network an address belongs to, as far as fetching is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum AddressClass {
    /// Globally routable unicast.
    Public,
    /// Loopback, RFC 1918, CGNAT, IPv6 unique-local.
    Private,
    /// Link-local (169.254.0.0/16, fe80::/10).
    LinkLocal,
    /// Everything else that is not a public unicast host: unspecified, multicast, broadcast,
    /// documentation, benchmarking, reserved and protocol-assignment ranges.
    Other,
}

fn classify(ip: IpAddr) -> AddressClass {
    match ip {
        IpAddr::V4(v4) => classify_v4(v4),
        IpAddr::V6(v6) => classify_v6(v6),
    }
}

fn classify_v4(ip: Ipv4Addr) -> AddressClass {
    let [a, b, c, _] = ip.octets();
    if ip.is_loopback() || ip.is_private() || (a == 100 && (64..128).contains(&b)) {
        AddressClass::Private
    } else if ip.is_link_local() {
        AddressClass::LinkLocal
    } else if a == 0 // "this network" 0/8
        || a >= 224 // multicast 224/4, reserved 240/4, broadcast
        || (a == 198 && (b == 18 || b == 19)) // benchmarking 198.18/15
        || (a == 192 && b == 0 && c == 0) // IETF protocol assignments 192.0.0/24
        || (a == 192 && b == 88 && c == 99) // 6to4 relay anycast 192.88.99/24
        || ip.is_documentation()
    {
        AddressClass::Other
    } else {
        AddressClass::Public
    }
}

fn classify_v6(ip: Ipv6Addr) -> AddressClass {
    // Addresses that carry an IPv4 address reach that IPv4 host: judge the embedded one.
    if let Some(v4) = ip.to_ipv4_mapped() {
        return classify_v4(v4);
    }
    let s = ip.segments();
    let embedded = |hi: u16, lo: u16| Ipv4Addr::from((u32::from(hi) << 16) | u32::from(lo));
    if s[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
        return classify_v4(embedded(s[6], s[7])); // NAT64 64:ff9b::/96
    }
    if s[0] == 0x2002 {
        return classify_v4(embedded(s[1], s[2])); // 6to4 2002::/16
    }
    if ip.is_loopback() || (s[0] & 0xfe00) == 0xfc00 {
        AddressClass::Private // ::1, unique-local fc00::/7
    } else if (s[0] & 0xffc0) == 0xfe80 {
        AddressClass::LinkLocal
    } else if is_global_unicast_v6(s) {
        AddressClass::Public
    } else {
        AddressClass::Other
    }
}

/// Only global unicast 2000::/3 is public, less documentation 2001:db8::/32 and the IETF
/// protocol assignments 2001::/23 (Teredo, ORCHID and the like).
fn is_global_unicast_v6(s: [u16; 8]) -> bool {
    let [first, second, ..] = s;
    let global = (first & 0xe000) == 0x2000;
    let documentation = first == 0x2001 && second == 0x0db8;
    let protocol_assignment = first == 0x2001 && second < 0x0200;
    global && !documentation && !protocol_assignment
}

/// The address a fetch was refused because of; found in a client error's source chain.
#[derive(Debug, thiserror::Error)]
#[error("{host} resolves only to refused addresses ({reason})")]
pub(crate) struct AddressRefused {
    /// The host name that was resolved.
    pub(crate) host: String,
    /// Why its addresses were refused.
    pub(crate) reason: &'static str,
}

/// A resolver that drops the addresses `policy` refuses, and fails when none are left. Every
/// connection of a client built with it (first hops and redirects alike) goes through it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct GuardedResolver {
    pub(crate) policy: AddressPolicy,
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let policy = self.policy;
        let host = name.as_str().to_owned();
        Box::pin(async move {
            // Port 0 is replaced by the URL's port (or the scheme's default) by the client.
            let resolved: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let mut reason = "no address";
            let allowed: Vec<SocketAddr> = resolved
                .into_iter()
                .filter(|addr| match policy.refusal(addr.ip()) {
                    None => true,
                    Some(why) => {
                        reason = why;
                        false
                    }
                })
                .collect();
            if allowed.is_empty() {
                return Err(Box::new(AddressRefused { host, reason }) as _);
            }
            Ok(Box::new(allowed.into_iter()) as Addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refusal(policy: AddressPolicy, ip: &str) -> Option<&'static str> {
        policy.refusal(ip.parse().unwrap())
    }

    #[test]
    fn public_addresses_are_allowed_under_both_policies() {
        for ip in [
            "93.184.215.14",
            "8.8.8.8",
            "2606:4700::6810:84e5",
            "2a00:1450::1",
        ] {
            assert_eq!(refusal(AddressPolicy::PublicOnly, ip), None, "{ip}");
            assert_eq!(refusal(AddressPolicy::AllowPrivate, ip), None, "{ip}");
        }
    }

    #[test]
    fn loopback_private_cgnat_and_unique_local_are_refused_unless_private_is_allowed() {
        let private = [
            "127.0.0.1",
            "127.1.2.3",
            "10.0.0.1",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.1",
            "100.64.0.1",
            "100.127.255.254",
            "::1",
            "fd00::1",
            "fc00::1",
            "::ffff:127.0.0.1",
            "::ffff:10.1.2.3",
            "64:ff9b::a00:1",
            "2002:c0a8:0101::1",
        ];
        for ip in private {
            assert_eq!(
                refusal(AddressPolicy::PublicOnly, ip),
                Some("a loopback or private address"),
                "{ip}"
            );
            assert_eq!(refusal(AddressPolicy::AllowPrivate, ip), None, "{ip}");
        }
    }

    #[test]
    fn link_local_and_metadata_addresses_are_always_refused() {
        for ip in [
            "169.254.169.254",
            "169.254.0.1",
            "fe80::1",
            "::ffff:169.254.169.254",
        ] {
            assert_eq!(
                refusal(AddressPolicy::AllowPrivate, ip),
                Some("a link-local address"),
                "{ip}"
            );
            assert!(refusal(AddressPolicy::PublicOnly, ip).is_some(), "{ip}");
        }
    }

    #[test]
    fn unspecified_multicast_documentation_and_reserved_ranges_are_always_refused() {
        let other = [
            "0.0.0.0",
            "0.1.2.3",
            "224.0.0.1",
            "239.255.255.250",
            "240.0.0.1",
            "255.255.255.255",
            "192.0.2.1",
            "198.51.100.7",
            "203.0.113.9",
            "198.18.0.1",
            "192.0.0.8",
            "192.88.99.1",
            "::",
            "ff02::1",
            "2001:db8::1",
            "2001::1",
            "::ffff:0.0.0.0",
        ];
        for ip in other {
            assert_eq!(
                refusal(AddressPolicy::AllowPrivate, ip),
                Some("a non-public address"),
                "{ip}"
            );
            assert!(refusal(AddressPolicy::PublicOnly, ip).is_some(), "{ip}");
        }
    }

    #[test]
    fn addresses_next_to_private_ranges_are_public() {
        for ip in [
            "172.15.255.255",
            "172.32.0.1",
            "100.63.255.255",
            "100.128.0.1",
            "11.0.0.1",
        ] {
            assert_eq!(refusal(AddressPolicy::PublicOnly, ip), None, "{ip}");
        }
    }

    #[tokio::test]
    async fn the_strict_resolver_refuses_a_name_that_resolves_to_loopback() {
        let resolver = GuardedResolver {
            policy: AddressPolicy::PublicOnly,
        };
        let name: Name = "localhost".parse().unwrap();
        let err = match resolver.resolve(name).await {
            Ok(addrs) => panic!("resolved to {:?}", addrs.collect::<Vec<_>>()),
            Err(e) => e,
        };
        let refused = err.downcast_ref::<AddressRefused>().unwrap();
        assert_eq!(refused.host, "localhost");
        assert_eq!(refused.reason, "a loopback or private address");
    }

    #[tokio::test]
    async fn the_permissive_resolver_resolves_localhost_to_loopback() {
        let resolver = GuardedResolver {
            policy: AddressPolicy::AllowPrivate,
        };
        let name: Name = "localhost".parse().unwrap();
        let addrs: Vec<SocketAddr> = resolver.resolve(name).await.unwrap().collect();
        assert!(!addrs.is_empty());
        assert!(addrs.iter().all(|a| a.ip().is_loopback()), "{addrs:?}");
    }
}
