/*
 * Unit-test checks.  Each check prints "ok - NAME" or "not ok - NAME";
 * tests/run.sh counts the lines.  A test file's main() returns t_done().
 */
#ifndef LF_T_H
#define LF_T_H

#include <math.h>
#include <stdio.h>
#include <string.h>

static int	t_failures;

#define CHECK(name, cond) do {						\
	if (cond)							\
		printf("ok - %s\n", (name));				\
	else {								\
		printf("not ok - %s (%s:%d: %s)\n", (name), __FILE__,	\
		    __LINE__, #cond);					\
		t_failures++;						\
	}								\
} while (0)

#define CHECK_STR(name, got, want) do {					\
	const char *t_g = (got), *t_w = (want);				\
	if (t_g != NULL && t_w != NULL && strcmp(t_g, t_w) == 0)	\
		printf("ok - %s\n", (name));				\
	else {								\
		printf("not ok - %s (%s:%d: got \"%s\", want \"%s\")\n",\
		    (name), __FILE__, __LINE__, t_g ? t_g : "(null)",	\
		    t_w ? t_w : "(null)");				\
		t_failures++;						\
	}								\
} while (0)

#define CHECK_I64(name, got, want) do {					\
	long long t_g = (long long)(got), t_w = (long long)(want);	\
	if (t_g == t_w)							\
		printf("ok - %s\n", (name));				\
	else {								\
		printf("not ok - %s (%s:%d: got %lld, want %lld)\n",	\
		    (name), __FILE__, __LINE__, t_g, t_w);		\
		t_failures++;						\
	}								\
} while (0)

/* Doubles equal within a relative 1e-9. */
#define CHECK_NEAR(name, got, want) do {				\
	double t_g = (got), t_w = (want);				\
	if (fabs(t_g - t_w) <= 1e-9 * fmax(fabs(t_w), 1e-12))		\
		printf("ok - %s\n", (name));				\
	else {								\
		printf("not ok - %s (%s:%d: got %.17g, want %.17g)\n",	\
		    (name), __FILE__, __LINE__, t_g, t_w);		\
		t_failures++;						\
	}								\
} while (0)

static inline int
t_done(void)
{
	return t_failures ? 1 : 0;
}

#endif
