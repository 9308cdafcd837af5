//! The `jxjy check` contract of design.md, driven through the real binary on the shared
//! fixtures (tests/fixtures, written by make_fixtures.py as Excel and the platform write them).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

fn fixture(name: &str) -> PathBuf {
    root().join("tests/fixtures").join(name)
}

fn jxjy(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_jxjy")).args(args).current_dir(root()).output().unwrap()
}

fn check_json(name: &str) -> serde_json::Value {
    let path = fixture(name);
    let out = jxjy(&["check", path.to_str().unwrap(), "--today", "2020-11-01", "--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

macro_rules! snapshot {
    ($name:literal) => {
        insta::with_settings!({ snapshot_path => "snapshots", prepend_module_to_snapshot => false }, {
            insta::assert_json_snapshot!($name, check_json($name));
        });
    };
}

#[test]
fn snapshot_personal_platform_export() {
    snapshot!("personal.csv");
}

#[test]
fn snapshot_unit_gbk_csv_from_excel() {
    snapshot!("unit-gbk.csv");
}

#[test]
fn snapshot_unit_xlsx() {
    snapshot!("unit.xlsx");
}

#[test]
fn snapshot_pasted_tsv() {
    snapshot!("pasted.tsv");
}

#[test]
fn snapshot_json_records() {
    snapshot!("records.json");
}

#[test]
fn json_contract_shape() {
    let v = check_json("personal.csv");
    assert_eq!(v["policy"]["year"], 2020);
    assert_eq!(v["policy"]["source"], "郑人社办〔2020〕106号");
    assert_eq!(v["today"], "2020-11-01");
    assert_eq!(v["columns"]["课程名称"], "course");
    let p = &v["people"][0];
    assert_eq!(p["person"], "");
    for k in ["public_compulsory", "public_elective", "public", "professional", "total"] {
        assert!(p["hours"][k].is_number(), "hours.{k} = {}", p["hours"][k]);
    }
    assert_eq!(p["hours"]["public"], 31.5);
    assert_eq!(
        p["required"],
        serde_json::json!({"public_compulsory": 24, "public": 30, "professional": 60, "total": 90})
    );
    assert_eq!(p["shortfall"]["professional"], 22);
    assert_eq!(p["needed"], 22);
    assert_eq!(p["compliant"], false);
    let excluded = row_reasons(&p["excluded"]);
    assert_eq!(excluded, [(9, "exam_not_passed"), (12, "not_filed"), (13, "duplicate"), (15, "freeze_period")]);
    assert_eq!(p["pending"][0]["row"], 11);
    assert_eq!(p["pending"][0]["reason"], "exam_pending");
    assert_eq!(v["errors"][0], serde_json::json!({"row": 16, "column": "学时", "message": "学时“四”不是数字"}));
    assert_eq!(v["errors"][1]["column"], "完成日期");
    let d = &v["deadlines"].as_array().unwrap().iter().find(|d| d["code"] == "annual_review").unwrap();
    assert_eq!(
        (d["date"].as_str(), d["days_left"].as_i64(), d["who"].as_str()),
        (Some("2020-12-10"), Some(39), Some("本人"))
    );
    assert!(v["warnings"].as_array().unwrap().iter().any(|w| w["code"] == "total_row_skipped"));
}

#[test]
fn unit_files_give_one_entry_per_person() {
    let v = check_json("unit-gbk.csv");
    let people: Vec<(&str, bool)> = v["people"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["person"].as_str().unwrap(), p["compliant"].as_bool().unwrap()))
        .collect();
    assert_eq!(people, [("张伟", true), ("李娜", false), ("赵强", true)]);
    assert_eq!(v["errors"][0]["row"], 15);
    // People are told apart by 身份证号 when the file has one: a row without it is an error.
    assert_eq!(v["errors"][0]["column"], "身份证号");
    assert_eq!(v["people"][0]["id"], "410105198503121234");
}

#[test]
fn text_output_for_people() {
    let out = jxjy(&["check", fixture("personal.csv").to_str().unwrap(), "--today", "2020-11-01"]);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("未达标，还需 22 学时"), "{text}");
    assert!(text.contains("专业科目  38 / 60  差 22"), "{text}");
    assert!(text.contains("第9行 医院感染防控实务（12学时）[考核不合格]"), "{text}");
    assert!(text.contains("年度审核截止 2020-12-10（还有 39 天）"), "{text}");
    assert!(text.contains("第16行「学时」：学时“四”不是数字"), "{text}");
}

#[test]
fn csv_summary_for_administrators() {
    let out = jxjy(&["check", fixture("unit.xlsx").to_str().unwrap(), "--today", "2020-11-01", "--format", "csv"]);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].starts_with("\u{feff}人员,身份证号/工号,是否达标,还需学时"), "{}", lines[0]);
    assert!(lines[0].ends_with(",前提"));
    assert_eq!(lines[1], "陈静,A001,否,23.5,24,30,36.5,66.5,0,0,23.5,23.5,0,0,");
    assert_eq!(lines[2], "刘洋,A002,是,0,24,32,64,96,0,0,0,0,1,0,");
}

#[test]
fn stdin_is_read_with_dash() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_jxjy"))
        .args(["check", "-", "--today", "2020-11-01", "--format", "json"])
        .current_dir(root())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(&std::fs::read(fixture("pasted.tsv")).unwrap()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["people"][0]["hours"]["total"], 54);
}

#[test]
fn exit_1_when_nothing_could_be_read() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty.csv");
    std::fs::write(&empty, "").unwrap();
    let prose = dir.path().join("prose.txt");
    std::fs::write(&prose, "这不是表格\n只是文字\n").unwrap();
    for (path, says) in [
        (fixture("not-a-table.png"), "PNG"),
        (empty.clone(), "文件为空"),
        (prose, "未找到表头"),
        (dir.path().join("missing.csv"), "无法读取"),
    ] {
        let out = jxjy(&["check", path.to_str().unwrap(), "--today", "2020-11-01"]);
        assert_eq!(out.status.code(), Some(1), "{}", path.display());
        let err = String::from_utf8(out.stderr).unwrap();
        assert!(err.contains(says), "{err}");
        assert!(out.stdout.is_empty());
    }
}

#[test]
fn exit_2_on_usage_errors() {
    let f = fixture("personal.csv");
    let f = f.to_str().unwrap();
    for args in [
        vec!["check"],
        vec!["check", f, "--today", "2020/11/01"],
        vec!["check", f, "--format", "xml"],
        vec!["check", f, "--bogus"],
        vec!["frobnicate"],
    ] {
        let out = jxjy(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
    }
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("policy.toml");
    let text = std::fs::read_to_string(root().join("content/2020/policy.toml")).unwrap();
    std::fs::write(&bad, text.replace("end = 2020-10-31", "end = 2020-08-31")).unwrap();
    let out = jxjy(&["check", f, "--policy", bad.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8(out.stderr).unwrap().contains("makeup.windows[1].end"));
}

#[test]
fn policy_comes_from_content_else_built_in() {
    let dir = tempfile::tempdir().unwrap();
    let run = |cwd: &Path| {
        let out = Command::new(env!("CARGO_BIN_EXE_jxjy"))
            .args(["check", fixture("pasted.tsv").to_str().unwrap(), "--today", "2021-03-01", "--format", "json"])
            .current_dir(cwd)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
        serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap()
    };
    // No content folder: the built-in 2020 policy.
    assert_eq!(run(dir.path())["policy"]["year"], 2020);
    // A newer year in ./content wins.
    let text = std::fs::read_to_string(root().join("content/2020/policy.toml")).unwrap();
    std::fs::create_dir_all(dir.path().join("content/2021")).unwrap();
    std::fs::write(dir.path().join("content/2021/policy.toml"), text.replace("2020", "2021")).unwrap();
    let v = run(dir.path());
    assert_eq!(v["policy"]["year"], 2021);
    // Every 2020 record is now outside the policy year.
    assert_eq!(v["people"][0]["hours"]["total"], 0);
}

/// (row, reason) of each entry of an `excluded` or `pending` list.
fn row_reasons(list: &serde_json::Value) -> Vec<(u64, &str)> {
    list.as_array().unwrap().iter().map(|x| (x["row"].as_u64().unwrap(), x["reason"].as_str().unwrap())).collect()
}

/// The JSON report of a trust fixture (tests/fixtures/trust/, shaped like each confident wrong
/// verdict a new-user trial met).
fn trust_json(name: &str) -> serde_json::Value {
    check_json(&format!("trust/{name}"))
}

fn hours(p: &serde_json::Value, req: &str) -> f64 {
    p["hours"][req].as_f64().unwrap()
}

#[test]
fn trust_platform_table_with_unfinished_rows_is_not_compliant() {
    let v = trust_json("platform-status.tsv");
    let p = &v["people"][0];
    assert_eq!(
        (hours(p, "professional"), p["compliant"].as_bool(), p["needed"].as_f64()),
        (52.0, Some(false), Some(8.0))
    );
    let pending = row_reasons(&p["pending"]);
    assert_eq!(pending, [(7, "not_completed"), (8, "not_completed")]);
    assert_eq!(v["columns"]["状态"], "status");
    assert_eq!(v["assumptions"][0]["code"], "exam_assumed_passed");
}

#[test]
fn trust_two_people_with_one_name_stay_two_people() {
    let v = trust_json("same-name-gbk.csv");
    let people: Vec<(&str, &str, bool, f64)> = v["people"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["person"].as_str().unwrap(),
                p["id"].as_str().unwrap(),
                p["compliant"].as_bool().unwrap(),
                hours(p, "total"),
            )
        })
        .collect();
    assert_eq!(
        people,
        [
            ("张伟（4101**********3417）", "410105199001013417", true, 90.0),
            ("张伟（4101**********4411）", "410105198502024411", false, 84.0),
            ("王芳", "410102199203035528", true, 90.0),
        ]
    );
    // Nothing of the second 张伟 is a duplicate of the first's.
    assert_eq!(v["people"][1]["excluded"], serde_json::json!([]));
    assert_eq!(v["people"][2]["warnings"][0]["code"], "name_mismatch");
    // The per-person export carries the ID, so a unit administrator can tell them apart.
    let out = jxjy(&["check", fixture("trust/same-name-gbk.csv").to_str().unwrap(), "--format", "csv"]);
    let csv = String::from_utf8(out.stdout).unwrap();
    assert!(csv.contains("\r\n张伟（4101**********4411）,410105198502024411,否,6,"), "{csv}");
}

#[test]
fn trust_completion_dates_outside_the_year_do_not_count() {
    let v = trust_json("year-vs-date.csv");
    let p = &v["people"][0];
    let excluded = row_reasons(&p["excluded"]);
    assert_eq!(excluded, [(5, "completed_outside_year"), (6, "completed_outside_year"), (7, "freeze_period")]);
    assert_eq!((hours(p, "total"), p["needed"].as_f64()), (80.0, Some(10.0)));
}

#[test]
fn trust_no_category_column_gives_no_verdict() {
    let out = jxjy(&["check", fixture("trust/no-category.csv").to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("找不到“科目类型") && err.contains("文件中找到的列：课程名称、学时、完成日期、考核结果"),
        "{err}"
    );
}

#[test]
fn trust_english_type_column_is_read_as_the_nature() {
    let v = trust_json("english-type.json");
    let p = &v["people"][0];
    assert_eq!((hours(p, "public_compulsory"), hours(p, "public_elective")), (24.0, 6.0));
    assert_eq!(p["compliant"], true);
    let guess = v["assumptions"].as_array().unwrap().iter().find(|a| a["code"] == "column_by_values").unwrap();
    assert_eq!(guess["message"], "“type”列按内容识别为课程性质");
    let text =
        String::from_utf8(jxjy(&["check", fixture("trust/english-type.json").to_str().unwrap()]).stdout).unwrap();
    // The verdict line itself says what it assumed.
    assert!(
        text.contains(
            "已达到2020年度学时要求（前提：文件中没有是否备案列，按全部已备案计算；“type”列按内容识别为课程性质）"
        ),
        "{text}"
    );
}

#[test]
fn ledger_lists_every_row_for_excel() {
    let out =
        jxjy(&["check", fixture("personal.csv").to_str().unwrap(), "--today", "2020-11-01", "--format", "ledger"]);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert_eq!(lines[0], "\u{feff}行号,人员,身份证号/工号,课程名称,学时,完成日期,结果,计入,原因,说明");
    // personal.csv has 14 data rows (header on line 3): each once, in order.
    let rows: Vec<u32> = lines[1..].iter().map(|l| l.split(',').next().unwrap().parse().unwrap()).collect();
    assert_eq!(rows, (4..=17).collect::<Vec<u32>>());
    assert!(lines.contains(&"4,,,习近平新时代中国特色社会主义思想概论,16,2020-04-12,计入,公需必修,,"), "{text}");
    assert!(lines.iter().any(|l| l.starts_with("9,,,医院感染防控实务,12,2020-08-02,未计入,,考核不合格,")), "{text}");
    assert!(lines.iter().any(|l| l.starts_with("17,,,,,,跳过,")), "{text}");
}

/// (person, id, compliant, needed, hours) of each person, to compare two files of the same records.
fn verdicts(v: &serde_json::Value) -> Vec<String> {
    v["people"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| format!("{} {} {} {} {}", p["person"], p["id"], p["compliant"], p["needed"], p["hours"]))
        .collect()
}

#[test]
fn legacy_xls_reads_as_the_same_records_in_other_formats() {
    // unit.xlsx written again by xlwt as BIFF8; personal.csv converted to .xls by LibreOffice.
    let xls = check_json("unit-xlwt.xls");
    assert_eq!(xls["format"], "xls");
    assert_eq!(verdicts(&xls), verdicts(&check_json("unit.xlsx")));
    assert_eq!(xls["people"][1]["excluded"][0]["reason"], "not_filed");
    let lo = check_json("personal-libreoffice.xls");
    let csv = check_json("personal.csv");
    assert_eq!(verdicts(&lo), verdicts(&csv));
    assert_eq!(lo["rows"], csv["rows"]);
    assert_eq!(lo["people"][0]["excluded"], csv["people"][0]["excluded"]);
    assert_eq!(lo["errors"], csv["errors"]);
}

#[test]
fn several_years_at_once_each_by_its_own_policy() {
    // 2020 by the real policy, 2021 by a fictional one (public ≥ 34), 2019 has none.
    let file = fixture("years/three-years.csv");
    let policies = [root().join("content/2020/policy.toml"), root().join("tests/fixtures/policies/2021/policy.toml")];
    let args = |format: &str| {
        let mut a = vec!["check", file.to_str().unwrap(), "--years", "2019-2021", "--today", "2022-01-10", "--format"];
        a.push(if format == "json" { "json" } else { "text" });
        for p in &policies {
            a.extend(["--policy", p.to_str().unwrap()]);
        }
        jxjy(&a)
    };
    let out = args("json");
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    type Cell = (i64, String, f64);
    let grid: Vec<(String, Vec<Cell>)> = v["grid"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            let cells = p["years"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| {
                    (
                        c["year"].as_i64().unwrap(),
                        c["verdict"].as_str().unwrap().to_owned(),
                        c["needed"].as_f64().unwrap_or(0.0),
                    )
                })
                .collect();
            (p["person"].as_str().unwrap().to_owned(), cells)
        })
        .collect();
    assert_eq!(
        grid,
        [
            (
                "张伟".to_owned(),
                vec![(2019, "no_policy".into(), 0.0), (2020, "met".into(), 0.0), (2021, "short".into(), 4.0)]
            ),
            (
                "李娜".to_owned(),
                vec![(2019, "no_policy".into(), 0.0), (2020, "short".into(), 30.0), (2021, "short".into(), 90.0)]
            ),
        ]
    );
    let years: Vec<(i64, u64)> = v["years"]
        .as_array()
        .unwrap()
        .iter()
        .map(|y| (y["year"].as_i64().unwrap(), y["rows"].as_u64().unwrap()))
        .collect();
    assert_eq!(years, [(2019, 1), (2020, 6), (2021, 3)]);
    assert_eq!(v["years"][0]["message"], "没有2019年度的政策文件，无法判断该年度是否达标");
    assert_eq!(v["years"][2]["report"]["policy"]["year"], 2021);
    // Each year's detail is there: the 2021 row of 张伟 counted by the 2021 policy.
    assert_eq!(v["years"][2]["report"]["people"][0]["hours"]["public"], 30);
    let text = String::from_utf8(args("text").stdout).unwrap();
    assert!(text.contains("张伟") && text.contains("无政策\t达标\t未达标（还需4）"), "{text}");
    assert!(text.contains("2019年度：文件中属于该年度的记录 1 行；没有2019年度的政策文件"), "{text}");
}

#[test]
fn years_all_covers_every_year_of_the_rows() {
    let out = jxjy(&[
        "check",
        fixture("years/three-years.csv").to_str().unwrap(),
        "--years",
        "all",
        "--today",
        "2022-01-10",
        "--format",
        "csv",
        "--policy",
        root().join("content/2020/policy.toml").to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0));
    let csv = String::from_utf8(out.stdout).unwrap();
    assert!(csv.starts_with("\u{feff}人员,身份证号/工号,2019年度,2020年度,2021年度\r\n"), "{csv}");
    assert!(csv.contains("\r\n张伟,410105199001013417,无政策,达标,无政策\r\n"), "{csv}");
    let bad = jxjy(&["check", fixture("years/three-years.csv").to_str().unwrap(), "--years", "2021-2019"]);
    assert_eq!(bad.status.code(), Some(2));
}

/// Without --policy, in a content folder of several years, a file whose rows all belong to one
/// year is judged by that year's policy (as the self-check does); rows of several years are
/// checked against the newest, with a note that --years checks each.
#[test]
fn without_policy_a_one_year_file_is_judged_by_its_own_year() {
    let dir = tempfile::tempdir().unwrap();
    for year in ["2020", "2021"] {
        std::fs::create_dir_all(dir.path().join("content").join(year)).unwrap();
        let from = root().join("tests/fixtures/sites/two-years").join(year).join("policy.toml");
        std::fs::copy(from, dir.path().join("content").join(year).join("policy.toml")).unwrap();
    }
    let run = |file: &str| {
        Command::new(env!("CARGO_BIN_EXE_jxjy"))
            .args(["check", fixture(file).to_str().unwrap(), "--today", "2021-11-01", "--format", "json"])
            .current_dir(dir.path())
            .output()
            .unwrap()
    };
    let out = run("personal.csv");
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["policy"]["year"], 2020, "a 2020 file judged by the newest (fictional 2021) policy");
    // The same report as with --policy naming 2020's.
    let policy = dir.path().join("content/2020/policy.toml");
    let explicit = Command::new(env!("CARGO_BIN_EXE_jxjy"))
        .args(["check", fixture("personal.csv").to_str().unwrap(), "--today", "2021-11-01", "--format", "json"])
        .args(["--policy", policy.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(report, serde_json::from_slice::<serde_json::Value>(&explicit.stdout).unwrap());
    let out = run("years/three-years.csv");
    assert_eq!(out.status.code(), Some(0));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["policy"]["year"], 2021);
    let note = String::from_utf8_lossy(&out.stderr);
    assert!(note.contains("2019、2020、2021 多个年度") && note.contains("--years all"), "{note}");
}

// Issue 17: the memory bound, held by the process itself under `ulimit -v`.

/// Runs `jxjy check FILE --format FORMAT` with its address space limited to `limit` bytes;
/// returns the exit status and the bytes written.
fn check_within(file: &Path, format: &str, limit: usize) -> (Option<i32>, usize, String) {
    let out = Command::new("sh")
        .arg("-c")
        .arg(format!("ulimit -v {} && exec \"$0\" \"$@\"", limit >> 10))
        .arg(env!("CARGO_BIN_EXE_jxjy"))
        .args(["check", file.to_str().unwrap(), "--today", "2020-11-01", "--format", format])
        .output()
        .unwrap();
    (out.status.code(), out.stdout.len(), String::from_utf8_lossy(&out.stderr).into_owned())
}

/// The core's bound (8 × the bytes read + 64 MB) and room for the program's own mappings (its
/// code, stacks, the allocator's first reservations: about 40 MB in a debug build here).
fn address_space_for(read: usize) -> usize {
    8 * read + (64 << 20) + (64 << 20)
}

#[test]
fn the_memory_bound_holds_under_ulimit_for_the_issue_shapes() {
    let dir = tempfile::tempdir().unwrap();
    // A workbook whose one long shared string (Excel's limit, 32,767 characters) fills the date
    // column of 3,000 rows, then every column: each row's error quotes the cell. Before the bound
    // held, a file of this shape took gigabytes.
    let long = "课".repeat(32_767);
    for (name, every_cell) in [("date.xlsx", false), ("every.xlsx", true)] {
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        let labels = ["课程名称", "科目类型", "学时", "完成日期", "姓名"];
        for (c, label) in labels[..if every_cell { 5 } else { 4 }].iter().enumerate() {
            sheet.write_string(0, c as u16, *label).unwrap();
        }
        for r in 1..=3_000u32 {
            if every_cell {
                for c in 0..5 {
                    sheet.write_string(r, c, &long).unwrap();
                }
            } else {
                sheet.write_string(r, 0, "课程").unwrap();
                sheet.write_string(r, 1, "专业科目").unwrap();
                sheet.write_number(r, 2, 1.0).unwrap();
                sheet.write_string(r, 3, &long).unwrap();
            }
        }
        let path = dir.path().join(name);
        book.save(&path).unwrap();
        // What the parts inflate to: the string once, about 60 bytes per cell of XML.
        let read = long.len() + 3_000 * 5 * 60 + (64 << 10);
        for format in ["json", "ledger", "text", "csv"] {
            let (status, written, stderr) = check_within(&path, format, address_space_for(read));
            if every_cell {
                // Every row unreadable, each naming a person no row can be judged for: no verdict,
                // said so (exit 1), within the bound.
                assert_eq!(status, Some(1), "{name} --format {format}: {stderr}");
                assert!(stderr.contains("没有可以判断的人员") && stderr.contains("只引用前 200 字"), "{stderr}");
            } else {
                assert_eq!(status, Some(0), "{name} --format {format}: {stderr}");
                assert!(written > 0, "{name} --format {format}");
            }
        }
    }
    // 500,000 one-hour rows, every one a duplicate of the first: a message per row, each naming
    // the row it repeats; the JSON ledger and the ledger CSV are written as they are made.
    let csv = dir.path().join("dup.csv");
    let mut text = String::from("科目类型,学时,完成日期\n");
    text.push_str(&"专业,1,2020-01-01\n".repeat(500_000));
    std::fs::write(&csv, &text).unwrap();
    for format in ["json", "ledger", "text", "csv"] {
        let (status, written, stderr) = check_within(&csv, format, address_space_for(text.len()));
        assert_eq!(status, Some(0), "dup.csv --format {format}: {stderr}");
        if format == "ledger" {
            // One line per data row, and the header.
            assert!(written > 500_000 * 40, "{written}");
        }
    }
}

/// `--years … --format json` writes each year's ledger as it is made: each year's report, ledger
/// included, is the report of a one-year check by that year's policy.
#[test]
fn years_json_streams_each_years_ledger() {
    let p2020 = root().join("content/2020/policy.toml");
    let p2021 = root().join("tests/fixtures/sites/two-years/2021/policy.toml");
    let file = fixture("years/three-years.csv");
    let run = |extra: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_jxjy"))
            .args(["check", file.to_str().unwrap(), "--today", "2021-11-01", "--format", "json"])
            .args(extra)
            .output()
            .unwrap();
        serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap()
    };
    let (a, b) = (p2020.to_str().unwrap(), p2021.to_str().unwrap());
    let years = run(&["--years", "all", "--policy", a, "--policy", b]);
    let mut compared = 0;
    for (year, policy) in [(2020, a), (2021, b)] {
        let y = years["years"].as_array().unwrap().iter().find(|y| y["year"] == year).unwrap();
        let ledger = y["report"]["ledger"].as_array().unwrap();
        assert_eq!(ledger.len() as u64, y["report"]["rows"]["data"].as_u64().unwrap());
        assert_eq!(y["report"], run(&["--policy", policy]), "{year}");
        compared += 1;
    }
    assert_eq!(compared, 2);
}

// ---- Issue 18, items 3, 4 and 6: date ranges, 小计 rows, per-person summaries (tests/fixtures/offices,
// written by make_values.py) ----

fn outcomes(v: &serde_json::Value) -> Vec<(u64, String)> {
    v["ledger"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let why = e["reason"].as_str().or(e["counted"].as_str()).unwrap_or("");
            (
                e["row"].as_u64().unwrap(),
                format!("{}{}{why}", e["outcome"].as_str().unwrap(), if why.is_empty() { "" } else { ":" }),
            )
        })
        .collect()
}

#[test]
fn offices_training_periods_count_at_their_end() {
    for name in ["offices/ranges.csv", "offices/ranges.xlsx"] {
        let v = check_json(name);
        let p = &v["people"][0];
        assert_eq!(
            (hours(p, "public_compulsory"), hours(p, "public"), hours(p, "professional")),
            (24.0, 30.0, 48.0),
            "{name}"
        );
        assert_eq!(p["needed"], 12, "{name}");
        let want: Vec<(u64, String)> = [
            (2, "counted:public_compulsory"),
            (3, "counted:public_compulsory"),
            (4, "counted:public_elective"),
            (5, "counted:professional"),
            (6, "counted:professional"),
            (7, "excluded:spans_years"),
            (8, "error"),
        ]
        .into_iter()
        .map(|(r, o)| (r, o.to_owned()))
        .collect();
        assert_eq!(outcomes(&v), want, "{name}");
        // The completion date is the end of the period.
        assert_eq!(v["ledger"][1]["date"], "2020-05-15", "{name}");
        assert_eq!(v["ledger"][2]["date"], "2020-06-10", "{name}");
        let spans = &p["excluded"][0];
        assert!(spans["message"].as_str().unwrap().contains("跨越两个年度"), "{spans}");
        let month = &v["errors"][0];
        assert_eq!(month["row"], 8);
        assert!(month["message"].as_str().unwrap().contains("只写了年月"), "{month}");
        assert!(month["message"].as_str().unwrap().contains("2020-08-15"), "{month}");
    }
    // Judged by 2021's policy, the period across the year end does not count there either.
    let path = fixture("offices/ranges.csv");
    let policy = fixture("sites/two-years/2021/policy.toml");
    let out = jxjy(&[
        "check",
        path.to_str().unwrap(),
        "--today",
        "2021-11-01",
        "--format",
        "json",
        "--policy",
        policy.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["policy"]["year"], 2021);
    assert!(outcomes(&v).contains(&(7, "excluded:spans_years".to_owned())), "{:?}", outcomes(&v));
}

#[test]
fn offices_subtotal_rows_are_skipped_like_totals() {
    let v = check_json("offices/subtotals.xlsx");
    let rows = &v["rows"];
    assert_eq!(
        (rows["data"].as_u64(), rows["counted"].as_u64(), rows["skipped"].as_u64()),
        (Some(9), Some(5), Some(4))
    );
    assert_eq!(rows["errors"], 0);
    let skipped: Vec<u64> = outcomes(&v).into_iter().filter(|(_, o)| o == "skipped").map(|(r, _)| r).collect();
    assert_eq!(skipped, [6, 9, 10, 11]);
    let p = &v["people"][0];
    assert_eq!((hours(p, "public"), hours(p, "professional")), (30.0, 50.0));
    assert_eq!(p["needed"], 10);
    assert!(
        v["assumptions"].as_array().unwrap().iter().all(|a| a["code"] != "rows_unreadable"),
        "{}",
        v["assumptions"]
    );
}

#[test]
fn offices_summary_files_judge_each_person_from_the_sums() {
    for name in ["offices/summary.xlsx", "offices/summary-gbk.csv"] {
        let v = check_json(name);
        let people = v["people"].as_array().unwrap();
        let verdicts: Vec<(&str, bool, f64)> = people
            .iter()
            .map(|p| (p["person"].as_str().unwrap(), p["compliant"].as_bool().unwrap(), p["needed"].as_f64().unwrap()))
            .collect();
        assert_eq!(
            verdicts,
            [("张伟", true, 0.0), ("李娜", false, 4.0), ("王芳", false, 4.0), ("刘洋", true, 0.0)],
            "{name}"
        );
        // The premise beside every verdict: the file gives sums, not courses.
        assert_eq!(v["assumptions"][0]["code"], "summary_totals", "{name}");
        // 王芳's file says 是; her 公需必修 is 20 of 24: the disagreement is on her verdict.
        let differs: Vec<&str> = people
            .iter()
            .filter(|p| p["assumptions"].as_array().unwrap().iter().any(|a| a["code"] == "stated_verdict_differs"))
            .map(|p| p["person"].as_str().unwrap())
            .collect();
        assert_eq!(differs, ["王芳"], "{name}");
        assert_eq!(v["columns"]["专业科目"], "sum_professional", "{name}");
        assert_eq!(v["columns"]["公需科目（必修）"], "sum_public_compulsory", "{name}");
        assert_eq!(v["rows"]["counted"], 4, "{name}");
    }
    let path = fixture("offices/summary.xlsx");
    let out = jxjy(&["check", path.to_str().unwrap(), "--today", "2020-11-01"]);
    let text = String::from_utf8_lossy(&out.stdout);
    let line = text.lines().find(|l| l.starts_with("【王芳】")).unwrap();
    assert!(
        line.contains("未达标，还需 4 学时") && line.contains("逐条课程记录") && line.contains("与文件不符"),
        "{line}"
    );
}

#[test]
fn offices_no_verdict_and_no_person_is_exit_1_saying_why() {
    let dir = tempfile::tempdir().unwrap();
    // A summary without a 专业科目 column cannot be judged.
    let no_professional = dir.path().join("no-professional.csv");
    std::fs::write(&no_professional, "姓名,公需科目（必修）,公需科目（选修）,合计学时\n张伟,24,6,90\n").unwrap();
    // Every row unreadable in a file with a person column: nobody to judge.
    let unreadable = dir.path().join("unreadable.csv");
    std::fs::write(
        &unreadable,
        "姓名,课程名称,科目类型,学时,完成日期\n张伟,课一,其他,两个,昨天\n李娜,课二,其他,x,2020-13-01\n",
    )
    .unwrap();
    for (file, says) in [(&no_professional, "专业科目学时"), (&unreadable, "无法给出结论")] {
        let out = jxjy(&["check", file.to_str().unwrap(), "--today", "2020-11-01"]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{file:?}: {}", String::from_utf8_lossy(&out.stdout));
        assert!(err.contains(says), "{err}");
    }
}

// ---- Issue 18, items 1 and 2: merged cells and workbooks of several sheets (make_sheets.py) ----

fn check_text(name: &str, format: &str) -> String {
    let path = fixture(name);
    let out = jxjy(&["check", path.to_str().unwrap(), "--today", "2020-11-01", "--format", format]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// The columns whose values came partly from merged ranges, with how many rows each.
fn merged_columns(r: &serde_json::Value) -> Vec<(String, u64)> {
    r["column_details"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| Some((c["column"].as_str()?.to_owned(), c["merged_rows"].as_u64()?)))
        .collect()
}

/// The registration form whose 科目类型, 课程性质 and 考核结果 are merged down over their group
/// of courses, under a title merged across every column: each row takes its range's value, and
/// the truth is 还需 10 学时 (专业科目 50 of 60); before, 7 of 9 rows were errors. The .xls twin
/// written by LibreOffice reads the same.
#[test]
fn merged_cells_give_every_row_of_their_range_its_value() {
    for name in ["offices/merged.xlsx", "offices/merged.xls"] {
        let r = check_json(name);
        assert_eq!(r["header_row"], 3, "{name}: the merged title is not the header");
        assert_eq!(r["rows"]["data"], 9, "{name}");
        assert_eq!(r["rows"]["counted"], 9, "{name}: {}", r["errors"]);
        assert_eq!(r["errors"].as_array().unwrap().len(), 0, "{name}");
        let p = &r["people"][0];
        assert_eq!(
            (p["needed"].as_f64(), p["hours"]["public_compulsory"].as_f64()),
            (Some(10.0), Some(24.0)),
            "{name}"
        );
        assert_eq!(
            (p["hours"]["public_elective"].as_f64(), p["hours"]["professional"].as_f64()),
            (Some(6.0), Some(50.0))
        );
        let merged = merged_columns(&r);
        let want = [("科目类型", 7), ("课程性质", 3), ("考核结果", 8)].map(|(c, n)| (c.to_owned(), n));
        assert_eq!(merged, want, "{name}");
        assert!(r.get("sheets").is_none(), "{name}: one sheet, no sheet list");
    }
    let text = check_text("offices/merged.xlsx", "text");
    assert!(text.contains("未达标，还需 10 学时"), "{text}");
    assert!(text.contains("「科目类型」7 行的值来自合并单元格"), "{text}");
}

/// A workbook whose first sheet is 填表说明: the records on the second are read, and the report
/// says which sheet was read and why the others were not. Before: 未找到表头.
#[test]
fn an_instruction_sheet_is_passed_over_for_the_sheet_of_records() {
    let r = check_json("offices/instructions.xlsx");
    let sheets: Vec<(&str, bool)> = r["sheets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["name"].as_str().unwrap(), s["read"].as_bool().unwrap()))
        .collect();
    assert_eq!(sheets, [("填表说明", false), ("学时记录", true), ("Sheet3", false)]);
    assert!(r["sheets"][0]["note"].as_str().unwrap().contains("填表说明"), "{}", r["sheets"]);
    assert!(r["sheets"][2]["note"].as_str().unwrap().contains("空白"), "{}", r["sheets"]);
    assert_eq!(r["rows"]["data"], 4);
    let p = &r["people"][0];
    assert_eq!(p["needed"].as_f64(), Some(30.0));
    // One sheet read: rows are that sheet's, without a sheet beside them.
    assert_eq!(p["excluded"][0]["row"], 5);
    assert!(p["excluded"][0].get("sheet").is_none());
    let text = check_text("offices/instructions.xlsx", "text");
    assert!(text.contains("工作表：“填表说明”是填表说明，未读取；“学时记录”已读取"), "{text}");
}

/// One sheet per month under the same header: every sheet is read, each row reference names its
/// sheet (JSON `sheet`, text “4月”第5行, the ledger's 工作表 column), a duplicate across rows
/// names the row it repeats with its sheet, and — no name column — the verdict says the sheets
/// were taken as one person's.
#[test]
fn sheets_of_one_header_are_all_read_with_the_sheet_in_every_row_reference() {
    let r = check_json("offices/months.xlsx");
    let read: Vec<&str> = r["sheets"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["read"] == true)
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(read, ["3月", "4月", "5月"]);
    assert_eq!(r["rows"]["data"], 8, "each sheet's title and header are not data");
    let p = &r["people"][0];
    assert_eq!(p["hours"]["total"].as_f64(), Some(70.0));
    let dup = &p["excluded"][0];
    assert_eq!(
        (dup["row"].as_u64(), dup["sheet"].as_str(), dup["reason"].as_str()),
        (Some(5), Some("4月"), Some("duplicate"))
    );
    assert!(dup["message"].as_str().unwrap().contains("与“4月”第4行"), "{dup}");
    let errors: Vec<(u64, &str)> = r["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["row"].as_u64().unwrap(), e["sheet"].as_str().unwrap()))
        .collect();
    assert_eq!(errors, [(4, "5月"), (5, "5月")]);
    let codes: Vec<&str> = r["assumptions"].as_array().unwrap().iter().map(|a| a["code"].as_str().unwrap()).collect();
    assert!(codes.contains(&"sheets_one_person"), "{codes:?}");
    let text = check_text("offices/months.xlsx", "text");
    assert!(text.contains("“4月”第5行 工程项目管理实务") && text.contains("“5月”第4行「学时」"), "{text}");
    assert!(text.contains("按同一人的记录合并计算"), "{text}");
    let ledger = check_text("offices/months.xlsx", "ledger");
    let lines: Vec<&str> = ledger.lines().collect();
    assert!(lines[0].starts_with("\u{feff}工作表,行号,"), "{}", lines[0]);
    assert_eq!(lines.len(), 9, "{ledger}");
    assert!(lines[1].starts_with("3月,3,") && lines[8].starts_with("5月,5,"), "{ledger}");
    assert!(lines[7].starts_with("5月,4,") && lines[7].contains("不是数字"), "{ledger}");
}

// ---- Issue 18, item 5: HTML tables and TSV saved as .xls (make_html.py) ----

/// “导出Excel” files that are not workbooks: a GBK HTML table under a colspan title with rowspans
/// (姓名 and 科目类型 spanned down their rows), a UTF-8 one with a BOM after a layout table, and
/// GBK tab-separated text. Each is read for what its bytes are, and the report says so first.
/// Before: 未找到表头 for both HTML files.
#[test]
fn html_and_tsv_saved_as_xls_are_read_for_what_they_are() {
    let cases = [
        ("offices/导出.xls", "html", "网页表格（HTML）", 2, "王芳", 10.0),
        ("offices/网页表格-utf8.xls", "html", "网页表格（HTML）", 2, "赵敏", 0.0),
        ("offices/制表符导出.xls", "tsv", "制表符分隔的文本（TSV）", 1, "李明", 20.0),
    ];
    for (name, format, described, header_row, person, needed) in cases {
        let r = check_json(name);
        assert_eq!(r["format"], format, "{name}");
        assert_eq!(r["header_row"], header_row, "{name}");
        assert_eq!(r["errors"].as_array().unwrap().len(), 0, "{name}: {}", r["errors"]);
        assert_eq!(r["rows"]["counted"], r["rows"]["data"], "{name}");
        let warning = &r["warnings"][0];
        assert_eq!(warning["code"], "format_not_as_named", "{name}");
        let message = warning["message"].as_str().unwrap();
        assert!(message.contains("文件名为 .xls") && message.contains(described), "{name}: {message}");
        assert_eq!(r["people"].as_array().unwrap().len(), 1, "{name}");
        let p = &r["people"][0];
        assert_eq!((p["person"].as_str(), p["needed"].as_f64()), (Some(person), Some(needed)), "{name}");
    }
    // The rowspans fill their rows as merged cells do, and the column list says so.
    let r = check_json("offices/导出.xls");
    assert_eq!(merged_columns(&r), [("姓名".to_owned(), 5), ("科目类型".to_owned(), 4)]);
    let text = check_text("offices/导出.xls", "text");
    assert!(text.contains("实际是网页表格（HTML），已按网页表格读取"), "{text}");
    assert!(text.contains("【王芳】未达标，还需 10 学时"), "{text}");
    // A file whose name says what it is gets no such warning.
    let csv = std::env::temp_dir().join(format!("jxjy-named-{}.csv", std::process::id()));
    std::fs::write(&csv, "科目类型,学时,完成日期\n专业科目,10,2020-03-01\n").unwrap();
    let out = jxjy(&["check", csv.to_str().unwrap(), "--today", "2020-11-01", "--format", "json"]);
    std::fs::remove_file(&csv).unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(v["warnings"].as_array().unwrap().iter().all(|w| w["code"] != "format_not_as_named"), "{}", v["warnings"]);
}
