/*
 * schedule.h — a customer's MRR timeline from its subscription periods, as
 * SPEC.md defines it.  Plain C.
 *
 * A month pays when its first day lies in a period [start, end) (end
 * unknown: open-ended); overlapping periods add up.  The schedule keeps, for
 * each month where the MRR changes, the change: +amount at a period's first
 * paying month, -amount at the first month after it.  The timeline runs
 * from the first paying month to the month after the last paying one (the
 * zero month where churn shows), zero months between a churn and a return
 * included; an open-ended schedule runs to the month it is read through.
 */
#ifndef ABM_SCHEDULE_H
#define ABM_SCHEDULE_H

#include <stdint.h>
#include <string.h>

#include "money.h"
#include "state.h"

/* mrr_schedule: rows (month, change); months count from 2000-01 = 0. */
enum
{
	SCHEDULE_MONTH = 0,
	SCHEDULE_CHANGE = 1,
	SCHEDULE_NCOLS = 2
};

extern const abm_state_schema abm_schedule_schema;

/*
 * The months of PostgreSQL's dates, 4713 BC to 5874897 AD: a schedule's
 * months lie between them, so month arithmetic never overflows.
 */
#define ABM_MONTH_MIN (((int64_t) -4712 - 2000) * 12)
#define ABM_MONTH_MAX (((int64_t) 5874897 - 2000) * 12 + 11)

/* The month of a date (month 0 is January 2000). */
static inline int64_t
abm_month_of(int year, int month)
{
	return ((int64_t) year - 2000) * 12 + (month - 1);
}

/* The first month whose first day is on or after the date. */
static inline int64_t
abm_month_from(int year, int month, int day)
{
	return abm_month_of(year, month) + (day > 1 ? 1 : 0);
}

/* The year and month (1-12) of a month number. */
static inline void
abm_month_parts(int64_t m, int *year, int *month)
{
	int64_t		y = m >= 0 ? m / 12 : -((-m + 11) / 12);

	*year = (int) (2000 + y);
	*month = (int) (m - y * 12) + 1;
}

/*
 * A 128-bit integer kept in memory of 8-byte alignment (PostgreSQL's palloc
 * gives no more, and a bare __int128 member would want 16).
 */
typedef struct abm_units
{
	int64_t		w[2];
} abm_units;

static inline __int128
abm_units_get(abm_units u)
{
	__int128	v;

	memcpy(&v, u.w, sizeof(v));
	return v;
}

static inline abm_units
abm_units_of(__int128 v)
{
	abm_units	u;

	memcpy(u.w, &v, sizeof(v));
	return u;
}

/*
 * The months of a schedule read through `through` (a month number), one at
 * a time.  With 128-bit amounts (the common case) the running MRR is a
 * 128-bit integer of units at the schedule's scale; otherwise, or when a
 * sum passes 128 bits, an abm_money (`wide`).
 */
typedef struct abm_schedule_iter
{
	const abm_state *s;
	uint32_t	next_row;
	int64_t		month;			/* the next month to return */
	int64_t		last;			/* the last month to return */
	int			paid;			/* a month returned so far paid */
	int			wide;
	abm_units	units;			/* MRR of the month before `month` */
	abm_money	money;
} abm_schedule_iter;

typedef struct abm_schedule_month
{
	int64_t		month;
	int			wide;			/* amounts in mrr_money/previous_money, else units */
	abm_units	mrr_units;
	abm_units	previous_units;
	abm_money	mrr_money;
	abm_money	previous_money;
	int			movement;		/* an ABM_MOVEMENT_* code (revenue.h) */
	int			paid_before;	/* a month before this one paid */
} abm_schedule_month;

void		abm_schedule_iter_init(abm_schedule_iter *it, const abm_state *s, int64_t through);

/* The next month into *out: 1, or 0 after the last. */
int			abm_schedule_iter_next(abm_schedule_iter *it, abm_schedule_month *out);

#endif
