//! Writing a built site: only the files whose bytes changed, each staged in full beside the output
//! and renamed into place, so that no reader ever sees half a file and an unchanged rebuild writes
//! nothing. On any error while staging the output is untouched. What a killed build left beside
//! the output is removed by the next build.

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

/// Refuses an output folder that is or holds the content folder: the build removes from `out`
/// every file it did not make, so `--out .` or `--out content` would delete the content it was built from.
pub fn refuse_to_replace_content(out: &Path, content: &Path) -> Result<()> {
    let (Ok(out_real), Ok(content_real)) = (std::fs::canonicalize(out), std::fs::canonicalize(content)) else {
        return Ok(()); // An output folder that does not exist yet holds nothing.
    };
    if content_real.starts_with(&out_real) {
        bail!(
            "输出目录 {} 包含内容目录 {}：构建会删除输出目录中不是它生成的文件，内容会被删除；请换一个输出目录（如 public）",
            out.display(),
            content.display()
        );
    }
    Ok(())
}

/// What [`write_changes`] did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Written {
    /// Files whose bytes were new or changed.
    pub written: usize,
    /// Files already there with the same bytes: not touched (their times stay as they were).
    pub unchanged: usize,
    /// Files (and links) in the output the build no longer makes.
    pub removed: usize,
}

/// Every file and link under `dir`, as `/`-separated paths relative to `root`. Links are listed,
/// never followed.
fn existing_files(root: &Path, dir: &Path, out: &mut Vec<String>) -> Result<()> {
    for e in std::fs::read_dir(dir).with_context(|| format!("无法读取 {}", dir.display()))? {
        let e = e.with_context(|| format!("无法读取 {}", dir.display()))?;
        let path = e.path();
        if e.file_type().is_ok_and(|t| t.is_dir()) {
            existing_files(root, &path, out)?;
        } else if let Ok(rel) = path.strip_prefix(root) {
            let parts: Vec<String> = rel.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect();
            out.push(parts.join("/"));
        }
    }
    Ok(())
}

/// Whether `path` already holds exactly `bytes` (a regular file, not a link).
fn same_bytes(path: &Path, bytes: &[u8]) -> bool {
    match std::fs::symlink_metadata(path) {
        Ok(m) if m.is_file() && m.len() == bytes.len() as u64 => std::fs::read(path).is_ok_and(|old| old == bytes),
        _ => false,
    }
}

/// Makes `path` a place a file can be renamed to: a folder there (the old output had `x/…` where
/// the new one has a file `x`) is removed, and so is a file where the new output needs a folder.
fn make_room(out: &Path, path: &Path) -> Result<()> {
    if let Ok(m) = std::fs::symlink_metadata(path)
        && m.is_dir()
    {
        std::fs::remove_dir_all(path).with_context(|| format!("无法删除 {}", path.display()))?;
    }
    let Some(dir) = path.parent() else { return Ok(()) };
    for ancestor in dir.ancestors().take_while(|a| a.starts_with(out) && *a != out) {
        if std::fs::symlink_metadata(ancestor).is_ok_and(|m| !m.is_dir()) {
            std::fs::remove_file(ancestor).with_context(|| format!("无法删除 {}", ancestor.display()))?;
        }
    }
    std::fs::create_dir_all(dir).with_context(|| format!("无法创建 {}", dir.display()))
}

/// Removes the folders under `dir` that hold nothing (after stale files went); keeps `dir`.
fn remove_empty_folders(dir: &Path) -> bool {
    let Ok(entries) = std::fs::read_dir(dir) else { return false };
    let mut empty = true;
    for e in entries.flatten() {
        let path = e.path();
        if e.file_type().is_ok_and(|t| t.is_dir()) && remove_empty_folders(&path) {
            empty &= std::fs::remove_dir(&path).is_ok();
        } else {
            empty = false;
        }
    }
    empty
}

/// Makes `out` hold exactly the files [`put`](Stager::put) into it, writing only what changed.
///
/// 1. Each file, as it is made, is compared with what `out` holds (the length first, then the
///    bytes); a new or changed one is written in full to a staging folder beside `out`
///    (`.NAME.new-PID`). Nothing in `out` changes yet, so files can be put while the build is
///    still being checked, and dropped.
/// 2. [`commit`](Stager::commit) renames each staged file over its place in `out`: a rename is
///    atomic, so a reader (or a build killed at any moment) sees the old file or the new one,
///    never part of one. Then files the build no longer makes are removed, and folders left empty.
///
/// [`abort`](Stager::abort) (or dropping the stager) removes the staging folder: `out` is as it
/// was. An unchanged rebuild writes nothing. A killed build leaves its staging folder, which the
/// next build removes.
#[derive(Debug)]
pub struct Stager {
    out: PathBuf,
    staging: PathBuf,
    state: std::sync::Mutex<Staged>,
}

#[derive(Debug, Default)]
struct Staged {
    /// Every path put, as given (`/`-separated).
    made: std::collections::HashSet<String>,
    /// Staged file → its place in `out`.
    changed: Vec<(PathBuf, PathBuf)>,
    unchanged: usize,
    /// The first file that could not be staged.
    error: Option<anyhow::Error>,
}

impl Stager {
    /// Gets ready to write into `out`: its parent made, what killed builds left beside it removed.
    pub fn new(out: &Path) -> Result<Stager> {
        let parent = out.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
        std::fs::create_dir_all(parent).with_context(|| format!("无法创建 {}", parent.display()))?;
        remove_leftovers(out, parent);
        if std::fs::symlink_metadata(out).is_ok_and(|m| !m.is_dir()) {
            bail!("输出目录 {} 已存在且不是目录，未写入任何文件", out.display());
        }
        let staging = sibling(out, "new");
        let _ = std::fs::remove_dir_all(&staging);
        Ok(Stager { out: out.to_path_buf(), staging, state: std::sync::Mutex::default() })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Staged> {
        self.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Compares `file` with what `out` holds and stages it when it differs. Safe to call from
    /// several threads; an error is kept and returned by [`commit`](Stager::commit).
    pub fn put(&self, file: &OutFile) {
        self.put_bytes(&file.path, &file.bytes);
    }

    /// [`put`](Stager::put) for a file given as its path and bytes.
    pub fn put_bytes(&self, rel: &str, bytes: &[u8]) {
        let staged = (|| -> Result<Option<(PathBuf, PathBuf)>> {
            let target = inside(&self.out, rel)?;
            if same_bytes(&target, bytes) {
                return Ok(None);
            }
            let path = inside(&self.staging, rel)?;
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir).with_context(|| format!("无法创建 {}", dir.display()))?;
            }
            std::fs::write(&path, bytes).with_context(|| format!("无法写入 {}", path.display()))?;
            Ok(Some((path, target)))
        })();
        let mut state = self.lock();
        state.made.insert(rel.to_owned());
        match staged {
            Ok(Some(change)) => state.changed.push(change),
            Ok(None) => state.unchanged += 1,
            Err(e) => {
                state.error.get_or_insert(e);
            }
        }
    }

    /// Removes what was staged; `out` is untouched.
    pub fn abort(self) {
        // Drop removes the staging folder.
    }

    /// Puts the staged files in place and removes `gone` (paths no longer made); every other
    /// file of `out` is left as it is. For `jxjy serve` after an edit of a few pages, when `out`
    /// already holds the rest of the build.
    pub fn commit_some(self, gone: &[&str]) -> Result<Written> {
        let state = std::mem::take(&mut *self.lock());
        if let Some(e) = state.error {
            return Err(e);
        }
        let mut written = Written { written: state.changed.len(), unchanged: state.unchanged, removed: 0 };
        for (from, to) in &state.changed {
            make_room(&self.out, to)?;
            std::fs::rename(from, to).with_context(|| format!("无法写入 {}", to.display()))?;
        }
        for rel in gone {
            let path = inside(&self.out, rel)?;
            if std::fs::symlink_metadata(&path).is_ok_and(|m| !m.is_dir()) {
                std::fs::remove_file(&path).with_context(|| format!("无法删除 {}", path.display()))?;
                written.removed += 1;
            }
        }
        Ok(written)
    }

    /// Puts the staged files in place and removes the files no longer made.
    pub fn commit(self) -> Result<Written> {
        let state = std::mem::take(&mut *self.lock());
        if let Some(e) = state.error {
            return Err(e);
        }
        let (out, staging) = (&self.out, &self.staging);
        let mut written = Written { written: state.changed.len(), unchanged: state.unchanged, removed: 0 };
        if !out.exists() {
            // A first build: the staging folder holds every file and becomes the output in one rename.
            let moved = if state.changed.is_empty() { std::fs::create_dir(out) } else { std::fs::rename(staging, out) };
            return moved.map(|()| written).with_context(|| format!("无法创建 {}", out.display()));
        }
        let mut stale = Vec::new();
        existing_files(out, out, &mut stale)?;
        for (from, to) in &state.changed {
            make_room(out, to)?;
            std::fs::rename(from, to).with_context(|| format!("无法写入 {}", to.display()))?;
        }
        for rel in stale.iter().filter(|rel| !state.made.contains(rel.as_str())) {
            let path = out.join(rel);
            if std::fs::symlink_metadata(&path).is_ok_and(|m| !m.is_dir()) {
                std::fs::remove_file(&path).with_context(|| format!("无法删除 {}", path.display()))?;
                written.removed += 1;
            }
        }
        remove_empty_folders(out);
        Ok(written)
    }
}

impl Drop for Stager {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.staging);
    }
}

/// Makes `out` hold exactly `files`, writing only what changed (a [`Stager`] given them all).
pub fn write_changes(out: &Path, files: &[OutFile]) -> Result<Written> {
    write_site(out, files.iter().map(|f| (f.path.as_str(), f.bytes.as_slice())))
}

/// [`write_changes`] for files given as (path, bytes).
pub fn write_site<'a>(out: &Path, files: impl IntoIterator<Item = (&'a str, &'a [u8])>) -> Result<Written> {
    let stager = Stager::new(out)?;
    for (rel, bytes) in files {
        stager.put_bytes(rel, bytes);
    }
    stager.commit()
}

/// Writes `files` into `out` (only those whose bytes changed, each staged and renamed into place)
/// and removes `gone`, leaving every other file of `out` as it is.
pub fn write_some<'a>(
    out: &Path,
    files: impl IntoIterator<Item = (&'a str, &'a [u8])>,
    gone: &[&str],
) -> Result<Written> {
    let stager = Stager::new(out)?;
    for (rel, bytes) in files {
        stager.put_bytes(rel, bytes);
    }
    stager.commit_some(gone)
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
        write_changes(&out, &[OutFile { path: "a/index.html".into(), bytes: b"new".to_vec() }]).unwrap();
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
            let err = write_changes(&out, &files).unwrap_err();
            assert!(format!("{err:#}").contains("不是输出目录内的普通相对路径"), "{bad}: {err:#}");
            assert!(out.join("keep").exists(), "{bad}: the old output was replaced");
            let mut left: Vec<_> =
                std::fs::read_dir(dir.path().join("sub")).unwrap().flatten().map(|e| e.file_name()).collect();
            left.sort();
            assert_eq!(left, [std::ffi::OsString::from("public")], "{bad}");
            assert!(!dir.path().join("index.html").exists() && !dir.path().join("sub/index.html").exists(), "{bad}");
        }
    }

    fn mtimes(dir: &Path) -> Vec<(String, std::time::SystemTime)> {
        let mut files = Vec::new();
        existing_files(dir, dir, &mut files).unwrap();
        files.sort();
        files.into_iter().map(|f| (f.clone(), std::fs::metadata(dir.join(&f)).unwrap().modified().unwrap())).collect()
    }

    fn file(path: &str, bytes: &str) -> OutFile {
        OutFile { path: path.into(), bytes: bytes.as_bytes().to_vec() }
    }

    #[test]
    fn an_unchanged_rebuild_writes_nothing_and_a_change_writes_only_itself() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        let v1 = [file("index.html", "home"), file("a/index.html", "a"), file("b/index.html", "b")];
        assert_eq!(write_changes(&out, &v1).unwrap(), Written { written: 3, unchanged: 0, removed: 0 });
        let before = mtimes(&out);
        std::thread::sleep(std::time::Duration::from_millis(20));
        assert_eq!(write_changes(&out, &v1).unwrap(), Written { written: 0, unchanged: 3, removed: 0 });
        assert_eq!(mtimes(&out), before, "an unchanged rebuild touched a file");
        // Same length, other bytes: compared by content, not by size.
        let v2 = [file("index.html", "HOME"), file("a/index.html", "a"), file("b/index.html", "b")];
        assert_eq!(write_changes(&out, &v2).unwrap(), Written { written: 1, unchanged: 2, removed: 0 });
        let after = mtimes(&out);
        assert_eq!(std::fs::read_to_string(out.join("index.html")).unwrap(), "HOME");
        assert_eq!(after[0], before[0], "a/index.html was rewritten");
        assert_eq!(after[1], before[1], "b/index.html was rewritten");
        let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().flatten().map(|e| e.file_name()).collect();
        assert_eq!(left, [std::ffi::OsString::from("public")], "staging folder left behind");
    }

    #[test]
    fn files_no_longer_made_go_and_a_file_may_take_a_folders_place() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        write_changes(&out, &[file("x/index.html", "x"), file("old/deep/page.html", "o"), file("y", "file")]).unwrap();
        // `x` becomes a file, `y` a folder, `old/` is no longer made.
        let w = write_changes(&out, &[file("x", "now a file"), file("y/index.html", "now a folder")]).unwrap();
        assert_eq!(w.written, 2);
        assert_eq!(std::fs::read_to_string(out.join("x")).unwrap(), "now a file");
        assert_eq!(std::fs::read_to_string(out.join("y/index.html")).unwrap(), "now a folder");
        let mut files = Vec::new();
        existing_files(&out, &out, &mut files).unwrap();
        files.sort();
        assert_eq!(files, ["x", "y/index.html"]);
        assert!(!out.join("old").exists(), "an emptied folder was kept");
    }

    #[test]
    fn a_leftover_staging_folder_of_a_killed_build_is_removed() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        // No process has id u32::MAX - 1 on Linux (pid_max is at most 2^22).
        let dead = dir.path().join(format!(".public.new-{}", u32::MAX - 1));
        std::fs::create_dir_all(dead.join("a")).unwrap();
        std::fs::write(dead.join("a/index.html"), "half").unwrap();
        write_changes(&out, &[file("index.html", "home")]).unwrap();
        if Path::new("/proc/self").exists() {
            assert!(!dead.exists());
        }
        assert!(!out.join("a").exists(), "a dead build's staged file reached the output");
    }
}
