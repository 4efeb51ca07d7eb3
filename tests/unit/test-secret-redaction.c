/* Secrets never reach storage: header classes and query-string redaction. */
#include <stdlib.h>

#include "request.h"
#include "t.h"

static void
check_uri(const char *name, const char *in, const char *want)
{
	struct buf	 b;

	buf_init(&b, 4096);
	CHECK(name, redact_uri(in, &b) == 0);
	CHECK_STR(name, buf_str(&b), want);
	buf_free(&b);
}

int
main(void)
{
	char	 n[64];

	CHECK("authorization is secret", header_is_secret("authorization"));
	CHECK("x-api-key is secret", header_is_secret("x-api-key"));
	CHECK("api-key is secret", header_is_secret("api-key"));
	CHECK("x-goog-api-key is secret", header_is_secret("x-goog-api-key"));
	CHECK("cookie is secret", header_is_secret("cookie"));
	CHECK("set-cookie is secret", header_is_secret("set-cookie"));
	CHECK("content-type is not secret", !header_is_secret("content-type"));

	CHECK("connection is hop-by-hop", header_is_hop("connection"));
	CHECK("transfer-encoding is hop-by-hop",
	    header_is_hop("transfer-encoding"));
	CHECK("content-type is forwarded", !header_not_forwarded("content-type"));
	CHECK("authorization is forwarded",
	    !header_not_forwarded("authorization"));
	CHECK("host is not forwarded", header_not_forwarded("host"));
	CHECK("x-llmflow-tag is not forwarded",
	    header_not_forwarded("x-llmflow-tag"));
	CHECK("CR in a value is refused", !header_value_ok("a\r\nX-Evil: 1"));
	CHECK("plain value is accepted", header_value_ok("Bearer abc"));

	CHECK("cgi name converts", cgi_header_name("HTTP_X_API_KEY=v", n,
	    sizeof(n)) == 0);
	CHECK_STR("cgi name is lower-case with dashes", n, "x-api-key");
	CHECK("non-HTTP variable is not a header",
	    cgi_header_name("CONTENT_TYPE=x", n, sizeof(n)) == -1);
	CHECK("over-long header name is refused",
	    cgi_header_name("HTTP_ABCDEFGHIJ=v", n, 5) == -1);

	check_uri("no query is kept", "/v1/models", "/v1/models");
	check_uri("key= is redacted",
	    "/v1beta/models/x:generateContent?key=AIzaSECRET&alt=sse",
	    "/v1beta/models/x:generateContent?key=[redacted]&alt=sse");
	check_uri("key= last is redacted", "/p?alt=sse&key=SECRET",
	    "/p?alt=sse&key=[redacted]");
	check_uri("api_key and KEY are redacted", "/p?api_key=S1&KEY=S2&x=1",
	    "/p?api_key=[redacted]&KEY=[redacted]&x=1");
	check_uri("monkey= is not key=", "/p?monkey=banana",
	    "/p?monkey=banana");
	check_uri("empty parameters survive", "/p?&&key=S&", "/p?&&key=[redacted]&");
	return t_done();
}
