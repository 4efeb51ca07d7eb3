/*
 * Configuration, read once from the environment at start-up, the same
 * under lighttpd, Apache mod_fcgid or plain CGI.  Read-only afterwards.
 */
#ifndef LF_CONFIG_H
#define LF_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#define LF_PATH_MAX	4096

struct config {
	char	 data_dir[LF_PATH_MAX];	/* DATA_DIR, default ~/.llmflow */
	char	 db_path[LF_PATH_MAX];	/* DB_PATH, default $DATA_DIR/data.db */
	char	 prices[LF_PATH_MAX];	/* LLMFLOW_PRICES, default <tree>/data/prices.json */
	char	 pricing_file[LF_PATH_MAX]; /* PRICING_FILE, optional overrides */
	size_t	 max_body;		/* LLMFLOW_MAX_BODY */
	size_t	 max_stored_body;	/* LLMFLOW_MAX_STORED_BODY */
	int	 threads;		/* LLMFLOW_THREADS */
	long	 upstream_timeout;	/* LLMFLOW_UPSTREAM_TIMEOUT, seconds, 0 = none */
	long	 heartbeat;		/* LLMFLOW_HEARTBEAT, seconds, 0 = off */
	int	 verbose;		/* VERBOSE or LLMFLOW_VERBOSE */
	long	 max_traces;		/* MAX_TRACES, 0 = unlimited */
	long	 max_logs;		/* MAX_LOGS */
	long	 max_metrics;		/* MAX_METRICS */
	long	 max_age_days;		/* MAX_AGE_DAYS, 0 = none */
};

extern struct config	 cfg;

/* Fill cfg from the environment.  0, or -1 with a message in err. */
int	 config_load(char *err, size_t errsz);

/*
 * Parse a whole decimal integer in [min, max].  0 on success; -1 for
 * anything else (empty, sign or digits only, no trailing bytes).
 */
int	 parse_i64(const char *, int64_t min, int64_t max, int64_t *out);

/* Directory of the running binary's tree (the parent of cgi-bin/). */
int	 config_tree_dir(char *out, size_t outsz);

#endif
