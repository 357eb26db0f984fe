//! From the policy as read to the policy as meant: one `TryFrom<RawPolicy> for Policy`
//! that fills the defaults (docs/rules.md gives each), bounds every number, turns names
//! into enums and tier sets, and checks what the types cannot say (thresholds descend,
//! shares add up, a sale rule has days or months). Every problem is collected with its key
//! and line; a value already reported by the reader is not reported again.

use std::collections::BTreeMap;

use rust_decimal::Decimal;

use super::raw::{
    Field, Given, Place, RawColumns, RawDue, RawDueRule, RawForm, RawHoliday, RawKpi, RawKpiRule,
    RawLevel, RawPolicy, RawScale, RawSurvey, RawTarget, RawTiers,
};
use super::*;
use crate::model::{one_of, OrderKind};

impl TryFrom<RawPolicy> for Policy {
    type Error = Problems;

    fn try_from(raw: RawPolicy) -> Result<Policy, Problems> {
        let mut c = Check {
            file: raw.file,
            problems: raw.problems,
            warnings: raw.warnings,
        };
        let columns = c.columns(&raw.columns);
        let input = InputPolicy {
            encoding: c.choice(
                &raw.input.encoding,
                crate::load::encoding::Encoding::Auto,
                crate::load::encoding::Encoding::NAMES,
            ),
        };
        let validation = Validation {
            unknown_customer: c.choice(
                &raw.validation.unknown_customer,
                UnknownCustomer::Error,
                &[
                    ("error", UnknownCustomer::Error),
                    ("skip", UnknownCustomer::Skip),
                ],
            ),
        };
        let tiers = c.tiers(&raw.tiers);
        let kpi = c.kpi(&raw.kpi, &tiers.levels);
        let scale = c.scale(&raw.survey.scale);
        let due = c.due(&raw.due, &tiers.levels, &scale);
        let survey = c.survey(&raw.survey, scale, &due.rules, &raw.due);
        let labels = Language::of_labels(labels(&tiers, &kpi));
        let report = ReportPolicy {
            language: c
                .choice(
                    &raw.report.language,
                    None,
                    &[
                        ("auto", None),
                        ("zh", Some(Language::Chinese)),
                        ("en", Some(Language::English)),
                    ],
                )
                .unwrap_or(labels),
        };
        if !c.problems.is_empty() {
            return Err(c.problems);
        }
        Ok(Policy {
            columns,
            input,
            validation,
            tiers,
            kpi,
            due,
            survey,
            report,
            origin: Origin { lines: raw.lines },
            warnings: c.warnings,
        })
    }
}

/// The problems found so far, and the helpers that read a field or report it.
struct Check {
    file: String,
    problems: Problems,
    warnings: Vec<crate::error::Problem>,
}

/// What a decimal of the policy may be.
struct Bounds {
    min: Decimal,
    /// Whether `min` itself is allowed.
    min_allowed: bool,
    max: Decimal,
    places: u32,
    /// Says what is expected, for the message: "a share is a fraction above 0 and at most 1".
    expected: &'static str,
}

impl Check {
    fn at(&mut self, key: &str, line: u64, message: impl Into<String>) {
        self.problems
            .add(&self.file, line, Some(key), None, message);
    }

    fn bad<T>(&mut self, given: &Given<T>, message: impl Into<String>) {
        self.at(&given.key.clone(), given.line, message);
    }

    /// A required field: absent is a problem at `place`, saying `needs`.
    fn required<'f, T>(
        &mut self,
        field: &'f Field<T>,
        place: &Place,
        needs: String,
    ) -> Option<&'f Given<T>> {
        if field.is_absent() {
            self.at(&place.key, place.line, needs);
        }
        field.given()
    }

    /// A text that names one of `options`; absent or wrong: `default`.
    fn choice<E: Copy>(&mut self, field: &Field<String>, default: E, options: &[(&str, E)]) -> E {
        let Some(g) = field.given() else {
            return default;
        };
        match options.iter().find(|(name, _)| *name == g.value) {
            Some((_, e)) => *e,
            None => {
                let names: Vec<String> = options.iter().map(|(n, _)| format!("{n:?}")).collect();
                let names: Vec<&str> = names.iter().map(String::as_str).collect();
                self.bad(
                    g,
                    format!("expected {}, found {:?}", one_of(&names), g.value),
                );
                default
            }
        }
    }

    /// A span of whole units of at least `min`; absent: `default`.
    fn span<S: Span>(&mut self, field: &Field<i64>, min: u32, default: S) -> S {
        let Some(g) = field.given() else {
            return default;
        };
        let fits = u32::try_from(g.value)
            .ok()
            .filter(|n| *n >= min)
            .and_then(S::new);
        match fits {
            Some(s) => s,
            None => {
                self.bad(
                    g,
                    format!(
                        "expected a whole number of {} from {min} to {} (a century), found {}",
                        S::UNIT,
                        S::MAX,
                        g.value
                    ),
                );
                default
            }
        }
    }

    fn days(&mut self, field: &Field<i64>, default: Days) -> Days {
        self.span(field, 0, default)
    }

    /// A count from 0 to [`MAX_COUNT`]; absent: `default`.
    fn count(&mut self, field: &Field<i64>, default: u32) -> u32 {
        let Some(g) = field.given() else {
            return default;
        };
        match u32::try_from(g.value).ok().filter(|n| *n <= MAX_COUNT) {
            Some(n) => n,
            None => {
                self.bad(
                    g,
                    format!(
                        "expected a whole number from 0 to {MAX_COUNT}, found {}",
                        g.value
                    ),
                );
                default
            }
        }
    }

    /// A decimal within `bounds`; `None` when absent, already reported, or out of bounds
    /// (then reported).
    fn number(&mut self, field: &Field<Decimal>, bounds: &Bounds) -> Option<Decimal> {
        let g = field.given()?;
        let v = g.value;
        let low_ok = if bounds.min_allowed {
            v >= bounds.min
        } else {
            v > bounds.min
        };
        if !low_ok || v > bounds.max {
            self.bad(g, format!("{}, not {}", bounds.expected, v.normalize()));
            return None;
        }
        if v.normalize().scale() > bounds.places {
            self.bad(
                g,
                format!(
                    "{} has more than {} decimal places",
                    v.normalize(),
                    bounds.places
                ),
            );
            return None;
        }
        Some(v)
    }

    /// An amount of money: exact cents, from 0 to [`MAX_MIN_SPEND`].
    fn money(&mut self, g: &Given<Decimal>) -> Option<Cents> {
        let cents = g.value * Decimal::ONE_HUNDRED;
        if cents.fract() != Decimal::ZERO {
            self.bad(
                g,
                format!("an amount has at most 2 decimal places, not {}", g.value),
            );
            return None;
        }
        match i128::try_from(cents.trunc()).ok().map(Cents) {
            Some(c) if c.0 >= 0 && c <= MAX_MIN_SPEND => Some(c),
            _ => {
                self.bad(
                    g,
                    format!(
                        "an amount from 0 to {MAX_MIN_SPEND} (the largest total a customer can have), not {}",
                        g.value
                    ),
                );
                None
            }
        }
    }

    fn fraction(expected: &'static str, min_allowed: bool) -> Bounds {
        Bounds {
            min: Decimal::ZERO,
            min_allowed,
            max: Decimal::ONE,
            places: MAX_PLACES,
            expected,
        }
    }

    // ---- the sections

    fn columns(&mut self, raw: &RawColumns) -> Columns {
        let mut one = |file: &str, given: &[Given<(String, String)>], known: &[&str]| {
            let mut map = BTreeMap::new();
            for g in given {
                let (column, header) = &g.value;
                if !known.contains(&column.as_str()) {
                    self.bad(
                        g,
                        format!(
                            "{file} has no column {column:?}; expected one of {}",
                            known.join(", ")
                        ),
                    );
                } else if header.trim().is_empty() {
                    self.bad(g, "header name is empty");
                } else {
                    map.insert(column.clone(), header.clone());
                }
            }
            // One header, one column: two columns read from it would both take its
            // values, and the file's own column of that name would go unread (§4.2).
            let reads = |c: &str| map.get(c).map_or(c, String::as_str).trim().to_string();
            for g in given {
                let (column, header) = &g.value;
                if map.get(column) != Some(header) {
                    continue;
                }
                let clash = known
                    .iter()
                    .find(|&&other| other != column && reads(other) == header.trim());
                if let Some(other) = clash {
                    let message = match map.contains_key(*other) {
                        true => format!(
                            "{header:?} is also the header of columns.{file}.{other}; expected \
                             one header per column (both would read the same cells)"
                        ),
                        false => format!(
                            "{header:?} is the header {other} is read from (it is not mapped); \
                             expected one header per column: map {other} to a header of its own \
                             too, or name another here"
                        ),
                    };
                    self.bad(g, message);
                }
            }
            map
        };
        Columns {
            customers: one("customers", &raw.customers, CUSTOMER_COLUMNS),
            orders: one("orders", &raw.orders, ORDER_COLUMNS),
            complaints: one("complaints", &raw.complaints, COMPLAINT_COLUMNS),
            contacts: one("contacts", &raw.contacts, CONTACT_COLUMNS),
            answers: one("answers", &raw.answers, ANSWER_COLUMNS),
        }
    }

    fn tiers(&mut self, raw: &RawTiers) -> TierPolicy {
        let d = TierPolicy::default();
        let score = raw.method.value().is_some_and(|m| m == "score");
        self.choice(
            &raw.method,
            "spend",
            &[("spend", "spend"), ("score", "score")],
        );
        let (levels, method) = match raw.levels.given() {
            Some(g) => self.levels(g, score, raw),
            None if score => {
                let key = raw
                    .method
                    .given()
                    .map_or("tiers.method".into(), |g| g.key.clone());
                let line = raw.method.given().map_or(0, |g| g.line);
                self.at(
                    &key,
                    line,
                    "the score method needs its own tiers: give [[tiers.levels]] with a share or a min_score on each but the last",
                );
                (d.levels.clone(), d.method.clone())
            }
            None => (d.levels.clone(), d.method.clone()),
        };
        let window = match self.days(&raw.window_days, Days::of(0)) {
            n if n.get() == 0 => TierWindow::AllTime,
            n => TierWindow::Last(n),
        };
        let purchases = match raw.refunds_are_purchases.value() {
            Some(true) => Purchases::AllSales,
            _ => Purchases::KeptSales,
        };
        let points_per_unit = self
            .number(
                &raw.points_per_unit,
                &Bounds {
                    min: Decimal::ZERO,
                    min_allowed: true,
                    max: Decimal::from(MAX_POINTS_PER_UNIT),
                    places: MAX_PLACES,
                    expected: "points per unit are from 0 to 10000",
                },
            )
            .unwrap_or(d.points_per_unit);
        let lifecycle = {
            let l = &raw.lifecycle;
            let active_days = self.days(&l.active_days, d.lifecycle.active_days);
            let sleeping_days = self.days(&l.sleeping_days, d.lifecycle.sleeping_days);
            if sleeping_days < active_days {
                let (key, line) = l
                    .sleeping_days
                    .given()
                    .or(l.active_days.given())
                    .map_or(("tiers.lifecycle.sleeping_days".into(), 0), |g| {
                        (g.key.clone(), g.line)
                    });
                self.at(
                    &key,
                    line,
                    format!(
                        "sleeping_days ({}) must be at least active_days ({})",
                        sleeping_days.get(),
                        active_days.get()
                    ),
                );
            }
            Lifecycle {
                active_days,
                sleeping_days,
            }
        };
        let segments = {
            let s = &raw.segments;
            let ds = d.segments;
            Segments {
                window_days: self.span(&s.window_days, 1, ds.window_days),
                min_per_year: self
                    .number(
                        &s.min_per_year,
                        &Bounds {
                            min: Decimal::ZERO,
                            min_allowed: true,
                            max: Decimal::from(MAX_PER_YEAR),
                            places: MAX_PLACES,
                            expected: "purchases a year are from 0 to 10000",
                        },
                    )
                    .unwrap_or(ds.min_per_year),
                top_rank: self
                    .number(
                        &s.top_rank,
                        &Self::fraction("a percent rank is between 0 and 1", true),
                    )
                    .unwrap_or(ds.top_rank),
                new_days: self.days(&s.new_days, ds.new_days),
                retain_months: self.span(&s.retain_months, 0, ds.retain_months),
            }
        };
        TierPolicy {
            method,
            levels,
            window,
            purchases,
            points_per_unit,
            lifecycle,
            segments,
            churn_days: self.days(&raw.churn_days, d.churn_days),
            care_goal: CareGoal {
                min_sales: self.count(&raw.care_goal.min_sales, d.care_goal.min_sales),
                min_referrals: self.count(&raw.care_goal.min_referrals, d.care_goal.min_referrals),
            },
        }
    }

    /// The tiers as given, and the method's thresholds on them.
    fn levels(
        &mut self,
        given: &Given<Vec<RawLevel>>,
        score: bool,
        raw: &RawTiers,
    ) -> (Vec<Level>, Method) {
        let d = TierPolicy::default();
        let list = &given.value;
        if list.len() < 2 || list.len() > MAX_TIERS {
            self.bad(
                given,
                format!("expected at least two tiers and at most {MAX_TIERS}"),
            );
            return (d.levels, d.method);
        }
        let mut levels = Vec::with_capacity(list.len());
        for (i, l) in list.iter().enumerate() {
            let name = self.required(&l.name, &l.at, "a tier needs a name".into());
            let name = name.map_or(String::new(), |g| {
                let n = &g.value;
                if n.trim().is_empty() {
                    self.bad(g, "tier name is empty");
                } else if list[..i].iter().any(|m| m.name.value() == Some(n)) {
                    self.bad(g, format!("tier {n:?} is named twice"));
                } else if RESERVED_TIER_NAMES.contains(&n.as_str()) {
                    self.bad(
                        g,
                        format!("{n:?} is reserved: a rule's tiers = [{n:?}] means the {} tiers; name the tier otherwise",
                            if n == "care_plan" { "care-plan" } else { "other" }),
                    );
                }
                n.clone()
            });
            levels.push(Level {
                name,
                label: l.label.value().cloned(),
                care_plan: l.care_plan.value().copied().unwrap_or(false),
            });
        }
        let method = if score {
            self.score_method(list, raw)
        } else {
            self.spend_method(list)
        };
        (levels, method)
    }

    fn spend_method(&mut self, list: &[RawLevel]) -> Method {
        let last = list.len() - 1;
        let mut mins: Vec<(usize, Cents)> = Vec::new();
        for (i, l) in list.iter().enumerate() {
            for g in [l.share.given(), l.min_score.given()].into_iter().flatten() {
                self.bad(
                    g,
                    "only the score method uses this; the spend method reads min_spend",
                );
            }
            match l.min_spend.given() {
                Some(g) if i == last => {
                    self.bad(g, "the last tier is the floor: it takes no min_spend")
                }
                Some(g) => mins.extend(self.money(g).map(|c| (i, c))),
                None if l.min_spend.is_absent() && i < last => {
                    let name = l.name.value().map_or("", String::as_str);
                    self.at(
                        &l.at.key,
                        l.at.line,
                        format!("tier {name:?} needs min_spend (only the last tier has none)"),
                    );
                }
                None => {}
            }
        }
        for w in mins.windows(2) {
            let ((above, high), (at, low)) = (w[0], w[1]);
            if low >= high {
                let name = list[above].name.value().map_or("", String::as_str);
                if let Some(g) = list[at].min_spend.given() {
                    self.bad(
                        g,
                        format!(
                            "tier thresholds must descend: {low} is not below {name:?}'s {high}"
                        ),
                    );
                }
            }
        }
        let mut min_spend = vec![Cents::ZERO; last];
        for (i, c) in mins {
            min_spend[i] = c;
        }
        Method::Spend { min_spend }
    }

    fn score_method(&mut self, list: &[RawLevel], raw: &RawTiers) -> Method {
        let last = list.len() - 1;
        let levels_key = "tiers.levels";
        let levels_line = raw.levels.given().map_or(0, |g| g.line);
        for l in list {
            if let Some(g) = l.min_spend.given() {
                self.bad(
                    g,
                    "only the spend method uses min_spend; the score method reads share or min_score",
                );
            }
        }
        let by_share = list.iter().any(|l| l.share.is_present());
        let by_score = list.iter().any(|l| l.min_score.is_present());
        let classes = if by_share && by_score {
            self.at(
                levels_key,
                levels_line,
                "use either share or min_score on the tiers, not both",
            );
            Classes::Shares(vec![Decimal::ZERO; last])
        } else if by_share {
            Classes::Shares(self.shares(list, levels_line))
        } else if by_score {
            Classes::MinScores(self.min_scores(list))
        } else {
            self.at(
                levels_key,
                levels_line,
                "the score method needs a share or a min_score on each tier but the last",
            );
            Classes::Shares(vec![Decimal::ZERO; last])
        };
        let s = &raw.score;
        let d = ScoreWeights::default();
        let bounds = Bounds {
            min: Decimal::ZERO,
            min_allowed: true,
            max: Decimal::ONE,
            places: MAX_PLACES,
            expected: "a weight is from 0 to 1",
        };
        let mut all_good = true;
        let mut weight = |c: &mut Check, f: &Field<Decimal>, default: Decimal| {
            let w = c.number(f, &bounds);
            all_good &= w.is_some() || f.is_absent();
            w.unwrap_or(default)
        };
        let weights = ScoreWeights {
            spend: weight(self, &s.spend, d.spend),
            profit: weight(self, &s.profit, d.profit),
            sales: weight(self, &s.sales, d.sales),
        };
        let sum = weights.spend + weights.profit + weights.sales;
        if all_good && sum != Decimal::ONE {
            let key = if s.at.key.is_empty() {
                "tiers.score".to_string()
            } else {
                s.at.key.clone()
            };
            self.at(
                &key,
                s.at.line,
                format!(
                    "score weights must add up to 1 (they add up to {})",
                    sum.normalize()
                ),
            );
        }
        Method::Score { weights, classes }
    }

    fn shares(&mut self, list: &[RawLevel], levels_line: u64) -> Vec<Decimal> {
        let last = list.len() - 1;
        let bounds = Self::fraction("a share is a fraction above 0 and at most 1", false);
        let mut sum = Decimal::ZERO;
        let mut shares = Vec::with_capacity(last);
        let mut complete = true;
        for (i, l) in list.iter().enumerate() {
            let share = self.number(&l.share, &bounds);
            if share.is_none() && l.share.is_present() {
                complete = false;
            }
            if share.is_none() && l.share.is_absent() && i < last {
                let name = l.name.value().map_or("", String::as_str);
                self.at(&l.at.key, l.at.line, format!("tier {name:?} needs a share"));
                complete = false;
            }
            sum += share.unwrap_or_default();
            if i < last {
                shares.push(share.unwrap_or_default());
            }
        }
        let floor = &list[last];
        let with_floor = floor.share.is_present();
        if complete && ((with_floor && sum != Decimal::ONE) || (!with_floor && sum >= Decimal::ONE))
        {
            let name = floor.name.value().map_or("", String::as_str);
            self.at(
                "tiers.levels",
                levels_line,
                if with_floor {
                    format!("shares must add up to 1 (they add up to {})", sum.normalize())
                } else {
                    format!("shares above the last tier must add up to less than 1, leaving the rest to {name:?} (they add up to {})", sum.normalize())
                },
            );
        }
        shares
    }

    fn min_scores(&mut self, list: &[RawLevel]) -> Vec<Decimal> {
        let last = list.len() - 1;
        let bounds = Bounds {
            min: Decimal::ZERO,
            min_allowed: true,
            max: Decimal::ONE_HUNDRED,
            places: MAX_PLACES,
            expected: "a score is between 0 and 100",
        };
        let mut out = Vec::with_capacity(last);
        let mut previous: Option<Decimal> = None;
        for (i, l) in list.iter().enumerate() {
            if i == last {
                if let Some(g) = l.min_score.given() {
                    self.bad(
                        g,
                        format!(
                            "the last tier is the floor: it takes no min_score (found {})",
                            g.value
                        ),
                    );
                }
                break;
            }
            if l.min_score.is_absent() {
                let name = l.name.value().map_or("", String::as_str);
                self.at(
                    &l.at.key,
                    l.at.line,
                    format!("tier {name:?} needs a min_score"),
                );
            }
            let s = self.number(&l.min_score, &bounds);
            if let (Some(s), Some(g)) = (s, l.min_score.given()) {
                if let Some(p) = previous.filter(|p| s >= *p) {
                    self.bad(
                        g,
                        format!("tier thresholds must descend: {s} is not below {p}"),
                    );
                }
                previous = Some(s);
            }
            out.push(s.unwrap_or(Decimal::ZERO));
        }
        out
    }

    fn kpi(&mut self, raw: &RawKpi, levels: &[Level]) -> KpiPolicy {
        let d = KpiPolicy::default_for(levels);
        let scoring = self.choice(
            &raw.scoring,
            d.scoring,
            &[
                ("proportional", Scoring::Proportional),
                ("all_or_nothing", Scoring::AllOrNothing),
            ],
        );
        let rules = match raw.rules.given() {
            Some(g) => {
                let list = &g.value;
                (0..list.len())
                    .filter_map(|i| self.kpi_rule(&list[i], &list[..i], levels))
                    .collect()
            }
            None => d.rules,
        };
        KpiPolicy { scoring, rules }
    }

    fn kpi_rule(
        &mut self,
        r: &RawKpiRule,
        before: &[RawKpiRule],
        levels: &[Level],
    ) -> Option<KpiRule> {
        let named = self.rule_name(&r.name, &r.at, before.iter().map(|b| &b.name), "KPI");
        let name = named.clone().unwrap_or_default();
        let measure = self.required(&r.measure, &r.at, format!("KPI {name:?} needs a measure"));
        let kind = match r.kind.given() {
            Some(g) => match order_kind(&g.value) {
                Some(k) => Some(k),
                None => {
                    self.bad(g, unknown_kind(&g.value));
                    None
                }
            },
            None => None,
        };
        const MEASURES: [&str; 8] = [
            "outcome",
            "repeat_visit",
            "complaint_closure",
            "complaint_response",
            "complaint_resolution",
            "csat",
            "survey_coverage",
            "followup_done",
        ];
        let measure = match measure {
            Some(g) if !MEASURES.contains(&g.value.as_str()) => {
                let names: Vec<String> = MEASURES.iter().map(|m| format!("{m:?}")).collect();
                let names: Vec<&str> = names.iter().map(String::as_str).collect();
                self.bad(
                    g,
                    format!("expected {}, found {:?}", one_of(&names), g.value),
                );
                None
            }
            other => other,
        };
        let measure = measure.map(|g| {
            let counts_orders = matches!(g.value.as_str(), "outcome" | "repeat_visit");
            if counts_orders && r.kind.is_absent() {
                self.bad(g, format!("KPI {name:?} counts order rows: it needs kind = \"install\" (or another order kind)"));
            }
            if !counts_orders {
                if let Some(k) = r.kind.given() {
                    let counts = match g.value.as_str() {
                        "csat" => "surveyed calls",
                        "survey_coverage" | "followup_done" => "call-list items",
                        _ => "complaints",
                    };
                    self.bad(k, format!("KPI {name:?} counts {counts}: kind does not apply"));
                }
            }
            if !matches!(g.value.as_str(), "survey_coverage" | "followup_done") {
                if let Some(t) = r.tiers.given() {
                    self.bad(t, format!("KPI {name:?} ({}): tiers applies to survey_coverage and followup_done only", g.value));
                }
            }
            if g.value != "repeat_visit" {
                if let Some(w) = r.window_days.given() {
                    self.bad(w, format!("KPI {name:?} ({}): window_days applies to repeat_visit only", g.value));
                }
            }
            if !matches!(g.value.as_str(), "complaint_response" | "complaint_resolution") {
                if let Some(h) = r.hours.given() {
                    self.bad(h, format!("KPI {name:?} ({}): hours applies to complaint_response and complaint_resolution only", g.value));
                }
            }
            let kind = kind.unwrap_or(OrderKind::Sale);
            match g.value.as_str() {
                "outcome" => Measure::Outcome(kind),
                "repeat_visit" => Measure::RepeatVisit {
                    kind,
                    window: self.span(&r.window_days, 1, DEFAULT_REPEAT_DAYS),
                },
                "complaint_closure" => Measure::ComplaintClosure,
                "complaint_response" => Measure::ComplaintResponse(self.span(&r.hours, 0, DEFAULT_COMPLAINT_HOURS)),
                "csat" => Measure::Csat,
                "survey_coverage" => Measure::SurveyCoverage,
                "followup_done" => Measure::FollowupDone,
                _ => Measure::ComplaintResolution(self.span(&r.hours, 0, DEFAULT_COMPLAINT_HOURS)),
            }
        });
        let target = self.required(
            &r.target,
            &r.at,
            format!("KPI {name:?} needs a target (0.95 = 95 %, or \"average\")"),
        );
        let target = target.and_then(|g| match &g.value {
            RawTarget::Word(w) if w == "average" => Some(Target::Average),
            RawTarget::Word(w) => {
                self.bad(
                    g,
                    format!("expected a fraction such as 0.95, or \"average\", found {w:?}"),
                );
                None
            }
            RawTarget::Number(n) => {
                let number = Field::Given(Given {
                    value: *n,
                    key: g.key.clone(),
                    line: g.line,
                });
                self.number(
                    &number,
                    &Self::fraction(
                        "a target is a fraction above 0 and at most 1 (0.95 = 95 %)",
                        false,
                    ),
                )
                .map(Target::Rate)
            }
        });
        let tiers = self.tier_set(&r.tiers, false, levels);
        self.required(
            &r.weight,
            &r.at,
            format!("KPI {name:?} needs a weight (the points at stake)"),
        );
        let weight = self.number(
            &r.weight,
            &Bounds {
                min: Decimal::ZERO,
                min_allowed: true,
                max: Decimal::from(MAX_KPI_WEIGHT),
                places: MAX_PLACES,
                expected: "a weight is from 0 to 10000 points",
            },
        );
        Some(KpiRule {
            name: named?,
            label: r.label.value().cloned().unwrap_or_default(),
            measure: measure?,
            target: target?,
            weight: weight?,
            tiers,
        })
    }

    /// A rule's name: required, one word, not given twice.
    fn rule_name<'a>(
        &mut self,
        name: &Field<String>,
        at: &Place,
        mut before: impl Iterator<Item = &'a Field<String>>,
        what: &str,
    ) -> Option<String> {
        let g = self.required(name, at, format!("a {what} rule needs a name"))?;
        let n = &g.value;
        if n.trim().is_empty() || n.contains(char::is_whitespace) {
            let example = if what == "KPI" {
                "install"
            } else {
                "callback-3d"
            };
            self.bad(
                g,
                format!("a rule name is one word, such as {example}, not {n:?}"),
            );
        } else if before.any(|b| b.value() == Some(n)) {
            let what = if what == "KPI" { "KPI" } else { "rule" };
            self.bad(g, format!("{what} {n:?} is named twice"));
        }
        Some(n.clone())
    }

    fn due(&mut self, raw: &RawDue, levels: &[Level], scale: &Scale) -> DuePolicy {
        let d = DuePolicy::default_for(levels.len());
        let rules = match raw.rules.given() {
            Some(g) => {
                let list = &g.value;
                (0..list.len())
                    .filter_map(|i| self.due_rule(&list[i], &list[..i], levels, scale))
                    .collect()
            }
            None => d.rules,
        };
        let holidays = match raw.holidays.given() {
            Some(g) => g.value.iter().filter_map(|h| self.holiday(h)).collect(),
            None => d.holidays,
        };
        DuePolicy {
            grace: self.days(&raw.grace_days, d.grace),
            rules,
            holidays,
        }
    }

    fn due_rule(
        &mut self,
        r: &RawDueRule,
        before: &[RawDueRule],
        levels: &[Level],
        scale: &Scale,
    ) -> Option<DueRule> {
        let name = self.rule_name(&r.name, &r.at, before.iter().map(|b| &b.name), "due");
        let above_bottom = r.above_bottom.value().copied().unwrap_or(false);
        let tiers = self.tier_set(&r.tiers, above_bottom, levels);
        let channel = self.required(
            &r.channel,
            &r.at,
            "a due rule needs a channel: \"phone\", \"sms\", \"visit\" or \"gift\"".into(),
        );
        let channel = channel.and_then(|g| {
            let options: Vec<(&str, Channel)> =
                Channel::ALL.iter().map(|c| (c.as_str(), *c)).collect();
            let known = options.iter().any(|(n, _)| *n == g.value);
            let c = self.choice(&r.channel, Channel::Phone, &options);
            known.then_some(c)
        });
        let source = self.required(
            &r.source,
            &r.at,
            "a due rule needs a source (what makes its items)".into(),
        );
        let trigger = source.and_then(|g| self.trigger(g, r, name.as_deref().unwrap_or(""), scale));
        Some(DueRule {
            name: name?,
            trigger: trigger?,
            channel: channel?,
            tiers,
            enabled: r.enabled.value().copied().unwrap_or(true),
        })
    }

    /// The trigger a rule's `source` names, from the keys that source reads; a key it
    /// does not read is reported, not ignored.
    fn trigger(
        &mut self,
        source: &Given<String>,
        r: &RawDueRule,
        name: &str,
        scale: &Scale,
    ) -> Option<Trigger> {
        const SOURCES: [(&str, &[&str]); 11] = [
            ("sale", &["days", "months"]),
            ("service", &["from_days", "to_days", "kinds"]),
            ("birthday", &[]),
            ("anniversary", &[]),
            ("holiday", &[]),
            ("maintenance", &["months"]),
            ("complaint_response", &["hours"]),
            ("complaint_resolve", &["hours"]),
            ("complaint_revisit", &["days"]),
            ("points_expiry", &["days"]),
            ("answers", &["days", "max_score"]),
        ];
        let s = source.value.as_str();
        let Some((_, reads)) = SOURCES.iter().find(|(n, _)| *n == s) else {
            let names: Vec<String> = SOURCES.iter().map(|(n, _)| format!("{n:?}")).collect();
            let names: Vec<&str> = names.iter().map(String::as_str).collect();
            self.bad(source, format!("expected {}, found {s:?}", one_of(&names)));
            return None;
        };
        let given = [
            ("days", r.days.place()),
            ("months", r.months.place()),
            ("from_days", r.from_days.place()),
            ("to_days", r.to_days.place()),
            ("hours", r.hours.place()),
            ("kinds", r.kinds.place()),
            ("max_score", r.max_score.place()),
        ];
        let stray: Vec<(String, u64, &str)> = given
            .into_iter()
            .filter(|(key, _)| !reads.contains(key))
            .filter_map(|(key, at)| at.map(|p| (p.key, p.line, key)))
            .collect();
        for (k, line, key) in stray {
            let reads = if reads.is_empty() {
                "no offset".to_string()
            } else {
                one_of(reads)
            };
            let a = if s.starts_with(['a', 'e', 'i', 'o', 'u']) {
                "an"
            } else {
                "a"
            };
            self.at(
                &k,
                line,
                format!("rule {name:?} ({s}): {key} does not apply ({a} {s} rule reads {reads})"),
            );
        }
        let needs = |c: &mut Check, message: String| {
            c.bad(source, message);
        };
        let days = |c: &mut Check, f: &Field<i64>| c.days(f, Days::of(0));
        Some(match s {
            "sale" => match (r.days.is_present(), r.months.is_present()) {
                (true, false) => Trigger::Sale(Offset::Days(days(self, &r.days))),
                (false, true) => {
                    Trigger::Sale(Offset::Months(self.span(&r.months, 0, Months::of(0))))
                }
                _ => {
                    needs(
                        self,
                        format!("rule {name:?} (sale) needs either days or months after the sale"),
                    );
                    return None;
                }
            },
            "service" => {
                if r.from_days.is_absent() || r.to_days.is_absent() {
                    needs(
                        self,
                        format!("rule {name:?} (service) needs from_days and to_days"),
                    );
                    return None;
                }
                let (from, to) = (days(self, &r.from_days), days(self, &r.to_days));
                if let (Some(_), Some(g)) = (r.from_days.given(), r.to_days.given()) {
                    if to < from {
                        self.bad(g, "the window ends before it starts");
                    }
                }
                let kinds = match r.kinds.given() {
                    None => DEFAULT_SERVICE_KINDS.to_vec(),
                    Some(g) if g.value.is_empty() => {
                        self.bad(g, "kinds lists at least one order kind (leave it out for install and repair)");
                        Vec::new()
                    }
                    Some(g) => g
                        .value
                        .iter()
                        .filter_map(|k| {
                            let kind = order_kind(&k.value);
                            if kind.is_none() {
                                self.bad(k, unknown_kind(&k.value));
                            }
                            kind
                        })
                        .collect(),
                };
                Trigger::Service { from, to, kinds }
            }
            "answers" => {
                let top = i64::from(scale.max());
                let max_score = match r.max_score.given() {
                    None => DEFAULT_DISSATISFIED_MAX.min(scale.max().saturating_sub(1)),
                    Some(g) if (1..top).contains(&g.value) => g.value as u8,
                    Some(g) => {
                        self.bad(
                            g,
                            format!(
                                "expected a score from 1 to {} (the calls scored at most this are called back), found {}",
                                top - 1,
                                g.value
                            ),
                        );
                        DEFAULT_DISSATISFIED_MAX
                    }
                };
                Trigger::Answers {
                    after: self.days(&r.days, DEFAULT_DISSATISFIED_AFTER),
                    max_score,
                }
            }
            "birthday" => Trigger::Birthday,
            "anniversary" => Trigger::Anniversary,
            "holiday" => Trigger::Holiday,
            "maintenance" => {
                if r.months.is_absent() {
                    needs(
                        self,
                        format!("rule {name:?} (maintenance) needs months = 6 (or another repeat)"),
                    );
                    return None;
                }
                Trigger::Maintenance {
                    every: self.span(&r.months, 1, Months::of(6)),
                }
            }
            "complaint_response" | "complaint_resolve" => {
                if r.hours.is_absent() {
                    needs(
                        self,
                        format!("rule {name:?} needs hours = 24 (the deadline)"),
                    );
                    return None;
                }
                let hours = self.span(&r.hours, 0, DEFAULT_COMPLAINT_HOURS);
                if s == "complaint_response" {
                    Trigger::ComplaintResponse(hours)
                } else {
                    Trigger::ComplaintResolve(hours)
                }
            }
            _ => {
                if r.days.is_absent() {
                    needs(self, format!("rule {name:?} needs days"));
                    return None;
                }
                let n = days(self, &r.days);
                if s == "complaint_revisit" {
                    Trigger::ComplaintRevisit(n)
                } else {
                    Trigger::PointsExpiry(n)
                }
            }
        })
    }

    /// The tiers a rule reaches: the named ones (`care_plan` and `rest` name the care
    /// plan's tiers and the others; none named: all), less the bottom one with
    /// `above_bottom`.
    fn tier_set(
        &mut self,
        tiers: &Field<Vec<Given<String>>>,
        above_bottom: bool,
        levels: &[Level],
    ) -> TierSet {
        let n = levels.len();
        let mut named = vec![tiers.value().is_none_or(|t| t.is_empty()); n];
        if let Some(list) = tiers.value() {
            for t in list {
                let name = t.value.as_str();
                let hit: Vec<usize> = match name {
                    "care_plan" => (0..n).filter(|&i| levels[i].care_plan).collect(),
                    "rest" => (0..n).filter(|&i| !levels[i].care_plan).collect(),
                    _ => (0..n).filter(|&i| levels[i].name == name).collect(),
                };
                if hit.is_empty() && !RESERVED_TIER_NAMES.contains(&name) {
                    let names: Vec<&str> = levels.iter().map(|l| l.name.as_str()).collect();
                    self.bad(
                        t,
                        format!(
                            "unknown tier {name:?}; the policy's tiers are {} (or care_plan, rest)",
                            names.join(", ")
                        ),
                    );
                }
                for i in hit {
                    named[i] = true;
                }
            }
        }
        TierSet::of(n, |i| named[i] && !(above_bottom && i + 1 == n))
    }

    /// The answer scale (§9.1): labels from score 1 up, distinct; the not-rated word
    /// apart from them; the satisfied score on the scale.
    fn scale(&mut self, raw: &RawScale) -> Scale {
        let d = Scale::default();
        let labels = match raw.labels.given() {
            None => d.labels.clone(),
            Some(g) if g.value.len() < 2 || g.value.len() > MAX_SCALE => {
                self.bad(
                    g,
                    format!(
                        "a scale has 2 to {MAX_SCALE} points: list one label per score, score 1 first"
                    ),
                );
                d.labels.clone()
            }
            Some(g) => {
                let mut ok = true;
                for (i, l) in g.value.iter().enumerate() {
                    let text = l.value.trim();
                    let why = if text.is_empty() {
                        Some("a label is empty".to_string())
                    } else if text.bytes().all(|b| b.is_ascii_digit()) {
                        Some(format!(
                            "{text:?} is a number; a label is a word (the digits are the scores)"
                        ))
                    } else if text.contains(',') {
                        Some(format!("{text:?} holds a comma; a label is a word without commas (the worksheet's drop-down lists are made of them)"))
                    } else if g.value[..i].iter().any(|m| m.value.trim() == text) {
                        Some(format!("the label {text:?} is given twice"))
                    } else {
                        None
                    };
                    if let Some(why) = why {
                        self.bad(l, why);
                        ok = false;
                    }
                }
                if ok {
                    g.value.iter().map(|l| l.value.trim().to_string()).collect()
                } else {
                    d.labels.clone()
                }
            }
        };
        let not_rated = match raw.not_rated.given() {
            None => d.not_rated.clone(),
            Some(g) => {
                let text = g.value.trim();
                if text.is_empty() || labels.iter().any(|l| l == text) {
                    self.bad(g, "the not-rated word is a word of its own, not empty and not a label of the scale");
                }
                text.to_string()
            }
        };
        let top = labels.len() as u8;
        let satisfied = match raw.satisfied.given() {
            None => d.satisfied.min(top),
            Some(g) if (1..=i64::from(top)).contains(&g.value) => g.value as u8,
            Some(g) => {
                self.bad(
                    g,
                    format!(
                        "expected the lowest satisfied score, from 1 to {top}, found {}",
                        g.value
                    ),
                );
                d.satisfied.min(top)
            }
        };
        Scale {
            labels,
            not_rated,
            satisfied,
        }
    }

    /// The survey forms (§9.2): the furniture house's three unless `[[survey.forms]]`
    /// gives others; each names existing due rules (and for a service rule the order
    /// kinds), asks `overall`, each question once, and no two forms claim the same calls.
    fn survey(
        &mut self,
        raw: &RawSurvey,
        scale: Scale,
        rules: &[DueRule],
        raw_due: &RawDue,
    ) -> SurveyPolicy {
        let Some(given) = raw.forms.given() else {
            let d = SurveyPolicy::default_for(rules);
            if scale.max() < 5 && !d.forms.is_empty() {
                let at = raw
                    .scale
                    .labels
                    .given()
                    .map_or((raw.scale.at.key.clone(), raw.scale.at.line), |g| {
                        (g.key.clone(), g.line)
                    });
                self.at(
                    &at.0,
                    at.1,
                    format!(
                        "the default forms aim at a mean of 4.5, past this {}-point scale: give your own [[survey.forms]]",
                        scale.max()
                    ),
                );
            }
            return SurveyPolicy { scale, ..d };
        };
        // Rules the file gives that failed on their own: already reported, not "unknown".
        let written: Vec<&str> = raw_due
            .rules
            .value()
            .map(|list| {
                list.iter()
                    .filter_map(|r| r.name.value())
                    .map(String::as_str)
                    .collect()
            })
            .unwrap_or_default();
        let mut forms: Vec<Form> = Vec::new();
        // Per form: (rule, kinds, where the claim was written).
        let mut claims: Vec<(usize, AskedOn, Place)> = Vec::new();
        for (i, f) in given.value.iter().enumerate() {
            let before = given.value[..i].iter().map(|b| &b.name);
            let name = self.rule_name(&f.name, &f.at, before, "survey form");
            let shown = name.clone().unwrap_or_default();
            let kinds = self.form_kinds(f);
            let mut asked_on = Vec::new();
            if let Some(g) = self.required(
                &f.rules,
                &f.at,
                format!("form {shown:?} needs rules: the due rules whose calls ask it, such as [\"survey\"]"),
            ) {
                if g.value.is_empty() {
                    self.bad(g, "rules lists at least one due rule");
                }
                for rule_name in &g.value {
                    let Some(rule) = rules.iter().position(|r| r.name == rule_name.value) else {
                        if !written.contains(&rule_name.value.as_str()) {
                            let names = super::rules_named(rules.iter().map(|r| r.name.as_str()));
                            self.bad(
                                rule_name,
                                format!("no due rule {:?}; {names}", rule_name.value),
                            );
                        }
                        continue;
                    };
                    if kinds.is_some() && !matches!(rules[rule].trigger, Trigger::Service { .. }) {
                        if let Some(k) = f.kinds.given() {
                            self.bad(
                                k,
                                format!(
                                    "form {shown:?}: kinds applies to service rules only, and {:?} is not one (leave kinds out, or give that rule its own form)",
                                    rule_name.value
                                ),
                            );
                        }
                        continue;
                    }
                    let on = AskedOn {
                        rule,
                        kinds: kinds.clone(),
                    };
                    claims.push((i, on.clone(), Place {
                        key: rule_name.key.clone(),
                        line: rule_name.line,
                    }));
                    asked_on.push(on);
                }
            }
            let questions = self.questions(f, &shown, &scale);
            forms.push(Form {
                name: name.unwrap_or_default(),
                label: f.label.value().cloned().unwrap_or_default(),
                asked_on,
                questions,
            });
        }
        for (j, (form, on, at)) in claims.iter().enumerate() {
            let clash = claims[..j].iter().find(|(other, o, _)| {
                other != form
                    && o.rule == on.rule
                    && match (&o.kinds, &on.kinds) {
                        (Some(a), Some(b)) => a.iter().any(|k| b.contains(k)),
                        _ => true,
                    }
            });
            if let Some((other, _, _)) = clash {
                self.at(
                    &at.key,
                    at.line,
                    format!(
                        "forms {:?} and {:?} are both asked on calls of rule {:?}{}: a call has one form (split them by kinds)",
                        forms[*other].name,
                        forms[*form].name,
                        rules[on.rule].name,
                        on.kinds.as_ref().map_or(String::new(), |k| format!(
                            " ({})",
                            k.iter().map(|k| k.as_str()).collect::<Vec<_>>().join(", ")
                        ))
                    ),
                );
            }
        }
        SurveyPolicy { scale, forms }
    }

    /// A form's `kinds`, when given and valid.
    fn form_kinds(&mut self, f: &RawForm) -> Option<Vec<OrderKind>> {
        let g = f.kinds.given()?;
        if g.value.is_empty() {
            self.bad(
                g,
                "kinds lists at least one order kind (leave it out for every job the rule follows)",
            );
            return None;
        }
        let mut kinds = Vec::new();
        for k in &g.value {
            match order_kind(&k.value) {
                Some(kind) => kinds.push(kind),
                None => self.bad(k, unknown_kind(&k.value)),
            }
        }
        Some(kinds)
    }

    /// A form's questions: each with a one-word id, once; a target on the scale; and
    /// `overall` among them.
    fn questions(&mut self, f: &RawForm, form: &str, scale: &Scale) -> Vec<Question> {
        let Some(g) = self.required(
            &f.questions,
            &f.at,
            format!("form {form:?} needs questions (each an id, a label and a target)"),
        ) else {
            return Vec::new();
        };
        let bounds = Bounds {
            min: Decimal::ONE,
            min_allowed: true,
            max: Decimal::from(scale.max()),
            places: MAX_PLACES,
            expected: "a target is a mean score on the scale",
        };
        let mut out: Vec<Question> = Vec::new();
        for (i, q) in g.value.iter().enumerate() {
            let Some(id) = self.required(
                &q.id,
                &q.at,
                format!("a question of form {form:?} needs an id"),
            ) else {
                continue;
            };
            let text = id.value.as_str();
            if text.is_empty() || text.contains(|c: char| c.is_whitespace() || c == '=' || c == ',')
            {
                self.bad(id, format!("a question id is one word without = or commas, such as on_time, not {text:?}"));
            } else if g.value[..i].iter().any(|b| b.id.value() == Some(&id.value)) {
                self.bad(id, format!("form {form:?} asks {text:?} twice"));
            } else if SHEET_COLUMNS.contains(&text) {
                self.bad(id, format!("{text:?} is a column of the call list's worksheet; name the question otherwise"));
            }
            self.required(
                &q.target,
                &q.at,
                format!("question {text:?} needs a target (the mean score to reach, such as 4.5)"),
            );
            let target = self.number(&q.target, &bounds);
            out.push(Question {
                id: id.value.clone(),
                label: q.label.value().cloned().unwrap_or_default(),
                target: target.unwrap_or(Decimal::ONE),
            });
        }
        if !out.iter().any(|q| q.id == OVERALL) {
            let (key, line) = (g.key.clone(), g.line);
            self.at(
                &key,
                line,
                format!("form {form:?} has no question {OVERALL:?} (综合评价): every form asks it, CSAT and the follow-up of the dissatisfied read it"),
            );
        }
        out
    }

    fn holiday(&mut self, h: &RawHoliday) -> Option<Holiday> {
        let name = self.required(&h.name, &h.at, "a holiday needs a name".into());
        let given = [
            h.date.is_present(),
            h.month_day.is_present(),
            h.lunar.is_present(),
        ];
        if given.iter().filter(|g| **g).count() != 1 {
            let (key, line) = h
                .name
                .given()
                .map_or((h.at.key.clone(), h.at.line), |g| (g.key.clone(), g.line));
            let shown = h.name.value().map_or("", String::as_str);
            self.at(
                &key,
                line,
                format!("holiday {shown:?} needs exactly one of date, month_day or lunar"),
            );
            return None;
        }
        let date = if let Some(g) = h.date.given() {
            match crate::parse::date(g.value.as_bytes()) {
                Some(d) => Some(HolidayDate::Fixed(d)),
                None => {
                    self.bad(g, format!("expected a date YYYY-MM-DD, not {:?}", g.value));
                    None
                }
            }
        } else {
            match (h.month_day.given(), h.lunar.given()) {
                (Some(g), _) => match MonthDay::parse(&g.value) {
                    Some(md) => Some(HolidayDate::Yearly(md)),
                    None => {
                        self.bad(
                            g,
                            format!("expected a month-day such as 10-01, not {:?}", g.value),
                        );
                        None
                    }
                },
                (None, Some(g)) => self.lunar_day(g).map(HolidayDate::Lunar),
                (None, None) => None,
            }
        };
        Some(Holiday {
            name: name?.value.clone(),
            date: date?,
        })
    }
}

impl Check {
    /// A lunar month-day (§5.2). Day 30 is kept, with a warning naming how many years lack
    /// it: those years have no such holiday, and `M-last` is what most people mean.
    fn lunar_day(&mut self, g: &Given<String>) -> Option<LunarMonthDay> {
        use crate::domain::lunar::{month_days, LunarDay, YEARS};
        let Some(md) = LunarMonthDay::parse(&g.value) else {
            self.bad(
                g,
                format!(
                    "expected a lunar month-day such as 8-15 (month 1-12, day 1-30), or 12-last for the last day of the 12th month (除夕), not {:?}",
                    g.value
                ),
            );
            return None;
        };
        if let LunarDay::Day(day) = md.day {
            let short = YEARS
                .filter(|&y| month_days(y, md.month).is_some_and(|n| n < u32::from(day)))
                .count();
            if short > 0 {
                self.warnings.push(crate::error::Problem {
                    file: self.file.clone(),
                    line: g.line,
                    column: Some(g.key.clone()),
                    value: Some(g.value.clone()),
                    expected: format!(
                        "lunar month {} has 29 days in {short} of the {} years {}-{}: the holiday is skipped in those years; write \"{}-last\" for the month's last day",
                        md.month,
                        YEARS.clone().count(),
                        YEARS.start(),
                        YEARS.end(),
                        md.month
                    ),
                    reach: crate::error::Reach::Own,
                });
            }
        }
        Some(md)
    }
}

/// Tier names a rule's `tiers` gives a meaning of their own.
const RESERVED_TIER_NAMES: [&str; 2] = ["care_plan", "rest"];

fn order_kind(s: &str) -> Option<OrderKind> {
    OrderKind::parse(s.as_bytes()).filter(|_| !s.trim().is_empty())
}

fn unknown_kind(s: &str) -> String {
    format!("unknown order kind {s:?}; expected sale, install, repair, maintenance, return_repair or return_exchange")
}
