//! Titles read as roles: the level, the core words and the qualifiers (team, stack) of a
//! title, with the spellings boards differ in unified, so `Backend Engineer (Go)`,
//! `Backend Engineer - Go` and `Backend Engineer, Go` are one role and `Staff Engineer` and
//! `Principal Engineer` are two.

use std::collections::BTreeSet;

use super::Evidence;
use crate::normalize::location::{country_code, remote_region};

/// A title read as a role.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Role {
    /// Level words (`senior`, `staff`, `l2`, ...), wherever the title puts them.
    pub level: BTreeSet<String>,
    /// The core words before any qualifier, sorted (`backend`, `engineer`).
    pub core: Vec<String>,
    /// The qualifier words (bracketed, or after a dash, comma, colon or bar), with place
    /// names, workplace words and an acronym of the core left out.
    pub qualifiers: BTreeSet<String>,
}

impl Role {
    /// Reads `title` as a role. `places` are the posting's location texts: a qualifier that
    /// only names one of them (`Backend Engineer - Berlin`) is a place, not a team.
    pub fn parse(title: &str, places: &[&str]) -> Role {
        let lowered = join_spellings(&title.to_lowercase());
        let (head, qualifier_texts) = segments(&lowered);
        let mut level = BTreeSet::new();
        let mut core = role_words(&head, &mut level);
        let mut qualifier_segments = Vec::new();
        for text in &qualifier_texts {
            let words = role_words(text, &mut level);
            if !words.is_empty() {
                qualifier_segments.push((text.as_str(), words));
            }
        }
        // A title that opens with a qualifier only (`Remote - Backend Engineer`) has its
        // role in the next segment.
        if core.is_empty() && !qualifier_segments.is_empty() {
            core = qualifier_segments.remove(0).1;
        }
        let place_words: BTreeSet<String> = places.iter().flat_map(|p| plain_words(p)).collect();
        let initials: String = core.iter().filter_map(|w| w.chars().next()).collect();
        core.sort();
        let qualifiers = qualifier_segments
            .into_iter()
            .filter(|(text, words)| {
                let is_place = country_code(text.trim()).is_some()
                    || remote_region(text.trim()).is_some()
                    || words.iter().all(|w| place_words.contains(w));
                let is_acronym = words.len() == 1 && words[0].len() > 1 && words[0] == initials;
                let repeats_core = words.iter().all(|w| core.contains(w));
                !(is_place || is_acronym || repeats_core)
            })
            .flat_map(|(_, words)| words)
            .collect();
        Role {
            level,
            core,
            qualifiers,
        }
    }

    /// The role as every copy of one job states it, for blocking: level, core words and
    /// qualifier words. A board that drops the team (`Backend Engineer` for `Backend
    /// Engineer (Payments)`) lands in another block: that pair is missed, the price of
    /// blocks small enough to read whole (a company's many `Software Engineer, <team>`
    /// postings would otherwise be one block).
    pub fn block_words(&self) -> String {
        let join = |words: &mut dyn Iterator<Item = &String>| {
            words.map(String::as_str).collect::<Vec<_>>().join(" ")
        };
        format!(
            "{}|{}|{}",
            join(&mut self.level.iter()),
            join(&mut self.core.iter()),
            join(&mut self.qualifiers.iter())
        )
    }

    /// Whether two roles are the same: another level or other core words conflict;
    /// equal qualifiers match; qualifiers on one side only are weak (a board that dropped
    /// the team, or another job); two different qualifiers conflict.
    pub fn compare(&self, other: &Role) -> Evidence {
        if self.level != other.level || self.core != other.core {
            return Evidence::Conflict;
        }
        match (self.qualifiers.is_empty(), other.qualifiers.is_empty()) {
            _ if self.qualifiers == other.qualifiers => Evidence::Match,
            (true, false) | (false, true) => Evidence::Weak,
            _ => Evidence::Conflict,
        }
    }
}

/// Two-word spellings joined first, so `back end` and `back-end` are both `backend`.
fn join_spellings(lowered: &str) -> String {
    lowered
        .replace("back-end", "backend")
        .replace("back end", "backend")
        .replace("front-end", "frontend")
        .replace("front end", "frontend")
        .replace("full-stack", "fullstack")
        .replace("full stack", "fullstack")
        .replace("on-site", "onsite")
        .replace("dev ops", "devops")
}

/// The head of a title and its qualifier segments: bracketed parts, and the parts after
/// ` - `, ` – `, ` — `, `,`, `:`, ` | ` or ` / `.
fn segments(lowered: &str) -> (String, Vec<String>) {
    let mut outside = String::new();
    let mut qualifiers = Vec::new();
    let mut inside = String::new();
    let mut depth = 0usize;
    for c in lowered.chars() {
        match c {
            '(' | '[' | '{' => {
                depth += 1;
                outside.push('\u{1}');
            }
            ')' | ']' | '}' if depth > 0 => {
                depth -= 1;
                if depth == 0 {
                    qualifiers.push(std::mem::take(&mut inside));
                }
            }
            _ if depth > 0 => inside.push(c),
            _ => outside.push(c),
        }
    }
    if depth > 0 {
        qualifiers.push(inside);
    }
    let mut parts = outside
        .split([',', ':', '\u{1}', '|', '–', '—'])
        .flat_map(|part| part.split(" - "))
        .flat_map(|part| part.split(" / "))
        .map(str::trim)
        .filter(|part| !part.is_empty())
        .map(str::to_owned);
    let head = parts.next().unwrap_or_default();
    qualifiers.extend(parts);
    (head, qualifiers)
}

/// Lower-case words with punctuation removed (`#` and `+` kept, for `c#` and `c++`).
fn plain_words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric() && c != '#' && c != '+')
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// Words no role is told apart by: workplace and contract words, gender markers, fillers.
const NOISE: &[&str] = &[
    "remote",
    "hybrid",
    "onsite",
    "fully",
    "full",
    "time",
    "fulltime",
    "permanent",
    "m",
    "f",
    "d",
    "w",
    "x",
    "h",
    "mwd",
    "mfd",
    "fmd",
    "wmd",
    "all",
    "genders",
    "gender",
    "and",
    "&",
    "of",
    "the",
    "for",
    "to",
    "in",
    "with",
    "a",
    "an",
    "at",
    "only",
    "level",
    "position",
    "role",
    "job",
];

/// The role words of one segment; level words go to `level`.
fn role_words(segment: &str, level: &mut BTreeSet<String>) -> Vec<String> {
    let mut out = Vec::new();
    for word in plain_words(segment) {
        let expanded: &[&str] = match word.as_str() {
            "sre" => &["site", "reliability", "engineer"],
            "swe" => &["software", "engineer"],
            "sde" => &["software", "development", "engineer"],
            "ml" => &["machine", "learning"],
            "eng" | "engr" => &["engineer"],
            "dev" => &["developer"],
            "mgr" => &["manager"],
            "devops" => &["devops"],
            _ => &[],
        };
        if !expanded.is_empty() {
            out.extend(expanded.iter().map(|w| (*w).to_owned()));
            continue;
        }
        if let Some(tier) = level_word(&word) {
            level.insert(tier.to_owned());
            continue;
        }
        if NOISE.contains(&word.as_str()) {
            continue;
        }
        out.push(word);
    }
    out
}

/// The level a word names: seniority words and their abbreviations, and level numbers in
/// Roman or Arabic figures (`II`, `2`, `L2` are all `l2`).
fn level_word(word: &str) -> Option<&'static str> {
    Some(match word {
        "senior" | "sr" | "snr" => "senior",
        "junior" | "jr" | "jnr" => "junior",
        "staff" => "staff",
        "principal" => "principal",
        "lead" => "lead",
        "intern" | "internship" => "intern",
        "mid" | "intermediate" => "mid",
        "entry" => "entry",
        "i" | "1" | "l1" => "l1",
        "ii" | "2" | "l2" => "l2",
        "iii" | "3" | "l3" => "l3",
        "iv" | "4" | "l4" => "l4",
        "v" | "5" | "l5" => "l5",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn same(a: &str, b: &str) -> Evidence {
        Role::parse(a, &[]).compare(&Role::parse(b, &[]))
    }

    #[test]
    fn bracket_dash_and_comma_forms_of_one_qualifier_are_one_role() {
        assert_eq!(
            same("Backend Engineer (Go)", "Backend Engineer - Go"),
            Evidence::Match
        );
        assert_eq!(
            same("Backend Engineer, Go", "Backend Engineer – Go"),
            Evidence::Match
        );
        assert_eq!(
            same(
                "Principal Engineer, Payments",
                "Principal Engineer - Payments"
            ),
            Evidence::Match
        );
    }

    #[test]
    fn abbreviations_levels_and_a_trailing_acronym_are_the_same_role() {
        assert_eq!(
            same("Senior Data Engineer", "Sr. Data Engineer"),
            Evidence::Match
        );
        assert_eq!(
            same(
                "Site Reliability Engineer",
                "Site Reliability Engineer (SRE)"
            ),
            Evidence::Match
        );
        assert_eq!(same("SRE", "Site Reliability Engineer"), Evidence::Match);
        assert_eq!(
            same("Software Engineer II", "Software Engineer 2"),
            Evidence::Match
        );
        assert_eq!(
            same("Product Designer (PD)", "Product Designer"),
            Evidence::Match
        );
        assert_eq!(
            same("Backend Engineer (m/f/d)", "Backend Engineer"),
            Evidence::Match
        );
    }

    #[test]
    fn another_level_or_team_is_another_role() {
        assert_eq!(
            same("Backend Engineer", "Senior Backend Engineer"),
            Evidence::Conflict
        );
        assert_eq!(
            same("Staff Engineer", "Principal Engineer"),
            Evidence::Conflict
        );
        assert_eq!(
            same(
                "Engineering Manager, Payments",
                "Engineering Manager, Infrastructure"
            ),
            Evidence::Conflict
        );
        assert_eq!(
            same("Software Engineer II", "Software Engineer III"),
            Evidence::Conflict
        );
        assert_eq!(
            same("Backend Engineer", "Frontend Engineer"),
            Evidence::Conflict
        );
    }

    #[test]
    fn a_qualifier_on_one_side_only_is_weak_and_a_place_qualifier_is_no_qualifier() {
        assert_eq!(
            same("Backend Engineer (Go)", "Backend Engineer"),
            Evidence::Weak
        );
        let berlin = Role::parse("Backend Engineer - Berlin", &["Berlin, Germany"]);
        assert_eq!(
            berlin.compare(&Role::parse("Backend Engineer", &[])),
            Evidence::Match
        );
        assert_eq!(
            same("Backend Engineer (Remote, US)", "Backend Engineer"),
            Evidence::Match
        );
    }

    #[test]
    fn block_words_are_equal_for_every_form_of_one_role_and_differ_for_another_team() {
        let a = Role::parse("Sr. Back-End Engineer (Go)", &[]);
        let b = Role::parse("Senior Backend Engineer, Go", &[]);
        assert_eq!(a.block_words(), b.block_words());
        let c = Role::parse("Senior Backend Engineer - Go (m/f/d)", &["Berlin"]);
        assert_eq!(a.block_words(), c.block_words());
        assert_ne!(
            a.block_words(),
            Role::parse("Senior Backend Engineer, Payments", &[]).block_words()
        );
        assert_ne!(
            a.block_words(),
            Role::parse("Backend Engineer (Go)", &[]).block_words()
        );
    }
}
