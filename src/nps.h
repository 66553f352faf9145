/*
 * nps.h — Net Promoter Score and CSAT, as SPEC.md defines them.  Plain C.
 *
 * An nps_state holds three counters; every number is read off them:
 *   NPS       = 100 (P - D) / n
 *   variance  = p + d - (p - d)^2 of one answer scored +1/0/-1 (p, d shares)
 *   SE        = 100 sqrt(variance / n);  margin = z(c) SE
 * Adjusted Wald (Rocks 2016): the same with P + 3/4, D + 3/4, n + 3.
 */
#ifndef ABM_NPS_H
#define ABM_NPS_H

#include <stdint.h>

#include "state.h"
#include "label_enum.h"

/* Scalar positions in an nps_state. */
enum
{
	NPS_DETRACTORS = 0,
	NPS_PASSIVES = 1,
	NPS_PROMOTERS = 2
};

/* Scalar positions in a csat state. */
enum
{
	CSAT_SATISFIED = 0,
	CSAT_RESPONSES = 1
};

extern const abm_state_schema abm_nps_schema;
extern const abm_state_schema abm_csat_schema;

#define NPS_SCORE_MIN 0
#define NPS_SCORE_MAX 10
#define CSAT_SCORE_MIN 1
#define CSAT_SCORE_MAX 5

/*
 * Class of a valid score (0..10): NPS_DETRACTORS, NPS_PASSIVES or
 * NPS_PROMOTERS.  Branch-free: answers arrive in no order, and a data-
 * dependent branch here mispredicts on about half of them.
 */
static inline int
abm_nps_class_of(int64_t score)
{
	return (score >= 7) + (score >= 9);
}

/* Stored codes of the nps_class type, in order. */
#define NPS_CLASS_CODE_DETRACTOR 10
#define NPS_CLASS_CODE_PASSIVE 20
#define NPS_CLASS_CODE_PROMOTER 30

typedef struct abm_nps_counts
{
	double		detractors;
	double		passives;
	double		promoters;
} abm_nps_counts;

abm_nps_counts abm_nps_counts_of(const abm_state *s);

/* Total answers; double so huge counters need no overflow care. */
double		abm_nps_n(const abm_nps_counts *c);

/* NPS in points; NaN when n = 0. */
double		abm_nps_value(const abm_nps_counts *c);

/* Standard error in points (Wald); NaN when n < 2. */
double		abm_nps_se(const abm_nps_counts *c);

/* z(c) x SE; NaN when n < 2 or confidence outside (0, 1). */
double		abm_nps_margin(const abm_nps_counts *c, double confidence);

typedef enum abm_nps_method
{
	ABM_NPS_WALD,
	ABM_NPS_ADJUSTED_WALD
} abm_nps_method;

/* Parses "wald" / "adjusted_wald" (also "adjusted-wald", "adjusted"); -1 if unknown. */
int			abm_nps_method_parse(const char *name);

/*
 * Interval [lower, upper] in points, clamped to [-100, 100].  Returns 0 and
 * sets both to NaN where undefined: Wald needs n >= 2, adjusted Wald n >= 1.
 */
int			abm_nps_interval(const abm_nps_counts *c, double confidence,
							 abm_nps_method method, double *lower, double *upper);

/* Margin of the difference of two independent NPS values; NaN if either n < 2. */
double		abm_nps_diff_margin(const abm_nps_counts *a, const abm_nps_counts *b,
								double confidence);

/*
 * Account-level NPS: one vote per account.  An account's vote is its own
 * NPS as a fraction, x = (P - D) / n in [-1, 1], and the accounts are the
 * independent sample: NPS = 100 mean(x), SE = 100 sqrt(var_pop(x) / N).
 * With one answer per account, x is +1, 0 or -1 and both equal the
 * answer-level nps and its Wald margin.  The votes are kept as running
 * moments (count, sum, sum of squared deviations from the mean, updated as
 * Youngs and Cramer do), which merge exactly in any order up to rounding.
 */
typedef struct abm_vote_moments
{
	double		n;
	double		sum;
	double		sq_dev;
} abm_vote_moments;

/* The vote of one account's answers; NaN when it has none. */
double		abm_nps_vote(const abm_nps_counts *c);
void		abm_vote_moments_add(abm_vote_moments *m, double x);
void		abm_vote_moments_merge(abm_vote_moments *into, const abm_vote_moments *other);
/* Are stored moments consistent (n a whole number >= 0, |sum| <= n, ...)? */
int			abm_vote_moments_valid(const abm_vote_moments *m);
/* NPS in points; NaN when n = 0. */
double		abm_account_nps(const abm_vote_moments *m);
/* z(c) x SE in points; NaN when n < 2 or confidence outside (0, 1). */
double		abm_account_nps_margin(const abm_vote_moments *m, double confidence);

/* CSAT: satisfied / responses; NaN when there are no responses. */
double		abm_csat_value(const abm_state *s);


#endif
