// abm through node-postgres (the `pg` package), as a Node.js application or
// dashboard backend reads it.
//
// Run by test/integration/clients.sh (after `npm ci` here) against a database
// holding the demo's sample CRM and abm, over TCP: PGHOST, PGPORT, PGUSER and
// PGDATABASE.  Every check compares what the driver returns with the same
// numbers computed by plain SQL in the same database and prints "ok - ..." or
// "not ok - ..."; the exit status is 1 if any check failed.
//
//   1. reports: NPS and its margin by industry and quarter, NRR and GRR by
//      industry, quarterly logo churn, with node-postgres's types (number for
//      float8, string for numeric and bigint, the field's dataTypeID);
//   2. states in their text form: nps_state, csat_state, revenue_state,
//      survival_state;
//   3. states in their binary form: the *_send functions' bytea (a Buffer);
//      a binary result column (query config `binary: true`); states sent as
//      binary parameters (a Buffer parameter is bound in binary, so the
//      type's receive function reads the README's golden bytes);
//   4. SQLSTATEs of bad input, as err.code, err.detail and err.hint.
'use strict'

const { Client } = require('pg')

const FLOAT8 = 701
const NUMERIC = 1700
const INT8 = 20

let checks = 0
let failures = 0

function check (ok, what, detail) {
  checks++
  if (ok) {
    console.log(`ok - node: ${what}`)
  } else {
    failures++
    console.log(`not ok - node: ${what}${detail === undefined ? '' : ': ' + detail}`)
  }
}

function close (a, b, rel) {
  if (a === null || b === null) return a === null && b === null
  return Math.abs(a - b) <= Math.max(rel * Math.max(Math.abs(a), Math.abs(b)), 1e-12)
}

const client = new Client() // PGHOST, PGPORT, PGUSER, PGDATABASE

async function q (text, values) {
  return client.query({ text, values, rowMode: 'array' })
}

// --------------------------------------------------------------------------
// shared SQL
// --------------------------------------------------------------------------

const npsByIndustry = (agg) => `
  SELECT a.industry, ${agg}
  FROM nps_responses r JOIN accounts a USING (account_id)
  GROUP BY a.industry ORDER BY a.industry`

const NPS_COUNTS_SQL = npsByIndustry(`
  count(*) FILTER (WHERE r.score <= 6), count(*) FILTER (WHERE r.score BETWEEN 7 AND 8),
  count(*) FILTER (WHERE r.score >= 9)`)

const PAIRS = `
  WITH pairs AS (
    SELECT a.industry, s.mrr AS s, e.mrr AS e,
           EXISTS (SELECT 1 FROM mrr_snapshots x WHERE x.account_id = s.account_id
                   AND x.month < s.month AND x.mrr > 0) AS pb
    FROM mrr_snapshots s
    JOIN mrr_snapshots e ON e.account_id = s.account_id AND e.month = date '2026-06-01'
    JOIN accounts a ON a.account_id = s.account_id
    WHERE s.month = date '2025-06-01')`

const REVENUE_FIELDS = ['starting_accounts', 'new_accounts', 'reactivated_accounts', 'expanded_accounts',
  'contracted_accounts', 'churned_accounts', 'flat_accounts',
  'starting', 'new', 'reactivation', 'expansion', 'contraction', 'churn']

// counts as text (bigint) and amounts as text (numeric), both exact; the
// amounts are normalized to the state's scale, 2, with to_char-free casts
const REVENUE_REF_SQL = PAIRS + `
  SELECT industry,
         count(*) FILTER (WHERE s > 0),
         count(*) FILTER (WHERE s = 0 AND e > 0 AND NOT pb),
         count(*) FILTER (WHERE s = 0 AND e > 0 AND pb),
         count(*) FILTER (WHERE s > 0 AND e > s),
         count(*) FILTER (WHERE s > 0 AND e > 0 AND e < s),
         count(*) FILTER (WHERE s > 0 AND e = 0),
         count(*) FILTER (WHERE s > 0 AND e = s),
         coalesce(sum(s) FILTER (WHERE s > 0), 0)::numeric(20,2),
         coalesce(sum(e) FILTER (WHERE s = 0 AND NOT pb), 0)::numeric(20,2),
         coalesce(sum(e) FILTER (WHERE s = 0 AND pb), 0)::numeric(20,2),
         coalesce(sum(e - s) FILTER (WHERE s > 0 AND e > s), 0)::numeric(20,2),
         coalesce(sum(s - e) FILTER (WHERE s > 0 AND e > 0 AND e < s), 0)::numeric(20,2),
         coalesce(sum(s) FILTER (WHERE s > 0 AND e = 0), 0)::numeric(20,2)
  FROM pairs GROUP BY industry ORDER BY industry`

const LIFETIMES = `
  WITH lifetimes AS (
    SELECT s.account_id, a.size_band,
           coalesce(CASE WHEN bool_and(s.ended_on IS NOT NULL) THEN max(s.ended_on) END, date '2026-06-30')
             - min(s.started_on) AS days,
           bool_and(s.ended_on IS NOT NULL) AS churned
    FROM subscriptions s JOIN accounts a USING (account_id)
    GROUP BY s.account_id, a.size_band)`

const SURVIVAL_REF_SQL = LIFETIMES + `
  SELECT size_band, days, count(*) FILTER (WHERE churned), count(*) FILTER (WHERE NOT churned)
  FROM lifetimes GROUP BY size_band, days ORDER BY size_band, days`

// amounts as exact scaled BigInts: "123.45" at scale 2 -> 12345n
function scaled (text, scale) {
  const m = /^(-?)(\d+)(?:\.(\d+))?$/.exec(text)
  if (!m) throw new Error(`not a decimal: ${text}`)
  const frac = m[3] || ''
  if (frac.length > scale) throw new Error(`${text} has more than ${scale} decimals`)
  const v = BigInt(m[2] + frac.padEnd(scale, '0'))
  return m[1] ? -v : v
}

async function npsReference () {
  const ref = {}
  for (const [ind, d, p, r] of (await q(NPS_COUNTS_SQL)).rows) ref[ind] = [BigInt(d), BigInt(p), BigInt(r)]
  return ref
}

async function revenueReference () {
  const ref = {}
  for (const r of (await q(REVENUE_REF_SQL)).rows) {
    ref[r[0]] = r.slice(1, 8).map(BigInt).concat(r.slice(8).map((a) => scaled(a, 2)))
  }
  return ref
}

async function survivalReference () {
  const ref = {}
  for (const [band, days, ev, cens] of (await q(SURVIVAL_REF_SQL)).rows) {
    (ref[band] = ref[band] || []).push([Number(days), BigInt(ev), BigInt(cens)])
  }
  return ref
}

// deep equality of arrays, objects (any key order), BigInts, numbers and strings
function canonical (v) {
  if (typeof v === 'bigint') return v.toString() + 'n'
  if (Array.isArray(v)) return v.map(canonical)
  if (v !== null && typeof v === 'object' && !(v instanceof Date)) {
    return Object.keys(v).sort().map((k) => [k, canonical(v[k])])
  }
  return v
}
const same = (a, b) => JSON.stringify(canonical(a)) === JSON.stringify(canonical(b))

// --------------------------------------------------------------------------
// 1. reports
// --------------------------------------------------------------------------

async function reportNps () {
  const res = await q(`
    SELECT a.industry, date_trunc('quarter', r.answered_on)::date AS quarter,
           nps(r.score) AS nps, nps_margin(r.score) AS margin, responses(nps_agg(r.score)) AS n
    FROM nps_responses r JOIN accounts a USING (account_id)
    GROUP BY 1, 2 ORDER BY 1, 2`)
  const ref = (await q(`
    SELECT industry, quarter, 100 * (p - d)::float8 / n,
           CASE WHEN n >= 2 THEN 1.959963984540054 * 100
                * sqrt(((p + d)::float8 / n - ((p - d)::float8 / n) ^ 2) / n) END,
           n
    FROM (SELECT a.industry, date_trunc('quarter', r.answered_on)::date AS quarter,
                 count(*) FILTER (WHERE r.score >= 9) AS p, count(*) FILTER (WHERE r.score <= 6) AS d,
                 count(r.score) AS n
          FROM nps_responses r JOIN accounts a USING (account_id) GROUP BY 1, 2) c
    ORDER BY 1, 2`)).rows
  const types = res.fields.map((f) => f.dataTypeID)
  check(types[2] === FLOAT8 && types[3] === FLOAT8 && types[4] === INT8,
    'NPS report: fields are float8, float8, int8', JSON.stringify(types))
  check(res.rows.every((r) => typeof r[2] === 'number' && typeof r[3] === 'number' && typeof r[4] === 'string' &&
    r[1] instanceof Date), 'NPS report: node-postgres gives Date, number, number, string (bigint)')
  check(res.rows.length === ref.length && res.rows.length >= 90,
    `NPS report: one row per industry and quarter (${res.rows.length})`)
  const bad = res.rows.filter((r, i) => {
    const f = ref[i]
    return !f || r[0] !== f[0] || r[1].getTime() !== f[1].getTime() || r[4] !== f[4] ||
      !close(r[2], f[2], 1e-12) || !close(r[3], f[3], 1e-9)
  })
  check(bad.length === 0, 'NPS report: nps and margin by industry and quarter equal count(*) FILTER arithmetic',
    JSON.stringify(bad.slice(0, 2)))
}

async function reportNrrGrr () {
  // a parameterized query, as an API handler issues it
  const res = await q(`
    SELECT a.industry, nrr(s.mrr, e.mrr), grr(s.mrr, e.mrr)
    FROM mrr_snapshots s
    JOIN mrr_snapshots e ON e.account_id = s.account_id AND e.month = $2::date
    JOIN accounts a ON a.account_id = s.account_id
    WHERE s.month = $1::date
    GROUP BY a.industry ORDER BY 2 DESC`, ['2025-06-01', '2026-06-01'])
  const ref = {}
  for (const r of (await q(PAIRS + `
    SELECT industry, sum(e) FILTER (WHERE s > 0) / sum(s) FILTER (WHERE s > 0),
           sum(least(s, e)) FILTER (WHERE s > 0) / sum(s) FILTER (WHERE s > 0)
    FROM pairs GROUP BY industry`)).rows) ref[r[0]] = r
  check(res.fields[1].dataTypeID === NUMERIC && res.fields[2].dataTypeID === NUMERIC,
    'NRR/GRR report: fields are numeric')
  check(res.rows.length === 9 && res.rows.every((r) => typeof r[1] === 'string' && /^\d+\.\d+$/.test(r[1])),
    'NRR/GRR report: 9 industries, numeric as exact decimal strings')
  const bad = res.rows.filter((r) => !ref[r[0]] || r[1] !== ref[r[0]][1] || r[2] !== ref[r[0]][2])
  check(bad.length === 0, 'NRR/GRR report: nrr and grr equal sum() FILTER division digit for digit',
    JSON.stringify(bad.slice(0, 2)))
  check(res.rows.every((r) => Number(r[2]) <= 1 && Number(r[2]) <= Number(r[1])),
    'NRR/GRR report: grr <= 1 and grr <= nrr')
}

async function reportChurn () {
  const customers = `
    WITH customers AS (
      SELECT account_id, min(started_on) AS started,
             CASE WHEN bool_and(ended_on IS NOT NULL) THEN max(ended_on) END AS ended
      FROM subscriptions GROUP BY account_id)`
  const res = await q(customers + `
    SELECT q::date::text AS quarter,
           churn_rate(started, ended, daterange(q::date, (q + interval '3 months')::date)) AS churn,
           customers_at_start(churn_agg(started, ended, daterange(q::date, (q + interval '3 months')::date)))
    FROM customers, generate_series(date '2025-01-01', date '2025-10-01', interval '3 months') q
    GROUP BY q ORDER BY q`)
  const ref = (await q(customers + `,
    c AS (
      SELECT q::date AS lo, (q + interval '3 months')::date AS hi, started, ended FROM customers,
             generate_series(date '2025-01-01', date '2025-10-01', interval '3 months') q)
    SELECT lo::text, count(*) FILTER (WHERE started <= lo AND (ended IS NULL OR lo < ended) AND ended <= hi),
           count(*) FILTER (WHERE started <= lo AND (ended IS NULL OR lo < ended))
    FROM c GROUP BY lo ORDER BY lo`)).rows
  check(res.rows.length === 4 && res.fields[1].dataTypeID === FLOAT8 && res.rows.every((r) => typeof r[1] === 'number'),
    'churn report: 4 quarters, churn_rate a float8 number')
  const bad = res.rows.filter((r, i) => {
    const f = ref[i]
    return !f || r[0] !== f[0] || r[2] !== f[2] || !close(r[1], Number(f[1]) / Number(f[2]), 1e-15)
  })
  check(res.rows.length === ref.length && bad.length === 0,
    'churn report: quarterly churn_rate equals count(*) FILTER churned / active at start', JSON.stringify(bad))
}

// --------------------------------------------------------------------------
// 2. text forms
// --------------------------------------------------------------------------

async function textNps () {
  const ref = await npsReference()
  const got = {}
  let bad
  for (const [ind, text] of (await q(npsByIndustry('nps_agg(r.score)::text'))).rows) {
    const m = /^v2 detractors=(\d+) passives=(\d+) promoters=(\d+)$/.exec(text)
    if (!m) bad = text
    else got[ind] = [BigInt(m[1]), BigInt(m[2]), BigInt(m[3])]
  }
  check(bad === undefined, "nps_state text has the documented form 'v2 detractors=D passives=P promoters=R'", bad)
  check(Object.keys(got).length === 9 && same(got, ref), 'nps_state text counters by industry equal count(*) FILTER')
  // without a cast, an unknown type's text output arrives as a string
  const res = await q('SELECT nps_agg(score) FROM nps_responses')
  check(typeof res.rows[0][0] === 'string' && /^v2 detractors=\d+ passives=\d+ promoters=\d+$/.test(res.rows[0][0]),
    'nps_state column without a cast arrives as its text form', res.rows[0][0])
}

async function textCsat () {
  const [text, sat, n] = (await q(`SELECT csat_agg(score)::text, count(*) FILTER (WHERE score >= 4), count(score)
    FROM csat_responses`)).rows[0]
  check(text === `v2 satisfied=${sat} responses=${n}`,
    "csat_state text 'v2 satisfied=S responses=N' equals count(*) FILTER (score >= 4), count(score)", text)
}

function parseRevenueText (text) {
  const parts = text.split(' ')
  if (parts.length !== 14 || parts[0] !== 'v2') return null
  const vals = []
  for (let i = 1; i < 14; i++) {
    const [k, v] = parts[i].split('=')
    if (k !== REVENUE_FIELDS[i - 1]) return null
    if (i <= 7) {
      if (!/^\d+$/.test(v)) return null
      vals.push(BigInt(v))
    } else {
      if (!/^(0|[1-9]\d*)\.\d\d$/.test(v)) return null // one scale, the inputs': 2
      vals.push(scaled(v, 2))
    }
  }
  return vals
}

async function textRevenue () {
  const ref = await revenueReference()
  const rows = (await q(PAIRS + ' SELECT industry, revenue_agg(s, e, pb)::text FROM pairs GROUP BY 1 ORDER BY 1')).rows
  const bad = rows.filter(([ind, text]) => !same(parseRevenueText(text), ref[ind]))
  check(rows.length === 9 && bad.length === 0, 'revenue_state text: 13 documented fields in order, counts and exact ' +
    'amounts (scale 2) by industry equal count(*)/sum() FILTER', JSON.stringify(bad.slice(0, 1)))
}

function parseSurvivalText (text) {
  const m = /^v2 rows=\[(.*)\]$/.exec(text)
  if (!m) return null
  if (m[1] === '') return []
  return m[1].split(',').map((item) => {
    const f = item.split(':')
    if (f.length !== 3 || !/^\d+(\.\d+)?$/.test(f[0]) || !/^\d+$/.test(f[1]) || !/^\d+$/.test(f[2])) return null
    return [Number(f[0]), BigInt(f[1]), BigInt(f[2])]
  })
}

async function textSurvival () {
  const ref = await survivalReference()
  const got = {}
  for (const [band, text] of (await q(LIFETIMES + ` SELECT size_band, survival_agg(days, churned)::text
      FROM lifetimes GROUP BY 1 ORDER BY 1`)).rows) got[band] = parseSurvivalText(text)
  check(Object.keys(got).length === 3 && same(got, ref),
    "survival_state text 'v2 rows=[time:events:censored,...]' by size band equals GROUP BY days")
  const t = (await q(`SELECT survival_agg(x, c)::text FROM (VALUES (0::float8, false), (365, true), (365, false),
    (730.5, true)) v(x, c)`)).rows[0][0]
  check(t === 'v2 rows=[0:0:1,365:1:1,730.5:1:0]', "survival_state text of README's example rows", t)
}

// --------------------------------------------------------------------------
// 3. binary forms
// --------------------------------------------------------------------------

// README: 02, flags 00, then detractors, passives, promoters as big-endian int64
function decodeNps (b) {
  if (!Buffer.isBuffer(b) || b.length !== 26 || b[0] !== 2 || b[1] !== 0) {
    throw new Error(`nps_state bytes ${Buffer.isBuffer(b) ? b.toString('hex') : typeof b}`)
  }
  return [b.readBigInt64BE(2), b.readBigInt64BE(10), b.readBigInt64BE(18)]
}

// README: 02 00, 7 int64 counts, the money word (bits 0-15 scale, 16-31 width
// in words, the rest 0), then 6 amounts of width two's complement words,
// least significant first, each big-endian
function decodeRevenue (b) {
  if (b[0] !== 2 || b[1] !== 0) throw new Error(`revenue_state header ${b.toString('hex', 0, 2)}`)
  const vals = []
  for (let i = 0; i < 7; i++) vals.push(b.readBigInt64BE(2 + 8 * i))
  const word = b.readBigUInt64BE(58)
  const scale = Number(word & 0xffffn)
  const width = Number((word >> 16n) & 0xffffn)
  if ((word >> 32n) !== 0n || width < 2 || b.length !== 66 + 6 * width * 8) {
    throw new Error(`money word ${word.toString(16)}, length ${b.length}`)
  }
  let pos = 66
  for (let a = 0; a < 6; a++) {
    let v = 0n
    for (let k = 0; k < width; k++, pos += 8) v |= b.readBigUInt64BE(pos) << BigInt(64 * k)
    vals.push(BigInt.asIntN(64 * width, v))
  }
  return { vals, scale, width }
}

// README: 02 00, uint32 row count, then time (IEEE 754 bits), events,
// censored per row, big-endian
function decodeSurvival (b) {
  if (b[0] !== 2 || b[1] !== 0) throw new Error(`survival_state header ${b.toString('hex', 0, 2)}`)
  const n = b.readUInt32BE(2)
  if (b.length !== 6 + 24 * n) throw new Error(`survival_state length ${b.length} for ${n} rows`)
  const rows = []
  for (let i = 0; i < n; i++) {
    rows.push([b.readDoubleBE(6 + 24 * i), b.readBigInt64BE(14 + 24 * i), b.readBigInt64BE(22 + 24 * i)])
  }
  return rows
}

async function binarySend () {
  const npsRef = await npsReference()
  const nps = {}
  for (const [ind, b] of (await q(npsByIndustry('nps_state_send(nps_agg(r.score))'))).rows) nps[ind] = decodeNps(b)
  check(Object.keys(nps).length === 9 && same(nps, npsRef),
    'nps_state_send() by industry: 02 00 + three big-endian int64 equal count(*) FILTER')

  const revRef = await revenueReference()
  let bad
  const rev = (await q(PAIRS + ' SELECT industry, revenue_state_send(revenue_agg(s, e, pb)) FROM pairs GROUP BY 1')).rows
  for (const [ind, b] of rev) {
    const r = decodeRevenue(b)
    if (!same(r.vals, revRef[ind]) || r.scale !== 2 || r.width !== 2) bad = `${ind}: ${b.toString('hex')}`
  }
  check(rev.length === 9 && bad === undefined, 'revenue_state_send() by industry: counts, money word (scale 2, ' +
    'width 2) and 128-bit amounts equal count(*)/sum() FILTER', bad)

  const survRef = await survivalReference()
  const surv = {}
  for (const [band, b] of (await q(LIFETIMES + ` SELECT size_band, survival_state_send(survival_agg(days, churned))
      FROM lifetimes GROUP BY 1`)).rows) surv[band] = decodeSurvival(b)
  check(Object.keys(surv).length === 3 && same(surv, survRef), 'survival_state_send() by size band: row count, ' +
    'IEEE time, events, censored equal GROUP BY days')
}

async function binaryResultColumn () {
  // node-postgres decodes every DataRow field as UTF-8 before handing a binary
  // field to the type parser (pg-protocol's parser), so only bytes below 0x80
  // survive `binary: true`: one account's answers keep every byte of the
  // state below 0x80.  The state's own binary output is still what arrives.
  const acct = (await q(`SELECT account_id FROM nps_responses GROUP BY 1
    HAVING count(*) FILTER (WHERE score <= 6) > 0 AND count(*) FILTER (WHERE score >= 9) > 0
       AND count(*) FILTER (WHERE score BETWEEN 7 AND 8) > 0 AND count(*) < 128
    ORDER BY 1 LIMIT 1`)).rows[0][0]
  const res = await client.query({
    text: 'SELECT nps_agg(score) AS st FROM nps_responses WHERE account_id = $1',
    values: [acct],
    binary: true,
    types: { getTypeParser: () => (v) => Buffer.isBuffer(v) ? v : Buffer.from(v, 'latin1') }
  })
  const ref = (await q(`SELECT count(*) FILTER (WHERE score <= 6), count(*) FILTER (WHERE score BETWEEN 7 AND 8),
    count(*) FILTER (WHERE score >= 9), nps_state_send(nps_agg(score)) FROM nps_responses WHERE account_id = $1`,
  [acct])).rows[0]
  const b = res.rows[0].st
  check(res.fields[0].format === 'binary' && Buffer.isBuffer(b) && b.equals(ref[3]),
    `binary result column (binary: true) of nps_state equals nps_state_send() (account ${acct})`,
    Buffer.isBuffer(b) ? b.toString('hex') : String(b))
  check(same(decodeNps(b), ref.slice(0, 3).map(BigInt)), 'binary result column of nps_state decodes to count(*) FILTER')
}

const GOLDEN_V2 = Buffer.from('0200' + '0000000000000003' + '0000000000000005' + '000000000000000c', 'hex')
const GOLDEN_V2_CONF = Buffer.from('0201' + '3feccccccccccccd' + '0000000000000003' + '0000000000000005' +
  '000000000000000c', 'hex')
const GOLDEN_V1 = Buffer.from('01' + '0000000000000003' + '0000000000000005' + '000000000000000c', 'hex')

async function binaryParameters () {
  // a Buffer parameter is bound in binary format: the type's receive function reads it
  const res = await q('SELECT $1::nps_state::text, $2::nps_state::text, $3::nps_state::text, $4::csat_state::text',
    [GOLDEN_V2, GOLDEN_V2_CONF, GOLDEN_V1, Buffer.from('0200' + '0000000000000003' + '0000000000000004', 'hex')])
  check(same(res.rows[0], ['v2 detractors=3 passives=5 promoters=12',
    'v2 detractors=3 passives=5 promoters=12 confidence=0.9', 'v2 detractors=3 passives=5 promoters=12',
    'v2 satisfied=3 responses=4']),
  "README's golden bytes as binary parameters read as nps_state (v2, with confidence 0.9, v1) and csat_state",
  JSON.stringify(res.rows[0]))
  const rt = (await q('SELECT nps_state_send($1::nps_state)', [GOLDEN_V2_CONF])).rows[0][0]
  check(rt.equals(GOLDEN_V2_CONF), 'golden bytes with a confidence round-trip through receive and send', rt.toString('hex'))
  const bad = [
    ['unknown version 03', Buffer.concat([Buffer.from([3]), GOLDEN_V2.subarray(1)]), '22P02'],
    ['truncated', GOLDEN_V2.subarray(0, 25), '22P02'],
    ['trailing byte', Buffer.concat([GOLDEN_V2, Buffer.from([0])]), '22P02'],
    ['negative count', Buffer.from('0200' + 'ffffffffffffffff' + '0000000000000005' + '000000000000000c', 'hex'), '22003']
  ]
  for (const [what, payload, want] of bad) {
    let code = null
    try {
      await q('SELECT $1::nps_state::text', [payload])
    } catch (e) {
      code = e.code
    }
    check(code === want, `a malformed nps_state as a binary parameter (${what}): err.code ${want}`, code)
  }
}

// --------------------------------------------------------------------------
// 4. SQLSTATEs
// --------------------------------------------------------------------------

async function errorOf (text, values) {
  try {
    await q(text, values)
  } catch (e) {
    return e
  }
  return null
}

async function errors () {
  const cases = [
    ['malformed nps_state text', "SELECT 'v2 detractors=garbage'::nps_state", '22P02'],
    ['unknown nps_state version', "SELECT 'v9 detractors=3 passives=5 promoters=12'::nps_state", '22P02'],
    ['negative count in nps_state text', "SELECT 'v2 detractors=-3 passives=5 promoters=12'::nps_state", '22003'],
    ['malformed survival_state text', "SELECT 'v2 rows=[1:x:0]'::survival_state", '22P02'],
    ['unknown lifecycle_stage', "SELECT 'prospect'::lifecycle_stage", '22P02'],
    ['NPS score out of range', 'SELECT nps(score) FROM (VALUES (5), (11)) v(score)', '22003'],
    ['nps_margin confidence 1', 'SELECT nps_margin(score, 1.0) FROM nps_responses', '22023'],
    ['negative MRR', 'SELECT nrr(s, e) FROM (VALUES (-1::numeric, 5::numeric)) v(s, e)', '22003'],
    ['ended before started', `SELECT churn_rate(s, e, daterange('2025-01-01', '2025-04-01'))
      FROM (VALUES (date '2025-02-01', date '2025-01-01')) v(s, e)`, '22000']
  ]
  for (const [what, sql, want] of cases) {
    const e = await errorOf(sql)
    check(e !== null && e.code === want, `${what}: err.code ${want}`, e && e.code)
  }
  let e = await errorOf('SELECT nps($1::int) FROM generate_series(1, 2)', ['12'])
  check(e !== null && e.code === '22003', 'NPS score out of range as a query parameter: err.code 22003', e && e.code)
  e = await errorOf('SELECT nps(score) FROM (VALUES (5), (11)) v(score)')
  check(e !== null && e.message === 'NPS score 11 is out of range 0..10' &&
    e.detail === 'NPS scores are integers from 0 to 10.' && (e.hint || '').startsWith('Map other scales to 0..10'),
  'NPS score out of range: message, detail and hint as the README shows them',
  e && JSON.stringify([e.message, e.detail, e.hint]))
  e = await errorOf("SELECT 'prospect'::lifecycle_stage")
  check(e !== null && (e.detail || '').startsWith('Valid labels, in order: target, aware,'),
    'bad lifecycle_stage: err.detail lists the labels', e && e.detail)
  const ok = (await q('SELECT nps(score) IS NOT NULL FROM nps_responses')).rows[0][0]
  check(ok === true, 'the connection still answers after the errors')
}

async function main () {
  await client.connect()
  const groups = [reportNps, reportNrrGrr, reportChurn, textNps, textCsat, textRevenue, textSurvival,
    binarySend, binaryResultColumn, binaryParameters, errors]
  for (const g of groups) {
    try {
      await g()
    } catch (e) {
      check(false, g.name, e.stack)
    }
  }
  await client.end()
  console.log(`node: ${checks} checks, ${failures} failed`)
  process.exitCode = failures > 0 || checks === 0 ? 1 : 0
}

main().catch((e) => {
  console.log(`not ok - node: ${e.stack}`)
  process.exitCode = 1
})
