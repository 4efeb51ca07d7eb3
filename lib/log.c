#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "limits.h"
#include "log.h"

static const char	*log_prog = "llmflow";
static int		 log_verbose;

void
log_init(const char *prog, int verbose)
{
	log_prog = prog;
	log_verbose = verbose;
}

static void
log_line(const char *level, const char *fmt, va_list ap)
{
	char		 msg[LF_MAX_LOG_LINE], ts[32];
	struct buf	 b;
	struct timespec	 now;
	struct tm	 tm;
	size_t		 i, n;
	int		 r;

	r = vsnprintf(msg, sizeof(msg), fmt, ap);
	n = r < 0 ? 0 : (size_t)r >= sizeof(msg) ? sizeof(msg) - 1 : (size_t)r;
	clock_gettime(CLOCK_REALTIME, &now);
	gmtime_r(&now.tv_sec, &tm);
	strftime(ts, sizeof(ts), "%H:%M:%S", &tm);
	buf_init(&b, LF_MAX_LOG_LINE * 4 + 128);
	buf_printf(&b, "%s.%03ld %s %s: ", ts, now.tv_nsec / 1000000,
	    log_prog, level);
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)msg[i];
		if (c < 0x20 || c == 0x7f)
			buf_printf(&b, "\\x%02x", c);
		else
			buf_addc(&b, (char)c);
	}
	buf_addc(&b, '\n');
	if (!b.err)
		(void)!write(STDERR_FILENO, b.p, b.len);
	buf_free(&b);
}

void
log_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_line("info", fmt, ap);
	va_end(ap);
}

void
log_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_line("warn", fmt, ap);
	va_end(ap);
}

void
log_debug(const char *fmt, ...)
{
	va_list ap;

	if (!log_verbose)
		return;
	va_start(ap, fmt);
	log_line("debug", fmt, ap);
	va_end(ap);
}
