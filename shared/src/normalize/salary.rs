//! Salary: from structured fields and from free text (`$120k–$150k`, `€60.000 – €75.000`,
//! `£500/day`, `45-55 EUR/hour`, `up to $90k`, `DOE` → none).
//!
//! Free text is scanned for money-like figures; each one must earn its place with a currency
//! marker or pay wording nearby, and figures next to words such as `bonus`, `budget` or
//! `raised` are dropped, so that a description's funding round or learning budget is not read
//! as the pay. Of the remaining candidates the best-supported one wins (pay wording, a range,
//! a period and a currency each count), the earliest on a tie.

use std::sync::LazyLock;

use regex::{Captures, Regex};

use crate::extract::RawSalary;
use crate::model::{Salary, SalaryPeriod};

/// Largest figure taken for pay; anything bigger is a funding round, a revenue figure or a
/// misplaced unit.
const MAX_PLAUSIBLE: f64 = 10_000_000.0;

/// Figures at least this big with no stated period are read as yearly pay.
const YEARLY_FROM: f64 = 1_000.0;

/// Normalizes structured pay: currency to ISO 4217, period word to `SalaryPeriod`, bounds
/// ordered (min ≤ max). `None` when there is no positive figure.
///
/// Zero, negative and non-finite bounds count as absent (RemoteOK sends `0` for unknown). A
/// missing period is inferred as yearly when a figure is at least 1000, as in free text.
pub fn from_structured(raw: &RawSalary) -> Option<Salary> {
    let positive = |v: Option<f64>| v.filter(|v| v.is_finite() && *v > 0.0);
    let (min, max) = ordered(positive(raw.min), positive(raw.max));
    if min.is_none() && max.is_none() {
        return None;
    }
    let period = raw
        .period
        .as_deref()
        .and_then(salary_period)
        .or_else(|| infer_period(min, max));
    Some(Salary {
        min,
        max,
        currency: raw.currency.as_deref().and_then(currency_code),
        period,
    })
}

/// Finds a pay statement in free text. `None` when there is none (or it is `DOE`,
/// `competitive`, ...). Ranges always have min ≤ max. Never panics.
///
/// Descriptions are full of money that is not pay, and a wrong salary misleads every filter,
/// so a figure is pay only when the text says so: pay wording before it in its sentence, or
/// on the heading line right above a line it starts (`salary`, `compensation`, `pay`,
/// `base`, `rate`, `wage`, `OTE`, `月給`...); or a currency with a period next to it
/// (`$30/hr`, `€108,000-€119,700 annual`); or a salary band: a range with a currency whose
/// ends are both 10,000 or more and at most five times apart (`$117,600—$252,000 USD`). A
/// currency alone is not enough (`€54 million programme`), nor a period alone (`2M monthly
/// downloads`). Years (`2026`), percentages, `401k` and figures next to budgets,
/// allowances, stipends, bonuses, referral and sign-on amounts, equity (RSU, PSU, options,
/// shares), funding, revenue, sales, prices and customer counts are never pay. `up to X`
/// has no minimum, `from X` and `X+` no maximum. Without a stated period, figures of 1000
/// or more are yearly.
pub fn parse_salary_text(text: &str) -> Option<Salary> {
    let mut best: Option<(u32, Salary)> = None;
    // Every figure has a digit, and its currency markers fit in `FIGURE_PREFIX` bytes
    // before it: the regex is started just that far before the next digit, so the text
    // between figures is skipped rather than run through the automaton.
    let mut at = 0;
    while let Some(digit) = super::next_digit(text, at) {
        let from = super::floor_char_boundary(text, digit.saturating_sub(*FIGURE_PREFIX)).max(at);
        let Some(found) = MONEY.find_at(text, from) else {
            break;
        };
        at = found.end();
        // Every number matches; reading its groups costs far more than finding it, so a
        // figure with neither a currency marker in it nor a pay word before it in its
        // sentence (what `candidate` asks for at the least) is passed over first.
        if !CURRENCY.is_match(found.as_str()) && !pay_words_near(text, found.start(), found.end()) {
            continue;
        }
        if let Some(caps) = MONEY.captures_at(text, found.start())
            && let Some((score, salary)) = candidate(text, &caps)
            && best.as_ref().is_none_or(|(s, _)| score > *s)
        {
            best = Some((score, salary));
        }
    }
    best.map(|(_, salary)| salary)
}

/// ISO 4217 code for a currency symbol, code or word (`$` → `USD`, `CA$` → `CAD`, `zł` →
/// `PLN`, `eur` → `EUR`). Any three-letter code passes through upper-cased; longer text is
/// searched for a known symbol or code (`USD $` → `USD`).
///
/// Ambiguous symbols take their most common reading in job postings: `$` is USD, `¥` is JPY
/// (it is also the yuan's sign), `kr` (Swedish, Norwegian, Danish) is left unknown.
pub fn currency_code(symbol_or_code: &str) -> Option<String> {
    let text = symbol_or_code.trim();
    if let Some(code) = symbol_currency(text) {
        return Some(code.to_owned());
    }
    if text.len() == 3 && text.bytes().all(|b| b.is_ascii_alphabetic()) {
        return Some(text.to_ascii_uppercase());
    }
    CURRENCY
        .find_iter(text)
        .find_map(|m| symbol_currency(m.as_str()))
        .map(str::to_owned)
}

/// The pay period a word names, in any vocabulary sources use: schema.org `YEAR`/`HOUR`,
/// `yearly`, `annual`, `per annum`, `p.a.`, `hourly`, `/hr`, `daily`, `monthly`, `wk`, ...
pub fn salary_period(word: &str) -> Option<SalaryPeriod> {
    let letters: String = word
        .chars()
        .filter(|c| c.is_alphabetic() || c.is_whitespace())
        .collect::<String>()
        .to_lowercase();
    let mut folded = letters.split_whitespace().collect::<Vec<_>>().join(" ");
    for filler in ["per ", "a ", "an ", "each ", "every "] {
        if let Some(rest) = folded.strip_prefix(filler) {
            folded = rest.to_owned();
        }
    }
    match folded.as_str() {
        "hour" | "hours" | "hourly" | "hr" | "hrs" | "h" | "stunde" | "stündlich" => {
            Some(SalaryPeriod::Hour)
        }
        "day" | "days" | "daily" | "d" | "diem" | "tag" | "täglich" => Some(SalaryPeriod::Day),
        "week" | "weeks" | "weekly" | "wk" | "wks" | "w" | "woche" | "wöchentlich" => {
            Some(SalaryPeriod::Week)
        }
        "month" | "months" | "monthly" | "mo" | "mos" | "mth" | "monat" | "monatlich" => {
            Some(SalaryPeriod::Month)
        }
        "year" | "years" | "yearly" | "annual" | "annually" | "annum" | "pa" | "yr" | "yrs"
        | "y" | "jahr" | "jährlich" => Some(SalaryPeriod::Year),
        // Japanese pay words name their period: hourly, daily, monthly, yearly pay.
        "時給" => Some(SalaryPeriod::Hour),
        "日給" => Some(SalaryPeriod::Day),
        "月給" => Some(SalaryPeriod::Month),
        "年収" | "想定年収" | "年俸" => Some(SalaryPeriod::Year),
        _ => None,
    }
}

/// Symbols and words first, longest first, so `CA$` is not read as `$`.
const SYMBOLS: &[(&str, &str)] = &[
    ("CA$", "CAD"),
    ("C$", "CAD"),
    ("AU$", "AUD"),
    ("A$", "AUD"),
    ("US$", "USD"),
    ("NZ$", "NZD"),
    ("HK$", "HKD"),
    ("S$", "SGD"),
    ("R$", "BRL"),
    ("MX$", "MXN"),
    ("$", "USD"),
    ("€", "EUR"),
    ("£", "GBP"),
    ("¥", "JPY"),
    ("円", "JPY"),
    ("₹", "INR"),
    ("zł", "PLN"),
    ("₽", "RUB"),
    ("₩", "KRW"),
    ("₪", "ILS"),
    ("₺", "TRY"),
    ("euro", "EUR"),
    ("euros", "EUR"),
];

/// Codes recognised inside free text. They must be upper case there, because lower-case
/// `try`, `all` or `cup` are English words.
const TEXT_CODES: &[&str] = &[
    "USD", "EUR", "GBP", "CAD", "AUD", "NZD", "CHF", "SEK", "NOK", "DKK", "PLN", "CZK", "HUF",
    "RON", "BGN", "INR", "JPY", "CNY", "SGD", "HKD", "BRL", "MXN", "ZAR", "ILS", "TRY", "KRW",
    "AED", "UAH", "PHP", "IDR", "MYR", "THB", "ARS", "CLP", "COP", "NGN", "KES", "EGP",
];

fn symbol_currency(text: &str) -> Option<&'static str> {
    let lower = text.to_lowercase();
    SYMBOLS
        .iter()
        .find(|(symbol, _)| symbol.to_lowercase() == lower)
        .map(|(_, code)| *code)
        .or_else(|| TEXT_CODES.iter().copied().find(|code| *code == text))
}

fn currency_pattern() -> String {
    let symbols: Vec<String> = SYMBOLS
        .iter()
        .map(|(symbol, _)| {
            if symbol.chars().all(|c| c.is_ascii_alphabetic()) {
                format!(r"(?-u:\b)(?i:{symbol})(?-u:\b)")
            } else {
                regex::escape(symbol)
            }
        })
        .collect();
    format!(
        r"(?:{}|(?-u:\b)(?:{})(?-u:\b))",
        symbols.join("|"),
        TEXT_CODES.join("|")
    )
}

static CURRENCY: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(&currency_pattern()).expect("static regex is valid"));

/// The most bytes a figure's leading currency markers and spaces take before its first
/// digit (two markers, a space, two spaces; a letter's case variants may be 3 bytes long).
static FIGURE_PREFIX: LazyLock<usize> = LazyLock::new(|| {
    let marker = SYMBOLS
        .iter()
        .map(|(symbol, _)| symbol.chars().count() * 3)
        .chain(TEXT_CODES.iter().map(|code| code.len()))
        .max()
        .unwrap_or(0);
    2 * marker + 1 + 2 * 3
});

/// One figure or range with the currency markers around it. Numbers are either grouped in
/// thousands (`120,000`, `60.000`, `45 000`, `190,000.00`) or plain (`120`, `12.50`).
static MONEY: LazyLock<Regex> = LazyLock::new(|| {
    let cur = currency_pattern();
    let curs = format!(r"{cur}(?: ?{cur})?");
    // Indian lakh grouping (`12,00,000`) first, then thousands groups, then plain numbers.
    let num = r"\d{1,3}(?:,\d{2})+,\d{3}|\d{1,3}(?:[,.'’ \u{a0}\u{202f}]\d{3})+(?:[.,]\d{1,2})?|\d+(?:[.,]\d+)?";
    let one = |i: u8| {
        format!(
            r"(?P<c{i}>{curs})?\s{{0,2}}(?P<n{i}>{num})(?:\s?(?P<k{i}>[kKmM](?-u:\b)|万))?(?:\s{{0,2}}(?P<c{i}b>{curs}))?"
        )
    };
    let sep = r"\s*(?P<sep>-|–|—|‑|~|〜|～|(?-u:\b)(?i:to|and|bis)(?-u:\b))\s*";
    Regex::new(&format!(r"{}(?:{sep}{})?(?P<plus>\+)?", one(1), one(2)))
        .expect("static regex is valid")
});

/// Pay wording that vouches for a nearby figure. Japanese has no word boundaries, so its
/// words stand alone.
static PAY_WORDS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)(?:(?-u:\b)(?:salary|salaries|compensation|pay|paid|wages?|rate|base|ote|earnings?|remuneration|gehalt|vergütung|salaire|sueldo|stipendio)(?-u:\b)|月給|日給|年収|年俸|時給|給与|基本給|報酬)",
    )
    .expect("static regex is valid")
});

/// Words showing a figure is something other than pay: budgets and allowances (learning,
/// travel, home office, equipment, well-being), bonuses and referral or sign-on amounts,
/// equity, funding, revenue and sales, prices, and counts of people.
static NOT_PAY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)(?:(?-u:\b)(?:budgets?|bonus(?:es)?|stipends?|allowances?|reimburse\w*|raised|funding|funded|revenue|sales|profits?|valuation|worth|equity|shares?|stock|rsus?|psus?|options|units|capital|additional|invest\w*|customers|users|employees|people|members|membership|fitness|gym|wellness|well-being|books|courses|learning|seminars?|conferences?|tuition|travel|equipment|commut\w*|donat\w*|grants?|credits?|relocation|referral|signing|sign-on|gift|insurance|coverage|deductible|prices?|pricing|fees?)(?-u:\b)|交通費|手当|支援)",
    )
    .expect("static regex is valid")
});

/// Whether pay wording vouches for the figure at `start..end`: in the sentence before it
/// (other numbers in it, `Level 3`, do not cut it short), on the heading line above the line
/// it starts, or right after it (`$100k base`).
fn pay_words_near(text: &str, start: usize, end: usize) -> bool {
    let before = text.get(..start).unwrap_or_default();
    let sentence = tail_chars(after_last(before, |c| ".;!?\n".contains(c)), 120);
    let after = text.get(end..).unwrap_or_default();
    let right_after = after
        .split(|c: char| c.is_ascii_digit() || ".;!?\n$€£¥₹".contains(c))
        .next()
        .unwrap_or("");
    PAY_WORDS.is_match(sentence)
        || PAY_WORDS.is_match(head_chars(right_after, 20))
        || heading_above(text, start).is_some_and(|h| !NOT_PAY.is_match(h) && PAY_WORDS.is_match(h))
}

/// A salary band's ends: both at least this much (yearly pay, not a fee or a rate).
const BAND_FLOOR: f64 = 10_000.0;
/// A salary band's ends: at most this many times apart (`$10,000 to $5,000,000` is not one).
const BAND_SPREAD: f64 = 5.0;

/// The heading line right above the line a figure at `start` begins (`Pay range` over
/// `$117,600—$252,000 USD`), when the figure's own line has nothing before it but currency
/// markers and spaces. Headings are short and carry no figure of their own.
fn heading_above(text: &str, start: usize) -> Option<&str> {
    let before = text.get(..start)?;
    let line_start = before.rfind('\n')?;
    let own_line = before.get(line_start + 1..)?;
    if own_line.trim().chars().any(char::is_alphabetic) && !CURRENCY.is_match(own_line.trim()) {
        return None;
    }
    let above = before.get(..line_start)?.trim_end();
    let heading = above.rsplit('\n').next()?.trim();
    (!heading.is_empty()
        && heading.chars().count() <= 80
        && !heading.chars().any(|c| c.is_ascii_digit()))
    .then_some(heading)
}

/// A period stated right after a figure: `/hour`, `per year`, `a day`, or an adverb
/// (`hourly`, `annually`, `p.a.`). A bare noun (`25 days`) is not a period.
static PERIOD_AFTER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"^[\s,]*(?:{}\s*)?(?i:(?:gross\s*|brutto\s*|net\s*|netto\s*|base\s*)?(?P<conn>/\s*|per\s+|pro\s+|an?\s+|each\s+|every\s+)?(?P<word>p\.\s?a\.?|[a-zäöü]+))",
        currency_pattern()
    ))
    .expect("static regex is valid")
});

/// Period wording in the lead-in (`Hourly rate: 45 EUR`, `Annual salary: $100k`).
static PERIOD_BEFORE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)(?:(?-u:\b)(hourly|per\s+hour|daily|day\s+rate|per\s+day|weekly|per\s+week|monthly|per\s+month|annual|annually|yearly|per\s+year|per\s+annum)(?-u:\b)|想定年収|年収|年俸|月給|日給|時給)",
    )
    .expect("static regex is valid")
});

static UP_TO: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?-u:\b)(?:up\s+to|max(?:imum)?|bis\s+zu|no\s+more\s+than|under)\s*:?\s*$")
        .expect("static regex is valid")
});

static FROM: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?-u:\b)(?:from|starting\s+(?:at|from)|min(?:imum)?|at\s+least|ab|over|more\s+than)\s*:?\s*$")
        .expect("static regex is valid")
});

static BETWEEN: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)(?-u:\b)between\s*$").expect("static regex is valid"));

/// The end of `before` that belongs to the figure after it: back to the previous figure or
/// the end of the previous sentence.
fn same_sentence(before: &str) -> &str {
    after_last(before, |c| c.is_ascii_digit() || ".;!?\n".contains(c))
}

/// Reads one regex match as a salary, with a score of how well the text supports it.
fn candidate(text: &str, caps: &Captures<'_>) -> Option<(u32, Salary)> {
    let whole = caps.get(0)?;
    let before = tail_chars(text.get(..whole.start())?, 80);
    let after_all = text.get(whole.end()..)?;
    let after = head_chars(after_all, 40);
    let n1 = caps.name("n1")?.as_str();
    let k1 = caps.name("k1").map(|m| m.as_str());
    let c1 = caps.name("c1").or_else(|| caps.name("c1b"));

    // A range needs its second figure; `and` joins a range only after `between`.
    let is_range = caps.name("n2").is_some()
        && caps.name("sep").is_some_and(|sep| {
            !sep.as_str().eq_ignore_ascii_case("and") || BETWEEN.is_match(before)
        });
    let c2 = if is_range {
        caps.name("c2").or_else(|| caps.name("c2b"))
    } else {
        None
    };
    let currency = c1.or(c2).and_then(|m| currency_code(m.as_str()));
    let has_currency = currency.is_some();

    if is_not_a_figure(n1, k1, has_currency, after_all) {
        return None;
    }
    let mut low = parse_number(n1, k1)?;
    let mut high = low;
    if is_range {
        let n2 = caps.name("n2")?.as_str();
        let k2 = caps.name("k2").map(|m| m.as_str());
        if looks_like_year(n2, k2, has_currency) {
            return None;
        }
        high = parse_number(n2, k2)?;
        // `$120-150k`: the unit written once applies to both ends.
        if k1.is_none() && k2.is_some() && low < YEARLY_FROM {
            low *= multiplier(k2);
        }
    }
    // A figure's context runs back to the previous figure and forward to the next one, so the
    // `bonus` after a second figure does not spoil the first.
    let near_before = same_sentence(before);
    let near_after = head_chars(
        after
            .split(|c: char| c.is_ascii_digit() || ".;!?\n$€£¥₹".contains(c))
            .next()
            .unwrap_or(""),
        40,
    );
    if NOT_PAY.is_match(tail_chars(near_before, 40)) || NOT_PAY.is_match(near_after) {
        return None;
    }

    // Pay wording and a period vouch from anywhere in the sentence before the figure (other
    // numbers in it, `Level 3`, do not cut it short), from the heading above its line, or
    // right after it (`$100k base`).
    let sentence = tail_chars(after_last(before, |c| ".;!?\n".contains(c)), 120);
    let heading = heading_above(text, whole.start()).filter(|h| !NOT_PAY.is_match(h));
    let period_right_after = period_after(after);
    let stated_period = period_right_after
        .or_else(|| period_before(sentence))
        .or_else(|| heading.and_then(period_before));
    // A period alone vouches for nothing: `2M monthly downloads`.
    let has_pay_words = pay_words_near(text, whole.start(), whole.end());
    if !has_currency && !has_pay_words {
        return None;
    }
    // A small number with neither a currency nor its own period is a count or a level
    // (`Associate Level 3`), whatever the sentence says around it.
    if !has_currency && period_right_after.is_none() && high.max(low) < YEARLY_FROM {
        return None;
    }
    let (low, high) = ordered(Some(low), Some(high));
    let top = high.or(low)?;
    let band = is_range
        && has_currency
        && low.is_some_and(|low| low >= BAND_FLOOR && top <= low * BAND_SPREAD);
    let vouched = has_pay_words || band || (has_currency && stated_period.is_some());
    if !vouched {
        // Money the text does not call pay: when in doubt, no salary.
        return None;
    }
    if top < YEARLY_FROM && stated_period.is_none() && !(has_currency && has_pay_words) {
        return None;
    }
    let (min, max) = if is_range {
        (low, high)
    } else if caps.name("plus").is_some() || FROM.is_match(before) {
        (low, None)
    } else if UP_TO.is_match(before) {
        (None, high)
    } else {
        (low, high)
    };
    let period = stated_period.or_else(|| infer_period(min, max));
    if period == Some(SalaryPeriod::Year) && top < YEARLY_FROM {
        return None;
    }
    let score = 4 * u32::from(has_pay_words)
        + 2 * u32::from(is_range)
        + u32::from(stated_period.is_some())
        + u32::from(has_currency);
    Some((
        score,
        Salary {
            min,
            max,
            currency,
            period,
        },
    ))
}

/// Numbers that are something else: percentages, `401k`/`401(k)`, and bare years.
fn is_not_a_figure(number: &str, suffix: Option<&str>, has_currency: bool, after: &str) -> bool {
    let next = after.trim_start();
    if next.starts_with('%') || (number == "401" && (suffix.is_some() || next.starts_with("(k)"))) {
        return true;
    }
    looks_like_year(number, suffix, has_currency)
}

fn looks_like_year(number: &str, suffix: Option<&str>, has_currency: bool) -> bool {
    !has_currency
        && suffix.is_none()
        && number.len() == 4
        && number
            .parse::<u32>()
            .is_ok_and(|year| (1900..=2100).contains(&year))
}

fn multiplier(suffix: Option<&str>) -> f64 {
    match suffix {
        Some("k" | "K") => 1_000.0,
        Some("m" | "M") => 1_000_000.0,
        // Japanese counts pay in ten-thousands (`550万円`).
        Some("万") => 10_000.0,
        _ => 1.0,
    }
}

/// Reads `120,000`, `60.000` (European grouping), `190,000.00`, `60.000,50`, `45 000`, `1.2`
/// (with `M`), `12.50`. A single `.` or `,` followed by exactly three digits groups thousands,
/// unless a `k`/`M` suffix shows it is a decimal (`1.250k`).
fn parse_number(number: &str, suffix: Option<&str>) -> Option<f64> {
    let digits: String = number
        .chars()
        .filter(|c| !matches!(c, ' ' | '\'' | '’' | '\u{a0}' | '\u{202f}'))
        .collect();
    let dots = digits.matches('.').count();
    let commas = digits.matches(',').count();
    let decimal = match (dots, commas) {
        (0, 0) => None,
        // Both present: the later one is the decimal mark.
        (_, _) if dots > 0 && commas > 0 => digits.rfind(['.', ',']),
        // One kind repeated: grouping only.
        (d, c) if d + c > 1 => None,
        _ => {
            let mark = digits.find(['.', ','])?;
            let decimals = digits.len() - mark - 1;
            (suffix.is_some() || decimals != 3).then_some(mark)
        }
    };
    let plain: String = digits
        .char_indices()
        .filter_map(|(i, c)| match c {
            '.' | ',' if Some(i) == decimal => Some('.'),
            '.' | ',' => None,
            _ => Some(c),
        })
        .collect();
    let value = plain.parse::<f64>().ok()? * multiplier(suffix);
    (value.is_finite() && value > 0.0 && value <= MAX_PLAUSIBLE).then_some(value)
}

fn period_after(after: &str) -> Option<SalaryPeriod> {
    let caps = PERIOD_AFTER.captures(after)?;
    let word = caps.name("word")?.as_str();
    let period = salary_period(word)?;
    let lower = word.to_lowercase();
    let is_adverb = lower.ends_with("ly")
        || lower.ends_with("lich")
        || lower.starts_with("annual")
        || lower.starts_with('p');
    (caps.name("conn").is_some() || is_adverb).then_some(period)
}

fn period_before(before: &str) -> Option<SalaryPeriod> {
    let word = PERIOD_BEFORE.find_iter(before).last()?;
    let period = salary_period(word.as_str());
    // `day rate` is a day word followed by `rate`, which the word table does not know.
    period.or_else(|| {
        word.as_str()
            .to_lowercase()
            .starts_with("day")
            .then_some(SalaryPeriod::Day)
    })
}

fn infer_period(min: Option<f64>, max: Option<f64>) -> Option<SalaryPeriod> {
    max.or(min)
        .is_some_and(|v| v >= YEARLY_FROM)
        .then_some(SalaryPeriod::Year)
}

fn ordered(a: Option<f64>, b: Option<f64>) -> (Option<f64>, Option<f64>) {
    match (a, b) {
        (Some(x), Some(y)) if x > y => (Some(y), Some(x)),
        other => other,
    }
}

/// The last `n` characters of `s` (whole characters, never a split code point).
fn tail_chars(s: &str, n: usize) -> &str {
    let start = s
        .char_indices()
        .rev()
        .nth(n.saturating_sub(1))
        .map_or(0, |(i, _)| i);
    s.get(start..).unwrap_or(s)
}

/// The first `n` characters of `s`.
fn head_chars(s: &str, n: usize) -> &str {
    let end = s.char_indices().nth(n).map_or(s.len(), |(i, _)| i);
    s.get(..end).unwrap_or(s)
}

/// The part of `s` after the last character matching `pred` (all of `s` when none does).
fn after_last(s: &str, pred: impl Fn(char) -> bool) -> &str {
    s.rfind(pred).and_then(|i| s.get(i + 1..)).unwrap_or(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The pay a table row expects: `none`, or `MIN-MAX CUR PERIOD`.
    fn expected_pay(text: &str) -> Option<Salary> {
        if text == "none" {
            return None;
        }
        let mut parts = text.split(' ');
        let (min, max) = parts.next().unwrap().split_once('-').unwrap();
        let bound = |b: &str| (!b.is_empty()).then(|| b.parse::<f64>().unwrap());
        let currency = parts.next().map(str::to_owned);
        let period = match parts.next().unwrap() {
            "-" => None,
            word => Some(salary_period(word).unwrap()),
        };
        Some(Salary {
            min: bound(min),
            max: bound(max),
            currency,
            period,
        })
    }

    #[test]
    fn real_sentences_give_the_pay_they_state_and_nothing_else() {
        let table = include_str!("../../testdata/salary/sentences.tsv");
        let mut rows = 0;
        let mut wrong = Vec::new();
        for line in table
            .lines()
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        {
            let mut fields = line.split('\t');
            let (expected, sentence) = (fields.next().unwrap(), fields.next().unwrap());
            let sentence = sentence.replace("\\n", "\n");
            let got = parse_salary_text(&sentence);
            if got != expected_pay(expected) {
                wrong.push(format!("{sentence:?}: expected {expected}, got {got:?}"));
            }
            rows += 1;
        }
        assert!(rows >= 40, "{rows} rows");
        assert!(
            wrong.is_empty(),
            "{} of {rows} wrong:\n{}",
            wrong.len(),
            wrong.join("\n")
        );
    }
    use proptest::prelude::*;

    fn salary(min: Option<f64>, max: Option<f64>, cur: &str, period: SalaryPeriod) -> Salary {
        Salary {
            min,
            max,
            currency: Some(cur.to_owned()),
            period: Some(period),
        }
    }

    fn yearly(min: f64, max: f64, cur: &str) -> Option<Salary> {
        Some(salary(Some(min), Some(max), cur, SalaryPeriod::Year))
    }

    fn raw(
        min: Option<f64>,
        max: Option<f64>,
        cur: Option<&str>,
        period: Option<&str>,
    ) -> RawSalary {
        RawSalary {
            min,
            max,
            currency: cur.map(str::to_owned),
            period: period.map(str::to_owned),
        }
    }

    #[test]
    fn structured_currency_symbols_and_codes_become_iso_codes() {
        for (given, code) in [
            ("$", "USD"),
            ("€", "EUR"),
            ("£", "GBP"),
            ("CA$", "CAD"),
            ("C$", "CAD"),
            ("A$", "AUD"),
            ("zł", "PLN"),
            ("₹", "INR"),
            ("¥", "JPY"),
            ("usd", "USD"),
            ("Eur", "EUR"),
            ("chf", "CHF"),
            ("USD $190,000.00 - USD $200,000.00 /Yr.", "USD"),
        ] {
            assert_eq!(currency_code(given).as_deref(), Some(code), "{given}");
        }
        assert_eq!(currency_code("kr"), None);
        assert_eq!(currency_code(""), None);
    }

    #[test]
    fn period_words_from_every_vocabulary_are_recognised() {
        for word in [
            "YEAR",
            "year",
            "yearly",
            "annual",
            "per annum",
            "p.a.",
            "/yr",
            "Yr.",
        ] {
            assert_eq!(salary_period(word), Some(SalaryPeriod::Year), "{word}");
        }
        for word in ["HOUR", "hourly", "/hr", "per hour"] {
            assert_eq!(salary_period(word), Some(SalaryPeriod::Hour), "{word}");
        }
        assert_eq!(salary_period("DAY"), Some(SalaryPeriod::Day));
        assert_eq!(salary_period("daily"), Some(SalaryPeriod::Day));
        assert_eq!(salary_period("WEEK"), Some(SalaryPeriod::Week));
        assert_eq!(salary_period("MONTH"), Some(SalaryPeriod::Month));
        assert_eq!(salary_period("monthly"), Some(SalaryPeriod::Month));
        assert_eq!(salary_period("sometimes"), None);
    }

    #[test]
    fn structured_pay_is_normalized_and_ordered() {
        assert_eq!(
            from_structured(&raw(
                Some(150_000.0),
                Some(120_000.0),
                Some("$"),
                Some("YEAR")
            )),
            yearly(120_000.0, 150_000.0, "USD")
        );
        assert_eq!(
            from_structured(&raw(Some(45.0), Some(55.0), Some("eur"), Some("hourly"))),
            Some(salary(Some(45.0), Some(55.0), "EUR", SalaryPeriod::Hour))
        );
        // RemoteOK: `salary_min` 50000, `salary_max` 70000, no currency or period.
        assert_eq!(
            from_structured(&raw(Some(50_000.0), Some(70_000.0), None, None)),
            Some(Salary {
                min: Some(50_000.0),
                max: Some(70_000.0),
                currency: None,
                period: Some(SalaryPeriod::Year),
            })
        );
    }

    #[test]
    fn zero_negative_or_missing_structured_figures_count_as_absent() {
        assert_eq!(
            from_structured(&raw(Some(0.0), Some(0.0), Some("USD"), None)),
            None
        );
        assert_eq!(
            from_structured(&raw(None, None, Some("USD"), Some("YEAR"))),
            None
        );
        assert_eq!(
            from_structured(&raw(Some(-5.0), Some(90_000.0), Some("USD"), Some("YEAR"))),
            Some(salary(None, Some(90_000.0), "USD", SalaryPeriod::Year))
        );
        assert_eq!(
            from_structured(&raw(Some(f64::NAN), Some(f64::INFINITY), None, None)),
            None
        );
    }

    #[test]
    fn thousands_shorthand_ranges_are_expanded_with_any_dash_or_to() {
        for text in [
            "$120k–$150k",
            "$120k-$150k",
            "$120k to $150k",
            "$120K - $150K",
            "$120-150k",
        ] {
            assert_eq!(
                parse_salary_text(text),
                yearly(120_000.0, 150_000.0, "USD"),
                "{text}"
            );
        }
        assert_eq!(
            parse_salary_text("120k-150k USD"),
            yearly(120_000.0, 150_000.0, "USD")
        );
    }

    #[test]
    fn grouped_figures_and_european_dot_grouping_are_read() {
        assert_eq!(
            parse_salary_text("USD 120,000 - 150,000 per year"),
            yearly(120_000.0, 150_000.0, "USD")
        );
        assert_eq!(
            parse_salary_text("€60.000 – €75.000"),
            yearly(60_000.0, 75_000.0, "EUR")
        );
        assert_eq!(
            parse_salary_text("60.000€ - 75.000€"),
            yearly(60_000.0, 75_000.0, "EUR")
        );
        assert_eq!(
            parse_salary_text("USD $190,000.00 - USD $200,000.00 /Yr."),
            yearly(190_000.0, 200_000.0, "USD")
        );
        assert_eq!(
            parse_salary_text("Gehalt: 55 000 – 65 000 EUR"),
            yearly(55_000.0, 65_000.0, "EUR")
        );
    }

    #[test]
    fn day_and_hour_rates_keep_their_period() {
        assert_eq!(
            parse_salary_text("£500/day"),
            Some(salary(Some(500.0), Some(500.0), "GBP", SalaryPeriod::Day))
        );
        assert_eq!(
            parse_salary_text("45-55 EUR/hour"),
            Some(salary(Some(45.0), Some(55.0), "EUR", SalaryPeriod::Hour))
        );
        assert_eq!(
            parse_salary_text("Hourly rate: $45 - $60"),
            Some(salary(Some(45.0), Some(60.0), "USD", SalaryPeriod::Hour))
        );
        assert_eq!(
            parse_salary_text("$4,000 - $5,000 per month"),
            Some(salary(
                Some(4_000.0),
                Some(5_000.0),
                "USD",
                SalaryPeriod::Month
            ))
        );
    }

    #[test]
    fn open_ended_and_single_figures_have_the_right_bounds() {
        assert_eq!(
            parse_salary_text("Salary: up to $90k"),
            Some(salary(None, Some(90_000.0), "USD", SalaryPeriod::Year))
        );
        assert_eq!(
            parse_salary_text("Gehalt: from €50k"),
            Some(salary(Some(50_000.0), None, "EUR", SalaryPeriod::Year))
        );
        assert_eq!(
            parse_salary_text("Compensation $80k+"),
            Some(salary(Some(80_000.0), None, "USD", SalaryPeriod::Year))
        );
        assert_eq!(
            parse_salary_text("Base pay $95,000"),
            yearly(95_000.0, 95_000.0, "USD")
        );
        assert_eq!(
            parse_salary_text("Salary $1.2M"),
            yearly(1_200_000.0, 1_200_000.0, "USD")
        );
    }

    #[test]
    fn german_and_other_local_formats_are_read() {
        assert_eq!(
            parse_salary_text("€3.500 - €4.500 brutto/Monat"),
            Some(salary(
                Some(3_500.0),
                Some(4_500.0),
                "EUR",
                SalaryPeriod::Month
            ))
        );
        assert_eq!(
            parse_salary_text("ab 4.000 € monatlich"),
            Some(salary(Some(4_000.0), None, "EUR", SalaryPeriod::Month))
        );
        assert_eq!(
            parse_salary_text("Pay: 25,50 € pro Stunde"),
            Some(salary(Some(25.5), Some(25.5), "EUR", SalaryPeriod::Hour))
        );
        assert_eq!(
            parse_salary_text("CHF 120'000 - 140'000"),
            yearly(120_000.0, 140_000.0, "CHF")
        );
        assert_eq!(
            parse_salary_text("₹12,00,000 - ₹18,00,000 per annum"),
            yearly(1_200_000.0, 1_800_000.0, "INR")
        );
        assert_eq!(
            parse_salary_text("Salary: 50-60k EUR p.a."),
            yearly(50_000.0, 60_000.0, "EUR")
        );
    }

    #[test]
    fn vague_pay_statements_are_no_salary() {
        for text in [
            "DOE",
            "Competitive",
            "negotiable",
            "Competitive salary + 401k",
            "",
        ] {
            assert_eq!(parse_salary_text(text), None, "{text}");
        }
    }

    #[test]
    fn years_percentages_headcounts_and_401k_are_not_pay() {
        for text in [
            "Founded in 2026, we are 120 people.",
            "We grew 150% in 2025.",
            "A team of 45 engineers across 12 countries.",
            "We match 401(k) contributions up to 4%.",
            "Generous 401k matching",
            "Posted 2026-04-01",
            "We raised $73 million in our Series B.",
            "An annual well-being budget of €480 is here to help you.",
            "Educational budget - €500 yearly for books.",
            // Ashby corpus: a download count followed by a period word.
            "developer-first APIs with ~2M monthly downloads and ~17k stars.",
        ] {
            assert_eq!(parse_salary_text(text), None, "{text}");
        }
    }

    #[test]
    fn pay_is_found_inside_a_longer_description() {
        assert_eq!(
            parse_salary_text(
                "We are growing fast. The base salary range for this role is $180,000 - $220,000 USD. \
                 You also get equity."
            ),
            yearly(180_000.0, 220_000.0, "USD")
        );
        // From the Ashby corpus posting: the signing bonus after the salary is not the pay.
        assert_eq!(
            parse_salary_text("Compensation\nSalary: $150,000–$250,000 USD\n$20,000 signing bonus"),
            yearly(150_000.0, 250_000.0, "USD")
        );
        assert_eq!(
            parse_salary_text("We raised $73 million. Salary between $100,000 and $120,000."),
            yearly(100_000.0, 120_000.0, "USD")
        );
        assert_eq!(
            parse_salary_text("Ad budget: $10,000 per month. Salary $90k."),
            yearly(90_000.0, 90_000.0, "USD")
        );
        assert_eq!(
            parse_salary_text("$100k base + $20k bonus"),
            yearly(100_000.0, 100_000.0, "USD")
        );
        // Greenhouse corpus pay-range block, once its HTML is stripped.
        assert_eq!(
            parse_salary_text("$222,800 — $290,000 USD"),
            yearly(222_800.0, 290_000.0, "USD")
        );
    }

    /// The reading before figures were looked for from their digits: every MONEY match of
    /// the whole text through `candidate`.
    fn reference(text: &str) -> Option<Salary> {
        let mut best: Option<(u32, Salary)> = None;
        for caps in MONEY.captures_iter(text) {
            if let Some((score, salary)) = candidate(text, &caps)
                && best.as_ref().is_none_or(|(s, _)| score > *s)
            {
                best = Some((score, salary));
            }
        }
        best.map(|(_, salary)| salary)
    }

    /// Descriptions made of prose, pay words, currency markers (multi-byte, doubled, spaced
    /// out) and figures in every grouping.
    fn pay_text() -> impl Strategy<Value = String> {
        let piece = prop_oneof![
            "[a-z ]{0,30}",
            Just("The salary is ".to_owned()),
            Just("compensation: ".to_owned()),
            Just(" bonus ".to_owned()),
            Just("US$ USD ".to_owned()),
            Just("€\u{a0}".to_owned()),
            Just(" euros ".to_owned()),
            Just("CA$".to_owned()),
            Just("zł ".to_owned()),
            Just(" – ".to_owned()),
            Just(" to ".to_owned()),
            Just(" per year. ".to_owned()),
            Just("/hour\n".to_owned()),
            Just("٣".to_owned()),
            "[0-9]{1,3}([,. ][0-9]{3}){0,2}[kK]?",
            "[0-9]{4,6}",
        ];
        prop::collection::vec(piece, 0..14).prop_map(|pieces| pieces.concat())
    }

    proptest! {
        #[test]
        fn figures_found_from_their_digits_read_as_a_scan_of_the_whole_text(text in pay_text()) {
            prop_assert_eq!(parse_salary_text(&text), reference(&text));
        }

        #[test]
        fn the_figure_window_holds_the_longest_markers_before_a_figure(
            prose in "[a-z ]{0,200}",
            first in prop::sample::select(SYMBOLS.iter().map(|(s, _)| s.to_uppercase()).collect::<Vec<_>>()),
            second in prop::sample::select(TEXT_CODES.to_vec()),
        ) {
            let text = format!("{prose} salary {first} {second}\u{2003}\u{2003}120,000 per year");
            prop_assert_eq!(parse_salary_text(&text), reference(&text));
        }

        #[test]
        fn arbitrary_text_never_panics_and_yields_ordered_positive_bounds(s in "\\PC{0,60}") {
            check(parse_salary_text(&s))?;
        }

        #[test]
        fn money_like_text_yields_ordered_positive_bounds(
            s in "(salary |up to |from )?[$€£]?[0-9]{1,7}([.,' ][0-9]{1,4})?[kKmM]?( ?[-–]| to)? ?[$€£]?[0-9]{0,7}([.,][0-9]{1,3})?[kKmM]?( USD| EUR)?(/hour| per year|\\+)?"
        ) {
            check(parse_salary_text(&s))?;
        }

        #[test]
        fn arbitrary_structured_figures_yield_ordered_positive_bounds(
            min in proptest::option::of(any::<f64>()),
            max in proptest::option::of(any::<f64>()),
            cur in proptest::option::of("\\PC{0,6}"),
        ) {
            check(from_structured(&raw(min, max, cur.as_deref(), None)))?;
        }
    }

    fn check(result: Option<Salary>) -> Result<(), TestCaseError> {
        if let Some(s) = result {
            prop_assert!(s.min.is_some() || s.max.is_some());
            for v in [s.min, s.max].into_iter().flatten() {
                prop_assert!(v.is_finite() && v > 0.0);
            }
            if let (Some(lo), Some(hi)) = (s.min, s.max) {
                prop_assert!(lo <= hi);
            }
        }
        Ok(())
    }
}
