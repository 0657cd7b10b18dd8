//! Seniority from the title, then the source's label, then strong phrases in the description.

use std::sync::LazyLock;

use regex::Regex;

use crate::model::Seniority;

/// The seniority of a job. Never panics.
///
/// 1. The title's level words, matched as whole words (`Interns` is an intern, `International`
///    and `Internal` are not; `Lead` is a lead, `Leading` is not). When a title names several
///    levels the highest wins (`Senior Engineering Manager` → manager), because the extra word
///    is what distinguishes the role.
/// 2. The source's label (`hint`): LinkedIn-style experience levels as SmartRecruiters uses
///    them (`Internship`, `Entry Level`, `Associate` → mid, `Mid-Senior Level` → senior,
///    `Director`, `Executive`), else the title rules applied to the label.
/// 3. The description, only through strong phrases: `senior-level` → senior, `entry-level` →
///    junior, or the largest "N+ years of … experience" requirement: 5 or more → senior,
///    2 to 4 → mid, 0 or 1 → junior.
pub fn detect_seniority(
    title: &str,
    hint: Option<&str>,
    description_text: &str,
) -> Option<Seniority> {
    from_title(title)
        .or_else(|| hint.and_then(from_hint))
        .or_else(|| from_description(description_text))
}

/// Lower-case words of `text`, split on anything not alphanumeric (`Sr.` → `sr`).
fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// Words before "manager" that name a role rather than people management.
const ROLE_MANAGERS: &[&str] = &[
    "product",
    "project",
    "program",
    "programme",
    "account",
    "accounts",
    "marketing",
    "community",
    "content",
    "brand",
    "success",
    "partner",
    "office",
    "case",
    "territory",
    "category",
];

/// The highest level named by the words of a title.
fn from_title(title: &str) -> Option<Seniority> {
    let words = words(title);
    let next = |i: usize| words.get(i + 1).map(String::as_str).unwrap_or("");
    let prev = |i: usize| {
        i.checked_sub(1)
            .and_then(|p| words.get(p))
            .map(String::as_str)
            .unwrap_or("")
    };
    words
        .iter()
        .enumerate()
        .filter_map(|(i, word)| {
            let level = match word.as_str() {
                "intern" | "interns" | "internship" | "internships" | "praktikant"
                | "praktikantin" | "praktikum" | "werkstudent" | "werkstudentin" | "apprentice"
                | "apprenticeship" => Seniority::Intern,
                "junior" | "jr" | "jnr" | "graduate" | "graduates" => Seniority::Junior,
                "grad" if prev(i) == "new" => Seniority::Junior,
                "entry" if next(i) == "level" => Seniority::Junior,
                "mid" if matches!(next(i), "level" | "senior" | "career") => Seniority::Mid,
                "midlevel" | "intermediate" | "ii" => Seniority::Mid,
                "senior" | "sr" | "snr" | "iii" => Seniority::Senior,
                "staff" if !matches!(next(i), "accountant" | "nurse" | "member" | "members") => {
                    Seniority::Staff
                }
                "principal" => Seniority::Principal,
                "lead" => Seniority::Lead,
                "leader" if matches!(prev(i), "team" | "tech" | "technical") => Seniority::Lead,
                // A product, project or account manager is an individual contributor whose
                // level comes from the other words ("Senior Product Manager" is senior).
                "manager" | "mgr" if !ROLE_MANAGERS.contains(&prev(i)) => Seniority::Manager,
                "director" => Seniority::Director,
                "head" if next(i) == "of" => Seniority::Director,
                "vp" | "svp" | "evp" | "avp" | "president" | "chief" | "cto" | "ceo" | "cfo"
                | "coo" | "cio" | "ciso" | "cpo" | "cmo" | "cro" => Seniority::Executive,
                _ => return None,
            };
            Some(level)
        })
        .max()
}

/// A source's experience-level label.
fn from_hint(hint: &str) -> Option<Seniority> {
    let label = words(hint).join(" ");
    match label.as_str() {
        "internship" | "intern" => Some(Seniority::Intern),
        "entry level" | "entry" => Some(Seniority::Junior),
        "associate" => Some(Seniority::Mid),
        "mid senior level" | "mid senior" | "experienced" => Some(Seniority::Senior),
        "director" => Some(Seniority::Director),
        "executive" => Some(Seniority::Executive),
        "not applicable" | "" => None,
        _ => from_title(hint),
    }
}

static YEARS_OF_EXPERIENCE: LazyLock<Regex> = LazyLock::new(|| {
    // "5+ years of professional experience", "3-5 years' experience", "7 yrs experience":
    // the first number is the requirement; the gap up to "experience" stays inside the clause.
    Regex::new(
        r"(?-u:\b)(\d{1,2})\s*\+?\s*(?:(?:-|–|to)\s*\d{1,2}\s*\+?\s*)?(?:years?|yrs)(?-u:\b)[^.;\n]{0,40}?(?-u:\b)experience",
    )
    .expect("the pattern is a valid constant")
});

/// Level from strong phrases of the description (see `detect_seniority`).
fn from_description(text: &str) -> Option<Seniority> {
    // ASCII case folding is enough for these ASCII phrases, and far cheaper on a long text.
    let lower = text.to_ascii_lowercase();
    let has = |needle: &str| memchr::memmem::find(lower.as_bytes(), needle.as_bytes()).is_some();
    if has("senior-level") || has("senior level") {
        return Some(Seniority::Senior);
    }
    if has("entry-level") || has("entry level") {
        return Some(Seniority::Junior);
    }
    if !has("year") && !has("yrs") {
        return None;
    }
    // A requirement starts with its number: the regex runs from each digit, not over the
    // prose between them.
    let mut years = None;
    let mut at = 0;
    while let Some(digit) = super::next_digit(&lower, at) {
        let Some(found) = YEARS_OF_EXPERIENCE.captures_at(&lower, digit) else {
            break;
        };
        let (Some(whole), Some(number)) = (found.get(0), found.get(1)) else {
            break;
        };
        at = whole.end();
        if let Ok(n) = number.as_str().parse::<u32>()
            && n <= 25
        {
            years = years.max(Some(n));
        }
    }
    let years = years?;
    Some(match years {
        0..=1 => Seniority::Junior,
        2..=4 => Seniority::Mid,
        _ => Seniority::Senior,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn product_and_project_managers_are_not_people_managers() {
        assert_eq!(
            detect_seniority("Senior Product Manager", None, ""),
            Some(Seniority::Senior)
        );
        assert_eq!(detect_seniority("Project Manager", None, ""), None);
        assert_eq!(
            detect_seniority("Customer Engineering Manager", None, ""),
            Some(Seniority::Manager)
        );
        assert_eq!(
            detect_seniority("Engineering Manager, Backend", None, ""),
            Some(Seniority::Manager)
        );
    }

    fn title(t: &str) -> Option<Seniority> {
        detect_seniority(t, None, "")
    }

    #[test]
    fn title_level_words_are_recognised() {
        assert_eq!(title("GTM Engineering Intern"), Some(Seniority::Intern));
        assert_eq!(title("UX Research Internship"), Some(Seniority::Intern));
        assert_eq!(title("Jr. Developer"), Some(Seniority::Junior));
        assert_eq!(
            title("Entry Level Crypto Market Specialist"),
            Some(Seniority::Junior)
        );
        assert_eq!(title("New Grad Software Engineer"), Some(Seniority::Junior));
        assert_eq!(title("Software Engineer II"), Some(Seniority::Mid));
        assert_eq!(title("Mid-Level Backend Developer"), Some(Seniority::Mid));
        assert_eq!(title("Sr. Back End Eng"), Some(Seniority::Senior));
        assert_eq!(title("Staff Engineer"), Some(Seniority::Staff));
        assert_eq!(
            title("Principal Data Scientist"),
            Some(Seniority::Principal)
        );
        assert_eq!(title("Tech Lead, Payments"), Some(Seniority::Lead));
        assert_eq!(
            title("GTM and Business Operations Lead"),
            Some(Seniority::Lead)
        );
        assert_eq!(title("Engineering Manager"), Some(Seniority::Manager));
        assert_eq!(title("Head of Partnerships"), Some(Seniority::Director));
        assert_eq!(title("VP of Engineering"), Some(Seniority::Executive));
        assert_eq!(
            title("Chief Technology Officer"),
            Some(Seniority::Executive)
        );
    }

    #[test]
    fn words_that_merely_start_with_a_level_word_do_not_count() {
        assert_eq!(title("International Sales Representative"), None);
        assert_eq!(title("Internal Tools Engineer"), None);
        assert_eq!(title("Leading Edge Developer"), None);
        assert_eq!(title("Mid-Market Account Executive"), None);
        assert_eq!(title("Head Chef"), None);
        assert_eq!(title("Staff Accountant"), None);
    }

    #[test]
    fn the_highest_level_in_the_title_wins() {
        assert_eq!(
            title("Senior Engineering Manager"),
            Some(Seniority::Manager)
        );
        assert_eq!(title("Senior Staff Engineer"), Some(Seniority::Staff));
        assert_eq!(title("SEO Senior Associate"), Some(Seniority::Senior));
    }

    #[test]
    fn source_labels_are_used_when_the_title_is_silent() {
        let level = |hint| detect_seniority("Software Engineer", Some(hint), "");
        assert_eq!(level("Mid-Senior Level"), Some(Seniority::Senior));
        assert_eq!(level("Entry Level"), Some(Seniority::Junior));
        assert_eq!(level("Associate"), Some(Seniority::Mid));
        assert_eq!(level("Internship"), Some(Seniority::Intern));
        assert_eq!(level("Director"), Some(Seniority::Director));
        assert_eq!(level("Executive"), Some(Seniority::Executive));
        assert_eq!(level("Not Applicable"), None);
        assert_eq!(
            detect_seniority("Junior Engineer", Some("Mid-Senior Level"), ""),
            Some(Seniority::Junior)
        );
    }

    #[test]
    fn descriptions_count_only_through_strong_phrases() {
        let from_text = |text| detect_seniority("Backend Engineer", None, text);
        assert_eq!(
            from_text("You have 7+ years of experience building APIs."),
            Some(Seniority::Senior)
        );
        assert_eq!(
            from_text("Requirements: 3-5 years of professional software experience"),
            Some(Seniority::Mid)
        );
        assert_eq!(
            from_text("1 year experience with Python. 5+ years of industry experience."),
            Some(Seniority::Senior)
        );
        assert_eq!(
            from_text("This is an entry-level role."),
            Some(Seniority::Junior)
        );
        assert_eq!(from_text("You will mentor junior engineers."), None);
        assert_eq!(from_text("Founded 10 years ago. Great culture."), None);
    }

    /// The reading before the requirement was looked for from its digits: the regex over the
    /// whole Unicode-lower-cased text.
    fn reference(text: &str) -> Option<Seniority> {
        let lower = text.to_lowercase();
        let has = |needle: &str| lower.contains(needle);
        if has("senior-level") || has("senior level") {
            return Some(Seniority::Senior);
        }
        if has("entry-level") || has("entry level") {
            return Some(Seniority::Junior);
        }
        if !has("year") && !has("yrs") {
            return None;
        }
        let years = YEARS_OF_EXPERIENCE
            .captures_iter(&lower)
            .filter_map(|c| c.get(1)?.as_str().parse::<u32>().ok())
            .filter(|years| *years <= 25)
            .max()?;
        Some(match years {
            0..=1 => Seniority::Junior,
            2..=4 => Seniority::Mid,
            _ => Seniority::Senior,
        })
    }

    proptest::proptest! {
        #[test]
        fn requirements_found_from_their_digits_read_as_a_scan_of_the_whole_text(
            pieces in proptest::collection::vec(proptest::prop_oneof![
                "[a-zA-Z ,.]{0,20}",
                proptest::strategy::Just("Senior Level ".to_owned()),
                proptest::strategy::Just("ENTRY-level".to_owned()),
                proptest::strategy::Just(" Years of professional EXPERIENCE".to_owned()),
                proptest::strategy::Just(" yrs experience".to_owned()),
                proptest::strategy::Just("3-5 ".to_owned()),
                proptest::strategy::Just("10+ ".to_owned()),
                proptest::strategy::Just("١٢ ".to_owned()),
                "[0-9]{1,3}",
            ], 0..12)
        ) {
            let text = pieces.concat();
            proptest::prop_assert_eq!(from_description(&text), reference(&text));
        }
    }
}
