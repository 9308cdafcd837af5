//! The build `jxjy serve` keeps in memory, and how it follows an edit: when only the body of
//! ordinary pages changed, only those pages are made again (their files, their findings, the
//! link checks of their year); any other change — front matter, a page added, removed or
//! renamed, policy.toml, site.toml, templates, a symbolic link, or a change the watcher could
//! not name — builds the whole site again. Either way the files and findings are those a full
//! build of the same content gives (tests/serve.rs compares them).

use std::cell::OnceCell;
use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use axum::body::Bytes;

use super::content::{self, Source};
use super::diagnostics::Finding;
use super::generate::{self, OutFile};

/// The latest build of a content folder: every file (in memory), every finding, and what it
/// takes to make a page again after an edit of its body.
#[derive(Debug)]
pub struct Preview {
    content_dir: PathBuf,
    base_url: Option<String>,
    files: Arc<HashMap<String, Bytes>>,
    /// Sorted as every command shows them; after an edit, put together when first asked for
    /// (10,000 warnings take milliseconds to copy and sort: not before the page reloads).
    findings: OnceCell<Vec<Finding>>,
    /// `None` when the content could not be loaded or the build stopped before the pages.
    kept: Option<Kept>,
}

/// What [`Preview::update`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Update {
    /// The whole site was built again.
    Site,
    /// Only these files were made again (the pages whose body alone changed, in each place they
    /// are written).
    Pages(Vec<String>),
}

#[derive(Debug)]
struct Kept {
    /// The content folder resolved, as the watcher names the files in it.
    real_dir: PathBuf,
    built: super::Built,
    generated: generate::Kept,
    /// What loading found (and the note about the self-check module): an edit of a page's body
    /// cannot change it.
    loading: Vec<Finding>,
}

impl Preview {
    /// Loads `content_dir` and builds the whole site (as [`super::run`]).
    pub fn build(content_dir: &Path, base_url: Option<&str>) -> Preview {
        let mut findings = Vec::new();
        let files = Mutex::new(HashMap::new());
        let built = super::build(content_dir, base_url, &mut findings, &|f: OutFile| {
            files.lock().unwrap_or_else(PoisonError::into_inner).insert(f.path, Bytes::from(f.bytes));
        });
        let loaded = built.is_some();
        let kept = built.and_then(|mut built| {
            let generated = built.kept.take()?;
            let loading = findings[..built.loading_findings].to_vec();
            let real_dir = std::fs::canonicalize(content_dir).ok()?;
            Some(Kept { real_dir, built, generated, loading })
        });
        if loaded {
            // As `run` does: sorted once the content loaded, else as loading reported them.
            super::sort_findings(&mut findings);
        }
        Preview {
            content_dir: content_dir.to_path_buf(),
            base_url: base_url.map(str::to_owned),
            files: Arc::new(files.into_inner().unwrap_or_else(PoisonError::into_inner)),
            findings: OnceCell::from(findings),
            kept,
        }
    }

    /// Every file of the build, by path.
    pub fn files(&self) -> &Arc<HashMap<String, Bytes>> {
        &self.files
    }

    pub fn findings(&self) -> &[Finding] {
        self.findings.get_or_init(|| {
            let mut findings: Vec<Finding> = self.unsorted_findings().cloned().collect();
            super::sort_findings(&mut findings);
            findings
        })
    }

    /// The findings in the order found.
    fn unsorted_findings(&self) -> Box<dyn Iterator<Item = &Finding> + '_> {
        match (self.findings.get(), &self.kept) {
            (Some(sorted), _) => Box::new(sorted.iter()),
            (None, Some(kept)) => Box::new(kept.loading.iter().chain(kept.generated.findings())),
            (None, None) => Box::new(std::iter::empty()),
        }
    }

    pub fn has_errors(&self) -> bool {
        self.unsorted_findings().any(Finding::is_error)
    }

    /// HTML pages in the build.
    pub fn html_pages(&self) -> usize {
        self.files.keys().filter(|p| p.ends_with(".html")).count()
    }

    /// Follows a change to the files at `changed` (as the watcher names them, under the resolved
    /// content folder; `None`: not known which): the pages whose body alone changed are made
    /// again, if that is all that changed; otherwise the whole site is built again.
    pub fn update(&mut self, changed: Option<&[PathBuf]>) -> Update {
        if let Some(paths) = changed
            && let Some(made) = self.remake_pages(paths)
        {
            return Update::Pages(made);
        }
        *self = Preview::build(&self.content_dir, self.base_url.as_deref());
        Update::Site
    }

    /// Makes again the pages whose body alone changed; `None`, with nothing changed, when any of
    /// `paths` may reach further than a page's own body.
    fn remake_pages(&mut self, paths: &[PathBuf]) -> Option<Vec<String>> {
        let kept = self.kept.as_mut()?;
        let edits = kept.body_edits(&self.content_dir, paths)?;
        if edits.is_empty() {
            return Some(Vec::new());
        }
        let made = Mutex::new(Vec::new());
        let sink = |f: OutFile| made.lock().unwrap_or_else(PoisonError::into_inner).push(f);
        let files = Arc::make_mut(&mut self.files);
        let mut paths = Vec::new();
        for (yi, i, source) in edits {
            let content = &mut kept.built.content;
            for path in generate::page_paths(content, yi, &content.years[yi].pages[i]) {
                files.remove(&path);
                paths.push(path);
            }
            content.years[yi].pages[i] = source;
            kept.generated.remake_page(content, &kept.built.base, yi, i, &sink);
        }
        for f in made.into_inner().unwrap_or_else(PoisonError::into_inner) {
            files.insert(f.path, Bytes::from(f.bytes));
        }
        self.findings = OnceCell::new();
        Some(paths)
    }
}

impl Kept {
    /// The pages (year index, page index, new source) whose body alone changed among `paths`,
    /// if nothing else among them can change the build; `None` when something else may have.
    /// A path the build never reads (an editor's temporary file beside a page) is passed over.
    fn body_edits(&self, content_dir: &Path, paths: &[PathBuf]) -> Option<Vec<(usize, usize, Source)>> {
        let content = &self.built.content;
        if content.years.iter().any(|y| y.has_links) {
            return None;
        }
        let mut edits: Vec<(usize, usize, Source)> = Vec::new();
        for path in paths {
            let parts = path
                .strip_prefix(&self.real_dir)
                .ok()?
                .components()
                .map(|c| match c {
                    Component::Normal(name) => name.to_str(),
                    _ => None,
                })
                .collect::<Option<Vec<&str>>>()?;
            let (&top, rest) = parts.split_first()?;
            let Some(yi) = content.years.iter().position(|y| y.year.to_string() == top) else {
                // Outside the year folders only site.toml, the templates and new year folders count.
                let year_like = top.len() == 4 && top.bytes().all(|b| b.is_ascii_digit());
                if top == "site.toml" || top == "templates" || year_like {
                    return None;
                }
                continue;
            };
            let rel = rest.join("/");
            let page = content.years[yi].pages.iter().position(|p| p.rel == rel);
            match std::fs::symlink_metadata(path) {
                Ok(meta) if meta.is_file() => {
                    if rel == "policy.toml" {
                        return None;
                    }
                    if !rel.ends_with(".md") {
                        continue;
                    }
                    // A page that was not there before (or could not be read) changes the site.
                    let i = page?;
                    if !self.generated.can_remake(content, yi, i) {
                        return None;
                    }
                    let year_dir = content_dir.join(top);
                    let file = rest.iter().fold(year_dir.clone(), |p, part| p.join(part));
                    let mut found = Vec::new();
                    let source = content::read_page(&year_dir, &file, &mut found)?;
                    let old = &content.years[yi].pages[i];
                    if !found.is_empty()
                        || source.rel != old.rel
                        || source.shown != old.shown
                        || source.front != old.front
                    {
                        return None;
                    }
                    edits.retain(|(y, p, _)| (*y, *p) != (yi, i));
                    edits.push((yi, i, source));
                }
                // A folder, a link or anything else in a year folder.
                Ok(_) => return None,
                Err(_) => {
                    // Gone: a page, the policy, the year folder or a folder of pages changes the
                    // site; a file the build never read does not.
                    let folder = format!("{rel}/");
                    let held_pages = content.years[yi].pages.iter().any(|p| p.rel.starts_with(&folder));
                    if rel.is_empty() || rel.ends_with(".md") || rel == "policy.toml" || held_pages {
                        return None;
                    }
                }
            }
        }
        Some(edits)
    }
}
