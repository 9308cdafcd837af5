//! 表头识别: which column holds what, found by meaning wherever the header row is.

use std::ops::ControlFlow;

use serde::Serialize;

use crate::import::{Row, Table};
use crate::text::match_key;
use crate::values::{self, looks_like};

/// What a column of a record file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    /// 姓名.
    Name,
    /// 工号.
    StaffNo,
    /// 身份证号.
    IdNumber,
    /// 课程名称 / 培训项目.
    Course,
    /// 科目类型: 公需 or 专业 (sometimes with 必修/选修 merged in).
    Category,
    /// 课程性质: 必修 or 选修.
    Nature,
    /// 学时.
    Hours,
    /// 认定学时: the recognised hours, registered in preference to 学时.
    RecognisedHours,
    /// 完成日期.
    Date,
    /// 考核结果.
    Exam,
    /// 学习状态 / 完成状态 / 学习进度: whether the study is finished.
    Status,
    /// 学习方式.
    Mode,
    /// 是否备案.
    Filing,
    /// 所属年度 / 补学年度.
    Year,
    /// 序号: read and ignored.
    Serial,
    /// 备注 (or any other column) whose cells say 不合格/未完成 on some rows: read leniently, only
    /// for those words; every other cell says nothing.
    Remark,
}

/// How many fields there are.
pub const FIELD_COUNT: usize = 16;

impl Field {
    /// Every field, in declaration order (`ALL[f as usize] == f`).
    pub const ALL: [Field; FIELD_COUNT] = [
        Field::Name,
        Field::StaffNo,
        Field::IdNumber,
        Field::Course,
        Field::Category,
        Field::Nature,
        Field::Hours,
        Field::RecognisedHours,
        Field::Date,
        Field::Exam,
        Field::Status,
        Field::Mode,
        Field::Filing,
        Field::Year,
        Field::Serial,
        Field::Remark,
    ];

    /// The Chinese name shown to people for what a column was read as.
    pub fn label(self) -> &'static str {
        match self {
            Field::Name => "姓名",
            Field::StaffNo => "工号",
            Field::IdNumber => "身份证号",
            Field::Course => "课程名称",
            Field::Category => "科目类型",
            Field::Nature => "课程性质",
            Field::Hours => "学时",
            Field::RecognisedHours => "认定学时",
            Field::Date => "完成日期",
            Field::Exam => "考核结果",
            Field::Status => "学习状态",
            Field::Mode => "学习方式",
            Field::Filing => "是否备案",
            Field::Year => "所属年度",
            Field::Serial => "序号（不参与计算）",
            Field::Remark => "备注（按所写的不合格、未完成处理）",
        }
    }

    /// The field with this stable code.
    pub fn from_code(code: &str) -> Option<Field> {
        Field::ALL.into_iter().find(|f| f.code() == code)
    }

    /// The stable code used in reports.
    pub fn code(self) -> &'static str {
        match self {
            Field::Name => "name",
            Field::StaffNo => "staff_no",
            Field::IdNumber => "id_number",
            Field::Course => "course",
            Field::Category => "category",
            Field::Nature => "nature",
            Field::Hours => "hours",
            Field::RecognisedHours => "recognised_hours",
            Field::Date => "date",
            Field::Exam => "exam",
            Field::Status => "status",
            Field::Mode => "mode",
            Field::Filing => "filing",
            Field::Year => "year",
            Field::Serial => "serial",
            Field::Remark => "remark",
        }
    }
}

/// Exact labels (after [`match_key`]), Chinese and English.
const EXACT: &[(Field, &[&str])] = &[
    (Field::Name, &["姓名", "名字", "学员姓名", "人员姓名", "name", "fullname", "personname"]),
    (
        Field::StaffNo,
        &["工号", "职工号", "员工号", "员工编号", "人员编号", "staffno", "staffid", "employeeid", "employeeno"],
    ),
    (Field::IdNumber, &["身份证号", "身份证号码", "身份证", "证件号码", "证件号", "idnumber", "idno", "idcard", "id"]),
    (
        Field::Course,
        &[
            "课程名称",
            "课程",
            "培训项目",
            "培训名称",
            "项目名称",
            "课程项目",
            "培训课程",
            "培训内容",
            "学习内容",
            "course",
            "coursename",
            "coursetitle",
            "title",
            "training",
            "program",
        ],
    ),
    (
        Field::Category,
        &[
            "科目类型",
            "学时类别",
            "课程类别",
            "类别",
            "科目",
            "科目类别",
            "课程类型",
            "学时类型",
            "类型",
            "科目分类",
            "category",
            "type",
            "subject",
            "subjecttype",
            "coursetype",
        ],
    ),
    (
        Field::Nature,
        &[
            "课程性质",
            "必修选修",
            "必修或选修",
            "选修必修",
            "性质",
            "课程属性",
            "nature",
            "required",
            "compulsory",
            "compulsoryelective",
        ],
    ),
    (
        Field::Hours,
        &[
            "学时",
            "获得学时",
            "学时数",
            "学时小时",
            "申报学时",
            "登记学时",
            "课时",
            "hours",
            "credithours",
            "credit",
            "credits",
        ],
    ),
    (
        Field::RecognisedHours,
        &["认定学时", "备案学时", "审核学时", "认定学时数", "recognisedhours", "recognizedhours", "approvedhours"],
    ),
    (
        Field::Date,
        &[
            "完成日期",
            "培训时间",
            "学习时间",
            "日期",
            "完成时间",
            "结业日期",
            "培训日期",
            "学习日期",
            "考试日期",
            "date",
            "completiondate",
            "completed",
            "completedon",
            "finishdate",
        ],
    ),
    (
        Field::Exam,
        &[
            "考核结果",
            "是否合格",
            "成绩",
            "考试结果",
            "考核",
            "考试成绩",
            "考核情况",
            "result",
            "exam",
            "examresult",
            "passed",
            "pass",
            "score",
            "assessment",
        ],
    ),
    (
        Field::Status,
        &[
            "学习状态",
            "状态",
            "完成状态",
            "审核状态",
            "学时状态",
            "是否完成",
            "学习进度",
            "进度",
            "完成情况",
            "学习情况",
            "完成进度",
            "status",
            "progress",
            "completion",
            "completionstatus",
            "state",
        ],
    ),
    (Field::Mode, &["学习方式", "培训形式", "培训方式", "学习形式", "mode", "format", "delivery"]),
    (Field::Filing, &["是否备案", "备案情况", "备案", "备案状态", "filed", "filing", "registered"]),
    (Field::Year, &["所属年度", "补学年度", "年度", "学时年度", "year", "policyyear", "creditedyear"]),
    // 编号 is as often a row number as a staff number: read as a serial, never as who someone is.
    (Field::Serial, &["序号", "编号", "no", "#", "number", "rowno", "sn"]),
];

/// Looser rules for labels that only contain a telling word, checked in this order.
const CONTAINS: &[(Field, &[&str])] = &[
    (Field::RecognisedHours, &["认定学时", "备案学时"]),
    (Field::Year, &["年度"]),
    (Field::Filing, &["备案"]),
    (Field::Nature, &["性质", "必修", "选修"]),
    (Field::Category, &["类别", "类型", "科目"]),
    (Field::Hours, &["学时", "课时", "hours"]),
    (Field::Date, &["日期", "时间", "date"]),
    (Field::Exam, &["合格", "考核", "成绩", "考试"]),
    // Not every 状态: 人员状态, 账号状态 and 证书状态 say nothing about the study.
    (Field::Status, &["学习状态", "完成状态", "进度", "是否完成", "完成情况"]),
    (Field::IdNumber, &["身份证", "证件"]),
    (Field::Name, &["姓名"]),
    (Field::StaffNo, &["工号"]),
    (Field::Mode, &["方式", "形式"]),
    (Field::Course, &["课程", "项目", "培训名称", "course"]),
];

/// What one header cell means, if anything.
pub fn classify(label: &str) -> Option<Field> {
    // No label is this long (the longest spelling, decorated, is under 40 bytes): a long cell is
    // not scanned (rows are asked whether they repeat the header).
    if label.len() > 128 {
        return None;
    }
    let key = match_key(label);
    if key.is_empty() {
        return None;
    }
    if let Some((f, _)) = EXACT.iter().find(|(_, names)| names.contains(&&*key)) {
        return Some(*f);
    }
    // Long cells are titles ("2020年度继续教育学时明细表"), not labels.
    if key.chars().count() > 10 {
        return None;
    }
    CONTAINS.iter().find(|(_, words)| words.iter().any(|w| key.contains(w))).map(|(f, _)| *f)
}

/// How a column came to be read as what it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum How {
    /// By its header.
    Header,
    /// By its cells: the header was generic (类别, 状态, type, 备注…) or unknown.
    Values,
    /// Not used in the check (see the column's note).
    Unused,
}

/// One source column.
#[derive(Debug, Clone)]
pub struct Column {
    /// Its position in the row.
    pub index: usize,
    /// The header as written.
    pub label: String,
    /// What it was read as.
    pub field: Option<Field>,
    pub how: How,
    /// Why a column is unused, or what its cells showed.
    pub note: Option<String>,
    /// Data rows whose cell here holds the value of a merged range (合并单元格), not its own.
    pub merged: usize,
}

/// The header row and where each field is.
#[derive(Debug, Clone)]
pub struct Columns {
    /// The header row's number.
    pub header_row: u32,
    /// Every labelled column, in file order.
    pub labels: Vec<Column>,
    index: [Option<usize>; FIELD_COUNT],
}

impl Columns {
    fn slot(f: Field) -> usize {
        f as usize
    }

    /// The column index holding `f`.
    pub fn get(&self, f: Field) -> Option<usize> {
        self.index[Self::slot(f)]
    }

    /// The column holding `f`.
    pub fn column(&self, f: Field) -> Option<&Column> {
        self.get(f).and_then(|i| self.labels.iter().find(|c| c.index == i))
    }

    /// Whether `f`'s column was recognised by its cells rather than its header.
    pub fn by_values(&self, f: Field) -> bool {
        self.column(f).is_some_and(|c| c.how == How::Values)
    }

    /// The header text of `f`'s column (for error messages).
    pub fn label(&self, f: Field) -> &str {
        self.column(f).map_or("", |c| c.label.as_str())
    }

    /// The fields present, with their column index.
    pub fn present(&self) -> Vec<(Field, usize)> {
        Field::ALL.iter().filter_map(|&f| self.get(f).map(|i| (f, i))).collect()
    }

    /// The header text of column `i`.
    pub fn label_of(&self, i: usize) -> &str {
        self.labels.iter().find(|c| c.index == i).map_or("", |c| c.label.as_str())
    }

    /// Reads a candidate header row. The first column for each field wins.
    pub fn from_row(number: u32, cells: Row<'_>) -> Columns {
        let mut c = Columns { header_row: number, labels: Vec::new(), index: [None; FIELD_COUNT] };
        // Past MAX_COLUMNS a row holds one span for the rest of the line: not a label.
        for i in 0..cells.len().min(crate::import::MAX_COLUMNS) {
            let label = cells.get(i).trim();
            if label.is_empty() {
                continue;
            }
            // A header cell is a short label: a long one is data or a title, and is kept short in reports.
            let label: String = label.chars().take(MAX_LABEL_CHARS).collect();
            let mut field = classify(&label);
            let mut note = None;
            if let Some(f) = field {
                if let Some(first) = c.index[Self::slot(f)] {
                    note = Some(format!("与“{}”列同为{}，只使用第一列", c.label_of(first), f.label()));
                    field = None;
                } else {
                    c.index[Self::slot(f)] = Some(i);
                }
            }
            let how = if field.is_some() { How::Header } else { How::Unused };
            c.labels.push(Column { index: i, label, field, how, note, merged: 0 });
        }
        c
    }

    /// How strongly this row looks like a header: needs hours plus a category or course.
    pub(crate) fn score(&self) -> Option<usize> {
        let has_hours = self.get(Field::Hours).is_some() || self.get(Field::RecognisedHours).is_some();
        let has_what = self.get(Field::Category).is_some() || self.get(Field::Course).is_some();
        let known = self.known();
        (has_hours && has_what && known >= 2).then_some(known)
    }

    /// How many fields were recognised.
    fn known(&self) -> usize {
        self.index.iter().filter(|i| i.is_some()).count()
    }

    /// The column that identifies a person: 身份证号, else 工号 (None: people are told apart by name).
    pub fn id(&self) -> Option<(Field, usize)> {
        [Field::IdNumber, Field::StaffNo].into_iter().find_map(|f| self.get(f).map(|i| (f, i)))
    }

    /// Whether the file has any person column (姓名, 工号 or 身份证号).
    pub fn has_person(&self) -> bool {
        [Field::Name, Field::StaffNo, Field::IdNumber].into_iter().any(|f| self.get(f).is_some())
    }

    fn assign(&mut self, col: usize, f: Field, how: How, note: Option<String>) {
        let i = self.labels[col].index;
        if let Some(old) = self.labels[col].field {
            self.index[Self::slot(old)] = None;
        }
        self.index[Self::slot(f)] = Some(i);
        let c = &mut self.labels[col];
        c.field = Some(f);
        c.how = how;
        c.note = note;
    }

    fn unassign(&mut self, col: usize, note: String) {
        if let Some(old) = self.labels[col].field.take() {
            self.index[Self::slot(old)] = None;
        }
        self.labels[col].how = How::Unused;
        self.labels[col].note = Some(note);
    }

    /// Reads generic or unknown columns by their cells (the first [`SAMPLE_ROWS`] data rows):
    /// a `type` column of compulsory/elective is the nature column, a 备注 column of
    /// 合格/不合格 the exam column, a 状态 column of 合格/不合格 the exam column rather than the
    /// status column; a generic column whose cells are nothing like its header is left unused.
    pub fn refine_by_values(&mut self, table: &Table<'_>) {
        self.refine_by_samples(table);
        self.find_remarks(table);
    }

    /// Counts, for each column, the data rows whose cell came from a merged range.
    pub(crate) fn count_merged(&mut self, table: &Table<'_>) {
        let width = self.labels.iter().map(|c| c.index + 1).max().unwrap_or(0);
        let counts = table.merged_rows(self.header_row, width);
        for c in &mut self.labels {
            c.merged = counts.get(c.index).copied().unwrap_or(0);
        }
    }

    /// [`Self::refine_by_values`] without the look for a remark column past the sample: the
    /// check does that look in its own pass (see [`Self::remark_candidates`]) and calls
    /// [`Self::find_remarks`] only when some cell says something.
    pub(crate) fn refine_by_samples(&mut self, table: &Table<'_>) {
        // Only a generic header's own field is tried on its cells: that is all the verdict below
        // reads, and trying each reader on every sampled cell (a course name fails all five, each
        // with a message) was a sixth of a 10,000-row check.
        let mut looks: Vec<Tally> = self
            .labels
            .iter()
            .map(|c| Tally {
                reads: c.field.filter(|f| VALUE_FIELDS.contains(f) && is_generic(&c.label)),
                ..Tally::default()
            })
            .collect();
        let mut rows = 0;
        let header = self.header_row;
        table.for_each_data_row(header, &mut |_, cells| {
            if cells.is_blank() {
                return ControlFlow::Continue(());
            }
            rows += 1;
            for (t, c) in looks.iter_mut().zip(&self.labels) {
                t.add(cells.get(c.index).trim());
            }
            if rows >= SAMPLE_ROWS { ControlFlow::Break(()) } else { ControlFlow::Continue(()) }
        });
        // Generic headers first: one may free a slot an unused column then takes.
        let mut rejected = vec![false; self.labels.len()];
        for col in 0..self.labels.len() {
            let c = &self.labels[col];
            let Some(f) = c.field else { continue };
            if !is_generic(&c.label) || !VALUE_FIELDS.contains(&f) {
                continue;
            }
            let t = &looks[col];
            // A bare 必修/选修 in the only category column is a public course (see
            // `values::category`): it moves to the nature column only when another column says 公需/专业.
            let other_category =
                looks.iter().enumerate().any(|(j, o)| j != col && o.dominant() == Some(Field::Category));
            match t.dominant() {
                Some(d) if d != f && self.get(d).is_none() && (f != Field::Category || other_category) => {
                    let note = format!("列名较笼统，按单元格内容（如“{}”）识别为{}", t.example, d.label());
                    self.assign(col, d, How::Values, Some(note));
                }
                Some(d) if d == f => {}
                // Left unused only when the field's own reader rejects most cells (状态 of 正常/有效,
                // 类型 of 线上/面授), not merely when they look unusual (a Result of 85, 90, 45).
                _ if t.filled >= 3 && t.readable * 5 < t.filled => {
                    let example = t.first.clone();
                    self.unassign(col, format!("列名像{}，但内容（如“{example}”）不像，未使用", f.label()));
                    rejected[col] = true;
                }
                _ => {}
            }
        }
        for col in 0..self.labels.len() {
            if self.labels[col].field.is_some() || rejected[col] {
                continue;
            }
            // A column that lost to a generic one by header takes its field back.
            if let Some(f) = classify(&self.labels[col].label).filter(|&f| self.get(f).is_none()) {
                self.assign(col, f, How::Header, None);
                continue;
            }
            let t = &looks[col];
            if let Some(d) = t.dominant().filter(|&d| self.get(d).is_none()) {
                let note = format!("按单元格内容（如“{}”）识别为{}", t.example, d.label());
                self.assign(col, d, How::Values, Some(note));
            } else if self.labels[col].note.is_none() {
                self.labels[col].note = Some("列名和内容都与学时核查无关，不参与计算".to_owned());
            }
        }
    }

    /// The columns [`Self::find_remarks`] looks at, as the cell index of each: the unused ones,
    /// none when a column is already read as the remark.
    pub(crate) fn remark_candidates(&self) -> Vec<usize> {
        if self.get(Field::Remark).is_some() {
            return Vec::new();
        }
        self.labels.iter().filter(|c| c.field.is_none()).map(|c| c.index).collect()
    }

    /// A column left unused that says 不合格 or 未完成 on any row (a 备注 filled in here and
    /// there, past the sample too) is read for those words: such a row must not count. Every row
    /// is looked at, but only for the unused columns.
    pub(crate) fn find_remarks(&mut self, table: &Table<'_>) {
        let candidates: Vec<usize> = (0..self.labels.len()).filter(|&c| self.labels[c].field.is_none()).collect();
        if candidates.is_empty() || self.get(Field::Remark).is_some() {
            return;
        }
        let mut said: Vec<Option<(u32, String)>> = vec![None; self.labels.len()];
        let header = self.header_row;
        let labels = &self.labels;
        table.for_each_data_row(header, &mut |number, cells| {
            for &c in &candidates {
                if said[c].is_none() {
                    let cell = cells.get(labels[c].index).trim();
                    if values::remark(cell) != values::Remark::Nothing {
                        said[c] = Some((number, cell.chars().take(12).collect()));
                    }
                }
            }
            if candidates.iter().all(|&c| said[c].is_some()) {
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            }
        });
        if let Some((col, (row, word))) = candidates.iter().find_map(|&c| said[c].clone().map(|s| (c, s))) {
            let note = format!("{}写有“{word}”：写明不合格、未完成等的行按其内容不计入，其余行照常", table.row_at(row));
            self.assign(col, Field::Remark, How::Values, Some(note));
        }
    }
}

/// Fields that a column's cells can reveal.
const VALUE_FIELDS: [Field; 5] = [Field::Category, Field::Nature, Field::Exam, Field::Status, Field::Filing];

/// How many data rows are looked at to read columns by their cells.
pub const SAMPLE_ROWS: usize = 200;

/// Header labels longer than this are cut (a header is a short label; the rest is noise).
pub const MAX_LABEL_CHARS: usize = 40;

/// Headers that say too little on their own (after [`match_key`]).
fn is_generic(label: &str) -> bool {
    const GENERIC: &[&str] = &[
        "类别", "类型", "分类", "属性", "状态", "结果", "备注", "说明", "情况", "其他", "标记", "type", "kind",
        "status", "result", "remark", "remarks", "note", "notes", "comment", "comments", "state", "class", "tag",
        "flag", "info",
    ];
    GENERIC.contains(&&*match_key(label))
}

/// What the sampled cells of one column look like.
#[derive(Debug, Clone, Default)]
struct Tally {
    filled: usize,
    category: usize,
    nature: usize,
    exam: usize,
    status: usize,
    filing: usize,
    /// The first telling cell, for the report.
    example: String,
    /// The first filled cell.
    first: String,
    /// The field whose reader is tried on each cell: a generic header's own (状态, 结果…).
    reads: Option<Field>,
    /// Cells that reader accepts (a score of 85 is an exam result even though it does not look
    /// like one).
    readable: usize,
}

impl Tally {
    fn add(&mut self, cell: &str) {
        if cell.is_empty() {
            return;
        }
        self.filled += 1;
        if self.first.is_empty() {
            self.first = cell.chars().take(12).collect();
        }
        let l = looks_like(cell);
        let readable = match self.reads {
            Some(Field::Category) => values::category(cell).is_ok(),
            Some(Field::Nature) => values::nature(cell).is_ok_and(|n| n.is_some()),
            Some(Field::Exam) => values::exam(cell).is_ok(),
            Some(Field::Status) => values::status(cell).is_ok(),
            Some(Field::Filing) => values::filing(cell).is_ok(),
            _ => false,
        };
        self.readable += usize::from(readable);
        self.category += usize::from(l.category);
        self.nature += usize::from(l.nature);
        self.exam += usize::from(l.exam);
        self.status += usize::from(l.status);
        self.filing += usize::from(l.filing);
        if self.example.is_empty() && (l.category || l.nature || l.exam || l.status || l.filing) {
            self.example = cell.chars().take(12).collect();
        }
    }

    fn support(&self, f: Field) -> usize {
        match f {
            Field::Category => self.category,
            Field::Nature => self.nature,
            Field::Exam => self.exam,
            Field::Status => self.status,
            Field::Filing => self.filing,
            _ => 0,
        }
    }

    /// The field that at least 80% of the filled cells plainly say (exam before status on a tie:
    /// 已通过 says both).
    fn dominant(&self) -> Option<Field> {
        if self.filled == 0 {
            return None;
        }
        VALUE_FIELDS
            .into_iter()
            .filter(|&f| self.support(f) * 5 >= self.filled * 4)
            .max_by_key(|&f| (self.support(f), f == Field::Exam))
    }
}

/// How many leading rows are searched for the header.
pub const HEADER_SEARCH_ROWS: usize = 50;

/// Each of the first [`HEADER_SEARCH_ROWS`] rows of `table` read as a candidate header, until `f` breaks.
fn each_candidate(table: &Table<'_>, mut f: impl FnMut(Columns) -> ControlFlow<()>) {
    let mut seen = 0;
    table.for_each_row(&mut |number, cells| {
        seen += 1;
        if seen > HEADER_SEARCH_ROWS {
            return ControlFlow::Break(());
        }
        f(Columns::from_row(number, cells))
    });
}

/// Finds the header row among the first rows of `table`.
pub fn find_header(table: &Table<'_>) -> Option<Columns> {
    let mut found = None;
    each_candidate(table, |c| {
        if c.score().is_some() {
            found = Some(c);
            return ControlFlow::Break(());
        }
        ControlFlow::Continue(())
    });
    found
}

/// The row that looks most like a header without being one (at least two columns recognised),
/// to say which columns were found when a needed one is missing.
pub fn best_guess_header(table: &Table<'_>) -> Option<Columns> {
    let mut best: Option<Columns> = None;
    each_candidate(table, |c| {
        if c.known() >= 2 && best.as_ref().is_none_or(|b| c.known() > b.known()) {
            best = Some(c);
        }
        ControlFlow::Continue(())
    });
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(cells: &[&str]) -> Vec<String> {
        cells.iter().map(|&c| c.to_owned()).collect()
    }

    #[test]
    fn classifies_real_labels() {
        let cases = [
            ("课程名称", Field::Course),
            ("培训项目", Field::Course),
            ("培训名称", Field::Course),
            ("项目名称", Field::Course),
            ("科目类型", Field::Category),
            ("学时类别", Field::Category),
            ("课程类别", Field::Category),
            ("类别", Field::Category),
            ("课程性质", Field::Nature),
            ("必修/选修", Field::Nature),
            ("学时", Field::Hours),
            ("获得学时", Field::Hours),
            ("学时（小时）", Field::Hours),
            ("认定学时", Field::RecognisedHours),
            ("完成日期", Field::Date),
            ("培训时间", Field::Date),
            ("学习时间", Field::Date),
            ("日期", Field::Date),
            ("考核结果", Field::Exam),
            ("是否合格", Field::Exam),
            ("成绩", Field::Exam),
            ("考试结果", Field::Exam),
            ("学习方式", Field::Mode),
            ("培训形式", Field::Mode),
            ("是否备案", Field::Filing),
            ("备案情况", Field::Filing),
            ("所属年度", Field::Year),
            ("补学年度", Field::Year),
            ("姓名", Field::Name),
            ("工号", Field::StaffNo),
            ("身份证号", Field::IdNumber),
            ("序号", Field::Serial),
            ("Course Name", Field::Course),
            ("Category", Field::Category),
            ("Hours", Field::Hours),
            ("Credit Hours", Field::Hours),
            ("Completion Date", Field::Date),
            ("Result", Field::Exam),
            ("Filed", Field::Filing),
            ("Year", Field::Year),
            ("Name", Field::Name),
            ("*课程名称：", Field::Course),
            ("公需/专业科目", Field::Category),
        ];
        for (label, field) in cases {
            assert_eq!(classify(label), Some(field), "{label}");
        }
        assert_eq!(classify("备注"), None);
        assert_eq!(classify("2020年度专业技术人员继续教育学时明细表"), None);
        assert_eq!(classify(""), None);
    }

    #[test]
    fn finds_the_header_below_titles_and_blank_rows() {
        let t = crate::import::table_from_rows([
            (1, vec!["2020年度继续教育学时明细", "", ""]),
            (2, vec!["", "", ""]),
            (4, vec!["序号", "课程名称", "科目类型", "学时", "", "完成日期"]),
            (5, vec!["1", "知识产权", "公需", "4", "", "2020-05-01"]),
        ]);
        let c = find_header(&t).unwrap();
        assert_eq!(c.header_row, 4);
        assert_eq!(c.get(Field::Course), Some(1));
        assert_eq!(c.get(Field::Date), Some(5));
        assert_eq!(c.get(Field::Serial), Some(0));
        assert_eq!(c.label(Field::Hours), "学时");
    }

    #[test]
    fn first_column_for_a_field_wins_and_id_preference() {
        let c = Columns::from_row(1, Row::strings(&strings(&["身份证号", "工号", "姓名", "学时", "学时", "类别"])));
        assert_eq!(c.get(Field::Hours), Some(3));
        assert_eq!(c.labels[4].field, None);
        assert_eq!(c.id(), Some((Field::IdNumber, 0)));
        let c = Columns::from_row(1, Row::strings(&strings(&["工号", "姓名", "学时", "类别"])));
        assert_eq!(c.id(), Some((Field::StaffNo, 0)));
        let c = Columns::from_row(1, Row::strings(&strings(&["姓名", "学时", "类别"])));
        assert_eq!(c.id(), None);
        assert!(c.has_person());
    }

    #[test]
    fn all_is_in_declaration_order() {
        for (i, f) in Field::ALL.iter().enumerate() {
            assert_eq!(*f as usize, i);
        }
    }

    #[test]
    fn no_header_without_hours() {
        let t = crate::import::table_from_rows([(1, vec!["课程名称", "日期"]), (2, vec!["a", "2020-01-01"])]);
        assert!(find_header(&t).is_none());
    }
}
