//! What an uploaded file must be before it is stored, apart from HTTP: at most
//! [`MAX_FILE_BYTES`], a PDF, JPEG or PNG judged by its first bytes (never by its name or the
//! type the browser claims), and a display name cleaned of paths and control characters. Also
//! the `Content-Disposition` of a download, which must never let a stored name inject a header.

use crate::store::NewDocument;
use engine::Lang;

/// An upload's file part: the name the browser gave (untrusted) and the bytes.
pub struct Upload {
    pub name: String,
    pub bytes: Vec<u8>,
}

/// The largest file accepted, per checklist item (10 MiB).
pub const MAX_FILE_BYTES: usize = 10 * 1024 * 1024;

/// The largest upload request: one file at the limit plus the form's other fields and the
/// multipart framing. The upload routes' body limit and the CSRF check's buffer use it, so a
/// file just over the limit still reaches the check that names it.
pub const MAX_UPLOAD_BODY: usize = MAX_FILE_BYTES + 64 * 1024;

/// The largest upload body read to its end. A body past [`MAX_UPLOAD_BODY`] but under this is
/// still read (and counted, not kept), so that the browser gets the message naming the limit
/// rather than a connection cut in the middle of its upload; past this, the connection is cut.
pub const MAX_DRAINED_BODY: usize = 4 * MAX_FILE_BYTES;

/// The longest display name kept, in characters.
const MAX_NAME_CHARS: usize = 120;

/// The content types accepted, from their magic bytes.
pub fn sniff(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"%PDF-") {
        Some("application/pdf")
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if bytes.starts_with(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]) {
        Some("image/png")
    } else {
        None
    }
}

/// The name to show for an uploaded file: the last path component (browsers on some systems
/// send full paths), without control or bidirectional-override characters, trimmed, at most
/// [`MAX_NAME_CHARS`] characters; `document` when nothing is left.
pub fn display_name(raw: &str) -> String {
    // Browsers send `"`, CR and LF of a file name as %22, %0D and %0A (HTML's multipart
    // encoding); the rest of the name comes as it is.
    let raw = raw
        .replace("%22", "\"")
        .replace("%0D", "\r")
        .replace("%0A", "\n");
    let last = raw.rsplit(['/', '\\']).next().unwrap_or("");
    let cleaned: String = last
        .chars()
        .filter(|c| {
            !c.is_control() && !matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
        })
        .collect();
    let cleaned = cleaned.trim().trim_start_matches('.').trim();
    let short: String = cleaned.chars().take(MAX_NAME_CHARS).collect();
    if short.is_empty() {
        "document".into()
    } else {
        short
    }
}

fn mib(bytes: usize) -> usize {
    bytes / (1024 * 1024)
}

/// The message for a file over the limit (`name`: the file's, when known).
pub fn too_large(name: Option<&str>, lang: Lang) -> String {
    let limit = mib(MAX_FILE_BYTES);
    match (lang, name) {
        (Lang::En, Some(name)) => format!(
            "The file “{name}” is larger than {limit} MiB, the limit per file. Upload a smaller \
             file: scan at a lower resolution, or save the PDF in a reduced size."
        ),
        (Lang::En, None) => format!(
            "The file is larger than {limit} MiB, the limit per file. Upload a smaller file: \
             scan at a lower resolution, or save the PDF in a reduced size."
        ),
        (Lang::Fr, Some(name)) => format!(
            "Le fichier « {name} » dépasse {limit} Mio, la limite par fichier. Téléversez un \
             fichier plus petit : numérisez à une résolution plus basse ou enregistrez le PDF \
             en taille réduite."
        ),
        (Lang::Fr, None) => format!(
            "Le fichier dépasse {limit} Mio, la limite par fichier. Téléversez un fichier plus \
             petit : numérisez à une résolution plus basse ou enregistrez le PDF en taille \
             réduite."
        ),
    }
}

/// Checks an uploaded file and makes the document to store, or says what is wrong.
pub fn check(raw_name: &str, bytes: Vec<u8>, lang: Lang) -> Result<NewDocument, String> {
    let name = display_name(raw_name);
    if bytes.len() > MAX_FILE_BYTES {
        return Err(too_large(Some(&name), lang));
    }
    if bytes.is_empty() {
        return Err(match lang {
            Lang::En => format!("The file “{name}” is empty. Choose the file again."),
            Lang::Fr => {
                format!("Le fichier « {name} » est vide. Choisissez de nouveau le fichier.")
            }
        });
    }
    let Some(content_type) = sniff(&bytes) else {
        return Err(match lang {
            Lang::En => format!(
                "The file “{name}” is not a PDF, JPEG or PNG file (its content was checked, \
                 not its name). Save or scan the document as PDF, JPEG or PNG and upload it \
                 again."
            ),
            Lang::Fr => format!(
                "Le fichier « {name} » n’est pas un fichier PDF, JPEG ou PNG (son contenu a été \
                 vérifié, pas son nom). Enregistrez ou numérisez le document en PDF, JPEG ou \
                 PNG et téléversez-le de nouveau."
            ),
        });
    };
    Ok(NewDocument {
        file_name: name,
        content_type: content_type.into(),
        bytes,
    })
}

/// `attachment` with an ASCII fallback name (anything else becomes `_`) and the UTF-8 name
/// percent-encoded (RFC 6266 / 5987), so no stored name can break out of the header.
pub fn content_disposition(name: &str) -> String {
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | ' ' | '(' | ')') {
                c
            } else {
                '_'
            }
        })
        .collect();
    let mut encoded = String::new();
    for b in name.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_') {
            encoded.push(b as char);
        } else {
            encoded.push_str(&format!("%{b:02X}"));
        }
    }
    format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_come_from_the_content() {
        assert_eq!(sniff(b"%PDF-1.7\n"), Some("application/pdf"));
        assert_eq!(sniff(&[0xFF, 0xD8, 0xFF, 0xE0]), Some("image/jpeg"));
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n...."), Some("image/png"));
        assert_eq!(sniff(b"MZ\x90\x00"), None);
        assert!(check("x.pdf", b"<html>".to_vec(), Lang::En).is_err());
    }

    #[test]
    fn names_are_cleaned() {
        assert_eq!(display_name("C:\\Users\\ana\\passport.pdf"), "passport.pdf");
        assert_eq!(display_name("../../etc/passwd"), "passwd");
        assert_eq!(display_name("a\u{0}b\r\nc\u{202E}fdp.exe"), "abcfdp.exe");
        assert_eq!(display_name("..."), "document");
        assert_eq!(display_name("my %22scan%22%0A.pdf"), "my \"scan\".pdf");
        assert_eq!(display_name(&"é".repeat(500)).chars().count(), 120);
    }

    #[test]
    fn the_disposition_cannot_inject() {
        let h = content_disposition("a\"b;\r\nX: y é.pdf");
        assert!(!h.contains('\r') && !h.contains('\n'));
        assert!(
            h.starts_with("attachment; filename=\"a_b___X_ y _.pdf\""),
            "{h}"
        );
        assert!(h.ends_with("%C3%A9.pdf"), "{h}");
    }
}
