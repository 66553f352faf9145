/*
 * revenue.c — the mrr_movement labels and revenue_state arithmetic
 * (see revenue.h).
 */
#include "revenue.h"

#include <string.h>

#define ALIASES(...) ((const char *const[]) {__VA_ARGS__, NULL})

static const abm_label mrr_movement_labels[] = {
	{ABM_MOVEMENT_NEW, "new", "gain", ALIASES("new_business", "new_mrr")},
	{ABM_MOVEMENT_REACTIVATION, "reactivation", "gain", ALIASES("reactivated", "resurrected", "returned")},
	{ABM_MOVEMENT_EXPANSION, "expansion", "gain", ALIASES("expanded", "upgrade", "upsell")},
	{ABM_MOVEMENT_CONTRACTION, "contraction", "loss", ALIASES("contracted", "downgrade")},
	{ABM_MOVEMENT_CHURN, "churn", "loss", ALIASES("churned", "cancellation", "cancelled", "canceled")},
	{ABM_MOVEMENT_FLAT, "flat", "none", ALIASES("unchanged", "retained")},
};

const abm_label_enum abm_mrr_movement_enum = {
	"mrr_movement",
	(int) (sizeof(mrr_movement_labels) / sizeof(mrr_movement_labels[0])),
	mrr_movement_labels,
};

static const abm_state_field revenue_fields[] = {
	{"starting_accounts", ABM_MERGE_SUM, 1, ABM_FIELD_COUNT},
	{"new_accounts", ABM_MERGE_SUM, 1, ABM_FIELD_COUNT},
	{"reactivated_accounts", ABM_MERGE_SUM, 1, ABM_FIELD_COUNT},
	{"expanded_accounts", ABM_MERGE_SUM, 1, ABM_FIELD_COUNT},
	{"contracted_accounts", ABM_MERGE_SUM, 1, ABM_FIELD_COUNT},
	{"churned_accounts", ABM_MERGE_SUM, 1, ABM_FIELD_COUNT},
	{"flat_accounts", ABM_MERGE_SUM, 1, ABM_FIELD_COUNT},
	{"starting", ABM_MERGE_SUM, 1, ABM_FIELD_MONEY},
	{"new", ABM_MERGE_SUM, 1, ABM_FIELD_MONEY},
	{"reactivation", ABM_MERGE_SUM, 1, ABM_FIELD_MONEY},
	{"expansion", ABM_MERGE_SUM, 1, ABM_FIELD_MONEY},
	{"contraction", ABM_MERGE_SUM, 1, ABM_FIELD_MONEY},
	{"churn", ABM_MERGE_SUM, 1, ABM_FIELD_MONEY},
};

/*
 * What accounts make consistent: the cohort's movements are within it, an
 * amount moves only with an account that moved, and the cohort cannot lose
 * more than it started with (so GRR stays in [0, 1]).
 */
static abm_status
revenue_check(const abm_state *s, abm_error *err)
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
	abm_money	lost,
				m,
				starting;
	size_t		i;

	if ((__int128) c[REVENUE_EXPANDED_ACCOUNTS] + c[REVENUE_CONTRACTED_ACCOUNTS] +
		c[REVENUE_CHURNED_ACCOUNTS] + c[REVENUE_FLAT_ACCOUNTS] > c[REVENUE_STARTING_ACCOUNTS])
		return abm_fail(err, ABM_ERR_RANGE,
						"expanded, contracted, churned and flat accounts must not exceed starting_accounts.");
	for (i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++)
	{
		abm_state_get_money(s, pairs[i][1], &m);
		if ((c[pairs[i][0]] == 0) != (abm_money_sign(&m) == 0))
			return abm_fail(err, ABM_ERR_RANGE, "%s and %s must be zero together.",
							s->schema->scalars[pairs[i][0]].name, s->schema->scalars[pairs[i][1]].name);
	}
	abm_state_get_money(s, REVENUE_CONTRACTION, &lost);
	abm_state_get_money(s, REVENUE_CHURN, &m);
	abm_state_get_money(s, REVENUE_STARTING, &starting);
	if (abm_money_add(&lost, &m, 1, err) != ABM_OK)
		return ABM_ERR_LIMIT;
	if (abm_money_cmp(&lost, &starting) > 0)
		return abm_fail(err, ABM_ERR_RANGE, "contraction and churn must not exceed starting.");
	return ABM_OK;
}

const abm_state_schema abm_revenue_schema = {
	.type_name = "revenue_state",
	.kind = 7,
	.nscalars = REVENUE_NFIELDS,
	.scalars = revenue_fields,
	.check = revenue_check,
};

static abm_status
count(abm_state *s, int field, int sign, abm_error *err)
{
	int64_t		v;

	if (__builtin_add_overflow(s->scalar[field], sign, &v) || v < 0)
		return abm_fail(err, ABM_ERR_RANGE, "%s out of range.", s->schema->scalars[field].name);
	s->scalar[field] = v;
	return ABM_OK;
}

abm_status
abm_revenue_add(abm_state *s, const abm_money *previous, const abm_money *current,
				int paid_before, int sign, abm_error *err)
{
	int			cmp = abm_money_cmp(current, previous);
	int			movement = abm_mrr_movement_of(abm_money_sign(previous) > 0,
											   abm_money_sign(current) > 0, cmp, paid_before);
	abm_money	diff;
	abm_status	st = ABM_OK;

	if (abm_money_sign(previous) > 0)
	{
		if ((st = count(s, REVENUE_STARTING_ACCOUNTS, sign, err)) != ABM_OK ||
			(st = abm_state_add_money(s, REVENUE_STARTING, previous, sign, err)) != ABM_OK)
			return st;
	}
	switch (movement)
	{
		case ABM_MOVEMENT_NEW:
			if ((st = count(s, REVENUE_NEW_ACCOUNTS, sign, err)) == ABM_OK)
				st = abm_state_add_money(s, REVENUE_NEW, current, sign, err);
			break;
		case ABM_MOVEMENT_REACTIVATION:
			if ((st = count(s, REVENUE_REACTIVATED_ACCOUNTS, sign, err)) == ABM_OK)
				st = abm_state_add_money(s, REVENUE_REACTIVATION, current, sign, err);
			break;
		case ABM_MOVEMENT_EXPANSION:
		case ABM_MOVEMENT_CONTRACTION:
			diff = *current;
			if ((st = abm_money_add(&diff, previous, -1, err)) != ABM_OK)
				break;
			if (movement == ABM_MOVEMENT_EXPANSION)
			{
				if ((st = count(s, REVENUE_EXPANDED_ACCOUNTS, sign, err)) == ABM_OK)
					st = abm_state_add_money(s, REVENUE_EXPANSION, &diff, sign, err);
			}
			else if ((st = count(s, REVENUE_CONTRACTED_ACCOUNTS, sign, err)) == ABM_OK)
				st = abm_state_add_money(s, REVENUE_CONTRACTION, &diff, -sign, err);
			break;
		case ABM_MOVEMENT_CHURN:
			if ((st = count(s, REVENUE_CHURNED_ACCOUNTS, sign, err)) == ABM_OK)
				st = abm_state_add_money(s, REVENUE_CHURN, previous, sign, err);
			break;
		default:
			if (abm_money_sign(previous) > 0)
				st = count(s, REVENUE_FLAT_ACCOUNTS, sign, err);
			break;
	}
	/* the state's scale is the largest of every input's, as sum()'s is */
	if (st == ABM_OK && sign > 0)
		st = abm_state_money_scale_at_least(s, previous->scale > current->scale ? previous->scale : current->scale,
											err);
	return st;
}

/* starting + sum of sign_i * field_i */
static abm_status
combination(const abm_state *s, const int *fields, const int *signs, int n, abm_money *out,
			abm_error *err)
{
	abm_money	m;
	int			i;

	abm_state_get_money(s, REVENUE_STARTING, out);
	for (i = 0; i < n; i++)
	{
		abm_state_get_money(s, fields[i], &m);
		if (abm_money_add(out, &m, signs[i], err) != ABM_OK)
			return ABM_ERR_LIMIT;
	}
	return ABM_OK;
}

abm_status
abm_revenue_ending(const abm_state *s, abm_money *out, abm_error *err)
{
	static const int f[] = {REVENUE_NEW, REVENUE_REACTIVATION, REVENUE_EXPANSION, REVENUE_CONTRACTION, REVENUE_CHURN};
	static const int sg[] = {1, 1, 1, -1, -1};

	return combination(s, f, sg, 5, out, err);
}

abm_status
abm_revenue_cohort_end(const abm_state *s, abm_money *out, abm_error *err)
{
	static const int f[] = {REVENUE_EXPANSION, REVENUE_CONTRACTION, REVENUE_CHURN};
	static const int sg[] = {1, -1, -1};

	return combination(s, f, sg, 3, out, err);
}

abm_status
abm_revenue_retained(const abm_state *s, abm_money *out, abm_error *err)
{
	static const int f[] = {REVENUE_CONTRACTION, REVENUE_CHURN};
	static const int sg[] = {-1, -1};

	return combination(s, f, sg, 2, out, err);
}

int64_t
abm_revenue_ending_accounts(const abm_state *s)
{
	const int64_t *c = s->scalar;

	return c[REVENUE_STARTING_ACCOUNTS] - c[REVENUE_CHURNED_ACCOUNTS] + c[REVENUE_NEW_ACCOUNTS] +
		c[REVENUE_REACTIVATED_ACCOUNTS];
}
