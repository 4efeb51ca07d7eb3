/*
 * The CSV writer of GET /api/traces/export?format=csv: quoting only when
 * needed, '"' doubled, absent values empty, formula injection
 * neutralised, numbers kept as numbers.
 */
#include <math.h>
#include <string.h>

#include "csv.h"
#include "t.h"

static struct buf	 b;

static const char *
text(const char *s)
{
	buf_reset(&b);
	csv_text(&b, s);
	return buf_str(&b);
}

int
main(void)
{
	struct trace_rec	 r;

	buf_init(&b, 1 << 20);
	CHECK_STR("plain", text("gpt-4o"), "gpt-4o");
	CHECK_STR("null is empty", text(NULL), "");
	CHECK_STR("empty is empty", text(""), "");
	CHECK_STR("comma quoted", text("a,b"), "\"a,b\"");
	CHECK_STR("quote doubled", text("say \"hi\""), "\"say \"\"hi\"\"\"");
	CHECK_STR("LF quoted", text("a\nb"), "\"a\nb\"");
	CHECK_STR("CR quoted", text("a\rb"), "\"a\rb\"");
	CHECK_STR("space not quoted", text("a b"), "a b");
	CHECK_STR("= neutralised", text("=HYPERLINK(\"x\")"),
	    "\"'=HYPERLINK(\"\"x\"\")\"");
	CHECK_STR("+ neutralised", text("+cmd"), "'+cmd");
	CHECK_STR("- neutralised", text("-2+3"), "'-2+3");
	CHECK_STR("@ neutralised", text("@SUM(A1)"), "'@SUM(A1)");
	CHECK_STR("tab neutralised", text("\tx"), "'\tx");
	CHECK_STR("CR first neutralised and quoted", text("\rx"), "\"'\rx\"");
	CHECK_STR("negative number kept", text("-1.5"), "-1.5");
	CHECK_STR("signed exponent kept", text("+2e-3"), "+2e-3");
	CHECK_STR("minus alone neutralised", text("-"), "'-");
	CHECK_STR("= inside kept", text("a=b"), "a=b");

	buf_reset(&b);
	csv_int(&b, DB_NULL);
	CHECK_STR("null int empty", buf_str(&b), "");
	csv_int(&b, -42);
	CHECK_STR("int", buf_str(&b), "-42");
	buf_reset(&b);
	csv_double(&b, NAN);
	CHECK_STR("NAN empty", buf_str(&b), "");
	csv_double(&b, 0.1);
	CHECK_STR("shortest double", buf_str(&b), "0.1");
	buf_reset(&b);
	csv_double(&b, 0.000156);
	CHECK_STR("small double", buf_str(&b), "0.000156");

	buf_reset(&b);
	csv_header(&b);
	CHECK_STR("header", buf_str(&b), "id,timestamp,duration_ms,provider,"
	    "model,prompt_tokens,completion_tokens,total_tokens,"
	    "estimated_cost,status,error,trace_id,parent_id,span_type,"
	    "span_name,service_name\n");

	trace_rec_init(&r);
	r.id = "s1";
	r.timestamp = 1700000000000LL;
	r.model = "m";
	r.prompt_tokens = 3;
	r.estimated_cost = 0.25;
	r.cost_source = "reported";
	r.status = 500;
	r.error = "bad, \"x\"";
	r.trace_id = "t";
	r.span_type = "llm";
	r.span_name = "=1+1";
	buf_reset(&b);
	csv_trace_row(&b, &r);
	CHECK_STR("row", buf_str(&b), "s1,1700000000000,,,m,3,,,0.25,500,"
	    "\"bad, \"\"x\"\"\",t,,llm,'=1+1,\n");
	r.cost_source = "unknown";
	buf_reset(&b);
	csv_trace_row(&b, &r);
	CHECK("unknown cost empty", strstr(buf_str(&b), ",,,500,") != NULL);
	buf_free(&b);
	return t_done();
}
