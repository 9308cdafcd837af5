//! 规则: the first reason, in the policy's order, why a record does not count; duplicates;
//! the tally by category; the row warnings; and the messages, in plain Chinese.

use std::sync::Arc;

use chrono::{Datelike, NaiveDate};

use super::read::Record;
use super::spellings::Spelling;
use super::{Checker, Person};
use crate::columns::Field;
use crate::policy::Policy;
use crate::report::{Counted, Exclusion, LedgerEntry, Message, Outcome, Reason, Warning, WarningCode};
use crate::text::{cn_date, cn_month_day, cut, id_key};
use crate::values::{Exam, Filing, Kind, Nature, Status};

/// The most rows a person's map of counted rows is first made room for.
const MAX_PRESIZED: usize = 64;

/// The messages that are the same for every row, formatted once per check.
pub(super) struct FixedMessages {
    freeze: Arc<str>,
    exam_not_passed: Arc<str>,
    exam_pending: Arc<str>,
    not_filed: Arc<str>,
    future_date: Arc<str>,
    nature_unknown: Arc<str>,
    filing_unknown: Arc<str>,
    makeup_needs_approval: Arc<str>,
    not_completed: Arc<str>,
}

impl FixedMessages {
    pub(super) fn new(p: &Policy, today: NaiveDate) -> FixedMessages {
        FixedMessages {
            freeze: format!(
                "完成于数据年终结转期（{}至{}），届时不再办理学时审核，无法计入{}年度。通知未说明下一年度是否认可这条记录，请咨询单位继续教育管理员。",
                cn_month_day(p.freeze.start),
                cn_month_day(p.freeze.end),
                p.year
            )
            .into(),
            exam_not_passed: "考核不合格：经考试合格后方可登记学时。重新参加并通过考核后才能计入。".into(),
            exam_pending: format!(
                "考核结果未填写：合格后方可登记学时，请在{}前完成考核并登记。",
                cn_month_day(p.review.deadline)
            )
            .into(),
            not_filed: "培训计划或学习平台未在市人社局专业技术人员处备案，其学时不予认可。".into(),
            future_date: format!("完成日期晚于今天（{}），请核对。", cn_date(today)).into(),
            nature_unknown: "公需科目未注明必修或选修，按选修课计算。".into(),
            filing_unknown: "未填写是否备案，暂按已备案计算；未在市人社局备案的培训，其学时不予认可。".into(),
            makeup_needs_approval: "补学须事先获批：由县（市、区）人社局、市直部门或市级继续教育基地汇总提交补学补审申请，市人社局不受理用人单位和个人的申请，请联系单位继续教育电子证书管理员。".into(),
            not_completed: format!(
                "尚未完成（学习、考核或审核还没有结束）：学完、经考试合格并审核登记后才计入，请在{}前完成。",
                cn_month_day(p.review.deadline)
            )
            .into(),
        }
    }
}

impl Checker<'_> {
    fn person_slot(&mut self, number: u32, person: &str, name: &str) -> usize {
        let Some((field, _)) = self.person_column else {
            return 0;
        };
        // Exports list a person's rows together: most rows are the same person as the last,
        // written the same (so with the same key).
        let slot = match &self.last_person {
            Some((last, slot)) if last == person => *slot,
            _ => {
                // The same ID written with a space or in full-width digits is the same person.
                let key = if field == Field::Name { std::borrow::Cow::Borrowed(person) } else { id_key(person) };
                let slot = self.lookup_person(&key, person, name);
                match &mut self.last_person {
                    Some((last, s)) => {
                        last.clear();
                        last.push_str(person);
                        *s = slot;
                    }
                    None => self.last_person = Some((person.to_owned(), slot)),
                }
                slot
            }
        };
        if self.name_beside_id && !name.is_empty() && self.people[slot].name != *cut(name) {
            self.name_mismatch(number, slot, name);
        }
        slot
    }

    /// The same ID with another name: one person (the ID decides), a warning on the row, and the
    /// other name in the person's assumptions (said beside the verdict).
    fn name_mismatch(&mut self, number: u32, slot: usize, name: &str) {
        let (id_field, _) = self.person_column.unwrap_or((Field::IdNumber, 0));
        let p = &mut self.people[slot];
        if p.name.is_empty() {
            p.name = cut(name).into_owned();
            return;
        }
        // A few other names, each cut short: what the verdict's premise names.
        if p.other_names.len() < 3 && !p.other_names.iter().any(|n| n == name) {
            p.other_names.push(name.chars().take(crate::columns::MAX_LABEL_CHARS).collect());
        }
        // Listed for the first rows of the file, then counted (a summary says how many more).
        if !self.limits.listed(WarningCode::NameMismatch) {
            return;
        }
        let p = &self.people[slot];
        // Names are cut in the message: a long first name must not be copied into every row's warning.
        let short = |s: &str| s.chars().take(crate::columns::MAX_LABEL_CHARS).collect::<String>();
        let message = format!(
            "{}的姓名“{}”与同一{}前面的姓名“{}”不同，按同一人计算（以{}为准），请核对。",
            self.sheets.at(number),
            short(name),
            id_field.label(),
            short(&p.name),
            id_field.label()
        );
        self.people[slot].warnings.push(Warning {
            row: Some(number),
            sheet: None,
            code: WarningCode::NameMismatch,
            message: message.into(),
        });
    }

    /// The slot of the person with this key (an ID in normal form, or a name), made on first sight;
    /// `written` is the ID as the file writes it.
    fn lookup_person(&mut self, key: &str, written: &str, name: &str) -> usize {
        if let Some(&i) = self.person_index.get(key) {
            return i;
        }
        let (id, name) = match self.person_column {
            Some((Field::Name, _)) | None => (String::new(), written.to_owned()),
            // The name beside an ID is kept cut: a long shared string as the 姓名 of 100,000 IDs
            // is one copy in the file and would be 100,000 here.
            Some(_) => (written.to_owned(), cut(name).into_owned()),
        };
        // No room up front: a file of many people with a row or two each would hold ~1.5 KB per person.
        self.people.push(Person { id, name, ..Person::default() });
        self.person_index.insert(key.to_owned(), self.people.len() - 1);
        self.people.len() - 1
    }

    /// The first reason, in the policy's order, why this record does not count.
    fn reason(&self, r: &Record<'_>) -> Option<Reason> {
        let p = self.policy;
        // A period across the year end belongs wholly to neither year: said before anything that
        // would place it in one of them (the policy year is one of its years, or the row's).
        if let (Some(start), Some(end)) = (r.start, r.date)
            && start.year() != end.year()
            && (r.year == p.year || (start.year()..=end.year()).contains(&p.year))
        {
            return Some(Reason::SpansYears);
        }
        if r.year != p.year {
            let completed_in_policy_year = r.date.is_some_and(|d| d.year() == p.year);
            if r.year < p.year && completed_in_policy_year {
                let in_study = r.date.is_some_and(|d| p.makeup.study().contains(d));
                return Some(if in_study { Reason::MakeupForEarlierYear } else { Reason::MakeupOutsideWindow });
            }
            return Some(Reason::OutsideYear);
        }
        // Counted by natural year: a record of this year completed before or after it is not this year's.
        if r.date.is_some_and(|d| d.year() != p.year) {
            return Some(Reason::CompletedOutsideYear);
        }
        if r.date.is_some_and(|d| p.freeze.contains(d)) {
            return Some(Reason::FreezePeriod);
        }
        if r.status == Status::Unfinished {
            return Some(Reason::NotCompleted);
        }
        match r.exam {
            Exam::Failed => return Some(Reason::ExamNotPassed),
            Exam::Pending => return Some(Reason::ExamPending),
            Exam::Passed => {}
        }
        if r.filing == Filing::NotFiled {
            return Some(Reason::NotFiled);
        }
        None
    }

    /// The message for `reason`, shared by every row with the same year and date: a file of
    /// make-up rows costs one message per date, not one per row.
    fn message(&mut self, reason: Reason, r: &Record<'_>, duplicate_of: u32) -> Message {
        if !matches!(
            reason,
            Reason::OutsideYear
                | Reason::CompletedOutsideYear
                | Reason::MakeupForEarlierYear
                | Reason::MakeupOutsideWindow
        ) {
            return self.format_message(reason, r, duplicate_of);
        }
        let key = (reason, r.year, r.date);
        if let Some(m) = self.messages.get(&key) {
            return m.clone();
        }
        let m = self.format_message(reason, r, duplicate_of);
        self.messages.insert(key, m.clone());
        m
    }

    fn format_message(&self, reason: Reason, r: &Record<'_>, duplicate_of: u32) -> Message {
        let p = self.policy;
        let y = p.year;
        let date = || r.date.map(cn_date).unwrap_or_default();
        let text: Arc<str> = match reason {
            Reason::SpansYears => format!(
                "培训时间从{}到{}，跨越两个年度。学时按自然年度计算（通知：“按自然年度进行计算”），跨年度的培训无法确定计入哪一年，本工具不计入任何年度；请向培训机构或单位继续教育管理员确认这条记录登记在哪一年度。",
                r.start.map(cn_date).unwrap_or_default(),
                date()
            )
            .into(),
            Reason::OutsideYear => format!("该记录属于{}年度，不计入{y}年度。", r.year).into(),
            Reason::CompletedOutsideYear => match r.date {
                Some(d) if d.year() > y => format!(
                    "所属年度为{y}年，但完成日期是{}，已在{y}年度结束之后。学时按自然年度计算，不能计入{y}年度；年度结束后再学属于补学，须经补学补审批准（由县（市、区）人社局、市直部门或市级继续教育基地汇总申请）后登记。事业单位人员次年补学完成的学时，不计算为{y}年度年度考核的继续教育完成情况。",
                    date()
                )
                .into(),
                _ => format!(
                    "所属年度为{y}年，但完成日期是{}，早于{y}年1月1日。学时按自然年度计算，不能计入{y}年度；请核对所属年度或完成日期。",
                    date()
                )
                .into(),
            },
            Reason::MakeupForEarlierYear => format!(
                "这是{}年度的补学记录（{}完成），不计入{y}年度。补学补审由县（市、区）人社局、市直部门或市级继续教育基地汇总提交申请，获批准后才能登记（市人社局不受理用人单位和个人的申请，请联系单位继续教育管理员）；事业单位人员次年补学完成的学时，不计算为{}年度年度考核的继续教育完成情况。",
                r.year,
                date(),
                r.year
            )
            .into(),
            Reason::MakeupOutsideWindow => format!(
                "这是{}年度的补学记录，但完成日期{}不在补学期间（{}至{}），不能作为补学登记，也不计入{y}年度。",
                r.year,
                date(),
                cn_month_day(p.makeup.study_start),
                cn_month_day(p.makeup.study_end)
            )
            .into(),
            Reason::FreezePeriod => self.fixed_messages.freeze.clone(),
            Reason::NotCompleted => self.fixed_messages.not_completed.clone(),
            Reason::ExamNotPassed => self.fixed_messages.exam_not_passed.clone(),
            Reason::ExamPending => self.fixed_messages.exam_pending.clone(),
            Reason::NotFiled => self.fixed_messages.not_filed.clone(),
            // With several sheets read, the row it repeats is named with its sheet.
            Reason::Duplicate => {
                return match self.sheets.at(duplicate_of) {
                    crate::import::RowAt { sheet: Some(sheet), row } => Message::DuplicateIn(sheet, row),
                    crate::import::RowAt { row, .. } => Message::DuplicateOf(row),
                };
            }
        };
        Message::Shared(text)
    }

    pub(super) fn judge(&mut self, number: u32, r: &Record<'_>, spelling: Spelling) {
        let slot = self.person_slot(number, r.person, r.name);
        let mut reason = self.reason(r);
        let mut duplicate_of = 0;
        let mut key = None;
        if reason.is_none() {
            let k = (spelling.id, r.date, r.hours);
            if let Some(&first) = self.people[slot].seen.get(&k) {
                reason = Some(Reason::Duplicate);
                duplicate_of = first;
            } else {
                key = Some(k);
            }
        }
        // Row warnings, in a fixed order; their messages are the same for every row.
        let future = r.date.is_some_and(|d| d > self.today);
        let makeup = reason == Some(Reason::MakeupForEarlierYear);
        let (mut filing_unknown, mut nature_unknown) = (false, false);
        let has_status = self.columns.get(Field::Status).is_some();
        match reason {
            Some(reason) => {
                let entry = Exclusion {
                    row: number,
                    sheet: None,
                    reason,
                    hours: r.hours,
                    course: self.spellings.shared(spelling, r.course),
                    message: self.message(reason, r, duplicate_of),
                };
                let ledger = self.ledger_on().then(|| (entry.course.clone(), entry.message.clone()));
                let keep = self.keeps_rows();
                let person = &mut self.people[slot];
                let outcome = if matches!(reason, Reason::ExamPending | Reason::NotCompleted) {
                    self.counts.pending += 1;
                    if keep {
                        push_growing_by_half(&mut person.pending, entry);
                    }
                    Outcome::Pending
                } else {
                    self.counts.excluded += 1;
                    if keep {
                        push_growing_by_half(&mut person.excluded, entry);
                    }
                    Outcome::Excluded
                };
                if let Some((course, message)) = ledger {
                    let mut e = LedgerEntry::new(number, Some(slot), outcome, course);
                    (e.reason, e.hours, e.date) = (Some(reason), Some(r.hours), r.date);
                    self.note(e, Some(&message));
                }
            }
            None => {
                let people = self.people.len();
                let person = &mut self.people[slot];
                if let Some(k) = key {
                    if person.seen.capacity() == 0 {
                        // Room for as many rows as people so far have had counted on average (a
                        // file of one-row people keeps tiny maps; one of long lists grows each
                        // map once rather than five times).
                        person.seen.reserve((self.counts.counted / people.max(1)).clamp(1, MAX_PRESIZED));
                    }
                    person.seen.insert(k, number);
                }
                filing_unknown = self.columns.get(Field::Filing).is_some() && r.filing == Filing::Unknown;
                let t = &mut person.tally;
                let counted = match (r.kind, r.nature) {
                    (Kind::Professional, _) => {
                        t.professional += r.hours;
                        Counted::Professional
                    }
                    (Kind::Public, Some(Nature::Compulsory)) => {
                        t.public_compulsory += r.hours;
                        Counted::PublicCompulsory
                    }
                    (Kind::Public, n) => {
                        t.public_elective += r.hours;
                        nature_unknown = n.is_none();
                        Counted::PublicElective
                    }
                };
                if nature_unknown {
                    person.nature_unknown += r.hours;
                }
                person.filing_unknown += u32::from(filing_unknown);
                person.status_unknown += u32::from(has_status && r.status == Status::Unknown);
                person.undated += u32::from(r.date.is_none());
                self.counts.counted += 1;
                person.counted += 1;
                if self.ledger_on() {
                    let course = self.spellings.shared(spelling, r.course);
                    let mut e = LedgerEntry::new(number, Some(slot), Outcome::Counted, course);
                    (e.counted, e.hours, e.date) = (Some(counted), Some(r.hours), r.date);
                    self.note(e, None);
                }
            }
        }
        let m = &self.fixed_messages;
        let warnings = [
            (future, WarningCode::FutureDate, &m.future_date),
            (makeup, WarningCode::MakeupNeedsApproval, &m.makeup_needs_approval),
            (filing_unknown, WarningCode::FilingUnknown, &m.filing_unknown),
            (nature_unknown, WarningCode::NatureUnknown, &m.nature_unknown),
        ];
        if !self.keeps_rows() {
            return;
        }
        let person = &mut self.people[slot];
        for (_, code, message) in warnings.into_iter().filter(|w| w.0) {
            push_growing_by_half(
                &mut person.warnings,
                Warning { row: Some(number), sheet: None, code, message: message.clone() },
            );
        }
    }
}

/// `v.push(x)`, growing a full vector by half its length rather than doubling it: a person's
/// 未计入/待定 list and row warnings are what grows with rows (a million repeated rows are a million
/// entries of ≈72 bytes), and a doubling just past a power of two held twice the list, plus the old
/// one while it was copied: 2.2 M repeated rows (44 MB) peaked at 418 MiB, past the 8 × input +
/// 64 MB bound. By halves, the spare room is at most a third and the copy at most 1.7 × the list.
fn push_growing_by_half<T>(v: &mut Vec<T>, x: T) {
    if v.len() == v.capacity() {
        v.reserve_exact((v.len() / 2).max(16));
    }
    v.push(x);
}

#[cfg(test)]
mod tests {
    use super::push_growing_by_half;

    #[test]
    fn a_list_grows_by_half_so_its_spare_room_stays_under_half() {
        let mut v = Vec::new();
        for n in 1..=2_200_000u32 {
            push_growing_by_half(&mut v, n);
            // Just after a growth the room is at most half the length (or the first 16).
            assert!(v.capacity() <= v.len() + v.len() / 2 + 16, "{} of {}", v.capacity(), v.len());
        }
        // 2.2 M entries: a doubling would have made room for 4,194,304.
        assert!(v.capacity() < 3_300_016, "{}", v.capacity());
    }
}
