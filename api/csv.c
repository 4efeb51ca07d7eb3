#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"

/* Whether s is a plain decimal number: [-+]digits[.digits][e[-+]digits]. */
static int
plain_number(const char *s)
{
	const char	*p = s;
	int		 digits = 0;

	if (*p == '-' || *p == '+')
		p++;
	for (; isdigit((unsigned char)*p); p++)
		digits++;
	if (*p == '.')
		for (p++; isdigit((unsigned char)*p); p++)
			digits++;
	if (digits == 0)
		return 0;
	if (*p == 'e' || *p == 'E') {
		p++;
		if (*p == '-' || *p == '+')
			p++;
		if (!isdigit((unsigned char)*p))
			return 0;
		while (isdigit((unsigned char)*p))
			p++;
	}
	return *p == '\0';
}

void
csv_text(struct buf *b, const char *s)
{
	int	 quote, formula;

	if (s == NULL || *s == '\0')
		return;
	quote = strpbrk(s, ",\"\r\n") != NULL;
	formula = strchr("=+-@\t\r", *s) != NULL && !plain_number(s);
	if (quote)
		buf_addc(b, '"');
	if (formula)
		buf_addc(b, '\'');
	for (; *s; s++) {
		if (*s == '"')
			buf_addc(b, '"');
		buf_addc(b, *s);
	}
	if (quote)
		buf_addc(b, '"');
}

void
csv_int(struct buf *b, int64_t v)
{
	if (v != DB_NULL)
		buf_printf(b, "%lld", (long long)v);
}

void
csv_double(struct buf *b, double v)
{
	char	 s[40];
	int	 prec;

	if (!isfinite(v))
		return;
	for (prec = 15; prec <= 17; prec++) {
		snprintf(s, sizeof(s), "%.*g", prec, v);
		if (strtod(s, NULL) == v)
			break;
	}
	buf_adds(b, s);
}

void
csv_header(struct buf *b)
{
	buf_adds(b, "id,timestamp,duration_ms,provider,model,prompt_tokens,"
	    "completion_tokens,total_tokens,estimated_cost,status,error,"
	    "trace_id,parent_id,span_type,span_name,service_name\n");
}

void
csv_trace_row(struct buf *b, const struct trace_rec *r)
{
	int	 unknown = r->cost_source != NULL &&
	    strcmp(r->cost_source, "unknown") == 0;

	csv_text(b, r->id);
	buf_addc(b, ',');
	csv_int(b, r->timestamp);
	buf_addc(b, ',');
	csv_int(b, r->duration_ms);
	buf_addc(b, ',');
	csv_text(b, r->provider);
	buf_addc(b, ',');
	csv_text(b, r->model);
	buf_addc(b, ',');
	csv_int(b, r->prompt_tokens);
	buf_addc(b, ',');
	csv_int(b, r->completion_tokens);
	buf_addc(b, ',');
	csv_int(b, r->total_tokens);
	buf_addc(b, ',');
	csv_double(b, unknown ? NAN : r->estimated_cost);
	buf_addc(b, ',');
	csv_int(b, r->status);
	buf_addc(b, ',');
	csv_text(b, r->error);
	buf_addc(b, ',');
	csv_text(b, r->trace_id);
	buf_addc(b, ',');
	csv_text(b, r->parent_id);
	buf_addc(b, ',');
	csv_text(b, r->span_type);
	buf_addc(b, ',');
	csv_text(b, r->span_name);
	buf_addc(b, ',');
	csv_text(b, r->service_name);
	buf_addc(b, '\n');
}
