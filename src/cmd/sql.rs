//! `caredesk sql`: the policy compiled to one SQL query for a warehouse (Spark, DuckDB,
//! PostgreSQL) whose result is what `tiers`, `tiers --summary` or `kpi` print as CSV.

use std::io::Write;

use crate::app::{display, note, write_output, Plan};
use crate::cli::{KpiGroup, SqlArgs, SqlReport};
use crate::domain::kpi::Period;
use crate::error::{Error, Result};
use crate::sql::{compile, Job, KpiGrouping, Report, Rules, Tables};

pub fn run(plan: &Plan, args: &SqlArgs) -> Result<()> {
    let scope = &args.scope;
    let kpi_only = scope.month.is_some() || scope.from.is_some() || scope.by.is_some();
    if kpi_only && args.report != SqlReport::Kpi {
        return Err(Error::Usage(
            "--month, --from, --to and --by belong to `caredesk sql kpi`".into(),
        ));
    }
    let policy = plan.load_policy()?;
    let rules = Rules::of(&policy);
    if args.report == SqlReport::Kpi && !rules.kpi.left_out.is_empty() {
        crate::app::warn(&format!(
            "left out of the query: {} (they read contacts.csv and answers.csv; weighing 0, they change no total)",
            rules.kpi.left_out.join(", ")
        ));
    }
    let report = match args.report {
        SqlReport::Tiers => Report::Tiers,
        SqlReport::Summary => Report::Summary,
        SqlReport::Kpi => Report::Kpi {
            period: Period::asked(scope.month, scope.from, scope.to, plan.as_of)
                .map_err(Error::Usage)?,
            grouping: match scope.by {
                None => KpiGrouping::All,
                Some(KpiGroup::Owner) => KpiGrouping::Owner,
                Some(KpiGroup::Store) => KpiGrouping::Store,
                Some(KpiGroup::Month) => KpiGrouping::Month,
            },
        },
    };
    let tables = Tables {
        customers: args.customers_table.clone(),
        orders: args.orders_table.clone(),
        complaints: args.complaints_table.clone(),
        customers_order: args.customers_order.clone(),
    };
    let policy_name = display(&plan.policy);
    let job = Job {
        dialect: args.dialect,
        rules: &rules,
        as_of: plan.as_of,
        tables: &tables,
        policy_name: &policy_name,
        explain: args.explain,
    };
    let sql = compile(&job, report).map_err(|e| {
        // A policy SQL cannot reproduce exactly is refused, never approximated (the
        // message goes through `note`: a full stderr drops it, never panics).
        note(&format!(
            "caredesk: {policy_name}: cannot be compiled to SQL exactly: {e}"
        ));
        Error::AlreadyReported(crate::error::exit::BAD_INPUT)
    })?;
    match &args.output {
        None => {
            let stdout = std::io::stdout();
            let mut lock = stdout.lock();
            lock.write_all(sql.as_bytes())?;
            lock.flush()?;
            Ok(())
        }
        // Every file of the plan is protected (the data files too, though `sql` reads
        // only the policy), a symlink followed, a device written into.
        Some(path) => write_output(path, &plan.inputs(), |w| w.write_all(sql.as_bytes())),
    }
}
