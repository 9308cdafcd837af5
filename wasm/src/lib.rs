//! jxjy-wasm: the self-check page's entry point into jxjy-core. It only converts types and
//! forwards calls; every rule lives in the core.
//!
//! The page decodes the file's text with the browser's `TextDecoder` (GBK, UTF-16…) and passes
//! UTF-8 bytes, so this module carries no encoding tables.

use jxjy_core::{NaiveDate, Policy};
use wasm_bindgen::prelude::*;

/// Checks `bytes` against the policy (JSON, as embedded in the page) as of `today`
/// (`YYYY-MM-DD`). Returns the report as JSON, or `{"fatal": "…"}` when nothing could be read.
#[wasm_bindgen]
pub fn check(bytes: &[u8], policy_json: &str, today: &str) -> String {
    let result = Policy::from_json(policy_json).map_err(|e| e.to_string()).and_then(|policy| {
        let today: NaiveDate = today.parse().map_err(|_| format!("日期“{today}”无效"))?;
        jxjy_core::check(bytes, &policy, today).map_err(|e| e.to_string())
    });
    match result {
        Ok(report) => serde_json::to_string(&report).unwrap_or_else(|e| fatal(&e.to_string())),
        Err(message) => fatal(&message),
    }
}

fn fatal(message: &str) -> String {
    serde_json::json!({ "fatal": message }).to_string()
}
