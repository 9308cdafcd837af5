//! The policy site: load `content/`, generate every page, check it, and write what changed.
//! `build` streams the pages to disk as they are made ([`run_into`] → [`output::Stager`]);
//! `lint` takes them in memory ([`run`]); `serve` keeps them, and what an edit of one page needs
//! ([`preview::Preview`]).

pub mod assets;
pub mod content;
pub mod diagnostics;
pub mod generate;
pub mod markdown;
pub mod output;
pub mod preview;
pub mod serve;
pub mod tables;
pub mod templates;
pub mod xlsx_template;
pub mod years;

use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};

use diagnostics::Finding;
use generate::{Base, OutFile};

/// Escapes text for HTML or XML content and attribute values, quoted either way (`&`, `<`, `>`,
/// `"`, `'`).
pub fn escape(s: &str) -> String {
    replace_ascii(s, |b| match b {
        b'&' => Some("&amp;"),
        b'<' => Some("&lt;"),
        b'>' => Some("&gt;"),
        b'"' => Some("&quot;"),
        b'\'' => Some("&#39;"),
        _ => None,
    })
}

/// `s` with every byte `entity` names replaced by what it gives, in one pass that copies the runs
/// between them whole (pages have dozens of values to escape, most with nothing in them). The
/// bytes named must be ASCII: a byte search then finds them, and only them, in UTF-8.
pub fn replace_ascii(s: &str, entity: impl Fn(u8) -> Option<&'static str>) -> String {
    let mut out = String::with_capacity(s.len() + s.len() / 8);
    let mut rest = s;
    while let Some((at, with)) = rest.bytes().enumerate().find_map(|(i, b)| entity(b).map(|e| (i, e))) {
        out.push_str(&rest[..at]);
        out.push_str(with);
        rest = &rest[at + 1..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_both_quotes() {
        assert_eq!(escape(r#"<a href="x" title='y'>&"#), "&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;");
    }
}

/// What one build produced.
#[derive(Debug)]
pub struct Outcome {
    /// Sorted by path.
    pub files: Vec<OutFile>,
    pub findings: Vec<Finding>,
}

impl Outcome {
    /// Every HTML page written (content pages, home, self-check, 404).
    pub fn html_pages(&self) -> usize {
        self.files.iter().filter(|f| f.path.ends_with(".html")).count()
    }

    pub fn has_errors(&self) -> bool {
        self.findings.iter().any(Finding::is_error)
    }
}

/// What a build made, counted as the files went by.
#[derive(Debug, Default, Clone, Copy)]
pub struct Made {
    pub files: usize,
    /// Content pages, home, self-check, archive, comparisons, 404.
    pub html_pages: usize,
}

/// Loads and generates the site from `content_dir`, every file into memory (lint, serve, tests).
/// `base_url` overrides the settings file.
pub fn run(content_dir: &Path, base_url: Option<&str>) -> Outcome {
    let files = std::sync::Mutex::new(Vec::new());
    let (_, findings) = run_into(content_dir, base_url, &|f| {
        files.lock().unwrap_or_else(std::sync::PoisonError::into_inner).push(f);
    });
    let mut files = files.into_inner().unwrap_or_else(std::sync::PoisonError::into_inner);
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Outcome { files, findings }
}

/// Loads and generates the site from `content_dir`, each file handed to `sink` as soon as it is
/// made (`jxjy build` stages it on disk: the site is never held whole). The findings are sorted.
pub fn run_into(content_dir: &Path, base_url: Option<&str>, sink: generate::Sink<'_>) -> (Made, Vec<Finding>) {
    let mut findings = Vec::new();
    let (files, html_pages) = (AtomicUsize::new(0), AtomicUsize::new(0));
    let built = build(content_dir, base_url, &mut findings, &|f: OutFile| {
        files.fetch_add(1, Ordering::Relaxed);
        if f.path.ends_with(".html") {
            html_pages.fetch_add(1, Ordering::Relaxed);
        }
        sink(f);
    });
    if built.is_none() {
        // As loading reported them.
        return (Made::default(), findings);
    }
    sort_findings(&mut findings);
    (Made { files: files.into_inner(), html_pages: html_pages.into_inner() }, findings)
}

/// What a build read and what the generator kept of it, for making a page again.
#[derive(Debug)]
pub struct Built {
    pub content: content::Content,
    pub base: Base,
    pub kept: Option<generate::Kept>,
    /// How many of the findings (in the order found) came before the generator's: those of
    /// loading the content and the note about the self-check module.
    pub loading_findings: usize,
}

/// Loads the content and generates the site into `sink`, appending the findings unsorted.
/// `None` when the content could not be loaded.
pub fn build(
    content_dir: &Path,
    base_url: Option<&str>,
    findings: &mut Vec<Finding>,
    sink: generate::Sink<'_>,
) -> Option<Built> {
    let content = content::load(content_dir, findings)?;
    let base = Base::parse(base_url.unwrap_or(&content.settings.base_url));
    if !assets::checker_available() {
        findings.push(Finding::warning("jxjy", 0, assets::HOW_TO_BUILD_CHECKER.to_owned()));
    }
    let loading_findings = findings.len();
    let kept = generate::generate_kept(&content, &base, findings, sink);
    Some(Built { content, base, kept, loading_findings })
}

/// Sorts findings as every command shows them: errors first, then by file and line, each group
/// in the order found.
pub fn sort_findings(findings: &mut [Finding]) {
    findings.sort_by(|a, b| (a.severity, &a.file, a.line).cmp(&(b.severity, &b.file, b.line)));
}
