//! JSON: an array of objects (keys are the columns), an array of arrays (the first is the
//! header), or an object holding one such array (`{"records": […]}`).

use serde_json::Value;

use super::{Grid, GridRow, ImportError};

pub fn read(text: &str) -> Result<Grid, ImportError> {
    let value: Value = serde_json::from_str(text)
        .map_err(|e| ImportError::Json(format!("第 {} 行第 {} 列：{}", e.line(), e.column(), e)))?;
    let items = match value {
        Value::Array(items) => items,
        Value::Object(map) => {
            let mut arrays = map.into_iter().filter_map(|(_, v)| match v {
                Value::Array(a) => Some(a),
                _ => None,
            });
            match (arrays.next(), arrays.next()) {
                (Some(a), None) => a,
                _ => {
                    return Err(ImportError::Json(
                        "需要一个记录数组，例如 [{\"课程名称\": …, \"学时\": 4}]".to_owned(),
                    ));
                }
            }
        }
        _ => return Err(ImportError::Json("需要一个记录数组".to_owned())),
    };
    if items.is_empty() {
        return Err(ImportError::Empty);
    }
    if items.iter().all(Value::is_array) {
        let rows = items
            .into_iter()
            .enumerate()
            .map(|(i, v)| GridRow {
                number: index(i),
                cells: v.as_array().map(|a| a.iter().map(cell).collect()).unwrap_or_default(),
            })
            .collect();
        return Ok(Grid { rows });
    }
    // Objects: the header row is the union of keys in order of first appearance, numbered 0 so
    // that each element keeps its own 1-based index.
    let mut keys: Vec<String> = Vec::new();
    for item in &items {
        if let Value::Object(map) = item {
            for k in map.keys() {
                if !keys.contains(k) {
                    keys.push(k.clone());
                }
            }
        }
    }
    let mut rows = Vec::with_capacity(items.len() + 1);
    rows.push(GridRow { number: 0, cells: keys.clone() });
    for (i, item) in items.iter().enumerate() {
        let cells = match item {
            Value::Object(map) => keys.iter().map(|k| map.get(k).map(cell).unwrap_or_default()).collect(),
            // Not a record: an unreadable row, reported by the row parser as missing every value.
            other => vec![cell(other)],
        };
        rows.push(GridRow { number: index(i), cells });
    }
    Ok(Grid { rows })
}

fn index(i: usize) -> u32 {
    u32::try_from(i + 1).unwrap_or(u32::MAX)
}

fn cell(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::Bool(true) => "是".to_owned(),
        Value::Bool(false) => "否".to_owned(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn array_of_objects() {
        let g = read(r#"[{"课程名称":"知识产权","学时":4.5,"是否合格":true},{"学时":"2","课程名称":null,"x":[1]}]"#)
            .unwrap();
        assert_eq!(g.rows[0].number, 0);
        assert_eq!(g.rows[1].number, 1);
        assert_eq!(g.rows[2].number, 2);
        let col = |name: &str| g.rows[0].cells.iter().position(|k| k == name).unwrap();
        assert_eq!(g.rows[1].cells[col("学时")], "4.5");
        assert_eq!(g.rows[1].cells[col("是否合格")], "是");
        assert_eq!(g.rows[2].cells[col("课程名称")], "");
        assert_eq!(g.rows[2].cells[col("x")], "[1]");
    }

    #[test]
    fn array_of_arrays_and_wrapped() {
        let g = read(r#"[["课程","学时"],["a",4]]"#).unwrap();
        assert_eq!((g.rows[1].number, g.rows[1].cells.clone()), (2, vec!["a".to_owned(), "4".to_owned()]));
        let g = read(r#"{"records":[{"学时":4}]}"#).unwrap();
        assert_eq!(g.rows.len(), 2);
    }

    #[test]
    fn errors_say_where() {
        let e = read("[{\"a\":1,}]").unwrap_err();
        assert!(matches!(&e, ImportError::Json(m) if m.contains("第 1 行")), "{e:?}");
        assert_eq!(read("[]").unwrap_err(), ImportError::Empty);
        assert!(matches!(read("42"), Err(ImportError::Json(_))));
        assert!(matches!(read(r#"{"a":[1],"b":[2]}"#), Err(ImportError::Json(_))));
    }
}
