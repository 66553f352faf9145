/*
 * fuzz_state_common.h — the schemas and invariants shared by the state
 * harnesses (fuzz_state_text.c, fuzz_state_binary.c).  Header-only: each
 * harness is one translation unit built with the pure core sources.
 *
 * Every buffer handed to the core is allocated at exactly the size the API
 * promises to be enough, so AddressSanitizer reports any byte past it; states
 * are allocated at abm_state_size(schema), as the aggregates do: only the
 * schema's scalars without money fields, the whole struct with them.
 */
#ifndef ABM_FUZZ_STATE_COMMON_H
#define ABM_FUZZ_STATE_COMMON_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "state.h"
#include "money.h"
#include "nps.h"
#include "survival.h"
#include "churn.h"
#include "revenue.h"


/*
 * A test-only state with rows, shaped like the planned survival state:
 * rows (time, events, censored) keyed by time, plus one scalar per merge
 * rule.  Not registered in schemas.c.
 */
static const abm_state_field fuzz_surv_fields[] = {
	{"subjects", ABM_MERGE_SUM, 1, ABM_FIELD_COUNT},
	{"first", ABM_MERGE_MIN, 0, ABM_FIELD_COUNT},
	{"last", ABM_MERGE_MAX, 0, ABM_FIELD_COUNT},
};
static const char *const fuzz_surv_cols[] = {"time", "events", "censored"};
static const abm_state_schema fuzz_surv_schema = {
	.type_name = "fuzz_surv_state", .kind = 201, .nscalars = 3, .scalars = fuzz_surv_fields,
	.ncols = 3, .col_names = fuzz_surv_cols, .param_name = "param"
};

static const abm_state_schema *const fuzz_schemas[] = {
	&abm_nps_schema,
	&abm_csat_schema,
	&abm_survival_schema,
	&abm_churn_schema,
	&abm_customer_churn_schema,
	&abm_repeat_purchase_schema,
	&abm_revenue_schema,
	&fuzz_surv_schema,
};
#define FUZZ_NSCHEMAS ((int) (sizeof(fuzz_schemas) / sizeof(fuzz_schemas[0])))

/* Exactly n int64 cells, or NULL for none (as state_pg.c passes). */
static int64_t *
fuzz_cells(size_t n)
{
	int64_t    *p;

	if (n == 0)
		return NULL;
	p = malloc(sizeof(int64_t) * n);
	FUZZ_CHECK(p != NULL);
	return p;
}

static abm_state *
fuzz_state_new(const abm_state_schema *sch)
{
	abm_state  *s = malloc(abm_state_size(sch));

	FUZZ_CHECK(s != NULL);
	abm_state_init(s, sch);
	return s;
}

/* A copy that shares nothing but the schema (rows copied into a new buffer). */
static abm_state *
fuzz_state_copy(const abm_state *s, int64_t **rows_out)
{
	const abm_state_schema *sch = s->schema;
	abm_state  *c = fuzz_state_new(sch);
	size_t		ncells = (size_t) s->nrows * (size_t) sch->ncols;

	c->money_scale = s->money_scale;
	c->money_words = s->money_words;
	memcpy(c->scalar, s->scalar, sizeof(int64_t) * abm_state_ncells(s));
	c->has_param = s->has_param;
	c->param = s->param;
	c->nrows = s->nrows;
	*rows_out = fuzz_cells(ncells);
	if (ncells > 0)
		memcpy(*rows_out, s->rows, sizeof(int64_t) * ncells);
	c->rows = s->nrows > 0 ? *rows_out : NULL;
	return c;
}

/* Same schema, scalars (amounts: scale, width and every word) and rows. */
static int
fuzz_state_equal(const abm_state *a, const abm_state *b)
{
	const abm_state_schema *sch = a->schema;
	size_t		ncells = (size_t) a->nrows * (size_t) sch->ncols;

	if (a->schema != b->schema || a->nrows != b->nrows || a->has_param != b->has_param)
		return 0;
	if (a->has_param && memcmp(&a->param, &b->param, sizeof(double)) != 0)
		return 0;
	if (a->money_scale != b->money_scale || a->money_words != b->money_words)
		return 0;
	if (memcmp(a->scalar, b->scalar, sizeof(int64_t) * abm_state_ncells(a)) != 0)
		return 0;
	if (ncells > 0 && memcmp(a->rows, b->rows, sizeof(int64_t) * ncells) != 0)
		return 0;
	if (a->nrows == 0 && (a->rows != NULL || b->rows != NULL))
		return 0;				/* a state without rows carries rows == NULL */
	return 1;
}

/* The full text form, malloc'd, NUL-terminated; checks the length contract. */
static char *
fuzz_to_text(const abm_state *s, size_t *len_out)
{
	size_t		need = abm_state_to_text(s, NULL, 0);
	char	   *buf = malloc(need + 1);

	FUZZ_CHECK(buf != NULL);
	FUZZ_CHECK(abm_state_to_text(s, buf, need + 1) == need);
	FUZZ_CHECK(strlen(buf) == need);
	*len_out = need;
	return buf;
}

/* A buffer too small gets a NUL-terminated prefix and the full length. */
static void
fuzz_check_truncated_text(const abm_state *s, const char *full, size_t need, size_t size)
{
	char	   *small;

	if (size > need)
		return;
	small = malloc(size > 0 ? size : 1);
	FUZZ_CHECK(small != NULL);
	if (size > 0)
		memset(small, 'X', size);
	FUZZ_CHECK(abm_state_to_text(s, size > 0 ? small : NULL, size) == need);
	if (size > 0)
	{
		size_t		n = bounded_strlen(small, size);

		FUZZ_CHECK(n < size);	/* NUL-terminated inside the buffer */
		FUZZ_CHECK(memcmp(small, full, n) == 0);
	}
	free(small);
}

/* The words of money field j (counting money fields from 0). */
static const int64_t *
fuzz_money_cells(const abm_state *s, int j)
{
	return s->scalar + abm_schema_ncounts(s->schema) + (size_t) j * (size_t) s->money_words;
}

/*
 * Twice money field j, from its two's complement words alone (a shift left
 * by one bit), as `words` words.
 */
static void
fuzz_money_doubled(const abm_state *s, int j, int64_t *out, int words)
{
	const int64_t *c = fuzz_money_cells(s, j);
	uint64_t	ext = c[s->money_words - 1] < 0 ? UINT64_MAX : 0,
				carry = 0;
	int			k;

	for (k = 0; k < words; k++)
	{
		uint64_t	w = k < s->money_words ? (uint64_t) c[k] : ext;

		out[k] = (int64_t) ((w << 1) | carry);
		carry = w >> 63;
	}
}

/*
 * What merging s with itself must give: ABM_ERR_LIMIT when a doubled amount
 * would not fit the widest amount (only possible at ABM_MONEY_MAX_WORDS:
 * twice a value takes one bit more), which abm_state_merge finds first, as
 * it adds the amounts before the counts; ABM_ERR_RANGE when a count would
 * pass INT64_MAX (or the schema's own rule, which for nps_state sums them);
 * else ABM_OK.  revenue_check cannot fail: every sum and bound doubles.
 */
static abm_status
fuzz_self_merge_status(const abm_state *s)
{
	const abm_state_schema *sch = s->schema;
	int			nc = abm_schema_ncounts(sch),
				i,
				c;
	uint32_t	r;

	if (s->money_words == ABM_MONEY_MAX_WORDS)
		for (i = 0; i < sch->nscalars - nc; i++)
		{
			int64_t		top = fuzz_money_cells(s, i)[ABM_MONEY_MAX_WORDS - 1];

			/* bits 63 and 62 differ: the doubled value has no sign bit left */
			if ((top >> 62) != 0 && (top >> 62) != -1)
				return ABM_ERR_LIMIT;
		}
	for (i = 0; i < nc; i++)
		if (sch->scalars[i].merge == ABM_MERGE_SUM && s->scalar[i] > INT64_MAX / 2)
			return ABM_ERR_RANGE;
	for (r = 0; r < s->nrows; r++)
		for (c = 1; c < sch->ncols; c++)
			if (s->rows[(size_t) r * sch->ncols + c] > INT64_MAX / 2)
				return ABM_ERR_RANGE;
	if (sch == &abm_nps_schema)
	{
		/* validated: the sum fits; doubled it must still fit */
		int64_t		n = s->scalar[NPS_DETRACTORS] + s->scalar[NPS_PASSIVES] + s->scalar[NPS_PROMOTERS];

		if (n > INT64_MAX / 2)
			return ABM_ERR_RANGE;
	}
	return ABM_OK;
}

/*
 * The amounts' own rules, from their words: the scale and width in range,
 * nonnegative fields not below zero, and the width the fewest that holds
 * them (some amount needs its top word: it is not just the sign of the
 * word below).  abm_state_get_money reads the same sign.
 */
static void
fuzz_check_money_rules(const abm_state *s)
{
	const abm_state_schema *sch = s->schema;
	int			nc = abm_schema_ncounts(sch),
				w = s->money_words,
				needed = 0,
				j;

	if (nc == sch->nscalars)
	{
		FUZZ_CHECK(s->money_words == 0 && s->money_scale == 0);
		return;
	}
	FUZZ_CHECK(w >= 2 && w <= ABM_MONEY_MAX_WORDS);
	FUZZ_CHECK(s->money_scale >= 0 && s->money_scale <= ABM_MONEY_MAX_SCALE);
	FUZZ_CHECK(abm_state_ncells(s) == (size_t) nc + (size_t) (sch->nscalars - nc) * (size_t) w);
	for (j = 0; j < sch->nscalars - nc; j++)
	{
		const int64_t *c = fuzz_money_cells(s, j);
		abm_money	m;

		abm_state_get_money(s, nc + j, &m);
		FUZZ_CHECK(m.scale == s->money_scale);
		FUZZ_CHECK((abm_money_sign(&m) < 0) == (c[w - 1] < 0));
		if (sch->scalars[nc + j].nonnegative)
			FUZZ_CHECK(c[w - 1] >= 0);
		if (!((c[w - 1] == 0 && c[w - 2] >= 0) || (c[w - 1] == -1 && c[w - 2] < 0)))
			needed = 1;
	}
	FUZZ_CHECK(w == 2 || needed);
}

/* revenue_state's rule, restated: see revenue.h. */
static void
fuzz_check_revenue_rules(const abm_state *s)
{
	static const int pairs[][2] = {
		{REVENUE_STARTING_ACCOUNTS, REVENUE_STARTING},
		{REVENUE_NEW_ACCOUNTS, REVENUE_NEW},
		{REVENUE_REACTIVATED_ACCOUNTS, REVENUE_REACTIVATION},
		{REVENUE_EXPANDED_ACCOUNTS, REVENUE_EXPANSION},
		{REVENUE_CONTRACTED_ACCOUNTS, REVENUE_CONTRACTION},
		{REVENUE_CHURNED_ACCOUNTS, REVENUE_CHURN},
	};
	const int64_t *c = s->scalar;
	abm_money	starting,
				lost,
				churn;
	abm_error	err;
	size_t		i;

	/* the cohort's movements are within it */
	FUZZ_CHECK((__int128) c[REVENUE_EXPANDED_ACCOUNTS] + c[REVENUE_CONTRACTED_ACCOUNTS] +
			   c[REVENUE_CHURNED_ACCOUNTS] + c[REVENUE_FLAT_ACCOUNTS] <= c[REVENUE_STARTING_ACCOUNTS]);
	/* an amount moves with an account, and only then */
	for (i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++)
	{
		abm_money	m;

		abm_state_get_money(s, pairs[i][1], &m);
		FUZZ_CHECK((c[pairs[i][0]] == 0) == (abm_money_sign(&m) == 0));
	}
	/* the cohort loses at most what it started with */
	abm_state_get_money(s, REVENUE_STARTING, &starting);
	abm_state_get_money(s, REVENUE_CONTRACTION, &lost);
	abm_state_get_money(s, REVENUE_CHURN, &churn);
	FUZZ_CHECK(abm_money_add(&lost, &churn, 1, &err) == ABM_OK);
	FUZZ_CHECK(abm_money_cmp(&lost, &starting) <= 0);
}

/*
 * The documented rules, checked here independently of abm_state_validate:
 * nonnegative fields, keys strictly increasing, counts nonnegative, and each
 * schema's own rule.
 */
static void
fuzz_check_rules(const abm_state *s)
{
	const abm_state_schema *sch = s->schema;
	int			i,
				c;
	uint32_t	r;

	/* count fields: one int64 cell each (money fields are checked from their words) */
	for (i = 0; i < abm_schema_ncounts(sch); i++)
		if (sch->scalars[i].nonnegative)
			FUZZ_CHECK(s->scalar[i] >= 0);
	fuzz_check_money_rules(s);
	FUZZ_CHECK(s->nrows == 0 || s->rows != NULL);
	for (r = 0; r < s->nrows; r++)
	{
		const int64_t *row = s->rows + (size_t) r * sch->ncols;

		if (r > 0)
			FUZZ_CHECK(row[0] > row[-sch->ncols]);
		for (c = 1; c < sch->ncols; c++)
			FUZZ_CHECK(row[c] >= 0);
	}
	if (sch == &abm_nps_schema)
	{
		int64_t		n;

		FUZZ_CHECK(!__builtin_add_overflow(s->scalar[NPS_DETRACTORS], s->scalar[NPS_PASSIVES], &n));
		FUZZ_CHECK(!__builtin_add_overflow(n, s->scalar[NPS_PROMOTERS], &n));
	}
	if (sch == &abm_csat_schema)
		FUZZ_CHECK(s->scalar[CSAT_SATISFIED] <= s->scalar[CSAT_RESPONSES]);
	if (sch == &abm_revenue_schema)
		fuzz_check_revenue_rules(s);
}

static void fuzz_check_valid_state(const abm_state *s, int depth);

/* Merge a copy of s with s itself, also aliasing into == from. */
static void
fuzz_check_self_merge(const abm_state *s, int depth)
{
	const abm_state_schema *sch = s->schema;
	abm_status	want = fuzz_self_merge_status(s);
	int			nc = abm_schema_ncounts(sch);
	int			pass;

	for (pass = 0; pass < 2; pass++)
	{
		int64_t    *copy_rows;
		abm_state  *into = fuzz_state_copy(s, &copy_rows);
		uint32_t	cap = 2 * s->nrows;
		int64_t    *rowbuf = fuzz_cells((size_t) cap * sch->ncols);
		abm_error	err;
		abm_status	st;
		int			i,
					c;
		uint32_t	r;

		memset(&err, 0, sizeof(err));
		/* pass 0: from is the original; pass 1: from is into itself */
		st = abm_state_merge(into, pass == 0 ? s : into, rowbuf, cap, &err);
		if (want != ABM_OK)
		{
			if (st != want)
				fprintf(stderr, "self-merge returned %d, expected %d (\"%s\")\n", (int) st, (int) want, err.detail);
			FUZZ_CHECK(st == want && err.status == want);
		}
		else
		{
			if (st != ABM_OK)
				fprintf(stderr, "self-merge failed: %s\n", err.detail);
			FUZZ_CHECK(st == ABM_OK);
			FUZZ_CHECK(into->schema == sch);
			for (i = 0; i < nc; i++)
			{
				if (sch->scalars[i].merge == ABM_MERGE_SUM)
					FUZZ_CHECK(into->scalar[i] == 2 * s->scalar[i]);
				else
					FUZZ_CHECK(into->scalar[i] == s->scalar[i]);
			}
			/* amounts: doubled, at the same scale, in one word more at most */
			FUZZ_CHECK(into->money_scale == s->money_scale);
			FUZZ_CHECK(into->money_words == s->money_words ||
					   (into->money_words == s->money_words + 1 && s->money_words < ABM_MONEY_MAX_WORDS));
			for (i = 0; i < sch->nscalars - nc; i++)
			{
				int64_t		twice[ABM_MONEY_MAX_WORDS];

				fuzz_money_doubled(s, i, twice, into->money_words);
				FUZZ_CHECK(memcmp(fuzz_money_cells(into, i), twice, sizeof(int64_t) * (size_t) into->money_words) == 0);
			}
			/* equal keys collapse: the same rows, counts doubled */
			FUZZ_CHECK(into->nrows == s->nrows);
			for (r = 0; r < s->nrows; r++)
			{
				const int64_t *a = into->rows + (size_t) r * sch->ncols;
				const int64_t *b = s->rows + (size_t) r * sch->ncols;

				FUZZ_CHECK(a[0] == b[0]);
				for (c = 1; c < sch->ncols; c++)
					FUZZ_CHECK(a[c] == 2 * b[c]);
			}
			if (depth == 0)
				fuzz_check_valid_state(into, depth + 1);
		}
		free(rowbuf);
		free(copy_rows);
		free(into);
	}
}

/* The empty state is the identity of merge, on either side. */
static void
fuzz_check_merge_identity(const abm_state *s)
{
	const abm_state_schema *sch = s->schema;
	abm_state  *empty = fuzz_state_new(sch);
	int64_t    *copy_rows;
	abm_state  *copy = fuzz_state_copy(s, &copy_rows);
	int64_t    *rowbuf = fuzz_cells((size_t) s->nrows * sch->ncols);
	abm_error	err;

	FUZZ_CHECK(abm_state_merge(empty, s, rowbuf, s->nrows, &err) == ABM_OK);
	FUZZ_CHECK(fuzz_state_equal(empty, s));
	abm_state_init(empty, sch);
	FUZZ_CHECK(abm_state_merge(copy, empty, NULL, 0, &err) == ABM_OK);
	FUZZ_CHECK(fuzz_state_equal(copy, s));
	free(rowbuf);
	free(copy_rows);
	free(copy);
	free(empty);
}

/* Too little room for the merged rows is an error, not an overflow. */
static void
fuzz_check_merge_short_rowbuf(const abm_state *s)
{
	const abm_state_schema *sch = s->schema;
	int64_t    *copy_rows;
	abm_state  *into;
	uint32_t	cap;
	int64_t    *rowbuf;
	abm_error	err;
	abm_status	st;

	if (s->nrows == 0)
		return;
	into = fuzz_state_copy(s, &copy_rows);
	cap = 2 * s->nrows - 1;
	rowbuf = fuzz_cells((size_t) cap * sch->ncols);
	st = abm_state_merge(into, s, rowbuf, cap, &err);
	FUZZ_CHECK(st == ABM_ERR_RANGE);
	free(rowbuf);
	free(copy_rows);
	free(into);
}

/*
 * Taking s back out of s merged with s gives s again, for schemas of SUM
 * and SAME fields without rows; MIN and MAX fields and rows cannot be taken
 * apart (ABM_ERR_MISMATCH, nothing changed).
 */
static void
fuzz_check_subtract(const abm_state *s)
{
	const abm_state_schema *sch = s->schema;
	int			apart = 1,
				i;
	int64_t    *copy_rows;
	abm_state  *into;
	abm_error	err;
	abm_status	st;

	if (fuzz_self_merge_status(s) != ABM_OK || s->nrows > 0)
		return;
	for (i = 0; i < abm_schema_ncounts(sch); i++)
		if (sch->scalars[i].merge == ABM_MERGE_MIN || sch->scalars[i].merge == ABM_MERGE_MAX)
			apart = 0;
	into = fuzz_state_copy(s, &copy_rows);
	FUZZ_CHECK(abm_state_merge(into, s, NULL, 0, &err) == ABM_OK);
	memset(&err, 0, sizeof(err));
	st = abm_state_subtract(into, s, &err);
	if (apart)
	{
		if (st != ABM_OK)
			fprintf(stderr, "subtract after merge failed: %s\n", err.detail);
		FUZZ_CHECK(st == ABM_OK);
		FUZZ_CHECK(fuzz_state_equal(into, s));
	}
	else
		FUZZ_CHECK(st == ABM_ERR_MISMATCH && err.status == ABM_ERR_MISMATCH);
	free(copy_rows);
	free(into);
}

/* States of different kinds never merge. */
static void
fuzz_check_merge_mismatch(const abm_state *s)
{
	const abm_state_schema *other = s->schema == &abm_nps_schema ? &abm_csat_schema : &abm_nps_schema;
	abm_state  *o = fuzz_state_new(other);
	int64_t    *copy_rows;
	abm_state  *copy = fuzz_state_copy(s, &copy_rows);
	abm_error	err;

	FUZZ_CHECK(abm_state_merge(copy, o, NULL, 0, &err) == ABM_ERR_MISMATCH);
	FUZZ_CHECK(abm_state_merge(o, s, NULL, 0, &err) == ABM_ERR_MISMATCH);
	free(copy_rows);
	free(copy);
	free(o);
}

/*
 * Everything a decoded (valid) state must satisfy: it validates, its text
 * and binary forms decode back to the same state, the bounds on rows hold,
 * and merging behaves.
 */
static void
fuzz_check_valid_state(const abm_state *s, int depth)
{
	const abm_state_schema *sch = s->schema;
	abm_error	err;
	size_t		tlen,
				blen;
	char	   *text;
	uint8_t    *bin;
	uint32_t	cap;
	int64_t    *rowbuf;
	abm_state  *back;
	char	   *text2;
	size_t		tlen2;

	FUZZ_CHECK(abm_state_validate(s, &err) == ABM_OK);
	FUZZ_CHECK(sch->ncols > 0 || s->nrows == 0);
	fuzz_check_rules(s);

	/* text round trip */
	text = fuzz_to_text(s, &tlen);
	fuzz_check_truncated_text(s, text, tlen, 0);
	fuzz_check_truncated_text(s, text, tlen, 1);
	fuzz_check_truncated_text(s, text, tlen, tlen / 2);
	fuzz_check_truncated_text(s, text, tlen, tlen);
	cap = abm_state_text_max_rows(sch, tlen);
	FUZZ_CHECK(cap >= s->nrows);
	rowbuf = fuzz_cells((size_t) cap * sch->ncols);
	back = fuzz_state_new(sch);
	memset(&err, 0, sizeof(err));
	if (abm_state_from_text(sch, text, tlen, back, rowbuf, cap, &err) != ABM_OK)
	{
		fprintf(stderr, "to_text output rejected by from_text: \"%s\": %s\n", text, err.detail);
		FUZZ_CHECK(!"text round trip");
	}
	FUZZ_CHECK(fuzz_state_equal(back, s));
	text2 = fuzz_to_text(back, &tlen2);
	FUZZ_CHECK(tlen2 == tlen && memcmp(text, text2, tlen) == 0);
	free(text2);
	free(back);
	free(rowbuf);

	/* binary round trip */
	blen = abm_state_binary_size(s);
	bin = malloc(blen);
	FUZZ_CHECK(bin != NULL);
	abm_state_to_binary(s, bin);
	FUZZ_CHECK(bin[0] == ABM_STATE_VERSION);
	cap = abm_state_binary_max_rows(sch, blen);
	FUZZ_CHECK(cap >= s->nrows);
	rowbuf = fuzz_cells((size_t) cap * sch->ncols);
	back = fuzz_state_new(sch);
	memset(&err, 0, sizeof(err));
	if (abm_state_from_binary(sch, bin, blen, back, rowbuf, cap, &err) != ABM_OK)
	{
		fprintf(stderr, "to_binary output rejected by from_binary (text \"%s\"): %s\n", text, err.detail);
		FUZZ_CHECK(!"binary round trip");
	}
	FUZZ_CHECK(fuzz_state_equal(back, s));
	/* the same bytes with a row too few of room: refused, not overrun */
	if (s->nrows > 0)
	{
		abm_state  *b2 = fuzz_state_new(sch);
		int64_t    *rb2 = fuzz_cells((size_t) (s->nrows - 1) * sch->ncols);

		FUZZ_CHECK(abm_state_from_binary(sch, bin, blen, b2, rb2, s->nrows - 1, &err) != ABM_OK);
		free(rb2);
		free(b2);
	}
	free(back);
	free(rowbuf);
	free(bin);

	/* native round trip (the datum) */
	blen = abm_state_native_size(s);
	bin = malloc(blen);
	FUZZ_CHECK(bin != NULL);
	abm_state_to_native(s, bin);
	FUZZ_CHECK(bin[0] == ABM_STATE_VERSION && bin[1] == sch->kind);
	cap = abm_state_payload_max_rows(sch, blen);
	FUZZ_CHECK(cap >= s->nrows);
	rowbuf = fuzz_cells((size_t) cap * sch->ncols);
	back = fuzz_state_new(sch);
	memset(&err, 0, sizeof(err));
	if (abm_state_from_payload(sch, bin, blen, back, rowbuf, cap, &err) != ABM_OK)
	{
		fprintf(stderr, "to_native output rejected by from_payload (text \"%s\"): %s\n", text, err.detail);
		FUZZ_CHECK(!"native round trip");
	}
	FUZZ_CHECK(fuzz_state_equal(back, s));
	free(back);
	free(rowbuf);
	free(bin);
	free(text);

	/* merge */
	fuzz_check_self_merge(s, depth);
	fuzz_check_subtract(s);
	fuzz_check_merge_identity(s);
	fuzz_check_merge_short_rowbuf(s);
	fuzz_check_merge_mismatch(s);
}

/*
 * A failed decode must say why, with a status that matches the return.
 * ABM_ERR_LIMIT only for amounts: wider than 4096 bits, or more than 1000
 * digits after the point.
 */
static void
fuzz_check_error(const abm_state_schema *sch, abm_status st, const abm_error *err)
{
	FUZZ_CHECK(st == ABM_ERR_SYNTAX || st == ABM_ERR_VERSION || st == ABM_ERR_RANGE ||
			   (st == ABM_ERR_LIMIT && abm_schema_nmoney(sch) > 0));
	/* state_pg.c picks the SQLSTATE from err->status, callers the return */
	if (err->status != st)
		fprintf(stderr, "decoder returned status %d but set err.status %d (\"%.*s\")\n",
				(int) st, (int) err->status, (int) sizeof(err->detail), err->detail);
	FUZZ_CHECK(err->status == st);
	FUZZ_CHECK(memchr(err->detail, '\0', sizeof(err->detail)) != NULL);
	FUZZ_CHECK(err->detail[0] != '\0');
}

#endif							/* ABM_FUZZ_STATE_COMMON_H */
