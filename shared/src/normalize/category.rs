//! Category (job family) from the title, then the department, then the description.
//!
//! Decisions worth knowing:
//! - `Data Scientist` and analytics roles are `data`; a title naming machine learning, AI
//!   engineering or research science is `ml` (`Data Scientist, Machine Learning` → ml).
//! - `Platform` alone names product teams too often (`Software Engineer (Agent Platform)`), so
//!   only `Platform Engineer(ing)` is devops; `Infrastructure`, `SRE`, `DevOps` always are.
//! - `API` and back-end language names in a title (`Java Developer`) are backend.
//! - `other` needs a title that clearly names a non-engineering job (sales, marketing,
//!   operations, ...) and no engineering word.

use std::sync::LazyLock;

use crate::model::Category;

/// The category of a job, or `None` when nothing is known. Never panics.
///
/// Rules, first match wins: the title's family words; then the department's; then, only for a
/// generic engineering title (`Software Engineer`), the description: the family whose
/// technology words dominate it (at least 3 mentions and twice the runner-up; back end and
/// front end both strong and close → fullstack).
pub fn detect_category(
    title: &str,
    department: Option<&str>,
    description_text: &str,
) -> Option<Category> {
    let title_text = unify_compounds(title);
    let title_words: Vec<&str> = words(&title_text).collect();
    if let Some(category) = family(&title_words) {
        return Some(category);
    }
    let department_text = department.map(unify_compounds).unwrap_or_default();
    let department_words: Vec<&str> = words(&department_text).collect();
    if let Some(category) = family(&department_words) {
        return Some(category);
    }
    if is_generic_engineering(&title_words) {
        return from_description(description_text);
    }
    None
}

/// Lower case, with the compound spellings unified (`Back End`, `back-end` → `backend`).
fn unify_compounds(text: &str) -> String {
    let mut lower = text.to_lowercase();
    for (from, to) in [
        ("back-end", "backend"),
        ("back end", "backend"),
        ("front-end", "frontend"),
        ("front end", "frontend"),
        ("full-stack", "fullstack"),
        ("full stack", "fullstack"),
        ("server-side", "serverside"),
        ("server side", "serverside"),
    ] {
        if lower.contains(from) {
            lower = lower.replace(from, to);
        }
    }
    lower
}

/// The compound spellings `unify_compounds` joins: a first word, then after one space or
/// hyphen a second (`back end`, `back-end` → `backend`).
const COMPOUNDS: &[(&str, &str)] = &[
    ("back", "end"),
    ("front", "end"),
    ("full", "stack"),
    ("server", "side"),
];

/// Byte spans of the words of a text, split as `words` splits it.
struct WordSpans<'a> {
    text: &'a str,
    at: usize,
}

impl Iterator for WordSpans<'_> {
    type Item = (usize, usize);

    fn next(&mut self) -> Option<(usize, usize)> {
        let bytes = self.text.as_bytes();
        // ASCII bytes are decided by a byte test; only other characters are decoded.
        let is_word_at = |at: usize| match bytes.get(at) {
            Some(&b) if b < 0x80 => (b.is_ascii_alphanumeric() || b == b'#' || b == b'+', 1),
            Some(_) => self
                .text
                .get(at..)
                .and_then(|tail| tail.chars().next())
                .map_or((false, 1), |c| (c.is_alphanumeric(), c.len_utf8())),
            None => (false, 0),
        };
        let mut start = self.at;
        loop {
            match is_word_at(start) {
                (_, 0) => return None,
                (true, _) => break,
                (false, width) => start += width,
            }
        }
        let mut end = start;
        while let (true, width) = is_word_at(end) {
            end += width;
        }
        self.at = end;
        Some((start, end))
    }
}

/// The words of a description in ASCII lower case, compounds joined as `unify_compounds`
/// joins them, without lower-casing or copying the whole text (the family words are all
/// ASCII, so other letters need no case folding).
struct CompoundWords<'a> {
    text: &'a str,
    spans: std::iter::Peekable<WordSpans<'a>>,
}

impl<'a> CompoundWords<'a> {
    fn new(text: &'a str) -> Self {
        Self {
            text,
            spans: WordSpans { text, at: 0 }.peekable(),
        }
    }

    /// The next word, lower-cased into `buffer`; a word longer than the buffer comes out
    /// cut to its length (longer than any family word either way).
    fn next_word<'b>(&mut self, buffer: &'b mut [u8; 32]) -> Option<&'b [u8]> {
        let (start, end) = self.spans.next()?;
        let word = self.text.get(start..end).unwrap_or_default().as_bytes();
        let mut len = copy_lower(word, buffer, 0);
        if let Some(&(next_start, next_end)) = self.spans.peek() {
            let separator = self.text.get(end..next_start).unwrap_or_default();
            let second = self.text.get(next_start..next_end).unwrap_or_default();
            let joins = matches!(separator, " " | "-")
                && COMPOUNDS.iter().any(|(first, rest)| {
                    word.eq_ignore_ascii_case(first.as_bytes())
                        && second.as_bytes().eq_ignore_ascii_case(rest.as_bytes())
                });
            if joins {
                len = copy_lower(second.as_bytes(), buffer, len);
                self.spans.next();
            }
        }
        Some(buffer.get(..len).unwrap_or_default())
    }
}

/// Copies `word` in ASCII lower case into `buffer` from `at`, as much as fits; the new end.
fn copy_lower(word: &[u8], buffer: &mut [u8; 32], at: usize) -> usize {
    let room = buffer.len().saturating_sub(at);
    let take = word.len().min(room);
    for (slot, byte) in buffer.iter_mut().skip(at).zip(word.iter().take(take)) {
        *slot = byte.to_ascii_lowercase();
    }
    at + take
}

/// The words of a text (`c#` and `c++` stay whole).
fn words(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !(c.is_alphanumeric() || c == '#' || c == '+'))
        .filter(|w| !w.is_empty())
}

/// Whether `first` is immediately followed by one of `second` in `words`.
fn pair(words: &[&str], first: &str, second: &[&str]) -> bool {
    words
        .windows(2)
        .any(|w| matches!(w, [a, b] if *a == first && second.contains(b)))
}

/// Whether any of `words` is one of `options`.
fn any(words: &[&str], options: &[&str]) -> bool {
    words.iter().any(|w| options.contains(w))
}

/// Words that make a title an engineering job, whatever else it says.
const ENGINEERING: &[&str] = &[
    "engineer",
    "engineers",
    "engineering",
    "developer",
    "developers",
    "programmer",
    "software",
    "swe",
    "sre",
    "devops",
    "architect",
    "scientist",
    "researcher",
    "dev",
];

/// The family named by a title's (or department's) words, in a fixed precedence: the role
/// nouns that are unambiguous (product manager, designer) first, then the engineering
/// families from the most to the least specific, then non-engineering jobs.
fn family(words: &[&str]) -> Option<Category> {
    let product_roles = ["manager", "owner", "management", "director", "lead"];
    if pair(words, "product", &product_roles) || pair(words, "of", &["product"]) {
        return Some(Category::Product);
    }
    if any(words, &["designer", "designers"]) {
        return Some(Category::Design);
    }
    if any(words, &["fullstack"]) {
        return Some(Category::Fullstack);
    }
    if any(words, &["ios", "android", "mobile", "flutter"]) || pair(words, "react", &["native"]) {
        return Some(Category::Mobile);
    }
    if any(words, &["frontend", "react", "vue", "angular", "svelte"])
        || pair(words, "ui", &["engineer", "developer"])
    {
        return Some(Category::Frontend);
    }
    if any(
        words,
        &[
            "backend",
            "serverside",
            "api",
            "apis",
            "java",
            "golang",
            "ruby",
            "rails",
            "php",
            "scala",
            "elixir",
            "django",
            "node",
            "nodejs",
            "dotnet",
            "c#",
        ],
    ) || pair(words, "go", &["developer", "engineer"])
    {
        return Some(Category::Backend);
    }
    if any(words, &["ml", "mlops", "nlp", "llm"])
        || pair(words, "machine", &["learning"])
        || pair(words, "deep", &["learning"])
        || pair(words, "computer", &["vision"])
        || pair(
            words,
            "ai",
            &[
                "engineer",
                "engineering",
                "researcher",
                "research",
                "scientist",
            ],
        )
        || pair(words, "research", &["scientist"])
        || pair(words, "applied", &["scientist"])
    {
        return Some(Category::Ml);
    }
    if any(words, &["analytics", "bi", "etl", "dba"])
        || pair(
            words,
            "data",
            &[
                "engineer",
                "engineering",
                "analyst",
                "analysts",
                "scientist",
                "science",
                "platform",
                "infrastructure",
                "architect",
                "warehouse",
                "warehousing",
            ],
        )
        || pair(words, "business", &["intelligence"])
        || pair(words, "database", &["administrator"])
    {
        return Some(Category::Data);
    }
    if any(
        words,
        &[
            "security",
            "appsec",
            "infosec",
            "cybersecurity",
            "pentester",
        ],
    ) || pair(words, "penetration", &["tester", "testing"])
    {
        return Some(Category::Security);
    }
    if any(
        words,
        &[
            "devops",
            "devsecops",
            "sre",
            "infrastructure",
            "sysadmin",
            "reliability",
        ],
    ) || pair(words, "platform", &["engineer", "engineering", "engineers"])
        || pair(words, "cloud", &["engineer", "architect", "engineering"])
        || pair(words, "systems", &["administrator", "engineer"])
        || pair(words, "system", &["administrator"])
    {
        return Some(Category::Devops);
    }
    if any(words, &["ux", "design"]) || pair(words, "user", &["experience", "research"]) {
        return Some(Category::Design);
    }
    if !any(words, ENGINEERING) && names_non_engineering_job(words) {
        return Some(Category::Other);
    }
    None
}

/// Whether the words name a non-engineering job (sales, marketing, operations, ...).
fn names_non_engineering_job(words: &[&str]) -> bool {
    any(
        words,
        &[
            "sales",
            "marketing",
            "operations",
            "finance",
            "financial",
            "accountant",
            "accounting",
            "controller",
            "recruiter",
            "recruiting",
            "recruitment",
            "talent",
            "hr",
            "people",
            "legal",
            "counsel",
            "lawyer",
            "paralegal",
            "support",
            "writer",
            "copywriter",
            "editor",
            "content",
            "seo",
            "trainer",
            "coach",
            "advisor",
            "representative",
            "assistant",
            "receptionist",
            "videographer",
            "producer",
            "actor",
            "scheduler",
            "nurse",
            "driver",
            "teacher",
            "tutor",
            "administrative",
            "strategist",
            "communications",
            "gtm",
            "brand",
            "partnerships",
            "procurement",
            "logistics",
            "associate",
            "associates",
            "specialist",
            "consultant",
            "cashier",
            "chef",
            "barista",
            "customer",
            "success",
            "business",
        ],
    ) || pair(words, "account", &["executive", "manager", "director"])
}

/// A software job whose title does not say which kind (`Software Engineer`, `Developer`).
fn is_generic_engineering(words: &[&str]) -> bool {
    any(
        words,
        &[
            "software",
            "developer",
            "programmer",
            "swe",
            "engineer",
            "engineering",
        ],
    ) && !names_non_engineering_job(words)
}

/// The words of each family a description's technology is named by; kept small on purpose:
/// words that name one family's daily work.
const FAMILY_WORDS: &[(Category, &[&str])] = &[
    (
        Category::Backend,
        &[
            "backend",
            "serverside",
            "api",
            "apis",
            "microservices",
            "microservice",
            "java",
            "golang",
            "ruby",
            "rails",
            "php",
            "django",
            "flask",
            "fastapi",
            "spring",
            "postgresql",
            "postgres",
            "mysql",
            "mongodb",
            "redis",
            "kafka",
            "rabbitmq",
            "grpc",
            "sql",
            "database",
            "databases",
            "node",
            "nodejs",
            "dotnet",
            "c#",
            "scala",
            "elixir",
            "laravel",
        ],
    ),
    (
        Category::Frontend,
        &[
            "frontend",
            "react",
            "vue",
            "angular",
            "svelte",
            "css",
            "html",
            "browser",
            "ui",
            "redux",
            "tailwind",
            "webpack",
            "accessibility",
        ],
    ),
    (
        Category::Mobile,
        &[
            "ios", "android", "swift", "swiftui", "kotlin", "flutter", "mobile", "xcode",
        ],
    ),
    (
        Category::Devops,
        &[
            "kubernetes",
            "k8s",
            "terraform",
            "ansible",
            "devops",
            "sre",
            "infrastructure",
            "observability",
            "prometheus",
            "grafana",
            "helm",
            "cicd",
        ],
    ),
    (
        Category::Data,
        &[
            "etl",
            "pipelines",
            "spark",
            "airflow",
            "dbt",
            "warehouse",
            "snowflake",
            "bigquery",
            "redshift",
            "analytics",
            "tableau",
            "looker",
            "databricks",
        ],
    ),
    (
        Category::Ml,
        &["ml", "pytorch", "tensorflow", "llm", "llms", "nlp", "mlops"],
    ),
];

/// The family whose technology words dominate a description.
fn from_description(text: &str) -> Option<Category> {
    let counts = family_counts(text);
    let mut ranked: Vec<(usize, Category)> = counts
        .iter()
        .zip(FAMILY_WORDS)
        .map(|(count, (category, _))| (*count, *category))
        .collect();
    ranked.sort_by_key(|(count, _)| std::cmp::Reverse(*count));
    let (best, best_category) = ranked.first().copied()?;
    let (second, second_category) = ranked.get(1).copied()?;
    if best < 3 {
        return None;
    }
    if best >= 2 * second {
        return Some(best_category);
    }
    let pair = [best_category, second_category];
    (second >= 3 && pair.contains(&Category::Backend) && pair.contains(&Category::Frontend))
        .then_some(Category::Fullstack)
}

/// How many words of each family (in `FAMILY_WORDS` order) a description has.
fn family_counts(text: &str) -> [usize; FAMILY_WORDS.len()] {
    // Every family word, sorted for a binary search: a description has thousands of words,
    // and a search over a few dozen short strings beats hashing each of them.
    static FAMILY_OF_WORD: LazyLock<Vec<(&'static str, usize)>> = LazyLock::new(|| {
        let mut index: Vec<(&'static str, usize)> = FAMILY_WORDS
            .iter()
            .enumerate()
            .flat_map(|(family, (_, family_words))| family_words.iter().map(move |w| (*w, family)))
            .collect();
        index.sort_unstable();
        index
    });
    // Which word lengths each first letter has among the family words: most words of a
    // text fail this before any search.
    static LENGTHS_BY_FIRST: LazyLock<[u32; 128]> = LazyLock::new(|| {
        let mut lengths = [0u32; 128];
        for (word, _) in FAMILY_OF_WORD.iter() {
            if let (Some(&first), true) = (word.as_bytes().first(), word.len() < 32)
                && let Some(mask) = lengths.get_mut(usize::from(first))
            {
                *mask |= 1 << word.len();
            }
        }
        lengths
    });
    let index = &*FAMILY_OF_WORD;
    let lengths = &*LENGTHS_BY_FIRST;
    let mut counts = [0usize; FAMILY_WORDS.len()];
    let mut lower = [0u8; 32];
    let mut compounds = CompoundWords::new(text);
    while let Some(word) = compounds.next_word(&mut lower) {
        let possible = word
            .first()
            .and_then(|&first| lengths.get(usize::from(first)));
        if possible.is_none_or(|mask| word.len() >= 32 || mask & (1 << word.len()) == 0) {
            continue;
        }
        if let Ok(found) = index.binary_search_by(|(candidate, _)| candidate.as_bytes().cmp(word))
            && let Some(count) = index
                .get(found)
                .and_then(|(_, family)| counts.get_mut(*family))
        {
            *count += 1;
        }
    }
    counts
}

#[cfg(test)]
mod tests {
    use super::*;

    fn title(t: &str) -> Option<Category> {
        detect_category(t, None, "")
    }

    #[test]
    fn engineering_families_are_read_from_the_title() {
        assert_eq!(
            title("Senior Software Developer Back End"),
            Some(Category::Backend)
        );
        assert_eq!(title("Back-end Engineer"), Some(Category::Backend));
        assert_eq!(title("Server-Side Developer"), Some(Category::Backend));
        assert_eq!(title("API Engineer"), Some(Category::Backend));
        assert_eq!(title("Front End Developer"), Some(Category::Frontend));
        assert_eq!(
            title("Senior Full-Stack Software Engineer"),
            Some(Category::Fullstack)
        );
        assert_eq!(
            title("Senior Software Engineer, iOS"),
            Some(Category::Mobile)
        );
        assert_eq!(title("React Native Developer"), Some(Category::Mobile));
        assert_eq!(title("Site Reliability Engineer"), Some(Category::Devops));
        assert_eq!(
            title("Software Engineer (Core Infrastructure)"),
            Some(Category::Devops)
        );
        assert_eq!(title("Platform Engineer"), Some(Category::Devops));
        assert_eq!(
            title("Application Security Engineer"),
            Some(Category::Security)
        );
        assert_eq!(title("Data Engineer"), Some(Category::Data));
        assert_eq!(title("Data Scientist"), Some(Category::Data));
        assert_eq!(
            title("Data Scientist, Machine Learning"),
            Some(Category::Ml)
        );
        assert_eq!(title("ML Engineer"), Some(Category::Ml));
        assert_eq!(
            title("Research Scientist, Interpretability"),
            Some(Category::Ml)
        );
    }

    #[test]
    fn product_design_and_other_jobs_are_read_from_the_title() {
        assert_eq!(title("Senior Product Manager"), Some(Category::Product));
        assert_eq!(title("Product Owner"), Some(Category::Product));
        assert_eq!(title("Product Designer"), Some(Category::Design));
        assert_eq!(title("UX Research Internship"), Some(Category::Design));
        assert_eq!(title("Account Executive, AI Native"), Some(Category::Other));
        assert_eq!(
            title("Senior Performance Marketing Strategist"),
            Some(Category::Other)
        );
        assert_eq!(
            title("Business Development Representative"),
            Some(Category::Other)
        );
        assert_eq!(title("Sales Engineer"), None);
    }

    #[test]
    fn an_ambiguous_platform_team_name_is_not_devops() {
        assert_eq!(title("Software Engineer (Agent Platform)"), None);
    }

    #[test]
    fn a_silent_title_falls_back_to_the_department() {
        assert_eq!(
            detect_category("Software Engineer", Some("Data Platform"), ""),
            Some(Category::Data)
        );
        assert_eq!(
            detect_category("Writer", Some("Marketing"), ""),
            Some(Category::Other)
        );
        assert_eq!(
            detect_category("Software Engineer", Some("Engineering"), ""),
            None
        );
    }

    #[test]
    fn a_generic_engineering_title_is_decided_by_the_description() {
        let backend = "You will build REST APIs and microservices in Java on PostgreSQL \
                       and Redis, with some CSS now and then.";
        assert_eq!(
            detect_category("Software Engineer", Some("Engineering"), backend),
            Some(Category::Backend)
        );
        let both = "React, CSS and HTML on the front end; Java APIs and PostgreSQL behind.";
        assert_eq!(
            detect_category("Developer", None, both),
            Some(Category::Fullstack)
        );
        assert_eq!(
            detect_category("Software Engineer", None, "Join our team!"),
            None
        );
    }

    #[test]
    fn a_non_engineering_title_ignores_a_technical_description() {
        let text = "Sell our Java APIs, microservices and PostgreSQL tooling.";
        assert_eq!(
            detect_category("Voice Actor", None, text),
            Some(Category::Other)
        );
        assert_eq!(detect_category("Locker Room Attendant", None, text), None);
    }

    /// The reading before the words were matched in place: the whole description lower-cased
    /// and its compounds replaced, then every word looked up.
    fn reference(text: &str) -> [usize; 6] {
        let mut counts = [0usize; 6];
        let text = unify_compounds(text);
        for word in words(&text) {
            let found = FAMILY_WORDS
                .iter()
                .position(|(_, family)| family.contains(&word));
            if let Some(count) = found.and_then(|family| counts.get_mut(family)) {
                *count += 1;
            }
        }
        counts
    }

    #[test]
    fn description_words_match_in_any_case_with_compounds_joined() {
        let text =
            "Back-End and back end work, BACKEND APIs; not playback end or front  end. Kafka!";
        assert_eq!(family_counts(text), reference(text));
        assert_eq!(family_counts(text)[0], 5);
    }

    proptest::proptest! {
        #[test]
        fn description_words_are_counted_as_by_lower_casing_the_whole_text(
            pieces in proptest::collection::vec(proptest::prop_oneof![
                "[a-zA-Z#+ ,.-]{0,16}",
                proptest::strategy::Just("Back".to_owned()),
                proptest::strategy::Just("end".to_owned()),
                proptest::strategy::Just("FRONT-END ".to_owned()),
                proptest::strategy::Just("server side".to_owned()),
                proptest::strategy::Just(" React ".to_owned()),
                proptest::strategy::Just("C#".to_owned()),
                proptest::strategy::Just("Kubernetes".to_owned()),
                proptest::strategy::Just("é".to_owned()),
                proptest::strategy::Just("ML ".to_owned()),
            ], 0..16)
        ) {
            let text = pieces.concat();
            proptest::prop_assert_eq!(family_counts(&text), reference(&text));
        }
    }
}
