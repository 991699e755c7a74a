//! Where the server listens and where the rules are, from the command line or the
//! environment (`INTAKE_ADDRESS`, `INTAKE_PROGRAMS`, `INTAKE_RULES`).

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
}
