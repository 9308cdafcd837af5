//! jxjy-site: the policy site (`build`, `serve`, `lint`) and the command-line checker (`check`)
//! as a library, so that tests build fixture sites in-process; `main.rs` only parses arguments
//! and calls in here.

pub mod check;
pub mod diff;
pub mod policy_source;
pub mod site;
