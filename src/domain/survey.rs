//! Satisfaction (docs/rules.md §9): the answers of surveyed calls read as the scale says,
//! each call's `overall` score, CSAT, each question's mean against its target, the
//! coverage of the items that have a form and the follow-ups done. Pure functions over
//! typed records, for the scorecard, the `survey` command, the customer card and the
//! monthly report alike.

use std::collections::{HashMap, HashSet};

use foldhash::HashMap as FastMap;

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::half_up;
use super::kpi::{Period, Tally};
use crate::model::{Answer, CallResult, Contact, OrderKind};
use crate::policy::{Days, DuePolicy, Scale, SurveyPolicy, OVERALL};

/// A call: the customer, the rule and the item's source id, as contacts.csv and
/// answers.csv name it.
pub type CallKey<'a> = (u32, &'a str, &'a str);

/// The key of an answer's call.
pub fn call_of(a: &Answer) -> CallKey<'_> {
    (a.customer, a.rule.as_str(), a.source_id.as_str())
}

/// A call's overall answer: the one that counts (§9.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Overall<'a> {
    pub call: CallKey<'a>,
    /// `None`: asked, not rated.
    pub score: Option<u8>,
    /// The call counts in the period of this day.
    pub answered_on: NaiveDate,
}

/// Each call's `overall` answer as of `as_of`: the one answered last (the later
/// `answered_on`, then the later row), answers dated after `as_of` not yet given. In the
/// order the calls were first answered.
pub fn overalls(answers: &[Answer], as_of: NaiveDate) -> Vec<Overall<'_>> {
    let mut at: HashMap<CallKey<'_>, usize> = HashMap::new();
    let mut out: Vec<Overall<'_>> = Vec::new();
    for a in answers {
        if a.question != OVERALL || a.answered_on > as_of {
            continue;
        }
        let this = Overall {
            call: call_of(a),
            score: a.score,
            answered_on: a.answered_on,
        };
        match at.get(&this.call) {
            Some(&i) if out[i].answered_on > a.answered_on => {}
            Some(&i) => out[i] = this,
            None => {
                at.insert(this.call, out.len());
                out.push(this);
            }
        }
    }
    out
}

/// CSAT of the calls answered in `period` (§9.3): each call whose overall is rated is
/// assessed, passed when satisfied; counted in the group `group` gives (from the
/// customer and the answer's day).
pub fn csat(
    overalls: &[Overall<'_>],
    period: Period,
    scale: &Scale,
    groups: usize,
    group: impl Fn(u32, NaiveDate) -> usize,
) -> Vec<Tally> {
    let mut out = vec![Tally::default(); groups];
    for o in overalls {
        if let (Some(score), true) = (o.score, period.contains(o.answered_on)) {
            let g = group(o.call.0, o.answered_on);
            if let Some(t) = out.get_mut(g) {
                t.count(scale.is_satisfied(score));
            }
        }
    }
    out
}

/// How one question was answered: the calls that answered it, the rated answers and their
/// sum.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct QuestionTally {
    pub calls: u64,
    pub rated: u64,
    pub sum: u64,
}

impl QuestionTally {
    /// The mean score, rounded half-up to 2 decimals; `None` with nothing rated.
    pub fn mean(&self) -> Option<Decimal> {
        (self.rated > 0).then(|| half_up(Decimal::from(self.sum) / Decimal::from(self.rated), 2))
    }

    /// Whether the exact mean reaches `target`; `None` with nothing rated.
    pub fn met(&self, target: Decimal) -> Option<bool> {
        (self.rated > 0).then(|| Decimal::from(self.sum) >= target * Decimal::from(self.rated))
    }
}

/// The questions' tallies over the answers dated in `period` (each row by its own
/// `answered_on`, §9.3): `cell` says where an answer counts (its group, form and
/// question), or `None` to leave it out.
pub fn question_tallies<K: std::hash::Hash + Eq + Clone>(
    answers: &[Answer],
    period: Period,
    cell: impl Fn(&Answer) -> Option<K>,
) -> HashMap<K, QuestionTally> {
    let mut out: HashMap<K, QuestionTally> = HashMap::new();
    let mut seen: HashSet<(K, CallKey<'_>)> = HashSet::new();
    for a in answers {
        if !period.contains(a.answered_on) {
            continue;
        }
        let Some(k) = cell(a) else { continue };
        let t = out.entry(k.clone()).or_default();
        if seen.insert((k, call_of(a))) {
            t.calls += 1;
        }
        if let Some(s) = a.score {
            t.rated += 1;
            t.sum += u64::from(s);
        }
    }
    out
}

/// One question of one form in one group, as `caredesk survey` and the monthly report
/// show it (§9.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuestionLine {
    pub group: usize,
    pub form: usize,
    pub question: usize,
    pub tally: QuestionTally,
}

/// What the answers of a period say per group: each form's questions (every question of
/// a form some call of the group answered), and CSAT per group and form on the calls'
/// overall answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SurveyTable {
    pub lines: Vec<QuestionLine>,
    /// `[group * forms + form]`: the calls' overall answers, satisfied or not.
    satisfaction: Vec<Tally>,
    forms: usize,
}

impl SurveyTable {
    /// CSAT of a group's calls of a form, 4 decimals; `None` with none rated.
    pub fn csat(&self, group: usize, form: usize) -> Option<Decimal> {
        let t = self.satisfaction[group * self.forms + form];
        super::tiers::fraction(t.passed.into(), t.assessed().into())
    }
}

/// The survey table of the answers dated in `period` as of `as_of` (§9.3), grouped by
/// `group` (from the customer and the answer's day) into `groups`. `jobs` gives the
/// order kind of each surveyed job whose form depends on it ([`crate::app::JobKinds`]).
#[allow(clippy::too_many_arguments)]
pub fn survey_table(
    survey: &SurveyPolicy,
    due: &DuePolicy,
    answers: &[Answer],
    jobs: &HashMap<(u32, String), OrderKind>,
    period: Period,
    as_of: NaiveDate,
    groups: usize,
    group: impl Fn(u32, NaiveDate) -> usize,
) -> SurveyTable {
    let rule_of: HashMap<&str, usize> = due
        .rules
        .iter()
        .enumerate()
        .map(|(i, r)| (r.name.as_str(), i))
        .collect();
    let form_of = |call: CallKey<'_>| {
        let r = *rule_of.get(call.1)?;
        let kind: Option<OrderKind> = jobs.get(&(call.0, call.2.to_string())).copied();
        survey.form_for(r, kind)
    };
    let question_of = |a: &Answer| {
        if a.answered_on > as_of {
            return None;
        }
        let f = form_of(call_of(a))?;
        let q = survey.forms[f]
            .questions
            .iter()
            .position(|q| q.id == a.question)?;
        Some((group(a.customer, a.answered_on), f, q))
    };
    let tallies = question_tallies(answers, period, question_of);
    let calls = overalls(answers, as_of);
    let forms = survey.forms.len();
    let mut satisfaction = vec![Tally::default(); groups * forms];
    for f in 0..forms {
        let of_form: Vec<Overall<'_>> = calls
            .iter()
            .copied()
            .filter(|o| form_of(o.call) == Some(f))
            .collect();
        let by_group = csat(&of_form, period, &survey.scale, groups, &group);
        for (g, t) in by_group.into_iter().enumerate() {
            satisfaction[g * forms + f] = t;
        }
    }
    let mut lines = Vec::new();
    for g in 0..groups {
        for (f, form) in survey.forms.iter().enumerate() {
            let asked = 0..form.questions.len();
            if !asked.clone().any(|q| tallies.contains_key(&(g, f, q))) {
                continue;
            }
            for q in asked {
                lines.push(QuestionLine {
                    group: g,
                    form: f,
                    question: q,
                    tally: tallies.get(&(g, f, q)).copied().unwrap_or_default(),
                });
            }
        }
    }
    SurveyTable {
        lines,
        satisfaction,
        forms,
    }
}

/// What one call's answers say, for the customer card: its overall score and the mean of
/// the other rated answers (2 decimals).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CallAnswers {
    pub overall: Option<u8>,
    pub rest_mean: Option<Decimal>,
    /// Questions answered (rated or not).
    pub answered: usize,
}

/// The answers of one call (`answers` all of that call) as of `as_of`: `overall` as
/// [`overalls`] reads it, and the mean of the rest's rated scores.
pub fn call_answers(answers: &[&Answer], as_of: NaiveDate) -> CallAnswers {
    let mut overall: Option<(NaiveDate, Option<u8>)> = None;
    let mut rest = QuestionTally::default();
    let mut answered = 0;
    for a in answers.iter().filter(|a| a.answered_on <= as_of) {
        answered += 1;
        if a.question == OVERALL {
            if overall.is_none_or(|(on, _)| a.answered_on >= on) {
                overall = Some((a.answered_on, a.score));
            }
        } else if let Some(s) = a.score {
            rest.rated += 1;
            rest.sum += u64::from(s);
        }
    }
    CallAnswers {
        overall: overall.and_then(|(_, s)| s),
        rest_mean: rest.mean(),
        answered,
    }
}

/// Every call's answers as [`call_answers`] reads them, keyed by the call (for a customer
/// card: each contacts row finds its answers here).
pub fn answers_by_call(answers: &[Answer], as_of: NaiveDate) -> HashMap<CallKey<'_>, CallAnswers> {
    let mut of_call: HashMap<CallKey<'_>, Vec<&Answer>> = HashMap::new();
    for a in answers {
        of_call.entry(call_of(a)).or_default().push(a);
    }
    of_call
        .into_iter()
        .map(|(call, rows)| (call, call_answers(&rows, as_of)))
        .filter(|(_, c)| c.answered > 0)
        .collect()
}

/// What the logs say of each item (call) as of a day: when it was ended (the first
/// `done` or `refused` row), when it was first answered with a score, and how many
/// times nobody answered.
#[derive(Debug, Default)]
pub struct CallLog<'a> {
    ended: FastMap<CallKey<'a>, (NaiveDate, CallResult)>,
    rated: FastMap<CallKey<'a>, NaiveDate>,
    attempts: FastMap<CallKey<'a>, u32>,
}

impl<'a> CallLog<'a> {
    /// The logs as known on `as_of`: rows dated after it have not happened yet.
    pub fn new(contacts: &'a [Contact], answers: &'a [Answer], as_of: NaiveDate) -> Self {
        let mut log = CallLog::default();
        for c in contacts.iter().filter(|c| c.done_on <= as_of) {
            let key = (c.customer, c.rule.as_str(), c.source_id.as_str());
            if c.result.ends_item() {
                let e = log.ended.entry(key).or_insert((c.done_on, c.result));
                if c.done_on < e.0 {
                    *e = (c.done_on, c.result);
                }
            } else {
                *log.attempts.entry(key).or_default() += 1;
            }
        }
        for a in answers.iter().filter(|a| a.answered_on <= as_of) {
            if a.score.is_some() {
                let e = log.rated.entry(call_of(a)).or_insert(a.answered_on);
                *e = (*e).min(a.answered_on);
            }
        }
        log
    }

    /// The day and result of the row that ended the call, if one did.
    pub fn ended(&self, call: CallKey<'_>) -> Option<(NaiveDate, CallResult)> {
        // A log with nothing in it costs no hashing (a million items, no contacts).
        match self.ended.is_empty() {
            true => None,
            false => self.ended.get(&call).copied(),
        }
    }

    /// The first day the call got a rated answer.
    pub fn rated_on(&self, call: CallKey<'_>) -> Option<NaiveDate> {
        match self.rated.is_empty() {
            true => None,
            false => self.rated.get(&call).copied(),
        }
    }

    /// The `no_answer` rows of the call.
    pub fn attempts(&self, call: CallKey<'_>) -> u32 {
        match self.attempts.is_empty() {
            true => 0,
            false => self.attempts.get(&call).copied().unwrap_or(0),
        }
    }
}

/// Where a follow-up due on `due` stands on `as_of`, with `grace` days to do it (§9.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FollowupState {
    /// Done within the grace.
    Done,
    /// Refused within the grace (it ends the item, and counts as followed up).
    Refused,
    /// Not ended yet, and the grace still runs.
    Open,
    /// Not ended by the grace's last day (ended later, or not at all).
    Missed,
}

impl FollowupState {
    pub fn as_str(self) -> &'static str {
        match self {
            FollowupState::Done => "done",
            FollowupState::Refused => "refused",
            FollowupState::Open => "open",
            FollowupState::Missed => "missed",
        }
    }

    /// The KPI's verdict: passed, failed, or not assessed yet.
    pub fn verdict(self) -> Option<bool> {
        match self {
            FollowupState::Done | FollowupState::Refused => Some(true),
            FollowupState::Missed => Some(false),
            FollowupState::Open => None,
        }
    }
}

/// The follow-up of an item due on `due`, ended on `ended` (if by `as_of`): done or
/// refused when ended by `due + grace`, missed once `as_of` is past that without it,
/// otherwise open.
pub fn followup(
    due: NaiveDate,
    grace: Days,
    as_of: NaiveDate,
    ended: Option<(NaiveDate, CallResult)>,
) -> FollowupState {
    let last = super::days_after(due, grace);
    match ended.filter(|(on, _)| *on <= as_of) {
        Some((on, CallResult::Refused)) if on <= last => FollowupState::Refused,
        Some((on, _)) if on <= last => FollowupState::Done,
        _ if as_of > last => FollowupState::Missed,
        _ => FollowupState::Open,
    }
}

/// What became of a group's follow-ups (a rule's, an owner's, §9.4): how many were due,
/// and how many of them are in each [`FollowupState`]. The `followup_done` KPI and the
/// monthly report's follow-ups count the same states: `tally` is the KPI's.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FollowupTally {
    pub due: u64,
    pub done: u64,
    pub refused: u64,
    pub open: u64,
    pub missed: u64,
}

impl FollowupTally {
    pub fn count(&mut self, state: FollowupState) {
        self.due += 1;
        *match state {
            FollowupState::Done => &mut self.done,
            FollowupState::Refused => &mut self.refused,
            FollowupState::Open => &mut self.open,
            FollowupState::Missed => &mut self.missed,
        } += 1;
    }

    /// The KPI's tally ([`FollowupState::verdict`]): done and refused passed, missed
    /// failed, open not assessed yet.
    pub fn tally(&self) -> Tally {
        Tally {
            passed: self.done + self.refused,
            failed: self.missed,
        }
    }

    /// The done rate, `followup_done`'s: passed / assessed, half-up to 4 decimals; `None`
    /// with nothing assessed.
    pub fn done_rate(&self) -> Option<Decimal> {
        let t = self.tally();
        super::tiers::fraction(t.passed.into(), t.assessed().into())
    }
}

/// The coverage verdict of an item due on `due` (§9.4): passed with a rated answer by
/// `as_of`, failed once `as_of` is past `due + grace` without one, otherwise not
/// assessed yet.
pub fn covered(
    due: NaiveDate,
    grace: Days,
    as_of: NaiveDate,
    rated_on: Option<NaiveDate>,
) -> Option<bool> {
    match rated_on.filter(|on| *on <= as_of) {
        Some(_) => Some(true),
        None if as_of > super::days_after(due, grace) => Some(false),
        None => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn answer(customer: u32, source: &str, question: &str, score: Option<u8>, on: &str) -> Answer {
        Answer {
            customer,
            rule: "survey".into(),
            source_id: source.into(),
            question: question.into(),
            score,
            answered_on: d(on),
            line: 0,
        }
    }

    const OCT: Period = Period {
        from: NaiveDate::from_ymd_opt(2026, 10, 1).unwrap(),
        to: NaiveDate::from_ymd_opt(2026, 10, 31).unwrap(),
    };

    #[test]
    fn the_scale_reads_digits_and_labels_and_not_rated_is_no_score() {
        let s = Scale::default();
        for (cell, score) in [
            ("5", Some(5)),
            (" 4 ", Some(4)),
            ("1", Some(1)),
            ("非常满意", Some(5)),
            ("比较满意", Some(4)),
            ("一般", Some(3)),
            ("不太满意", Some(2)),
            ("非常不满意", Some(1)),
            (" 一般 ", Some(3)),
            ("不予评价", None),
            ("", None),
            ("  ", None),
        ] {
            assert_eq!(s.read(cell), Ok(score), "{cell:?}");
        }
        for bad in [
            "0",
            "6",
            "4.5",
            "+4",
            "05x",
            "satisfied",
            "满意",
            "10",
            "-1",
        ] {
            let err = s.read(bad).unwrap_err();
            assert!(err.starts_with("expected a score 1 to 5"), "{bad:?}: {err}");
        }
        assert!(s.expected().contains("5 非常满意, 4 比较满意"));
    }

    #[test]
    fn csat_counts_a_4_satisfied_and_a_3_not() {
        let s = Scale::default();
        let answers = [
            answer(0, "O1", OVERALL, Some(4), "2026-10-05"),
            answer(1, "O2", OVERALL, Some(3), "2026-10-06"),
            answer(2, "O3", OVERALL, None, "2026-10-07"),
            answer(3, "O4", "polite", Some(1), "2026-10-07"),
            answer(4, "O5", OVERALL, Some(5), "2026-11-01"),
        ];
        let all = overalls(&answers, d("2026-11-22"));
        let t = csat(&all, OCT, &s, 1, |_, _| 0);
        assert_eq!(
            t[0],
            Tally {
                passed: 1,
                failed: 1
            },
            "not rated and other months left out"
        );
    }

    #[test]
    fn a_call_answered_twice_counts_its_later_overall() {
        let answers = [
            answer(0, "O1", OVERALL, Some(2), "2026-10-05"),
            answer(0, "O1", OVERALL, Some(5), "2026-10-09"),
            answer(0, "O1", OVERALL, Some(1), "2026-10-07"),
            answer(1, "O2", OVERALL, Some(1), "2026-10-05"),
            answer(1, "O2", OVERALL, Some(4), "2026-10-05"),
        ];
        let all = overalls(&answers, d("2026-11-22"));
        assert_eq!(all.len(), 2);
        assert_eq!(
            (all[0].score, all[0].answered_on),
            (Some(5), d("2026-10-09"))
        );
        assert_eq!(all[1].score, Some(4), "the same day: the later row");
        let before = overalls(&answers, d("2026-10-08"));
        assert_eq!(before[0].score, Some(1), "what was known on 8 Oct");
    }

    #[test]
    fn question_means_are_half_up_and_met_is_exact() {
        let answers = [
            answer(0, "O1", "polite", Some(5), "2026-10-05"),
            answer(1, "O2", "polite", Some(4), "2026-10-06"),
            answer(2, "O3", "polite", Some(4), "2026-10-06"),
            answer(3, "O4", "polite", None, "2026-10-06"),
            answer(4, "O5", "polite", Some(1), "2026-09-30"),
        ];
        let t = question_tallies(&answers, OCT, |a| Some(a.question.clone()));
        let polite = t["polite"];
        assert_eq!(
            polite,
            QuestionTally {
                calls: 4,
                rated: 3,
                sum: 13
            }
        );
        assert_eq!(polite.mean(), Some(Decimal::new(433, 2)));
        assert_eq!(
            polite.met(Decimal::new(433, 2)),
            Some(true),
            "13/3 = 4.333… ≥ 4.33"
        );
        assert_eq!(polite.met(Decimal::new(434, 2)), Some(false));
        assert_eq!(QuestionTally::default().mean(), None);
    }

    #[test]
    fn a_calls_answers_give_overall_and_the_mean_of_the_rest() {
        let rows = [
            answer(0, "O1", "polite", Some(5), "2026-10-05"),
            answer(0, "O1", "fees", Some(2), "2026-10-05"),
            answer(0, "O1", "on_time", None, "2026-10-05"),
            answer(0, "O1", OVERALL, Some(4), "2026-10-05"),
        ];
        let refs: Vec<&Answer> = rows.iter().collect();
        assert_eq!(
            call_answers(&refs, d("2026-10-05")),
            CallAnswers {
                overall: Some(4),
                rest_mean: Some(Decimal::new(350, 2)),
                answered: 4
            }
        );
        assert_eq!(call_answers(&refs, d("2026-10-04")), CallAnswers::default());
        let mut other = answer(1, "O2", OVERALL, Some(2), "2026-10-06");
        other.rule = "callback-3d".into();
        let all = [rows.to_vec(), vec![other]].concat();
        let by_call = answers_by_call(&all, d("2026-10-05"));
        assert_eq!(by_call.len(), 1, "the other call was answered later");
        assert_eq!(by_call[&(0, "survey", "O1")].overall, Some(4));
    }

    #[test]
    fn a_follow_up_done_on_the_last_day_of_grace_counts_and_the_day_after_does_not() {
        let due = d("2026-10-10");
        let grace = Days::of(14);
        let done = |on: &str| Some((d(on), CallResult::Done));
        assert_eq!(
            followup(due, grace, d("2026-11-22"), done("2026-10-24")),
            FollowupState::Done
        );
        assert_eq!(
            followup(due, grace, d("2026-11-22"), done("2026-10-25")),
            FollowupState::Missed
        );
        assert_eq!(
            followup(
                due,
                grace,
                d("2026-11-22"),
                Some((d("2026-10-11"), CallResult::Refused))
            ),
            FollowupState::Refused
        );
        // A refusal is a call made in time like any other: after the grace, it is missed.
        let refused = |on: &str| Some((d(on), CallResult::Refused));
        assert_eq!(
            followup(due, grace, d("2026-11-22"), refused("2026-10-24")),
            FollowupState::Refused
        );
        assert_eq!(
            followup(due, grace, d("2026-11-22"), refused("2026-10-25")),
            FollowupState::Missed
        );
        assert_eq!(
            followup(due, grace, d("2026-10-24"), None),
            FollowupState::Open
        );
        assert_eq!(
            followup(due, grace, d("2026-10-25"), None),
            FollowupState::Missed
        );
        assert_eq!(
            followup(due, grace, d("2026-10-20"), done("2026-10-21")),
            FollowupState::Open,
            "a row after as-of has not happened"
        );
        assert_eq!(FollowupState::Missed.verdict(), Some(false));
        assert_eq!(FollowupState::Open.verdict(), None);
    }

    #[test]
    fn a_followup_tally_counts_done_and_refused_as_the_kpi_passes_them() {
        let mut t = FollowupTally::default();
        assert_eq!(t.done_rate(), None, "nothing assessed");
        for s in [
            FollowupState::Done,
            FollowupState::Refused,
            FollowupState::Open,
            FollowupState::Missed,
            FollowupState::Done,
        ] {
            t.count(s);
        }
        assert_eq!(
            (t.due, t.done, t.refused, t.open, t.missed),
            (5, 2, 1, 1, 1)
        );
        assert_eq!(
            t.tally(),
            Tally {
                passed: 3,
                failed: 1
            }
        );
        assert_eq!(t.done_rate(), Some(Decimal::new(7500, 4)));
    }

    #[test]
    fn coverage_passes_on_a_rated_answer_and_fails_past_the_grace() {
        let due = d("2026-10-10");
        let grace = Days::of(14);
        assert_eq!(
            covered(due, grace, d("2026-11-22"), Some(d("2026-11-01"))),
            Some(true)
        );
        assert_eq!(covered(due, grace, d("2026-10-24"), None), None);
        assert_eq!(covered(due, grace, d("2026-10-25"), None), Some(false));
    }

    #[test]
    fn the_call_log_ends_on_done_or_refused_and_counts_no_answers() {
        let c = |result, on: &str| Contact {
            customer: 0,
            rule: "survey".into(),
            source_id: "O1".into(),
            done_on: d(on),
            by: None,
            result,
            note: None,
        };
        let contacts = [
            c(CallResult::NoAnswer, "2026-10-05"),
            c(CallResult::NoAnswer, "2026-10-06"),
            c(CallResult::Refused, "2026-10-08"),
            c(CallResult::Done, "2026-10-07"),
            c(CallResult::NoAnswer, "2026-10-30"),
        ];
        let log = CallLog::new(&contacts, &[], d("2026-10-29"));
        let key = (0, "survey", "O1");
        assert_eq!(log.attempts(key), 2);
        assert_eq!(log.ended(key), Some((d("2026-10-07"), CallResult::Done)));
        assert_eq!(log.ended((1, "survey", "O1")), None);
    }
}
