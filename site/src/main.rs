//! `jxjy`: build and serve the continuing-education policy site, lint its content, and check
//! study-hour records against the year's policy.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

use jxjy_site::{check, diff, site};

// mimalloc (its v2 line: v3 holds freed memory a second before returning it, ten more MiB at peak):
// a build of 10,000 pages allocates and frees for every page on every thread, and spent a fifth of
// its user CPU in glibc's malloc; with mimalloc it takes ≈23% less user CPU.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// jxjy — 专业技术人员继续教育：政策发布与学时自查
#[derive(Debug, Parser)]
#[command(name = "jxjy", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Build the site into a folder any static server can host (only changed files are written; on error nothing changes).
    Build(BuildArgs),
    /// Build, serve on localhost, rebuild and reload the browser when content changes.
    Serve(ServeArgs),
    /// Check the content: links and anchors, quota totals, repeated rows, policy dates, front matter.
    Lint(LintArgs),
    /// Check study-hour records (CSV, TSV, XLSX or JSON) against the year's policy.
    Check(check::CheckArgs),
    /// What changed between two years' policies (`jxjy diff 2020 2021`, or two policy.toml files):
    /// one line per change, in Chinese.
    Diff(diff::DiffArgs),
}

#[derive(Debug, Args)]
struct SiteArgs {
    /// The content folder (site.toml, <year>/policy.toml, pages).
    #[arg(long, default_value = "content")]
    content: PathBuf,
    /// Where the site lives: a path (/jxjy/) or a full URL (https://host/jxjy/). Default: site.toml.
    #[arg(long)]
    base_url: Option<String>,
}

#[derive(Debug, Args)]
struct BuildArgs {
    #[command(flatten)]
    site: SiteArgs,
    /// The output folder: it ends up holding exactly the built files (files it did not make are removed).
    #[arg(long, default_value = "public")]
    out: PathBuf,
}

#[derive(Debug, Args)]
struct ServeArgs {
    #[command(flatten)]
    site: SiteArgs,
    /// Where the served build is written.
    #[arg(long, default_value = "target/jxjy-serve")]
    out: PathBuf,
    /// The first port to try (the next 19 are tried if it is taken).
    #[arg(long, default_value_t = 8000)]
    port: u16,
    /// The address to serve on. Only requests naming it (or, for 127.0.0.1, localhost) in Host
    /// are answered; another address shows the site to that network.
    #[arg(long, default_value = "127.0.0.1")]
    bind: std::net::IpAddr,
}

#[derive(Debug, Args)]
struct LintArgs {
    #[command(flatten)]
    site: SiteArgs,
}

fn report(findings: &[site::diagnostics::Finding]) -> (usize, usize) {
    // Written at once: stderr is unbuffered, and `eprintln!` per finding made a write call per
    // piece of each line (80,000 for a build of 10,000 pages with a warning each).
    let mut text = String::new();
    for f in findings {
        let _ = writeln!(text, "{f}");
    }
    eprint!("{text}");
    let errors = findings.iter().filter(|f| f.is_error()).count();
    (errors, findings.len() - errors)
}

fn build(args: &BuildArgs) -> ExitCode {
    let started = std::time::Instant::now();
    if let Err(e) = site::output::refuse_to_replace_content(&args.out, &args.site.content) {
        eprintln!("jxjy build: {e:#}");
        return ExitCode::from(1);
    }
    // Each file is compared with the output and, when it changed, staged beside it as it is made;
    // nothing in the output changes until the whole build has been checked.
    let stager = match site::output::Stager::new(&args.out) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("jxjy build: {e:#}");
            return ExitCode::from(1);
        }
    };
    let (made, findings) = site::run_into(&args.site.content, args.site.base_url.as_deref(), &|f| stager.put(&f));
    let (errors, warnings) = report(&findings);
    if errors > 0 {
        stager.abort();
        eprintln!("jxjy build: {errors} 个错误，{warnings} 个警告；未写入任何文件，{} 保持原样", args.out.display());
        return ExitCode::from(1);
    }
    match stager.commit() {
        Ok(written) => {
            eprintln!(
                "jxjy build: {} 个页面、{} 个文件 → {}（写入 {}，未变 {}，删除 {}；{warnings} 个警告，用时 {} ms）",
                made.html_pages,
                made.files,
                args.out.display(),
                written.written,
                written.unchanged,
                written.removed,
                started.elapsed().as_millis()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("jxjy build: {e:#}");
            ExitCode::from(1)
        }
    }
}

fn lint(args: &LintArgs) -> ExitCode {
    let outcome = site::run(&args.site.content, args.site.base_url.as_deref());
    let (errors, warnings) = report(&outcome.findings);
    eprintln!("jxjy lint: {errors} 个错误，{warnings} 个警告");
    if errors > 0 { ExitCode::from(1) } else { ExitCode::SUCCESS }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Build(args) => build(&args),
        Command::Lint(args) => lint(&args),
        Command::Serve(args) => {
            let mut opts =
                site::serve::ServeOptions::new(args.site.content, args.out, args.port, args.site.base_url.as_deref());
            opts.bind = args.bind;
            match site::serve::serve(opts) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("jxjy serve: {e:#}");
                    ExitCode::from(1)
                }
            }
        }
        Command::Check(args) => check::run(&args),
        Command::Diff(args) => diff::run(&args),
    }
}
