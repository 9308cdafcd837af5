//! `jxjy`: check study-hour records against a continuing-education policy (and, in later
//! slices, build and serve the policy site).

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod check;
mod policy_source;

/// jxjy — 专业技术人员继续教育：政策发布与学时自查
#[derive(Debug, Parser)]
#[command(name = "jxjy", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Check study-hour records (CSV, TSV, XLSX or JSON) against the year's policy.
    Check(check::CheckArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Check(args) => check::run(&args),
    }
}
