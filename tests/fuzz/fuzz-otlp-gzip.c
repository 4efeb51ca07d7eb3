/* Content-Encoding: gzip with a small cap: corrupt, truncated and
 * bomb-like streams must end in a clean error. */
#include <stdint.h>

#include "buf.h"
#include "model.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *p, size_t n)
{
	struct buf	 out;
	struct otlp_err	 err;

	buf_init(&out, 1 << 20);
	(void)otlp_gunzip(p, n, &out, &err);
	buf_free(&out);
	return 0;
}
