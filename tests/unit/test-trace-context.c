/* Trace ids from traceparent / X-Trace-Id, tags, and fresh ids. */
#include <string.h>

#include "json.h"
#include "request.h"
#include "t.h"

static void
check_tags(const char *name, const char *hdr, const char *want, int wantn)
{
	struct buf	 b;
	struct jw	 w;
	int		 n = 0;

	buf_init(&b, 65536);
	jw_init(&w, &b);
	jw_arr(&w);
	tags_add(&w, hdr, &n);
	jw_arr_end(&w);
	CHECK_STR(name, buf_str(&b), want);
	CHECK_I64(name, n, wantn);
	buf_free(&b);
}

int
main(void)
{
	char	 t[33], p[17], id[40], big[300];
	size_t	 i;

	CHECK("valid traceparent parses", parse_traceparent(
	    "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", t, p) == 0);
	CHECK_STR("trace id taken", t, "4bf92f3577b34da6a3ce929d0e0e4736");
	CHECK_STR("parent id taken", p, "00f067aa0ba902b7");
	CHECK("upper-case hex is lowered", parse_traceparent(
	    "00-4BF92F3577B34DA6A3CE929D0E0E4736-00F067AA0BA902B7-01", t, p) == 0 &&
	    strcmp(t, "4bf92f3577b34da6a3ce929d0e0e4736") == 0);
	CHECK("all-zero trace id is refused", parse_traceparent(
	    "00-00000000000000000000000000000000-00f067aa0ba902b7-01", t, p) == -1);
	CHECK("all-zero parent id is refused", parse_traceparent(
	    "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01", t, p) == -1);
	CHECK("version ff is refused", parse_traceparent(
	    "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", t, p) == -1);
	CHECK("short traceparent is refused",
	    parse_traceparent("00-4bf92f35-00f067aa-01", t, p) == -1);
	CHECK("non-hex is refused", parse_traceparent(
	    "00-4bf92f3577b34da6a3ce929d0e0e473g-00f067aa0ba902b7-01", t, p) == -1);
	CHECK("version 00 with extra fields is refused", parse_traceparent(
	    "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-xx", t, p) == -1);
	CHECK("future version with extra fields parses", parse_traceparent(
	    "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-xx", t, p) == 0);

	CHECK("plain id is accepted", id_ok("run-42.step_3:a"));
	CHECK("empty id is refused", !id_ok(""));
	CHECK("id with space is refused", !id_ok("a b"));
	CHECK("id with markup is refused", !id_ok("<script>"));
	for (i = 0; i < sizeof(big) - 1; i++)
		big[i] = 'a';
	big[sizeof(big) - 1] = '\0';
	CHECK("over-long id is refused", !id_ok(big));

	check_tags("tags split and trimmed", " user:alice, env:prod ,,x ",
	    "[\"user:alice\",\"env:prod\",\"x\"]", 3);
	check_tags("empty header has no tags", " , ", "[]", 0);
	check_tags("tags are JSON-escaped", "a\"b", "[\"a\\\"b\"]", 1);

	random_hex(id, 8);
	CHECK_I64("span id has 16 hex digits", strlen(id), 16);
	CHECK("span id is hex", strspn(id, "0123456789abcdef") == 16);
	random_hex(t, 16);
	CHECK_I64("trace id has 32 hex digits", strlen(t), 32);
	CHECK("two ids differ", strcmp(id, t) != 0);
	return t_done();
}
