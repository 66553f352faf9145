/*
 * fuzz.h — what every abm fuzz harness shares.
 */
#ifndef ABM_FUZZ_H
#define ABM_FUZZ_H

#include <stdio.h>
#include <string.h>

/* Any broken invariant: print why, then trap so libFuzzer records the input. */
#define FUZZ_CHECK(cond) \
	do { \
		if (!(cond)) \
		{ \
			fprintf(stderr, "fuzz invariant failed at %s:%d: %s\n", __FILE__, __LINE__, #cond); \
			__builtin_trap(); \
		} \
	} while (0)

/* strlen within size bytes (strnlen is POSIX, not C11). */
static inline size_t
bounded_strlen(const char *s, size_t size)
{
	const char *nul = memchr(s, '\0', size);

	return nul != NULL ? (size_t) (nul - s) : size;
}

#endif
