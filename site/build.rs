//! Embeds the self-check page's WebAssembly packages (wasm/pkg, wasm/pkg-years and wasm/pkg-full, built by
//! wasm-pack) when they exist, so that a release `jxjy` can publish the whole site without any wasm tooling.
//! Without it, `cargo build` still works and `jxjy build` says how to get the full binary.

use std::path::{Path, PathBuf};

fn main() {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap_or_default());
    let pkg = std::env::var("JXJY_WASM_PKG").map(PathBuf::from).unwrap_or_else(|_| manifest.join("../wasm/pkg"));
    // The full reader and the several-years module sit beside the main one (wasm/pkg-full and
    // wasm/pkg-years, or $JXJY_WASM_PKG-full and -years).
    let beside = |suffix: &str| {
        pkg.with_file_name(format!("{}-{suffix}", pkg.file_name().and_then(|n| n.to_str()).unwrap_or("pkg")))
    };
    println!("cargo:rerun-if-env-changed=JXJY_WASM_PKG");
    let code = embed("CHECKER", &pkg, "jxjy_wasm")
        + &embed("YEARS_CHECKER", &beside("years"), "jxjy_years")
        + &embed("FULL_READER", &beside("full"), "jxjy_full");
    let out = PathBuf::from(std::env::var("OUT_DIR").unwrap_or_default()).join("checker.rs");
    if let Err(e) = std::fs::write(&out, code) {
        panic!("cannot write {}: {e}", out.display());
    }
}

/// `const NAME: Option<Checker>`: the module `stem` in `pkg` when it was built, else `None`.
fn embed(name: &str, pkg: &Path, stem: &str) -> String {
    let js = pkg.join(format!("{stem}.js"));
    let wasm = pkg.join(format!("{stem}_bg.wasm"));
    println!("cargo:rerun-if-changed={}", js.display());
    println!("cargo:rerun-if-changed={}", wasm.display());
    if js.is_file() && wasm.is_file() {
        format!(
            "const {name}: Option<Checker> = Some(Checker {{ glue_js: include_bytes!({:?}), wasm: include_bytes!({:?}) }});\n",
            js.canonicalize().unwrap_or(js),
            wasm.canonicalize().unwrap_or(wasm)
        )
    } else {
        format!("const {name}: Option<Checker> = None;\n")
    }
}
