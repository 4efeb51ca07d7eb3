#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

#include "limits.h"
#include "request.h"

int
cgi_header_name(const char *var, char *out, size_t outsz)
{
	size_t	 i;

	if (strncmp(var, "HTTP_", 5) != 0)
		return -1;
	var += 5;
	for (i = 0; var[i] != '\0' && var[i] != '='; i++) {
		if (i + 1 >= outsz)
			return -1;
		out[i] = var[i] == '_' ? '-' : (char)tolower((unsigned char)var[i]);
	}
	if (i == 0)
		return -1;
	out[i] = '\0';
	return 0;
}

static int
in_list(const char *s, const char *const *list)
{
	for (; *list != NULL; list++)
		if (strcmp(s, *list) == 0)
			return 1;
	return 0;
}

int
header_is_hop(const char *lname)
{
	static const char *const hop[] = {
		"connection", "keep-alive", "proxy-authenticate",
		"proxy-authorization", "proxy-connection", "proxy", "te",
		"trailer", "trailers", "transfer-encoding", "upgrade", NULL
	};

	return in_list(lname, hop);
}

int
header_not_forwarded(const char *lname)
{
	/* Host and lengths are libcurl's; Accept-Encoding is dropped so the
	 * upstream answers with bodies the proxy can read; X-LLMFlow-* are
	 * ours. */
	static const char *const own[] = {
		"host", "content-length", "expect", "accept-encoding", NULL
	};

	return header_is_hop(lname) || in_list(lname, own) ||
	    strncmp(lname, "x-llmflow-", 10) == 0;
}

int
header_is_secret(const char *lname)
{
	static const char *const secret[] = {
		"authorization", "proxy-authorization", "x-api-key", "api-key",
		"x-goog-api-key", "cookie", "set-cookie", "helicone-auth",
		"openai-organization-key", NULL
	};

	return in_list(lname, secret);
}

int
header_value_ok(const char *v)
{
	for (; *v != '\0'; v++)
		if (*v == '\r' || *v == '\n')
			return 0;
	return 1;
}

/* Query parameters whose values are secrets. */
static int
param_is_secret(const char *name, size_t n)
{
	static const char *const secret[] = {
		"key", "api_key", "apikey", "api-key", "access_token", "token",
		"x-goog-api-key", NULL
	};
	const char *const	*s;

	for (s = secret; *s != NULL; s++)
		if (strlen(*s) == n && strncasecmp(name, *s, n) == 0)
			return 1;
	return 0;
}

int
redact_uri(const char *uri, struct buf *out)
{
	const char	*q, *p, *amp, *eq, *end;

	if ((q = strchr(uri, '?')) == NULL)
		return buf_adds(out, uri);
	buf_add(out, uri, (size_t)(q - uri) + 1);
	for (p = q + 1;; p = amp + 1) {
		amp = strchr(p, '&');
		end = amp ? amp : p + strlen(p);
		eq = memchr(p, '=', (size_t)(end - p));
		if (eq != NULL && param_is_secret(p, (size_t)(eq - p))) {
			buf_add(out, p, (size_t)(eq - p) + 1);
			buf_adds(out, "[redacted]");
		} else
			buf_add(out, p, (size_t)(end - p));
		if (amp == NULL)
			break;
		buf_addc(out, '&');
	}
	return out->err ? -1 : 0;
}

static int
hex_run(const char *s, size_t n, char *out)
{
	size_t	 i;
	int	 nonzero = 0;

	for (i = 0; i < n; i++) {
		if (!isxdigit((unsigned char)s[i]))
			return -1;
		out[i] = (char)tolower((unsigned char)s[i]);
		if (s[i] != '0')
			nonzero = 1;
	}
	out[n] = '\0';
	return nonzero ? 0 : -1;
}

int
parse_traceparent(const char *s, char trace_id[33], char parent_id[17])
{
	char	 ver[3];

	/* version 2 hex, '-', trace 32, '-', parent 16, '-', flags 2; a
	 * future version may append fields after another '-'. */
	if (strlen(s) < 55 || s[2] != '-' || s[35] != '-' || s[52] != '-')
		return -1;
	if (s[55] != '\0' && s[55] != '-')
		return -1;
	if (!isxdigit((unsigned char)s[0]) || !isxdigit((unsigned char)s[1]))
		return -1;
	ver[0] = (char)tolower((unsigned char)s[0]);
	ver[1] = (char)tolower((unsigned char)s[1]);
	ver[2] = '\0';
	if (strcmp(ver, "ff") == 0 || (strcmp(ver, "00") == 0 && s[55] != '\0'))
		return -1;
	if (hex_run(s + 3, 32, trace_id) == -1 ||
	    hex_run(s + 36, 16, parent_id) == -1)
		return -1;
	if (!isxdigit((unsigned char)s[53]) || !isxdigit((unsigned char)s[54]))
		return -1;
	return 0;
}

int
id_ok(const char *s)
{
	size_t	 n = 0;

	for (; *s != '\0'; s++, n++) {
		if (n >= LF_MAX_ID)
			return 0;
		if (!isalnum((unsigned char)*s) && *s != '.' && *s != '_' &&
		    *s != ':' && *s != '-')
			return 0;
	}
	return n > 0;
}

void
tags_add(struct jw *w, const char *s, int *n)
{
	const char	*p = s, *e, *comma;
	size_t		 len;

	while (*p != '\0' && *n < LF_MAX_TAGS) {
		comma = strchr(p, ',');
		e = comma ? comma : p + strlen(p);
		while (p < e && isspace((unsigned char)*p))
			p++;
		len = (size_t)(e - p);
		while (len > 0 && isspace((unsigned char)p[len - 1]))
			len--;
		if (len > 0) {
			jw_strn(w, p, len > LF_MAX_TAG ? LF_MAX_TAG : len);
			(*n)++;
		}
		if (comma == NULL)
			break;
		p = comma + 1;
	}
}

void
random_hex(char *out, size_t nbytes)
{
	static const char	 hex[] = "0123456789abcdef";
	unsigned char		 r[64];
	size_t			 i, got = 0;
	ssize_t			 k;

	if (nbytes > sizeof(r))
		nbytes = sizeof(r);
	while (got < nbytes) {
		k = getrandom(r + got, nbytes - got, 0);
		if (k <= 0)
			break;
		got += (size_t)k;
	}
	for (i = 0; i < nbytes; i++) {
		out[2 * i] = hex[r[i] >> 4];
		out[2 * i + 1] = hex[r[i] & 0xf];
	}
	out[2 * nbytes] = '\0';
}
