//! Native primitives the shared library builds on: text folding and distance, and calendar
//! arithmetic. Native because text and date work in script costs a few hundred nanoseconds per
//! operation (see BENCHMARKS.md); generic, so nothing program-specific lives here.

use crate::date::Date;
use rhai::{Dynamic, Engine, NativeCallContext, Position};

use super::api::{err, Res};

/// Registers `fold_text`, `edit_distance`, `has_non_latin_letter` and the `date_*` functions.
pub fn register(engine: &mut Engine) {
    // Generic text primitives the shared library (rules/lib/text.rhai) builds on. They are
    // native because text work in script costs a few hundred nanoseconds per operation.
    engine.register_fn("edit_distance", |a: &str, b: &str| {
        edit_distance(a, b) as i64
    });
    engine.register_fn("fold_text", |s: Dynamic| -> String {
        s.into_immutable_string()
            .map(|s| fold_text(&s))
            .unwrap_or_default()
    });
    // Date primitives the shared library (rules/lib/dates.rhai) builds on.
    fn date(s: &Dynamic, pos: Position) -> Res<Date> {
        let text = s.clone().into_immutable_string().unwrap_or_default();
        Date::parse(&text).map_or_else(|| err(format!("not a date (YYYY-MM-DD): {s}"), pos), Ok)
    }
    engine.register_fn(
        "date_years_between",
        |ctx: NativeCallContext, a: Dynamic, b: Dynamic| -> Res<i64> {
            let pos = ctx.call_position();
            Ok(i64::from(date(&a, pos)?.years_until(date(&b, pos)?)))
        },
    );
    engine.register_fn(
        "date_days_between",
        |ctx: NativeCallContext, a: Dynamic, b: Dynamic| -> Res<i64> {
            let pos = ctx.call_position();
            Ok(date(&b, pos)?.days_since_epoch() - date(&a, pos)?.days_since_epoch())
        },
    );
    engine.register_fn(
        "date_add_years",
        |ctx: NativeCallContext, d: Dynamic, n: i64| -> Res<String> {
            Ok(date(&d, ctx.call_position())?
                .add_years(n as i32)
                .to_string())
        },
    );
    engine.register_fn(
        "date_add_days",
        |ctx: NativeCallContext, d: Dynamic, n: i64| -> Res<String> {
            let day = date(&d, ctx.call_position())?;
            Ok(Date::from_days_since_epoch(day.days_since_epoch() + n).to_string())
        },
    );
    engine.register_fn(
        "date_add_months",
        |ctx: NativeCallContext, d: Dynamic, n: i64| -> Res<String> {
            Ok(date(&d, ctx.call_position())?
                .add_months(n as i32)
                .to_string())
        },
    );
    engine.register_fn("has_non_latin_letter", |s: Dynamic| -> bool {
        s.into_immutable_string()
            .map(|s| s.chars().any(|c| c as u32 > 0x024F && c.is_alphabetic()))
            .unwrap_or(false)
    });
}

/// Text as a careful reader compares codes: lower case; every dash (en, em, figure,
/// non-breaking hyphen) as "-"; every run of white space as one space; no quotation marks;
/// no full stop at the end (a code copied from a sentence); trimmed.
pub fn fold_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut space = false;
    for c in s.chars() {
        let c = match c {
            '\u{2010}'..='\u{2015}' | '\u{2212}' => '-',
            '"' | '\u{201c}' | '\u{201d}' | '\u{201e}' | '\u{00ab}' | '\u{00bb}' => continue,
            c if c.is_whitespace() => {
                space = true;
                continue;
            }
            c => c,
        };
        if space && !out.is_empty() {
            out.push(' ');
        }
        space = false;
        out.extend(c.to_lowercase());
    }
    while out.ends_with('.') {
        out.pop();
        while out.ends_with(' ') {
            out.pop();
        }
    }
    out
}

/// Levenshtein distance over characters.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        cur[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fold_text_reads_codes_like_a_careful_reader() {
        for (typed, folded) in [
            ("Ukraine 2022", "ukraine 2022"),
            ("  UKRAINE\t 2022 ", "ukraine 2022"),
            ("“Ukraine 2022.”", "ukraine 2022"),
            (
                "Ukraine 2022 public policy—open work permit",
                "ukraine 2022 public policy-open work permit",
            ),
            ("Ukraine\u{a0}2022 OWP", "ukraine 2022 owp"),
            ("Ukraine 2022 . ", "ukraine 2022"),
            ("", ""),
        ] {
            assert_eq!(fold_text(typed), folded, "{typed:?}");
        }
    }

    #[test]
    fn edit_distance_counts_characters() {
        for (a, b, d) in [
            ("ukraine 2022", "ukraine 2022", 0),
            ("ukraine2022", "ukraine 2022", 1),
            ("ukriane 2022", "ukraine 2022", 2),
            ("", "abc", 3),
            ("ü", "u", 1),
        ] {
            assert_eq!(edit_distance(a, b), d, "{a} / {b}");
        }
    }
}
