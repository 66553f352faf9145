/*
 * unit.h — a minimal test harness for the pure C core.
 *
 * Each TEST is a function; CHECK records a failure with its line and goes
 * on.  main() prints one line per test and "unit: N passed, N failed".
 */
#ifndef ABM_UNIT_H
#define ABM_UNIT_H

#include <math.h>
#include <stdio.h>
#include <string.h>

static int	unit_current_failed;

#define CHECK(cond) \
	do { \
		if (!(cond)) { \
			printf("  %s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
			unit_current_failed = 1; \
		} \
	} while (0)

#define CHECK_NEAR(a, b, tol) \
	do { \
		double a_ = (a), b_ = (b); \
		if (!(fabs(a_ - b_) <= (tol))) { \
			printf("  %s:%d: %s = %.17g, expected %.17g (tol %g)\n", \
				   __FILE__, __LINE__, #a, a_, b_, (double) (tol)); \
			unit_current_failed = 1; \
		} \
	} while (0)

#define CHECK_STR(a, b) \
	do { \
		const char *a_ = (a), *b_ = (b); \
		if (strcmp(a_, b_) != 0) { \
			printf("  %s:%d: %s = \"%s\", expected \"%s\"\n", __FILE__, __LINE__, #a, a_, b_); \
			unit_current_failed = 1; \
		} \
	} while (0)

typedef struct unit_test
{
	const char *name;
	void		(*fn) (void);
} unit_test;

static int
unit_run(const unit_test *tests, int n)
{
	int			passed = 0,
				failed = 0,
				i;

	for (i = 0; i < n; i++)
	{
		unit_current_failed = 0;
		tests[i].fn();
		printf("%s %d - %s\n", unit_current_failed ? "not ok" : "ok", i + 1, tests[i].name);
		if (unit_current_failed)
			failed++;
		else
			passed++;
	}
	printf("unit: %d passed, %d failed\n", passed, failed);
	return failed == 0 ? 0 : 1;
}

#endif
