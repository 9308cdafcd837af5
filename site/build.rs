//! Embeds the self-check page's WebAssembly package (wasm/pkg, built by wasm-pack) when it
//! exists, so that a release `jxjy` can publish the whole site without any wasm tooling.
//! Without it, `cargo build` still works and `jxjy build` says how to get the full binary.

use std::path::PathBuf;

fn main() {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap_or_default());
    let pkg = std::env::var("JXJY_WASM_PKG").map(PathBuf::from).unwrap_or_else(|_| manifest.join("../wasm/pkg"));
    let js = pkg.join("jxjy_wasm.js");
    let wasm = pkg.join("jxjy_wasm_bg.wasm");
    println!("cargo:rerun-if-env-changed=JXJY_WASM_PKG");
    println!("cargo:rerun-if-changed={}", js.display());
    println!("cargo:rerun-if-changed={}", wasm.display());
    let code = if js.is_file() && wasm.is_file() {
        format!(
            "const CHECKER: Option<Checker> = Some(Checker {{ glue_js: include_bytes!({:?}), wasm: include_bytes!({:?}) }});\n",
            js.canonicalize().unwrap_or(js),
            wasm.canonicalize().unwrap_or(wasm)
        )
    } else {
        "const CHECKER: Option<Checker> = None;\n".to_owned()
    };
    let out = PathBuf::from(std::env::var("OUT_DIR").unwrap_or_default()).join("checker.rs");
    if let Err(e) = std::fs::write(&out, code) {
        panic!("cannot write {}: {e}", out.display());
    }
}
