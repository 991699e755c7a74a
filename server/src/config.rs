//! Where the server listens, where the rules and the data are, and how it presents itself,
//! from the command line or the environment (`INTAKE_ADDRESS`, `INTAKE_PROGRAMS`,
//! `INTAKE_RULES`, `INTAKE_DATA`, `INTAKE_SECURE_COOKIES`, `INTAKE_PUBLIC_URL`,
//! `INTAKE_DEV_PAGES`).

use clap::Parser;
use std::net::SocketAddr;
use std::path::PathBuf;

#[derive(Debug, Clone, Parser)]
#[command(
    name = "intake-server",
    version,
    about = "Serve Intake's API over the programs and rules."
)]
pub struct Config {
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
    /// Serve the development pages (`/dev/outbox`: every email, reset links included).
    /// Never on a public server.
    #[arg(long, env = "INTAKE_DEV_PAGES")]
    pub dev_pages: bool,
}

impl Config {
    /// The base of links in emails, without a trailing slash.
    pub fn public_url(&self) -> String {
        match &self.public_url {
            Some(u) => u.trim_end_matches('/').to_string(),
            None => format!("http://{}", self.address),
        }
    }
}
