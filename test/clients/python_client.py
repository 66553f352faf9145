#!/usr/bin/python3
"""abm through psycopg2, as a Python application or notebook reads it.

Run by test/integration/clients.sh with /usr/bin/python3 (Debian's
python3-psycopg2) against a database holding the demo's sample CRM
(test/demo/crm_data.sql) and abm; connection from PGHOST, PGPORT, PGUSER and
PGDATABASE.  Every check compares what the driver returns with the same
numbers computed by plain SQL in the same database, and prints "ok - ..." or
"not ok - ..."; the exit status is 1 if any check failed.

  1. reports: NPS and its margin by industry and quarter, NRR and GRR by
     industry, quarterly logo churn, typed as float / Decimal / int;
  2. states in their text form (README, "States: text and binary forms"):
     nps_state, csat_state, revenue_state, survival_state;
  3. states in their binary form, read with COPY ... TO STDOUT (FORMAT
     binary) and parsed from the PGCOPY stream, and written with COPY ...
     FROM STDIN (FORMAT binary) from the README's golden bytes;
  4. SQLSTATEs of bad input, as psycopg2's pgcode and diagnostics.
"""

import io
import math
import re
import struct
import sys
import traceback
from decimal import Decimal

import psycopg2
import psycopg2.extensions

FLOAT8_OID = 701
NUMERIC_OID = 1700
INT8_OID = 20

failures = 0
checks = 0


def check(ok, what, detail=""):
    global failures, checks
    checks += 1
    if ok:
        print("ok - python: %s" % what)
    else:
        failures += 1
        print("not ok - python: %s%s" % (what, (": " + detail) if detail else ""))
    sys.stdout.flush()


def guarded(fn):
    """Run one group of checks; an exception is a failed check, not a crash."""
    try:
        fn()
    except Exception as e:  # noqa: BLE001 - any driver or parse error fails the group
        check(False, fn.__name__, "%s: %s" % (type(e).__name__, e))
        traceback.print_exc(file=sys.stdout)


def close(a, b, rel=1e-12):
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(a, b, rel_tol=rel, abs_tol=1e-12)


conn = psycopg2.connect("")  # libpq reads PGHOST, PGPORT, PGUSER, PGDATABASE
conn.autocommit = True


def query(sql, args=None):
    cur = conn.cursor()
    cur.execute(sql, args)
    rows = cur.fetchall()
    types = [d.type_code for d in cur.description]
    cur.close()
    return rows, types


# --------------------------------------------------------------------------
# shared SQL: the rows each state and report is built from
# --------------------------------------------------------------------------

NPS_BY_INDUSTRY = """
    SELECT a.industry, {agg}
    FROM nps_responses r JOIN accounts a USING (account_id)
    GROUP BY a.industry ORDER BY a.industry"""

NPS_COUNTS_SQL = NPS_BY_INDUSTRY.format(agg="""
    count(*) FILTER (WHERE r.score <= 6), count(*) FILTER (WHERE r.score BETWEEN 7 AND 8),
    count(*) FILTER (WHERE r.score >= 9)""")

# the 12-month revenue cohort of README "Revenue retention", with paid_before
# as the README's bridge example has it, so reactivations occur
PAIRS = """
    WITH pairs AS (
      SELECT a.industry, s.mrr AS s, e.mrr AS e,
             EXISTS (SELECT 1 FROM mrr_snapshots x WHERE x.account_id = s.account_id
                     AND x.month < s.month AND x.mrr > 0) AS pb
      FROM mrr_snapshots s
      JOIN mrr_snapshots e ON e.account_id = s.account_id AND e.month = date '2026-06-01'
      JOIN accounts a ON a.account_id = s.account_id
      WHERE s.month = date '2025-06-01')"""

REVENUE_FIELDS = ["starting_accounts", "new_accounts", "reactivated_accounts", "expanded_accounts",
                  "contracted_accounts", "churned_accounts", "flat_accounts",
                  "starting", "new", "reactivation", "expansion", "contraction", "churn"]

REVENUE_REF_SQL = PAIRS + """
    SELECT industry,
           count(*) FILTER (WHERE s > 0),
           count(*) FILTER (WHERE s = 0 AND e > 0 AND NOT pb),
           count(*) FILTER (WHERE s = 0 AND e > 0 AND pb),
           count(*) FILTER (WHERE s > 0 AND e > s),
           count(*) FILTER (WHERE s > 0 AND e > 0 AND e < s),
           count(*) FILTER (WHERE s > 0 AND e = 0),
           count(*) FILTER (WHERE s > 0 AND e = s),
           coalesce(sum(s) FILTER (WHERE s > 0), 0),
           coalesce(sum(e) FILTER (WHERE s = 0 AND NOT pb), 0),
           coalesce(sum(e) FILTER (WHERE s = 0 AND pb), 0),
           coalesce(sum(e - s) FILTER (WHERE s > 0 AND e > s), 0),
           coalesce(sum(s - e) FILTER (WHERE s > 0 AND e > 0 AND e < s), 0),
           coalesce(sum(s) FILTER (WHERE s > 0 AND e = 0), 0)
    FROM pairs GROUP BY industry ORDER BY industry"""

# one lifetime per account (README "Customer lifetimes")
LIFETIMES = """
    WITH lifetimes AS (
      SELECT s.account_id, a.size_band,
             coalesce(CASE WHEN bool_and(s.ended_on IS NOT NULL) THEN max(s.ended_on) END, date '2026-06-30')
               - min(s.started_on) AS days,
             bool_and(s.ended_on IS NOT NULL) AS churned
      FROM subscriptions s JOIN accounts a USING (account_id)
      GROUP BY s.account_id, a.size_band)"""

SURVIVAL_REF_SQL = LIFETIMES + """
    SELECT size_band, days, count(*) FILTER (WHERE churned), count(*) FILTER (WHERE NOT churned)
    FROM lifetimes GROUP BY size_band, days ORDER BY size_band, days"""


def survival_reference():
    rows, _ = query(SURVIVAL_REF_SQL)
    ref = {}
    for band, days, ev, cens in rows:
        ref.setdefault(band, []).append((float(days), ev, cens))
    return ref


def revenue_reference():
    rows, _ = query(REVENUE_REF_SQL)
    return {r[0]: list(r[1:]) for r in rows}


# --------------------------------------------------------------------------
# 1. reports
# --------------------------------------------------------------------------

def report_nps_by_industry_quarter():
    sql = """
        SELECT a.industry, date_trunc('quarter', r.answered_on)::date AS quarter,
               nps(r.score) AS nps, nps_margin(r.score) AS margin, responses(nps_agg(r.score)) AS n
        FROM nps_responses r JOIN accounts a USING (account_id)
        GROUP BY 1, 2 ORDER BY 1, 2"""
    ref_sql = """
        SELECT industry, quarter, 100 * (p - d)::float8 / n,
               CASE WHEN n >= 2 THEN 1.959963984540054 * 100
                    * sqrt(((p + d)::float8 / n - ((p - d)::float8 / n) ^ 2) / n) END,
               n
        FROM (SELECT a.industry, date_trunc('quarter', r.answered_on)::date AS quarter,
                     count(*) FILTER (WHERE r.score >= 9) AS p, count(*) FILTER (WHERE r.score <= 6) AS d,
                     count(r.score) AS n
              FROM nps_responses r JOIN accounts a USING (account_id) GROUP BY 1, 2) c
        ORDER BY 1, 2"""
    rows, types = query(sql)
    ref, _ = query(ref_sql)
    check(types[2:] == [FLOAT8_OID, FLOAT8_OID, INT8_OID],
          "NPS report: nps and nps_margin are float8, responses bigint", repr(types))
    check(all(isinstance(r[2], float) and isinstance(r[3], float) and isinstance(r[4], int) for r in rows),
          "NPS report: psycopg2 returns float, float, int")
    check(len(rows) == len(ref) and len(rows) >= 9 * 10,
          "NPS report: one row per industry and quarter (%d)" % len(rows), "%d vs %d" % (len(rows), len(ref)))
    bad = [(r, f) for r, f in zip(rows, ref)
           if r[0] != f[0] or r[1] != f[1] or r[4] != f[4]
           or not close(r[2], f[2], 1e-12) or not close(r[3], f[3], 1e-9)]
    check(not bad, "NPS report: nps and margin by industry and quarter equal count(*) FILTER arithmetic",
          repr(bad[:2]))


def report_nrr_grr():
    sql = """
        SELECT a.industry, nrr(s.mrr, e.mrr), grr(s.mrr, e.mrr)
        FROM mrr_snapshots s
        JOIN mrr_snapshots e ON e.account_id = s.account_id AND e.month = date '2026-06-01'
        JOIN accounts a ON a.account_id = s.account_id
        WHERE s.month = date '2025-06-01'
        GROUP BY a.industry ORDER BY 2 DESC"""
    ref_sql = PAIRS + """
        SELECT industry, sum(e) FILTER (WHERE s > 0) / sum(s) FILTER (WHERE s > 0),
               sum(least(s, e)) FILTER (WHERE s > 0) / sum(s) FILTER (WHERE s > 0)
        FROM pairs GROUP BY industry"""
    rows, types = query(sql)
    ref = {r[0]: r[1:] for r in query(ref_sql)[0]}
    check(types[1:] == [NUMERIC_OID, NUMERIC_OID], "NRR/GRR report: nrr and grr are numeric", repr(types))
    check(all(isinstance(r[1], Decimal) and isinstance(r[2], Decimal) for r in rows),
          "NRR/GRR report: psycopg2 returns Decimal")
    check(len(rows) == 9 and set(r[0] for r in rows) == set(ref), "NRR/GRR report: one row per industry (9)")
    # digit for digit: the same Decimal, with the same digits and exponent
    bad = [r for r in rows if str(r[1]) != str(ref[r[0]][0]) or str(r[2]) != str(ref[r[0]][1])]
    check(not bad, "NRR/GRR report: nrr and grr equal sum() FILTER division digit for digit", repr(bad[:2]))
    check(all(r[2] <= 1 and r[2] <= r[1] for r in rows), "NRR/GRR report: grr <= 1 and grr <= nrr")
    order = [r[1] for r in rows]
    check(order == sorted(order, reverse=True), "NRR/GRR report: ORDER BY nrr DESC holds on Decimals")


def report_churn():
    sql = """
        WITH customers AS (
          SELECT account_id, min(started_on) AS started,
                 CASE WHEN bool_and(ended_on IS NOT NULL) THEN max(ended_on) END AS ended
          FROM subscriptions GROUP BY account_id)
        SELECT q::date AS quarter,
               churn_rate(started, ended, daterange(q::date, (q + interval '3 months')::date)) AS churn,
               customers_at_start(churn_agg(started, ended, daterange(q::date, (q + interval '3 months')::date)))
        FROM customers, generate_series(date '2025-01-01', date '2025-10-01', interval '3 months') q
        GROUP BY q ORDER BY q"""
    ref_sql = """
        WITH customers AS (
          SELECT account_id, min(started_on) AS started,
                 CASE WHEN bool_and(ended_on IS NOT NULL) THEN max(ended_on) END AS ended
          FROM subscriptions GROUP BY account_id),
        c AS (
          SELECT q::date AS lo, (q + interval '3 months')::date AS hi, started, ended FROM customers,
                 generate_series(date '2025-01-01', date '2025-10-01', interval '3 months') q)
        SELECT lo, count(*) FILTER (WHERE started <= lo AND (ended IS NULL OR lo < ended) AND ended <= hi),
               count(*) FILTER (WHERE started <= lo AND (ended IS NULL OR lo < ended))
        FROM c GROUP BY lo ORDER BY lo"""
    rows, types = query(sql)
    ref, _ = query(ref_sql)
    check(types[1:] == [FLOAT8_OID, INT8_OID], "churn report: churn_rate float8, customers_at_start bigint",
          repr(types))
    check(len(rows) == 4 and all(isinstance(r[1], float) for r in rows), "churn report: 4 quarters of float")
    bad = [(r, f) for r, f in zip(rows, ref)
           if r[0] != f[0] or r[2] != f[2] or not close(r[1], f[1] / f[2], 1e-15)]
    check(len(rows) == len(ref) and not bad,
          "churn report: quarterly churn_rate equals count(*) FILTER churned / active at start", repr(bad[:2]))
    check(all(0 < r[1] < 1 for r in rows), "churn report: every quarter has some churn (a realistic report)")


# --------------------------------------------------------------------------
# 2. text forms
# --------------------------------------------------------------------------

def text_nps_state():
    rows, _ = query(NPS_BY_INDUSTRY.format(agg="nps_agg(r.score)::text"))
    ref = {r[0]: r[1:] for r in query(NPS_COUNTS_SQL)[0]}
    pat = re.compile(r"v2 detractors=(\d+) passives=(\d+) promoters=(\d+)")
    got = {}
    for industry, text in rows:
        m = pat.fullmatch(text)
        check(m is not None, "nps_state text of %s has the documented form" % industry, repr(text))
        if m:
            got[industry] = tuple(int(g) for g in m.groups())
    check(got == ref, "nps_state text counters by industry equal count(*) FILTER", repr((got, ref)))
    # a state read from a table column (the driver sees the type's output)
    rows, _ = query("SELECT nps_agg(score) FROM nps_responses")
    d, p, r = query("SELECT count(*) FILTER (WHERE score <= 6), count(*) FILTER (WHERE score BETWEEN 7 AND 8),"
                    " count(*) FILTER (WHERE score >= 9) FROM nps_responses")[0][0]
    check(rows[0][0] == "v2 detractors=%d passives=%d promoters=%d" % (d, p, r),
          "nps_state column without a cast reads as its text form", repr(rows[0][0]))


def text_csat_state():
    rows, _ = query("SELECT csat_agg(score)::text, count(*) FILTER (WHERE score >= 4), count(score)"
                    " FROM csat_responses")
    text, sat, n = rows[0]
    m = re.fullmatch(r"v2 satisfied=(\d+) responses=(\d+)", text)
    check(m is not None and (int(m.group(1)), int(m.group(2))) == (sat, n),
          "csat_state text 'v2 satisfied=S responses=N' equals count(*) FILTER (score >= 4), count(score)",
          repr((text, sat, n)))


AMOUNT = r"(0|[1-9]\d*)(\.\d+)?"


def parse_revenue_text(text):
    parts = text.split(" ")
    if parts[0] != "v2" or [p.split("=", 1)[0] for p in parts[1:]] != REVENUE_FIELDS:
        return None
    vals = []
    for i, p in enumerate(parts[1:]):
        v = p.split("=", 1)[1]
        if i < 7:
            if not re.fullmatch(r"\d+", v):
                return None
            vals.append(int(v))
        else:
            if not re.fullmatch(AMOUNT, v):
                return None
            vals.append(Decimal(v))
    return vals, parts[8:]


def text_revenue_state():
    rows, _ = query(PAIRS + " SELECT industry, revenue_agg(s, e, pb)::text FROM pairs GROUP BY 1 ORDER BY 1")
    ref = revenue_reference()
    ok_form = ok_vals = ok_scale = True
    detail = ""
    for industry, text in rows:
        parsed = parse_revenue_text(text)
        if parsed is None:
            ok_form = False
            detail = text
            continue
        vals, amounts = parsed
        if vals != ref[industry]:
            ok_vals = False
            detail = "%s: %r vs %r" % (industry, vals, ref[industry])
        # one scale for every amount: the inputs' (numeric(12,2))
        if not all(re.fullmatch(r"[^=]+=\d+\.\d\d", a) for a in amounts):
            ok_scale = False
            detail = text
    check(len(rows) == 9 and ok_form, "revenue_state text has the 13 documented fields in order", detail)
    check(ok_vals and set(r[0] for r in rows) == set(ref),
          "revenue_state text counts and exact amounts by industry equal count(*)/sum() FILTER", detail)
    check(ok_scale, "revenue_state text amounts all carry the inputs' scale (2)", detail)
    # the bridge identity, on the parsed text
    ok = True
    for industry, text in rows:
        v = parse_revenue_text(text)[0]
        ending = query(PAIRS + " SELECT sum(e) FROM pairs WHERE industry = %s", (industry,))[0][0][0]
        if v[7] + v[8] + v[9] + v[10] - v[11] - v[12] != ending:
            ok = False
    check(ok, "revenue_state text: starting + new + reactivation + expansion - contraction - churn = sum(ending)")


def parse_survival_text(text):
    m = re.fullmatch(r"v2 rows=\[(.*)\]", text)
    if not m:
        return None
    rows = []
    if m.group(1) == "":
        return rows
    for item in m.group(1).split(","):
        f = item.split(":")
        if len(f) != 3 or not re.fullmatch(r"\d+(\.\d+)?", f[0]) or not f[1].isdigit() or not f[2].isdigit():
            return None
        rows.append((float(f[0]), int(f[1]), int(f[2])))
    return rows


def text_survival_state():
    rows, _ = query(LIFETIMES + " SELECT size_band, survival_agg(days, churned)::text FROM lifetimes"
                    " GROUP BY 1 ORDER BY 1")
    ref = survival_reference()
    got = {band: parse_survival_text(text) for band, text in rows}
    check(all(v is not None for v in got.values()) and len(got) == 3,
          "survival_state text 'v2 rows=[time:events:censored,...]' by size band", repr(rows)[:200])
    check(got == ref, "survival_state text rows equal GROUP BY days count(*) FILTER (churned / not)",
          "bands %r" % sorted(got))
    check(all(sum(e for _, e, _ in v) > 0 and sum(c for _, _, c in v) > 0 for v in got.values()),
          "survival_state text: every band has churned and censored lifetimes")
    # a fractional time, as the README's example prints it
    t = query("SELECT survival_agg(x, c)::text FROM (VALUES (0::float8, false), (365, true), (365, false),"
              " (730.5, true)) v(x, c)")[0][0][0]
    check(t == "v2 rows=[0:0:1,365:1:1,730.5:1:0]", "survival_state text of README's example rows", t)


# --------------------------------------------------------------------------
# 3. binary forms via COPY
# --------------------------------------------------------------------------

PGCOPY_SIGNATURE = b"PGCOPY\n\xff\r\n\x00"


def copy_out_binary(select):
    buf = io.BytesIO()
    cur = conn.cursor()
    cur.copy_expert("COPY (%s) TO STDOUT (FORMAT binary)" % select, buf)
    cur.close()
    return parse_pgcopy(buf.getvalue())


def parse_pgcopy(data):
    """Rows of a PGCOPY binary stream as lists of bytes (None for NULL)."""
    if data[:11] != PGCOPY_SIGNATURE:
        raise ValueError("no PGCOPY signature")
    flags, ext = struct.unpack_from(">iI", data, 11)
    if flags != 0:
        raise ValueError("PGCOPY flags %d" % flags)
    pos = 19 + ext
    rows = []
    while True:
        (nf,) = struct.unpack_from(">h", data, pos)
        pos += 2
        if nf == -1:
            break
        row = []
        for _ in range(nf):
            (n,) = struct.unpack_from(">i", data, pos)
            pos += 4
            if n == -1:
                row.append(None)
            else:
                row.append(data[pos:pos + n])
                pos += n
        rows.append(row)
    if pos != len(data):
        raise ValueError("%d bytes after the PGCOPY trailer" % (len(data) - pos))
    return rows


def decode_nps_binary(b):
    """README: 02, flags 00, then detractors, passives, promoters as big-endian int64."""
    if len(b) != 26 or b[0] != 2 or b[1] != 0:
        raise ValueError("nps_state bytes %s" % b.hex())
    return struct.unpack(">qqq", b[2:])


def decode_revenue_binary(b):
    """README: 02 00, 7 int64 counts, the money word (bits 0-15 scale, 16-31
    width in words, the rest 0), then 6 amounts of width two's complement
    words, least significant first, each big-endian."""
    if b[0] != 2 or b[1] != 0:
        raise ValueError("revenue_state header %s" % b[:2].hex())
    counts = list(struct.unpack_from(">7q", b, 2))
    (word,) = struct.unpack_from(">Q", b, 58)
    scale, width = word & 0xFFFF, (word >> 16) & 0xFFFF
    if word >> 32 != 0 or width < 2:
        raise ValueError("money word %016x" % word)
    if len(b) != 66 + 6 * width * 8:
        raise ValueError("revenue_state length %d for width %d" % (len(b), width))
    amounts = []
    pos = 66
    for _ in range(6):
        v = 0
        for k in range(width):
            (w,) = struct.unpack_from(">Q", b, pos)
            v |= w << (64 * k)
            pos += 8
        if v >> (64 * width - 1):
            v -= 1 << (64 * width)
        amounts.append(Decimal(v).scaleb(-scale))
    return counts + amounts, scale, width


def decode_survival_binary(b):
    """README: 02 00, a uint32 row count, then per row the time as IEEE 754
    bits, events and censored as int64, all big-endian."""
    if b[0] != 2 or b[1] != 0:
        raise ValueError("survival_state header %s" % b[:2].hex())
    (n,) = struct.unpack_from(">I", b, 2)
    if len(b) != 6 + 24 * n:
        raise ValueError("survival_state length %d for %d rows" % (len(b), n))
    return [struct.unpack_from(">dqq", b, 6 + 24 * i) for i in range(n)]


def binary_nps_state():
    rows = copy_out_binary(NPS_BY_INDUSTRY.format(agg="nps_agg(r.score)"))
    ref = {r[0]: r[1:] for r in query(NPS_COUNTS_SQL)[0]}
    got = {r[0].decode("utf-8"): decode_nps_binary(r[1]) for r in rows}
    check(got == ref, "nps_state by industry via COPY BINARY: 02 00 + three big-endian int64 equal count(*) FILTER",
          repr((got, ref))[:300])
    # the bytes COPY writes are the send function's
    same = query("SELECT nps_state_send(nps_agg(score)) FROM nps_responses")[0][0][0]
    whole = copy_out_binary("SELECT nps_agg(score) FROM nps_responses")[0][0]
    check(bytes(same) == whole, "COPY BINARY bytes of nps_state equal nps_state_send()")


def binary_revenue_state():
    rows = copy_out_binary(PAIRS + " SELECT industry, revenue_agg(s, e, pb) FROM pairs GROUP BY 1 ORDER BY 1")
    ref = revenue_reference()
    ok = True
    detail = ""
    for r in rows:
        industry = r[0].decode("utf-8")
        vals, scale, width = decode_revenue_binary(r[1])
        if vals != ref.get(industry) or scale != 2 or width != 2:
            ok = False
            detail = "%s: %r scale %d width %d vs %r" % (industry, vals, scale, width, ref.get(industry))
    check(len(rows) == 9 and ok,
          "revenue_state by industry via COPY BINARY: counts, money word (scale 2, width 2) and "
          "128-bit amounts equal count(*)/sum() FILTER", detail)
    # the README's worked example: width 2, scale 3, starting = 150000 x 10^-3
    b = copy_out_binary("SELECT 'v2 starting_accounts=2 new_accounts=1 reactivated_accounts=0 expanded_accounts=1 "
                        "contracted_accounts=0 churned_accounts=1 flat_accounts=0 starting=150.000 new=30.125 "
                        "reactivation=0 expansion=10 contraction=0 churn=50.000'::revenue_state")[0][0]
    check(b[58:82].hex() == "0000000000020003" + "00000000000249f0" + "0000000000000000",
          "revenue_state bytes of README's example: money word 00..02 00 03, starting 00..02 49 f0 00..00",
          b[58:82].hex())


def binary_survival_state():
    rows = copy_out_binary(LIFETIMES + " SELECT size_band, survival_agg(days, churned) FROM lifetimes"
                           " GROUP BY 1 ORDER BY 1")
    ref = survival_reference()
    got = {r[0].decode("utf-8"): [tuple(x) for x in decode_survival_binary(r[1])] for r in rows}
    check(len(got) == 3 and got == ref,
          "survival_state by size band via COPY BINARY: row count, IEEE time, events, censored equal GROUP BY days")


def copy_in_binary(typ, payloads):
    """COPY FROM STDIN (FORMAT binary) one column of typ; returns the text of each row."""
    cur = conn.cursor()
    cur.execute("DROP TABLE IF EXISTS pg_temp.copied; CREATE TEMP TABLE copied (i int, st %s)" % typ)
    out = bytearray(PGCOPY_SIGNATURE + struct.pack(">iI", 0, 0))
    for i, p in enumerate(payloads):
        out += struct.pack(">hii", 2, 4, i) + struct.pack(">i", len(p)) + p
    out += struct.pack(">h", -1)
    cur.copy_expert("COPY copied FROM STDIN (FORMAT binary)", io.BytesIO(bytes(out)))
    cur.execute("SELECT st::text FROM copied ORDER BY i")
    rows = [r[0] for r in cur.fetchall()]
    cur.close()
    return rows


GOLDEN_V2 = bytes.fromhex("0200" "0000000000000003" "0000000000000005" "000000000000000c")
GOLDEN_V2_CONF = bytes.fromhex("0201" "3feccccccccccccd" "0000000000000003" "0000000000000005" "000000000000000c")
GOLDEN_V1 = bytes.fromhex("01" "0000000000000003" "0000000000000005" "000000000000000c")


def binary_copy_in():
    got = copy_in_binary("nps_state", [GOLDEN_V2, GOLDEN_V2_CONF, GOLDEN_V1])
    check(got == ["v2 detractors=3 passives=5 promoters=12",
                  "v2 detractors=3 passives=5 promoters=12 confidence=0.9",
                  "v2 detractors=3 passives=5 promoters=12"],
          "COPY FROM STDIN BINARY of README's golden nps_state bytes (v2, v2 with confidence 0.9, v1)", repr(got))
    got = copy_in_binary("csat_state", [bytes.fromhex("0200" "0000000000000003" "0000000000000004")])
    check(got == ["v2 satisfied=3 responses=4"], "COPY FROM STDIN BINARY of csat_state golden bytes", repr(got))


def sqlstate_of_copy_in(typ, payload):
    try:
        copy_in_binary(typ, [payload])
    except psycopg2.Error as e:
        return e.pgcode
    return None


def errors_copy_in():
    cases = [
        ("unknown version 03", "nps_state", bytes.fromhex("03") + GOLDEN_V2[1:], "22P02"),
        ("truncated", "nps_state", GOLDEN_V2[:-1], "22P02"),
        ("trailing byte", "nps_state", GOLDEN_V2 + b"\x00", "22P02"),
        ("negative count", "nps_state", GOLDEN_V2[:2] + struct.pack(">qqq", -1, 5, 12), "22003"),
        ("confidence 1.5", "nps_state", GOLDEN_V2_CONF[:2] + struct.pack(">d", 1.5) + GOLDEN_V2_CONF[10:], "22003"),
    ]
    for what, typ, payload, want in cases:
        got = sqlstate_of_copy_in(typ, payload)
        check(got == want, "COPY BINARY of a malformed %s (%s) is SQLSTATE %s" % (typ, what, want), repr(got))


# --------------------------------------------------------------------------
# 4. SQLSTATEs
# --------------------------------------------------------------------------

def error_of(sql):
    cur = conn.cursor()
    try:
        cur.execute(sql)
        cur.fetchall()
    except psycopg2.Error as e:
        return e
    finally:
        cur.close()
    return None


def errors_sqlstate():
    cases = [
        ("malformed nps_state text", "SELECT 'v2 detractors=garbage'::nps_state", "22P02"),
        ("unknown nps_state version", "SELECT 'v9 detractors=3 passives=5 promoters=12'::nps_state", "22P02"),
        ("negative count in nps_state text", "SELECT 'v2 detractors=-3 passives=5 promoters=12'::nps_state",
         "22003"),
        ("malformed survival_state text", "SELECT 'v2 rows=[1:x:0]'::survival_state", "22P02"),
        ("unknown lifecycle_stage", "SELECT 'prospect'::lifecycle_stage", "22P02"),
        ("NPS score out of range", "SELECT nps(score) FROM (VALUES (5), (11)) v(score)", "22003"),
        ("CSAT score out of range", "SELECT csat(score) FROM (VALUES (0)) v(score)", "22003"),
        ("nps_margin confidence 1", "SELECT nps_margin(score, 1.0) FROM nps_responses", "22023"),
        ("negative MRR", "SELECT nrr(s, e) FROM (VALUES (-1::numeric, 5::numeric)) v(s, e)", "22003"),
        ("ended before started",
         "SELECT churn_rate(s, e, daterange('2025-01-01', '2025-04-01')) FROM (VALUES (date '2025-02-01',"
         " date '2025-01-01')) v(s, e)", "22000"),
    ]
    for what, sql, want in cases:
        e = error_of(sql)
        got = e.pgcode if e is not None else None
        check(got == want, "%s: pgcode %s" % (what, want), repr(got))
    e = error_of("SELECT nps(score) FROM (VALUES (5), (11)) v(score)")
    check(e is not None and e.diag.message_primary == "NPS score 11 is out of range 0..10"
          and e.diag.message_detail == "NPS scores are integers from 0 to 10."
          and (e.diag.message_hint or "").startswith("Map other scales to 0..10"),
          "NPS score out of range: message, detail and hint as the README shows them",
          repr(e and (e.diag.message_primary, e.diag.message_detail, e.diag.message_hint)))
    e = error_of("SELECT 'prospect'::lifecycle_stage")
    check(e is not None and isinstance(e, psycopg2.errors.InvalidTextRepresentation)
          and (e.diag.message_detail or "").startswith("Valid labels, in order: target, aware,"),
          "bad lifecycle_stage: psycopg2 raises InvalidTextRepresentation with the labels in DETAIL",
          repr(e and e.diag.message_detail))
    # the connection is usable after the errors (autocommit: nothing left aborted)
    check(query("SELECT nps(score) IS NOT NULL FROM nps_responses")[0][0][0] is True,
          "the session still answers after the errors")


for group in (report_nps_by_industry_quarter, report_nrr_grr, report_churn,
              text_nps_state, text_csat_state, text_revenue_state, text_survival_state,
              binary_nps_state, binary_revenue_state, binary_survival_state, binary_copy_in, errors_copy_in,
              errors_sqlstate):
    guarded(group)

conn.close()
print("python: %d checks, %d failed" % (checks, failures))
sys.exit(1 if failures or checks == 0 else 0)
