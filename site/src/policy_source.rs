//! Where the CLI finds its policy: `--policy PATH`, else the newest `content/<year>/policy.toml`
//! under the working directory, else the policy built into the binary.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use jxjy_core::Policy;

/// The policy compiled into the binary, for use outside a content folder.
pub const BUILT_IN: &str = include_str!("../../content/2020/policy.toml");

/// Where a policy came from, for messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    File(PathBuf),
    BuiltIn,
}

/// The newest `content/<year>/policy.toml` under `content`, by year.
pub fn newest_in(content: &Path) -> Option<PathBuf> {
    all_in(content).pop()
}

/// Every policy for `--years`: the files given, else every `content/<year>/policy.toml` here,
/// else the built-in one.
pub fn load_all(explicit: &[PathBuf]) -> Result<Vec<Policy>> {
    let paths: Vec<PathBuf> = if explicit.is_empty() { all_in(Path::new("content")) } else { explicit.to_vec() };
    if paths.is_empty() {
        return Ok(vec![Policy::from_toml(BUILT_IN).context("内置政策文件有误")?]);
    }
    let mut policies = Vec::with_capacity(paths.len());
    for path in paths {
        let text = std::fs::read_to_string(&path).with_context(|| format!("无法读取政策文件 {}", path.display()))?;
        let policy = Policy::from_toml(&text).with_context(|| format!("政策文件 {} 有误", path.display()))?;
        if policies.iter().any(|p: &Policy| p.year == policy.year) {
            anyhow::bail!("政策文件 {} 与另一个文件同为 {} 年度", path.display(), policy.year);
        }
        policies.push(policy);
    }
    Ok(policies)
}

/// Every `content/<year>/policy.toml` under `content`, by year.
pub fn all_in(content: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(content) else { return Vec::new() };
    let mut found: Vec<(i32, PathBuf)> = entries
        .filter_map(Result::ok)
        .filter_map(|e| {
            let year: i32 = e.file_name().to_str()?.parse().ok()?;
            let path = e.path().join("policy.toml");
            path.is_file().then_some((year, path))
        })
        .collect();
    found.sort();
    found.into_iter().map(|(_, p)| p).collect()
}

/// Loads the policy the CLI should use.
pub fn load(explicit: Option<&Path>) -> Result<(Policy, Origin)> {
    let path = explicit.map(Path::to_path_buf).or_else(|| newest_in(Path::new("content")));
    match path {
        Some(path) => {
            let text =
                std::fs::read_to_string(&path).with_context(|| format!("无法读取政策文件 {}", path.display()))?;
            let policy = Policy::from_toml(&text).with_context(|| format!("政策文件 {} 有误", path.display()))?;
            Ok((policy, Origin::File(path)))
        }
        None => Ok((Policy::from_toml(BUILT_IN).context("内置政策文件有误")?, Origin::BuiltIn)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn built_in_policy_is_valid() {
        assert_eq!(Policy::from_toml(BUILT_IN).unwrap().year, 2020);
    }

    #[test]
    fn newest_year_wins() {
        let dir = tempfile::tempdir().unwrap();
        for y in ["2020", "2021", "notes"] {
            std::fs::create_dir(dir.path().join(y)).unwrap();
        }
        std::fs::write(dir.path().join("2020/policy.toml"), "").unwrap();
        std::fs::write(dir.path().join("2021/policy.toml"), "").unwrap();
        std::fs::write(dir.path().join("notes/policy.toml"), "").unwrap();
        assert_eq!(newest_in(dir.path()), Some(dir.path().join("2021/policy.toml")));
        assert_eq!(newest_in(&dir.path().join("missing")), None);
    }
}
