//! JSON: an array of objects (keys are the columns), an array of arrays (the first is the
//! header), or an object holding one such array (`{"records": […]}`).
//!
//! Read in one streaming pass straight into a [`Grid`], with no document tree in between (a
//! `serde_json::Value` per value would be up to ~16× the text). Keys are columns, so more than
//! [`MAX_COLUMNS`] distinct keys is an error; so is a grid past [`MAX_CELLS`] cells.

use std::collections::HashMap;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use super::{Grid, ImportError, MAX_CELLS, MAX_COLUMNS};

pub fn read(text: &str) -> Result<Grid, ImportError> {
    let mut b = Builder::default();
    let mut de = serde_json::Deserializer::from_str(text);
    let parsed = Top(&mut b).deserialize(&mut de).and_then(|()| de.end());
    if let Some(e) = b.error.take() {
        return Err(e);
    }
    parsed.map_err(|e| ImportError::Json(format!("第 {} 行第 {} 列：{}", e.line(), e.column(), e)))?;
    b.finish()
}

/// What one element of the records array was.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Array,
    Object,
    Other,
}

#[derive(Default)]
struct Builder {
    grid: Grid,
    /// Each element: its kind and its cells.
    kinds: Vec<Kind>,
    /// Every object key (a column) to its column.
    columns: HashMap<String, u32>,
    /// The keys in order of first appearance (string indices): the header row.
    header: Vec<u32>,
    /// How many records arrays were found (an object must hold exactly one).
    arrays: usize,
    /// Why reading stopped, when it was not the JSON syntax.
    error: Option<ImportError>,
    /// Scratch for one row.
    row: Vec<u32>,
}

fn stop<E: de::Error>(b: &mut Builder, e: ImportError) -> E {
    b.error = Some(e);
    E::custom("stopped")
}

fn too_many_cells() -> ImportError {
    ImportError::Json(format!("记录太多：超过 {MAX_CELLS} 个单元格，请拆分文件后分批检查"))
}

impl Builder {
    fn push<E: de::Error>(&mut self, kind: Kind) -> Result<(), E> {
        let number = u32::try_from(self.kinds.len() + 1).unwrap_or(u32::MAX);
        let row = std::mem::take(&mut self.row);
        let pushed = self.grid.push_row(number, &row);
        self.row = row;
        self.row.clear();
        self.kinds.push(kind);
        pushed.map_err(|_| stop(self, too_many_cells()))
    }

    fn finish(mut self) -> Result<Grid, ImportError> {
        if self.kinds.is_empty() {
            return Err(ImportError::Empty);
        }
        if self.kinds.iter().all(|&k| k == Kind::Array) {
            return Ok(self.grid);
        }
        // Objects: the header row is the union of keys in order of first appearance, numbered 0 so
        // that each element keeps its own 1-based index. An array among objects is one cell, as
        // written (an unreadable row, reported by the row parser).
        for i in 0..self.grid.len() {
            // Rows keep their element's number (blank ones are not kept): that says their kind.
            let Some((number, row)) = self.grid.row(i) else { continue };
            if self.kinds.get((number as usize).wrapping_sub(1)) != Some(&Kind::Array) {
                continue;
            }
            let text = format!("[{}]", (0..row.len()).map(|c| row.get(c)).collect::<Vec<_>>().join(","));
            let cell = self.grid.add(&text);
            self.grid.replace_row(i, &[cell]).map_err(|_| too_many_cells())?;
        }
        self.grid.insert_first_row(0, &self.header).map_err(|_| too_many_cells())?;
        Ok(self.grid)
    }
}

impl Builder {
    /// The column of object key `key`, added on first sight.
    fn column<E: de::Error>(&mut self, key: String) -> Result<usize, E> {
        if let Some(&c) = self.columns.get(&key) {
            return Ok(c as usize);
        }
        if self.columns.len() >= MAX_COLUMNS {
            return Err(stop(
                self,
                ImportError::Json(format!(
                    "记录的键（列）超过 {MAX_COLUMNS} 个，无法读取；学时记录通常只有十几列，请删除多余的键后再检查"
                )),
            ));
        }
        let c = self.header.len();
        self.header.push(self.grid.add(&key));
        self.columns.insert(key, u32::try_from(c).unwrap_or(u32::MAX));
        Ok(c)
    }

    /// Puts `cell` in column `col` of the row being read. Past [`MAX_COLUMNS`], the first filled
    /// cell is kept in one extra column, so the checker can say the row is too wide.
    fn place(&mut self, col: usize, cell: u32) {
        let col = col.min(MAX_COLUMNS);
        if col == MAX_COLUMNS && (cell == 0 || self.row.get(col).is_some_and(|&c| c != 0)) {
            return;
        }
        if self.row.len() <= col {
            self.row.resize(col + 1, 0);
        }
        self.row[col] = cell;
    }
}

fn not_records<E: de::Error>(b: &mut Builder) -> E {
    stop(b, ImportError::Json("需要一个记录数组，例如 [{\"课程名称\": …, \"学时\": 4}]".to_owned()))
}

fn records<'de, A: SeqAccess<'de>>(b: &mut Builder, mut seq: A) -> Result<(), A::Error> {
    while let Some(kind) = seq.next_element_seed(Item(b))? {
        b.push::<A::Error>(kind)?;
    }
    Ok(())
}

/// The whole document: the records array, or an object holding exactly one array.
struct Top<'b>(&'b mut Builder);

impl<'de> DeserializeSeed<'de> for Top<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Top<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a records array")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<(), A::Error> {
        self.0.arrays += 1;
        records(self.0, seq)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while map.next_key::<IgnoredAny>()?.is_some() {
            map.next_value_seed(MaybeRecords(&mut *self.0))?;
        }
        if self.0.arrays != 1 {
            return Err(not_records(self.0));
        }
        Ok(())
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
        Err(not_records(self.0))
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<(), E> {
        Err(not_records(self.0))
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<(), E> {
        Err(not_records(self.0))
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<(), E> {
        Err(not_records(self.0))
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<(), E> {
        Err(not_records(self.0))
    }
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Err(not_records(self.0))
    }
}

/// A value of the wrapping object: the records when it is the first array, else skipped.
struct MaybeRecords<'b>(&'b mut Builder);

impl<'de> DeserializeSeed<'de> for MaybeRecords<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for MaybeRecords<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any value")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        self.0.arrays += 1;
        if self.0.arrays > 1 {
            while seq.next_element::<IgnoredAny>()?.is_some() {}
            return Ok(());
        }
        records(self.0, seq)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(())
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
        Ok(())
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<(), E> {
        Ok(())
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<(), E> {
        Ok(())
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<(), E> {
        Ok(())
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<(), E> {
        Ok(())
    }
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }
}

/// One element of the records array, read into `Builder::row`.
struct Item<'b>(&'b mut Builder);

impl<'de> DeserializeSeed<'de> for Item<'_> {
    type Value = Kind;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Kind, D::Error> {
        d.deserialize_any(self)
    }
}

impl Item<'_> {
    fn scalar(self, text: &str) -> Kind {
        let cell = self.0.grid.add(text);
        self.0.row.push(cell);
        Kind::Other
    }
}

impl<'de> Visitor<'de> for Item<'_> {
    type Value = Kind;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a record")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Kind, A::Error> {
        let mut col = 0;
        while let Some(cell) = seq.next_element_seed(Cell(&mut *self.0))? {
            self.0.place(col, cell);
            col += 1;
        }
        Ok(Kind::Array)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Kind, A::Error> {
        while let Some(key) = map.next_key::<String>()? {
            let col = self.0.column(key)?;
            let cell = map.next_value_seed(Cell(&mut *self.0))?;
            self.0.place(col, cell);
        }
        Ok(Kind::Object)
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Kind, E> {
        Ok(self.scalar(if v { "是" } else { "否" }))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Kind, E> {
        Ok(self.scalar(&v.to_string()))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Kind, E> {
        Ok(self.scalar(&v.to_string()))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Kind, E> {
        Ok(self.scalar(&float(v)))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Kind, E> {
        Ok(self.scalar(v))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Kind, E> {
        Ok(self.scalar(""))
    }
}

fn float(v: f64) -> String {
    serde_json::Number::from_f64(v).map_or_else(String::new, |n| n.to_string())
}

/// One value inside a record: its cell text, stored in the grid.
struct Cell<'b>(&'b mut Builder);

impl<'de> DeserializeSeed<'de> for Cell<'_> {
    type Value = u32;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<u32, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Cell<'_> {
    type Value = u32;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a value")
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<u32, E> {
        Ok(self.0.grid.add(if v { "是" } else { "否" }))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<u32, E> {
        Ok(self.0.grid.add(&v.to_string()))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<u32, E> {
        Ok(self.0.grid.add(&v.to_string()))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<u32, E> {
        Ok(self.0.grid.add(&float(v)))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<u32, E> {
        Ok(self.0.grid.add(v))
    }
    fn visit_unit<E: de::Error>(self) -> Result<u32, E> {
        Ok(0)
    }
    // A nested array or object is one cell: its JSON text.
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<u32, A::Error> {
        let mut text = String::new();
        ToText(&mut text).visit_seq(seq)?;
        Ok(self.0.grid.add(&text))
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<u32, A::Error> {
        let mut text = String::new();
        ToText(&mut text).visit_map(map)?;
        Ok(self.0.grid.add(&text))
    }
}

/// Writes a value back as compact JSON text.
struct ToText<'s>(&'s mut String);

impl<'de> DeserializeSeed<'de> for ToText<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

fn quoted(out: &mut String, s: &str) {
    out.push_str(&serde_json::to_string(s).unwrap_or_default());
}

impl<'de> Visitor<'de> for ToText<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a value")
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<(), E> {
        self.0.push_str(if v { "true" } else { "false" });
        Ok(())
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<(), E> {
        self.0.push_str(&v.to_string());
        Ok(())
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<(), E> {
        self.0.push_str(&v.to_string());
        Ok(())
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<(), E> {
        self.0.push_str(&float(v));
        Ok(())
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<(), E> {
        quoted(self.0, v);
        Ok(())
    }
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        self.0.push_str("null");
        Ok(())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        self.0.push('[');
        let mut first = true;
        loop {
            let at = self.0.len();
            if !first {
                self.0.push(',');
            }
            if seq.next_element_seed(ToText(&mut *self.0))?.is_none() {
                self.0.truncate(at);
                break;
            }
            first = false;
        }
        self.0.push(']');
        Ok(())
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        self.0.push('{');
        let mut first = true;
        while let Some(key) = map.next_key::<String>()? {
            if !first {
                self.0.push(',');
            }
            first = false;
            quoted(self.0, &key);
            self.0.push(':');
            map.next_value_seed(ToText(&mut *self.0))?;
        }
        self.0.push('}');
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cells(g: &Grid, i: usize) -> (u32, Vec<String>) {
        let (n, r) = g.row(i).unwrap();
        (n, (0..r.len()).map(|c| r.get(c).to_owned()).collect())
    }

    #[test]
    fn array_of_objects() {
        let g = read(r#"[{"课程名称":"知识产权","学时":4.5,"是否合格":true},{"学时":"2","课程名称":null,"x":[1,"a",{"b":null}]}]"#)
            .unwrap();
        let (n0, header) = cells(&g, 0);
        assert_eq!(n0, 0);
        assert_eq!(g.row(1).unwrap().0, 1);
        assert_eq!(g.row(2).unwrap().0, 2);
        let col = |name: &str| header.iter().position(|k| k == name).unwrap();
        let get = |i: usize, c: usize| cells(&g, i).1.get(c).cloned().unwrap_or_default();
        assert_eq!(get(1, col("学时")), "4.5");
        assert_eq!(get(1, col("是否合格")), "是");
        assert_eq!(get(2, col("课程名称")), "");
        assert_eq!(get(2, col("x")), r#"[1,"a",{"b":null}]"#);
    }

    #[test]
    fn array_of_arrays_and_wrapped() {
        let g = read(r#"[["课程","学时"],["a",4]]"#).unwrap();
        assert_eq!(cells(&g, 1), (2, vec!["a".to_owned(), "4".to_owned()]));
        let g = read(r#"{"records":[{"学时":4}],"note":"x"}"#).unwrap();
        assert_eq!(g.len(), 2);
        // An array among objects is one unreadable cell.
        let g = read(r#"[{"学时":4},[1,2]]"#).unwrap();
        assert_eq!(cells(&g, 2), (2, vec!["[1,2]".to_owned()]));
    }

    #[test]
    fn errors_say_where() {
        let e = read("[{\"a\":1,}]").unwrap_err();
        assert!(matches!(&e, ImportError::Json(m) if m.contains("第 1 行")), "{e:?}");
        assert_eq!(read("[]").unwrap_err(), ImportError::Empty);
        assert!(matches!(read("42"), Err(ImportError::Json(_))));
        assert!(matches!(read(r#"{"a":[1],"b":[2]}"#), Err(ImportError::Json(_))));
        assert!(matches!(read(r#"{"a":1}"#), Err(ImportError::Json(_))));
    }

    #[test]
    fn too_many_keys_is_an_error() {
        let keys: Vec<String> = (0..=MAX_COLUMNS).map(|i| format!("\"k{i}\":1")).collect();
        let e = read(&format!("[{{{}}}]", keys.join(","))).unwrap_err();
        assert!(e.to_string().contains(&MAX_COLUMNS.to_string()), "{e}");
    }
}
