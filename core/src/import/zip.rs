//! The part of the zip format an `.xlsx` needs: the central directory, stored and deflated
//! entries, and a hard cap on what is decompressed, so a zip bomb is an error and not a dead tab.

use std::collections::HashMap;

use super::ImportError;

/// At most this many bytes are inflated for one part of a workbook.
pub const MAX_PART_BYTES: usize = 64 << 20;
/// At most this many bytes are inflated for the whole workbook.
pub const MAX_TOTAL_BYTES: usize = 160 << 20;

/// One file inside the archive.
#[derive(Debug, Clone)]
pub struct Entry {
    pub name: String,
    method: u16,
    compressed_size: usize,
    local_header: usize,
}

/// A zip archive held in memory.
#[derive(Debug)]
pub struct Archive<'a> {
    bytes: &'a [u8],
    pub entries: Vec<Entry>,
    /// Each entry's name (lower case, no leading slash) to its first index: a lookup per sheet
    /// stays constant-time in a workbook with thousands of parts.
    by_name: HashMap<String, usize>,
    inflated: usize,
}

fn u16_at(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(b.get(at..at + 2)?.try_into().ok()?))
}

fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

fn corrupt(what: &str) -> ImportError {
    ImportError::Xlsx(format!("工作簿已损坏（{what}）"))
}

impl<'a> Archive<'a> {
    /// Reads the central directory.
    pub fn open(bytes: &'a [u8]) -> Result<Archive<'a>, ImportError> {
        const EOCD: u32 = 0x0605_4b50;
        const CENTRAL: u32 = 0x0201_4b50;
        let search_from = bytes.len().saturating_sub(22 + u16::MAX as usize);
        let eocd = (search_from..bytes.len().saturating_sub(21))
            .rev()
            .find(|&i| u32_at(bytes, i) == Some(EOCD))
            .ok_or_else(|| corrupt("找不到目录"))?;
        let count = u16_at(bytes, eocd + 10).ok_or_else(|| corrupt("目录"))? as usize;
        let dir_offset = u32_at(bytes, eocd + 16).ok_or_else(|| corrupt("目录"))? as usize;
        if dir_offset == u32::MAX as usize || count == u16::MAX as usize {
            return Err(ImportError::Xlsx("不支持 ZIP64 格式的工作簿".to_owned()));
        }
        let mut entries = Vec::with_capacity(count.min(4096));
        let mut at = dir_offset;
        for _ in 0..count {
            if u32_at(bytes, at) != Some(CENTRAL) {
                return Err(corrupt("目录项"));
            }
            let field = |off: usize| u16_at(bytes, at + off).ok_or_else(|| corrupt("目录项"));
            let method = field(10)?;
            let compressed_size = u32_at(bytes, at + 20).ok_or_else(|| corrupt("目录项"))? as usize;
            let name_len = field(28)? as usize;
            let extra_len = field(30)? as usize;
            let comment_len = field(32)? as usize;
            let local_header = u32_at(bytes, at + 42).ok_or_else(|| corrupt("目录项"))? as usize;
            let name = bytes.get(at + 46..at + 46 + name_len).ok_or_else(|| corrupt("文件名"))?;
            entries.push(Entry {
                name: String::from_utf8_lossy(name).replace('\\', "/"),
                method,
                compressed_size,
                local_header,
            });
            at += 46 + name_len + extra_len + comment_len;
        }
        let mut by_name = HashMap::with_capacity(entries.len());
        for (i, e) in entries.iter().enumerate() {
            by_name.entry(e.name.trim_start_matches('/').to_ascii_lowercase()).or_insert(i);
        }
        Ok(Archive { bytes, entries, by_name, inflated: 0 })
    }

    /// Finds an entry by name, ignoring ASCII case and a leading slash.
    pub fn find(&self, name: &str) -> Option<&Entry> {
        let i = *self.by_name.get(&name.trim_start_matches('/').to_ascii_lowercase())?;
        self.entries.get(i)
    }

    /// Reads an entry's bytes, inflating them within the caps.
    pub fn read(&mut self, entry: &Entry) -> Result<Vec<u8>, ImportError> {
        const LOCAL: u32 = 0x0403_4b50;
        let b = self.bytes;
        let at = entry.local_header;
        if u32_at(b, at) != Some(LOCAL) {
            return Err(corrupt(&entry.name));
        }
        let name_len = u16_at(b, at + 26).ok_or_else(|| corrupt(&entry.name))? as usize;
        let extra_len = u16_at(b, at + 28).ok_or_else(|| corrupt(&entry.name))? as usize;
        let start = at + 30 + name_len + extra_len;
        let data = start
            .checked_add(entry.compressed_size)
            .and_then(|end| b.get(start..end))
            .ok_or_else(|| corrupt(&entry.name))?;
        let budget = MAX_PART_BYTES.min(MAX_TOTAL_BYTES - self.inflated);
        let out = match entry.method {
            0 => {
                if data.len() > budget {
                    return Err(too_big());
                }
                data.to_vec()
            }
            8 => miniz_oxide::inflate::decompress_to_vec_with_limit(data, budget).map_err(|e| {
                if e.status == miniz_oxide::inflate::TINFLStatus::HasMoreOutput {
                    too_big()
                } else {
                    corrupt(&entry.name)
                }
            })?,
            m => {
                return Err(ImportError::Xlsx(format!("不支持的压缩方式 {m}（{}）", entry.name)));
            }
        };
        self.inflated += out.len();
        Ok(out)
    }
}

fn too_big() -> ImportError {
    ImportError::Xlsx(format!(
        "工作簿解压后超过 {} MB，已停止读取（可能是压缩炸弹）；请另存为 CSV 后再试",
        MAX_PART_BYTES >> 20
    ))
}
