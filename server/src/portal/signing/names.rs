//! How a typed name is compared with the name it must match when signing: without case,
//! accents, extra spaces or typographic apostrophes, so "Zoë O’Brien" signs as "zoe o'brien".
//! (The texts a signer agrees to are program data: `programs/declarations/`.)

const ACCENTED: &str = "ÀÁÂÃÄÅÇÈÉÊËÌÍÎÏÑÒÓÔÕÖÙÚÛÜÝàáâãäåçèéêëìíîïñòóôõöùúûüýÿĀāĂăĄąĆćĈĉĊċČčĎďĒēĔĕĖėĘęĚěĜĝĞğĠġĢģĤĥĨĩĪīĬĭĮįİĴĵĶķĹĺĻļĽľŃńŅņŇňŌōŎŏŐőŔŕŖŗŘřŚśŜŝŞşŠšŢţŤťŨũŪūŬŭŮůŰűŲųŴŵŶŷŸŹźŻżŽžØøĐđĦħıŁłŦŧ";
const PLAIN: &str = "AAAAAACEEEEIIIINOOOOOUUUUYaaaaaaceeeeiiiinooooouuuuyyAaAaAaCcCcCcCcDdEeEeEeEeEeGgGgGgGgHhIiIiIiIiIJjKkLlLlLlNnNnNnOoOoOoRrRrRrSsSsSsSsTtTtUuUuUuUuUuUuWwYyYZzZzZzOoDdHhiLlTt";

/// A name as compared for a signature: accents of Latin letters and their ligatures taken
/// off, typographic apostrophes as `'`, then `fold_text` (case, spaces, dashes). Without a
/// Unicode normalisation table, letters outside Latin-1 and Latin Extended-A compare as typed.
pub(crate) fn fold_name(name: &str) -> String {
    let mut plain = String::with_capacity(name.len());
    for c in name.chars() {
        match c {
            'Æ' | 'æ' => plain.push_str("ae"),
            'Œ' | 'œ' => plain.push_str("oe"),
            'ß' => plain.push_str("ss"),
            'Þ' | 'þ' => plain.push_str("th"),
            'Ð' | 'ð' => plain.push('d'),
            '\u{2018}' | '\u{2019}' | '`' | '\u{00b4}' => plain.push('\''),
            // A combining accent typed apart from its letter.
            '\u{0300}'..='\u{036f}' => {}
            c => match ACCENTED.chars().position(|a| a == c) {
                Some(i) => plain.push(PLAIN.as_bytes()[i] as char),
                None => plain.push(c),
            },
        }
    }
    engine::rules::primitives::fold_text(&plain)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tables_line_up() {
        assert_eq!(ACCENTED.chars().count(), PLAIN.len());
    }

    #[test]
    fn names_compare_without_case_accents_or_extra_spaces() {
        assert_eq!(
            fold_name("  carolina  ANDREA restrepo velez "),
            fold_name("Carolina Andrea Restrepo Vélez")
        );
        assert_eq!(fold_name("Zoë O’Brien"), fold_name("zoe o'brien"));
        assert_eq!(fold_name("Łukasz Ærø"), "lukasz aero");
        assert_ne!(
            fold_name("Carolina Restrepo"),
            fold_name("Carolina Andrea Restrepo")
        );
    }
}
