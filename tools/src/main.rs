//! `intake`: the command line for policy staff and testers.
//!
//! `check` lints the catalogue, `list` shows the programs, `test` runs rule fixtures,
//! `render` previews a form as HTML, `decide` decides one application with its trace, `docs`
//! writes the programs catalogue and the assumptions list for policy staff.

mod commands;
mod docs;

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "intake",
    version,
    about = "Check, test and try Intake programs (forms + rules)."
)]
struct Cli {
    /// Folder of program manifests, forms and code tables.
    #[arg(
        long,
        global = true,
        default_value = "programs",
        env = "INTAKE_PROGRAMS"
    )]
    programs: PathBuf,
    /// Folder of rule scripts.
    #[arg(long, global = true, default_value = "rules", env = "INTAKE_RULES")]
    rules: PathBuf,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Load every program, form and script and report every problem (exit 1 if any).
    Check,
    /// List the programs.
    List {
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Run rule fixtures (files or folders; default tests/fixtures).
    Test {
        paths: Vec<PathBuf>,
        /// Also write a JUnit XML report to this file.
        #[arg(long, value_name = "FILE")]
        junit: Option<PathBuf>,
        /// Only run fixtures whose name contains this text.
        #[arg(long)]
        filter: Option<String>,
    },
    /// Render a program's form as an HTML page.
    Render {
        program: String,
        form: String,
        /// Language of the page: en or fr.
        #[arg(long, default_value = "en")]
        lang: String,
        /// A JSON or YAML file with the form's values (errors are shown as a user would see them).
        #[arg(long, value_name = "FILE")]
        values: Option<PathBuf>,
    },
    /// Write docs/programs.md and docs/assumptions.md from the programs.
    Docs {
        /// Folder to write into.
        #[arg(long, default_value = "docs")]
        out: PathBuf,
        /// Write nothing; exit 1 if the files are not up to date (for CI).
        #[arg(long)]
        check: bool,
    },
    /// Decide an application (JSON or YAML) and print the decision with its trace as JSON.
    Decide {
        program: String,
        file: PathBuf,
        /// The as-of date (YYYY-MM-DD); default today.
        #[arg(long, value_name = "DATE")]
        on: Option<String>,
        /// Applications already counted under the program's cap.
        #[arg(long, default_value_t = 0)]
        cap_used: u64,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let sources = engine::Sources {
        programs: cli.programs,
        rules: cli.rules,
    };
    let result = match cli.command {
        Command::Check => commands::check(&sources),
        Command::List { json } => commands::list(&sources, json),
        Command::Test {
            paths,
            junit,
            filter,
        } => commands::test(&sources, &paths, junit.as_deref(), filter.as_deref()),
        Command::Render {
            program,
            form,
            lang,
            values,
        } => commands::render(&sources, &program, &form, &lang, values.as_deref()),
        Command::Docs { out, check } => commands::docs(&sources, &out, check),
        Command::Decide {
            program,
            file,
            on,
            cap_used,
        } => commands::decide(&sources, &program, &file, on.as_deref(), cap_used),
    };
    match result {
        Ok(code) => code,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::from(2)
        }
    }
}
