/*
 * fuzz_state_common.h — the schemas and invariants shared by the state
 * harnesses (fuzz_state_text.c, fuzz_state_binary.c).  Header-only: each
 * harness is one translation unit built with the pure core sources.
 *
 * Every buffer handed to the core is allocated at exactly the size the API
 * promises to be enough, so AddressSanitizer reports any byte past it; states
 * are allocated at ABM_STATE_SIZE(nscalars), as the aggregates do.
 */
#ifndef ABM_FUZZ_STATE_COMMON_H
#define ABM_FUZZ_STATE_COMMON_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "state.h"
#include "nps.h"
#include "survival.h"
#include "churn.h"


/*
 * A test-only state with rows, shaped like the planned survival state:
 * rows (time, events, censored) keyed by time, plus one scalar per merge
 * rule.  Not registered in schemas.c.
 */
static const abm_state_field fuzz_surv_fields[] = {
	{"subjects", ABM_MERGE_SUM, 1},
	{"first", ABM_MERGE_MIN, 0},
	{"last", ABM_MERGE_MAX, 0},
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
	abm_state  *s = malloc(ABM_STATE_SIZE(sch->nscalars));

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

	memcpy(c->scalar, s->scalar, sizeof(int64_t) * (size_t) sch->nscalars);
	c->has_param = s->has_param;
	c->param = s->param;
	c->nrows = s->nrows;
	*rows_out = fuzz_cells(ncells);
	if (ncells > 0)
		memcpy(*rows_out, s->rows, sizeof(int64_t) * ncells);
	c->rows = s->nrows > 0 ? *rows_out : NULL;
	return c;
}

/* Same schema, scalars and rows. */
static int
fuzz_state_equal(const abm_state *a, const abm_state *b)
{
	const abm_state_schema *sch = a->schema;
	size_t		ncells = (size_t) a->nrows * (size_t) sch->ncols;

	if (a->schema != b->schema || a->nrows != b->nrows || a->has_param != b->has_param)
		return 0;
	if (a->has_param && memcmp(&a->param, &b->param, sizeof(double)) != 0)
		return 0;
	if (memcmp(a->scalar, b->scalar, sizeof(int64_t) * (size_t) sch->nscalars) != 0)
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

/* Would merging s with itself overflow a count (or the schema's own rule)? */
static int
fuzz_self_merge_overflows(const abm_state *s)
{
	const abm_state_schema *sch = s->schema;
	int			i,
				c;
	uint32_t	r;

	for (i = 0; i < sch->nscalars; i++)
		if (sch->scalars[i].merge == ABM_MERGE_SUM && s->scalar[i] > INT64_MAX / 2)
			return 1;
	for (r = 0; r < s->nrows; r++)
		for (c = 1; c < sch->ncols; c++)
			if (s->rows[(size_t) r * sch->ncols + c] > INT64_MAX / 2)
				return 1;
	if (sch == &abm_nps_schema)
	{
		/* validated: the sum fits; doubled it must still fit */
		int64_t		n = s->scalar[NPS_DETRACTORS] + s->scalar[NPS_PASSIVES] + s->scalar[NPS_PROMOTERS];

		if (n > INT64_MAX / 2)
			return 1;
	}
	return 0;
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

	for (i = 0; i < sch->nscalars; i++)
		if (sch->scalars[i].nonnegative)
			FUZZ_CHECK(s->scalar[i] >= 0);
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
}

static void fuzz_check_valid_state(const abm_state *s, int depth);

/* Merge a copy of s with s itself, also aliasing into == from. */
static void
fuzz_check_self_merge(const abm_state *s, int depth)
{
	const abm_state_schema *sch = s->schema;
	int			overflows = fuzz_self_merge_overflows(s);
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
		if (overflows)
			FUZZ_CHECK(st == ABM_ERR_RANGE && err.status == ABM_ERR_RANGE);
		else
		{
			FUZZ_CHECK(st == ABM_OK);
			FUZZ_CHECK(into->schema == sch);
			for (i = 0; i < sch->nscalars; i++)
			{
				if (sch->scalars[i].merge == ABM_MERGE_SUM)
					FUZZ_CHECK(into->scalar[i] == 2 * s->scalar[i]);
				else
					FUZZ_CHECK(into->scalar[i] == s->scalar[i]);
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
	fuzz_check_merge_identity(s);
	fuzz_check_merge_short_rowbuf(s);
	fuzz_check_merge_mismatch(s);
}

/* A failed decode must say why, with a status that matches the return. */
static void
fuzz_check_error(abm_status st, const abm_error *err)
{
	FUZZ_CHECK(st == ABM_ERR_SYNTAX || st == ABM_ERR_VERSION || st == ABM_ERR_RANGE);
	/* state_pg.c picks the SQLSTATE from err->status, callers the return */
	if (err->status != st)
		fprintf(stderr, "decoder returned status %d but set err.status %d (\"%.*s\")\n",
				(int) st, (int) err->status, (int) sizeof(err->detail), err->detail);
	FUZZ_CHECK(err->status == st);
	FUZZ_CHECK(memchr(err->detail, '\0', sizeof(err->detail)) != NULL);
	FUZZ_CHECK(err->detail[0] != '\0');
}

#endif							/* ABM_FUZZ_STATE_COMMON_H */
