/*
 * Content-Encoding: gzip.  Output is counted as it is produced and
 * stops at the builder's maximum, so a small body that inflates to
 * gigabytes costs at most that much.  Concatenated gzip members (RFC 1952
 * allows them) are all read; bytes after the last member are an error.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <zlib.h>

#include "buf.h"
#include "model.h"

enum otlp_rc
otlp_gunzip(const uint8_t *in, size_t len, struct buf *out,
    struct otlp_err *err)
{
	z_stream	 z;
	unsigned char	 chunk[16384];
	enum otlp_rc	 rc = OTLP_BAD;
	int		 zr;
	size_t		 have;

	memset(&z, 0, sizeof(z));
	if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK) {
		snprintf(err->msg, sizeof(err->msg), "gzip: cannot start");
		return OTLP_NOMEM;
	}
	z.next_in = (unsigned char *)(uintptr_t)in;
	for (;;) {
		/* avail_in is a uInt: feed at most 1 GiB at a time. */
		if (z.avail_in == 0) {
			size_t	 used = (size_t)(z.next_in - in);
			size_t	 left = len - used;

			z.avail_in = left > (1u << 30) ? (1u << 30) : (uInt)left;
		}
		z.next_out = chunk;
		z.avail_out = sizeof(chunk);
		zr = inflate(&z, Z_NO_FLUSH);
		have = sizeof(chunk) - z.avail_out;
		if (have > 0 && buf_add(out, chunk, have) == -1) {
			snprintf(err->msg, sizeof(err->msg),
			    "decompressed body is larger than %zu bytes",
			    out->max);
			rc = OTLP_TOO_BIG;
			goto out;
		}
		if (zr == Z_STREAM_END) {
			if ((size_t)(z.next_in - in) == len && z.avail_in == 0)
				break;
			/* Another member follows. */
			if (inflateReset(&z) != Z_OK)
				goto bad;
			continue;
		}
		if (zr == Z_BUF_ERROR && z.avail_in == 0 &&
		    (size_t)(z.next_in - in) == len)
			goto bad;	/* truncated */
		if (zr != Z_OK && zr != Z_BUF_ERROR)
			goto bad;
	}
	/* An empty body decompresses to nothing; buf.p stays NULL. */
	rc = OTLP_OK;
	goto out;
bad:
	snprintf(err->msg, sizeof(err->msg), "gzip body is corrupt or "
	    "truncated%s%s", z.msg ? ": " : "", z.msg ? z.msg : "");
out:
	inflateEnd(&z);
	return rc;
}
