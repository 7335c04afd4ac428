"""Benchmark of the follow-up component (issue 4): the full v1 indicator set for one year,
Akta against a hand-written DuckDB query over the same data exported to Parquet.

    # medium on SQLite
    .venv/bin/akta synth --size medium --seed 4 --out /tmp/medium4
    AKTA_DATA_DIR=/tmp/bench-fu .venv/bin/akta migrate && AKTA_DATA_DIR=/tmp/bench-fu .venv/bin/akta import /tmp/medium4
    AKTA_DATA_DIR=/tmp/bench-fu .venv/bin/python bench/bench_followup.py --year 2024

    # large on PostgreSQL (migrated: the follow-up's covering index, akta migrate followup)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/akta_bench_large .venv/bin/python bench/bench_followup.py --year 2024

The events, cases and persons are first exported to Parquet (timed separately). Then, in
``--repeat`` rounds, Akta and DuckDB each compute the nine v1 indicators (spec/exchange-v1.md
§4) for the year, as-of indicators at 31 December, alternately so that both meet the same
machine load; the best round of each (and the first, the process's cold one) is reported.

Akta: ``akta.followup.services.compute_many``, from fresh database connections, timed as the
wall time of the whole set. On PostgreSQL it runs the indicators on two parallel connections
(``AKTA_FOLLOWUP_WORKERS``), on SQLite one after the other; DuckDB also uses every core (its
default), so both sides get the same machine. DuckDB: one hand-written script over the
Parquet files (effective events, then the nine indicators); its results are compared with
Akta's, cell by cell, so the ratio compares two computations of the same numbers.

Finally each indicator is timed alone with ``compute`` (sequentially, one connection; best of
``--repeat``): that table shows where the time goes, and its tables must equal
``compute_many``'s. Needs ``duckdb`` and ``pyarrow`` (bench only).
"""
import argparse
import datetime as dt
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "akta.settings")

V1 = ("cases_opened", "cases_active", "persons_active", "aktualiseringar", "forhandsbedomning_14d",
      "utredningar_open", "utredningar_closed", "evb_waiting", "kkik_u31462")
AS_OF = {"utredningar_open", "evb_waiting"}


def params(ind, year):
    return {"as_of": f"{year}-12-31"} if ind in AS_OF else {"year": year}


def run_akta(year):
    """The v1 set with compute_many: (wall seconds, {indicator: Table})."""
    from django.db import connection

    from akta.followup.services import compute_many

    connection.close()  # a fresh connection: no warm statement cache from an earlier run
    t0 = time.perf_counter()
    tables = compute_many({ind: (ind, params(ind, year)) for ind in V1})
    return time.perf_counter() - t0, tables


def run_akta_each(year):
    """Each v1 indicator alone with compute, one after the other: ({indicator: seconds}, tables)."""
    from django.db import connection

    from akta.followup.services import compute

    connection.close()
    times, tables = {}, {}
    for ind in V1:
        t0 = time.perf_counter()
        tables[ind] = compute(ind, **params(ind, year))
        times[ind] = time.perf_counter() - t0
    return times, tables


# --- Parquet export --------------------------------------------------------------------------------

EVENT_COLS = ("id", "case_id", "type", "date", "recorded_at", "corrects_id", "voided", "aktualisering_id",
              "utredning_id", "beslut_id", "kind", "outcome", "legal_basis", "intervention", "until")


def export_parquet(out: Path):
    import pyarrow as pa
    import pyarrow.parquet as pq
    from django.db import connection

    def dump(sql, names, types, path):
        with connection.cursor() as cur:
            cur.execute(sql)
            writer = None
            while True:
                rows = cur.fetchmany(200_000)
                if not rows:
                    break
                cols = list(zip(*rows))
                arrays = []
                for name, typ, col in zip(names, types, cols):
                    if typ == pa.timestamp("us", tz="UTC"):
                        col = [v if v is None or getattr(v, "tzinfo", None) else (v.replace(tzinfo=dt.UTC) if isinstance(v, dt.datetime) else dt.datetime.fromisoformat(v).replace(tzinfo=dt.UTC)) for v in col]
                    if typ == pa.date32():
                        col = [dt.date.fromisoformat(v) if isinstance(v, str) else v for v in col]
                    if typ == pa.bool_():
                        col = [bool(v) if v is not None else None for v in col]
                    arrays.append(pa.array(col, type=typ))
                table = pa.Table.from_arrays(arrays, names=list(names))
                if writer is None:
                    writer = pq.ParquetWriter(path, table.schema)
                writer.write_table(table)
            if writer is None:
                pq.write_table(pa.Table.from_arrays([pa.array([], type=t) for t in types], names=list(names)), path)
            else:
                writer.close()

    i64, s, d = pa.int64(), pa.string(), pa.date32()
    dump("SELECT id, sex, birth_date FROM cases_person", ("id", "sex", "birth_date"), (i64, s, d), out / "persons.parquet")
    dump("SELECT id, person_id, area, case_type, opened FROM cases_case", ("id", "person_id", "area", "case_type", "opened"),
         (i64, i64, s, s, d), out / "cases.parquet")
    dump("SELECT " + ", ".join(EVENT_COLS) + " FROM cases_event", EVENT_COLS,
         (i64, i64, s, d, pa.timestamp("us", tz="UTC"), i64, pa.bool_(), i64, i64, i64, s, s, s, s, d), out / "events.parquet")


# --- DuckDB, hand-written ----------------------------------------------------------------------------

def calendar_tables(year):
    """The lag (1930:173) dates both implementations use (law data, computed once in Python)."""
    from akta.followup.indicators import (
        due_table,
        first_start_due_on_or_after,
        first_start_not_passed,
    )
    from akta.law import services as law

    start = dt.date(year, 1, 1)
    fb = due_table("forhandsbedomning_14d", start - dt.timedelta(days=40), dt.date(year, 12, 31))
    k12 = []
    d = start
    while d <= dt.date(year, 6, 30):
        k12.append((d, law.add_period(d, months=12)))
        d += dt.timedelta(days=1)
    end = dt.date(year, 12, 31)
    t = {"t4m": first_start_due_on_or_after("utredning_4m", end)}
    for m in (3, 6, 9, 12):
        t[f"t{m}"] = first_start_not_passed(m, end)
    return fb, k12, t


DUCK_SQL = r"""
CREATE OR REPLACE TEMP TABLE eff AS
WITH c AS (SELECT *, row_number() OVER (PARTITION BY corrects_id ORDER BY recorded_at DESC, id DESC) AS rn
           FROM ev WHERE corrects_id IS NOT NULL)
SELECT o.id, o.case_id, o.type,
       CASE WHEN c.id IS NULL THEN o.date ELSE c.date END AS date,
       CASE WHEN c.id IS NULL THEN o.aktualisering_id ELSE c.aktualisering_id END AS aktualisering_id,
       CASE WHEN c.id IS NULL THEN o.utredning_id ELSE c.utredning_id END AS utredning_id,
       CASE WHEN c.id IS NULL THEN o.beslut_id ELSE c.beslut_id END AS beslut_id,
       CASE WHEN c.id IS NULL THEN o.kind ELSE c.kind END AS kind,
       CASE WHEN c.id IS NULL THEN o.outcome ELSE c.outcome END AS outcome,
       CASE WHEN c.id IS NULL THEN o.legal_basis ELSE c.legal_basis END AS legal_basis,
       CASE WHEN c.id IS NULL THEN o.until ELSE c.until END AS until
FROM ev o LEFT JOIN c ON c.corrects_id = o.id AND c.rn = 1
WHERE o.corrects_id IS NULL AND (c.id IS NULL OR NOT c.voided);

CREATE OR REPLACE TEMP TABLE kp AS SELECT k.id, k.person_id, k.area, k.case_type, k.opened, p.sex, p.birth_date
FROM cs k JOIN ps p ON p.id = k.person_id;

-- cases_opened
CREATE OR REPLACE TEMP TABLE r_cases_opened AS
SELECT area, case_type, sex, count(*) AS count FROM kp WHERE opened BETWEEN $start AND $end GROUP BY ALL;

-- cases_active / persons_active
CREATE OR REPLACE TEMP TABLE active AS
WITH last_before AS (
  SELECT case_id, arg_max(type, (date, id)) AS type FROM eff
  WHERE type IN ('aktualisering', 'arende_avslutat') AND date <= $start - INTERVAL 1 DAY GROUP BY case_id),
reopened AS (SELECT DISTINCT case_id FROM eff WHERE type = 'aktualisering' AND date BETWEEN $start AND $end)
SELECT kp.* FROM kp LEFT JOIN last_before lb ON lb.case_id = kp.id LEFT JOIN reopened r ON r.case_id = kp.id
WHERE kp.opened <= $end AND (kp.opened >= $start OR lb.type IS NULL OR lb.type <> 'arende_avslutat' OR r.case_id IS NOT NULL);
CREATE OR REPLACE TEMP TABLE r_cases_active AS SELECT area, case_type, sex, count(*) AS count FROM active GROUP BY ALL;
CREATE OR REPLACE TEMP TABLE r_persons_active AS SELECT area, sex, count(DISTINCT person_id) AS count FROM active GROUP BY ALL;

-- aktualiseringar
CREATE OR REPLACE TEMP TABLE r_aktualiseringar AS
WITH a AS (
  SELECT kp.area, e.kind, kp.sex,
         year(e.date) - year(kp.birth_date) - CASE WHEN strftime(e.date, '%m%d') < strftime(kp.birth_date, '%m%d') THEN 1 ELSE 0 END AS age
  FROM eff e JOIN kp ON kp.id = e.case_id WHERE e.type = 'aktualisering' AND e.date BETWEEN $start AND $end)
SELECT area, kind, CASE WHEN age <= 12 THEN '0-12' WHEN age <= 18 THEN '13-18' WHEN age <= 20 THEN '19-20'
  WHEN age <= 29 THEN '21-29' WHEN age <= 49 THEN '30-49' WHEN age <= 64 THEN '50-64' ELSE '65+' END AS age_band,
  sex, count(*) AS count FROM a GROUP BY ALL;

-- forhandsbedomning_14d
CREATE OR REPLACE TEMP TABLE r_forhandsbedomning_14d AS
SELECT kp.sex, count(*) AS total, count(*) FILTER (WHERE f.date <= cal.due) AS within
FROM eff f JOIN kp ON kp.id = f.case_id
LEFT JOIN eff a ON a.id = f.aktualisering_id AND a.type = 'aktualisering' LEFT JOIN cal14 cal ON cal.s_date = a.date
WHERE f.type = 'forhandsbedomning' AND f.date BETWEEN $start AND $end GROUP BY ALL;

-- utredningar_open
CREATE OR REPLACE TEMP TABLE r_utredningar_open AS
WITH closed AS (SELECT DISTINCT utredning_id FROM eff WHERE type = 'utredning_avslutad' AND date <= $end),
ext AS (SELECT DISTINCT utredning_id FROM eff WHERE type = 'utredning_forlangd' AND date <= $end AND until >= $end)
SELECT kp.sex, count(*) AS total, count(*) FILTER (WHERE u.date >= $t4m) AS within_4m,
       count(*) FILTER (WHERE u.date < $t4m) AS over_4m,
       count(*) FILTER (WHERE u.date < $t4m AND x.utredning_id IS NOT NULL) AS over_4m_extended
FROM eff u JOIN kp ON kp.id = u.case_id LEFT JOIN closed c ON c.utredning_id = u.id LEFT JOIN ext x ON x.utredning_id = u.id
WHERE u.type = 'utredning_inledd' AND u.date <= $end AND c.utredning_id IS NULL GROUP BY ALL;

-- utredningar_closed
CREATE OR REPLACE TEMP TABLE ci AS
SELECT kp.sex, datediff('day', u.date, e.date) AS days FROM eff e JOIN kp ON kp.id = e.case_id
JOIN eff u ON u.id = e.utredning_id AND u.type = 'utredning_inledd'
WHERE e.type = 'utredning_avslutad' AND e.date BETWEEN $start AND $end;
CREATE OR REPLACE TEMP TABLE r_utredningar_closed AS
SELECT sex, CASE WHEN days <= 30 THEN '0-30' WHEN days <= 60 THEN '31-60' WHEN days <= 90 THEN '61-90'
  WHEN days <= 100 THEN '91-100' WHEN days <= 120 THEN '101-120' WHEN days <= 150 THEN '121-150' ELSE '151+' END AS bucket,
  count(*) AS count FROM ci GROUP BY ALL
UNION ALL SELECT sex, 'mean_days', round(avg(days), 1) FROM ci GROUP BY sex
UNION ALL SELECT sex, 'median_days', median(days) FROM ci GROUP BY sex
UNION ALL SELECT 'totalt', 'median_days', median(days) FROM ci;

-- evb_waiting
CREATE OR REPLACE TEMP TABLE r_evb_waiting AS
WITH impl AS (SELECT DISTINCT beslut_id FROM eff WHERE type = 'verkstalld' AND date <= $end),
ended AS (SELECT DISTINCT beslut_id FROM eff WHERE type = 'insats_avslutad' AND date <= $end),
li AS (SELECT beslut_id, arg_max(type, (date, id)) AS type, max(date) FILTER (WHERE type = 'avbrott') AS avbrott
       FROM eff WHERE type IN ('avbrott', 'aterupptagen') AND date <= $end GROUP BY beslut_id),
w AS (SELECT b.case_id, b.legal_basis, CASE WHEN li.type = 'avbrott' THEN li.avbrott ELSE b.date END AS since
      FROM eff b LEFT JOIN impl ON impl.beslut_id = b.id LEFT JOIN ended ON ended.beslut_id = b.id LEFT JOIN li ON li.beslut_id = b.id
      WHERE b.type = 'beslut' AND b.outcome IN ('bifall', 'delvis_bifall') AND (b.legal_basis = 'SoL 4:1' OR b.legal_basis LIKE 'LSS %')
        AND b.date <= $end AND ended.beslut_id IS NULL AND (li.type = 'avbrott' OR impl.beslut_id IS NULL))
SELECT w.legal_basis, kp.sex,
  count(*) FILTER (WHERE since < $t3 AND since >= $t6) AS months_3_6,
  count(*) FILTER (WHERE since < $t6 AND since >= $t9) AS months_6_9,
  count(*) FILTER (WHERE since < $t9 AND since >= $t12) AS months_9_12,
  count(*) FILTER (WHERE since < $t12) AS months_12_plus
FROM w JOIN kp ON kp.id = w.case_id WHERE since < $t3 GROUP BY ALL;

-- kkik_u31462
CREATE OR REPLACE TEMP TABLE r_kkik_u31462 AS
WITH ends AS (SELECT kp.person_id, arg_max(e.date, (e.date, e.id)) AS date FROM eff e JOIN kp ON kp.id = e.case_id
              WHERE kp.area = 'ekonomiskt_bistand' AND e.type IN ('insats_avslutad', 'arende_avslutat')
                AND e.date BETWEEN $start AND $h1end GROUP BY kp.person_id),
ret AS (SELECT kp.person_id, e.date FROM eff e JOIN kp ON kp.id = e.case_id
        WHERE e.type = 'aktualisering' AND kp.area = 'ekonomiskt_bistand'),
ab AS (SELECT n.person_id, bool_or(r.person_id IS NOT NULL) AS b FROM ends n JOIN cal12 c ON c.s_date = n.date
       LEFT JOIN ret r ON r.person_id = n.person_id AND r.date > n.date AND r.date <= c.due GROUP BY n.person_id)
SELECT p.sex, count(*) AS a_ended_h1, count(*) FILTER (WHERE b) AS b_returned_12m FROM ab JOIN ps p ON p.id = ab.person_id GROUP BY ALL;
"""


def run_duck(con, year, cal):
    fb, k12, t = cal
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    subst = {"$start": f"DATE '{start}'", "$end": f"DATE '{end}'", "$h1end": f"DATE '{dt.date(year, 6, 30)}'",
             **{f"${k}": f"DATE '{v}'" for k, v in t.items()}}
    sql = DUCK_SQL
    for k in sorted(subst, key=len, reverse=True):
        sql = sql.replace(k, subst[k])
    con.execute("CREATE OR REPLACE TEMP TABLE cal14 (s_date DATE, due DATE)")
    con.executemany("INSERT INTO cal14 VALUES (?, ?)", fb)
    con.execute("CREATE OR REPLACE TEMP TABLE cal12 (s_date DATE, due DATE)")
    con.executemany("INSERT INTO cal12 VALUES (?, ?)", k12)
    t0 = time.perf_counter()
    con.execute(sql)
    results = {ind: con.execute(f"SELECT * FROM r_{ind}").fetchall() for ind in V1}
    return time.perf_counter() - t0, results


def compare(akta_tables, duck):
    """Cell-by-cell comparison of the parts (kvinna/man/okänt); returns a list of problems."""
    problems = []
    for ind, table in akta_tables.items():
        ind_obj = table.indicator
        keys = [c for c in table.columns if c in ind_obj.key_columns]
        vals = [c for c in table.columns if c in ind_obj.count_columns]
        akta = {}
        for r in table.records():
            key = tuple(str(r[k]) for k in keys)
            if table.key_of([r[c] for c in table.columns]) in table.summary_keys:
                if r["count"] is not None and (r["sex"] != "totalt" or key[-1] == "median_days"):
                    akta[key] = tuple(r[c] for c in vals)
            elif r["sex"] != "totalt" and any(r[c] for c in vals):
                akta[key] = tuple(r[c] for c in vals)
        d = {}
        for row in duck[ind]:
            key = tuple("" if v is None else str(v) for v in row[:len(keys)])
            d[key] = tuple(float(v) if isinstance(v, float) else v for v in row[len(keys):])
        for key in set(akta) | set(d):
            a, b = akta.get(key), d.get(key)
            if (len(key) > 1 and key[1] in ("mean_days", "median_days") and a is not None and b is not None
                    and abs(float(a[0]) - float(b[0])) < 0.051):
                continue
            if a != b and not (a is None and b is not None and not any(b)):
                problems.append(f"{ind} {key}: akta {a} duckdb {b}")
    return problems


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--year", type=int, default=2024)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--parquet-dir", default=None)
    args = ap.parse_args()

    import django

    django.setup()
    import duckdb
    from django.db import connection

    from akta.cases.models import Event

    n_events = Event.objects.count()
    tmp = Path(args.parquet_dir or tempfile.mkdtemp(prefix="akta-parquet-"))
    tmp.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    export_parquet(tmp)
    export_secs = time.perf_counter() - t0
    cal = calendar_tables(args.year)
    akta_runs, duck_runs = [], []
    for _ in range(args.repeat):  # alternately, so that both sides meet the same machine load
        secs, akta_tables = run_akta(args.year)
        akta_runs.append(secs)
        con = duckdb.connect()
        con.execute(f"CREATE VIEW ev AS SELECT * FROM read_parquet('{tmp / 'events.parquet'}')")
        con.execute(f"CREATE VIEW cs AS SELECT * FROM read_parquet('{tmp / 'cases.parquet'}')")
        con.execute(f"CREATE VIEW ps AS SELECT * FROM read_parquet('{tmp / 'persons.parquet'}')")
        secs, duck = run_duck(con, args.year, cal)
        duck_runs.append(secs)
        con.close()
    if not args.parquet_dir:
        shutil.rmtree(tmp)
    per_ind = {}
    for _ in range(args.repeat):
        times, each_tables = run_akta_each(args.year)
        for ind, secs in times.items():
            per_ind[ind] = min(secs, per_ind.get(ind, secs))
    same = all(each_tables[ind].rows == akta_tables[ind].rows for ind in V1)
    problems = compare(akta_tables, duck)
    best_a, best_d = min(akta_runs), min(duck_runs)
    db = connection.vendor
    cmd = " ".join(sys.argv)
    env = " ".join(f"{k}={os.environ[k]}" for k in ("DATABASE_URL", "AKTA_DATA_DIR") if os.environ.get(k))
    print(f"Command: `{env + ' ' if env else ''}.venv/bin/python {cmd}`\n")
    print(f"| database | events | year | Akta v1 set (compute_many), best of {args.repeat} (first) | DuckDB, best of {args.repeat} (first) | Akta/DuckDB | Parquet export | results equal |")
    print("|---|---|---|---|---|---|---|---|")
    print(f"| {db} | {n_events:,} | {args.year} | {best_a:.2f} s ({akta_runs[0]:.2f} s) | {best_d:.2f} s ({duck_runs[0]:.2f} s) | "
          f"{best_a / best_d:.1f}× | {export_secs:.1f} s | {'yes' if not problems else 'NO (' + str(len(problems)) + ')'} |")
    print()
    print(f"Each indicator alone (compute, sequentially, best of {args.repeat}); "
          f"tables equal to compute_many's: {'yes' if same else 'NO'}\n")
    print("| indicator | Akta (s) |")
    print("|---|---|")
    for ind in V1:
        print(f"| {ind} | {per_ind[ind]:.3f} |")
    print(f"| sum | {sum(per_ind.values()):.3f} |")
    if problems:
        print("\nDifferences:", *problems[:30], sep="\n  ")
    return 1 if problems or not same else 0


if __name__ == "__main__":
    sys.exit(main())
