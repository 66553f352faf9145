// abm through PgJDBC (Debian's libpostgresql-jdbc-java), as a Java
// application or a JDBC BI tool reads it.
//
// Run by test/integration/clients.sh (javac into a temporary directory, then
// java -cp DIR:/usr/share/java/postgresql.jar JdbcClient) against a database
// holding the demo's sample CRM and abm, over TCP: PGHOST, PGPORT, PGUSER and
// PGDATABASE.  Every check compares what the driver returns with the same
// numbers computed by plain SQL in the same database and prints "ok - ..." or
// "not ok - ..."; the exit status is 1 if any check failed.
//
//   1. reports: NPS and its margin by industry and quarter, NRR and GRR by
//      industry, quarterly logo churn, with their JDBC types (Double,
//      BigDecimal, Long);
//   2. states in their text form: nps_state, csat_state, revenue_state,
//      survival_state;
//   3. states in their binary form: binary result columns (the driver's
//      binaryTransferEnable for the state types' OIDs, prepareThreshold=-1),
//      CopyManager's COPY ... TO STDOUT (FORMAT binary), the *_send functions,
//      and COPY ... FROM STDIN (FORMAT binary) of the README's golden bytes;
//   4. SQLSTATEs of bad input, as SQLException.getSQLState() and the server
//      message's detail and hint.

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;

public class JdbcClient {
	static int checks = 0;
	static int failures = 0;
	static Connection conn;

	static void check(boolean ok, String what, Object detail) {
		checks++;
		if (ok) {
			System.out.println("ok - jdbc: " + what);
		} else {
			failures++;
			System.out.println("not ok - jdbc: " + what + (detail == null ? "" : ": " + detail));
		}
		System.out.flush();
	}

	static void check(boolean ok, String what) {
		check(ok, what, null);
	}

	interface Group {
		void run() throws Exception;
	}

	static void guarded(String name, Group g) {
		try {
			g.run();
		} catch (Exception e) {
			check(false, name, e.toString());
			e.printStackTrace(System.out);
		}
	}

	static boolean close(Double a, Double b, double rel) {
		if (a == null || b == null)
			return a == null && b == null;
		return Math.abs(a - b) <= Math.max(rel * Math.max(Math.abs(a), Math.abs(b)), 1e-12);
	}

	static List<Object[]> rows(Connection c, String sql) throws SQLException {
		List<Object[]> out = new ArrayList<>();
		try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
			int n = rs.getMetaData().getColumnCount();
			while (rs.next()) {
				Object[] r = new Object[n];
				for (int i = 0; i < n; i++)
					r[i] = rs.getObject(i + 1);
				out.add(r);
			}
		}
		return out;
	}

	static List<Object[]> rows(String sql) throws SQLException {
		return rows(conn, sql);
	}

	// ------------------------------------------------------------------
	// shared SQL
	// ------------------------------------------------------------------

	static final String NPS_BY_INDUSTRY = """
			SELECT a.industry, %s
			FROM nps_responses r JOIN accounts a USING (account_id)
			GROUP BY a.industry ORDER BY a.industry""";

	static final String NPS_COUNTS_SQL = String.format(NPS_BY_INDUSTRY, """
			count(*) FILTER (WHERE r.score <= 6), count(*) FILTER (WHERE r.score BETWEEN 7 AND 8),
			count(*) FILTER (WHERE r.score >= 9)""");

	static final String PAIRS = """
			WITH pairs AS (
			  SELECT a.industry, s.mrr AS s, e.mrr AS e,
			         EXISTS (SELECT 1 FROM mrr_snapshots x WHERE x.account_id = s.account_id
			                 AND x.month < s.month AND x.mrr > 0) AS pb
			  FROM mrr_snapshots s
			  JOIN mrr_snapshots e ON e.account_id = s.account_id AND e.month = date '2026-06-01'
			  JOIN accounts a ON a.account_id = s.account_id
			  WHERE s.month = date '2025-06-01')
			""";

	static final List<String> REVENUE_FIELDS = List.of("starting_accounts", "new_accounts", "reactivated_accounts",
			"expanded_accounts", "contracted_accounts", "churned_accounts", "flat_accounts", "starting", "new",
			"reactivation", "expansion", "contraction", "churn");

	static final String REVENUE_REF_SQL = PAIRS + """
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
			FROM pairs GROUP BY industry ORDER BY industry""";

	static final String LIFETIMES = """
			WITH lifetimes AS (
			  SELECT s.account_id, a.size_band,
			         coalesce(CASE WHEN bool_and(s.ended_on IS NOT NULL) THEN max(s.ended_on) END, date '2026-06-30')
			           - min(s.started_on) AS days,
			         bool_and(s.ended_on IS NOT NULL) AS churned
			  FROM subscriptions s JOIN accounts a USING (account_id)
			  GROUP BY s.account_id, a.size_band)
			""";

	static final String SURVIVAL_REF_SQL = LIFETIMES + """
			SELECT size_band, days, count(*) FILTER (WHERE churned), count(*) FILTER (WHERE NOT churned)
			FROM lifetimes GROUP BY size_band, days ORDER BY size_band, days""";

	/** counts as longs, amounts as BigDecimal, compared with compareTo */
	static boolean sameValues(List<Object> a, List<Object> b) {
		if (a == null || b == null || a.size() != b.size())
			return false;
		for (int i = 0; i < a.size(); i++) {
			Object x = a.get(i), y = b.get(i);
			if (x instanceof BigDecimal bx && y instanceof BigDecimal by) {
				if (bx.compareTo(by) != 0)
					return false;
			} else if (!Objects.equals(x, y))
				return false;
		}
		return true;
	}

	static Map<String, List<Object>> revenueReference() throws SQLException {
		Map<String, List<Object>> ref = new TreeMap<>();
		for (Object[] r : rows(REVENUE_REF_SQL))
			ref.put((String) r[0], new ArrayList<>(Arrays.asList(r).subList(1, r.length)));
		return ref;
	}

	static Map<String, List<Long>> npsReference() throws SQLException {
		Map<String, List<Long>> ref = new TreeMap<>();
		for (Object[] r : rows(NPS_COUNTS_SQL))
			ref.put((String) r[0], List.of((Long) r[1], (Long) r[2], (Long) r[3]));
		return ref;
	}

	/** time, events, censored per row, time as a double */
	static Map<String, List<List<Object>>> survivalReference() throws SQLException {
		Map<String, List<List<Object>>> ref = new TreeMap<>();
		for (Object[] r : rows(SURVIVAL_REF_SQL))
			ref.computeIfAbsent((String) r[0], k -> new ArrayList<>())
					.add(List.of(((Integer) r[1]).doubleValue(), (Long) r[2], (Long) r[3]));
		return ref;
	}

	// ------------------------------------------------------------------
	// 1. reports
	// ------------------------------------------------------------------

	static void reportNps() throws SQLException {
		String sql = """
				SELECT a.industry, date_trunc('quarter', r.answered_on)::date AS quarter,
				       nps(r.score) AS nps, nps_margin(r.score) AS margin, responses(nps_agg(r.score)) AS n
				FROM nps_responses r JOIN accounts a USING (account_id)
				GROUP BY 1, 2 ORDER BY 1, 2""";
		String refSql = """
				SELECT industry, quarter, 100 * (p - d)::float8 / n,
				       CASE WHEN n >= 2 THEN 1.959963984540054 * 100
				            * sqrt(((p + d)::float8 / n - ((p - d)::float8 / n) ^ 2) / n) END,
				       n
				FROM (SELECT a.industry, date_trunc('quarter', r.answered_on)::date AS quarter,
				             count(*) FILTER (WHERE r.score >= 9) AS p, count(*) FILTER (WHERE r.score <= 6) AS d,
				             count(r.score) AS n
				      FROM nps_responses r JOIN accounts a USING (account_id) GROUP BY 1, 2) c
				ORDER BY 1, 2""";
		// a prepared statement, as BI tools issue them
		List<Object[]> got = new ArrayList<>();
		try (PreparedStatement ps = conn.prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
			ResultSetMetaData md = rs.getMetaData();
			check(md.getColumnType(3) == Types.DOUBLE && md.getColumnType(4) == Types.DOUBLE
					&& md.getColumnType(5) == Types.BIGINT && md.getColumnType(2) == Types.DATE,
					"NPS report: metadata says DATE, DOUBLE, DOUBLE, BIGINT",
					md.getColumnTypeName(2) + " " + md.getColumnTypeName(3) + " " + md.getColumnTypeName(5));
			while (rs.next())
				got.add(new Object[] { rs.getString(1), rs.getObject(2), rs.getObject(3), rs.getObject(4),
						rs.getObject(5) });
		}
		List<Object[]> ref = rows(refSql);
		check(got.stream().allMatch(r -> r[1] instanceof java.sql.Date && r[2] instanceof Double
				&& r[3] instanceof Double && r[4] instanceof Long),
				"NPS report: getObject gives java.sql.Date, Double, Double, Long");
		check(got.size() == ref.size() && got.size() >= 90, "NPS report: one row per industry and quarter ("
				+ got.size() + ")", got.size() + " vs " + ref.size());
		String bad = null;
		for (int i = 0; i < Math.min(got.size(), ref.size()); i++) {
			Object[] g = got.get(i), f = ref.get(i);
			if (!g[0].equals(f[0]) || !g[1].equals(f[1]) || !g[4].equals(f[4])
					|| !close((Double) g[2], (Double) f[2], 1e-12) || !close((Double) g[3], (Double) f[3], 1e-9))
				bad = Arrays.toString(g) + " vs " + Arrays.toString(f);
		}
		check(bad == null, "NPS report: nps and margin by industry and quarter equal count(*) FILTER arithmetic",
				bad);
	}

	static void reportNrrGrr() throws SQLException {
		String sql = """
				SELECT a.industry, nrr(s.mrr, e.mrr), grr(s.mrr, e.mrr)
				FROM mrr_snapshots s
				JOIN mrr_snapshots e ON e.account_id = s.account_id AND e.month = date '2026-06-01'
				JOIN accounts a ON a.account_id = s.account_id
				WHERE s.month = ?
				GROUP BY a.industry ORDER BY 2 DESC""";
		String refSql = PAIRS + """
				SELECT industry, sum(e) FILTER (WHERE s > 0) / sum(s) FILTER (WHERE s > 0),
				       sum(least(s, e)) FILTER (WHERE s > 0) / sum(s) FILTER (WHERE s > 0)
				FROM pairs GROUP BY industry""";
		List<Object[]> got = new ArrayList<>();
		try (PreparedStatement ps = conn.prepareStatement(sql)) {
			ps.setObject(1, java.time.LocalDate.of(2025, 6, 1));
			try (ResultSet rs = ps.executeQuery()) {
				ResultSetMetaData md = rs.getMetaData();
				check(md.getColumnType(2) == Types.NUMERIC && md.getColumnType(3) == Types.NUMERIC,
						"NRR/GRR report: metadata says NUMERIC", md.getColumnTypeName(2));
				while (rs.next())
					got.add(new Object[] { rs.getString(1), rs.getObject(2), rs.getBigDecimal(3) });
			}
		}
		Map<String, Object[]> ref = new TreeMap<>();
		for (Object[] r : rows(refSql))
			ref.put((String) r[0], r);
		check(got.size() == 9 && got.stream().allMatch(r -> r[1] instanceof BigDecimal && r[2] instanceof BigDecimal),
				"NRR/GRR report: 9 industries, getObject gives BigDecimal");
		String bad = null;
		for (Object[] g : got) {
			Object[] f = ref.get(g[0]);
			// BigDecimal.equals: the same digits and the same scale
			if (f == null || !g[1].equals(f[1]) || !g[2].equals(f[2]))
				bad = Arrays.toString(g) + " vs " + Arrays.toString(f);
		}
		check(bad == null, "NRR/GRR report: nrr and grr equal sum() FILTER division digit for digit", bad);
		boolean ordered = true;
		for (int i = 1; i < got.size(); i++)
			ordered &= ((BigDecimal) got.get(i - 1)[1]).compareTo((BigDecimal) got.get(i)[1]) >= 0;
		check(ordered, "NRR/GRR report: ORDER BY nrr DESC holds on BigDecimals");
		check(got.stream().allMatch(r -> ((BigDecimal) r[2]).compareTo(BigDecimal.ONE) <= 0
				&& ((BigDecimal) r[2]).compareTo((BigDecimal) r[1]) <= 0), "NRR/GRR report: grr <= 1 and grr <= nrr");
	}

	static void reportChurn() throws SQLException {
		String customers = """
				WITH customers AS (
				  SELECT account_id, min(started_on) AS started,
				         CASE WHEN bool_and(ended_on IS NOT NULL) THEN max(ended_on) END AS ended
				  FROM subscriptions GROUP BY account_id)
				""";
		List<Object[]> got = rows(customers + """
				SELECT q::date AS quarter,
				       churn_rate(started, ended, daterange(q::date, (q + interval '3 months')::date)) AS churn,
				       customers_at_start(churn_agg(started, ended, daterange(q::date, (q + interval '3 months')::date)))
				FROM customers, generate_series(date '2025-01-01', date '2025-10-01', interval '3 months') q
				GROUP BY q ORDER BY q""");
		List<Object[]> ref = rows(customers + """
				, c AS (
				  SELECT q::date AS lo, (q + interval '3 months')::date AS hi, started, ended FROM customers,
				         generate_series(date '2025-01-01', date '2025-10-01', interval '3 months') q)
				SELECT lo, count(*) FILTER (WHERE started <= lo AND (ended IS NULL OR lo < ended) AND ended <= hi),
				       count(*) FILTER (WHERE started <= lo AND (ended IS NULL OR lo < ended))
				FROM c GROUP BY lo ORDER BY lo""");
		check(got.size() == 4 && got.stream().allMatch(r -> r[1] instanceof Double && r[2] instanceof Long),
				"churn report: 4 quarters of Double and Long");
		String bad = null;
		for (int i = 0; i < Math.min(got.size(), ref.size()); i++) {
			Object[] g = got.get(i), f = ref.get(i);
			double want = ((Long) f[1]).doubleValue() / ((Long) f[2]).doubleValue();
			if (!g[0].equals(f[0]) || !g[2].equals(f[2]) || !close((Double) g[1], want, 1e-15))
				bad = Arrays.toString(g) + " vs " + Arrays.toString(f);
		}
		check(got.size() == ref.size() && bad == null,
				"churn report: quarterly churn_rate equals count(*) FILTER churned / active at start", bad);
	}

	// ------------------------------------------------------------------
	// 2. text forms
	// ------------------------------------------------------------------

	static void textNps() throws SQLException {
		Map<String, List<Long>> ref = npsReference();
		Map<String, List<Long>> got = new TreeMap<>();
		Pattern p = Pattern.compile("v2 detractors=(\\d+) passives=(\\d+) promoters=(\\d+)");
		String bad = null;
		for (Object[] r : rows(String.format(NPS_BY_INDUSTRY, "nps_agg(r.score)::text"))) {
			Matcher m = p.matcher((String) r[1]);
			if (!m.matches()) {
				bad = (String) r[1];
				continue;
			}
			got.put((String) r[0], List.of(Long.parseLong(m.group(1)), Long.parseLong(m.group(2)),
					Long.parseLong(m.group(3))));
		}
		check(bad == null, "nps_state text has the documented form 'v2 detractors=D passives=P promoters=R'", bad);
		check(got.equals(ref), "nps_state text counters by industry equal count(*) FILTER", got + " vs " + ref);
		// without a cast the driver hands the type's output to getString/getObject
		try (Statement st = conn.createStatement();
				ResultSet rs = st.executeQuery("SELECT nps_agg(score) FROM nps_responses WHERE score IS NOT NULL")) {
			rs.next();
			check(rs.getMetaData().getColumnTypeName(1).equals("nps_state")
					&& rs.getMetaData().getColumnType(1) == Types.OTHER,
					"nps_state column: metadata type name nps_state, Types.OTHER", rs.getMetaData().getColumnTypeName(1));
			Object o = rs.getObject(1);
			check(o instanceof org.postgresql.util.PGobject pg && "nps_state".equals(pg.getType())
					&& p.matcher(pg.getValue()).matches(), "nps_state column: getObject gives a PGobject of the text form",
					String.valueOf(o));
		}
	}

	static void textCsat() throws SQLException {
		Object[] r = rows("SELECT csat_agg(score)::text, count(*) FILTER (WHERE score >= 4), count(score)"
				+ " FROM csat_responses").get(0);
		check(("v2 satisfied=" + r[1] + " responses=" + r[2]).equals(r[0]),
				"csat_state text 'v2 satisfied=S responses=N' equals count(*) FILTER (score >= 4), count(score)",
				Arrays.toString(r));
	}

	static List<Object> parseRevenueText(String text) {
		String[] parts = text.split(" ");
		if (parts.length != 14 || !parts[0].equals("v2"))
			return null;
		List<Object> vals = new ArrayList<>();
		for (int i = 1; i < parts.length; i++) {
			String[] kv = parts[i].split("=", 2);
			if (kv.length != 2 || !kv[0].equals(REVENUE_FIELDS.get(i - 1)))
				return null;
			if (i <= 7) {
				if (!kv[1].matches("\\d+"))
					return null;
				vals.add(Long.parseLong(kv[1]));
			} else {
				if (!kv[1].matches("(0|[1-9]\\d*)\\.\\d\\d")) // the inputs' scale, 2
					return null;
				vals.add(new BigDecimal(kv[1]));
			}
		}
		return vals;
	}

	static void textRevenue() throws SQLException {
		Map<String, List<Object>> ref = revenueReference();
		String bad = null;
		int n = 0;
		for (Object[] r : rows(PAIRS + "SELECT industry, revenue_agg(s, e, pb)::text FROM pairs GROUP BY 1 ORDER BY 1")) {
			n++;
			List<Object> v = parseRevenueText((String) r[1]);
			if (!sameValues(v, ref.get(r[0])))
				bad = r[0] + ": " + r[1] + " vs " + ref.get(r[0]);
		}
		check(n == 9 && bad == null, "revenue_state text: 13 documented fields in order, counts and exact amounts "
				+ "(scale 2) by industry equal count(*)/sum() FILTER", bad);
	}

	static List<List<Object>> parseSurvivalText(String text) {
		Matcher m = Pattern.compile("v2 rows=\\[(.*)\\]").matcher(text);
		if (!m.matches())
			return null;
		List<List<Object>> out = new ArrayList<>();
		if (m.group(1).isEmpty())
			return out;
		for (String item : m.group(1).split(",")) {
			String[] f = item.split(":");
			if (f.length != 3 || !f[0].matches("\\d+(\\.\\d+)?") || !f[1].matches("\\d+") || !f[2].matches("\\d+"))
				return null;
			out.add(List.of(Double.parseDouble(f[0]), Long.parseLong(f[1]), Long.parseLong(f[2])));
		}
		return out;
	}

	static void textSurvival() throws SQLException {
		Map<String, List<List<Object>>> ref = survivalReference();
		Map<String, List<List<Object>>> got = new TreeMap<>();
		for (Object[] r : rows(LIFETIMES + "SELECT size_band, survival_agg(days, churned)::text FROM lifetimes"
				+ " GROUP BY 1 ORDER BY 1"))
			got.put((String) r[0], parseSurvivalText((String) r[1]));
		check(got.size() == 3 && got.equals(ref),
				"survival_state text 'v2 rows=[time:events:censored,...]' by size band equals GROUP BY days");
		Object t = rows("SELECT survival_agg(x, c)::text FROM (VALUES (0::float8, false), (365, true), (365, false),"
				+ " (730.5, true)) v(x, c)").get(0)[0];
		check("v2 rows=[0:0:1,365:1:1,730.5:1:0]".equals(t), "survival_state text of README's example rows",
				String.valueOf(t));
	}

	// ------------------------------------------------------------------
	// 3. binary forms
	// ------------------------------------------------------------------

	static List<Long> decodeNps(byte[] b) {
		// README: 02, flags 00, then detractors, passives, promoters as big-endian int64
		if (b == null || b.length != 26 || b[0] != 2 || b[1] != 0)
			throw new IllegalArgumentException("nps_state bytes " + hex(b));
		ByteBuffer bb = ByteBuffer.wrap(b, 2, 24);
		return List.of(bb.getLong(), bb.getLong(), bb.getLong());
	}

	record Revenue(List<Object> values, int scale, int width) {
	}

	static Revenue decodeRevenue(byte[] b) {
		// README: 02 00, 7 int64 counts, the money word (bits 0-15 scale, 16-31
		// width, the rest 0), then 6 amounts of width two's complement words,
		// least significant first, each big-endian
		if (b[0] != 2 || b[1] != 0)
			throw new IllegalArgumentException("revenue_state header " + hex(b));
		ByteBuffer bb = ByteBuffer.wrap(b);
		bb.position(2);
		List<Object> vals = new ArrayList<>();
		for (int i = 0; i < 7; i++)
			vals.add(bb.getLong());
		long word = bb.getLong();
		int scale = (int) (word & 0xFFFF), width = (int) ((word >>> 16) & 0xFFFF);
		if ((word >>> 32) != 0 || width < 2 || b.length != 66 + 6 * width * 8)
			throw new IllegalArgumentException("money word " + Long.toHexString(word) + ", length " + b.length);
		for (int a = 0; a < 6; a++) {
			byte[] be = new byte[width * 8]; // most significant word first, for BigInteger
			for (int k = 0; k < width; k++)
				bb.get(be, (width - 1 - k) * 8, 8);
			vals.add(new BigDecimal(new BigInteger(be), scale)); // two's complement
		}
		return new Revenue(vals, scale, width);
	}

	static List<List<Object>> decodeSurvival(byte[] b) {
		// README: 02 00, uint32 row count, then time (IEEE 754 bits), events,
		// censored per row, big-endian
		if (b[0] != 2 || b[1] != 0)
			throw new IllegalArgumentException("survival_state header " + hex(b));
		ByteBuffer bb = ByteBuffer.wrap(b);
		bb.position(2);
		long n = Integer.toUnsignedLong(bb.getInt());
		if (b.length != 6 + 24 * n)
			throw new IllegalArgumentException("survival_state length " + b.length + " for " + n + " rows");
		List<List<Object>> out = new ArrayList<>();
		for (long i = 0; i < n; i++)
			out.add(List.of(bb.getDouble(), bb.getLong(), bb.getLong()));
		return out;
	}

	static String hex(byte[] b) {
		return b == null ? "null" : HexFormat.of().formatHex(b);
	}

	static long oid(String type) throws SQLException {
		return ((Number) rows("SELECT '" + type + "'::regtype::oid").get(0)[0]).longValue();
	}

	/** a second connection that asks for the state types in binary */
	static Connection binaryConnection(String url, Properties base) throws SQLException {
		Properties p = new Properties();
		p.putAll(base);
		p.setProperty("binaryTransferEnable",
				oid("nps_state") + "," + oid("revenue_state") + "," + oid("survival_state"));
		p.setProperty("prepareThreshold", "-1"); // server-prepared from the first run: binary results
		return DriverManager.getConnection(url, p);
	}

	static Map<String, byte[]> binaryColumn(Connection c, String sql) throws SQLException {
		Map<String, byte[]> out = new LinkedHashMap<>();
		try (PreparedStatement ps = c.prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
			while (rs.next())
				out.put(rs.getString(1), rs.getBytes(2));
		}
		return out;
	}

	static void binaryResults(Connection bin) throws SQLException {
		Map<String, List<Long>> npsRef = npsReference();
		Map<String, byte[]> nps = binaryColumn(bin, String.format(NPS_BY_INDUSTRY, "nps_agg(r.score)"));
		Map<String, List<Long>> got = new TreeMap<>();
		for (var e : nps.entrySet())
			got.put(e.getKey(), decodeNps(e.getValue()));
		check(got.equals(npsRef), "nps_state by industry as binary result columns: 02 00 + three big-endian int64 "
				+ "equal count(*) FILTER", got + " vs " + npsRef);
		// the same bytes as the send function returns, over the plain connection
		Map<String, byte[]> sent = binaryColumn(conn, String.format(NPS_BY_INDUSTRY, "nps_state_send(nps_agg(r.score))"));
		boolean same = sent.size() == nps.size();
		for (var e : sent.entrySet())
			same &= Arrays.equals(e.getValue(), nps.get(e.getKey()));
		check(same, "binary result bytes of nps_state equal nps_state_send()");

		Map<String, List<Object>> revRef = revenueReference();
		String bad = null;
		Map<String, byte[]> rev = binaryColumn(bin, PAIRS + "SELECT industry, revenue_agg(s, e, pb) FROM pairs GROUP BY 1");
		for (var e : rev.entrySet()) {
			Revenue r = decodeRevenue(e.getValue());
			if (!sameValues(r.values(), revRef.get(e.getKey())) || r.scale() != 2 || r.width() != 2)
				bad = e.getKey() + ": " + r + " vs " + revRef.get(e.getKey());
		}
		check(rev.size() == 9 && bad == null, "revenue_state by industry as binary result columns: counts, money word "
				+ "(scale 2, width 2) and 128-bit amounts equal count(*)/sum() FILTER", bad);

		Map<String, List<List<Object>>> survRef = survivalReference();
		Map<String, List<List<Object>>> surv = new TreeMap<>();
		for (var e : binaryColumn(bin, LIFETIMES + "SELECT size_band, survival_agg(days, churned) FROM lifetimes GROUP BY 1")
				.entrySet())
			surv.put(e.getKey(), decodeSurvival(e.getValue()));
		check(surv.size() == 3 && surv.equals(survRef), "survival_state by size band as binary result columns: row "
				+ "count, IEEE time, events, censored equal GROUP BY days");
	}

	static final byte[] PGCOPY_SIGNATURE = { 'P', 'G', 'C', 'O', 'P', 'Y', '\n', (byte) 0xff, '\r', '\n', 0 };

	static List<byte[][]> parsePgcopy(byte[] data) {
		if (!Arrays.equals(Arrays.copyOf(data, 11), PGCOPY_SIGNATURE))
			throw new IllegalArgumentException("no PGCOPY signature");
		ByteBuffer bb = ByteBuffer.wrap(data);
		bb.position(11);
		if (bb.getInt() != 0)
			throw new IllegalArgumentException("PGCOPY flags");
		int ext = bb.getInt();
		bb.position(bb.position() + ext);
		List<byte[][]> out = new ArrayList<>();
		for (;;) {
			short nf = bb.getShort();
			if (nf == -1)
				break;
			byte[][] row = new byte[nf][];
			for (int i = 0; i < nf; i++) {
				int n = bb.getInt();
				if (n >= 0) {
					row[i] = new byte[n];
					bb.get(row[i]);
				}
			}
			out.add(row);
		}
		if (bb.hasRemaining())
			throw new IllegalArgumentException("bytes after the PGCOPY trailer");
		return out;
	}

	static void copyOut(CopyManager cm) throws Exception {
		ByteArrayOutputStream buf = new ByteArrayOutputStream();
		cm.copyOut("COPY (" + String.format(NPS_BY_INDUSTRY, "nps_agg(r.score)") + ") TO STDOUT (FORMAT binary)", buf);
		Map<String, List<Long>> got = new TreeMap<>();
		for (byte[][] row : parsePgcopy(buf.toByteArray()))
			got.put(new String(row[0], StandardCharsets.UTF_8), decodeNps(row[1]));
		check(got.equals(npsReference()), "nps_state by industry via CopyManager COPY BINARY equals count(*) FILTER", got);
	}

	static final byte[] GOLDEN_V2 = HexFormat.of().parseHex("0200" + "0000000000000003" + "0000000000000005"
			+ "000000000000000c");
	static final byte[] GOLDEN_V2_CONF = HexFormat.of().parseHex("0201" + "3feccccccccccccd" + "0000000000000003"
			+ "0000000000000005" + "000000000000000c");
	static final byte[] GOLDEN_V1 = HexFormat.of().parseHex("01" + "0000000000000003" + "0000000000000005"
			+ "000000000000000c");

	static List<String> copyIn(CopyManager cm, String type, byte[]... payloads) throws Exception {
		try (Statement st = conn.createStatement()) {
			st.execute("DROP TABLE IF EXISTS pg_temp.copied; CREATE TEMP TABLE copied (i int, st " + type + ")");
		}
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		out.write(PGCOPY_SIGNATURE);
		out.write(new byte[8]);
		for (int i = 0; i < payloads.length; i++) {
			ByteBuffer bb = ByteBuffer.allocate(2 + 4 + 4 + 4 + payloads[i].length);
			bb.putShort((short) 2).putInt(4).putInt(i).putInt(payloads[i].length).put(payloads[i]);
			out.write(bb.array());
		}
		out.write(new byte[] { (byte) 0xff, (byte) 0xff });
		cm.copyIn("COPY copied FROM STDIN (FORMAT binary)", new ByteArrayInputStream(out.toByteArray()));
		List<String> texts = new ArrayList<>();
		for (Object[] r : rows("SELECT st::text FROM copied ORDER BY i"))
			texts.add((String) r[0]);
		return texts;
	}

	static void copyInGolden(CopyManager cm) throws Exception {
		List<String> got = copyIn(cm, "nps_state", GOLDEN_V2, GOLDEN_V2_CONF, GOLDEN_V1);
		check(got.equals(List.of("v2 detractors=3 passives=5 promoters=12",
				"v2 detractors=3 passives=5 promoters=12 confidence=0.9", "v2 detractors=3 passives=5 promoters=12")),
				"CopyManager COPY FROM STDIN BINARY of README's golden nps_state bytes (v2, with confidence, v1)", got);
		String[][] bad = { { "unknown version 03", "03" + hex(GOLDEN_V2).substring(2), "22P02" },
				{ "truncated", hex(GOLDEN_V2).substring(0, 50), "22P02" },
				{ "negative count", "0200" + "ffffffffffffffff" + "0000000000000005" + "000000000000000c", "22003" } };
		for (String[] c : bad) {
			String state = null;
			try {
				copyIn(cm, "nps_state", HexFormat.of().parseHex(c[1]));
			} catch (SQLException e) {
				state = e.getSQLState();
			}
			check(c[2].equals(state), "COPY BINARY of a malformed nps_state (" + c[0] + ") is SQLSTATE " + c[2], state);
		}
	}

	// ------------------------------------------------------------------
	// 4. SQLSTATEs
	// ------------------------------------------------------------------

	static SQLException errorOf(String sql) {
		try (Statement st = conn.createStatement(); ResultSet rs = st.executeQuery(sql)) {
			while (rs.next()) {
			}
		} catch (SQLException e) {
			return e;
		}
		return null;
	}

	static void errors() throws SQLException {
		String[][] cases = {
				{ "malformed nps_state text", "SELECT 'v2 detractors=garbage'::nps_state", "22P02" },
				{ "unknown nps_state version", "SELECT 'v9 detractors=3 passives=5 promoters=12'::nps_state", "22P02" },
				{ "negative count in nps_state text", "SELECT 'v2 detractors=-3 passives=5 promoters=12'::nps_state",
						"22003" },
				{ "malformed revenue_state text", "SELECT 'v2 starting_accounts=0'::revenue_state", "22P02" },
				{ "unknown lifecycle_stage", "SELECT 'prospect'::lifecycle_stage", "22P02" },
				{ "NPS score out of range", "SELECT nps(score) FROM (VALUES (5), (11)) v(score)", "22003" },
				{ "nps_margin confidence 1", "SELECT nps_margin(score, 1.0) FROM nps_responses", "22023" },
				{ "negative MRR", "SELECT nrr(s, e) FROM (VALUES (-1::numeric, 5::numeric)) v(s, e)", "22003" },
				{ "ended before started", "SELECT churn_rate(s, e, daterange('2025-01-01', '2025-04-01')) FROM "
						+ "(VALUES (date '2025-02-01', date '2025-01-01')) v(s, e)", "22000" }, };
		for (String[] c : cases) {
			SQLException e = errorOf(c[1]);
			String got = e == null ? null : e.getSQLState();
			check(c[2].equals(got), c[0] + ": getSQLState() " + c[2], got);
		}
		// a bad parameter of a prepared statement, bound as text by the driver
		String state = null;
		try (PreparedStatement ps = conn.prepareStatement("SELECT nps(?::nps_state)")) {
			ps.setString(1, "v2 detractors=1 passives=2");
			ps.executeQuery().close();
		} catch (SQLException e) {
			state = e.getSQLState();
		}
		check("22P02".equals(state), "a malformed nps_state bound as a parameter: getSQLState() 22P02", state);

		SQLException e = errorOf("SELECT nps(score) FROM (VALUES (5), (11)) v(score)");
		ServerErrorMessage m = e instanceof PSQLException pe ? pe.getServerErrorMessage() : null;
		check(m != null && "NPS score 11 is out of range 0..10".equals(m.getMessage())
				&& "NPS scores are integers from 0 to 10.".equals(m.getDetail())
				&& m.getHint() != null && m.getHint().startsWith("Map other scales to 0..10"),
				"NPS score out of range: message, detail and hint as the README shows them",
				m == null ? String.valueOf(e) : m.getMessage() + " / " + m.getDetail() + " / " + m.getHint());
		check(conn.isValid(5) && rows("SELECT 1").size() == 1, "the connection still answers after the errors");
	}

	public static void main(String[] args) throws Exception {
		String host = System.getenv().getOrDefault("PGHOST", "127.0.0.1");
		String port = System.getenv().getOrDefault("PGPORT", "5432");
		String db = System.getenv().getOrDefault("PGDATABASE", "postgres");
		String url = "jdbc:postgresql://" + host + ":" + port + "/" + db;
		Properties props = new Properties();
		props.setProperty("user", System.getenv().getOrDefault("PGUSER", "postgres"));
		props.setProperty("ApplicationName", "abm JdbcClient");
		conn = DriverManager.getConnection(url, props);
		conn.setAutoCommit(true);
		CopyManager cm = conn.unwrap(PGConnection.class).getCopyAPI();

		guarded("NPS report", JdbcClient::reportNps);
		guarded("NRR/GRR report", JdbcClient::reportNrrGrr);
		guarded("churn report", JdbcClient::reportChurn);
		guarded("nps_state text", JdbcClient::textNps);
		guarded("csat_state text", JdbcClient::textCsat);
		guarded("revenue_state text", JdbcClient::textRevenue);
		guarded("survival_state text", JdbcClient::textSurvival);
		guarded("binary result columns", () -> {
			try (Connection bin = binaryConnection(url, props)) {
				binaryResults(bin);
			}
		});
		guarded("COPY TO STDOUT binary", () -> copyOut(cm));
		guarded("COPY FROM STDIN binary", () -> copyInGolden(cm));
		guarded("SQLSTATEs", JdbcClient::errors);
		conn.close();
		System.out.println("jdbc: " + checks + " checks, " + failures + " failed");
		System.exit(failures > 0 || checks == 0 ? 1 : 0);
	}
}
