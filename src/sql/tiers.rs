//! `caredesk sql tiers` and `sql summary`: DOMAIN.md section 2 with the exact readings
//! of section 5, as [`crate::domain::tiers`] computes them.

use rust_decimal::Decimal;

use super::adapter::TierMethod;
use super::{
    after, customer_rows, fraction4, half_up, money_text, neutral, on_or_before, order_rows, ratio,
    readings, text_const, Job, Query, Unsupported,
};
use crate::domain::days_before;

/// The CTEs every tier report shares, ending in `classified`: one row per customer with
/// tier_idx, the figures and the standing.
fn classified(job: &Job<'_>) -> Result<Query, Unsupported> {
    let d = job.dialect;
    let t = &job.rules.tiers;
    let mut q = Query::new();
    q.cte(
        "customer_rows",
        "DOMAIN.md section 1: one row per customer; ids and names trimmed as caredesk reads them.",
        customer_rows(job, &[]),
    );
    q.cte(
        "order_rows",
        "DOMAIN.md section 1 and 5: order rows dated on or before the as-of date (later ones have not happened yet), \
         of known customers; an empty kind is a sale, an empty profit 0; money in cents.",
        order_rows(job, "customer_rows", None),
    );

    // Windows: caredesk computes their first excluded day once; so does this compiler.
    // " AND <in the tier window>", empty for all time.
    let in_tier = match t.window_days {
        0 => String::new(),
        w => format!(" AND {}", after(d, "order_date", days_before(job.as_of, w))),
    };
    let segment_after = days_before(job.as_of, t.segment_window_days);
    let in_segment = after(d, "order_date", segment_after);
    let purchase = if t.refunds_are_purchases {
        "kind = 'sale'".to_string()
    } else {
        "kind = 'sale' AND amount_c >= 0".to_string()
    };
    // Points: trunc(cents · num / den) toward zero, per row.
    let (pn, pd) = ratio(t.points_per_unit);
    let points = if pn == 1 {
        d.idiv("amount_c", &(pd * 100).to_string())
    } else {
        d.idiv(
            &format!("{} * {pn}", d.big("amount_c")),
            &(pd * 100).to_string(),
        )
    };
    let window_text = match t.window_days {
        0 => "all time".to_string(),
        w => format!("the last {w} days"),
    };
    let refund_text = if t.refunds_are_purchases {
        "every sale row counts as a purchase (refunds_are_purchases = true)"
    } else {
        "a sale with a negative amount is a refund: it lowers spend, profit and points but is no purchase"
    };
    q.cte(
        "activity",
        &format!(
            "DOMAIN.md section 2 and 5: per customer, spend, profit and purchases over the tier window ({window_text}); \
             points truncated toward zero per sale row; purchases in the segment window \
             (T - {} < date <= T); first and last purchase; the last visit is any order row. {refund_text}.",
            t.segment_window_days
        ),
        format!(
            "SELECT customer_id,\n\
             \x20      MAX(order_date) AS last_visit,\n\
             \x20      {spend} AS spend_c,\n\
             \x20      {profit} AS profit_c,\n\
             \x20      {points_sum} AS points,\n\
             \x20      COUNT(CASE WHEN {purchase}{in_tier} THEN 1 END) AS sales,\n\
             \x20      COUNT(CASE WHEN {purchase} AND {in_segment} THEN 1 END) AS sales_2y,\n\
             \x20      MIN(CASE WHEN {purchase} THEN order_date END) AS first_sale,\n\
             \x20      MAX(CASE WHEN {purchase} THEN order_date END) AS last_sale\n\
             FROM order_rows\n\
             GROUP BY customer_id",
            spend = d.sum_wide(&format!(
                "CASE WHEN kind = 'sale'{in_tier} THEN amount_c ELSE 0 END"
            )),
            profit = d.sum_wide(&format!(
                "CASE WHEN kind = 'sale'{in_tier} THEN profit_c ELSE 0 END"
            )),
            points_sum = d.sum_wide(&format!("CASE WHEN kind = 'sale' THEN {points} ELSE 0 END")),
        ),
    );
    q.cte(
        "referrals",
        "DOMAIN.md section 2: purchases, all time, that name the customer as referrer.",
        format!(
            "SELECT referred_by AS customer_id, COUNT(*) AS referrals\n\
             FROM order_rows\n\
             WHERE {purchase} AND referred_by IS NOT NULL\n\
             GROUP BY referred_by"
        ),
    );
    let mut ranks =
        vec!["RANK() OVER (ORDER BY COALESCE(a.points, 0)) - 1 AS points_below".to_string()];
    if t.method.is_score() {
        ranks.extend([
            "RANK() OVER (ORDER BY COALESCE(a.spend_c, 0)) - 1 AS spend_below".to_string(),
            "RANK() OVER (ORDER BY COALESCE(a.profit_c, 0)) - 1 AS profit_below".to_string(),
            "RANK() OVER (ORDER BY COALESCE(a.sales, 0)) - 1 AS sales_below".to_string(),
        ]);
    }
    q.cte(
        "ranked",
        "DOMAIN.md section 2 and 5: every customer, with percent ranks over all customers kept as their exact \
         numerators: rank - 1 = the customers with a strictly smaller value (ties share the lowest rank), \
         never PERCENT_RANK(), which is a floating-point quotient.",
        format!(
            "SELECT c.customer_id, c.name,{file_row}\n\
             \x20      COALESCE(a.spend_c, 0) AS spend_c,\n\
             \x20      COALESCE(a.profit_c, 0) AS profit_c,\n\
             \x20      COALESCE(a.sales, 0) AS sales,\n\
             \x20      COALESCE(a.sales_2y, 0) AS sales_2y,\n\
             \x20      COALESCE(r.referrals, 0) AS referrals,\n\
             \x20      COALESCE(a.points, 0) AS points,\n\
             \x20      a.first_sale, a.last_sale, a.last_visit,\n\
             \x20      COUNT(*) OVER () AS n,\n\
             \x20      {}\n\
             FROM customer_rows c\n\
             LEFT JOIN activity a ON a.customer_id = c.customer_id\n\
             LEFT JOIN referrals r ON r.customer_id = c.customer_id",
            ranks.join(",\n       "),
            file_row = if job.tables.customers_order.is_some() { " c.file_row," } else { "" },
        ),
    );

    // The tier, as an index from the top.
    let floor = t.names.len() - 1;
    let tier_expr = match &t.method {
        TierMethod::Spend { mins } => {
            let mut e = String::from("CASE");
            for (i, m) in mins.iter().enumerate() {
                e.push_str(&format!(" WHEN spend_c >= {m} THEN {i}"));
            }
            e.push_str(&format!(" ELSE {} END", mins.len().min(floor)));
            e
        }
        TierMethod::ScoreShares { cumulative } => {
            // Position i gets the first class with i <= round_half_up(N * c), that is
            // 2 * den * i <= 2 * N * num + den.
            let mut e = String::from("CASE");
            for (i, c) in cumulative.iter().enumerate() {
                let (num, den) = ratio(*c);
                e.push_str(&format!(
                    " WHEN {pos} * {two_den} <= {n} * {two_num} + {den} THEN {i}",
                    pos = d.big("pos"),
                    two_den = 2 * den,
                    n = d.big("n"),
                    two_num = 2 * num,
                ));
            }
            e.push_str(&format!(" ELSE {floor} END"));
            e
        }
        TierMethod::ScoreMins { mins } => {
            // score >= min, exactly: numerator · 100 · den >= num · 10^scale · (N − 1).
            let scale = weights_scale(&t.weights);
            let mut e = String::from("CASE");
            for (i, m) in mins.iter().enumerate() {
                let (num, den) = ratio(*m);
                let rhs = num
                    .checked_mul(10i128.pow(scale))
                    .ok_or_else(|| too_fine("min_score"))?;
                e.push_str(&format!(
                    " WHEN (n <= 1 AND {zero_meets}) OR (n > 1 AND numerator * {lhs} >= {rhs} * {n1}) THEN {i}",
                    zero_meets = if *m <= Decimal::ZERO { "TRUE" } else { "FALSE" },
                    lhs = 100 * den,
                    n1 = d.big("(n - 1)"),
                ));
            }
            e.push_str(&format!(" ELSE {floor} END"));
            e
        }
    };

    if t.method.is_score() {
        let scale = weights_scale(&t.weights);
        let w: Vec<i128> = t
            .weights
            .iter()
            .map(|w| {
                let mut w = *w;
                w.rescale(scale);
                w.mantissa()
            })
            .collect();
        let numerator = format!(
            "{} * {} + {} * {} + {} * {}",
            w[0],
            d.big("spend_below"),
            w[1],
            d.big("profit_below"),
            w[2],
            d.big("sales_below"),
        );
        let order = match t.method {
            TierMethod::ScoreShares { .. } => format!(
                ",\n       ROW_NUMBER() OVER (ORDER BY {numerator} DESC, {}) AS pos",
                d.bytewise("customer_id"),
            ),
            _ => String::new(),
        };
        let score_cols = format!(",\n       {numerator} AS numerator{order}");
        q.cte(
            "scored",
            &format!(
                "DOMAIN.md section 2 (003): score = 100 x (sum of weight x percent rank); kept as its numerator \
                 sum(w_i x (rank_i - 1)) with the weights as whole numbers at scale {scale}, so ties and \
                 thresholds are compared exactly; customers sorted by score, then customer_id (bytes)."
            ),
            format!("SELECT ranked.*{score_cols}\nFROM ranked"),
        );
    }
    let source = if t.method.is_score() {
        "scored"
    } else {
        "ranked"
    };

    // top10: rank − 1 >= top_rank · (N − 1), with N > 1.
    let (tn, td) = ratio(t.top_rank);
    let top = format!(
        "(n > 1 AND {} * {td} >= {} * {tn})",
        d.big("points_below"),
        d.big("(n - 1)")
    );
    // freq >= min_per_year: sales_2y · 365 >= ceil(min_per_year · window), once.
    let needed = t
        .min_per_year
        .checked_mul(Decimal::from(t.segment_window_days))
        .map(|n| n.max(Decimal::ZERO).ceil());
    let frequent = match needed {
        Some(n) if n <= Decimal::from(u32::MAX as u64 * 365) => format!("sales_2y * 365 >= {n}"),
        // More than any count of purchases can reach.
        _ => "FALSE".to_string(),
    };
    let new_after = days_before(job.as_of, t.new_days);
    let churn_on_or_before = days_before(job.as_of, t.churn_days);
    if t.segment_window_days > 36_500 {
        return Err(Unsupported(format!(
            "a segment window of {} days puts the points-clearing date past what SQL dates hold; use at most 36500",
            t.segment_window_days
        )));
    }
    let clear_on = d.add_months(
        &d.add_days("last_sale", t.segment_window_days),
        t.retain_months,
    );
    let segment = format!(
        "CASE WHEN last_sale IS NULL THEN 'none'\n\
         \x20           WHEN {frequent} AND {top} THEN 'upgrade'\n\
         \x20           WHEN {frequent} THEN 'stable'\n\
         \x20           WHEN {new} THEN 'new'\n\
         \x20           WHEN {old} AND {top} THEN 'retain'\n\
         \x20           ELSE 'abandon' END",
        new = after(d, "first_sale", new_after),
        old = on_or_before(d, "last_sale", segment_after),
    );
    let days = d.days_between(&d.date(job.as_of), "last_visit");
    let score = if t.method.is_score() {
        let scale = weights_scale(&t.weights);
        // score · 100 = 10000 · numerator / (10^scale · (N − 1)), rounded half-up.
        let den = format!("{} * {}", 10i128.pow(scale), d.big("(n - 1)"));
        format!(
            "CASE WHEN n <= 1 THEN 0 ELSE {} END",
            half_up(d, "10000 * numerator", &den)
        )
    } else {
        "NULL".to_string()
    };
    q.cte(
        "classified",
        &format!(
            "DOMAIN.md section 2: the tier ({method}); the segment, first match wins (none, upgrade, stable, new, \
             retain, abandon; top10 = rank - 1 >= {top_rank} x (N - 1), frequent = at least {min} purchases a year \
             over {w} days); lifecycle by days since the last visit (active <= {a}, sleeping <= {s}); churned = no \
             purchase in {churn} days; care goal = {ms} purchases or {mr} referral(s); the points-clearing date of \
             retain = last purchase + {w} days + {rm} calendar months, clamped to the month's end.",
            method = match &t.method {
                TierMethod::Spend { .. } => "spend method: the first tier whose min_spend the spend reaches, bounds inclusive",
                TierMethod::ScoreShares { .. } => "score method by shares: position i gets the first class with i <= round_half_up(N x cumulative share)",
                TierMethod::ScoreMins { .. } => "score method by thresholds: the first class whose min_score the exact score reaches",
            },
            top_rank = t.top_rank,
            min = t.min_per_year,
            w = t.segment_window_days,
            a = t.active_days,
            s = t.sleeping_days,
            churn = t.churn_days,
            ms = t.care_min_sales,
            mr = t.care_min_referrals,
            rm = t.retain_months,
        ),
        format!(
            "SELECT {source}.*,\n\
             \x20      {tier_expr} AS tier_idx,\n\
             \x20      {segment} AS segment,\n\
             \x20      {days} AS days_since_visit,\n\
             \x20      CASE WHEN last_sale IS NOT NULL AND {churned} THEN 1 ELSE 0 END AS churned,\n\
             \x20      CASE WHEN sales >= {ms} OR referrals >= {mr} THEN 1 ELSE 0 END AS care_goal_met,\n\
             \x20      {score} AS score_centi,\n\
             \x20      {clear_on} AS clear_on\n\
             FROM {source}",
            churned = on_or_before(d, "last_sale", churn_on_or_before),
            ms = t.care_min_sales,
            mr = t.care_min_referrals,
        ),
    );
    Ok(q)
}

/// The common scale of the score weights (at least 0).
fn weights_scale(w: &[Decimal; 3]) -> u32 {
    w.iter().map(|w| w.scale()).max().unwrap_or(0)
}

fn too_fine(what: &str) -> Unsupported {
    Unsupported(format!(
        "{what} has too many decimal places to compare exactly in 38 digits"
    ))
}

/// `CASE tier_idx WHEN 0 THEN 'Diamond' …`, the names as caredesk's CSV writes them.
fn tier_name(job: &Job<'_>, idx: &str) -> String {
    let mut e = format!("CASE {idx}");
    for (i, name) in job.rules.tiers.names.iter().enumerate() {
        e.push_str(&format!(" WHEN {i} THEN {}", text_const(job.dialect, name)));
    }
    e.push_str(" END");
    e
}

fn header(job: &Job<'_>, what: &str, command: &str) -> Vec<String> {
    let t = &job.rules.tiers;
    let mut h = vec![
        format!(
            "caredesk sql {what} ({}): {} as of {}, compiled from {}.",
            job.dialect.name(),
            match what {
                "summary" => "the per-tier 80/20 summary",
                _ => "every customer's tier, segment and lifecycle",
            },
            job.as_of,
            job.policy_name
        ),
        format!(
            "Its result is, column for column and row for row, `{command} --as-of {}`",
            job.as_of
        ),
        format!(
            "on the same data. Tables: customers = {}, orders = {}.",
            job.dialect.ident(&job.tables.customers),
            job.dialect.ident(&job.tables.orders)
        ),
    ];
    h.extend(readings(job.dialect));
    if t.method.is_score() {
        h.push(
            "  - percent ranks are RANK() - 1 over all customers and the score is compared by"
                .into(),
        );
        h.push(
            "    its integer numerator; only the displayed score is divided (2 places, half-up);"
                .into(),
        );
    }
    h.push(
        "  - points are truncated toward zero per row (a 10.05 sale earns 10, its refund takes"
            .into(),
    );
    h.push(
        "    10 back); the clearing date adds calendar months clamped to the month's end.".into(),
    );
    h
}

/// `caredesk tiers --format csv`.
pub fn tiers(job: &Job<'_>) -> Result<String, Unsupported> {
    let d = job.dialect;
    let q = classified(job)?;
    let t = &job.rules.tiers;
    let text = |e: &str| d.int_text(e);
    let boolean = |e: &str| format!("CASE WHEN {e} = 1 THEN 'true' ELSE 'false' END");
    let lifecycle = format!(
        "CASE WHEN last_visit IS NULL THEN 'none' WHEN days_since_visit <= {} THEN 'active' \
         WHEN days_since_visit <= {} THEN 'sleeping' ELSE 'lost' END",
        t.active_days, t.sleeping_days
    );
    let score = if t.method.is_score() {
        d.fixed_text("score_centi", 2)
    } else {
        format!("CAST(NULL AS {})", d.text())
    };
    let cols = [
        format!("{} AS customer_id", neutral(d, "customer_id")),
        format!("{} AS name", neutral(d, "name")),
        format!("{} AS tier", tier_name(job, "tier_idx")),
        format!("{} AS computed_tier", tier_name(job, "tier_idx")),
        "segment".to_string(),
        format!("{lifecycle} AS lifecycle"),
        format!("{} AS churned", boolean("churned")),
        format!("{} AS spend", money_text(d, "spend_c")),
        format!("{} AS profit", money_text(d, "profit_c")),
        format!("{} AS sales", text("sales")),
        format!("{} AS sales_2y", text("sales_2y")),
        format!("{} AS referrals", text("referrals")),
        format!("{} AS points", text("points")),
        format!("{} AS first_sale", d.date_text("first_sale")),
        format!("{} AS last_sale", d.date_text("last_sale")),
        format!("{} AS last_visit", d.date_text("last_visit")),
        format!("{} AS days_since_visit", text("days_since_visit")),
        format!("{score} AS score"),
        format!("{} AS care_goal_met", boolean("care_goal_met")),
        format!(
            "CASE WHEN segment = 'retain' THEN {} END AS points_clear_on",
            d.date_text("clear_on")
        ),
        format!("CAST(NULL AS {}) AS override_tier", d.text()),
        format!("CAST(NULL AS {}) AS override_reason", d.text()),
    ];
    let (order_note, file_row) = match &job.tables.customers_order {
        Some(c) => (
            format!(
                "-- Top tier first, then the biggest spenders, then in the file's order ({}).",
                d.ident(c)
            ),
            "file_row, ",
        ),
        None => (
            "-- Top tier first, then the biggest spenders; caredesk lists customers tied on both in\n\
             -- the customers file's order, which a table does not keep (--customers-order names a\n\
             -- column that does): here they come by customer_id, byte by byte, which is the same\n\
             -- when the file is sorted by id."
                .to_string(),
            "",
        ),
    };
    let select = format!(
        "{order_note}\n\
         SELECT {}\n\
         FROM classified\n\
         ORDER BY tier_idx, spend_c DESC, {file_row}{}",
        cols.join(",\n       "),
        d.bytewise("customer_id")
    );
    Ok(q.render(
        job,
        &header(job, "tiers", "caredesk tiers --format csv"),
        &select,
    ))
}

/// `caredesk tiers --summary --format csv`.
pub fn summary(job: &Job<'_>) -> Result<String, Unsupported> {
    let d = job.dialect;
    let mut q = classified(job)?;
    let list: Vec<String> = (0..job.rules.tiers.names.len())
        .map(|i| format!("SELECT {i} AS tier_idx"))
        .collect();
    q.cte(
        "tier_list",
        "DOMAIN.md section 5: every tier is listed, even an empty one.",
        list.join("\nUNION ALL "),
    );
    q.cte(
        "per_tier",
        "DOMAIN.md section 2: per tier, its customers, their spend, the churned and those meeting the care goal.",
        format!(
            "SELECT tier_idx, COUNT(*) AS customers, {} AS spend_c,\n\
             \x20      SUM(churned) AS churned, SUM(care_goal_met) AS care_goal_met\n\
             FROM classified\n\
             GROUP BY tier_idx",
            d.sum_wide("spend_c")
        ),
    );
    q.cte(
        "totals",
        "DOMAIN.md section 2: all customers and the total spend, for the shares.",
        format!(
            "SELECT COUNT(*) AS n, COALESCE({}, 0) AS total_spend_c\nFROM classified",
            d.sum_wide("spend_c")
        ),
    );
    let frac = |num: &str, den: &str| d.fixed_text(&fraction4(d, num, den), 4);
    let select = format!(
        "-- Shares and rates are fractions rounded half away from zero to 4 places; spend_share\n\
         -- is empty when the total spend is not positive, churn_rate for an empty tier.\n\
         SELECT {name} AS tier,\n\
         \x20      {customers} AS customers,\n\
         \x20      CASE WHEN t.n > 0 THEN {cshare} END AS customer_share,\n\
         \x20      {spend} AS spend,\n\
         \x20      CASE WHEN t.total_spend_c > 0 THEN {sshare} END AS spend_share,\n\
         \x20      {churned} AS churned,\n\
         \x20      CASE WHEN COALESCE(p.customers, 0) > 0 THEN {crate} END AS churn_rate,\n\
         \x20      {care} AS care_goal_met\n\
         FROM tier_list l\n\
         LEFT JOIN per_tier p ON p.tier_idx = l.tier_idx\n\
         CROSS JOIN totals t\n\
         ORDER BY l.tier_idx",
        name = tier_name(job, "l.tier_idx"),
        customers = d.int_text("COALESCE(p.customers, 0)"),
        cshare = frac("COALESCE(p.customers, 0)", "t.n"),
        spend = money_text(d, "COALESCE(p.spend_c, 0)"),
        sshare = frac("COALESCE(p.spend_c, 0)", "t.total_spend_c"),
        churned = d.int_text("COALESCE(p.churned, 0)"),
        crate = frac("COALESCE(p.churned, 0)", "p.customers"),
        care = d.int_text("COALESCE(p.care_goal_met, 0)"),
    );
    Ok(q.render(
        job,
        &header(job, "summary", "caredesk tiers --summary --format csv"),
        &select,
    ))
}
