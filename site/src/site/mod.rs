//! The policy site: load `content/`, generate every page in memory, check it, and write it
//! atomically. `build`, `lint` and `serve` are thin commands over [`run`].

pub mod assets;
pub mod content;
pub mod diagnostics;
pub mod generate;
pub mod markdown;
pub mod output;
pub mod serve;
pub mod tables;
pub mod templates;
pub mod xlsx_template;

use std::path::Path;

use diagnostics::Finding;
use generate::{Base, OutFile};

/// Escapes text for HTML or XML content and attribute values (`&`, `<`, `>`, `"`).
pub fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// What one build produced.
#[derive(Debug)]
pub struct Outcome {
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

/// Loads and generates the site from `content_dir`. `base_url` overrides the settings file.
pub fn run(content_dir: &Path, base_url: Option<&str>) -> Outcome {
    let mut findings = Vec::new();
    let Some(content) = content::load(content_dir, &mut findings) else {
        return Outcome { files: Vec::new(), findings };
    };
    let base = Base::parse(base_url.unwrap_or(&content.settings.base_url));
    if !assets::checker_available() {
        findings.push(Finding::warning("jxjy", 0, assets::HOW_TO_BUILD_CHECKER.to_owned()));
    }
    let files = generate::generate(&content, &base, &mut findings);
    findings.sort_by(|a, b| (a.severity, &a.file, a.line).cmp(&(b.severity, &b.file, b.line)));
    Outcome { files, findings }
}
