//! Files an analyst hands back: overrides (customer_id, tier, reason, optional expires)
//! and last month's tiers export. Either may be the tiers export itself, edited in a
//! spreadsheet: its `override_tier` / `override_reason` columns are the overrides.

use std::collections::{BTreeMap, HashMap};
use std::io::Read;

use chrono::NaiveDate;

use super::{csv_reader, each_row, opt, read_header, req, Field};
use crate::error::Problems;
use crate::load::CustomerBook;
use crate::parse;
use crate::report::unguard;

/// A tier pinned by hand.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Override {
    pub customer: u32,
    /// Index into the policy's tiers.
    pub tier: u16,
    pub reason: String,
    pub expires: Option<NaiveDate>,
    pub line: u64,
}

/// The policy's tiers as a hand-edited file may name them: by name or label (钻石会员),
/// in any case, with spaces around.
#[derive(Debug, Clone)]
pub struct TierNames<'a> {
    tiers: Vec<(&'a str, Option<&'a str>)>,
}

impl<'a> TierNames<'a> {
    /// The tiers top down, each with its label.
    pub fn new(tiers: impl IntoIterator<Item = (&'a str, Option<&'a str>)>) -> Self {
        TierNames {
            tiers: tiers.into_iter().collect(),
        }
    }

    /// The tier `text` names.
    pub fn find(&self, text: &str) -> Option<usize> {
        let text = text.trim();
        let same = |a: &str| a.trim().to_lowercase() == text.to_lowercase();
        // An exact name first: a label may equal another tier's name in another case.
        (self.tiers.iter().position(|(n, _)| *n == text))
            .or_else(|| self.tiers.iter().position(|(n, _)| same(n)))
            .or_else(|| self.tiers.iter().position(|(_, l)| l.is_some_and(same)))
    }

    /// "the policy's tiers are Diamond (钻石会员), ...".
    pub fn listing(&self) -> String {
        let each: Vec<String> = self
            .tiers
            .iter()
            .map(|(n, l)| match l {
                Some(l) if l != n => format!("{n} ({l})"),
                _ => n.to_string(),
            })
            .collect();
        format!("unknown tier; the policy's tiers are {}", each.join(", "))
    }
}

/// Reads an overrides file. Rows with an empty tier are no override (an export where most
/// rows are not pinned); an unknown customer or tier is a problem with its row.
pub fn read_overrides<R: Read>(
    input: R,
    file: &str,
    book: &CustomerBook,
    tiers: &TierNames<'_>,
    problems: &mut Problems,
) -> Vec<Override> {
    let mut reader = csv_reader(input);
    let mut out = Vec::new();
    // The export's own columns win when present: `tier` there is the computed one.
    let fields: &[Field] = &[
        req("customer_id"),
        opt("override_tier"),
        opt("override_reason"),
        opt("tier"),
        opt("reason"),
        opt("expires"),
    ];
    let Some(header) = read_header(&mut reader, file, fields, &BTreeMap::new(), problems) else {
        return out;
    };
    let (tier_at, reason_at) = if header.at[1].is_some() {
        (1, 2)
    } else {
        (3, 4)
    };
    if header.at[tier_at].is_none() {
        problems.add(
            file,
            1,
            None,
            None,
            "expected a tier column (override_tier, or tier) naming the pinned tier",
        );
        return out;
    }
    // Two pins for one customer: which one holds is not for the reader to guess.
    let mut first_line: HashMap<u32, u64> = HashMap::new();
    each_row(&mut reader, file, &header, problems, |row, record| {
        let line = row.line;
        let Some(tier) = row.opt_text(record, tier_at).map(unguard) else {
            return;
        };
        let id = unguard(row.text(record, 0)).to_string();
        let customer = book.find(id.as_bytes());
        if customer.is_none() && !id.is_empty() {
            super::no_such_customer(row, 0, id.as_bytes(), book, "");
        }
        let tier_index = tiers.find(tier);
        if tier_index.is_none() {
            row.bad(tier_at, tier.as_bytes(), tiers.listing());
        }
        let reason = unguard(row.opt_lines(record, reason_at).unwrap_or("")).to_string();
        let expires = row.opt_with(record, 5, parse::date_cell);
        if let Some(c) = customer {
            if let Some(first) = first_line.get(&c) {
                row.bad(
                    0,
                    id.as_bytes(),
                    format!("duplicate customer id; first pinned on line {first}"),
                );
            } else {
                first_line.insert(c, line);
            }
        }
        if let (true, Some(customer), Some(tier)) = (row.ok, customer, tier_index) {
            out.push(Override {
                customer,
                tier: tier as u16,
                reason,
                expires,
                line,
            });
        }
    });
    out
}

/// Last month's tiers: per customer id, the tier name and the name.
#[derive(Debug, Default)]
pub struct Previous {
    pub rows: Vec<(String, String, u16)>,
}

/// Reads last month's tiers export (customer_id, tier, and name if there).
pub fn read_previous<R: Read>(
    input: R,
    file: &str,
    tiers: &TierNames<'_>,
    problems: &mut Problems,
) -> Previous {
    let mut reader = csv_reader(input);
    let mut out = Previous::default();
    let fields: &[Field] = &[req("customer_id"), req("tier"), opt("name")];
    let Some(header) = read_header(&mut reader, file, fields, &BTreeMap::new(), problems) else {
        return out;
    };
    let mut first_line: HashMap<String, u64> = HashMap::new();
    each_row(&mut reader, file, &header, problems, |row, record| {
        let id = unguard(row.text(record, 0)).to_string();
        let tier = unguard(row.opt_text(record, 1).unwrap_or("")).to_string();
        let name = unguard(row.opt_text(record, 2).unwrap_or("")).to_string();
        if tier.is_empty() {
            // a customer who was "gone" last month: not in last month's tiers
            return;
        }
        match first_line.get(&id) {
            Some(first) => row.bad(
                0,
                id.as_bytes(),
                format!("duplicate customer id; first on line {first}"),
            ),
            None => {
                first_line.insert(id.clone(), row.line);
            }
        }
        match tiers.find(&tier) {
            Some(i) if row.ok => out.rows.push((id, name, i as u16)),
            Some(_) => {}
            None => row.bad(1, tier.as_bytes(), tiers.listing()),
        }
    });
    if first_line.is_empty() && !problems.mention(file) {
        // Everyone would be "new": the wrong file, or an export cut short (§3.8).
        problems.add(
            file,
            0,
            None,
            None,
            "no customer with a tier in it (a header and no rows, or rows without a tier): \
             every customer would show as new; expected last period's tiers export \
             (`caredesk tiers --format csv`)",
        );
    }
    out
}
