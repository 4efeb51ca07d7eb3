/*
 * gemini_path: the upstream path of a translated call, with the model
 * percent-encoded into one path segment, "models/" dropped once, and
 * empty, dot and overlong models refused.
 */
#include <string.h>

#include "buf.h"
#include "gemini.h"
#include "limits.h"
#include "t.h"

static const char *
path(const char *model, int stream, int *rc)
{
	static struct buf	 b;

	buf_free(&b);
	buf_init(&b, 4096);
	*rc = gemini_path(model, stream, &b);
	return buf_str(&b);
}

int
main(void)
{
	char		 big[LF_MAX_MODEL + 8];
	struct buf	 b;
	int		 rc;

	CHECK_STR("plain", path("gemini-2.5-flash", 0, &rc),
	    "/v1beta/models/gemini-2.5-flash:generateContent");
	CHECK_I64("plain rc", rc, 0);
	CHECK_STR("stream", path("gemini-2.0-flash-001", 1, &rc),
	    "/v1beta/models/gemini-2.0-flash-001:streamGenerateContent?alt=sse");
	CHECK_STR("models/ prefix dropped", path("models/gemini-pro", 0, &rc),
	    "/v1beta/models/gemini-pro:generateContent");
	CHECK_STR("only one prefix dropped", path("models/models/x", 0, &rc),
	    "/v1beta/models/models%2Fx:generateContent");
	CHECK_STR("unreserved kept", path("a-b.c_d~e09AZ", 0, &rc),
	    "/v1beta/models/a-b.c_d~e09AZ:generateContent");
	CHECK_STR("path tricks escaped", path("../../v1/files?key=x#f", 0, &rc),
	    "/v1beta/models/..%2F..%2Fv1%2Ffiles%3Fkey%3Dx%23f:generateContent");
	CHECK_STR("host tricks escaped", path("@evil.test:80/x", 1, &rc),
	    "/v1beta/models/%40evil.test%3A80%2Fx:streamGenerateContent?alt=sse");
	CHECK_STR("space, %, colon, CR LF, UTF-8", path("a b%:\r\n\xc3\xa9", 0,
	    &rc), "/v1beta/models/a%20b%25%3A%0D%0A%C3%A9:generateContent");
	CHECK_STR("dots inside a name kept", path("...", 0, &rc),
	    "/v1beta/models/...:generateContent");

	path("", 0, &rc);
	CHECK_I64("empty refused", rc, -1);
	path("models/", 0, &rc);
	CHECK_I64("empty after prefix refused", rc, -1);
	path(".", 0, &rc);
	CHECK_I64(". refused", rc, -1);
	path("..", 1, &rc);
	CHECK_I64(".. refused", rc, -1);
	path("models/..", 0, &rc);
	CHECK_I64("models/.. refused", rc, -1);
	path(NULL, 0, &rc);
	CHECK_I64("NULL refused", rc, -1);

	memset(big, 'm', sizeof(big));
	big[LF_MAX_MODEL - 1] = '\0';
	path(big, 0, &rc);
	CHECK_I64("LF_MAX_MODEL - 1 bytes accepted", rc, 0);
	big[LF_MAX_MODEL - 1] = 'm';
	big[LF_MAX_MODEL] = '\0';
	CHECK_STR("LF_MAX_MODEL bytes refused, nothing written",
	    path(big, 0, &rc), "");
	CHECK_I64("LF_MAX_MODEL bytes refused", rc, -1);

	/* Appends; a full buffer is an error and keeps what it had. */
	buf_init(&b, 24);
	buf_adds(&b, "https://h");
	CHECK_I64("overflow refused", gemini_path("gemini-2.5-flash", 0, &b),
	    -1);
	buf_free(&b);
	buf_init(&b, 128);
	buf_adds(&b, "https://h");
	gemini_path("g", 0, &b);
	CHECK_STR("appends", buf_str(&b),
	    "https://h/v1beta/models/g:generateContent");
	buf_free(&b);
	path("x", 0, &rc);
	return t_done();
}
