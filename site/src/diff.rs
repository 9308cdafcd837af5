//! `jxjy diff 2020 2021`: what the later year's policy changed against the earlier one's, one
//! line per change (the comparison itself is `jxjy_core::policy_diff`).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::Args;
use jxjy_core::Policy;

#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The earlier year (its content/<year>/policy.toml) or a policy.toml file.
    old: String,
    /// The later year or a policy.toml file.
    new: String,
    /// The content folder the years are read from.
    #[arg(long, default_value = "content")]
    content: PathBuf,
}

/// A year (`2020`: `<content>/2020/policy.toml`) or a path, read and validated.
fn policy(content: &Path, which: &str) -> Result<Policy> {
    let path = if !which.is_empty() && which.len() <= 4 && which.bytes().all(|b| b.is_ascii_digit()) {
        content.join(which).join("policy.toml")
    } else {
        PathBuf::from(which)
    };
    let text = std::fs::read_to_string(&path).with_context(|| format!("无法读取政策文件 {}", path.display()))?;
    Policy::from_toml(&text).with_context(|| format!("政策文件 {} 有误", path.display()))
}

pub fn run(args: &DiffArgs) -> ExitCode {
    let (old, new) = match (policy(&args.content, &args.old), policy(&args.content, &args.new)) {
        (Ok(a), Ok(b)) => (a, b),
        (Err(e), _) | (_, Err(e)) => {
            eprintln!("jxjy diff: {e:#}");
            return ExitCode::from(2);
        }
    };
    let changes = jxjy_core::policy_diff::diff(&old, &new);
    if changes.is_empty() {
        println!("无变化");
    }
    for c in changes {
        println!("{c}");
    }
    ExitCode::SUCCESS
}
