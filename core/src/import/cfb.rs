//! The OLE compound file (MS-CFB) around a legacy .xls workbook: read its `Workbook` (or `Book`)
//! stream with every sector index checked and every chain bounded and loop-free, and write one
//! stream back into a minimal, well-formed container. The .xls reader hands calamine only that
//! rewritten container, so calamine's own container code never meets a malformed file.

/// Marks the end of a sector chain.
const END_OF_CHAIN: u32 = 0xFFFF_FFFE;
/// Unused sector.
const FREE_SECT: u32 = 0xFFFF_FFFF;
/// A sector that holds the FAT.
const FAT_SECT: u32 = 0xFFFF_FFFD;
/// A sector that holds DIFAT entries.
const DIF_SECT: u32 = 0xFFFF_FFFC;
/// Streams shorter than this live in the mini stream (calamine uses the same fixed cutoff).
pub(super) const MINI_CUTOFF: usize = 4096;
const MINI_SECTOR: usize = 64;
const SIGNATURE: &[u8; 8] = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1";
const HEADER_DIFAT: usize = 109;
const DIR_ENTRY: usize = 128;

fn u16_at(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(b.get(at..at.checked_add(2)?)?.try_into().ok()?))
}

fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(b.get(at..at.checked_add(4)?)?.try_into().ok()?))
}

fn u64_at(b: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_le_bytes(b.get(at..at.checked_add(8)?)?.try_into().ok()?))
}

/// Why a container cannot be read (shown to the person inside a longer message).
pub(super) type Why = &'static str;

struct Container<'a> {
    bytes: &'a [u8],
    sector: usize,
    /// Sectors that start inside the file (the last one may be short).
    sectors: usize,
    fat: Vec<u32>,
}

impl<'a> Container<'a> {
    fn sector(&self, id: u32) -> Option<&'a [u8]> {
        let id = usize::try_from(id).ok()?;
        if id >= self.sectors {
            return None;
        }
        let start = id.checked_add(1)?.checked_mul(self.sector)?;
        let end = start.saturating_add(self.sector).min(self.bytes.len());
        self.bytes.get(start..end)
    }

    /// The sectors of a chain in the FAT, at most `limit` bytes of them; a chain that loops,
    /// leaves the file or points outside the FAT is an error.
    fn chain(&self, start: u32, limit: usize) -> Result<Vec<u8>, Why> {
        let mut out = Vec::new();
        let mut seen = vec![false; self.sectors];
        let mut id = start;
        while id != END_OF_CHAIN && out.len() < limit {
            let i = usize::try_from(id).map_err(|_| "扇区编号无效")?;
            let slot = seen.get_mut(i).ok_or("扇区编号超出文件")?;
            if *slot {
                return Err("扇区链循环");
            }
            *slot = true;
            let data = self.sector(id).ok_or("扇区编号超出文件")?;
            let take = data.len().min(limit - out.len());
            out.extend_from_slice(data.get(..take).ok_or("扇区编号超出文件")?);
            id = *self.fat.get(i).ok_or("扇区链超出分配表")?;
        }
        Ok(out)
    }
}

/// The `Workbook` stream (or, in BIFF5 files, `Book`) of an OLE compound file.
pub(super) fn workbook_stream(bytes: &[u8]) -> Result<Vec<u8>, Why> {
    let header = bytes.get(..512).ok_or("文件过短")?;
    if header.get(..8) != Some(SIGNATURE.as_slice()) {
        return Err("不是 OLE 复合文档");
    }
    let sector = match u16_at(header, 30) {
        Some(9) => 512,
        Some(12) => 4096,
        _ => return Err("扇区大小无效"),
    };
    if u16_at(header, 32) != Some(6) {
        return Err("迷你扇区大小无效");
    }
    let sectors = bytes.len().saturating_sub(sector).div_ceil(sector);
    let per_sector = sector / 4;

    // The DIFAT: 109 entries in the header, then a chain of DIFAT sectors (each ending with the
    // next one's id), at most as many as there are sectors.
    let mut fat_sectors: Vec<u32> = (0..HEADER_DIFAT).filter_map(|i| u32_at(header, 76 + 4 * i)).collect();
    let mut next = u32_at(header, 68).ok_or("文件过短")?;
    let mut hops = 0usize;
    let mut bare = Container { bytes, sector, sectors, fat: Vec::new() };
    while next < DIF_SECT {
        hops += 1;
        if hops > sectors {
            return Err("DIFAT 链过长");
        }
        let data = bare.sector(next).ok_or("DIFAT 扇区超出文件")?;
        fat_sectors.extend((0..per_sector - 1).filter_map(|i| u32_at(data, 4 * i)));
        next = u32_at(data, 4 * (per_sector - 1)).ok_or("DIFAT 扇区不完整")?;
    }
    let mut fat = Vec::new();
    for id in fat_sectors.into_iter().filter(|id| *id < DIF_SECT) {
        if fat.len() / per_sector >= sectors {
            return Err("分配表过长");
        }
        let data = bare.sector(id).ok_or("分配表扇区超出文件")?;
        fat.extend((0..per_sector).map(|i| u32_at(data, 4 * i).unwrap_or(FREE_SECT)));
    }
    bare.fat = fat;
    let file = bare;

    let dir_start = u32_at(header, 48).ok_or("文件过短")?;
    let dirs = file.chain(dir_start, usize::MAX)?;
    let entries: Vec<&[u8]> = dirs.chunks_exact(DIR_ENTRY).collect();
    let root = entries.first().ok_or("目录为空")?;
    let named = |name: &str| {
        entries.iter().find(|e| {
            // As calamine reads it: all 32 units, up to the first NUL.
            let units: Vec<u16> = (0..32).filter_map(|i| u16_at(e, 2 * i)).take_while(|u| *u != 0).collect();
            String::from_utf16(&units).is_ok_and(|n| n.eq_ignore_ascii_case(name))
        })
    };
    let entry = named("Workbook").or_else(|| named("Book")).ok_or("找不到 Workbook 流")?;
    let start = u32_at(entry, 116).ok_or("目录项不完整")?;
    let size = if sector == 512 {
        u64::from(u32_at(entry, 120).ok_or("目录项不完整")?)
    } else {
        u64_at(entry, 120).ok_or("目录项不完整")?
    };
    let size = usize::try_from(size).ok().filter(|s| *s <= bytes.len()).ok_or("流长度超出文件")?;

    let stream = if size < MINI_CUTOFF {
        // A short stream lives in the mini stream (the root entry's chain), cut into 64-byte
        // sectors chained by the mini FAT (its own chain in the FAT).
        let root_start = u32_at(root, 116).ok_or("目录项不完整")?;
        let root_size = u32_at(root, 120).ok_or("目录项不完整")?;
        let root_size = usize::try_from(root_size).map_err(|_| "迷你流过长")?.min(bytes.len());
        let mini = file.chain(root_start, root_size)?;
        let mini_fat_start = u32_at(header, 60).ok_or("文件过短")?;
        let mini_fat_bytes = file.chain(mini_fat_start, bytes.len())?;
        let mini_fat: Vec<u32> = mini_fat_bytes.chunks_exact(4).filter_map(|c| u32_at(c, 0)).collect();
        let count = mini.len().div_ceil(MINI_SECTOR);
        let mut seen = vec![false; count];
        let mut out = Vec::with_capacity(size);
        let mut id = start;
        while id != END_OF_CHAIN && out.len() < size {
            let i = usize::try_from(id).map_err(|_| "迷你扇区编号无效")?;
            let slot = seen.get_mut(i).ok_or("迷你扇区超出迷你流")?;
            if *slot {
                return Err("迷你扇区链循环");
            }
            *slot = true;
            let from = i * MINI_SECTOR;
            let data = mini.get(from..(from + MINI_SECTOR).min(mini.len())).ok_or("迷你扇区超出迷你流")?;
            let take = data.len().min(size - out.len());
            out.extend_from_slice(data.get(..take).ok_or("迷你扇区超出迷你流")?);
            id = *mini_fat.get(i).ok_or("迷你扇区链超出分配表")?;
        }
        out
    } else {
        file.chain(start, size)?
    };
    if stream.len() < size {
        return Err("流被截断");
    }
    Ok(stream)
}

/// A minimal compound file (version 3, 512-byte sectors) holding `data` as its `Workbook` stream.
/// `data` should be at least [`MINI_CUTOFF`] bytes long so that it needs no mini stream.
pub(super) fn single_stream(data: &[u8]) -> Vec<u8> {
    const SECTOR: usize = 512;
    const PER: usize = SECTOR / 4;
    let data_sectors = data.len().div_ceil(SECTOR);
    // The FAT covers the data, the directory sector, the FAT itself and any DIFAT sectors.
    let (mut fats, mut difats) = (0usize, 0usize);
    loop {
        let total = data_sectors + 1 + fats + difats;
        let need_fats = total.div_ceil(PER);
        let need_difats = need_fats.saturating_sub(HEADER_DIFAT).div_ceil(PER - 1);
        if need_fats == fats && need_difats == difats {
            break;
        }
        (fats, difats) = (need_fats, need_difats);
    }
    let dir = data_sectors;
    let fat_first = dir + 1;
    let difat_first = fat_first + fats;
    let total = difat_first + difats;
    let id = |i: usize| u32::try_from(i).unwrap_or(END_OF_CHAIN);

    let mut out = Vec::with_capacity((total + 1) * SECTOR);
    let mut header = [0u8; SECTOR];
    header[..8].copy_from_slice(SIGNATURE);
    header[24..26].copy_from_slice(&0x003Eu16.to_le_bytes());
    header[26..28].copy_from_slice(&3u16.to_le_bytes());
    header[28..30].copy_from_slice(&0xFFFEu16.to_le_bytes());
    header[30..32].copy_from_slice(&9u16.to_le_bytes());
    header[32..34].copy_from_slice(&6u16.to_le_bytes());
    header[44..48].copy_from_slice(&id(fats).to_le_bytes());
    header[48..52].copy_from_slice(&id(dir).to_le_bytes());
    header[56..60].copy_from_slice(&id(MINI_CUTOFF).to_le_bytes());
    header[60..64].copy_from_slice(&END_OF_CHAIN.to_le_bytes());
    let difat_start = if difats == 0 { END_OF_CHAIN } else { id(difat_first) };
    header[68..72].copy_from_slice(&difat_start.to_le_bytes());
    header[72..76].copy_from_slice(&id(difats).to_le_bytes());
    for (i, slot) in header[76..].chunks_exact_mut(4).enumerate() {
        let v = if i < fats { id(fat_first + i) } else { FREE_SECT };
        slot.copy_from_slice(&v.to_le_bytes());
    }
    out.extend_from_slice(&header);

    out.extend_from_slice(data);
    out.resize(SECTOR + data_sectors * SECTOR, 0);

    let mut directory = [0u8; SECTOR];
    let entry = |e: &mut [u8], name: &str, kind: u8, child: u32, start: u32, size: u32| {
        let units: Vec<u16> = name.encode_utf16().collect();
        for (i, u) in units.iter().enumerate() {
            e[2 * i..2 * i + 2].copy_from_slice(&u.to_le_bytes());
        }
        let name_len = u16::try_from(2 * (units.len() + 1)).unwrap_or(64);
        e[64..66].copy_from_slice(&name_len.to_le_bytes());
        e[66] = kind;
        e[67] = 1; // black
        e[68..72].copy_from_slice(&FREE_SECT.to_le_bytes());
        e[72..76].copy_from_slice(&FREE_SECT.to_le_bytes());
        e[76..80].copy_from_slice(&child.to_le_bytes());
        e[116..120].copy_from_slice(&start.to_le_bytes());
        e[120..124].copy_from_slice(&size.to_le_bytes());
    };
    let (root, rest) = directory.split_at_mut(DIR_ENTRY);
    entry(root, "Root Entry", 5, 1, END_OF_CHAIN, 0);
    let (book, rest) = rest.split_at_mut(DIR_ENTRY);
    let size = u32::try_from(data.len()).unwrap_or(u32::MAX);
    entry(book, "Workbook", 2, FREE_SECT, if data_sectors == 0 { END_OF_CHAIN } else { 0 }, size);
    for e in rest.chunks_exact_mut(DIR_ENTRY) {
        e[68..80].fill(0xFF);
    }
    out.extend_from_slice(&directory);

    let mut fat = vec![FREE_SECT; fats * PER];
    for (i, slot) in fat.iter_mut().enumerate().take(total) {
        *slot = if i + 1 < data_sectors {
            id(i + 1)
        } else if i < data_sectors || i == dir {
            END_OF_CHAIN
        } else if i < difat_first {
            FAT_SECT
        } else {
            DIF_SECT
        };
    }
    out.extend(fat.iter().flat_map(|v| v.to_le_bytes()));

    // FAT sectors past the header's 109, 127 to a DIFAT sector, each ending with the next one.
    for d in 0..difats {
        let mut sector = [FREE_SECT; PER];
        for (k, slot) in sector.iter_mut().take(PER - 1).enumerate() {
            let f = HEADER_DIFAT + d * (PER - 1) + k;
            if f < fats {
                *slot = id(fat_first + f);
            }
        }
        sector[PER - 1] = if d + 1 < difats { id(difat_first + d + 1) } else { END_OF_CHAIN };
        out.extend(sector.iter().flat_map(|v| v.to_le_bytes()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_written_stream_reads_back() {
        for len in [4096, 5000, 512 * 128 * 110 + 7] {
            let data: Vec<u8> = (0..len).map(|i| (i % 251) as u8).collect();
            let file = single_stream(&data);
            assert_eq!(workbook_stream(&file).as_deref(), Ok(data.as_slice()), "{len}");
        }
    }

    #[test]
    fn a_looping_chain_is_an_error() {
        let data = vec![7u8; 4096];
        let mut file = single_stream(&data);
        // The FAT follows the 8 data sectors and the directory: point sector 3 back at sector 1.
        let fat = 512 + 9 * 512;
        file[fat + 12..fat + 16].copy_from_slice(&1u32.to_le_bytes());
        assert_eq!(workbook_stream(&file), Err("扇区链循环"));
    }
}
