//! Where the server listens, where the rules and the data are, how it sends email and when it
//! is under maintenance: from the command line, the environment (`INTAKE_*`), a TOML file
//! (`--config FILE` or `INTAKE_CONFIG`; see `intake.example.toml`) and the defaults, in that
//! order of precedence. A bad file stops the start-up with its name, line and key.

use clap::parser::ValueSource;
use clap::{ArgMatches, CommandFactory, FromArgMatches, Parser};
use serde::Deserialize;
use std::ffi::OsString;
use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Parser)]
#[command(
    name = "intake-server",
    version,
    about = "Serve Intake's portal and API over the programs and rules."
)]
pub struct Config {
    /// A TOML configuration file (see intake.example.toml). Flags and environment variables
    /// override what it says; relative paths in it are relative to the file's folder.
    #[arg(long, env = "INTAKE_CONFIG")]
    pub config: Option<PathBuf>,
    /// Address to listen on.
    #[arg(long, env = "INTAKE_ADDRESS", default_value = "127.0.0.1:8080")]
    pub address: SocketAddr,
    /// Folder of program manifests, forms, code tables and fee schedules.
    #[arg(long, env = "INTAKE_PROGRAMS", default_value = "programs")]
    pub programs: PathBuf,
    /// Folder of rule scripts.
    #[arg(long, env = "INTAKE_RULES", default_value = "rules")]
    pub rules: PathBuf,
    /// Do not reload the rules when their files change.
    #[arg(long, env = "INTAKE_NO_WATCH")]
    pub no_watch: bool,
    /// Folder of the portal's store (sled); created when missing.
    #[arg(long, env = "INTAKE_DATA", default_value = "data")]
    pub data: PathBuf,
    /// Mark the session cookie `Secure` (set it when the portal is served over HTTPS).
    #[arg(long, env = "INTAKE_SECURE_COOKIES")]
    pub secure_cookies: bool,
    /// The address people reach the portal at, for links in emails
    /// (default: `http://` and the listening address).
    #[arg(long, env = "INTAKE_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// Serve the development pages (`/dev/outbox`: every email, reset links included;
    /// `/dev/problems`). Never on a public server.
    #[arg(long, env = "INTAKE_DEV_PAGES")]
    pub dev_pages: bool,
    /// Seed a demo representative with clients and applications (once: a restart adds nothing
    /// twice) and print its sign-in.
    #[arg(long, env = "INTAKE_DEMO")]
    pub demo: bool,
    /// SMTP server that sends the outbox's emails (none: they wait in the outbox).
    #[arg(long, env = "INTAKE_SMTP_HOST")]
    pub smtp_host: Option<String>,
    /// SMTP port (default: 587 with starttls, 465 with tls, 25 with none).
    #[arg(long, env = "INTAKE_SMTP_PORT")]
    pub smtp_port: Option<u16>,
    #[arg(long, env = "INTAKE_SMTP_USERNAME")]
    pub smtp_username: Option<String>,
    #[arg(long, env = "INTAKE_SMTP_PASSWORD", hide_env_values = true)]
    pub smtp_password: Option<String>,
    /// The sender of the emails, e.g. `Intake <no-reply@example.org>`.
    #[arg(long, env = "INTAKE_SMTP_FROM")]
    pub smtp_from: Option<String>,
    /// How the SMTP connection is secured.
    #[arg(long, env = "INTAKE_SMTP_TLS", value_enum, default_value = "starttls")]
    pub smtp_tls: SmtpTls,
    /// A maintenance window `FROM/TO` in RFC 3339 UTC (`2026-12-01T02:00:00Z/2026-12-01T04:00:00Z`);
    /// repeat the flag, or separate windows with commas in `INTAKE_MAINTENANCE`.
    #[arg(long = "maintenance", env = "INTAKE_MAINTENANCE", value_delimiter = ',', value_parser = Window::parse_flag)]
    pub maintenance: Vec<Window>,
    /// Now, in Unix seconds; `None` is the system clock. Tests set a clock of their own.
    #[arg(skip)]
    pub clock: Option<fn() -> u64>,
}

/// How the SMTP connection is secured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum SmtpTls {
    /// Plain connection upgraded with STARTTLS (port 587).
    Starttls,
    /// TLS from the first byte (port 465).
    Tls,
    /// No encryption (a relay on the same machine only).
    None,
}

/// Where and how to send emails (when a host is configured).
#[derive(Debug, Clone)]
pub struct Smtp {
    pub host: String,
    pub port: u16,
    pub credentials: Option<(String, String)>,
    pub from: String,
    pub tls: SmtpTls,
}

/// A maintenance window, in Unix seconds (UTC), with its optional explanation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Window {
    pub from: u64,
    pub to: u64,
    pub message_en: Option<String>,
    pub message_fr: Option<String>,
}

impl Window {
    fn parse_flag(text: &str) -> Result<Window, String> {
        let (from, to) = text.split_once('/').ok_or_else(|| {
            format!("`{text}` is not FROM/TO (e.g. 2026-12-01T02:00:00Z/2026-12-01T04:00:00Z)")
        })?;
        Window::new(from, to, None, None)
    }

    fn new(
        from: &str,
        to: &str,
        message_en: Option<String>,
        message_fr: Option<String>,
    ) -> Result<Window, String> {
        let from = parse_rfc3339(from)?;
        let to = parse_rfc3339(to)?;
        if to <= from {
            return Err("the window ends before it starts: `to` must be after `from`".into());
        }
        Ok(Window {
            from,
            to,
            message_en,
            message_fr,
        })
    }
}

/// A configuration that cannot be used, with where the problem is.
#[derive(Debug)]
pub enum ConfigError {
    /// The command line (or `--help`, `--version`): clap's own answer.
    Arguments(clap::Error),
    /// The file, with its name, line and key.
    File(String),
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigError::Arguments(e) => write!(f, "{e}"),
            ConfigError::File(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for ConfigError {}

/// The configuration file, as written (every key optional).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    address: Option<SocketAddr>,
    programs: Option<PathBuf>,
    rules: Option<PathBuf>,
    no_watch: Option<bool>,
    data: Option<PathBuf>,
    secure_cookies: Option<bool>,
    public_url: Option<String>,
    dev_pages: Option<bool>,
    demo: Option<bool>,
    smtp: Option<FileSmtp>,
    #[serde(default)]
    maintenance: Vec<FileWindow>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileSmtp {
    host: String,
    port: Option<u16>,
    username: Option<String>,
    password: Option<String>,
    from: Option<String>,
    tls: Option<SmtpTls>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileWindow {
    from: String,
    to: String,
    message_en: Option<String>,
    message_fr: Option<String>,
}

impl Config {
    /// The configuration of this process: its arguments, the environment and the file. On a
    /// bad argument or file, prints what is wrong and exits (as clap does).
    ///
    /// (`Config::parse_from`, clap's, stays for tests: flags, environment and defaults, the
    /// file left out.)
    pub fn load() -> Config {
        Config::load_from(std::env::args_os())
    }

    /// Like [`Config::load`], from the given arguments (the first is the program's name).
    pub fn load_from<I, T>(args: I) -> Config
    where
        I: IntoIterator<Item = T>,
        T: Into<OsString> + Clone,
    {
        match Config::try_load_from(args) {
            Ok(c) => c,
            Err(ConfigError::Arguments(e)) => e.exit(),
            Err(e) => {
                eprintln!("{e}");
                std::process::exit(2);
            }
        }
    }

    /// The configuration from these arguments, the environment and the file they name.
    pub fn try_load_from<I, T>(args: I) -> Result<Config, ConfigError>
    where
        I: IntoIterator<Item = T>,
        T: Into<OsString> + Clone,
    {
        let matches = Config::command()
            .try_get_matches_from(args)
            .map_err(ConfigError::Arguments)?;
        let mut config = Config::from_arg_matches(&matches).map_err(ConfigError::Arguments)?;
        if let Some(path) = config.config.clone() {
            let text = std::fs::read_to_string(&path).map_err(|e| {
                ConfigError::File(format!(
                    "cannot read the configuration file {}: {e}. Check the path given to \
                     --config (or INTAKE_CONFIG).",
                    path.display()
                ))
            })?;
            let file: File = toml::from_str(&text).map_err(|e| file_error(&path, &text, &e))?;
            config.merge(&matches, file, &path, &text)?;
        }
        Ok(config)
    }

    /// Takes the file's value for every setting neither a flag nor the environment gave.
    fn merge(
        &mut self,
        matches: &ArgMatches,
        file: File,
        path: &Path,
        text: &str,
    ) -> Result<(), ConfigError> {
        let unset = |id: &str| {
            !matches!(
                matches.value_source(id),
                Some(ValueSource::CommandLine | ValueSource::EnvVariable)
            )
        };
        let folder = path.parent().unwrap_or(Path::new("."));
        let relative = |p: PathBuf| if p.is_relative() { folder.join(p) } else { p };
        macro_rules! take {
            ($field:ident) => {
                if let Some(v) = file.$field {
                    if unset(stringify!($field)) {
                        self.$field = v;
                    }
                }
            };
            ($field:ident, path) => {
                if let Some(v) = file.$field {
                    if unset(stringify!($field)) {
                        self.$field = relative(v);
                    }
                }
            };
        }
        take!(address);
        take!(programs, path);
        take!(rules, path);
        take!(data, path);
        take!(no_watch);
        take!(secure_cookies);
        take!(dev_pages);
        take!(demo);
        if file.public_url.is_some() && unset("public_url") {
            self.public_url = file.public_url;
        }
        if let Some(smtp) = file.smtp {
            if unset("smtp_host") {
                self.smtp_host = Some(smtp.host);
            }
            if unset("smtp_port") && smtp.port.is_some() {
                self.smtp_port = smtp.port;
            }
            if unset("smtp_username") && smtp.username.is_some() {
                self.smtp_username = smtp.username;
            }
            if unset("smtp_password") && smtp.password.is_some() {
                self.smtp_password = smtp.password;
            }
            if unset("smtp_from") && smtp.from.is_some() {
                self.smtp_from = smtp.from;
            }
            if let (true, Some(tls)) = (unset("smtp_tls"), smtp.tls) {
                self.smtp_tls = tls;
            }
        }
        if unset("maintenance") && !file.maintenance.is_empty() {
            let mut windows = Vec::new();
            for (i, w) in file.maintenance.into_iter().enumerate() {
                let window =
                    Window::new(&w.from, &w.to, w.message_en, w.message_fr).map_err(|e| {
                        let line = line_of(text, &w.from);
                        ConfigError::File(format!(
                            "{}:{line}: maintenance window {} (key `maintenance[{i}]`): {e}. \
                             Write the dates as RFC 3339 UTC, e.g. from = \
                             \"2026-12-01T02:00:00Z\".",
                            path.display(),
                            i + 1
                        ))
                    })?;
                windows.push(window);
            }
            self.maintenance = windows;
        }
        Ok(())
    }

    /// The base of links in emails, without a trailing slash.
    pub fn public_url(&self) -> String {
        match &self.public_url {
            Some(u) => u.trim_end_matches('/').to_string(),
            None => format!("http://{}", self.address),
        }
    }

    /// Where to send emails, when an SMTP host is configured.
    pub fn smtp(&self) -> Option<Smtp> {
        let host = self.smtp_host.clone().filter(|h| !h.trim().is_empty())?;
        let port = self.smtp_port.unwrap_or(match self.smtp_tls {
            SmtpTls::Starttls => 587,
            SmtpTls::Tls => 465,
            SmtpTls::None => 25,
        });
        let credentials = match (&self.smtp_username, &self.smtp_password) {
            (Some(u), Some(p)) if !u.is_empty() => Some((u.clone(), p.clone())),
            _ => None,
        };
        let from = self
            .smtp_from
            .clone()
            .unwrap_or_else(|| format!("Intake <no-reply@{host}>"));
        Some(Smtp {
            host,
            port,
            credentials,
            from,
            tls: self.smtp_tls,
        })
    }

    /// Now, in Unix seconds (the configured clock, or the system's).
    pub fn now(&self) -> u64 {
        match self.clock {
            Some(clock) => clock(),
            None => crate::store::now(),
        }
    }
}

/// A TOML error as `file:line: key `k`: message`, with what to do.
fn file_error(path: &Path, text: &str, e: &toml::de::Error) -> ConfigError {
    let (line, key) = match e.span() {
        Some(span) => {
            let line = text[..span.start.min(text.len())].matches('\n').count() + 1;
            let key = text
                .lines()
                .nth(line - 1)
                .and_then(|l| l.split_once('='))
                .map(|(k, _)| k.trim().to_string());
            (line, key)
        }
        None => (0, None),
    };
    let key = key.map(|k| format!(" (key `{k}`)")).unwrap_or_default();
    ConfigError::File(format!(
        "{}:{line}{key}: {}. Fix this line (intake.example.toml documents every key), then \
         start again.",
        path.display(),
        e.message().trim_end_matches('.')
    ))
}

/// The line (from 1) where `needle` first appears in `text` (0 when it does not).
fn line_of(text: &str, needle: &str) -> usize {
    text.find(needle)
        .map(|at| text[..at].matches('\n').count() + 1)
        .unwrap_or(0)
}

/// `2026-12-01T02:00:00Z` (or with an offset, `+01:00`; fractions of a second ignored) as Unix
/// seconds.
pub fn parse_rfc3339(text: &str) -> Result<u64, String> {
    let bad =
        || format!("`{text}` is not an RFC 3339 date and time (write it as 2026-12-01T02:00:00Z)");
    let t = text.trim();
    if t.len() < 20 || !t.is_char_boundary(19) {
        return Err(bad());
    }
    let (main, zone) = t.split_at(19);
    let b = main.as_bytes();
    if b[4] != b'-'
        || b[7] != b'-'
        || !matches!(b[10], b'T' | b't' | b' ')
        || b[13] != b':'
        || b[16] != b':'
    {
        return Err(bad());
    }
    let num = |r: std::ops::Range<usize>| main[r].parse::<i64>().map_err(|_| bad());
    let (y, mo, d, h, mi, s) = (
        num(0..4)?,
        num(5..7)?,
        num(8..10)?,
        num(11..13)?,
        num(14..16)?,
        num(17..19)?,
    );
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || s > 60 {
        return Err(bad());
    }
    let zone = match zone.strip_prefix('.') {
        Some(rest) => rest.trim_start_matches(|c: char| c.is_ascii_digit()),
        None => zone,
    };
    let offset = match zone {
        "Z" | "z" => 0,
        z if z.len() == 6 && (z.starts_with('+') || z.starts_with('-')) && &z[3..4] == ":" => {
            let hh: i64 = z[1..3].parse().map_err(|_| bad())?;
            let mm: i64 = z[4..6].parse().map_err(|_| bad())?;
            let sign = if z.starts_with('-') { -1 } else { 1 };
            sign * (hh * 3600 + mm * 60)
        }
        _ => return Err(bad()),
    };
    let secs = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s - offset;
    u64::try_from(secs).map_err(|_| bad())
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Unix seconds as `2026-12-01 02:00 UTC`.
pub fn format_utc(secs: u64) -> String {
    let days = (secs / 86400) as i64;
    let rem = secs % 86400;
    // The inverse of `days_from_civil`.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02} UTC",
        rem / 3600,
        (rem % 3600) / 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_dates() {
        assert_eq!(parse_rfc3339("1970-01-01T00:00:00Z"), Ok(0));
        assert_eq!(parse_rfc3339("2026-12-01T02:00:00Z"), Ok(1_796_090_400));
        assert_eq!(
            parse_rfc3339("2026-12-01T03:00:00.5+01:00"),
            Ok(1_796_090_400)
        );
        assert!(parse_rfc3339("2026-12-01").is_err());
        assert!(parse_rfc3339("2026-13-01T00:00:00Z").is_err());
        assert_eq!(format_utc(1_796_090_400), "2026-12-01 02:00 UTC");
    }
}
