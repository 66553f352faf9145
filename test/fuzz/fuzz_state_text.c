/*
 * fuzz_state_text.c — libFuzzer harness of abm_state_from_text.
 *
 * Each input is decoded as the text form of every schema (nps_state,
 * csat_state, the churn and survival states, revenue_state with its
 * amounts, mrr_schedule and cohort_state with amounts in their rows,
 * funnel_state, stage_path, time_in_stage_state, proportion_state,
 * engagement_state with amounts in its rows, and
 * a test-only state with rows), its rows into exactly the cells
 * abm_state_text_cells asks for.  Rejected input must come
 * with a consistent error; accepted input must give a valid state whose
 * text and binary forms round-trip and that merges with itself (counts
 * and amounts double) or reports ABM_ERR_RANGE (ABM_ERR_LIMIT for amounts
 * past 4096 bits).  See fuzz_state_common.h.
 */
#include "fuzz_state_common.h"

static int
is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static int
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Digits after the point of the number at t[i..end). */
static int
decimals(const char *t, size_t i, size_t end)
{
	const char *dot = memchr(t + i, '.', end - i);

	return dot == NULL ? 0 : (int) (t + end - dot - 1);
}

/*
 * Is an accepted text already in the form abm_state_to_text writes?  It is
 * unless it is version 1, has a parameter (whose decimal need not be the
 * shortest), a number has a leading zero or is a zero with a sign ("-0",
 * "-0.00"; "-0.5" is fine), blanks surround it, or its amounts do not all
 * have as many decimals (they print at the state's one scale: the money
 * fields', or every amount in the rows).  Field names hold no digits;
 * digits after a decimal point are no number of their own.  Then printing
 * the decoded state gives it back.
 */
static int
is_canonical(const abm_state_schema *sch, const char *t, size_t len)
{
	size_t		i;
	int			field = -1,
				nc = abm_schema_ncounts(sch),
				scale = -1;
	const char *rows;

	if (len < 3 || memcmp(t, "v2 ", 3) != 0 || is_blank(t[len - 1]))
		return 0;				/* version 1 prints back as version 2 */
	/* a parameter: any decimal that reads as the same double is accepted */
	for (i = 0; i + 7 <= len; i++)
		if (memcmp(t + i, " param=", 7) == 0 ||
			(i + 12 <= len && memcmp(t + i, " confidence=", 12) == 0))
			return 0;
	for (i = 0; i < len; i++)
	{
		if (is_digit(t[i]) && (i == 0 || (!is_digit(t[i - 1]) && t[i - 1] != '.')))
		{
			int			more = i + 1 < len && is_digit(t[i + 1]);

			if (t[i] == '0' && more)
				return 0;
			if (t[i] == '0' && i > 0 && t[i - 1] == '-')
			{
				size_t		k = i + 1;
				int			nonzero = 0;

				/* a negative amount below one is canonical, a negative zero not */
				if (k < len && t[k] == '.')
					for (k++; k < len && is_digit(t[k]); k++)
						nonzero |= t[k] != '0';
				if (!nonzero)
					return 0;
			}
		}
		/* "name=value", the fields in schema order: amounts share one scale */
		if (t[i] == ' ')
			field++;
		if (t[i] == '=' && field >= nc && field < sch->nscalars)
		{
			size_t		end = i + 1;
			int			digits;

			while (end < len && t[end] != ' ')
				end++;
			digits = decimals(t, i + 1, end);
			if (scale >= 0 && digits != scale)
				return 0;
			scale = digits;
		}
	}
	/* amounts in rows: "k:c:a,k:c:a]", the last nmoneycols columns of each row */
	rows = sch->nmoneycols > 0 ? memchr(t, '[', len) : NULL;
	if (rows != NULL)
	{
		size_t		start = (size_t) (rows - t) + 1;
		int			col = 0;

		for (i = start; i < len; i++)
			if (t[i] == ':' || t[i] == ',' || t[i] == ']')
			{
				if (col >= sch->ncols - sch->nmoneycols)
				{
					int			digits = decimals(t, start, i);

					if (scale >= 0 && digits != scale)
						return 0;
					scale = digits;
				}
				col = t[i] == ':' ? col + 1 : 0;
				start = i + 1;
			}
	}
	return 1;
}

static void
fuzz_one_text(const abm_state_schema *sch, const char *text, size_t len)
{
	size_t		cap = abm_state_text_cells(sch, text, len);
	int64_t    *rowbuf = fuzz_cells(cap);
	abm_state  *s = fuzz_state_new(sch);
	abm_error	err;
	abm_status	st;

	memset(&err, 0, sizeof(err));
	st = abm_state_from_text(sch, text, len, s, rowbuf, cap, &err);
	if (st != ABM_OK)
		fuzz_check_error(sch, st, &err);
	else
	{
		FUZZ_CHECK(s->schema == sch);
		FUZZ_CHECK(fuzz_row_cells(s) <= cap);
		FUZZ_CHECK(sch->nmoneycols == 0 || fuzz_row_cells(s) == cap);
		FUZZ_CHECK(sch->nmoneycols > 0 || cap == (size_t) abm_state_text_max_rows(sch, len) * (size_t) sch->ncols);
		FUZZ_CHECK(s->nrows == 0 ? s->rows == NULL : s->rows == rowbuf);
		fuzz_check_valid_state(s, 0);

		/* canonical input prints back unchanged: no value is misread (float
		 * keys may be written many ways; they must read back as the same
		 * state, which fuzz_check_valid_state checks) */
		if (!sch->key_is_float && is_canonical(sch, text, len))
		{
			size_t		tlen;
			char	   *out = fuzz_to_text(s, &tlen);

			if (tlen != len || memcmp(out, text, len) != 0)
			{
				fprintf(stderr, "canonical input \"%.*s\" printed back as \"%s\"\n",
						(int) len, text, out);
				FUZZ_CHECK(!"canonical text prints back unchanged");
			}
			free(out);
		}

		/* one cell less of room than the rows take: refused, not overrun */
		if (s->nrows > 0)
		{
			abm_state  *s2 = fuzz_state_new(sch);
			int64_t    *rb2 = fuzz_cells(fuzz_row_cells(s) - 1);

			FUZZ_CHECK(abm_state_from_text(sch, text, len, s2, rb2, fuzz_row_cells(s) - 1, &err) != ABM_OK);
			free(rb2);
			free(s2);
		}
	}
	free(s);
	free(rowbuf);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int			k;

	for (k = 0; k < FUZZ_NSCHEMAS; k++)
		fuzz_one_text(fuzz_schemas[k], (const char *) data, size);
	return 0;
}
