//! `caredesk sql kpi`: the scorecard of DOMAIN.md section 4, as
//! [`crate::domain::kpi`] computes it, for the whole desk or per owner, store or month.

use chrono::Datelike;
use rust_decimal::Decimal;

use super::adapter::{KpiMeasure, Table};
use super::{
    customer_rows, half_up, neutral, order_rows, ratio, readings, text_const, Job, KpiGrouping,
    Query, Unsupported,
};
use crate::domain::days_after;
use crate::domain::kpi::Period;

/// The scale at which the total's points are summed before rounding: points · 100 · K,
/// truncated per KPI (caredesk sums rust_decimal quotients of 28 digits).
const K: i128 = 10_000_000_000;

fn gcd(a: i128, b: i128) -> i128 {
    if b == 0 {
        a.abs().max(1)
    } else {
        gcd(b, a % b)
    }
}

/// The constants of one rule, as whole numbers.
struct RuleNumbers {
    /// target = tn / td
    tn: i128,
    td: i128,
    /// Rounded points × 100 of the per-row half-up: (a1 · passed + a2 · assessed) div (2 · a2 · assessed)
    a1: i128,
    a2: i128,
    /// points × 100 × K of a proportional KPI: (b1 · passed) div (b2 · assessed)
    b1: i128,
    b2: i128,
    /// the weight at the common scale, for the total's weight
    w_scaled: i128,
    /// met: the weight's points × 100 (rounded) and × 100 × K (exact)
    met_centi: i128,
    met_q: i128,
}

fn numbers(
    target: Decimal,
    weight: Decimal,
    w_scale: u32,
    name: &str,
) -> Result<RuleNumbers, Unsupported> {
    let unsupported = |what: &str| {
        Unsupported(format!(
            "KPI {name:?}: {what}; `caredesk sql` sums points exactly only for weights below 9,000,000 \
             with at most 10 decimal places and targets with at most 10"
        ))
    };
    let (tn, td) = ratio(target);
    let (wn, wd) = ratio(weight);
    if weight.scale() > 10 || target.scale() > 10 {
        return Err(unsupported("too many decimal places"));
    }
    if weight > Decimal::from(9_000_000) {
        return Err(unsupported("the weight is too large"));
    }
    let mut w = weight;
    w.rescale(w_scale);
    let met_q = wn * 100 * K / wd;
    // b1 · passed must stay within 38 digits for every passed count below 10^10.
    let (b1, b2) = (100 * K)
        .checked_mul(wn)
        .and_then(|x| x.checked_mul(td))
        .map(|num| {
            let g = gcd(num, wd * tn);
            (num / g, wd * tn / g)
        })
        .filter(|(b1, _)| *b1 < 10i128.pow(27))
        .ok_or_else(|| unsupported("the weight and the target have too many digits together"))?;
    let round = crate::domain::half_up(weight, 2);
    Ok(RuleNumbers {
        tn,
        td,
        a1: 200 * wn * td,
        a2: wd * tn,
        b1,
        b2,
        w_scaled: w.mantissa(),
        met_centi: round.mantissa() * 100 / 10i128.pow(round.scale()),
        met_q,
    })
}

pub fn kpi(job: &Job<'_>, period: Period, grouping: KpiGrouping) -> Result<String, Unsupported> {
    let d = job.dialect;
    let k = &job.rules.kpi;
    if let Some(why) = &k.refused {
        return Err(Unsupported(why.clone()));
    }
    let rules = &k.rules;
    let big = |e: &str| d.big(e);
    let w_scale = rules
        .iter()
        .map(|r| r.weight.scale())
        .max()
        .unwrap_or(0)
        .max(2);
    let nums = rules
        .iter()
        .map(|r| numbers(r.target, r.weight, w_scale, &r.name))
        .collect::<Result<Vec<_>, _>>()?;
    for date in [period.from, period.to] {
        if !(1..=9999).contains(&date.year()) {
            return Err(Unsupported(format!(
                "the period's day {date} is outside the years 1–9999 that SQL dates hold"
            )));
        }
    }

    let mut q = Query::new();
    let extra: &[(&str, &str)] = match grouping {
        KpiGrouping::Owner => &[("owner", "owner")],
        KpiGrouping::Store => &[("store", "store")],
        KpiGrouping::All | KpiGrouping::Month => &[],
    };
    q.cte(
        "customer_rows",
        "DOMAIN.md section 1: one row per customer, with the attribute the scorecard is grouped by.",
        customer_rows(job, extra),
    );
    // The group of a row: of its customer, or of its own date's month.
    let grp_of = |date: &str| match grouping {
        KpiGrouping::All => text_const(d, "all"),
        KpiGrouping::Owner => "COALESCE(c.owner, '(none)')".into(),
        KpiGrouping::Store => "COALESCE(c.store, '(none)')".into(),
        KpiGrouping::Month => d.month_text(date),
    };
    let months = period.months();
    let groups = match grouping {
        KpiGrouping::All => format!("SELECT {} AS grp, 0 AS pos", text_const(d, "all")),
        KpiGrouping::Month => months
            .iter()
            .enumerate()
            .map(|(i, m)| format!("SELECT {} AS grp, {i} AS pos", d.lit(m)))
            .collect::<Vec<_>>()
            .join("\nUNION ALL "),
        KpiGrouping::Owner | KpiGrouping::Store => format!(
            "SELECT DISTINCT {} AS grp\nFROM customer_rows c",
            grp_of("")
        ),
    };
    q.cte(
        "kpi_groups",
        match grouping {
            KpiGrouping::All => "One group: the whole desk.",
            KpiGrouping::Month => {
                "DOMAIN.md section 4: a group per calendar month the period touches, in order."
            }
            _ => {
                "DOMAIN.md section 4: a group per owner (or store) of any customer; none = (none)."
            }
        },
        groups,
    );

    let has = |f: fn(&KpiMeasure) -> bool| rules.iter().any(|r| f(&r.measure));
    let orders_needed = has(|m| !m.counts_complaints());
    if orders_needed {
        q.cte(
            "order_rows",
            "DOMAIN.md section 1 and 5: order rows from the period's first day to the as-of date (later ones have \
             not happened yet), of known customers; an empty kind is a sale.",
            order_rows(job, "customer_rows", Some(period.from)),
        );
        q.cte(
            "kpi_orders",
            "Each order row with its group.",
            format!(
                "SELECT o.customer_id, o.order_date, o.kind, o.outcome, {} AS grp\n\
                 FROM order_rows o\n\
                 JOIN customer_rows c ON c.customer_id = o.customer_id",
                grp_of("o.order_date")
            ),
        );
    }
    if has(|m| matches!(m, KpiMeasure::Outcome { .. })) {
        q.cte(
            "outcome_tally",
            &format!(
                "DOMAIN.md section 4: pass and fail per kind over the rows dated in the period ({} to {}) that have \
                 an outcome; an empty outcome is not assessed; every row counts, whatever its amount.",
                period.from, period.to
            ),
            format!(
                "SELECT grp, kind,\n\
                 \x20      COUNT(CASE WHEN outcome = 'pass' THEN 1 END) AS passed,\n\
                 \x20      COUNT(CASE WHEN outcome = 'fail' THEN 1 END) AS failed\n\
                 FROM kpi_orders\n\
                 WHERE order_date <= {} AND outcome IS NOT NULL\n\
                 GROUP BY grp, kind",
                d.date(period.to)
            ),
        );
    }

    let known_until = days_after(job.as_of, 1u32)
        .and_hms_opt(0, 0, 0)
        .expect("midnight");
    let period_end = days_after(period.to, 1u32)
        .and_hms_opt(0, 0, 0)
        .expect("midnight");
    let end = period_end.min(known_until);
    // Where a complaint's period ends: the period's end, or grouped by month the end of
    // the month it was opened in (within the period), as caredesk judges each month alone.
    let scored_until = match grouping {
        KpiGrouping::Month => format!(
            "LEAST({}, {})",
            d.next_month_start("CAST(k.opened_at AS DATE)"),
            d.datetime(period_end)
        ),
        KpiGrouping::All | KpiGrouping::Owner | KpiGrouping::Store => d.datetime(period_end),
    };
    if has(|m| m.counts_complaints()) {
        let col = |c: &str| d.cell(&d.ident(job.rules.column(Table::Complaints, c)));
        let ts = |c: &str| format!("CAST({} AS {})", col(c), d.timestamp());
        let known = |c: &str| format!("CASE WHEN {c} < {} THEN {c} END", d.datetime(known_until));
        q.cte(
            "complaint_rows",
            &format!(
                "DOMAIN.md section 4 and 5: complaints opened in the period, of known customers, as of {}: what is \
                 dated after the as-of date has not happened yet; closing a complaint answers it.",
                job.as_of
            ),
            format!(
                "SELECT {grp} AS grp, k.opened_at,\n\
                 \x20      {closed} AS closed_known,\n\
                 \x20      COALESCE({responded}, {closed}) AS answered,\n\
                 \x20      {scored} AS scored_until\n\
                 FROM (SELECT {id} AS customer_id, {opened} AS opened_at, {resp} AS responded_at, {clo} AS closed_at\n\
                 \x20     FROM {table}) k\n\
                 JOIN customer_rows c ON c.customer_id = k.customer_id\n\
                 WHERE CAST(k.opened_at AS DATE) >= {from} AND CAST(k.opened_at AS DATE) <= {to}\n\
                 \x20 AND k.opened_at < {until}",
                grp = grp_of("CAST(k.opened_at AS DATE)"),
                scored = scored_until,
                closed = known("k.closed_at"),
                responded = known("k.responded_at"),
                id = col("customer_id"),
                opened = ts("opened_at"),
                resp = ts("responded_at"),
                clo = ts("closed_at"),
                table = d.ident(&job.tables.complaints),
                from = d.date(period.from),
                to = d.date(period.to),
                until = d.datetime(known_until),
            ),
        );
    }

    // One tally select per rule: grp, rule_idx, passed, failed.
    let mut tallies = vec![format!(
        "SELECT CAST(NULL AS {}) AS grp, -1 AS rule_idx, CAST(0 AS BIGINT) AS passed, CAST(0 AS BIGINT) AS failed\n\
         FROM kpi_groups WHERE 1 = 0",
        d.text()
    )];
    for (r, rule) in rules.iter().enumerate() {
        let verdicts = |source: &str, verdict: String| {
            format!(
                "SELECT grp, {r} AS rule_idx,\n\
                 \x20      COUNT(CASE WHEN v = 1 THEN 1 END) AS passed,\n\
                 \x20      COUNT(CASE WHEN v = 0 THEN 1 END) AS failed\n\
                 FROM (SELECT grp, {verdict} AS v FROM {source}) x\n\
                 GROUP BY grp"
            )
        };
        match rule.measure {
            KpiMeasure::Outcome { kind } => tallies.push(format!(
                "SELECT grp, {r} AS rule_idx, passed, failed FROM outcome_tally WHERE kind = {}",
                d.lit(kind)
            )),
            KpiMeasure::RepeatVisit { kind, window_days } => {
                let name = format!("jobs_{r}");
                let last = days_after(period.to, window_days);
                let upto = if last.year() > 9999 {
                    String::new()
                } else {
                    format!(" AND order_date <= {}", d.date(last))
                };
                q.cte(
                    &name,
                    &format!(
                        "DOMAIN.md section 4, first-time fix read from repeat visits ({}): the {kind} jobs from the \
                         period's start to {window_days} days after its end, one per customer and day, each with \
                         the customer's next such job.",
                        rule.name
                    ),
                    format!(
                        "SELECT customer_id, order_date, grp,\n\
                         \x20      LEAD(order_date) OVER (PARTITION BY customer_id ORDER BY order_date) AS next_date\n\
                         FROM (SELECT DISTINCT customer_id, order_date, grp\n\
                         \x20     FROM kpi_orders\n\
                         \x20     WHERE kind = {kind_lit}{upto}) j",
                        kind_lit = d.lit(kind),
                    ),
                );
                // Fails when the next job is within the window; not assessed while the
                // window is still open on the as-of date; passes otherwise.
                let verdict = format!(
                    "CASE WHEN next_date IS NOT NULL AND {} <= {window_days} THEN 0 \
                     WHEN {} < {window_days} THEN NULL ELSE 1 END",
                    d.days_between("next_date", "order_date"),
                    d.days_between(&d.date(job.as_of), "order_date"),
                );
                tallies.push(verdicts(
                    &format!("{name} WHERE order_date <= {}", d.date(period.to)),
                    verdict,
                ));
            }
            KpiMeasure::ComplaintClosure => tallies.push(verdicts(
                "complaint_rows",
                "CASE WHEN closed_known IS NOT NULL AND closed_known < scored_until THEN 1 ELSE 0 END"
                    .into(),
            )),
            KpiMeasure::ComplaintResponse { hours } | KpiMeasure::ComplaintResolution { hours } => {
                let done = if matches!(rule.measure, KpiMeasure::ComplaintResponse { .. }) {
                    "answered"
                } else {
                    "closed_known"
                };
                let deadline = d.add_hours("opened_at", hours);
                tallies.push(verdicts(
                    "complaint_rows",
                    format!(
                        "CASE WHEN {done} IS NOT NULL THEN CASE WHEN {done} <= {deadline} THEN 1 ELSE 0 END \
                         WHEN LEAST(scored_until, {}) > {deadline} THEN 0 END",
                        d.datetime(end)
                    ),
                ));
            }
        }
    }
    q.cte(
        "tallies",
        "DOMAIN.md section 4 and 5: passed and failed per group and KPI. Complaint rates count complaints opened \
         in the period: closure = closed by the period's end (by month: the end of the complaint's month); within \
         N h is inclusive; a complaint with no answer fails once that end (or the as-of date) is past its \
         deadline, and is not assessed before.",
        tallies.join("\nUNION ALL\n"),
    );

    // The rules' constants, one row each.
    let rule_rows: Vec<String> = rules
        .iter()
        .zip(&nums)
        .enumerate()
        .map(|(r, (rule, n))| {
            format!(
                "SELECT {r} AS rule_idx, {kpi} AS kpi, {label} AS label, {target} AS target, {weight} AS weight,\n\
                 \x20      {tn} AS tn, {td} AS td, {a1} AS a1, {a2} AS a2, {b1} AS b1, {b2} AS b2,\n\
                 \x20      {ws} AS w_scaled, {mc} AS met_centi, {mq} AS met_q",
                kpi = text_const(d, &rule.name),
                label = text_const(d, &rule.label),
                target = d.lit(&rule.target_text),
                weight = d.lit(&rule.weight_text),
                tn = big(&n.tn.to_string()),
                td = big(&n.td.to_string()),
                a1 = big(&n.a1.to_string()),
                a2 = big(&n.a2.to_string()),
                b1 = big(&n.b1.to_string()),
                b2 = big(&n.b2.to_string()),
                ws = big(&n.w_scaled.to_string()),
                mc = big(&n.met_centi.to_string()),
                mq = big(&n.met_q.to_string()),
            )
        })
        .collect();
    let rule_rows = if rule_rows.is_empty() {
        let t = d.text();
        let z = big("0");
        format!(
            "SELECT 0 AS rule_idx, CAST(NULL AS {t}) AS kpi, CAST(NULL AS {t}) AS label, CAST(NULL AS {t}) AS target, \
             CAST(NULL AS {t}) AS weight, {z} AS tn, {z} AS td, {z} AS a1, {z} AS a2, {z} AS b1, {z} AS b2, \
             {z} AS w_scaled, {z} AS met_centi, {z} AS met_q\nFROM kpi_groups WHERE 1 = 0"
        )
    } else {
        rule_rows.join("\nUNION ALL ")
    };
    q.cte(
        "kpi_rules",
        "The policy's KPIs in order, with their targets and weights as whole numbers (target = tn / td).",
        rule_rows,
    );
    q.cte(
        "grid",
        "Every group with every KPI; nothing counted = 0 passed, 0 failed.",
        "SELECT g.grp, r.*,\n\
         \x20      COALESCE(t.passed, 0) AS passed, COALESCE(t.failed, 0) AS failed,\n\
         \x20      COALESCE(t.passed, 0) + COALESCE(t.failed, 0) AS assessed\n\
         FROM kpi_groups g\n\
         CROSS JOIN kpi_rules r\n\
         LEFT JOIN tallies t ON t.grp = g.grp AND t.rule_idx = r.rule_idx"
            .to_string(),
    );
    let met = format!(
        "CASE WHEN assessed = 0 THEN NULL WHEN {} * td >= tn * {} THEN 1 ELSE 0 END",
        big("passed"),
        big("assessed")
    );
    let (points_centi, points_q) = if k.all_or_nothing {
        ("0".to_string(), "0".to_string())
    } else {
        (
            d.idiv(
                &format!("a1 * {} + a2 * {}", big("passed"), big("assessed")),
                &format!("(2 * a2 * {})", big("assessed")),
            ),
            d.idiv(
                &format!("b1 * {}", big("passed")),
                &format!("(b2 * {})", big("assessed")),
            ),
        )
    };
    q.cte(
        "scored",
        &format!(
            "DOMAIN.md section 4 and 5: rate = passed / assessed, half-up to 4 places; met compares the exact \
             fraction with the target (passed x td >= tn x assessed); points = {}, half-up to 2 places; an n/a \
             KPI (nothing assessed) has no rate, no met, 0.00 points and its weight left out of the total.",
            if k.all_or_nothing {
                "the weight if met, else 0 (all_or_nothing)"
            } else {
                "weight x min(1, rate / target) (proportional)"
            }
        ),
        format!(
            "SELECT grid.*,\n\
             \x20      {met} AS met,\n\
             \x20      CASE WHEN assessed = 0 THEN NULL ELSE {rate} END AS rate_4,\n\
             \x20      CASE WHEN assessed = 0 THEN 0 WHEN {met} = 1 THEN met_centi ELSE {points_centi} END AS points_centi,\n\
             \x20      CASE WHEN assessed = 0 THEN 0 WHEN {met} = 1 THEN met_q ELSE {points_q} END AS points_q,\n\
             \x20      CASE WHEN assessed = 0 THEN 0 ELSE w_scaled END AS weight_in\n\
             FROM grid",
            rate = half_up(d, &format!("10000 * {}", big("passed")), &big("assessed")),
        ),
    );
    q.cte(
        "group_totals",
        &format!(
            "DOMAIN.md section 5: the total row per group: the assessed KPIs' weights and the sum of their exact \
             points (here exact to 1e-{} of a point per KPI), each rounded half-up to 2 places.",
            K.ilog10() + 2
        ),
        format!(
            "SELECT grp,\n\
             \x20      {} AS weight_centi,\n\
             \x20      {} AS points_centi\n\
             FROM scored\n\
             GROUP BY grp",
            half_up(
                d,
                &format!("100 * {}", big("SUM(weight_in)")),
                &big(&10i128.pow(w_scale).to_string())
            ),
            half_up(d, &big("SUM(points_q)"), &big(&K.to_string())),
        ),
    );
    let ordered = match grouping {
        KpiGrouping::All | KpiGrouping::Month => {
            "SELECT t.*, g.pos\nFROM group_totals t\nJOIN kpi_groups g ON g.grp = t.grp".to_string()
        }
        KpiGrouping::Owner | KpiGrouping::Store => {
            // b ranks before a: a larger share of the points at stake (p / w, compared
            // by cross-multiplying; no weight at stake ranks last), then more points,
            // then the name.
            format!(
                "SELECT a.grp, a.weight_centi, a.points_centi, COUNT(b.grp) AS pos\n\
                 FROM group_totals a\n\
                 LEFT JOIN group_totals b ON\n\
                 \x20   (b.weight_centi > 0 AND a.weight_centi = 0)\n\
                 \x20   OR ((b.weight_centi > 0) = (a.weight_centi > 0) AND (\n\
                 \x20        (b.weight_centi > 0 AND b.points_centi * a.weight_centi > a.points_centi * b.weight_centi)\n\
                 \x20        OR ((b.weight_centi = 0 OR b.points_centi * a.weight_centi = a.points_centi * b.weight_centi)\n\
                 \x20            AND (b.points_centi > a.points_centi\n\
                 \x20                 OR (b.points_centi = a.points_centi AND {} < {})))))\n\
                 GROUP BY a.grp, a.weight_centi, a.points_centi",
                d.bytewise("b.grp"),
                d.bytewise("a.grp"),
            )
        }
    };
    q.cte(
        "group_order",
        match grouping {
            KpiGrouping::Owner | KpiGrouping::Store => {
                "The ranking: the best share of the points at stake first, then the most points, then the name."
            }
            _ => "Groups in their natural order.",
        },
        ordered,
    );

    let t = d.text();
    let null = format!("CAST(NULL AS {t})");
    let select = format!(
        "SELECT grp_text AS {g}, kpi, label, assessed, passed, failed, rate, target, met, weight, points\n\
         FROM (\n\
         \x20 SELECT o.pos, s.rule_idx, {grp} AS grp_text, s.kpi, s.label,\n\
         \x20        {assessed} AS assessed, {passed} AS passed, {failed} AS failed,\n\
         \x20        CASE WHEN s.rate_4 IS NOT NULL THEN {rate} END AS rate,\n\
         \x20        s.target,\n\
         \x20        CASE WHEN s.met = 1 THEN 'true' WHEN s.met = 0 THEN 'false' END AS met,\n\
         \x20        s.weight, {points} AS points\n\
         \x20 FROM scored s JOIN group_order o ON o.grp = s.grp\n\
         \x20 UNION ALL\n\
         \x20 SELECT o.pos, {total_idx}, {grp_o}, 'total', {total_label}, {null}, {null}, {null}, {null}, {null}, {null},\n\
         \x20        {weight_total}, {points_total}\n\
         \x20 FROM group_order o\n\
         ) rows_out\n\
         ORDER BY pos, rule_idx",
        g = d.ident("group"),
        grp = neutral(d, "s.grp"),
        grp_o = neutral(d, "o.grp"),
        assessed = d.int_text("s.assessed"),
        passed = d.int_text("s.passed"),
        failed = d.int_text("s.failed"),
        rate = d.fixed_text("s.rate_4", 4),
        points = d.fixed_text("s.points_centi", 2),
        total_idx = rules.len(),
        total_label = text_const(d, "points earned of the assessed KPIs' weights"),
        weight_total = d.fixed_text("o.weight_centi", 2),
        points_total = d.fixed_text("o.points_centi", 2),
    );
    let header = {
        let mut h = vec![
            format!(
                "caredesk sql kpi ({}): the service scorecard for {} to {}{}, as of {}, compiled from {}.",
                d.name(),
                period.from,
                period.to,
                match grouping {
                    KpiGrouping::All => "",
                    KpiGrouping::Owner => ", per owner (ranked)",
                    KpiGrouping::Store => ", per store (ranked)",
                    KpiGrouping::Month => ", per month",
                },
                job.as_of,
                job.policy_name
            ),
            format!(
                "Its result is, column for column and row for row, `caredesk kpi --format csv{}` with the same",
                match grouping {
                    KpiGrouping::All => "",
                    KpiGrouping::Owner => " --by owner",
                    KpiGrouping::Store => " --by store",
                    KpiGrouping::Month => " --by month",
                }
            ),
            format!(
                "period and as-of date, on the same data. Tables: customers = {}, orders = {}, complaints = {}.",
                d.ident(&job.tables.customers),
                d.ident(&job.tables.orders),
                d.ident(&job.tables.complaints)
            ),
        ];
        h.extend(readings(d));
        h.push("  - date-times are without time zone; N hours are added on the wall clock".into());
        h.push(format!(
            "    ({}), so no daylight-saving shift changes a deadline;",
            d.timestamp()
        ));
        h.push(
            "  - the owner ranking compares shares of points by cross-multiplying the rounded"
                .into(),
        );
        h.push("    totals, as caredesk compares its decimal quotients.".into());
        if !k.left_out.is_empty() {
            // scripts/sql_check.py reads this line to set those rows aside.
            h.push(format!("Left out: {}", k.left_out.join(", ")));
            h.push(
                "  (they read contacts.csv and answers.csv, which this query does not; they weigh 0, so the"
                    .into(),
            );
            h.push("  totals are the same: caredesk kpi shows their rows besides these).".into());
        }
        h
    };
    Ok(q.render(job, &header, &select))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_beyond_exact_sums_are_refused() {
        let d = |s: &str| s.parse::<Decimal>().unwrap();
        assert!(numbers(d("0.95"), d("5"), 2, "k").is_ok());
        let e = numbers(d("0.9"), d("10000000"), 2, "k").err().unwrap();
        assert!(e.0.contains("weight is too large"), "{e}");
        assert!(numbers(d("0.9"), d("1.00000000001"), 11, "k").is_err());
        // At most 10 decimal places, as the message says: 10 compile, 11 are refused.
        assert!(numbers(d("0.9999999999"), d("5"), 2, "k").is_ok());
        assert!(numbers(d("0.9"), d("1.0000000001"), 10, "k").is_ok());
        let e = numbers(d("0.99999999999"), d("5"), 2, "k").err().unwrap();
        assert!(e.0.contains("too many decimal places"), "{e}");
        // 5 × 16 / (0.85 × 19) rounds to 4.95 (×100 = a1·p + a2·a over 2·a2·a).
        let n = numbers(d("0.85"), d("5"), 2, "k").unwrap();
        assert_eq!((n.a1 * 16 + n.a2 * 19) / (2 * n.a2 * 19), 495);
    }
}
