//! Every import variant of the issue: formats, encodings, header positions, values.

mod common;
use common::*;
use jxjy_core::report::Reason;
use jxjy_core::{Format, ImportError};

fn check_bytes(bytes: &[u8]) -> Result<jxjy_core::Report, ImportError> {
    jxjy_core::check(bytes, &policy(), day("2020-11-01"))
}

const SHEET: &str = "课程名称,科目类型,学时,完成日期,考核结果\n知识产权,公需必修,24,2020-04-01,合格\n机械设计,专业科目,4.5,2020/5/6,合格\n";

#[test]
fn utf8_with_bom() {
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    bytes.extend_from_slice(SHEET.as_bytes());
    let r = check_bytes(&bytes).unwrap();
    assert_eq!(r.format, Format::Csv);
    assert_eq!(only(&r).hours.total, h("28.5"));
    assert!(r.columns.0.iter().any(|(l, f)| l == "课程名称" && *f == "course"));
}

#[test]
fn gbk_csv_as_excel_saves_it() {
    let crlf = SHEET.replace('\n', "\r\n");
    let (gbk, _, bad) = encoding_rs::GBK.encode(&crlf);
    assert!(!bad);
    let r = check_bytes(&gbk).unwrap();
    assert_eq!(only(&r).hours.total, h("28.5"));
    assert_eq!(only(&r).hours.public_compulsory, h("24"));
}

#[test]
fn gb18030_only_characters() {
    // 𠀀 is outside GBK but inside GB18030.
    let text = "课程名称,科目类型,学时,完成日期\n𠀀讲座,专业科目,2,2020-04-01\n";
    let (bytes, _, _) = encoding_rs::GB18030.encode(text);
    let r = check_bytes(&bytes).unwrap();
    assert_eq!(only(&r).hours.professional, h("2"));
}

#[test]
fn utf16le_tab_separated_unicode_text() {
    let tsv = SHEET.replace(',', "\t").replace('\n', "\r\n");
    let mut bytes = vec![0xFF, 0xFE];
    bytes.extend(tsv.encode_utf16().flat_map(u16::to_le_bytes));
    let r = check_bytes(&bytes).unwrap();
    assert_eq!(r.format, Format::Tsv);
    assert_eq!(only(&r).hours.total, h("28.5"));
}

#[test]
fn tsv_pasted_from_excel_with_quoted_multiline_cell() {
    let tsv =
        "课程名称\t科目类型\t学时\t完成日期\n\"专业\n讲座\"\t专业科目\t4\t2020-04-01\n思想\t公需必修\t24\t2020-04-02\n";
    let r = check_bytes(tsv.as_bytes()).unwrap();
    assert_eq!(r.format, Format::Tsv);
    assert_eq!(only(&r).hours.total, h("28"));
}

#[test]
fn title_rows_serial_column_blank_rows_and_columns_and_trailing_lines() {
    let csv = "2020年度专业技术人员继续教育学时明细表\n单位：某某医院,,,,,\n\n序号,,课程名称,科目类型,学时,完成日期\n1,,知识产权,公需必修,24,2020-04-01\n\n2,,机械设计,专业科目,4.5,2020-05-06\n,,,,,\n\n\n";
    let r = check_bytes(csv.as_bytes()).unwrap();
    assert_eq!(r.header_row, 4);
    assert_eq!(only(&r).hours.total, h("28.5"));
    assert_eq!(r.rows.data, 2);
}

#[test]
fn row_numbers_are_what_a_spreadsheet_shows() {
    let csv = "标题\n\n课程名称,科目类型,学时,完成日期\n\n坏,专业科目,x,2020-04-01\n";
    let r = check_bytes(csv.as_bytes()).unwrap();
    assert_eq!(r.errors[0].row, 5);
}

#[test]
fn english_headers() {
    let csv = "Course Name,Category,Nature,Hours,Completion Date,Result,Filed\nIP law,Public,Compulsory,24,2020-04-01,pass,yes\nCNC,Professional,,60,2020-05-01,passed,yes\nEthics,public,elective,6,2020-06-01,PASS,Y\n";
    let r = check_bytes(csv.as_bytes()).unwrap();
    let p = only(&r);
    assert_eq!(p.hours.public_compulsory, h("24"));
    assert_eq!(p.hours.professional, h("60"));
    assert!(p.compliant);
}

#[test]
fn header_synonyms_of_real_exports() {
    let csv = "姓名,培训项目,学时类别,必修选修,获得学时,培训时间,考试结果,学习方式,备案情况,补学年度\n\
               张三,思想,公需科目,必修,24,2020-04-01至2020-04-03,通过,网络,已备案,\n\
               张三,讲座,专业课,,4学时,2020年5月6日,√,面授,是,2020\n";
    let r = check_bytes(csv.as_bytes()).unwrap();
    assert_eq!(r.people[0].person, "张三");
    assert_eq!(r.people[0].hours.total, h("28"));
    let fields: Vec<&str> = r.columns.0.iter().map(|(_, f)| *f).collect();
    assert_eq!(fields, ["name", "course", "category", "nature", "hours", "date", "exam", "mode", "filing", "year"]);
}

#[test]
fn value_variants() {
    let csv = "课程名称,科目类型,学时,完成日期,考核结果,是否备案\n\
               a,公需,４．５,43927,合格,是\n\
               b,公需课,1学时,20200410,通过,已备案\n\
               c,专业,2,2020.4.11,pass,√\n\
               d,专业科目,3,2020年4月12日,不合格,是\n\
               e,专业课,1,2020-04-13,未通过,是\n\
               f,专业课,1,2020-04-14,合格,未备案\n";
    let r = check_bytes(csv.as_bytes()).unwrap();
    let p = only(&r);
    assert_eq!(p.hours.public_elective, h("5.5"));
    assert_eq!(p.hours.professional, h("2"));
    assert_eq!(reasons(p), [(5, Reason::ExamNotPassed), (6, Reason::ExamNotPassed), (7, Reason::NotFiled)]);
    assert!(r.errors.is_empty(), "{:?}", r.errors);
}

#[test]
fn json_array_rows_are_element_indexes() {
    let json = r#"[
        {"课程名称": "知识产权", "科目类型": "公需必修", "学时": 24, "完成日期": "2020-04-01"},
        {"课程名称": "讲座", "科目类型": "专业科目", "学时": "abc", "完成日期": "2020-04-01"},
        {"课程名称": "机械", "科目类型": "专业科目", "学时": 4.5, "完成日期": "2020-05-01"}
    ]"#;
    let r = check_bytes(json.as_bytes()).unwrap();
    assert_eq!(r.format, Format::Json);
    assert_eq!(only(&r).hours.total, h("28.5"));
    assert_eq!(r.errors[0].row, 2);
}

fn xlsx_fixture() -> Vec<u8> {
    use rust_xlsxwriter::{ExcelDateTime, Format as XFormat, Workbook};
    let mut wb = Workbook::new();
    let date = XFormat::new().set_num_format("yyyy-mm-dd");
    // An empty first sheet: the reader takes the first sheet with data.
    wb.add_worksheet().set_name("说明").unwrap();
    let ws = wb.add_worksheet();
    ws.write_string(0, 0, "2020年度继续教育学时").unwrap();
    for (c, head) in ["序号", "姓名", "课程名称", "科目类型", "学时", "完成日期", "考核结果"].iter().enumerate()
    {
        ws.write_string(2, c as u16, *head).unwrap();
    }
    type Row<'a> = (&'a str, &'a str, &'a str, f64, (u16, u8, u8), &'a str);
    let rows: [Row<'_>; 4] = [
        ("张三", "知识产权 & 专利", "公需必修", 24.0, (2020, 4, 1), "合格"),
        ("张三", "机械<设计>", "专业科目", 4.5, (2020, 5, 6), "合格"),
        ("李四", "讲座", "专业科目", 0.1 + 0.2, (2020, 6, 1), "不合格"),
        ("李四", "坏行", "其他", 2.0, (2020, 6, 2), "合格"),
    ];
    for (i, (name, course, cat, hours, (y, m, d), result)) in rows.iter().enumerate() {
        let r = 3 + i as u32;
        ws.write_number(r, 0, (i + 1) as f64).unwrap();
        ws.write_string(r, 1, *name).unwrap();
        ws.write_string(r, 2, *course).unwrap();
        ws.write_string(r, 3, *cat).unwrap();
        ws.write_number(r, 4, *hours).unwrap();
        ws.write_datetime_with_format(r, 5, ExcelDateTime::from_ymd(*y, *m, *d).unwrap(), &date).unwrap();
        ws.write_string(r, 6, *result).unwrap();
    }
    wb.save_to_buffer().unwrap()
}

#[test]
fn xlsx_first_sheet_with_data_sheet_row_numbers_and_serial_dates() {
    let r = check_bytes(&xlsx_fixture()).unwrap();
    assert_eq!(r.format, Format::Xlsx);
    assert_eq!(r.header_row, 3);
    assert_eq!(r.people.len(), 2);
    let zhang = &r.people[0];
    assert_eq!(zhang.person, "张三");
    assert_eq!(zhang.hours.total, h("28.5"));
    let li = &r.people[1];
    assert_eq!(li.excluded[0].row, 6);
    assert_eq!(li.excluded[0].hours, h("0.3"));
    assert_eq!(li.excluded[0].reason, Reason::ExamNotPassed);
    assert_eq!((r.errors[0].row, r.errors[0].column.as_str()), (7, "科目类型"));
    assert!(r.rows.data == 4 && r.rows.counted == 2);
}

#[test]
fn xlsx_zip_bomb_is_an_error() {
    // A valid zip whose sheet inflates to 80 MB of spaces.
    let huge = vec![b' '; 80 << 20];
    let deflated = miniz_oxide::deflate::compress_to_vec(&huge, 6);
    let zip = stored_zip(&[("xl/worksheets/sheet1.xml", 8, &deflated, huge.len())]);
    let e = check_bytes(&zip).unwrap_err();
    assert!(matches!(&e, ImportError::Xlsx(m) if m.contains("压缩炸弹")), "{e:?}");
}

#[test]
fn corrupt_and_truncated_workbooks_are_errors() {
    let good = xlsx_fixture();
    for cut in [10, good.len() / 2, good.len() - 30] {
        let e = check_bytes(&good[..cut]).unwrap_err();
        assert!(matches!(e, ImportError::Xlsx(_) | ImportError::Empty), "{cut}: {e:?}");
    }
    let mut flipped = good.clone();
    for b in flipped.iter_mut().skip(200).step_by(97) {
        *b ^= 0x5A;
    }
    // Damaged bytes inside the parts: any outcome but a panic is acceptable.
    let _ = check_bytes(&flipped);
}

/// A minimal zip with the given (name, method, data, uncompressed size) entries.
fn stored_zip(entries: &[(&str, u16, &[u8], usize)]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut central = Vec::new();
    for (name, method, data, size) in entries {
        let offset = out.len() as u32;
        out.extend_from_slice(&0x0403_4b50u32.to_le_bytes());
        out.extend_from_slice(&[20, 0, 0, 0]);
        out.extend_from_slice(&method.to_le_bytes());
        out.extend_from_slice(&[0; 8]);
        out.extend_from_slice(&(data.len() as u32).to_le_bytes());
        out.extend_from_slice(&(*size as u32).to_le_bytes());
        out.extend_from_slice(&(name.len() as u16).to_le_bytes());
        out.extend_from_slice(&0u16.to_le_bytes());
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(data);
        central.extend_from_slice(&0x0201_4b50u32.to_le_bytes());
        central.extend_from_slice(&[20, 0, 20, 0, 0, 0]);
        central.extend_from_slice(&method.to_le_bytes());
        central.extend_from_slice(&[0; 8]);
        central.extend_from_slice(&(data.len() as u32).to_le_bytes());
        central.extend_from_slice(&(*size as u32).to_le_bytes());
        central.extend_from_slice(&(name.len() as u16).to_le_bytes());
        central.extend_from_slice(&[0; 12]);
        central.extend_from_slice(&offset.to_le_bytes());
        central.extend_from_slice(name.as_bytes());
    }
    let dir_offset = out.len() as u32;
    out.extend_from_slice(&central);
    out.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
    out.extend_from_slice(&[0; 4]);
    out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
    out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
    out.extend_from_slice(&(central.len() as u32).to_le_bytes());
    out.extend_from_slice(&dir_offset.to_le_bytes());
    out.extend_from_slice(&[0, 0]);
    out
}

#[test]
fn hand_made_zip_with_stored_sheet_reads() {
    let sheet = r#"<worksheet><sheetData><row r="1"><c t="inlineStr"><is><t>课程名称</t></is></c><c t="inlineStr"><is><t>科目类型</t></is></c><c t="inlineStr"><is><t>学时</t></is></c><c t="inlineStr"><is><t>完成日期</t></is></c></row><row r="2"><c t="inlineStr"><is><t>a</t></is></c><c t="inlineStr"><is><t>专业科目</t></is></c><c><v>60</v></c><c><v>43927</v></c></row></sheetData></worksheet>"#;
    let zip = stored_zip(&[("xl/worksheets/sheet1.xml", 0, sheet.as_bytes(), sheet.len())]);
    let r = check_bytes(&zip).unwrap();
    assert_eq!(only(&r).hours.professional, h("60"));
}

#[test]
fn what_is_not_a_table() {
    assert_eq!(check_bytes(b"").unwrap_err(), ImportError::Empty);
    assert_eq!(check_bytes(b"  \r\n\n ").unwrap_err(), ImportError::Empty);
    assert_eq!(check_bytes(b"\xEF\xBB\xBF").unwrap_err(), ImportError::Empty);
    assert_eq!(check_bytes(b",,,\n,,\n").unwrap_err(), ImportError::Empty);
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x10";
    assert!(matches!(check_bytes(png).unwrap_err(), ImportError::NotATable(m) if m.contains("PNG")));
    // A broken legacy .xls: named as one, whether or not this build reads .xls (feature `xls`).
    assert!(matches!(
        check_bytes(b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1").unwrap_err(),
        ImportError::NotATable(m) | ImportError::Xlsx(m) if m.contains(".xls")
    ));
    assert!(matches!(check_bytes(b"%PDF-1.4").unwrap_err(), ImportError::NotATable(_)));
    let binary: Vec<u8> = (0..4000u32).map(|i| (i * 7 % 32) as u8).collect();
    assert!(matches!(check_bytes(&binary).unwrap_err(), ImportError::NotATable(_)));
    assert_eq!(check_bytes("只是一段话，没有表格。\n第二行".as_bytes()).unwrap_err(), ImportError::NoHeader);
    // Columns found but no hours: said so, with what was found.
    assert_eq!(
        check_bytes("课程名称,日期\na,2020-01-01\n".as_bytes()).unwrap_err(),
        ImportError::MissingColumn {
            missing: "学时".into(),
            found: vec!["课程名称".into(), "日期（完成日期）".into()]
        }
    );
    assert!(matches!(check_bytes(b"[{\"a\":").unwrap_err(), ImportError::Json(_)));
}

#[test]
fn invalid_utf8_bytes_inside_a_utf8_file_become_cell_errors() {
    // A UTF-8 file with one broken sequence stays UTF-8 (decoding it as GBK would garble every
    // row); the broken cell is reported with its row and column and the good rows count.
    let mut bytes = "课程名称,科目类型,学时,完成日期\n好,专业科目,6,2020-04-01\n".as_bytes().to_vec();
    bytes.extend_from_slice("坏".as_bytes());
    bytes.extend_from_slice(b"\xFF\xFE");
    bytes.extend_from_slice(",专业科目,6,2020-04-01\n".as_bytes());
    let r = check_bytes(&bytes).unwrap();
    assert_eq!(only(&r).hours.professional, h("6"));
    assert_eq!((r.errors[0].row, r.errors[0].column.as_str()), (3, "课程名称"));
    assert!(r.errors[0].message.contains("无法识别的字符"));
}

#[test]
fn fifty_megabytes_of_csv_does_not_hang() {
    let row = "机械设计新技术,专业科目,4.5,2020-05-06,合格\n";
    let mut csv = String::from("课程名称,科目类型,学时,完成日期,考核结果\n");
    while csv.len() < 50 << 20 {
        csv.push_str(row);
    }
    let r = check_bytes(csv.as_bytes()).unwrap();
    assert_eq!(r.rows.data, r.rows.counted + r.rows.excluded);
    assert_eq!(only(&r).hours.professional, h("4.5"));
}
