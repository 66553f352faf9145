/*
 * fuzz_state_common.h — the schemas and invariants shared by the state
 * harnesses (fuzz_state_text.c, fuzz_state_binary.c).  Header-only: each
 * harness is one translation unit built with the pure core sources.
 *
 * Every buffer handed to the core is allocated at exactly the size the API
 * promises to be enough (row buffers in int64 cells), so AddressSanitizer
 * reports any byte past it; states are allocated at abm_state_size(schema),
 * as the aggregates do: only the schema's scalars without money fields, the
 * whole struct with them.
 */
#ifndef ABM_FUZZ_STATE_COMMON_H
#define ABM_FUZZ_STATE_COMMON_H

#include <float.h>
#include <math.h>
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
#include "schedule.h"
#include "cohort.h"
#include "funnel.h"
#include "pipeline.h"
#include "stats.h"
#include "engagement.h"


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
	&abm_schedule_schema,
	&abm_cohort_schema,
	&abm_funnel_schema,
	&abm_stage_path_schema,
	&abm_time_in_stage_schema,
	&abm_proportion_schema,
	&abm_engagement_schema,
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

/* Cells of the rows of s: each row is its key, counts and amounts. */
static size_t
fuzz_row_cells(const abm_state *s)
{
	return (size_t) s->nrows * abm_state_row_cells(s);
}

/* Does the schema have amounts: money fields or money columns? */
static int
fuzz_has_money(const abm_state_schema *sch)
{
	return abm_schema_nmoney(sch) > 0 || sch->nmoneycols > 0;
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
	abm_state  *c = fuzz_state_new(s->schema);
	size_t		ncells = fuzz_row_cells(s);

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

/* Same schema, scalars (amounts: scale, width and every word) and rows, cell by cell. */
static int
fuzz_state_equal(const abm_state *a, const abm_state *b)
{
	size_t		ncells = fuzz_row_cells(a);

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

/*
 * The amounts of a state, counted from 0: its money fields, then each
 * row's money columns in row order.  Their words, money_words of them.
 */
static size_t
fuzz_namounts(const abm_state *s)
{
	return (size_t) abm_schema_nmoney(s->schema) + (size_t) s->nrows * (size_t) s->schema->nmoneycols;
}

static int64_t *
fuzz_amount_cells(const abm_state *s, size_t i)
{
	const abm_state_schema *sch = s->schema;
	size_t		nf = (size_t) abm_schema_nmoney(sch),
				r,
				j;

	if (i < nf)
		return (int64_t *) s->scalar + abm_schema_ncounts(sch) + i * (size_t) s->money_words;
	r = (i - nf) / (size_t) sch->nmoneycols;
	j = (i - nf) % (size_t) sch->nmoneycols;
	return s->rows + r * abm_state_row_cells(s) + (size_t) (sch->ncols - sch->nmoneycols) +
		j * (size_t) s->money_words;
}

/*
 * Twice amount i, from its two's complement words alone (a shift left by
 * one bit), as `words` words.
 */
static void
fuzz_amount_doubled(const abm_state *s, size_t i, int64_t *out, int words)
{
	const int64_t *c = fuzz_amount_cells(s, i);
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

/* Does twice amount i need a word more than the state's width (its top two bits differ)? */
static int
fuzz_amount_doubles_wider(const abm_state *s, size_t i)
{
	int64_t		top = fuzz_amount_cells(s, i)[s->money_words - 1];

	return (top >> 62) != 0 && (top >> 62) != -1;
}

/* Is amount i -2^4095, whose double no amount holds, not even its magnitude? */
static int
fuzz_amount_is_lowest(const abm_state *s, size_t i)
{
	const int64_t *c = fuzz_amount_cells(s, i);
	int			k;

	if (s->money_words != ABM_MONEY_MAX_WORDS || c[ABM_MONEY_MAX_WORDS - 1] != INT64_MIN)
		return 0;
	for (k = 0; k < ABM_MONEY_MAX_WORDS - 1; k++)
		if (c[k] != 0)
			return 0;
	return 1;
}

/* The width of every amount doubled: one word more when one of them needs it. */
static int
fuzz_doubled_words(const abm_state *s)
{
	size_t		i;

	for (i = 0; i < fuzz_namounts(s); i++)
		if (fuzz_amount_doubles_wider(s, i))
			return s->money_words + 1;
	return s->money_words;
}

/*
 * The largest running MRR of a schedule (its rows' changes added in
 * order), from the amounts' words; 0 when it has no rows.
 */
static void
fuzz_schedule_peak(const abm_state *s, abm_money *peak)
{
	abm_money	mrr,
				change;
	uint32_t	r;

	abm_money_zero(&mrr, s->money_scale);
	*peak = mrr;
	for (r = 0; r < s->nrows; r++)
	{
		abm_money_from_cells(fuzz_amount_cells(s, r), s->money_words, s->money_scale, &change);
		FUZZ_CHECK(abm_money_add(&mrr, &change, 1, NULL) == ABM_OK);
		if (abm_money_cmp(&mrr, peak) > 0)
			*peak = mrr;
	}
}

/*
 * What merging s with itself must give, in the order abm_state_merge finds
 * it: money fields first, ABM_ERR_LIMIT when a doubled amount would not fit
 * the widest amount (only possible at ABM_MONEY_MAX_WORDS: twice a value
 * takes one bit more); then count fields, ABM_ERR_RANGE when one would pass
 * INT64_MAX (or nps_state's sum of them); then rows: without amounts any
 * count past INT64_MAX / 2 is ABM_ERR_RANGE; with amounts, row by row, a
 * count is ABM_ERR_RANGE and -2^4095 (whose double has no magnitude) is
 * ABM_ERR_LIMIT, then a double wider than 64 words is ABM_ERR_LIMIT; last
 * the schema's rule, where only a schedule's doubled MRR can pass the
 * widest amount (ABM_ERR_LIMIT).  revenue_check cannot fail: every sum and
 * bound doubles, nor cohort_check: settings stay, retained <= customers;
 * funnel_check only when the doubled placed accounts (the sum of the nine
 * steps) pass INT64_MAX; engagement_check never: the days stay, the
 * weights double and stay >= 0.  MIN and SAME fields (stage_path's first entries
 * and unit, time_in_stage_state's unit) merge with themselves unchanged.
 */
static abm_status fuzz_self_merge_rows_status(const abm_state *s);

static abm_status
fuzz_self_merge_status(const abm_state *s)
{
	const abm_state_schema *sch = s->schema;
	int			nc = abm_schema_ncounts(sch),
				i;
	size_t		k;

	if (s->money_words == ABM_MONEY_MAX_WORDS)
		for (k = 0; k < (size_t) abm_schema_nmoney(sch); k++)
			if (fuzz_amount_doubles_wider(s, k))
				return ABM_ERR_LIMIT;
	for (i = 0; i < nc; i++)
		if (sch->scalars[i].merge == ABM_MERGE_SUM && s->scalar[i] > INT64_MAX / 2)
			return ABM_ERR_RANGE;
	if (sch == &abm_nps_schema)
	{
		/* validated: the sum fits; doubled it must still fit */
		int64_t		n = s->scalar[NPS_DETRACTORS] + s->scalar[NPS_PASSIVES] + s->scalar[NPS_PROMOTERS];

		if (n > INT64_MAX / 2)
			return ABM_ERR_RANGE;
	}
	if (sch == &abm_funnel_schema)
	{
		__int128	placed = 0;

		for (i = 0; i < ABM_FUNNEL_STEPS; i++)
			placed += s->scalar[i];
		if (placed > INT64_MAX / 2)
			return ABM_ERR_RANGE;
	}
	return fuzz_self_merge_rows_status(s);
}

/* The rows' part of fuzz_self_merge_status (and of a row set given s twice). */
static abm_status
fuzz_self_merge_rows_status(const abm_state *s)
{
	const abm_state_schema *sch = s->schema;
	int			fc = sch->ncols - sch->nmoneycols,
				c;
	uint32_t	r;

	for (r = 0; r < s->nrows; r++)
	{
		const int64_t *row = s->rows + (size_t) r * abm_state_row_cells(s);

		for (c = 1; c < fc; c++)
			if (row[c] > INT64_MAX / 2)
				return ABM_ERR_RANGE;
		for (c = 0; c < sch->nmoneycols; c++)
			if (fuzz_amount_is_lowest(s, (size_t) r * (size_t) sch->nmoneycols + (size_t) c))
				return ABM_ERR_LIMIT;
	}
	if (sch->nmoneycols > 0 && fuzz_doubled_words(s) > ABM_MONEY_MAX_WORDS)
		return ABM_ERR_LIMIT;
	if (sch == &abm_schedule_schema)
	{
		abm_money	peak;

		/* twice the peak must have a magnitude of at most 4096 bits */
		fuzz_schedule_peak(s, &peak);
		if (peak.nw == ABM_MONEY_MAX_WORDS && (peak.mag[ABM_MONEY_MAX_WORDS - 1] >> 63) != 0)
			return ABM_ERR_LIMIT;
	}
	return ABM_OK;
}

/*
 * The amounts' own rules, from their words: the scale and width in range,
 * nonnegative fields not below zero, and the width the fewest that holds
 * them (some amount needs its top word: it is not just the sign of the
 * word below).  abm_state_get_money and abm_state_row_money read the same
 * sign.  A state with money columns and no rows is at scale 0.
 */
static void
fuzz_check_money_rules(const abm_state *s)
{
	const abm_state_schema *sch = s->schema;
	int			nc = abm_schema_ncounts(sch),
				w = s->money_words,
				needed = 0;
	size_t		i;

	if (!fuzz_has_money(sch))
	{
		FUZZ_CHECK(s->money_words == 0 && s->money_scale == 0);
		return;
	}
	FUZZ_CHECK(w >= 2 && w <= ABM_MONEY_MAX_WORDS);
	FUZZ_CHECK(s->money_scale >= 0 && s->money_scale <= ABM_MONEY_MAX_SCALE);
	FUZZ_CHECK(abm_state_ncells(s) == (size_t) nc + (size_t) (sch->nscalars - nc) * (size_t) w);
	FUZZ_CHECK(abm_state_row_cells(s) == (size_t) sch->ncols + (size_t) sch->nmoneycols * (size_t) (w - 1));
	if (sch->nmoneycols > 0 && s->nrows == 0)
		FUZZ_CHECK(s->money_scale == 0 && w == 2);
	for (i = 0; i < fuzz_namounts(s); i++)
	{
		const int64_t *c = fuzz_amount_cells(s, i);
		abm_money	m;

		if (i < (size_t) abm_schema_nmoney(sch))
		{
			abm_state_get_money(s, nc + (int) i, &m);
			if (sch->scalars[nc + i].nonnegative)
				FUZZ_CHECK(c[w - 1] >= 0);
		}
		else
		{
			size_t		j = i - (size_t) abm_schema_nmoney(sch);

			abm_state_row_money(s, (uint32_t) (j / (size_t) sch->nmoneycols),
								sch->ncols - sch->nmoneycols + (int) (j % (size_t) sch->nmoneycols), &m);
		}
		FUZZ_CHECK(m.scale == s->money_scale);
		FUZZ_CHECK((abm_money_sign(&m) < 0) == (c[w - 1] < 0));
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

/* mrr_schedule's rule, restated: the running MRR never goes below zero. */
static void
fuzz_check_schedule_rules(const abm_state *s)
{
	abm_money	mrr,
				change;
	uint32_t	r;

	abm_money_zero(&mrr, s->money_scale);
	for (r = 0; r < s->nrows; r++)
	{
		abm_money_from_cells(fuzz_amount_cells(s, r), s->money_words, s->money_scale, &change);
		FUZZ_CHECK(abm_money_add(&mrr, &change, 1, NULL) == ABM_OK);
		FUZZ_CHECK(abm_money_sign(&mrr) >= 0);
	}
}

/*
 * cohort_state's rules, restated (cohort.h): period and through set
 * together, and set when there are cohorts; periods of 1 or 3 months; a
 * cohort starts a period; every period counted has ended by through; no
 * more retained than customers.
 */
static void
fuzz_check_cohort_rules(const abm_state *s)
{
	int64_t		months = s->scalar[COHORT_PERIOD_MONTHS],
				through = s->scalar[COHORT_THROUGH];
	uint32_t	r;

	FUZZ_CHECK((months == ABM_UNSET) == (through == ABM_UNSET));
	FUZZ_CHECK(months == ABM_UNSET ? s->nrows == 0 : (months == 1 || months == 3));
	for (r = 0; r < s->nrows; r++)
	{
		const int64_t *row = s->rows + (size_t) r * abm_state_row_cells(s);
		int64_t		k = ((row[COHORT_KEY] % COHORT_K_LIMIT) + COHORT_K_LIMIT) % COHORT_K_LIMIT,
					cohort = (row[COHORT_KEY] - k) / COHORT_K_LIMIT;

		FUZZ_CHECK(((cohort % months) + months) % months == 0);
		FUZZ_CHECK((__int128) cohort + (k + 1) * months - 1 <= through);
		FUZZ_CHECK(row[COHORT_RETAINED] <= row[COHORT_CUSTOMERS]);
	}
}

/*
 * funnel_state's rule, restated (funnel.h): the placed accounts (the nine
 * steps) fit a bigint and include the churned ones; reached(s) is the sum
 * of the steps from s on.
 */
static void
fuzz_check_funnel_rules(const abm_state *s)
{
	__int128	placed = 0;
	int			t;

	for (t = ABM_FUNNEL_STEPS - 1; t >= 0; t--)
	{
		placed += s->scalar[t];
		FUZZ_CHECK(placed <= INT64_MAX);
		FUZZ_CHECK(abm_funnel_reached(s, t) == (int64_t) placed);
	}
	FUZZ_CHECK(s->scalar[FUNNEL_CHURNED] <= placed);
}

/* A unit of stage_path or time_in_stage_state: days, microseconds, or unset when nothing needs it. */
static int
fuzz_unit_ok(int64_t unit, int needed)
{
	return unit == ABM_TIME_DAYS || unit == ABM_TIME_MICROSECONDS || (unit == ABM_UNSET && !needed);
}

/*
 * stage_path's rule, restated: a unit once any stage is entered.  Its
 * times, from funnel.h's definition in 128 bits: a stage entered ends at
 * the first entry, at or after its own, into any later stage (churned
 * included); the velocity runs from target to onboarding when onboarding
 * is not before target; past ABM_DURATION_MAX, ABM_ERR_RANGE.
 */
static void
fuzz_check_path_rules(const abm_state *s)
{
	const int64_t *first = &s->scalar[PATH_FIRST_ENTRY];
	int			any = 0,
				ok = 1,
				i,
				t;
	int64_t		duration[ABM_FUNNEL_STEPS],
				velocity = -1;
	abm_path_times got;
	abm_error	err;
	abm_status	st;

	for (i = 0; i < ABM_LIFECYCLE_STAGES; i++)
		any |= first[i] != ABM_PATH_NEVER;
	FUZZ_CHECK(fuzz_unit_ok(s->scalar[PATH_UNIT], any));
	for (i = 0; i < ABM_FUNNEL_STEPS; i++)
	{
		__int128	best = -1;

		duration[i] = -1;
		if (first[i] == ABM_PATH_NEVER)
			continue;
		for (t = i + 1; t < ABM_LIFECYCLE_STAGES; t++)
			if (first[t] != ABM_PATH_NEVER && first[t] >= first[i] &&
				(best < 0 || (__int128) first[t] - first[i] < best))
				best = (__int128) first[t] - first[i];
		if (best > ABM_DURATION_MAX)
			ok = 0;
		else
			duration[i] = (int64_t) best;
	}
	if (first[0] != ABM_PATH_NEVER && first[4] != ABM_PATH_NEVER && first[4] >= first[0])
	{
		if ((__int128) first[4] - first[0] > ABM_DURATION_MAX)
			ok = 0;
		else
			velocity = first[4] - first[0];
	}
	memset(&err, 0, sizeof(err));
	st = abm_path_times_of(s, &got, &err);
	if (!ok)
	{
		FUZZ_CHECK(st == ABM_ERR_RANGE && err.status == ABM_ERR_RANGE);
		return;
	}
	FUZZ_CHECK(st == ABM_OK);
	for (i = 0; i < ABM_FUNNEL_STEPS; i++)
		FUZZ_CHECK(got.entered[i] == (first[i] != ABM_PATH_NEVER) && got.duration[i] == duration[i]);
	FUZZ_CHECK(got.velocity == velocity);
}

/*
 * time_in_stage_state's rules, restated: a unit once there are rows; keys
 * name a step (0..8) or the velocity (15) and a duration >= 0; rows count
 * one account or more; no step has more accounts passing it than entering
 * it (the velocity: than entering target).  Each stage's statistics from
 * its rows: the accounts, the mean, and the median (the values at
 * positions (n - 1) / 2 and n / 2 of the sorted accounts, averaged).
 */
static void
fuzz_check_tis_rules(const abm_state *s)
{
	__int128	passed[ABM_FUNNEL_STEPS + 1] = {0};
	uint32_t	r;
	int			slot,
				i;

	FUZZ_CHECK(fuzz_unit_ok(s->scalar[TIS_UNIT], s->nrows > 0));
	for (r = 0; r < s->nrows; r++)
	{
		int64_t		key = s->rows[(size_t) r * 2],
					n = s->rows[(size_t) r * 2 + 1];
		int			stage = (int) (key >> ABM_DURATION_BITS);

		FUZZ_CHECK(key >= 0 && (stage < ABM_FUNNEL_STEPS || stage == ABM_VELOCITY_STAGE));
		FUZZ_CHECK(n > 0);
		passed[stage < ABM_FUNNEL_STEPS ? stage : ABM_FUNNEL_STEPS] += n;
	}
	for (i = 0; i < ABM_FUNNEL_STEPS; i++)
		FUZZ_CHECK(passed[i] <= s->scalar[TIS_ENTERED + i]);
	FUZZ_CHECK(passed[ABM_FUNNEL_STEPS] <= s->scalar[TIS_ENTERED]);

	for (slot = 0; slot <= ABM_FUNNEL_STEPS + 1; slot++)
	{
		/* the steps, the velocity, and stage 9 (churned), which has no rows */
		int			stage = slot < ABM_FUNNEL_STEPS ? slot : slot == ABM_FUNNEL_STEPS ? ABM_VELOCITY_STAGE : ABM_FUNNEL_CHURNED;
		__int128	n = 0,
					seen = 0;
		long double sum = 0;
		double		lo = NAN,
					hi = NAN;
		abm_duration_stats got;

		for (r = 0; r < s->nrows; r++)
			if ((s->rows[(size_t) r * 2] >> ABM_DURATION_BITS) == stage)
				n += s->rows[(size_t) r * 2 + 1];
		for (r = 0; r < s->nrows; r++)
		{
			int64_t		key = s->rows[(size_t) r * 2],
						c = s->rows[(size_t) r * 2 + 1];
			double		d = (double) (key & ABM_DURATION_MAX);

			if ((key >> ABM_DURATION_BITS) != stage)
				continue;
			sum += (long double) c * (long double) (key & ABM_DURATION_MAX);
			if (seen <= (n - 1) / 2 && (n - 1) / 2 < seen + c)
				lo = d;
			if (seen <= n / 2 && n / 2 < seen + c)
				hi = d;
			seen += c;
		}
		abm_time_in_stage_stats(s, stage, &got);
		FUZZ_CHECK(got.passed == (int64_t) n);
		if (n == 0)
			FUZZ_CHECK(isnan(got.median) && isnan(got.mean));
		else
		{
			double		mean = (double) (sum / (long double) n);

			FUZZ_CHECK(got.median == (lo + hi) / 2.0);
			FUZZ_CHECK(fabs(got.mean - mean) <= 1e-9 * mean);
		}
	}
}

/*
 * proportion_state's rule, restated: successes <= trials.  The proportion
 * is their ratio (NaN without trials), inside its Wilson interval.
 */
static void
fuzz_check_proportion_rules(const abm_state *s)
{
	int64_t		x = s->scalar[PROPORTION_SUCCESSES],
				n = s->scalar[PROPORTION_TRIALS];
	double		p = abm_proportion_of(s),
				lo,
				hi;

	FUZZ_CHECK(x <= n);
	if (n == 0)
	{
		FUZZ_CHECK(isnan(p));
		FUZZ_CHECK(abm_wilson_interval((double) x, (double) n, 0.95, &lo, &hi) == 0 && isnan(lo) && isnan(hi));
		return;
	}
	FUZZ_CHECK(p == (double) x / (double) n);
	FUZZ_CHECK(abm_wilson_interval((double) x, (double) n, 0.95, &lo, &hi) == 1);
	FUZZ_CHECK(lo >= 0 && lo <= p * (1 + 1e-12) && hi >= p * (1 - 1e-12) && hi <= 1);
	/* exactly 0 and 1 at the ends (near them, a bound may round to 0 or 1 too) */
	FUZZ_CHECK((x != 0 || lo == 0) && (x != n || hi == 1));
}

/*
 * engagement_state's rule, restated (engagement.h): every day a date
 * PostgreSQL has, every weight >= 0 (its top word, two's complement, not
 * negative).  Read back: nothing as of the day before the first row; as of
 * the last day at least that day's weight (it counts whole, the rest add
 * >= 0), finite when the weights add up to a double; the z-scores run over the longest
 * and shortest baselines (NaN for no rows: a flat baseline of zeros and an
 * empty week).
 */
static void
fuzz_check_engagement_rules(const abm_state *s)
{
	size_t		st = abm_state_row_cells(s);
	uint32_t	r;
	long double total = 0;
	int64_t		first,
				last;
	double		w_last,
				at;

	for (r = 0; r < s->nrows; r++)
	{
		const int64_t *row = s->rows + (size_t) r * st;
		double		w = abm_engagement_row_weight(s, r);

		FUZZ_CHECK(row[ENGAGEMENT_DAY] >= ABM_DAY_MIN && row[ENGAGEMENT_DAY] <= ABM_DAY_MAX);
		FUZZ_CHECK(fuzz_amount_cells(s, r)[s->money_words - 1] >= 0);
		FUZZ_CHECK(w >= 0);		/* +inf past DBL_MAX; never NaN */
		total += w;
	}
	if (s->nrows == 0)
	{
		FUZZ_CHECK(abm_engagement_at(s, 0, 30.0) == 0.0);
		FUZZ_CHECK(isnan(abm_engagement_zscore(s, 0, 2)));
		return;
	}
	first = s->rows[ENGAGEMENT_DAY];
	last = s->rows[(size_t) (s->nrows - 1) * st + ENGAGEMENT_DAY];
	w_last = abm_engagement_row_weight(s, s->nrows - 1);
	FUZZ_CHECK(abm_engagement_at(s, first - 1, 30.0) == 0.0);
	at = abm_engagement_at(s, last, 30.0);
	if (total <= DBL_MAX / 2)
		FUZZ_CHECK(isfinite(at) && at >= w_last);
	(void) abm_engagement_zscore(s, last, 2);
	(void) abm_engagement_zscore(s, first, ABM_MAX_BASELINE_WEEKS);
}

/*
 * The documented rules, checked here independently of abm_state_validate:
 * nonnegative fields, keys strictly increasing, counts nonnegative, no row
 * of zeros among rows with amounts, and each schema's own rule.
 */
static void
fuzz_check_rules(const abm_state *s)
{
	const abm_state_schema *sch = s->schema;
	size_t		st = abm_state_row_cells(s);
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
		const int64_t *row = s->rows + (size_t) r * st;
		size_t		k;

		if (r > 0)
			FUZZ_CHECK(row[0] > row[-(ptrdiff_t) st]);
		for (c = 1; c < sch->ncols - sch->nmoneycols; c++)
			FUZZ_CHECK(row[c] >= 0);
		if (sch->nmoneycols > 0)
		{
			for (k = 1; k < st && row[k] == 0; k++)
				;
			FUZZ_CHECK(k < st);
		}
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
	if (sch == &abm_schedule_schema)
		fuzz_check_schedule_rules(s);
	if (sch == &abm_cohort_schema)
		fuzz_check_cohort_rules(s);
	if (sch == &abm_funnel_schema)
		fuzz_check_funnel_rules(s);
	if (sch == &abm_stage_path_schema)
		fuzz_check_path_rules(s);
	if (sch == &abm_time_in_stage_schema)
		fuzz_check_tis_rules(s);
	if (sch == &abm_proportion_schema)
		fuzz_check_proportion_rules(s);
	if (sch == &abm_engagement_schema)
		fuzz_check_engagement_rules(s);
}

static void fuzz_check_valid_state(const abm_state *s, int depth);

/* Merge a copy of s with s itself, also aliasing into == from. */
static void
fuzz_check_self_merge(const abm_state *s, int depth)
{
	const abm_state_schema *sch = s->schema;
	abm_status	want = fuzz_self_merge_status(s);
	int			nc = abm_schema_ncounts(sch),
				fc = sch->ncols - sch->nmoneycols;
	int			pass;

	for (pass = 0; pass < 2; pass++)
	{
		int64_t    *copy_rows;
		abm_state  *into = fuzz_state_copy(s, &copy_rows);
		size_t		cap = abm_state_merge_cells(into, s);
		int64_t    *rowbuf = fuzz_cells(cap);
		abm_error	err;
		abm_status	st;
		int			i,
					c;
		uint32_t	r;
		size_t		k;

		memset(&err, 0, sizeof(err));
		/* the cells a merge takes: both sides' rows, or with amounts exactly its rows */
		if (sch->nmoneycols == 0)
			FUZZ_CHECK(cap == 2 * fuzz_row_cells(s));
		else if (want == ABM_OK)
			FUZZ_CHECK(cap == (size_t) s->nrows * ((size_t) sch->ncols + (size_t) sch->nmoneycols * (size_t) (fuzz_doubled_words(s) - 1)));
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
			/* amounts: doubled, at the same scale, a word wider exactly when one needs it */
			FUZZ_CHECK(into->money_scale == s->money_scale);
			FUZZ_CHECK(into->money_words == fuzz_doubled_words(s));
			for (k = 0; k < fuzz_namounts(s); k++)
			{
				int64_t		twice[ABM_MONEY_MAX_WORDS];

				fuzz_amount_doubled(s, k, twice, into->money_words);
				FUZZ_CHECK(memcmp(fuzz_amount_cells(into, k), twice, sizeof(int64_t) * (size_t) into->money_words) == 0);
			}
			/* equal keys collapse: the same rows, counts doubled */
			FUZZ_CHECK(into->nrows == s->nrows);
			for (r = 0; r < s->nrows; r++)
			{
				const int64_t *a = into->rows + (size_t) r * abm_state_row_cells(into);
				const int64_t *b = s->rows + (size_t) r * abm_state_row_cells(s);

				FUZZ_CHECK(a[0] == b[0]);
				for (c = 1; c < fc; c++)
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
	size_t		cap = abm_state_merge_cells(empty, s);
	int64_t    *rowbuf = fuzz_cells(cap);
	abm_error	err;

	FUZZ_CHECK(cap == fuzz_row_cells(s));
	FUZZ_CHECK(abm_state_merge(empty, s, rowbuf, cap, &err) == ABM_OK);
	FUZZ_CHECK(fuzz_state_equal(empty, s));
	abm_state_init(empty, sch);
	FUZZ_CHECK(abm_state_merge_cells(copy, empty) == 0);
	FUZZ_CHECK(abm_state_merge(copy, empty, NULL, 0, &err) == ABM_OK);
	FUZZ_CHECK(fuzz_state_equal(copy, s));
	free(rowbuf);
	free(copy_rows);
	free(copy);
	free(empty);
}

/* Too little room for the merged rows, by one cell, is an error, not an overflow. */
static void
fuzz_check_merge_short_rowbuf(const abm_state *s)
{
	int64_t    *copy_rows;
	abm_state  *into;
	size_t		cap;
	int64_t    *rowbuf;
	abm_error	err;
	abm_status	st;

	if (s->nrows == 0 || (s->schema->nmoneycols > 0 && fuzz_self_merge_status(s) != ABM_OK))
		return;
	into = fuzz_state_copy(s, &copy_rows);
	cap = abm_state_merge_cells(into, s) - 1;
	rowbuf = fuzz_cells(cap);
	memset(&err, 0, sizeof(err));
	st = abm_state_merge(into, s, rowbuf, cap, &err);
	FUZZ_CHECK(st == ABM_ERR_RANGE && err.status == ABM_ERR_RANGE);
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

static void *
fuzz_alloc(void *ctx, size_t size)
{
	(void) ctx;
	return malloc(size);
}

static void
fuzz_release(void *ctx, void *p)
{
	(void) ctx;
	free(p);
}

/* Do the rows of a (from a row set) equal the rows of b, b's rows of zero counts left out? */
static int
fuzz_rows_equal_nonzero(const abm_state *a, const abm_state *b)
{
	size_t		st = abm_state_row_cells(b);
	uint32_t	r,
				n = 0;

	if (a->money_scale != b->money_scale || a->money_words != b->money_words)
		return 0;
	for (r = 0; r < b->nrows; r++)
	{
		const int64_t *row = b->rows + (size_t) r * st;
		size_t		k;

		for (k = 1; k < st && row[k] == 0; k++)
			;
		if (k == st)
			continue;
		if (n >= a->nrows || memcmp(a->rows + (size_t) n * st, row, sizeof(int64_t) * st) != 0)
			return 0;
		n++;
	}
	return n == a->nrows && (n > 0 || a->rows == NULL);
}

/*
 * The per-row path of an aggregate: a row set given s twice holds the
 * rows of s merged with itself; taking s out once leaves the rows of s,
 * twice none (all-zero rows are not kept).  When the self-merge fails,
 * the row set refuses the second add, or its rows are no valid state.
 */
static void
fuzz_check_rowset(const abm_state *s)
{
	const abm_state_schema *sch = s->schema;
	abm_allocator mem = {fuzz_alloc, fuzz_release, NULL};
	abm_status	want = fuzz_self_merge_rows_status(s);
	abm_rowset	rs;
	abm_state  *t,
			   *twice;
	int64_t    *copy_rows,
			   *twice_rows,
			   *rowbuf;
	abm_error	err;
	abm_status	st;
	size_t		cap;

	if (sch->ncols == 0)
		return;
	abm_rowset_init(&rs, sch, mem);
	t = fuzz_state_copy(s, &copy_rows);
	memset(&err, 0, sizeof(err));
	FUZZ_CHECK(abm_rowset_add_state(&rs, s, 1, &err) == ABM_OK);
	st = abm_rowset_add_state(&rs, s, 1, &err);
	if (want != ABM_OK)
	{
		if (st == ABM_OK)
		{
			abm_rowset_finish(&rs, t);
			FUZZ_CHECK(abm_state_validate(t, &err) != ABM_OK);
		}
		else
			FUZZ_CHECK((st == ABM_ERR_RANGE || st == ABM_ERR_LIMIT) && err.status == st);
		abm_rowset_free(&rs);
		free(copy_rows);
		free(t);
		return;
	}
	FUZZ_CHECK(st == ABM_OK);
	twice = fuzz_state_copy(s, &twice_rows);
	cap = abm_state_merge_cells(twice, s);
	rowbuf = fuzz_cells(cap);
	abm_rowset_finish(&rs, t);
	if (fuzz_self_merge_status(s) == ABM_OK)
	{
		FUZZ_CHECK(abm_state_merge(twice, s, rowbuf, cap, &err) == ABM_OK);
		FUZZ_CHECK(fuzz_rows_equal_nonzero(t, twice));
	}
	FUZZ_CHECK(abm_rowset_add_state(&rs, s, -1, &err) == ABM_OK);
	abm_rowset_finish(&rs, t);
	FUZZ_CHECK(fuzz_rows_equal_nonzero(t, s));
	FUZZ_CHECK(abm_rowset_add_state(&rs, s, -1, &err) == ABM_OK);
	abm_rowset_finish(&rs, t);
	FUZZ_CHECK(t->nrows == 0 && t->rows == NULL);
	FUZZ_CHECK(sch->nmoneycols == 0 || (t->money_scale == 0 && t->money_words == 2));
	abm_rowset_free(&rs);
	free(rowbuf);
	free(twice_rows);
	free(twice);
	free(copy_rows);
	free(t);
}

/* Are the schedule's months few and within a date's range? */
static int
fuzz_schedule_tame(const abm_state *s, int64_t span)
{
	int64_t		first,
				last;

	if (s->nrows == 0)
		return 1;
	first = s->rows[0];
	last = s->rows[(size_t) (s->nrows - 1) * abm_state_row_cells(s)];
	return (__int128) last - first <= span;
}

/* Is an MRR (units at the schedule's scale, >= 0) past 2^127 - 1? */
static int
fuzz_past_127_bits(const abm_money *m)
{
	return m->nw > 2 || (m->nw == 2 && (m->mag[1] >> 63) != 0);
}

/*
 * A schedule's timeline through `through`, month by month from its first
 * row to its last (or `through` while the MRR is not back to zero): each
 * month's MRR the sum of the changes so far, the month before's, the
 * movement between them spelled out, whether a month before paid; 128-bit
 * units until the MRR passes 127 bits, in full after.
 */
static void
fuzz_check_timeline(const abm_state *s, int64_t through)
{
	abm_schedule_iter it;
	abm_schedule_month out;
	abm_money	mrr,
				prev,
				total,
				change;
	uint32_t	r,
				next = 0;
	int64_t		m,
				last;
	int			paid = 0,
				wide = s->money_words != 2;

	abm_schedule_iter_init(&it, s, through);
	if (s->nrows == 0)
	{
		FUZZ_CHECK(abm_schedule_iter_next(&it, &out) == 0);
		return;
	}
	abm_money_zero(&total, s->money_scale);
	for (r = 0; r < s->nrows; r++)
	{
		abm_money_from_cells(fuzz_amount_cells(s, r), s->money_words, s->money_scale, &change);
		FUZZ_CHECK(abm_money_add(&total, &change, 1, NULL) == ABM_OK);
	}
	last = abm_money_sign(&total) > 0 ? through : s->rows[(size_t) (s->nrows - 1) * abm_state_row_cells(s)];
	if (last > through)
		last = through;
	abm_money_zero(&mrr, s->money_scale);
	for (m = s->rows[0]; m <= last; m++)
	{
		int			p,
					c,
					cmp,
					movement;
		abm_money	got,
					got_prev;

		prev = mrr;
		if (next < s->nrows && s->rows[(size_t) next * abm_state_row_cells(s)] == m)
		{
			abm_money_from_cells(fuzz_amount_cells(s, next), s->money_words, s->money_scale, &change);
			FUZZ_CHECK(abm_money_add(&mrr, &change, 1, NULL) == ABM_OK);
			next++;
		}
		wide |= fuzz_past_127_bits(&mrr);
		FUZZ_CHECK(abm_schedule_iter_next(&it, &out) == 1);
		FUZZ_CHECK(out.month == m && out.wide == wide && out.paid_before == paid);
		if (out.wide)
		{
			got = out.mrr_money;
			got_prev = out.previous_money;
		}
		else
		{
			abm_money_from_units(abm_units_get(out.mrr_units), s->money_scale, &got);
			abm_money_from_units(abm_units_get(out.previous_units), s->money_scale, &got_prev);
		}
		FUZZ_CHECK(got.scale == s->money_scale && abm_money_cmp(&got, &mrr) == 0);
		FUZZ_CHECK(got_prev.scale == s->money_scale && abm_money_cmp(&got_prev, &prev) == 0);
		p = abm_money_sign(&prev) > 0;
		c = abm_money_sign(&mrr) > 0;
		cmp = abm_money_cmp(&mrr, &prev);
		movement = !p && c ? (paid ? ABM_MOVEMENT_REACTIVATION : ABM_MOVEMENT_NEW)
			: p && !c ? ABM_MOVEMENT_CHURN
			: p && cmp > 0 ? ABM_MOVEMENT_EXPANSION
			: p && cmp < 0 ? ABM_MOVEMENT_CONTRACTION : ABM_MOVEMENT_FLAT;
		FUZZ_CHECK(out.movement == movement);
		paid |= c;
	}
	FUZZ_CHECK(abm_schedule_iter_next(&it, &out) == 0);
}

/*
 * A schedule counted in cohorts of `period` months through `through`: its
 * cohort is the period of its first row; for k = 0, 1, ... while period k
 * has ended, one customer, retained when the MRR of the period's last month
 * is above zero, the MRR of the first month and of that last one.  Taken
 * back out, nothing is left.
 */
static void
fuzz_check_cohorts(const abm_state *s, int period, int64_t through)
{
	abm_allocator mem = {fuzz_alloc, fuzz_release, NULL};
	abm_rowset	rs;
	abm_state  *c = fuzz_state_new(&abm_cohort_schema);
	abm_error	err;
	abm_money	start,
				mrr,
				change,
				m;
	__int128	first,
				cohort,
				k;
	uint32_t	r = 0,
				next = 0;

	abm_rowset_init(&rs, &abm_cohort_schema, mem);
	memset(&err, 0, sizeof(err));
	if (abm_cohort_add_schedule(&rs, s, period, through, 1, &err) != ABM_OK)
	{
		/* only an MRR that no amount holds (2^4095 or more) is refused */
		fuzz_schedule_peak(s, &m);
		FUZZ_CHECK(err.status == ABM_ERR_LIMIT && m.nw == ABM_MONEY_MAX_WORDS &&
				   (m.mag[ABM_MONEY_MAX_WORDS - 1] >> 63) != 0);
		abm_rowset_free(&rs);
		free(c);
		return;
	}
	c->scalar[COHORT_PERIOD_MONTHS] = period;
	c->scalar[COHORT_THROUGH] = through;
	abm_rowset_finish(&rs, c);
	if (abm_state_validate(c, &err) != ABM_OK)
		fprintf(stderr, "cohorts of a schedule rejected: %s\n", err.detail);
	FUZZ_CHECK(abm_state_validate(c, &err) == ABM_OK);
	if (s->nrows > 0)
	{
		/* in 128 bits: months far out must not wrap here too */
		first = s->rows[0];
		cohort = first - ((first % period) + period) % period;
		abm_money_from_cells(fuzz_amount_cells(s, 0), s->money_words, s->money_scale, &start);
		abm_money_zero(&mrr, s->money_scale);
		for (k = 0; k < COHORT_K_LIMIT && cohort + (k + 1) * period - 1 <= through; k++, r++)
		{
			const int64_t *row;

			while (next < s->nrows && s->rows[(size_t) next * abm_state_row_cells(s)] <= cohort + (k + 1) * period - 1)
			{
				abm_money_from_cells(fuzz_amount_cells(s, next), s->money_words, s->money_scale, &change);
				FUZZ_CHECK(abm_money_add(&mrr, &change, 1, NULL) == ABM_OK);
				next++;
			}
			FUZZ_CHECK(r < c->nrows);
			row = c->rows + (size_t) r * abm_state_row_cells(c);
			FUZZ_CHECK(row[COHORT_KEY] == cohort * COHORT_K_LIMIT + k);
			FUZZ_CHECK(row[COHORT_CUSTOMERS] == 1 && row[COHORT_RETAINED] == (abm_money_sign(&mrr) > 0));
			abm_state_row_money(c, r, COHORT_STARTING, &m);
			FUZZ_CHECK(abm_money_cmp(&m, &start) == 0 && m.scale == s->money_scale);
			abm_state_row_money(c, r, COHORT_MRR, &m);
			FUZZ_CHECK(abm_money_cmp(&m, &mrr) == 0);
		}
	}
	FUZZ_CHECK(r == c->nrows);
	FUZZ_CHECK(abm_cohort_add_schedule(&rs, s, period, through, -1, &err) == ABM_OK);
	abm_rowset_finish(&rs, c);
	FUZZ_CHECK(c->nrows == 0 && c->money_scale == 0 && c->money_words == 2);
	abm_rowset_free(&rs);
	free(c);
}

/*
 * Rows with amounts packed from their parts (keys, counts, amounts) are the
 * rows of s again, in exactly their cells; one cell fewer is refused.
 */
static void
fuzz_check_pack(const abm_state *s)
{
	const abm_state_schema *sch = s->schema;
	int			fc = sch->ncols - sch->nmoneycols,
				c;
	size_t		cells = fuzz_row_cells(s);
	int64_t    *keys = fuzz_cells(s->nrows),
			   *counts = fuzz_cells((size_t) s->nrows * (size_t) (fc - 1)),
			   *rowbuf = fuzz_cells(cells);
	abm_money  *amounts = malloc(sizeof(abm_money) * (fuzz_namounts(s) + 1));
	int64_t    *copy_rows;
	abm_state  *p = fuzz_state_copy(s, &copy_rows);
	abm_error	err;
	uint32_t	r;

	if (sch->nmoneycols == 0)
		goto out;
	FUZZ_CHECK(amounts != NULL);
	for (r = 0; r < s->nrows; r++)
	{
		const int64_t *row = s->rows + (size_t) r * abm_state_row_cells(s);

		keys[r] = row[0];
		for (c = 1; c < fc; c++)
			counts[(size_t) r * (size_t) (fc - 1) + (size_t) (c - 1)] = row[c];
		for (c = 0; c < sch->nmoneycols; c++)
			abm_state_row_money(s, r, fc + c, &amounts[(size_t) r * (size_t) sch->nmoneycols + (size_t) c]);
	}
	memset(&err, 0, sizeof(err));
	if (cells > 0)
		FUZZ_CHECK(abm_state_pack_rows(p, keys, counts, amounts, s->nrows, rowbuf, cells - 1, &err) == ABM_ERR_RANGE);
	FUZZ_CHECK(abm_state_pack_rows(p, keys, counts, amounts, s->nrows, rowbuf, cells, &err) == ABM_OK);
	FUZZ_CHECK(fuzz_state_equal(p, s));
out:
	free(amounts);
	free(keys);
	free(counts);
	free(rowbuf);
	free(copy_rows);
	free(p);
}

/*
 * Merged with its amounts negated (counts zero), a state's rows cancel:
 * none is left, with exactly abm_state_merge_cells cells (none).
 */
static void
fuzz_check_cancel(const abm_state *s)
{
	const abm_state_schema *sch = s->schema;
	int64_t    *neg_rows,
			   *rowbuf;
	abm_state  *neg,
			   *into;
	int64_t    *copy_rows;
	size_t		k,
				cap;
	uint32_t	r;
	abm_error	err;

	if (sch->nmoneycols == 0 || s->nrows == 0)
		return;
	neg = fuzz_state_copy(s, &neg_rows);
	for (r = 0; r < s->nrows; r++)
	{
		int64_t    *row = neg->rows + (size_t) r * abm_state_row_cells(s);
		int			c;

		for (c = 1; c < sch->ncols - sch->nmoneycols; c++)
			row[c] = 0;
	}
	for (k = 0; k < fuzz_namounts(s); k++)
	{
		abm_money	m;

		abm_money_from_cells(fuzz_amount_cells(s, k), s->money_words, s->money_scale, &m);
		if (m.nw > 0)
			m.neg = !m.neg;
		if (abm_money_words(&m) > s->money_words)
			goto out;			/* -(-2^(64w-1)) does not fit w words */
		abm_money_to_cells(&m, fuzz_amount_cells(neg, k), s->money_words);
	}
	for (r = 0; r < s->nrows; r++)
	{
		const int64_t *row = s->rows + (size_t) r * abm_state_row_cells(s);
		int			c;

		for (c = 1; c < sch->ncols - sch->nmoneycols; c++)
			if (row[c] != 0)
				goto out;		/* counts cannot cancel */
	}
	into = fuzz_state_copy(s, &copy_rows);
	cap = abm_state_merge_cells(into, neg);
	FUZZ_CHECK(cap == 0);
	rowbuf = fuzz_cells(cap);
	FUZZ_CHECK(abm_state_merge(into, neg, rowbuf, cap, &err) == ABM_OK);
	FUZZ_CHECK(into->nrows == 0 && into->rows == NULL && into->money_scale == 0 && into->money_words == 2);
	free(rowbuf);
	free(copy_rows);
	free(into);
out:
	free(neg_rows);
	free(neg);
}

/*
 * Everything a decoded (valid) state must satisfy: it validates, its text
 * and binary forms decode back to the same state, the bounds on row cells
 * hold (one cell fewer is refused, not overrun), and merging behaves.
 */
static void
fuzz_check_valid_state(const abm_state *s, int depth)
{
	const abm_state_schema *sch = s->schema;
	abm_error	err;
	size_t		tlen,
				blen,
				cap,
				cells = fuzz_row_cells(s);
	char	   *text;
	uint8_t    *bin;
	int64_t    *rowbuf;
	abm_state  *back;
	char	   *text2;
	size_t		tlen2;

	FUZZ_CHECK(abm_state_validate(s, &err) == ABM_OK);
	FUZZ_CHECK(sch->ncols > 0 || s->nrows == 0);
	fuzz_check_rules(s);

	/* text round trip, into the cells abm_state_text_cells asks for */
	text = fuzz_to_text(s, &tlen);
	fuzz_check_truncated_text(s, text, tlen, 0);
	fuzz_check_truncated_text(s, text, tlen, 1);
	fuzz_check_truncated_text(s, text, tlen, tlen / 2);
	fuzz_check_truncated_text(s, text, tlen, tlen);
	cap = abm_state_text_cells(sch, text, tlen);
	FUZZ_CHECK(sch->nmoneycols > 0 ? cap == cells : cap >= cells);
	rowbuf = fuzz_cells(cap);
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

	/* binary round trip, into the bound and into exactly the rows' cells */
	blen = abm_state_binary_size(s);
	bin = malloc(blen);
	FUZZ_CHECK(bin != NULL);
	abm_state_to_binary(s, bin);
	FUZZ_CHECK(bin[0] == ABM_STATE_VERSION);
	cap = abm_state_binary_max_cells(sch, blen);
	FUZZ_CHECK(cap >= cells);
	FUZZ_CHECK(sch->nmoneycols > 0 || cap == (size_t) abm_state_binary_max_rows(sch, blen) * (size_t) sch->ncols);
	rowbuf = fuzz_cells(cap);
	back = fuzz_state_new(sch);
	memset(&err, 0, sizeof(err));
	if (abm_state_from_binary(sch, bin, blen, back, rowbuf, cap, &err) != ABM_OK)
	{
		fprintf(stderr, "to_binary output rejected by from_binary (text \"%s\"): %s\n", text, err.detail);
		FUZZ_CHECK(!"binary round trip");
	}
	FUZZ_CHECK(fuzz_state_equal(back, s));
	free(rowbuf);
	rowbuf = fuzz_cells(cells);
	FUZZ_CHECK(abm_state_from_binary(sch, bin, blen, back, rowbuf, cells, &err) == ABM_OK);
	FUZZ_CHECK(fuzz_state_equal(back, s));
	/* the same bytes with a cell too few of room: refused, not overrun */
	if (cells > 0)
	{
		abm_state  *b2 = fuzz_state_new(sch);
		int64_t    *rb2 = fuzz_cells(cells - 1);

		memset(&err, 0, sizeof(err));
		FUZZ_CHECK(abm_state_from_binary(sch, bin, blen, b2, rb2, cells - 1, &err) == ABM_ERR_RANGE);
		FUZZ_CHECK(err.status == ABM_ERR_RANGE);
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
	cap = abm_state_payload_max_cells(sch, blen);
	FUZZ_CHECK(cap >= cells);
	rowbuf = fuzz_cells(cap);
	back = fuzz_state_new(sch);
	memset(&err, 0, sizeof(err));
	if (abm_state_from_payload(sch, bin, blen, back, rowbuf, cap, &err) != ABM_OK)
	{
		fprintf(stderr, "to_native output rejected by from_payload (text \"%s\"): %s\n", text, err.detail);
		FUZZ_CHECK(!"native round trip");
	}
	FUZZ_CHECK(fuzz_state_equal(back, s));
	if (cells > 0)
	{
		int64_t    *rb2 = fuzz_cells(cells - 1);

		FUZZ_CHECK(abm_state_from_payload(sch, bin, blen, back, rb2, cells - 1, &err) == ABM_ERR_RANGE);
		free(rb2);
	}
	free(back);
	free(rowbuf);
	free(bin);
	free(text);

	/* merge, and the row set of the per-row path */
	fuzz_check_self_merge(s, depth);
	fuzz_check_subtract(s);
	fuzz_check_merge_identity(s);
	fuzz_check_merge_short_rowbuf(s);
	fuzz_check_merge_mismatch(s);
	if (depth == 0)
	{
		fuzz_check_rowset(s);
		fuzz_check_pack(s);
	}
	fuzz_check_cancel(s);

	/* a schedule's timeline and cohorts, when its months are few enough to walk */
	if (sch == &abm_schedule_schema && depth == 0 && fuzz_schedule_tame(s, 600))
	{
		int64_t		first = s->nrows > 0 ? s->rows[0] : 0,
					last = s->nrows > 0 ? s->rows[(size_t) (s->nrows - 1) * abm_state_row_cells(s)] : 0;

		fuzz_check_timeline(s, first - 1);
		fuzz_check_timeline(s, first + (last - first) / 2);
		fuzz_check_timeline(s, last);
		fuzz_check_timeline(s, last + 3);
		fuzz_check_cohorts(s, 1, last + 2);
		fuzz_check_cohorts(s, 3, first + (last - first) / 2);
		fuzz_check_cohorts(s, 3, last + 7);
	}
}

/*
 * A failed decode must say why, with a status that matches the return.
 * ABM_ERR_LIMIT only for amounts: wider than 4096 bits, more than 1000
 * digits after the point, or a schedule's MRR past 4096 bits.
 */
static void
fuzz_check_error(const abm_state_schema *sch, abm_status st, const abm_error *err)
{
	FUZZ_CHECK(st == ABM_ERR_SYNTAX || st == ABM_ERR_VERSION || st == ABM_ERR_RANGE ||
			   (st == ABM_ERR_LIMIT && fuzz_has_money(sch)));
	/* state_pg.c picks the SQLSTATE from err->status, callers the return */
	if (err->status != st)
		fprintf(stderr, "decoder returned status %d but set err.status %d (\"%.*s\")\n",
				(int) st, (int) err->status, (int) sizeof(err->detail), err->detail);
	FUZZ_CHECK(err->status == st);
	FUZZ_CHECK(memchr(err->detail, '\0', sizeof(err->detail)) != NULL);
	FUZZ_CHECK(err->detail[0] != '\0');
}

#endif							/* ABM_FUZZ_STATE_COMMON_H */
