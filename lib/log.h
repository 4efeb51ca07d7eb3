/*
 * Log lines to standard error: one line per call, control bytes escaped,
 * data passed as "%s" arguments.  Under lighttpd, a FastCGI program's
 * standard error is lighttpd's, so lines show in the terminal of `make run`.
 */
#ifndef LF_LOG_H
#define LF_LOG_H

void	log_init(const char *prog, int verbose);
void	log_info(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_warn(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_debug(const char *, ...) __attribute__((format(printf, 1, 2)));

#endif
