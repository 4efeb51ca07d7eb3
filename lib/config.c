#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "limits.h"

struct config	 cfg;

int
parse_i64(const char *s, int64_t min, int64_t max, int64_t *out)
{
	char		*end;
	long long	 v;

	if (s == NULL || *s == '\0' || *s == ' ' || *s == '+')
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0' || end == s || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

int
config_tree_dir(char *out, size_t outsz)
{
	char	 exe[LF_PATH_MAX];
	ssize_t	 n;
	char	*slash;

	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return -1;
	exe[n] = '\0';
	/* <tree>/cgi-bin/prog -> <tree> */
	if ((slash = strrchr(exe, '/')) == NULL)
		return -1;
	*slash = '\0';
	if ((slash = strrchr(exe, '/')) == NULL)
		return -1;
	*slash = '\0';
	if ((size_t)snprintf(out, outsz, "%s", exe[0] ? exe : "/") >= outsz)
		return -1;
	return 0;
}

static int
env_size(const char *name, size_t def, size_t *out, char *err, size_t errsz)
{
	const char	*v = getenv(name);
	int64_t		 n;

	if (v == NULL || *v == '\0') {
		*out = def;
		return 0;
	}
	if (parse_i64(v, 1, (int64_t)LF_MAX_BODY_CEILING, &n) == -1) {
		snprintf(err, errsz, "%s must be a number of bytes from 1 to %lu",
		    name, (unsigned long)LF_MAX_BODY_CEILING);
		return -1;
	}
	*out = (size_t)n;
	return 0;
}

static int
env_long(const char *name, long def, long min, long max, long *out,
    char *err, size_t errsz)
{
	const char	*v = getenv(name);
	int64_t		 n;

	if (v == NULL || *v == '\0') {
		*out = def;
		return 0;
	}
	if (parse_i64(v, min, max, &n) == -1) {
		snprintf(err, errsz, "%s must be a whole number from %ld to %ld",
		    name, min, max);
		return -1;
	}
	*out = (long)n;
	return 0;
}

static int
env_path(const char *name, char *dst, const char *fallback, char *err,
    size_t errsz)
{
	const char	*v = getenv(name);

	if (v == NULL || *v == '\0')
		v = fallback;
	if ((size_t)snprintf(dst, LF_PATH_MAX, "%s", v) >= LF_PATH_MAX) {
		snprintf(err, errsz, "%s is too long", name);
		return -1;
	}
	return 0;
}

int
config_load(char *err, size_t errsz)
{
	char		 tmp[LF_PATH_MAX + 64], tree[LF_PATH_MAX];
	const char	*home, *v;
	long		 threads;

	memset(&cfg, 0, sizeof(cfg));
	home = getenv("HOME");
	if (home == NULL || *home == '\0')
		home = "/tmp";
	snprintf(tmp, sizeof(tmp), "%s/.llmflow", home);
	if (env_path("DATA_DIR", cfg.data_dir, tmp, err, errsz) == -1)
		return -1;
	snprintf(tmp, sizeof(tmp), "%s/data.db", cfg.data_dir);
	if (env_path("DB_PATH", cfg.db_path, tmp, err, errsz) == -1)
		return -1;
	if (config_tree_dir(tree, sizeof(tree)) == -1)
		snprintf(tree, sizeof(tree), ".");
	snprintf(tmp, sizeof(tmp), "%s/data/prices.json", tree);
	if (env_path("LLMFLOW_PRICES", cfg.prices, tmp, err, errsz) == -1)
		return -1;
	if (env_path("PRICING_FILE", cfg.pricing_file, "", err, errsz) == -1)
		return -1;
	if (env_size("LLMFLOW_MAX_BODY", LF_MAX_BODY_DEFAULT, &cfg.max_body,
	    err, errsz) == -1)
		return -1;
	if (env_size("LLMFLOW_MAX_STORED_BODY", LF_MAX_STORED_BODY_DEFAULT,
	    &cfg.max_stored_body, err, errsz) == -1)
		return -1;
	if (env_long("LLMFLOW_THREADS", LF_THREADS_DEFAULT, 1, LF_THREADS_MAX,
	    &threads, err, errsz) == -1)
		return -1;
	cfg.threads = (int)threads;
	if (env_long("LLMFLOW_UPSTREAM_TIMEOUT", LF_UPSTREAM_TIMEOUT_S, 0,
	    86400 * 7, &cfg.upstream_timeout, err, errsz) == -1)
		return -1;
	if (env_long("LLMFLOW_HEARTBEAT", LF_HEARTBEAT_S, 0, 3600,
	    &cfg.heartbeat, err, errsz) == -1)
		return -1;
	if (env_long("MAX_TRACES", LF_MAX_TRACES_DEFAULT, 0, 1000000000L,
	    &cfg.max_traces, err, errsz) == -1 ||
	    env_long("MAX_LOGS", LF_MAX_LOGS_DEFAULT, 0, 1000000000L,
	    &cfg.max_logs, err, errsz) == -1 ||
	    env_long("MAX_METRICS", LF_MAX_METRICS_DEFAULT, 0, 1000000000L,
	    &cfg.max_metrics, err, errsz) == -1 ||
	    env_long("MAX_AGE_DAYS", 0, 0, 36500, &cfg.max_age_days, err,
	    errsz) == -1)
		return -1;
	v = getenv("LLMFLOW_VERBOSE");
	if (v == NULL)
		v = getenv("VERBOSE");
	cfg.verbose = v != NULL && *v != '\0' && strcmp(v, "0") != 0;
	return 0;
}
