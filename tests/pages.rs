//! The site built in-process (jxjy-site as a library) and its pages' main content snapshotted with
//! insta: a change to what a page says or how it is marked up shows as a reviewed diff.

use std::path::{Path, PathBuf};

use jxjy_site::site;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

/// The `<main>` element of a built page, one tag per line from `<h`, `<p`, `<li`, `<tr` on, so
/// that a snapshot diff points at the changed block.
fn main_of(outcome: &site::Outcome, path: &str) -> String {
    let file = outcome.files.iter().find(|f| f.path == path).unwrap_or_else(|| panic!("{path} not built"));
    let html = std::str::from_utf8(&file.bytes).unwrap();
    let start = html.find("<main").unwrap_or_else(|| panic!("{path}: no <main>"));
    let end = html[start..].find("</main>").map(|e| start + e + "</main>".len()).unwrap();
    let mut out = String::new();
    for (i, piece) in html[start..end].split('<').enumerate() {
        if i > 0 {
            let breaks = ["h1", "h2", "h3", "p", "li", "tr", "section", "table", "figure", "dl", "dt", "ol", "ul"];
            if breaks.iter().any(|t| piece.starts_with(t) && piece[t.len()..].starts_with([' ', '>'])) {
                out.push('\n');
            }
            out.push('<');
        }
        out.push_str(piece);
    }
    out
}

#[test]
fn the_real_content_built_in_process() {
    let outcome = site::run(&root().join("content"), Some("/"));
    let errors: Vec<String> = outcome.findings.iter().filter(|f| f.is_error()).map(ToString::to_string).collect();
    assert!(errors.is_empty(), "{errors:#?}");
    // The check page says "no checker" when the binary was compiled without wasm/pkg; the snapshot
    // is of the page as published, so say what to run rather than show a diff.
    assert!(
        outcome.files.iter().any(|f| f.path == "assets/jxjy_wasm_bg.wasm"),
        "jxjy-site was compiled without the self-check module (wasm/pkg). Run ./scripts/build-wasm, \
         then cargo test again (scripts/test does both)"
    );
    for (name, path) in [("home", "index.html"), ("quota", "quota/index.html"), ("check", "check/index.html")] {
        insta::with_settings!({ snapshot_path => "snapshots", prepend_module_to_snapshot => false }, {
            insta::assert_snapshot!(format!("page-{name}"), main_of(&outcome, path));
        });
    }
}
