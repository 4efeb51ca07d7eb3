/* The JSON writer: nesting, commas, escaping, UTF-8 checks, numbers. */
#include <math.h>
#include <stdint.h>

#include "json.h"
#include "t.h"

int
main(void)
{
	struct buf	 b;
	struct jw	 w;

	buf_init(&b, 4096);
	jw_init(&w, &b);
	jw_obj(&w);
	jw_kstr(&w, "a", "x");
	jw_kint(&w, "n", -42);
	jw_key(&w, "arr");
	jw_arr(&w);
	jw_int(&w, 1);
	jw_null(&w);
	jw_bool(&w, 1);
	jw_obj(&w);
	jw_obj_end(&w);
	jw_arr_end(&w);
	jw_kstr(&w, "nul", NULL);
	jw_obj_end(&w);
	CHECK_STR("nesting and commas", buf_str(&b),
	    "{\"a\":\"x\",\"n\":-42,\"arr\":[1,null,true,{}],\"nul\":null}");

	buf_reset(&b);
	jw_init(&w, &b);
	jw_str(&w, "q\"b\\n\n\t\x01</script>");
	CHECK_STR("escapes quotes, backslash and controls", buf_str(&b),
	    "\"q\\\"b\\\\n\\n\\t\\u0001</script>\"");

	buf_reset(&b);
	jw_init(&w, &b);
	jw_str(&w, "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
	CHECK_STR("valid UTF-8 is kept", buf_str(&b),
	    "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"");

	buf_reset(&b);
	jw_init(&w, &b);
	jw_str(&w, "a\xff" "b\xc3" "c\xed\xa0\x80" "d\xc0\xaf");
	CHECK_STR("invalid UTF-8 becomes U+FFFD", buf_str(&b),
	    "\"a\xef\xbf\xbd" "b\xef\xbf\xbd" "c\xef\xbf\xbd\xef\xbf\xbd"
	    "\xef\xbf\xbd" "d\xef\xbf\xbd\xef\xbf\xbd\"");

	buf_reset(&b);
	jw_init(&w, &b);
	jw_arr(&w);
	jw_double(&w, 0.00045);
	jw_double(&w, 0.1 + 0.2);
	jw_double(&w, 1e-7);
	jw_double(&w, NAN);
	jw_double(&w, INFINITY);
	jw_int(&w, INT64_MIN);
	jw_arr_end(&w);
	CHECK_STR("doubles round-trip in shortest form", buf_str(&b),
	    "[0.00045,0.30000000000000004,1e-07,null,null,"
	    "-9223372036854775808]");

	buf_free(&b);
	buf_init(&b, 10);
	jw_init(&w, &b);
	jw_str(&w, "this is longer than ten bytes");
	CHECK("overflow sets err", b.err);
	CHECK("overflow keeps the buffer bounded", b.len <= 10);
	buf_free(&b);

	buf_init(&b, 100);
	CHECK("buf_printf appends", buf_printf(&b, "%d-%s", 7, "x") == 0);
	CHECK_STR("buf_printf content", buf_str(&b), "7-x");
	buf_consume(&b, 2);
	CHECK_STR("buf_consume drops a prefix", buf_str(&b), "x");
	buf_free(&b);
	return t_done();
}
