/*
 * revenue.h — revenue retention as SPEC.md defines it.  Plain C.
 *
 * From each account's MRR at a period's start (previous) and end (current):
 *   movement      new (0 -> >0, first time), reactivation (0 -> >0, paid
 *                 before), expansion, contraction (still > 0), churn (-> 0),
 *                 flat (unchanged)
 *   MRR bridge    starting + new + reactivation + expansion - contraction
 *                 - churn = ending, exactly
 *   NRR           sum of current / sum of previous over the cohort (previous
 *                 > 0) = (starting + expansion - contraction - churn) / starting
 *   GRR           sum of min(previous, current) / sum of previous over the
 *                 cohort = (starting - contraction - churn) / starting <= 1
 */
#ifndef ABM_REVENUE_H
#define ABM_REVENUE_H

#include "label_enum.h"
#include "money.h"
#include "state.h"

/* mrr_movement codes (one ordered byte each). */
enum
{
	ABM_MOVEMENT_NEW = 10,
	ABM_MOVEMENT_REACTIVATION = 20,
	ABM_MOVEMENT_EXPANSION = 30,
	ABM_MOVEMENT_CONTRACTION = 40,
	ABM_MOVEMENT_CHURN = 50,
	ABM_MOVEMENT_FLAT = 60
};

extern const abm_label_enum abm_mrr_movement_enum;

/*
 * The movement of an account whose MRR went from previous to current:
 * previous_sign and current_sign are each 0 or 1 (amounts are never
 * negative), cmp is the sign of current - previous.  0 -> 0 is flat.
 */
static inline int
abm_mrr_movement_of(int previous_positive, int current_positive, int cmp, int paid_before)
{
	if (!previous_positive)
		return !current_positive ? ABM_MOVEMENT_FLAT
			: (paid_before ? ABM_MOVEMENT_REACTIVATION : ABM_MOVEMENT_NEW);
	if (!current_positive)
		return ABM_MOVEMENT_CHURN;
	return cmp > 0 ? ABM_MOVEMENT_EXPANSION : cmp < 0 ? ABM_MOVEMENT_CONTRACTION : ABM_MOVEMENT_FLAT;
}

/*
 * revenue_state: the MRR bridge of a set of accounts between two dates.
 * Counts first, then the amounts (state.h puts money fields last).
 */
enum
{
	REVENUE_STARTING_ACCOUNTS = 0,	/* previous > 0: the NRR/GRR cohort */
	REVENUE_NEW_ACCOUNTS,
	REVENUE_REACTIVATED_ACCOUNTS,
	REVENUE_EXPANDED_ACCOUNTS,
	REVENUE_CONTRACTED_ACCOUNTS,
	REVENUE_CHURNED_ACCOUNTS,
	REVENUE_FLAT_ACCOUNTS,		/* previous = current > 0 */
	REVENUE_STARTING,			/* money: sum of previous over the cohort */
	REVENUE_NEW,
	REVENUE_REACTIVATION,
	REVENUE_EXPANSION,
	REVENUE_CONTRACTION,
	REVENUE_CHURN,
	REVENUE_NFIELDS
};

#define REVENUE_NCOUNTS REVENUE_STARTING
#define REVENUE_NMONEY (REVENUE_NFIELDS - REVENUE_STARTING)

extern const abm_state_schema abm_revenue_schema;

/*
 * Count one account, amounts >= 0 (the caller checks): the general path,
 * at any scale and width.  On error the state may be partly changed.
 */
abm_status	abm_revenue_add(abm_state *s, const abm_money *previous, const abm_money *current,
							int paid_before, int sign, abm_error *err);

/* Derived amounts of a state, exact (ABM_ERR_LIMIT only past the widest amount). */
abm_status	abm_revenue_ending(const abm_state *s, abm_money *out, abm_error *err);	/* bridge end */
abm_status	abm_revenue_cohort_end(const abm_state *s, abm_money *out, abm_error *err); /* NRR numerator */
abm_status	abm_revenue_retained(const abm_state *s, abm_money *out, abm_error *err);	/* GRR numerator */
int64_t		abm_revenue_ending_accounts(const abm_state *s);

#endif
