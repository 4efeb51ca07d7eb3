/* Fuzz the parsers of client-supplied header values and the request URI. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "request.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char		*s, t[33], p[17], name[128];
	struct buf	 b;
	struct jw	 w;
	int		 n = 0;

	if ((s = malloc(size + 1)) == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	(void)parse_traceparent(s, t, p);
	(void)id_ok(s);
	(void)header_value_ok(s);
	(void)cgi_header_name(s, name, sizeof(name));
	buf_init(&b, 1 << 20);
	(void)redact_uri(s, &b);
	buf_reset(&b);
	jw_init(&w, &b);
	jw_arr(&w);
	tags_add(&w, s, &n);
	jw_arr_end(&w);
	buf_free(&b);
	free(s);
	return 0;
}
