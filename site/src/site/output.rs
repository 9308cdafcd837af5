//! Writing a built site atomically: everything goes to a fresh sibling folder first, then the
//! folders are swapped by rename. On any error before the swap the old output is untouched.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use super::generate::OutFile;

fn sibling(out: &Path, tag: &str) -> PathBuf {
    let name = out.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "public".into());
    out.with_file_name(format!(".{name}.{tag}-{}", std::process::id()))
}

/// Replaces `out` with exactly `files`.
pub fn write_atomically(out: &Path, files: &[OutFile]) -> Result<()> {
    let parent = out.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent).with_context(|| format!("无法创建 {}", parent.display()))?;
    let staging = sibling(out, "new");
    let _ = std::fs::remove_dir_all(&staging);
    let result = (|| -> Result<()> {
        for f in files {
            let path = staging.join(&f.path);
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
}
