#!/usr/bin/env python3
"""Proves `caredesk sql` on real engines: DuckDB, PostgreSQL and Spark.

    python3 scripts/sql_check.py [--engines duckdb,postgres,spark] [--install] [--bin PATH]
    python3 scripts/sql_check.py run --engine duckdb --data data QUERY.sql

For every data set (the shipped sample, the edge fixture, the SQL edge fixture, a
generated 100k-order set) and every shipped policy (config/policy.toml,
examples/*.toml), it runs `caredesk tiers`, `tiers --summary` and `kpi` (whole desk, by
owner, by store, by month) natively with --format csv, compiles the same report with
`caredesk sql`, runs the query on each engine over the data loaded as tables, writes the
result as CSV the way caredesk writes CSV, and compares the two byte for byte. Any
difference fails the run (exit 1), with the first differing lines.

The tables are loaded as text, as a CSV loads; the sample is also loaded with typed
columns (DATE, TIMESTAMP, DECIMAL(18,2)), which must give the same answer. Policies that
refuse rows of unknown customers are run on the edge fixture (which has one) with
validation.unknown_customer = "skip", the reading the SQL encodes.

--install installs what is missing: duckdb and pyspark with pip, PostgreSQL and Java
with apt-get. An engine that is still missing fails the run; none is skipped.

`run` executes one query file on one engine over a data directory and prints the CSV
(the README's examples).
"""

from __future__ import annotations

import argparse
import csv
import difflib
import glob
import io
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
AS_OF = "2026-11-22"
PIP = {"duckdb": "duckdb==2.0.0", "pyspark": "pyspark==4.0.5"}

# The contract's columns (DOMAIN.md section 1) and their types, for the typed tables.
TYPES = {
    "customers": {"birthday": "DATE", "anniversary": "DATE", "joined_on": "DATE"},
    "orders": {"date": "DATE", "amount": "DECIMAL(18,2)", "profit": "DECIMAL(18,2)"},
    "complaints": {"opened_at": "TIMESTAMP", "responded_at": "TIMESTAMP", "closed_at": "TIMESTAMP"},
}
TABLES = ("customers", "orders", "complaints")
# Scorecards the SQL refuses, and what its message must say: their KPIs weigh the contact
# log and the survey answers, or aim at the average of all groups.
REFUSED_KPI = {"examples/satisfaction-average.toml": "score it with `caredesk kpi`"}


def table_name(prefix: str, t: str) -> str:
    return f"{prefix}_{t}" if prefix else t


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


# ---------------------------------------------------------------- CSV as caredesk writes it


def caredesk_csv(header: list[str], rows) -> bytes:
    """Fields quoted only when they hold a comma, quote or line break; NULL is empty."""

    def field(v) -> str:
        s = "" if v is None else str(v)
        if any(c in s for c in ',"\n\r'):
            return '"' + s.replace('"', '""') + '"'
        return s

    out = io.StringIO()
    for row in [header, *rows]:
        cells = [field(v) for v in row]
        if len(cells) == 1 and cells[0] == "":
            cells = ['""']
        out.write(",".join(cells) + "\n")
    return out.getvalue().encode("utf-8")


def read_header(path: str) -> list[str]:
    with open(path, newline="", encoding="utf-8-sig") as f:
        return next(csv.reader(f))


# ---------------------------------------------------------------- installing engines


def sh(cmd, **kw):
    return subprocess.run(cmd, check=True, **kw)


def pip_install(module: str) -> None:
    log(f"installing {PIP[module]} (pip)")
    sh([sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", PIP[module]])


_apt_updated = False


def apt_install(*packages: str) -> None:
    global _apt_updated
    if shutil.which("apt-get") is None:
        sys.exit(f"cannot install {' '.join(packages)}: no apt-get on this machine")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    if not _apt_updated:
        sh(["apt-get", "update", "-qq"], env=env)
        _apt_updated = True
    # Packages must not start services of their own (a PostgreSQL on 5432, say).
    rc = "/usr/sbin/policy-rc.d"
    made_rc = not os.path.exists(rc)
    if made_rc:
        with open(rc, "w") as f:
            f.write("#!/bin/sh\nexit 101\n")
        os.chmod(rc, 0o755)
    try:
        log(f"installing {' '.join(packages)} (apt-get)")
        sh(["apt-get", "install", "-y", "-qq", "--no-install-recommends", *packages], env=env,
           stdout=subprocess.DEVNULL)
    finally:
        if made_rc:
            os.remove(rc)


def need_module(module: str, install: bool):
    try:
        return __import__(module)
    except ImportError:
        if not install:
            sys.exit(f"{module} is not installed (run with --install)")
        pip_install(module)
        return __import__(module)


def pg_bin(install: bool) -> str:
    def find():
        for c in sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), reverse=True):
            return os.path.dirname(c)
        w = shutil.which("initdb")
        return os.path.dirname(w) if w else None

    found = find()
    if found is None or shutil.which("psql") is None:
        if not install:
            sys.exit("PostgreSQL is not installed (run with --install)")
        apt_install("postgresql", "postgresql-client")
        found = find()
    if found is None:
        sys.exit("PostgreSQL could not be installed")
    return found


def need_java(install: bool) -> None:
    if shutil.which("java") is None:
        if not install:
            sys.exit("Java is not installed (run with --install)")
        apt_install("openjdk-17-jre-headless")
    if shutil.which("java") is None:
        sys.exit("Java could not be installed")


# ---------------------------------------------------------------- engines


class DuckDB:
    name = "duckdb"

    def __init__(self, install: bool):
        duckdb = need_module("duckdb", install)
        self.con = duckdb.connect()
        self.con.execute("SET threads = 2")

    def load(self, prefix: str, data: str, typed: bool = False, view: bool = False) -> None:
        for t in TABLES:
            path = os.path.join(data, f"{t}.csv")
            if not os.path.exists(path):
                continue
            cols = read_header(path)
            types = {c: (TYPES[t].get(c, "VARCHAR") if typed else "VARCHAR") for c in cols}
            spec = ", ".join(f"'{c}': '{ty}'" for c, ty in types.items())
            source = path.replace("'", "''")
            kind = "VIEW" if view else "TABLE"
            self.con.execute(
                f"CREATE OR REPLACE {kind} \"{table_name(prefix, t)}\" AS SELECT * FROM read_csv('{source}', "
                f"header = true, columns = {{{spec}}}, timestampformat = '%Y-%m-%d %H:%M')"
            )

    def query(self, sql: str):
        cur = self.con.execute(sql.rstrip().rstrip(";"))
        header = [d[0] for d in cur.description]
        return header, cur.fetchall()

    def close(self):
        self.con.close()


class Postgres:
    name = "postgres"

    def __init__(self, install: bool):
        bindir = pg_bin(install)
        self.tmp = tempfile.mkdtemp(prefix="caredesk-pg-")
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        run_as: list[str] = []
        if os.geteuid() == 0:  # the server refuses to run as root
            user = "postgres"
            try:
                import pwd

                pw = pwd.getpwnam(user)
            except KeyError:
                sh(["useradd", "--system", "--no-create-home", user])
                import pwd

                pw = pwd.getpwnam(user)
            os.chown(self.tmp, pw.pw_uid, pw.pw_gid)
            run_as = ["runuser", "-u", user, "--"]
        data = os.path.join(self.tmp, "data")
        sh([*run_as, os.path.join(bindir, "initdb"), "-D", data, "-A", "trust", "-U", "caredesk",
            "-E", "UTF8", "--locale=C"], stdout=subprocess.DEVNULL)
        sh([*run_as, os.path.join(bindir, "pg_ctl"), "-D", data, "-l", os.path.join(self.tmp, "log"), "-w",
            "-o", f"-p {self.port} -k {self.tmp} -c listen_addresses=127.0.0.1 -c fsync=off", "start"],
           stdout=subprocess.DEVNULL)
        self.stop_cmd = [*run_as, os.path.join(bindir, "pg_ctl"), "-D", data, "-m", "fast", "-w", "stop"]
        log(f"postgres: own cluster on 127.0.0.1:{self.port} in {self.tmp}")

    def psql(self, script: str) -> bytes:
        p = subprocess.run(
            ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p", str(self.port),
             "-U", "caredesk", "-d", "postgres", "-f", "-"],
            input=script.encode(), capture_output=True)
        if p.returncode != 0:
            raise RuntimeError(p.stderr.decode(errors="replace"))
        return p.stdout

    def load(self, prefix: str, data: str, typed: bool = False, view: bool = False) -> None:
        script = []
        for t in TABLES:
            path = os.path.join(data, f"{t}.csv")
            if not os.path.exists(path):
                continue
            cols = read_header(path)
            name = f'"{table_name(prefix, t)}"'
            defs = ", ".join(f'"{c}" {TYPES[t].get(c, "TEXT") if typed else "TEXT"}' for c in cols)
            script.append(f"DROP TABLE IF EXISTS {name}; CREATE TABLE {name} ({defs});")
            script.append(f"\\copy {name} FROM '{path}' WITH (FORMAT csv, HEADER true, ENCODING 'UTF8')")
        self.psql("\n".join(script) + "\n")

    def query(self, sql: str):
        body = sql.rstrip().rstrip(";")
        out = self.psql(f"COPY (\n{body}\n) TO STDOUT WITH (FORMAT csv, HEADER true);\n")
        rows = list(csv.reader(io.StringIO(out.decode("utf-8"), newline="")))
        return rows[0], rows[1:]

    def close(self):
        subprocess.run(self.stop_cmd, stdout=subprocess.DEVNULL)
        shutil.rmtree(self.tmp, ignore_errors=True)


class Spark:
    name = "spark"

    def __init__(self, install: bool):
        need_java(install)
        need_module("pyspark", install)
        from pyspark.sql import SparkSession

        self.spark = (
            SparkSession.builder.master("local[2]")
            .appName("caredesk-sql-check")
            .config("spark.ui.enabled", "false")
            .config("spark.ui.showConsoleProgress", "false")
            .config("spark.sql.shuffle.partitions", "4")
            .config("spark.sql.session.timeZone", "UTC")
            .config("spark.driver.memory", "2g")
            .getOrCreate()
        )
        self.spark.sparkContext.setLogLevel("ERROR")

    def load(self, prefix: str, data: str, typed: bool = False, view: bool = False) -> None:
        for t in TABLES:
            path = os.path.join(data, f"{t}.csv")
            if not os.path.exists(path):
                continue
            df = self.spark.read.csv(path, header=True, multiLine=True, encoding="UTF-8", escape='"')
            if typed:
                for c, ty in TYPES[t].items():
                    if c in df.columns:
                        df = df.withColumn(c, df[c].cast(ty.replace("TIMESTAMP", "TIMESTAMP_NTZ")))
            df.createOrReplaceTempView(table_name(prefix, t))

    def query(self, sql: str):
        df = self.spark.sql(sql.rstrip().rstrip(";"))
        return df.columns, [tuple(r) for r in df.collect()]

    def close(self):
        self.spark.stop()


ENGINES = {"duckdb": DuckDB, "postgres": Postgres, "spark": Spark}


# ---------------------------------------------------------------- the cases


def caredesk(bin_: str, args: list[str]) -> bytes:
    p = subprocess.run([bin_, *args], cwd=ROOT, capture_output=True)
    if p.returncode != 0:
        raise RuntimeError(f"caredesk {' '.join(args)}: exit {p.returncode}\n{p.stderr.decode(errors='replace')}")
    return p.stdout


def skipping(policy: str, tmp: str) -> str:
    """A copy of `policy` with validation.unknown_customer = "skip"."""
    text = open(os.path.join(ROOT, policy), encoding="utf-8").read()
    if re.search(r"^\s*unknown_customer\s*=", text, re.M):
        text = re.sub(r'^(\s*unknown_customer\s*=\s*)"\w+"', r'\1"skip"', text, flags=re.M)
    elif re.search(r"^\[validation\]", text, re.M):
        text = re.sub(r"^\[validation\]\s*$", '[validation]\nunknown_customer = "skip"', text, count=1, flags=re.M)
    else:
        text = '[validation]\nunknown_customer = "skip"\n\n' + text
    out = os.path.join(tmp, "skip-" + os.path.basename(policy))
    with open(out, "w", encoding="utf-8") as f:
        f.write(text)
    return out


def reports(as_of: str, month_from: str, month_to: str):
    """(label, native args, sql args) of every report compared."""
    yield "tiers", ["tiers"], ["tiers"]
    yield "summary", ["tiers", "--summary"], ["summary"]
    yield "kpi", ["kpi"], ["kpi"]
    yield "kpi --by owner", ["kpi", "--by", "owner"], ["kpi", "--by", "owner"]
    yield "kpi --by store", ["kpi", "--by", "store"], ["kpi", "--by", "store"]
    span = ["--from", month_from, "--to", month_to]
    yield f"kpi --by month {month_from}..{month_to}", ["kpi", "--by", "month", *span], ["kpi", "--by", "month", *span]


def data_sets(tmp: str, big: str | None, only: list[str]):
    """(name, directory, as-of dates, kpi month span, load typed too)."""
    sets = [
        ("sample", "data", [AS_OF], ("2026-06-01", "2026-10-31"), True),
        ("edge", "tests/fixtures/edge", [AS_OF], ("2026-09-01", "2026-11-22"), False),
        ("sqledge", "tests/fixtures/sql", ["2026-03-31", "2028-02-29"], ("2026-01-01", "2026-03-31"), True),
    ]
    sets = [s for s in sets if s[0] in only]
    if "gen100k" not in only:
        return sets
    gen = big or os.path.join(tmp, "gen100k")
    if big is None:
        log("generating the 100k-order set (scripts/gen_data.py)")
        sh([sys.executable, os.path.join(ROOT, "scripts", "gen_data.py"), "--customers", "10000",
            "--orders", "100000", "--out", gen])
    sets.append(("gen100k", gen, [AS_OF], ("2026-05-01", "2026-10-31"), False))
    return sets


def with_row_numbers(data: str, out: str) -> str:
    """A copy of the data set whose customers table has `_row`, the file's row order."""
    os.makedirs(out, exist_ok=True)
    for t in TABLES:
        src = os.path.join(data, f"{t}.csv")
        if not os.path.exists(src):
            continue
        if t != "customers":
            shutil.copy(src, os.path.join(out, f"{t}.csv"))
            continue
        with open(src, newline="", encoding="utf-8-sig") as f, \
                open(os.path.join(out, f"{t}.csv"), "w", newline="", encoding="utf-8") as g:
            w = csv.writer(g, lineterminator="\n")
            for i, row in enumerate(csv.reader(f)):
                w.writerow([*row, "_row" if i == 0 else str(i)])
    return out


def policies() -> list[str]:
    return ["config/policy.toml", *sorted(os.path.relpath(p, ROOT) for p in glob.glob(os.path.join(ROOT, "examples", "*.toml")))]


def left_out(sql: str) -> set[str]:
    """The KPIs a compiled scorecard leaves out (its header's `-- Left out: a, b` line)."""
    m = re.search(r"^-- Left out: (.*)$", sql, re.M)
    return {k.strip() for k in m.group(1).split(",")} if m else set()


def without_kpis(native: bytes, kpis: set[str]) -> bytes:
    """caredesk's scorecard CSV without the rows of `kpis` (the SQL leaves them out)."""
    if not kpis:
        return native
    lines = native.decode().splitlines(keepends=True)
    kept = [lines[0]] + [l for l in lines[1:] if next(csv.reader([l]))[1] not in kpis]
    return "".join(kept).encode()


def diff(want: bytes, got: bytes) -> str:
    lines = list(difflib.unified_diff(want.decode(errors="replace").splitlines(),
                                      got.decode(errors="replace").splitlines(),
                                      "caredesk", "sql", lineterm="", n=1))
    return "\n".join(lines[:12])


def check(args) -> int:
    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    for e in engines:
        if e not in ENGINES:
            sys.exit(f"unknown engine {e!r}; expected {', '.join(ENGINES)}")
    bin_ = args.bin or os.path.join(ROOT, "target", "debug", "caredesk")
    if not os.path.exists(bin_):
        sh(["cargo", "build", "--quiet"], cwd=ROOT)
    started = time.time()
    tmp = tempfile.mkdtemp(prefix="caredesk-sql-")
    passed = failed = 0
    try:
        sets = data_sets(tmp, args.big, args.sets.split(","))
        # Native answers and the SQL first: the engines then run one after another.
        cases = []  # (label, prefix, native csv, {dialect: sql})
        for name, data, as_ofs, (mfrom, mto), typed in sets:
            for policy in policies():
                pol = policy
                if name == "edge" and "unknown_customer = \"skip\"" not in open(os.path.join(ROOT, policy)).read():
                    pol = skipping(policy, tmp)
                for as_of in as_ofs:
                    for label, native, sql in reports(as_of, mfrom, mto):
                        common = ["--policy", pol, "--as-of", as_of]
                        want = caredesk(bin_, [*native, "--data", data, *common, "--format", "csv"])
                        # The text tables keep the file's order in _row; the typed ones do not,
                        # so their ties come by customer_id.
                        for prefix in [name, *([f"{name}_typed"] if typed else [])]:
                            tables = ["--customers-table", f"{prefix}_customers", "--orders-table",
                                      f"{prefix}_orders", "--complaints-table", f"{prefix}_complaints"]
                            if prefix == name:
                                tables += ["--customers-order", "_row"]
                            case = f"{prefix} {policy} --as-of {as_of}: {label}"
                            if label.startswith("kpi") and policy in REFUSED_KPI:
                                # Refused plainly, naming why; nothing to run.
                                try:
                                    caredesk(bin_, ["sql", *sql, "--dialect", engines[0], *tables, *common])
                                    log(f"FAIL: {case}: compiled, but should be refused")
                                    failed += 1
                                except RuntimeError as ex:
                                    if REFUSED_KPI[policy] in str(ex):
                                        passed += 1
                                    else:
                                        log(f"FAIL: {case}: refused without saying why: {ex}")
                                        failed += 1
                                continue
                            queries = {e: caredesk(bin_, ["sql", *sql, "--dialect", e, *tables, *common]).decode()
                                       for e in engines}
                            kpis = left_out(next(iter(queries.values())))
                            cases.append((case, prefix, without_kpis(want, kpis), queries))
        log(f"{len(cases)} cases, native answers in {time.time() - started:.0f} s")
        for e in engines:
            t0 = time.time()
            engine = ENGINES[e](args.install)
            try:
                for name, data, _, _, typed in sets:
                    engine.load(name, with_row_numbers(os.path.join(ROOT, data), os.path.join(tmp, "tables", name)))
                    if typed:
                        engine.load(f"{name}_typed", os.path.join(ROOT, data), typed=True)
                # Queries that differ only in their comments run once.
                seen: dict[str, bytes] = {}
                for label, _, want, queries in cases:
                    sql = queries[e]
                    key = "\n".join(line for line in sql.splitlines() if not line.lstrip().startswith("--"))
                    try:
                        if key not in seen:
                            header, rows = engine.query(sql)
                            seen[key] = caredesk_csv(header, rows)
                        got = seen[key]
                    except Exception as ex:  # a query the engine refuses is a failure
                        got = f"ERROR: {ex}".encode()
                    if got == want:
                        passed += 1
                    else:
                        failed += 1
                        log(f"FAIL {e}: {label}\n{diff(want, got)}")
                log(f"{e}: {len(seen)} distinct queries in {time.time() - t0:.0f} s")
            finally:
                engine.close()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"sql: {passed} passed, {failed} failed")
    return 1 if failed else 0


def run_one(args) -> int:
    """One query file on one engine, over the CSV files of --data as the tables customers,
    orders and complaints (text columns; DuckDB reads the files in the query itself)."""
    sql = open(args.query, encoding="utf-8").read() if args.query != "-" else sys.stdin.read()
    engine = ENGINES[args.engine](args.install)
    try:
        t0 = time.perf_counter()
        engine.load("", os.path.abspath(args.data), view=True)
        if args.engine == "duckdb" and args.out:
            # DuckDB writes the file itself (its CSV quotes as caredesk's does), so the time
            # is DuckDB's, not Python's.
            target = os.path.abspath(args.out).replace("'", "''")
            engine.con.execute(f"COPY ({sql.rstrip().rstrip(';')}) TO '{target}' (FORMAT csv, HEADER true)")
            log(f"duckdb: {time.perf_counter() - t0:.2f} s")
            return 0
        header, rows = engine.query(sql)
        out = caredesk_csv(header, rows)
        if args.out:
            with open(args.out, "wb") as f:
                f.write(out)
        else:
            sys.stdout.buffer.write(out)
        log(f"{args.engine}: {len(rows)} rows in {time.perf_counter() - t0:.2f} s")
    finally:
        engine.close()
    return 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="command")
    ap.add_argument("--engines", default="duckdb,postgres,spark")
    ap.add_argument("--install", action="store_true", help="install missing engines (pip, apt-get)")
    ap.add_argument("--bin", help="the caredesk binary (default target/debug/caredesk)")
    ap.add_argument("--big", help="use this data directory as the 100k set instead of generating one")
    ap.add_argument("--sets", default="sample,edge,sqledge,gen100k", help="the data sets to check")
    one = sub.add_parser("run", help="run one query file on one engine over a data directory; print CSV")
    one.add_argument("--engine", choices=ENGINES, required=True)
    one.add_argument("--data", default="data")
    one.add_argument("--install", action="store_true")
    one.add_argument("--out", help="write the CSV here instead of stdout")
    one.add_argument("query", help="the .sql file (- for stdin)")
    args = ap.parse_args()
    return run_one(args) if args.command == "run" else check(args)


if __name__ == "__main__":
    sys.exit(main())
