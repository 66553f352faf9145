/*
 * attribution.h — multi-touch attribution of an opportunity's amount to the
 * touches before it, as SPEC.md ("Engagement and campaign influence")
 * defines the models.  Plain C.
 *
 * The touches come in time order (ties in the order the caller gives).
 * Each model gives touch i a weight w_i; its credit is the amount x w_i /
 * sum(w), in units of the amount's scale, rounded down, and the units left
 * over go one each to the touches with the largest remainders, the earlier
 * touch first on a tie (largest remainder), so the credits add up to the
 * amount exactly.  Rational models use integer weights and exact remainders:
 *   first_touch  1 to the first             last_touch  1 to the last
 *   linear       1 each
 *   u_shaped     40% first, 40% last, 20% shared by those between
 *                (2(n-2), 1 ..., 2(n-2)); one touch gets all, two halve it
 *   w_shaped     30% first, 30% the milestone, 30% last, 10% shared by the
 *                rest (3(n-3), ...); the milestone is the first touch marked
 *                as one that is neither the first nor the last; without one
 *                the model is u_shaped; with no rest the three share equally
 *   time_decay   2^(-age / half_life), age to the opportunity's creation,
 *                computed from the youngest touch's age (the same fractions)
 *                (double weights: remainders compared as doubles; amounts
 *                of at most ABM_ATTR_MAX_DECAY_UNITS)
 */
#ifndef ABM_ATTRIBUTION_H
#define ABM_ATTRIBUTION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum abm_attr_model
{
	ABM_ATTR_FIRST_TOUCH,
	ABM_ATTR_LAST_TOUCH,
	ABM_ATTR_LINEAR,
	ABM_ATTR_TIME_DECAY,
	ABM_ATTR_U_SHAPED,
	ABM_ATTR_W_SHAPED
} abm_attr_model;

/* "first_touch", "last_touch", "linear", "time_decay", "u_shaped", "w_shaped"; -1 if unknown. */
int			abm_attr_model_parse(const char *name);
extern const char *const abm_attr_model_names;

/* Amounts attributed, in units: below 2^62, so units x weight fits 128 bits. */
#define ABM_ATTR_MAX_UNITS (INT64_C(1) << 62)
/* time_decay works in doubles: at most 2^53 units, each held exactly. */
#define ABM_ATTR_MAX_DECAY_UNITS (INT64_C(1) << 53)

/* Bytes of the work area abm_attr_credits needs for n touches. */
size_t		abm_attr_work_size(int n);

/*
 * Credits of n >= 1 touches: units (0 <= units < ABM_ATTR_MAX_UNITS), each
 * touch's age in any unit >= 0 and the half-life in the same unit > 0 (time
 * decay only), milestone marks (w_shaped only; may be NULL).  Writes each
 * touch's credit in units and its fraction of the amount; `work` is the
 * caller's, abm_attr_work_size(n) bytes, suitably aligned for any type.
 */
void		abm_attr_credits(abm_attr_model model, int n, int64_t units, const double *age,
							 double half_life, const bool *milestone, void *work,
							 int64_t *credit, double *fraction);

#endif							/* ABM_ATTRIBUTION_H */
