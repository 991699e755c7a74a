//! What a signer agrees to: the consent and declaration texts shown above each e-signature,
//! in English and French, and how typed names are compared.
//!
//! The texts follow the seed pages ("Fill out and sign forms", "How clients sign and submit
//! applications"). They are keyed by the manifest's signature code (`what`); a code not
//! listed here gets the general declaration, so that a new program's signature is never
//! shown without a text. (They could move to the manifests' `messages` once policy staff own
//! them; until then they live here, next to the only code that shows them.)

use engine::Text;

/// The general declaration every e-signature makes.
fn general() -> Text {
    Text::new(
        "I declare that the information I have given in this application is truthful, complete \
         and correct. I understand that misrepresentation is an offence under section 127 of \
         the Immigration and Refugee Protection Act and may result in a finding of \
         inadmissibility to Canada or removal from Canada. By typing my full name below, I sign \
         this declaration electronically; my typed name has the same effect as my handwritten \
         signature.",
        "Je déclare que les renseignements fournis dans cette demande sont véridiques, complets \
         et exacts. Je comprends que les fausses déclarations constituent une infraction aux \
         termes de l’article 127 de la Loi sur l’immigration et la protection des réfugiés et \
         peuvent entraîner une interdiction de territoire au Canada ou le renvoi du Canada. En \
         tapant mon nom complet ci-dessous, je signe cette déclaration électroniquement; mon \
         nom tapé a le même effet que ma signature manuscrite.",
    )
}

/// The text a person agrees to when signing `what`.
pub(crate) fn declaration(what: &str) -> Vec<Text> {
    let consent = Text::new(
        "I have reviewed this application, prepared by my representative, and I consent to its \
         submission. I understand that Immigration, Refugees and Citizenship Canada may verify \
         the information and documents provided, and may share them with other government \
         institutions as the law allows, to decide on this application.",
        "J’ai examiné cette demande, préparée par mon représentant, et je consens à ce qu’elle \
         soit présentée. Je comprends qu’Immigration, Réfugiés et Citoyenneté Canada peut \
         vérifier les renseignements et les documents fournis, et les communiquer à d’autres \
         institutions gouvernementales dans la mesure permise par la loi, pour décider de \
         cette demande.",
    );
    match what {
        "consent-declaration" => vec![consent, general()],
        "imm5669-declaration" => vec![
            Text::new(
                "Schedule A – Background/Declaration (IMM 5669): I declare that the \
                 information about my background (personal history, addresses, memberships, \
                 government positions, military and police service, and any criminal charges \
                 or convictions) that I have given is truthful, complete and correct, and that \
                 I have answered every question.",
                "Annexe A – Antécédents/Déclaration (IMM 5669) : je déclare que les \
                 renseignements sur mes antécédents (historique personnel, adresses, \
                 appartenances, postes au gouvernement, service militaire et policier, et toute \
                 accusation ou condamnation criminelle) que j’ai fournis sont véridiques, \
                 complets et exacts, et que j’ai répondu à toutes les questions.",
            ),
            general(),
        ],
        "imm5444-declaration" => vec![
            Text::new(
                "Application for a Permanent Resident Card (IMM 5444): I declare that I am a \
                 permanent resident of Canada, that I have not lost that status, and that the \
                 residence and absence information I have given is complete.",
                "Demande de carte de résident permanent (IMM 5444) : je déclare que je suis \
                 résident permanent du Canada, que je n’ai pas perdu ce statut, et que les \
                 renseignements sur ma résidence et mes absences que j’ai fournis sont \
                 complets.",
            ),
            general(),
        ],
        "imm5524-declaration" => vec![
            Text::new(
                "Application for a Permanent Resident Travel Document: I declare that I am a \
                 permanent resident of Canada outside Canada, and that the information about \
                 my residence and my need to travel that I have given is complete.",
                "Demande de titre de voyage de résident permanent : je déclare que je suis \
                 résident permanent du Canada se trouvant à l’extérieur du Canada, et que les \
                 renseignements sur ma résidence et mon besoin de voyager que j’ai fournis sont \
                 complets.",
            ),
            general(),
        ],
        _ => vec![general()],
    }
}

/// The representative's declaration, made once every client signature is done.
pub(crate) fn representative_declaration() -> Text {
    Text::new(
        "I declare that I prepared this application on behalf of my client, that my client has \
         reviewed and electronically signed it, and that to the best of my knowledge the \
         information in it is truthful, complete and correct.",
        "Je déclare avoir préparé cette demande au nom de mon client, que mon client l’a \
         examinée et signée électroniquement, et qu’à ma connaissance les renseignements \
         qu’elle contient sont véridiques, complets et exacts.",
    )
}

/// The declaration that no paper application was already sent.
pub(crate) fn no_paper_declaration() -> Text {
    Text::new(
        "I declare that no paper application has already been sent for this client under this \
         program.",
        "Je déclare qu’aucune demande sur papier n’a déjà été envoyée pour ce client au titre de \
         ce programme.",
    )
}

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

    #[test]
    fn every_signature_has_a_text_in_both_languages() {
        for what in [
            "consent-declaration",
            "imm5669-declaration",
            "imm5444-declaration",
            "x",
        ] {
            for t in declaration(what) {
                assert!(!t.en.is_empty() && !t.fr.is_empty());
            }
        }
    }
}
