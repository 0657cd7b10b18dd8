//! Employment type and workplace words from every vocabulary the sources use
//! (schema.org `FULL_TIME`, `Full-time`, `Contractor`, `Werkstudent`, `TELECOMMUTE`, `On-Site`).

use crate::model::{EmploymentType, Workplace};

/// Employment type from one word or phrase. `None` when it names none.
///
/// Phrases naming two types resolve to the more specific one: an internship, a temporary or
/// a contract job is often also full time (`Internship (Full-time)`, `Contract to hire`), so
/// those are checked before full and part time. schema.org `PER_DIEM` and `OTHER` are
/// `Other`.
pub fn parse_employment_type(text: &str) -> Option<EmploymentType> {
    let words = fold(text);
    let has = |phrases: &[&str]| phrases.iter().any(|p| words.contains(&format!(" {p} ")));
    if has(&["volunteer", "volunteering", "ehrenamt", "ehrenamtlich"]) {
        Some(EmploymentType::Volunteer)
    } else if has(&[
        "intern",
        "interns",
        "internship",
        "apprentice",
        "apprenticeship",
        "working student",
        "werkstudent",
        "werkstudentin",
        "trainee",
        "traineeship",
        "praktikum",
        "ausbildung",
        "graduate program",
    ]) {
        Some(EmploymentType::Internship)
    } else if has(&[
        "temporary",
        "temp",
        "seasonal",
        "fixed term",
        "befristet",
        "interim",
        "casual",
    ]) {
        Some(EmploymentType::Temporary)
    } else if has(&[
        "contract",
        "contractor",
        "contractors",
        "freelance",
        "freelancer",
        "freelancing",
        "consultant",
        "b2b",
    ]) {
        Some(EmploymentType::Contract)
    } else if has(&["part time", "parttime", "teilzeit", "minijob"]) {
        Some(EmploymentType::PartTime)
    } else if has(&[
        "full time",
        "fulltime",
        "permanent",
        "festanstellung",
        "vollzeit",
        "cdi",
    ]) {
        Some(EmploymentType::FullTime)
    } else if has(&["per diem", "other"]) {
        Some(EmploymentType::Other)
    } else {
        None
    }
}

/// Workplace from one word or phrase (`TELECOMMUTE`, `remote`, `Hybrid`, `On-Site`,
/// `in office`). `None` when it names none.
///
/// `Hybrid remote` is hybrid, and a negated remote (`no remote`, `not remote`) is on site.
pub fn parse_workplace(text: &str) -> Option<Workplace> {
    let words = fold(text);
    let has = |phrases: &[&str]| phrases.iter().any(|p| words.contains(&format!(" {p} ")));
    if has(&["hybrid", "hybride", "partly remote", "partially remote"]) {
        Some(Workplace::Hybrid)
    } else if has(&["no remote", "not remote", "non remote"]) {
        Some(Workplace::Onsite)
    } else if has(&[
        "remote",
        "fully remote",
        "telecommute",
        "telecommuting",
        "work from home",
        "wfh",
        "home office",
        "homeoffice",
        "distributed",
        "anywhere",
        "worldwide",
    ]) {
        Some(Workplace::Remote)
    } else if has(&[
        "on site",
        "onsite",
        "in office",
        "office",
        "in person",
        "on premises",
        "on premise",
        "vor ort",
    ]) {
        Some(Workplace::Onsite)
    } else {
        None
    }
}

/// Lower-cases, splits camel case (`FullTime`, `OnSite`) and turns `_`, `-`, `/` and other
/// punctuation into single spaces, padded with a space on both sides so that phrases can be
/// matched as whole words (`intern` must not match `international`).
fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push(' ');
    let mut prev_lower = false;
    for c in text.chars() {
        if c.is_alphanumeric() {
            if c.is_uppercase() && prev_lower {
                out.push(' ');
            }
            prev_lower = c.is_lowercase();
            out.extend(c.to_lowercase());
        } else {
            prev_lower = false;
            if !out.ends_with(' ') {
                out.push(' ');
            }
        }
    }
    if !out.ends_with(' ') {
        out.push(' ');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn schema_org_employment_types_are_recognised() {
        for (text, expected) in [
            ("FULL_TIME", EmploymentType::FullTime),
            ("PART_TIME", EmploymentType::PartTime),
            ("CONTRACTOR", EmploymentType::Contract),
            ("TEMPORARY", EmploymentType::Temporary),
            ("INTERN", EmploymentType::Internship),
            ("VOLUNTEER", EmploymentType::Volunteer),
            ("PER_DIEM", EmploymentType::Other),
            ("OTHER", EmploymentType::Other),
        ] {
            assert_eq!(parse_employment_type(text), Some(expected), "{text}");
        }
    }

    #[test]
    fn ats_employment_words_are_recognised() {
        for (text, expected) in [
            ("Full-time", EmploymentType::FullTime),
            ("Full Time", EmploymentType::FullTime),
            ("FullTime", EmploymentType::FullTime),
            ("fulltime", EmploymentType::FullTime),
            ("full_time", EmploymentType::FullTime),
            ("Full-time employee", EmploymentType::FullTime),
            ("Regular Full Time (Salary)", EmploymentType::FullTime),
            ("Permanent", EmploymentType::FullTime),
            ("Festanstellung", EmploymentType::FullTime),
            ("Vollzeit", EmploymentType::FullTime),
            ("Part-time", EmploymentType::PartTime),
            ("PartTime", EmploymentType::PartTime),
            ("Teilzeit", EmploymentType::PartTime),
            ("Contract", EmploymentType::Contract),
            ("Contractor", EmploymentType::Contract),
            ("Freelance", EmploymentType::Contract),
            ("contract_to_hire", EmploymentType::Contract),
            ("Temporary", EmploymentType::Temporary),
            ("Temp", EmploymentType::Temporary),
            ("Seasonal", EmploymentType::Temporary),
            ("Internship", EmploymentType::Internship),
            ("Intern", EmploymentType::Internship),
            ("Working student", EmploymentType::Internship),
            ("Werkstudent", EmploymentType::Internship),
            ("Apprenticeship", EmploymentType::Internship),
            ("Internship (Full-time)", EmploymentType::Internship),
        ] {
            assert_eq!(parse_employment_type(text), Some(expected), "{text}");
        }
    }

    #[test]
    fn words_that_only_contain_a_type_name_are_not_matched() {
        assert_eq!(parse_employment_type("International"), None);
        assert_eq!(parse_employment_type("Internal tools"), None);
        assert_eq!(parse_employment_type("Template"), None);
        assert_eq!(parse_employment_type(""), None);
        assert_eq!(parse_employment_type("Engineering"), None);
    }

    #[test]
    fn workplace_words_are_recognised() {
        for (text, expected) in [
            ("TELECOMMUTE", Workplace::Remote),
            ("remote", Workplace::Remote),
            ("Remote", Workplace::Remote),
            ("fully remote", Workplace::Remote),
            ("Hybrid", Workplace::Hybrid),
            ("hybrid", Workplace::Hybrid),
            ("Hybrid remote", Workplace::Hybrid),
            ("On-Site", Workplace::Onsite),
            ("onsite", Workplace::Onsite),
            ("on_site", Workplace::Onsite),
            ("OnSite", Workplace::Onsite),
            ("ONSITE", Workplace::Onsite),
            ("In office", Workplace::Onsite),
            ("office", Workplace::Onsite),
            ("No remote", Workplace::Onsite),
        ] {
            assert_eq!(parse_workplace(text), Some(expected), "{text}");
        }
    }

    #[test]
    fn unknown_workplace_words_give_none() {
        assert_eq!(parse_workplace("unspecified"), None);
        assert_eq!(parse_workplace("Flexible"), None);
        assert_eq!(parse_workplace(""), None);
    }

    proptest! {
        #[test]
        fn arbitrary_text_never_panics(s in "\\PC{0,40}") {
            let _ = parse_employment_type(&s);
            let _ = parse_workplace(&s);
        }
    }
}
