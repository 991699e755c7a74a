//! The renderer's own words, in both official languages.

use crate::text::Lang;
use serde::Serialize;

/// Every interface string the templates show. `{item}` is replaced by the item name.
#[derive(Debug, Serialize)]
pub(crate) struct Strings {
    pub required: &'static str,
    pub error_summary: &'static str,
    /// Read by screen readers before an inline error message.
    pub error_prefix: &'static str,
    /// Prefixed to the page `<title>` when there are errors.
    pub title_error: &'static str,
    pub from_profile: &'static str,
    pub yes: &'static str,
    pub no: &'static str,
    pub remove: &'static str,
    pub add_another: &'static str,
    pub save: &'static str,
    pub submit: &'static str,
    pub select_prompt: &'static str,
}

const EN: Strings = Strings {
    required: "(required)",
    error_summary: "There is a problem",
    error_prefix: "Error:",
    title_error: "Error: ",
    from_profile: "From the profile — change it in the profile",
    yes: "Yes",
    no: "No",
    remove: "Remove",
    add_another: "Add another {item}",
    save: "Save draft",
    submit: "Check and continue",
    select_prompt: "Select an option",
};

const FR: Strings = Strings {
    required: "(obligatoire)",
    error_summary: "Il y a un problème",
    error_prefix: "Erreur\u{a0}:",
    title_error: "Erreur\u{a0}: ",
    from_profile: "Provient du profil — modifiez-le dans le profil",
    yes: "Oui",
    no: "Non",
    remove: "Supprimer",
    add_another: "Ajouter un autre élément\u{a0}: {item}",
    save: "Enregistrer le brouillon",
    submit: "Vérifier et continuer",
    select_prompt: "Sélectionnez une option",
};

/// The strings of a language.
pub(crate) fn strings(lang: Lang) -> &'static Strings {
    match lang {
        Lang::En => &EN,
        Lang::Fr => &FR,
    }
}

/// "Add another address": the item name with a lower-case first letter, unless it looks
/// like an acronym ("UCI").
pub(crate) fn add_label(lang: Lang, item: &str) -> String {
    strings(lang)
        .add_another
        .replace("{item}", &lower_first(item))
}

fn lower_first(s: &str) -> String {
    let mut chars = s.chars();
    match (chars.next(), chars.next()) {
        (Some(first), second) if !second.is_some_and(char::is_uppercase) => {
            first.to_lowercase().chain(s.chars().skip(1)).collect()
        }
        _ => s.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn add_labels() {
        for (lang, item, want) in [
            (Lang::En, "Address", "Add another address"),
            (Lang::En, "UCI", "Add another UCI"),
            (Lang::En, "", "Add another "),
            (
                Lang::Fr,
                "Adresse",
                "Ajouter un autre élément\u{a0}: adresse",
            ),
        ] {
            assert_eq!(add_label(lang, item), want);
        }
    }
}
