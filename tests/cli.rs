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
