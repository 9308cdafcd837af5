//! Writing a built site atomically: everything goes to a fresh sibling folder first, then the
//! folders are swapped by rename. On any error before the swap the old output is untouched.
//! What a killed build left beside the output is removed by the next build.

use std::path::{Component, Path, PathBuf};

use anyhow::{Context, Result, bail};

use super::generate::OutFile;

fn out_name(out: &Path) -> String {
    out.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "public".into())
}

fn sibling(out: &Path, tag: &str) -> PathBuf {
    out.with_file_name(format!(".{}.{tag}-{}", out_name(out), std::process::id()))
}

/// Whether a process with this id is running. Linux answers through /proc; where there is no
/// /proc (asking another way needs unsafe code or a dependency), a folder is taken to belong to
/// a running build unless it has not changed for a day.
fn running(pid: u32, folder: &Path) -> bool {
    if Path::new("/proc/self").exists() {
        return Path::new(&format!("/proc/{pid}")).exists();
    }
    let age = std::fs::symlink_metadata(folder).and_then(|m| m.modified()).ok().and_then(|t| t.elapsed().ok());
    age.is_none_or(|a| a < std::time::Duration::from_secs(24 * 3600))
}

/// Removes the staging (`.NAME.new-PID`) and swap (`.NAME.old-PID`) folders that builds killed
/// before they finished left beside `out`. Only those whose process is no longer running: a
/// build in progress into the same output (`jxjy serve` and `jxjy build` side by side) owns its
/// folders, and removing them by age would break it. A dead build's PID taken by another process
/// only keeps its folder until that process ends.
fn remove_leftovers(out: &Path, parent: &Path) {
    let prefix = format!(".{}.", out_name(out));
    let Ok(entries) = std::fs::read_dir(parent) else { return };
    for e in entries.flatten() {
        let name = e.file_name();
        let Some(pid) = name
            .to_str()
            .and_then(|n| n.strip_prefix(&prefix))
            .and_then(|rest| rest.strip_prefix("new-").or_else(|| rest.strip_prefix("old-")))
            .and_then(|pid| pid.parse::<u32>().ok())
        else {
            continue;
        };
        let path = e.path();
        let is_dir = e.file_type().is_ok_and(|t| t.is_dir());
        if is_dir && pid != std::process::id() && !running(pid, &path) {
            let _ = std::fs::remove_dir_all(&path);
        }
    }
}

/// `rel` under `dir`, refused unless every part of `rel` is a plain name: no `..`, `.`, root or
/// drive, so that nothing is ever written outside the output folder whatever a file is called.
fn inside(dir: &Path, rel: &str) -> Result<PathBuf> {
    let path = Path::new(rel);
    if rel.is_empty() || !path.components().all(|c| matches!(c, Component::Normal(_))) {
        bail!("输出路径“{rel}”不是输出目录内的普通相对路径，未写入任何文件");
    }
    Ok(dir.join(path))
}

/// Refuses an output folder that is or holds the content folder: the build replaces `out` as a
/// whole, so `--out .` or `--out content` would delete the content it was built from.
pub fn refuse_to_replace_content(out: &Path, content: &Path) -> Result<()> {
    let (Ok(out_real), Ok(content_real)) = (std::fs::canonicalize(out), std::fs::canonicalize(content)) else {
        return Ok(()); // An output folder that does not exist yet holds nothing.
    };
    if content_real.starts_with(&out_real) {
        bail!(
            "输出目录 {} 包含内容目录 {}：构建会整个替换输出目录，内容会被删除；请换一个输出目录（如 public）",
            out.display(),
            content.display()
        );
    }
    Ok(())
}

/// Replaces `out` with exactly `files`.
pub fn write_atomically(out: &Path, files: &[OutFile]) -> Result<()> {
    let parent = out.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent).with_context(|| format!("无法创建 {}", parent.display()))?;
    remove_leftovers(out, parent);
    let staging = sibling(out, "new");
    let _ = std::fs::remove_dir_all(&staging);
    let result = (|| -> Result<()> {
        for f in files {
            let path = inside(&staging, &f.path)?;
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir).with_context(|| format!("无法创建 {}", dir.display()))?;
            }
            std::fs::write(&path, &f.bytes).with_context(|| format!("无法写入 {}", path.display()))?;
        }
        Ok(())
    })();
    if let Err(e) = result {
        let _ = std::fs::remove_dir_all(&staging);
        return Err(e);
    }
    let old = sibling(out, "old");
    let _ = std::fs::remove_dir_all(&old);
    let had_old = out.exists();
    if had_old {
        std::fs::rename(out, &old).with_context(|| format!("无法替换 {}", out.display()))?;
    }
    if let Err(e) = std::fs::rename(&staging, out) {
        if had_old {
            let _ = std::fs::rename(&old, out);
        }
        let _ = std::fs::remove_dir_all(&staging);
        return Err(e).with_context(|| format!("无法替换 {}", out.display()));
    }
    if had_old {
        let _ = std::fs::remove_dir_all(&old);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_the_whole_folder() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        std::fs::create_dir_all(out.join("stale")).unwrap();
        std::fs::write(out.join("stale/x.html"), "old").unwrap();
        write_atomically(&out, &[OutFile { path: "a/index.html".into(), bytes: b"new".to_vec() }]).unwrap();
        assert_eq!(std::fs::read_to_string(out.join("a/index.html")).unwrap(), "new");
        assert!(!out.join("stale").exists());
        let leftovers: Vec<_> = std::fs::read_dir(dir.path()).unwrap().flatten().map(|e| e.file_name()).collect();
        assert_eq!(leftovers, [std::ffi::OsString::from("public")]);
    }

    #[test]
    fn refuses_paths_that_leave_the_output_folder() {
        for bad in ["../index.html", "/index.html", "a/../../x.html", "./x.html", ""] {
            let dir = tempfile::tempdir().unwrap();
            let out = dir.path().join("sub/public");
            std::fs::create_dir_all(out.join("keep")).unwrap();
            let files = [
                OutFile { path: "ok.html".into(), bytes: b"ok".to_vec() },
                OutFile { path: bad.into(), bytes: b"bad".to_vec() },
            ];
            let err = write_atomically(&out, &files).unwrap_err();
            assert!(format!("{err:#}").contains("不是输出目录内的普通相对路径"), "{bad}: {err:#}");
            assert!(out.join("keep").exists(), "{bad}: the old output was replaced");
            let mut left: Vec<_> =
                std::fs::read_dir(dir.path().join("sub")).unwrap().flatten().map(|e| e.file_name()).collect();
            left.sort();
            assert_eq!(left, [std::ffi::OsString::from("public")], "{bad}");
            assert!(!dir.path().join("index.html").exists() && !dir.path().join("sub/index.html").exists(), "{bad}");
        }
    }
}
