/*
 * schedule.c — the mrr_schedule state and its timeline (see schedule.h).
 */
#include "schedule.h"

#include <inttypes.h>
#include <string.h>

#include "revenue.h"

static const char *const schedule_cols[] = {"month", "change"};

/* Amounts are never negative, so neither is the MRR of any month. */
static abm_status
schedule_check(const abm_state *s, abm_error *err)
{
	abm_money	mrr,
				change;
	uint32_t	r;

	abm_money_zero(&mrr, s->money_scale);
	for (r = 0; r < s->nrows; r++)
	{
		int64_t		month = s->rows[(size_t) r * abm_state_row_cells(s)];

		if (month < ABM_MONTH_MIN || month > ABM_MONTH_MAX)
			return abm_fail(err, ABM_ERR_RANGE, "month %" PRId64 " is outside the dates of PostgreSQL (%" PRId64 " to %" PRId64 ").",
							month, ABM_MONTH_MIN, ABM_MONTH_MAX);
		abm_state_row_money(s, r, SCHEDULE_CHANGE, &change);
		if (abm_money_add(&mrr, &change, 1, err) != ABM_OK)
			return ABM_ERR_LIMIT;
		if (abm_money_sign(&mrr) < 0)
			return abm_fail(err, ABM_ERR_RANGE, "the MRR of month %" PRId64 " would be negative.",
							s->rows[(size_t) r * abm_state_row_cells(s)]);
	}
	return ABM_OK;
}

const abm_state_schema abm_schedule_schema = {
	.type_name = "mrr_schedule",
	.kind = 8,
	.nscalars = 0,
	.ncols = SCHEDULE_NCOLS,
	.col_names = schedule_cols,
	.nmoneycols = 1,
	.check = schedule_check,
};

/* The change of row r as a 128-bit integer, when the schedule is that narrow. */
static __int128
row_units(const abm_state *s, uint32_t r)
{
	__int128	v;

	memcpy(&v, s->rows + (size_t) r * abm_state_row_cells(s) + 1, sizeof(v));
	return v;
}

void
abm_schedule_iter_init(abm_schedule_iter *it, const abm_state *s, int64_t through)
{
	abm_money	total,
				change;
	uint32_t	r;

	memset(it, 0, sizeof(*it));
	it->s = s;
	it->wide = s->money_words != 2;
	abm_money_zero(&it->money, s->money_scale);
	if (s->nrows == 0)
	{
		it->month = 1;
		it->last = 0;			/* nothing */
		return;
	}
	/* open-ended when the changes do not add up to zero */
	abm_money_zero(&total, s->money_scale);
	for (r = 0; r < s->nrows; r++)
	{
		abm_state_row_money(s, r, SCHEDULE_CHANGE, &change);
		(void) abm_money_add(&total, &change, 1, NULL);	/* validated: fits */
	}
	it->month = s->rows[0];
	it->last = abm_money_sign(&total) > 0 ? through
		: s->rows[(size_t) (s->nrows - 1) * abm_state_row_cells(s)];
	if (it->last > through)
		it->last = through;
}

int
abm_schedule_iter_next(abm_schedule_iter *it, abm_schedule_month *out)
{
	const abm_state *s = it->s;
	int			prev_pos,
				cur_pos,
				cmp;

	if (it->month > it->last)
		return 0;
	out->month = it->month;
	out->wide = it->wide;
	out->paid_before = it->paid;
	if (!it->wide)
	{
		__int128	mrr = abm_units_get(it->units),
					previous = mrr;

		out->previous_units = it->units;
		while (it->next_row < s->nrows && s->rows[(size_t) it->next_row * abm_state_row_cells(s)] == it->month)
		{
			if (__builtin_add_overflow(mrr, row_units(s, it->next_row), &mrr))
			{
				/* past 128 bits: go on in full width from this month */
				it->wide = 1;
				abm_money_from_units(abm_units_get(it->units), s->money_scale, &it->money);
				break;
			}
			it->next_row++;
		}
		if (!it->wide)
		{
			it->units = abm_units_of(mrr);
			out->mrr_units = it->units;
			prev_pos = previous > 0;
			cur_pos = mrr > 0;
			cmp = (mrr > previous) - (mrr < previous);
			goto done;
		}
		out->wide = 1;
	}
	out->previous_money = it->money;
	while (it->next_row < s->nrows && s->rows[(size_t) it->next_row * abm_state_row_cells(s)] == it->month)
	{
		abm_money	change;

		abm_state_row_money(s, it->next_row, SCHEDULE_CHANGE, &change);
		(void) abm_money_add(&it->money, &change, 1, NULL);	/* validated: fits */
		it->next_row++;
	}
	out->mrr_money = it->money;
	prev_pos = abm_money_sign(&out->previous_money) > 0;
	cur_pos = abm_money_sign(&out->mrr_money) > 0;
	cmp = abm_money_cmp(&out->mrr_money, &out->previous_money);
done:
	out->movement = abm_mrr_movement_of(prev_pos, cur_pos, cmp, it->paid);
	it->paid |= cur_pos;
	it->month++;
	return 1;
}
