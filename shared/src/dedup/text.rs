//! Descriptions as evidence: the overlap of two texts' word 3-shingles, measured against
//! the shorter text (a board that adds a header or cuts the end still contains the ATS's
//! text). Computed from the stored `description_text` when two postings are compared, so
//! nothing extra is stored or indexed.

use std::collections::HashSet;

use super::Evidence;

/// Shingles a text needs before its overlap counts as evidence (about 20 words): short
/// texts (a title repeated, "see our site") tell nothing.
pub const MIN_SHINGLES: usize = 18;

/// Overlap from which two texts are the same description (posted twice, or with a
/// header or tail added): strong evidence of one job. Set above what shared company
/// boilerplate gives two different jobs.
pub const SAME_TEXT: f64 = 0.8;

/// Overlap below which two texts are different descriptions: a veto.
pub const OTHER_TEXT: f64 = 0.2;

/// What two descriptions say: `None` when either is too short to tell.
pub fn compare(a: &str, b: &str) -> Option<Evidence> {
    compare_shingles(&shingles(a), &shingles(b))
}

/// `compare` over shingle sets computed beforehand (a posting compared with many others
/// is shingled once).
pub fn compare_shingles(a: &HashSet<u64>, b: &HashSet<u64>) -> Option<Evidence> {
    let overlap = containment(a, b)?;
    Some(if overlap >= SAME_TEXT {
        Evidence::Match
    } else if overlap < OTHER_TEXT {
        Evidence::Conflict
    } else {
        Evidence::Weak
    })
}

/// The share of the smaller shingle set found in the other, `None` when either set has
/// fewer than `MIN_SHINGLES`.
pub fn containment(a: &HashSet<u64>, b: &HashSet<u64>) -> Option<f64> {
    let (small, large) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    if small.len() < MIN_SHINGLES {
        return None;
    }
    let common = small.iter().filter(|s| large.contains(s)).count();
    Some(common as f64 / small.len() as f64)
}

/// The hashed 3-word shingles of a text (lower case, punctuation ignored).
pub fn shingles(text: &str) -> HashSet<u64> {
    let words: Vec<String> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    words
        .windows(3)
        .map(|window| {
            // FNV-1a: stable across processes and releases, and fast on short keys.
            let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
            for byte in window.join(" ").bytes() {
                hash ^= u64::from(byte);
                hash = hash.wrapping_mul(0x0100_0000_01b3);
            }
            hash
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const ATS: &str = "Acme builds the ledger behind thousands of small online shops. As a \
        backend engineer you will own the settlement service end to end, design its Postgres \
        schema, write Go that moves money safely and review the work of two colleagues.";

    #[test]
    fn the_same_text_with_a_board_header_is_the_same_description() {
        let board = format!("Headquarters: Berlin URL: https://acme.example {ATS}");
        assert_eq!(compare(ATS, &board), Some(Evidence::Match));
        assert_eq!(compare(ATS, &ATS.to_uppercase()), Some(Evidence::Match));
    }

    #[test]
    fn another_text_vetoes_and_a_short_one_tells_nothing() {
        let other = "We are looking for a designer to shape the mobile apps our shoppers \
            love, run research sessions every week and keep our design system tidy, \
            accessible and documented for every team that ships features.";
        assert_eq!(compare(ATS, other), Some(Evidence::Conflict));
        assert_eq!(compare(ATS, "Backend Engineer at Acme."), None);
    }
}
