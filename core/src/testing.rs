//! Helpers for unit tests.

use crate::policy::Policy;

pub(crate) fn policy_2020() -> Policy {
    Policy::from_toml(include_str!("../../content/2020/policy.toml")).expect("shipped policy parses")
}
