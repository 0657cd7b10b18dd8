//! Title cleanup: entities, whitespace, decoration (emoji, `!!!`, gender markers) and trailing
//! remote/location noise (`- Remote`, `(Remote)`, `[Remote - US]`).

/// A display title: entities decoded, whitespace collapsed, decoration (emoji, `!!!`,
/// `(m/w/d)`, trailing `- Remote`) removed. Never empty for a non-blank input.
///
/// Only *known* noise is removed: a trailing part goes only when every word in it is a
/// workplace, region or filler word and at least one is a workplace or region word, so
/// `Senior Software Engineer - Backend` and `Head of Client Success (East Coast only)` stay.
pub fn clean_title(raw: &str) -> String {
    let raw = crate::markup::text::remove_xml_forbidden(raw);
    let decoded = decode_entities(&raw);
    let decoded = super::sanitize::strip_markup(&decoded);
    // A title is text: nothing tag-shaped survives (the stripper's removals can join its
    // two sides into a new tag, and entities decoded above can spell one).
    let decoded = crate::markup::text::remove_tag_shapes(&decoded).into_owned();
    let undecorated: String = decoded
        .chars()
        .map(|c| if is_decoration(c) { ' ' } else { c })
        .collect();
    let collapsed = undecorated.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut title = trim_decoration(&collapsed);
    while let Some(shorter) = strip_trailing_noise(title).or_else(|| strip_leading_noise(title)) {
        title = shorter;
    }
    if title.is_empty() {
        // Everything was decoration or noise: a title of noise still beats no title.
        let fallback = collapsed.trim();
        return if fallback.is_empty() {
            decoded.split_whitespace().collect::<Vec<_>>().join(" ")
        } else {
            fallback.to_owned()
        };
    }
    title.to_owned()
}

/// Decodes HTML entities, twice when the source escaped them twice (`&amp;amp;`).
fn decode_entities(raw: &str) -> String {
    if !raw.contains('&') {
        return raw.to_owned();
    }
    let once = html_escape::decode_html_entities(raw).into_owned();
    if once.contains('&') && once != raw {
        html_escape::decode_html_entities(&once).into_owned()
    } else {
        once
    }
}

/// Emoji, pictographs and dingbats: never part of a job's name.
fn is_decoration(c: char) -> bool {
    matches!(c as u32,
        0x1F000..=0x1FAFF // emoji, pictographs, flags
        | 0x2600..=0x27BF // misc symbols, dingbats (★ ✅ ✨)
        | 0x2B00..=0x2BFF // arrows and stars (⭐)
        | 0x2190..=0x21FF // arrows
        | 0xFE0F | 0x200D // emoji variation selector, zero-width joiner
        | 0x2022 | 0x25A0..=0x25FF // bullets and geometric shapes
    )
}

/// Removes runs of decoration punctuation at both ends (`*** Urgent!!!` → `Urgent`), but
/// never `#` or `+`, which end `C#` and `C++`.
fn trim_decoration(text: &str) -> &str {
    text.trim_start_matches(|c: char| {
        matches!(c, '*' | '!' | '~' | '-' | '|' | '>' | '=' | '_') || c.is_whitespace()
    })
    .trim_end_matches(|c: char| {
        matches!(
            c,
            '*' | '!' | '~' | '-' | '–' | '—' | '|' | ':' | ',' | ';' | '=' | '_'
        ) || c.is_whitespace()
    })
}

/// Separators that put noise after a title (`Engineer - Remote`, `Engineer | Remote`).
const SEPARATORS: &[&str] = &[" - ", " – ", " — ", " | ", ", ", " / ", ": "];

/// The title without one trailing noise part, or `None` when the end is not noise.
fn strip_trailing_noise(title: &str) -> Option<&str> {
    let unbracketed_marker = title
        .rsplit_once(' ')
        .filter(|(_, last)| is_gender_marker(last));
    let (kept, noise) = if let Some(found) = unbracketed_marker {
        // `Entwickler m/w/d`
        found
    } else if let Some(open) = trailing_group_start(title) {
        let inner = title.get(open + 1..title.len() - 1)?;
        (title.get(..open)?, inner)
    } else {
        split_last_separator(title)?
    };
    if !(is_gender_marker(noise) || is_location_noise(noise)) {
        return None;
    }
    let kept = trim_decoration(kept);
    (!kept.is_empty()).then_some(kept)
}

/// The title without one leading noise group (`[Remote] Engineer`, `Remote - Engineer`).
fn strip_leading_noise(title: &str) -> Option<&str> {
    let (noise, rest) = if let Some(inner) = title.strip_prefix(['(', '[']) {
        let close = inner.find([')', ']'])?;
        (inner.get(..close)?, inner.get(close + 1..)?)
    } else {
        let (at, sep) = SEPARATORS
            .iter()
            .filter_map(|sep| title.find(sep).map(|at| (at, *sep)))
            .min()?;
        (title.get(..at)?, title.get(at + sep.len()..)?)
    };
    if !is_location_noise(noise) {
        return None;
    }
    let rest = trim_decoration(rest);
    (!rest.is_empty()).then_some(rest)
}

/// Byte offset of the bracket opening the group that ends the title, if it ends with one.
fn trailing_group_start(title: &str) -> Option<usize> {
    let open = match title.chars().next_back()? {
        ')' => '(',
        ']' => '[',
        _ => return None,
    };
    title.rfind(open)
}

/// Splits at the right-most separator: (title, tail).
fn split_last_separator(title: &str) -> Option<(&str, &str)> {
    let (at, sep) = SEPARATORS
        .iter()
        .filter_map(|sep| title.rfind(sep).map(|at| (at, *sep)))
        .max()?;
    Some((title.get(..at)?, title.get(at + sep.len()..)?))
}

/// `m/w/d`, `f/m/x`, `all genders`, `gn*` and friends (German and French job ads).
fn is_gender_marker(text: &str) -> bool {
    let lower = text.trim().to_lowercase();
    if matches!(
        lower.as_str(),
        "all genders" | "all gender" | "gn" | "gn*" | "alle geschlechter"
    ) {
        return true;
    }
    let letters: Vec<&str> = lower.split(['/', '|', ',', '-']).map(str::trim).collect();
    letters.len() >= 2
        && letters
            .iter()
            .all(|l| matches!(*l, "m" | "w" | "f" | "d" | "x" | "h" | "div" | "*"))
}

/// Words that name a workplace or a broad region (the noise's substance).
const NOISE_ANCHORS: &[&str] = &[
    "remote",
    "remotely",
    "hybrid",
    "onsite",
    "wfh",
    "anywhere",
    "worldwide",
    "global",
    "globally",
    "telecommute",
    "us",
    "usa",
    "eu",
    "europe",
    "uk",
    "emea",
    "apac",
    "latam",
    "americas",
    "america",
    "canada",
    "mexico",
    "brazil",
    "germany",
    "france",
    "spain",
    "portugal",
    "netherlands",
    "poland",
    "india",
    "australia",
    "ireland",
    "cet",
    "est",
    "pst",
    "utc",
    "gmt",
    "timezone",
    "timezones",
];

/// Words that only connect or qualify noise (`100% remote`, `US only`, `remote-first`).
const NOISE_FILLERS: &[&str] = &[
    "on", "site", "in", "office", "from", "home", "work", "or", "and", "only", "first", "friendly",
    "based", "fully", "100", "within", "zone", "zones", "tz", "u", "s", "united", "states",
    "kingdom", "north", "south", "latin", "time", "the", "of", "ok", "okay",
];

/// Whether `text` is nothing but remote/location noise (`Remote`, `Remote - US`,
/// `US only`, `100% remote`, `Remote, EU timezones`).
fn is_location_noise(text: &str) -> bool {
    let lower = text.to_lowercase();
    let mut anchored = false;
    for word in lower
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        if NOISE_ANCHORS.contains(&word) {
            anchored = true;
        } else if !NOISE_FILLERS.contains(&word) {
            return false;
        }
    }
    anchored
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entities_are_decoded_and_whitespace_collapsed() {
        assert_eq!(
            clean_title("  Senior&nbsp;Engineer &amp;  Team\tLead "),
            "Senior Engineer & Team Lead"
        );
        assert_eq!(clean_title("R&amp;amp;D Engineer"), "R&D Engineer");
    }

    #[test]
    fn emoji_and_exclamation_decoration_is_removed() {
        assert_eq!(
            clean_title("🚀 Rockstar Backend Developer!!! 🔥"),
            "Rockstar Backend Developer"
        );
        assert_eq!(
            clean_title("*** Senior C# Developer ***"),
            "Senior C# Developer"
        );
        assert_eq!(clean_title("C++ Engineer"), "C++ Engineer");
    }

    #[test]
    fn gender_markers_are_removed() {
        assert_eq!(
            clean_title("Softwareentwickler (m/w/d)"),
            "Softwareentwickler"
        );
        assert_eq!(clean_title("Backend Engineer (f/m/x)"), "Backend Engineer");
        assert_eq!(clean_title("Data Analyst (all genders)"), "Data Analyst");
        assert_eq!(clean_title("Entwickler m/w/d"), "Entwickler");
    }

    #[test]
    fn trailing_remote_and_region_noise_is_removed() {
        assert_eq!(clean_title("Senior Engineer - Remote"), "Senior Engineer");
        assert_eq!(clean_title("Senior Engineer (Remote)"), "Senior Engineer");
        assert_eq!(
            clean_title("Senior Engineer [Remote - US]"),
            "Senior Engineer"
        );
        assert_eq!(
            clean_title("Go Developer | 100% Remote (EU timezones) (m/w/d)"),
            "Go Developer"
        );
        assert_eq!(
            clean_title("[Remote] Platform Engineer"),
            "Platform Engineer"
        );
        assert_eq!(clean_title("Staff SRE, US Only"), "Staff SRE");
    }

    #[test]
    fn meaningful_suffixes_are_kept() {
        assert_eq!(
            clean_title("Senior Software Engineer - Backend"),
            "Senior Software Engineer - Backend"
        );
        assert_eq!(
            clean_title("Software Engineer (Agent Platform)"),
            "Software Engineer (Agent Platform)"
        );
        assert_eq!(
            clean_title("Account Director (Inside/Outside Hybrid Sales)"),
            "Account Director (Inside/Outside Hybrid Sales)"
        );
        assert_eq!(
            clean_title("Personal Trainer, Downtown LA"),
            "Personal Trainer, Downtown LA"
        );
        assert_eq!(
            clean_title("Operations Partner (Flexible Contract BOS)"),
            "Operations Partner (Flexible Contract BOS)"
        );
    }

    #[test]
    fn a_title_of_pure_noise_is_kept_rather_than_emptied() {
        assert_eq!(clean_title("Remote"), "Remote");
        assert_eq!(clean_title("(m/w/d)"), "(m/w/d)");
        assert_eq!(clean_title("🚀"), "🚀");
        assert_eq!(clean_title("!!!"), "!!!");
        assert_eq!(clean_title("   "), "");
    }
}
