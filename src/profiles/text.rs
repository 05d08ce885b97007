//! Reading a résumé and a job posting as a recruiter skims them: the
//! résumé's lines that say what the candidate did, and the posting's
//! requirements under the section they stand in. Pure text, no model: what
//! the lines mean is the fit map's business (`fit.rs`).

use serde::Serialize;

/// Whether the posting requires a thing or would like it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Need {
    Required,
    Preferred,
}

/// What a requirement is about: a skill, or experience (years, scope,
/// leadership) that the résumé shows by its dates and its lines.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    Skills,
    Experience,
}

/// One requirement, as the posting words it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Requirement {
    pub text: String,
    pub need: Need,
    pub category: Category,
    /// "5+ years …": the years asked for.
    pub years: Option<u32>,
}

/// The most requirements a fit map lists: a long posting's tail is
/// boilerplate more often than substance.
const MAX_REQUIREMENTS: usize = 30;

/// What a section of a posting holds, by its heading.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Section {
    /// Before any heading it knows: only bullets are taken.
    Opening,
    Required,
    Preferred,
    /// About the company, benefits, pay, equal opportunity: not asked of the
    /// candidate.
    Other,
}

/// The section a heading opens; `None` for a heading that says neither
/// (the job's title), which leaves the section as it was.
fn section_of(heading: &str) -> Option<Section> {
    let h = heading.to_lowercase();
    let has = |words: &[&str]| words.iter().any(|w| h.contains(w));
    if has(&[
        "prefer",
        "nice to have",
        "bonus",
        "plus",
        "desirable",
        "ideally",
    ]) {
        Some(Section::Preferred)
    } else if has(&[
        "require",
        "qualif",
        "must",
        "you have",
        "you bring",
        "skill",
        "experience",
        "about you",
        "who you are",
        "what you",
        "responsib",
        "the role",
        "you will",
        "you'll",
        "day to day",
        "looking for",
        "expect",
    ]) {
        Some(Section::Required)
    } else if has(&[
        "about",
        "benefit",
        "perk",
        "salary",
        "pay",
        "compensation",
        "equal",
        "company",
        "who we",
        "location",
        "apply",
        "offer",
        "culture",
    ]) {
        Some(Section::Other)
    } else {
        None
    }
}

/// A line with its list marker taken off: what is quoted.
pub fn content(line: &str) -> &str {
    line.trim()
        .trim_start_matches(['-', '•', '*', '▪', '◦', '·', '–'])
        .trim()
}

fn is_bullet(line: &str) -> bool {
    line.trim_start()
        .starts_with(['-', '•', '*', '▪', '◦', '·', '–'])
}

fn words(line: &str) -> usize {
    line.split_whitespace().count()
}

/// A heading: a short line ending with a colon, or a short line with no
/// sentence punctuation that is not a bullet.
fn is_heading(line: &str) -> bool {
    let line = line.trim();
    if line.is_empty() || is_bullet(line) || words(line) > 7 {
        return false;
    }
    line.ends_with(':') || !line.contains(['.', ',', ';'])
}

/// The posting's requirements, in order, with what each section makes
/// them. Paragraphs under a requirements heading are split into sentences.
pub fn requirements(posting: &str) -> Vec<Requirement> {
    let mut section = Section::Opening;
    let mut found = Vec::new();
    for line in posting.lines() {
        if is_heading(line) {
            section = section_of(line).unwrap_or(section);
            continue;
        }
        let need = match section {
            Section::Opening if is_bullet(line) => Need::Required,
            Section::Required => Need::Required,
            Section::Preferred => Need::Preferred,
            Section::Opening | Section::Other => continue,
        };
        let pieces: Vec<&str> = if is_bullet(line) {
            vec![content(line)]
        } else {
            sentences(line)
        };
        for piece in pieces {
            if words(piece) < 3 || boilerplate(piece) {
                continue;
            }
            let lower = piece.to_lowercase();
            let need = if ["preferred", "is a plus", "nice to have", "bonus", "ideally"]
                .iter()
                .any(|w| lower.contains(w))
            {
                Need::Preferred
            } else {
                need
            };
            let years = years_asked(&lower);
            let category = if years.is_some()
                || [
                    "lead",
                    "mentor",
                    "ownership",
                    "owned",
                    "senior",
                    "scope",
                    "on-call",
                    "on call",
                ]
                .iter()
                .any(|w| lower.contains(w))
            {
                Category::Experience
            } else {
                Category::Skills
            };
            found.push(Requirement {
                text: piece.trim_end_matches(['.', ';']).to_owned(),
                need,
                category,
                years,
            });
        }
    }
    found.truncate(MAX_REQUIREMENTS);
    found
}

/// Lines that every posting carries and no résumé answers.
fn boilerplate(piece: &str) -> bool {
    let lower = piece.to_lowercase();
    [
        "equal opportunity",
        "salary",
        "benefits",
        "apply",
        "accommodation",
        "we are",
        "we're",
        "our mission",
    ]
    .iter()
    .any(|w| lower.contains(w))
}

fn sentences(line: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let bytes = line.as_bytes();
    for (i, c) in line.char_indices() {
        let ends = matches!(c, '.' | ';' | '!' | '?')
            && bytes.get(i + 1).is_none_or(|b| b.is_ascii_whitespace());
        if ends {
            out.push(line[start..=i].trim());
            start = i + 1;
        }
    }
    if start < line.len() {
        out.push(line[start..].trim());
    }
    out.retain(|s| !s.is_empty());
    out
}

/// "5+ years", "at least 3 years", "7 or more years": the number.
pub fn years_asked(lower: &str) -> Option<u32> {
    let tokens: Vec<&str> = lower
        .split(|c: char| c.is_whitespace() || c == '(' || c == ')' || c == ',')
        .filter(|t| !t.is_empty())
        .collect();
    tokens.iter().enumerate().find_map(|(i, t)| {
        let n: u32 = t.trim_end_matches('+').parse().ok()?;
        let rest = &tokens[i + 1..tokens.len().min(i + 4)];
        let says_years = rest
            .iter()
            .any(|w| w.starts_with("year") || w.starts_with("yrs"));
        (says_years && (1..=40).contains(&n)).then_some(n)
    })
}

/// The résumé's lines worth quoting: what the candidate did or knows, not
/// headings, names or contact details.
pub fn resume_lines(resume: &str) -> Vec<&str> {
    resume
        .lines()
        .map(content)
        .filter(|line| {
            words(line) >= 4
                && !line.contains('@')
                && !line.to_lowercase().contains("http")
                && !is_heading(line)
        })
        .collect()
}

/// The years the résumé's date ranges cover ("2016 – 2021", "Mar 2019 -
/// Present"), overlaps counted once; `this_year` stands for "present".
pub fn years_of_experience(resume: &str, this_year: i32) -> f64 {
    let mut spans: Vec<(f64, f64)> = resume
        .lines()
        .filter(|line| !is_education(line))
        .filter_map(|line| date_range(line, this_year))
        .collect();
    spans.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut total = 0.0;
    let mut covered_to = f64::MIN;
    for (from, to) in spans {
        let from = from.max(covered_to);
        if to > from {
            total += to - from;
            covered_to = to;
        }
    }
    total
}

/// A degree's years are study, not work experience.
fn is_education(line: &str) -> bool {
    let lower = line.to_lowercase();
    [
        "university",
        "college",
        "school",
        "b.s.",
        "b.sc",
        "b.a.",
        "m.s.",
        "m.sc",
        "bachelor",
        "master",
        "phd",
        "ph.d",
        "degree",
        "diploma",
    ]
    .iter()
    .any(|w| lower.contains(w))
}

/// A line's "YYYY … YYYY|present" range, as fractional years.
fn date_range(line: &str, this_year: i32) -> Option<(f64, f64)> {
    let lower = line.to_lowercase();
    let mut years = Vec::new();
    let chars: Vec<char> = lower.chars().collect();
    let mut i = 0;
    while i + 4 <= chars.len() {
        let digits: String = chars[i..i + 4].iter().collect();
        let bounded = (i == 0 || !chars[i - 1].is_ascii_digit())
            && chars.get(i + 4).is_none_or(|c| !c.is_ascii_digit());
        if bounded
            && let Ok(year) = digits.parse::<i32>()
            && (1960..=this_year + 1).contains(&year)
        {
            years.push(year as f64);
            i += 4;
            continue;
        }
        i += 1;
    }
    let ongoing = ["present", "current", "now", "today"]
        .iter()
        .any(|w| lower.contains(w));
    match years.as_slice() {
        [from, to, ..] if to >= from => Some((*from, *to + if to > from { 0.0 } else { 0.5 })),
        [from] if ongoing => Some((*from, this_year as f64 + 0.5)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const POSTING: &str = "Senior Backend Engineer\n\
        We are a payments company building the next generation of checkout.\n\
        What you'll do:\n\
        - Design and build REST APIs used by thousands of merchants\n\
        - Own services in production, including on-call\n\
        Requirements\n\
        - 5+ years of backend development in Go or Java\n\
        - Experience with PostgreSQL and caching\n\
        Nice to have:\n\
        - Kubernetes\n\
        - Experience with Kafka or another event log\n\
        Benefits\n\
        - Generous parental leave and a learning budget\n";

    #[test]
    fn requirements_come_from_their_sections_and_skip_the_company_and_benefits() {
        let found = requirements(POSTING);
        let texts: Vec<&str> = found.iter().map(|r| r.text.as_str()).collect();
        assert_eq!(
            texts,
            [
                "Design and build REST APIs used by thousands of merchants",
                "Own services in production, including on-call",
                "5+ years of backend development in Go or Java",
                "Experience with PostgreSQL and caching",
                "Experience with Kafka or another event log",
            ],
            "a one-word bullet (Kubernetes) is too short to judge alone"
        );
        assert_eq!(found[2].years, Some(5));
        assert_eq!(found[2].category, Category::Experience);
        assert_eq!(found[1].category, Category::Experience);
        assert_eq!(found[3].category, Category::Skills);
        assert_eq!(found[4].need, Need::Preferred);
        assert_eq!(found[0].need, Need::Required);
    }

    #[test]
    fn years_asked_read_the_common_phrasings() {
        assert_eq!(years_asked("5+ years of experience"), Some(5));
        assert_eq!(years_asked("at least 3 years building"), Some(3));
        assert_eq!(years_asked("7 or more years"), Some(7));
        assert_eq!(years_asked("serve 10 million users"), None);
        assert_eq!(years_asked("since 2019 years"), None);
    }

    #[test]
    fn years_of_experience_count_overlapping_ranges_once() {
        let resume = "Acme Corp, Senior Engineer, 2019 – Present\n\
            Beta Ltd, Engineer, Jan 2015 - Mar 2019\n\
            Side project 2018-2020\n\
            University of X, 2011 - 2015\n\
            B.S. Computer Science 2007 - 2011\n";
        let years = years_of_experience(resume, 2026);
        assert!((years - 11.5).abs() < 0.01, "study is not work: {years}");
    }

    #[test]
    fn resume_lines_leave_out_headings_and_contact_details() {
        let resume = "Jane Doe\njane@example.com | +1 555 0100\nExperience\n\
            - Built the order service in Java handling 40k requests a second\n\
            • Cut p99 latency by 60% with a read-through cache\nSkills\nGo, Java, PostgreSQL, Redis\n";
        assert_eq!(
            resume_lines(resume),
            [
                "Built the order service in Java handling 40k requests a second",
                "Cut p99 latency by 60% with a read-through cache",
                "Go, Java, PostgreSQL, Redis",
            ]
        );
    }
}
