//! 汇总表: a file of one row per person whose columns are hours per category (the platform's
//! 年度完成情况: 公需科目（必修）, 公需科目（选修）, 专业科目, 合计学时, 是否达标), not courses.
//!
//! Each person is judged from those sums, with the premise `summary_totals` beside every verdict:
//! the file gives totals, so no row rule (exam, filing, duplicates, dates, the carry-over period)
//! could be applied. A 是否达标 column the file has is compared with the verdict; a disagreement
//! is said on the verdict's line (`stated_verdict_differs`).

use std::ops::ControlFlow;

use crate::columns::{Field, classify};
use crate::import::Table;
use crate::text::{match_key, trim_cell};

#[cfg(feature = "summaries")]
mod judge;
#[cfg(feature = "summaries")]
pub(super) use judge::check;

/// Without the summary judge (the page's first module), a summary is handed to the module that has
/// it.
#[cfg(not(feature = "summaries"))]
pub(super) fn check(
    _: &Table<'_>,
    _: &Layout,
    _: &crate::policy::Policy,
    _: chrono::NaiveDate,
    _: crate::CheckOptions,
) -> Result<crate::report::Report, crate::import::ImportError> {
    Err(crate::import::ImportError::NotInThisBuild("按人汇总的学时表"))
}

/// What a column of a summary holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sum {
    /// 公需科目（必修）.
    PublicCompulsory,
    /// 公需科目（选修）.
    PublicElective,
    /// 公需科目 in all.
    Public,
    /// 专业科目.
    Professional,
    /// 合计学时.
    Total,
    /// The file's own 是否达标.
    Stated,
}

impl Sum {
    const ALL: [Sum; 6] =
        [Sum::PublicCompulsory, Sum::PublicElective, Sum::Public, Sum::Professional, Sum::Total, Sum::Stated];

    /// The stable code of the column (as `columns` writes it).
    pub fn code(self) -> &'static str {
        match self {
            Sum::PublicCompulsory => "sum_public_compulsory",
            Sum::PublicElective => "sum_public_elective",
            Sum::Public => "sum_public",
            Sum::Professional => "sum_professional",
            Sum::Total => "sum_total",
            Sum::Stated => "stated_compliant",
        }
    }

    /// What the column was read as, in Chinese.
    pub fn label(self) -> &'static str {
        match self {
            Sum::PublicCompulsory => "公需必修学时（汇总）",
            Sum::PublicElective => "公需选修学时（汇总）",
            Sum::Public => "公需学时（汇总）",
            Sum::Professional => "专业科目学时（汇总）",
            Sum::Total => "合计学时（汇总，仅核对）",
            Sum::Stated => "文件自填的是否达标（仅核对）",
        }
    }

    /// Every summary column's code and label, for [`crate::report::labels`].
    pub fn labels() -> impl Iterator<Item = (&'static str, &'static str)> {
        Sum::ALL.into_iter().map(|s| (s.code(), s.label()))
    }
}

/// What a header cell of a summary says, if it names hours of a category (or 是否达标).
fn sum_kind(label: &str) -> Option<Sum> {
    let key = match_key(label);
    let k: &str = &key;
    if k.is_empty() || k.chars().count() > 16 {
        return None;
    }
    if k.contains("达标") {
        return Some(Sum::Stated);
    }
    // Required or missing hours (应修学时, 要求学时, 差额…) are not what was studied.
    if [
        "要求",
        "应修",
        "应完成",
        "应学",
        "差",
        "还需",
        "缺",
        "标准",
        "类型",
        "类别",
        "名称",
        "性质",
        "技术",
        "职称",
        "方向",
    ]
    .iter()
    .any(|w| k.contains(w))
    {
        return None;
    }
    let public = k.contains("公需") || k.contains("公共科目");
    let professional = k.contains("专业");
    let (compulsory, elective) = (k.contains("必修"), k.contains("选修"));
    match (public, professional, compulsory, elective) {
        (_, false, true, false) => Some(Sum::PublicCompulsory),
        (_, false, false, true) => Some(Sum::PublicElective),
        (true, false, false, false) => Some(Sum::Public),
        (false, true, false, false) => Some(Sum::Professional),
        (false, false, false, false)
            if matches!(
                k,
                "合计"
                    | "总计"
                    | "总学时"
                    | "总学时数"
                    | "合计学时"
                    | "学时合计"
                    | "累计学时"
                    | "已获学时"
                    | "总计学时"
            ) =>
        {
            Some(Sum::Total)
        }
        _ => None,
    }
}

/// A summary's header: its row and what each column holds.
#[cfg_attr(not(feature = "summaries"), allow(dead_code))]
pub(super) struct Layout {
    header_row: u32,
    /// Every header cell as written, with what it was read as.
    labels: Vec<(String, Option<Sum>, Option<Field>)>,
}

/// How many rows from the top a summary's header may be.
const HEADER_SEARCH_ROWS: u32 = 30;

/// The summary header of `table`, if it is one: a row naming hours of at least two categories
/// (公需/必修/选修/专业/合计) and no course column.
pub(super) fn find(table: &Table<'_>) -> Option<Layout> {
    let mut found = None;
    table.for_each_row(&mut |number, cells| {
        if number > HEADER_SEARCH_ROWS {
            return ControlFlow::Break(());
        }
        let labels: Vec<(String, Option<Sum>, Option<Field>)> = (0..cells.len().min(64))
            .map(|i| {
                let c = trim_cell(cells.get(i));
                let sum = sum_kind(c);
                (
                    c.chars().take(crate::columns::MAX_LABEL_CHARS).collect(),
                    sum,
                    sum.is_none().then(|| classify(c)).flatten(),
                )
            })
            .collect();
        let hours_columns = labels.iter().filter(|l| l.1.is_some_and(|s| s != Sum::Stated)).count();
        let record = labels
            .iter()
            .filter(|l| {
                matches!(l.2, Some(Field::Course | Field::Category | Field::Nature | Field::Date | Field::Hours))
            })
            .count();
        if record >= 2 {
            // A header of course records comes first: not a summary (its rows' 公需科目/专业科目
            // cells are values, not headers).
            return ControlFlow::Break(());
        }
        let person = labels.iter().any(|l| matches!(l.2, Some(Field::Name | Field::IdNumber | Field::StaffNo)));
        if hours_columns >= 2 && record == 0 && person {
            found = Some(Layout { header_row: number, labels });
            return ControlFlow::Break(());
        }
        ControlFlow::Continue(())
    });
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_headers_as_people_title_them() {
        for (label, want) in [
            ("公需科目（必修）", Some(Sum::PublicCompulsory)),
            ("公需科目(选修)", Some(Sum::PublicElective)),
            ("必修课学时", Some(Sum::PublicCompulsory)),
            ("公需科目", Some(Sum::Public)),
            ("公需学时", Some(Sum::Public)),
            ("专业科目", Some(Sum::Professional)),
            ("专业科目学时", Some(Sum::Professional)),
            ("合计学时", Some(Sum::Total)),
            ("总学时", Some(Sum::Total)),
            ("是否达标", Some(Sum::Stated)),
            ("专业技术职务", None),
            ("科目类型", None),
            ("应修学时", None),
            ("公需科目要求学时", None),
            ("课程名称", None),
        ] {
            assert_eq!(sum_kind(label), want, "{label}");
        }
    }
}
