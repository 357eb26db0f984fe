//! The usual names of the contract's columns in a company's own exports (POS, CRM, a
//! spreadsheet kept by hand), Chinese and English, and the guesses made from values when
//! no header matches: what `caredesk init` maps with (docs/rules.md §4.4; the README shows the table).
//! Pure: headers and sample cells in, a mapping out.

use std::collections::BTreeMap;

/// A contract file, as `init` looks for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum FileKind {
    Customers,
    Orders,
    Complaints,
}

impl FileKind {
    pub const ALL: [FileKind; 3] = [FileKind::Customers, FileKind::Orders, FileKind::Complaints];

    /// The contract's file name, and the `[columns.*]` table.
    pub fn name(self) -> &'static str {
        match self {
            FileKind::Customers => "customers",
            FileKind::Orders => "orders",
            FileKind::Complaints => "complaints",
        }
    }

    /// Words in a file name that say which file it is (客户资料.xlsx, 销售明细.csv).
    pub fn file_words(self) -> &'static [&'static str] {
        match self {
            FileKind::Customers => &["customer", "member", "client", "客户", "会员", "顾客"],
            FileKind::Orders => &[
                "order",
                "sale",
                "transaction",
                "订单",
                "销售",
                "流水",
                "交易",
            ],
            FileKind::Complaints => &["complaint", "ticket", "投诉", "客诉"],
        }
    }

    /// The contract's columns with their usual names, required ones marked.
    pub fn columns(self) -> &'static [Column] {
        match self {
            FileKind::Customers => CUSTOMERS,
            FileKind::Orders => ORDERS,
            FileKind::Complaints => COMPLAINTS,
        }
    }
}

/// A contract column and the headers that name it in the wild.
#[derive(Debug)]
pub struct Column {
    pub name: &'static str,
    pub required: bool,
    pub aliases: &'static [&'static str],
}

const fn c(name: &'static str, required: bool, aliases: &'static [&'static str]) -> Column {
    Column {
        name,
        required,
        aliases,
    }
}

const CUSTOMER_ID: &[&str] = &[
    "customer id",
    "customer no",
    "customer number",
    "customer code",
    "member id",
    "member no",
    "member number",
    "card no",
    "client id",
    "客户编号",
    "客户id",
    "客户号",
    "客户代码",
    "客户编码",
    "会员编号",
    "会员号",
    "会员id",
    "会员卡号",
    "会员编码",
    "卡号",
    "顾客编号",
];

/// The table, per file. Headers are compared folded: case, spaces, `_`, `-` and a unit in
/// brackets (`金额(元)`) aside.
const CUSTOMERS: &[Column] = &[
    c("customer_id", true, CUSTOMER_ID),
    c(
        "name",
        true,
        &[
            "customer name",
            "member name",
            "full name",
            "client name",
            "姓名",
            "客户姓名",
            "会员姓名",
            "顾客姓名",
            "客户名称",
            "名字",
        ],
    ),
    c(
        "phone",
        false,
        &[
            "mobile",
            "mobile phone",
            "cell",
            "cellphone",
            "tel",
            "telephone",
            "phone number",
            "手机",
            "手机号",
            "手机号码",
            "联系电话",
            "电话",
            "移动电话",
            "联系方式",
        ],
    ),
    c(
        "birthday",
        false,
        &[
            "birth date",
            "date of birth",
            "dob",
            "生日",
            "出生日期",
            "出生年月日",
        ],
    ),
    c(
        "anniversary",
        false,
        &["wedding anniversary", "纪念日", "结婚纪念日"],
    ),
    c(
        "joined_on",
        false,
        &[
            "joined",
            "join date",
            "joined at",
            "registered",
            "registered on",
            "signup date",
            "member since",
            "入会日期",
            "注册日期",
            "开卡日期",
            "办卡日期",
            "建档日期",
            "入会时间",
        ],
    ),
    c(
        "owner",
        false,
        &[
            "consultant",
            "advisor",
            "adviser",
            "account manager",
            "sales rep",
            "salesperson",
            "导购",
            "顾问",
            "负责人",
            "专属顾问",
            "销售顾问",
            "客户经理",
            "服务顾问",
            "归属导购",
            "专属导购",
        ],
    ),
    c(
        "store",
        false,
        &[
            "shop",
            "branch",
            "outlet",
            "store name",
            "门店",
            "店铺",
            "所属门店",
            "归属门店",
            "门店名称",
            "开卡门店",
        ],
    ),
    c(
        "contact_ok",
        false,
        &[
            "contactable",
            "opt in",
            "may contact",
            "可联系",
            "是否可联系",
            "允许联系",
            "接受回访",
        ],
    ),
];

const ORDERS: &[Column] = &[
    c(
        "order_id",
        true,
        &[
            "order no",
            "order number",
            "order",
            "receipt no",
            "invoice no",
            "订单号",
            "订单编号",
            "单据编号",
            "单号",
            "销售单号",
            "小票号",
            "单据号",
        ],
    ),
    c("customer_id", true, CUSTOMER_ID),
    c(
        "date",
        true,
        &[
            "order date",
            "sale date",
            "sales date",
            "purchase date",
            "日期",
            "销售日期",
            "下单日期",
            "订单日期",
            "交易日期",
            "业务日期",
            "单据日期",
        ],
    ),
    c(
        "kind",
        false,
        &[
            "type",
            "order type",
            "订单类型",
            "业务类型",
            "单据类型",
            "类型",
        ],
    ),
    c(
        "amount",
        true,
        &[
            "total",
            "sales amount",
            "paid",
            "amount paid",
            "net amount",
            "金额",
            "实收金额",
            "销售金额",
            "订单金额",
            "实付金额",
            "成交金额",
            "实收",
        ],
    ),
    c(
        "profit",
        false,
        &[
            "margin",
            "gross profit",
            "gross margin",
            "毛利",
            "毛利额",
            "利润",
        ],
    ),
    c(
        "outcome",
        false,
        &[
            "result",
            "inspection",
            "结果",
            "验收结果",
            "是否合格",
            "合格",
        ],
    ),
    c(
        "referred_by",
        false,
        &[
            "referrer",
            "referral",
            "referred",
            "推荐人",
            "介绍人",
            "推荐人编号",
        ],
    ),
];

const COMPLAINTS: &[Column] = &[
    c(
        "complaint_id",
        true,
        &[
            "complaint no",
            "complaint number",
            "ticket",
            "ticket no",
            "case no",
            "投诉编号",
            "投诉单号",
            "工单号",
            "客诉编号",
        ],
    ),
    c("customer_id", true, CUSTOMER_ID),
    c(
        "order_id",
        false,
        &[
            "order no",
            "order number",
            "订单号",
            "订单编号",
            "单据编号",
            "单号",
        ],
    ),
    c(
        "category",
        true,
        &[
            "type",
            "complaint type",
            "类别",
            "投诉类别",
            "投诉类型",
            "分类",
        ],
    ),
    c(
        "opened_at",
        true,
        &[
            "opened",
            "created",
            "created at",
            "received at",
            "投诉时间",
            "受理时间",
            "登记时间",
            "创建时间",
        ],
    ),
    c(
        "responded_at",
        false,
        &[
            "responded",
            "first response",
            "响应时间",
            "回复时间",
            "首次响应时间",
        ],
    ),
    c(
        "closed_at",
        false,
        &["closed", "resolved at", "关闭时间", "结案时间", "解决时间"],
    ),
    c(
        "severity",
        false,
        &["level", "priority", "级别", "严重程度", "等级"],
    ),
];

/// Whether a folded header is one of the usual names of a phone column.
pub fn is_phone_header(folded: &str) -> bool {
    CUSTOMERS
        .iter()
        .filter(|c| c.name == "phone")
        .flat_map(|c| c.aliases)
        .any(|a| fold(a) == folded)
}

/// A header folded for comparison: lower case, no spaces, `_` or `-`, no unit in
/// brackets, no BOM.
pub fn fold(header: &str) -> String {
    let header = header.trim_start_matches('\u{feff}').trim();
    let header = match header.find(['(', '（']) {
        Some(at) if at > 0 => &header[..at],
        _ => header,
    };
    header
        .chars()
        .filter(|ch| !matches!(ch, ' ' | '_' | '-' | '\u{3000}'))
        .flat_map(char::to_lowercase)
        .collect()
}

/// How a column came to be mapped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum How {
    /// The header is the contract's name.
    Contract,
    /// The header is one of the usual names.
    Name,
    /// No header matched; the values look like it.
    Guess(&'static str),
}

/// A file's mapping: per contract column, the header index and how.
#[derive(Debug, Default)]
pub struct Mapping {
    pub columns: BTreeMap<&'static str, (usize, How)>,
}

impl Mapping {
    /// Required columns left unmapped.
    pub fn missing(&self, kind: FileKind) -> Vec<&'static str> {
        kind.columns()
            .iter()
            .filter(|c| c.required && !self.columns.contains_key(c.name))
            .map(|c| c.name)
            .collect()
    }
}

/// Maps a file's headers by name, then guesses from `sample` (rows of cells) what is
/// still unmapped; `known_ids` are the customer ids (for an orders or complaints file).
pub fn map(
    kind: FileKind,
    headers: &[String],
    sample: &[Vec<String>],
    known_ids: &dyn Fn(&str) -> bool,
) -> Mapping {
    let folded: Vec<String> = headers.iter().map(|h| fold(h)).collect();
    let mut mapping = Mapping::default();
    let mut taken = vec![false; headers.len()];
    // The contract's own names first, then the usual names in the table's order.
    for column in kind.columns() {
        if let Some(i) = (0..headers.len()).find(|&i| !taken[i] && folded[i] == fold(column.name)) {
            taken[i] = true;
            mapping.columns.insert(column.name, (i, How::Contract));
        }
    }
    for column in kind.columns() {
        if mapping.columns.contains_key(column.name) {
            continue;
        }
        let found = column.aliases.iter().find_map(|alias| {
            let alias = fold(alias);
            (0..headers.len()).find(|&i| !taken[i] && folded[i] == alias)
        });
        if let Some(i) = found {
            taken[i] = true;
            mapping.columns.insert(column.name, (i, How::Name));
        }
    }
    let cells = |i: usize| {
        sample
            .iter()
            .filter_map(move |row| row.get(i))
            .map(|s| s.trim())
    };
    let mostly = |i: usize, test: &dyn Fn(&str) -> bool| {
        let values: Vec<&str> = cells(i).filter(|s| !s.is_empty()).collect();
        !values.is_empty() && values.iter().filter(|v| test(v)).count() * 10 >= values.len() * 9
    };
    let mut guess = |name: &'static str, why: &'static str, test: &dyn Fn(&str) -> bool| {
        if mapping.columns.contains_key(name) || !kind.columns().iter().any(|c| c.name == name) {
            return;
        }
        if let Some(i) = (0..headers.len()).find(|&i| !taken[i] && mostly(i, test)) {
            taken[i] = true;
            mapping.columns.insert(name, (i, How::Guess(why)));
        }
    };
    let is_date = |s: &str| crate::parse::date_cell(s.as_bytes()).is_ok();
    let is_datetime = |s: &str| crate::parse::datetime_cell(s.as_bytes()).is_ok();
    let is_phone =
        |s: &str| s.len() == 11 && s.starts_with('1') && s.bytes().all(|b| b.is_ascii_digit());
    let is_money = |s: &str| crate::parse::money_cell(s.as_bytes()).is_ok();
    guess("customer_id", "its values are customer ids", &|s| {
        known_ids(s)
    });
    guess(
        "phone",
        "11-digit numbers starting with 1: mobile phones",
        &is_phone,
    );
    match kind {
        FileKind::Orders => {
            guess("date", "its values are dates", &is_date);
            guess("amount", "its values are amounts", &is_money);
        }
        FileKind::Complaints => guess("opened_at", "its values are dates and times", &is_datetime),
        FileKind::Customers => {}
    }
    mapping
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn headers_fold_case_spaces_and_units() {
        assert_eq!(fold(" Customer_ID "), "customerid");
        assert_eq!(fold("实收金额(元)"), "实收金额");
        assert_eq!(fold("\u{feff}会员卡号"), "会员卡号");
    }

    #[test]
    fn chinese_headers_map_by_the_table() {
        let headers = strings(&[
            "会员卡号",
            "客户姓名",
            "手机号",
            "出生日期",
            "专属顾问",
            "所属门店",
        ]);
        let m = map(FileKind::Customers, &headers, &[], &|_| false);
        let at: Vec<(&str, usize)> = m.columns.iter().map(|(k, (i, _))| (*k, *i)).collect();
        assert_eq!(
            at,
            [
                ("birthday", 3),
                ("customer_id", 0),
                ("name", 1),
                ("owner", 4),
                ("phone", 2),
                ("store", 5)
            ]
        );
        assert!(m.missing(FileKind::Customers).is_empty());
    }

    #[test]
    fn values_are_guessed_when_no_header_matches() {
        let headers = strings(&["单据", "VIP", "时间", "钱"]);
        let sample = vec![
            strings(&["S1", "M001", "2026/11/01", "¥1,200.00"]),
            strings(&["S2", "M002", "2026/11/02", "30"]),
        ];
        let m = map(FileKind::Orders, &headers, &sample, &|s| s.starts_with('M'));
        assert_eq!(
            m.columns["customer_id"],
            (1, How::Guess("its values are customer ids"))
        );
        assert_eq!(m.columns["date"].0, 2);
        assert_eq!(m.columns["amount"].0, 3);
        assert_eq!(m.missing(FileKind::Orders), ["order_id"]);
    }
}
