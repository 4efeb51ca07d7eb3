/*
 * libFuzzer target: the ingest queue's packed batches, read back as a
 * move reads them from the queue file (lib/db.c unpack_span, through
 * db_queue_batch_check).  The input is a batch's data.  Checks what the
 * reader promises: -1 for damage, else the spans read, each at least one
 * byte per value (33 values in format 2, 32 in format 1).
 */
#include <stdint.h>
#include <stdlib.h>

#include "db.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int	 n = db_queue_batch_check(data, size);
	size_t	 vals = size > 0 && data[0] == 2 ? 33 : 32;

	if (n < -1 || (n > 0 && (size_t)n * vals > size - 1))
		abort();
	return 0;
}
