//! 时间节点: which of the policy's deadlines still matter on a given day, and what to do about each.
//! `today` is always passed in; nothing here reads a clock.

use chrono::{Datelike, NaiveDate};

use crate::policy::Policy;
use crate::report::{Deadline, DeadlineCode};
use crate::text::cn_month_day;

/// The deadlines still ahead of (or, for the year-end freeze, around) `today`, by date.
pub fn upcoming(policy: &Policy, today: NaiveDate) -> Vec<Deadline> {
    let mut out = Vec::new();
    let mut push = |code, start: Option<NaiveDate>, date: NaiveDate, who: &str, message: String| {
        if date < today {
            return;
        }
        let active = match start {
            Some(s) => s <= today,
            None => date == today,
        };
        out.push(Deadline {
            date,
            start,
            code,
            days_left: (date - today).num_days(),
            starts_in: start.filter(|s| *s > today).map(|s| (s - today).num_days()),
            active,
            who: who.to_owned(),
            message,
        });
    };
    let md = cn_month_day;
    push(
        DeadlineCode::AnnualReview,
        None,
        policy.review.deadline,
        "本人",
        format!(
            "{}前在{}完成{}年度学时申报和年度审核，并打印电子证书；缺学时的请在此之前学完并登记。",
            md(policy.review.deadline),
            policy.platform,
            policy.year
        ),
    );
    let f = policy.freeze;
    push(
        DeadlineCode::Freeze,
        Some(f.start),
        f.end,
        "本人",
        if today >= f.start {
            format!("现在是数据年终结转期（{}至{}），不再办理学时审核业务。", md(f.start), md(f.end))
        } else {
            format!("{}至{}为数据年终结转期，届时不再办理学时审核业务，请在此之前完成审核。", md(f.start), md(f.end))
        },
    );
    for w in &policy.makeup.windows {
        push(
            DeadlineCode::MakeupApplication,
            Some(w.start),
            w.end,
            // 通知四（二）: the bureau takes make-up applications only from these, never from 用人单位 or individuals.
            "县（市、区）人社局、市直部门、市级继续教育基地",
            format!(
                "{}至{}办理往年学时的补学补审申请：由县（市、区）人社局、市直部门、市级继续教育基地汇总名单后统一提交，市人社局不受理用人单位和个人的申请。需要补学的，请联系本单位继续教育电子证书管理员。",
                md(w.start),
                md(w.end)
            ),
        );
    }
    let m = &policy.makeup;
    push(
        DeadlineCode::MakeupStudyEnd,
        Some(m.study_start),
        m.study_end,
        "经批准补学的本人",
        format!(
            "经批准的补学须在补学期间（{}至{}）完成，补学补审合格后集中转换登记学时，{}前完成。",
            md(m.study_start),
            md(m.study_end),
            md(m.registration_deadline)
        ),
    );
    push(
        DeadlineCode::PlanFiling,
        None,
        policy.units.plan_filing,
        "县（区）人社局、行业主管部门、继续教育基地",
        format!(
            "{}前向市人社局申报{}年度培训计划；未在市人社局专业技术人员处备案的培训计划，其学时不予认可。",
            md(policy.units.plan_filing),
            policy.year
        ),
    );
    push(
        DeadlineCode::KeyTalentReport,
        None,
        policy.units.key_talent_report,
        "各单位、行业主管部门",
        format!("{}前向人社部门报送年度急需紧缺和骨干人才的培训情况。", md(policy.units.key_talent_report)),
    );
    // None (no start) before any day, as Option orders them.
    let day = |d: NaiveDate| i64::from(d.num_days_from_ce());
    crate::order::sort_by_key(&mut out, |d| (day(d.date), d.start.map_or(i64::MIN, day)));
    out
}

#[cfg(all(test, feature = "toml"))]
mod tests {
    use super::*;
    use crate::testing::policy_2020;

    fn codes(today: &str) -> Vec<(DeadlineCode, i64, bool)> {
        upcoming(&policy_2020(), today.parse().unwrap()).into_iter().map(|d| (d.code, d.days_left, d.active)).collect()
    }

    #[test]
    fn early_in_the_year_everything_is_ahead() {
        use DeadlineCode::*;
        let c = codes("2020-03-01");
        assert_eq!(
            c.iter().map(|x| x.0).collect::<Vec<_>>(),
            [PlanFiling, MakeupApplication, MakeupApplication, MakeupStudyEnd, KeyTalentReport, AnnualReview, Freeze]
        );
        assert_eq!(c[0], (PlanFiling, 50, false));
    }

    #[test]
    fn on_november_first() {
        use DeadlineCode::*;
        // Both make-up windows are over; the study period still runs.
        assert_eq!(
            codes("2020-11-01"),
            [(MakeupStudyEnd, 19, true), (KeyTalentReport, 29, false), (AnnualReview, 39, false), (Freeze, 60, false)]
        );
    }

    #[test]
    fn inside_a_make_up_window() {
        let d = upcoming(&policy_2020(), "2020-09-15".parse().unwrap());
        let w = d.iter().find(|d| d.code == DeadlineCode::MakeupApplication).unwrap();
        assert_eq!(
            (w.start, w.date, w.days_left, w.active),
            (Some("2020-09-01".parse().unwrap()), "2020-10-31".parse().unwrap(), 46, true)
        );
        assert!(w.message.contains("个人"), "{}", w.message);
        assert_eq!(w.who, "县（市、区）人社局、市直部门、市级继续教育基地");
    }

    #[test]
    fn a_period_ahead_says_when_it_starts() {
        let d = upcoming(&policy_2020(), "2020-11-01".parse().unwrap());
        let freeze = d.iter().find(|d| d.code == DeadlineCode::Freeze).unwrap();
        assert_eq!((freeze.starts_in, freeze.days_left, freeze.active), (Some(40), 60, false));
        let study = d.iter().find(|d| d.code == DeadlineCode::MakeupStudyEnd).unwrap();
        assert_eq!(study.starts_in, None);
    }

    #[test]
    fn review_day_and_freeze() {
        use DeadlineCode::*;
        assert_eq!(codes("2020-12-10"), [(AnnualReview, 0, true), (Freeze, 21, false)]);
        // Past deadlines drop out, except the freeze while it lasts.
        assert_eq!(codes("2020-12-20"), [(Freeze, 11, true)]);
        assert!(codes("2021-01-01").is_empty());
        let d = upcoming(&policy_2020(), "2020-12-20".parse().unwrap());
        assert!(d[0].message.starts_with("现在是数据年终结转期"));
    }
}
