/*
 * attribution.c — multi-touch attribution models and largest-remainder
 * credits (see attribution.h).
 */
#include "attribution.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

const char *const abm_attr_model_names = "first_touch, last_touch, linear, time_decay, u_shaped, w_shaped";

int
abm_attr_model_parse(const char *name)
{
	static const char *const names[] = {
		"first_touch", "last_touch", "linear", "time_decay", "u_shaped", "w_shaped"
	};

	for (int i = 0; i < (int) (sizeof(names) / sizeof(names[0])); i++)
		if (strcmp(name, names[i]) == 0)
			return i;
	return -1;
}

/* The milestone of a W: the first marked touch strictly inside, or -1. */
static int
w_milestone(int n, const bool *milestone)
{
	if (milestone == NULL)
		return -1;
	for (int i = 1; i < n - 1; i++)
		if (milestone[i])
			return i;
	return -1;
}

/* Integer weights of a rational model. */
static void
integer_weights(abm_attr_model model, int n, const bool *milestone, int64_t *w)
{
	int			m = model == ABM_ATTR_W_SHAPED ? w_milestone(n, milestone) : -1;

	for (int i = 0; i < n; i++)
		w[i] = 0;
	switch (model)
	{
		case ABM_ATTR_FIRST_TOUCH:
			w[0] = 1;
			return;
		case ABM_ATTR_LAST_TOUCH:
			w[n - 1] = 1;
			return;
		case ABM_ATTR_LINEAR:
			for (int i = 0; i < n; i++)
				w[i] = 1;
			return;
		case ABM_ATTR_W_SHAPED:
			if (m >= 0)
			{
				/* 30% each to first, milestone and last; 10% shared by the rest */
				int64_t		rest = n - 3;

				for (int i = 0; i < n; i++)
					w[i] = 1;
				w[0] = w[m] = w[n - 1] = rest > 0 ? 3 * rest : 1;
				return;
			}
			/* without a milestone, U-shaped */
			/* FALLTHROUGH */
		case ABM_ATTR_U_SHAPED:
			if (n <= 2)
			{
				for (int i = 0; i < n; i++)
					w[i] = 1;
				return;
			}
			for (int i = 1; i < n - 1; i++)
				w[i] = 1;
			w[0] = w[n - 1] = 2 * (int64_t) (n - 2);
			return;
		case ABM_ATTR_TIME_DECAY:
			break;
	}
}

/* The order of the leftover units: larger remainder first, then the earlier touch. */
typedef struct leftover
{
	int			touch;
	int64_t		exact;			/* rational models: below the weights' total */
	double		approx;			/* time decay */
} leftover;

static int
by_integer_remainder(const void *a, const void *b)
{
	const leftover *x = a,
			   *y = b;

	if (x->exact != y->exact)
		return x->exact > y->exact ? -1 : 1;
	return x->touch - y->touch;
}

static int
by_double_remainder(const void *a, const void *b)
{
	const leftover *x = a,
			   *y = b;

	if (x->approx != y->approx)
		return x->approx > y->approx ? -1 : 1;
	return x->touch - y->touch;
}

size_t
abm_attr_work_size(int n)
{
	/* the remainders, then the weights (a double or an int64 each) */
	return (sizeof(leftover) + sizeof(double) + sizeof(int64_t)) * (size_t) n;
}

void
abm_attr_credits(abm_attr_model model, int n, int64_t units, const double *age,
				 double half_life, const bool *milestone, void *work,
				 int64_t *credit, double *fraction)
{
	leftover   *rem = work;
	int64_t		given = 0;

	if (model == ABM_ATTR_TIME_DECAY)
	{
		double	   *w = (double *) (rem + n);
		double		total = 0.0;

		double		youngest = age[0];

		/*
		 * Ages from the youngest touch: the same fractions, and a weight of 1
		 * for that touch, so the total never underflows to 0 however old the
		 * touches are.
		 */
		for (int i = 1; i < n; i++)
			if (age[i] < youngest)
				youngest = age[i];
		for (int i = 0; i < n; i++)
			total += w[i] = pow(2.0, -(age[i] - youngest) / half_life);	/* as SQL's power(2, x) */
		for (int i = 0; i < n; i++)
		{
			double		raw = (double) units * (w[i] / total);
			double		whole = floor(raw);

			fraction[i] = w[i] / total;
			credit[i] = whole >= (double) units ? units : (int64_t) whole;
			given += credit[i];
			rem[i].touch = i;
			rem[i].approx = raw - whole;
		}
		qsort(rem, (size_t) n, sizeof(leftover), by_double_remainder);
	}
	else
	{
		int64_t    *w = (int64_t *) (rem + n);
		int64_t		total = 0;

		integer_weights(model, n, milestone, w);
		for (int i = 0; i < n; i++)
			total += w[i];
		for (int i = 0; i < n; i++)
		{
			/* below 2^62 x 2^31: exact in 128 bits (a local, so aligned) */
			__int128	product = (__int128) units * w[i];

			fraction[i] = (double) w[i] / (double) total;
			credit[i] = (int64_t) (product / total);
			given += credit[i];
			rem[i].touch = i;
			rem[i].exact = (int64_t) (product % total);
		}
		qsort(rem, (size_t) n, sizeof(leftover), by_integer_remainder);
	}
	/* fewer than n units are left over: one each, largest leftover first */
	for (int k = 0; given < units && k < n; k++, given++)
		credit[rem[k].touch]++;
	/* a time-decay rounding that gave too much comes back from the smallest */
	for (int k = n - 1; given > units && k >= 0; k--)
		if (credit[rem[k].touch] > 0)
		{
			credit[rem[k].touch]--;
			given--;
		}
}
