/*
 * OTLP/protobuf decoder: the first input byte picks the signal (traces,
 * logs, metrics), the rest is the body.  Every decoded record is turned
 * into its row, so classification and rendering are fuzzed too.
 */
#include <stdint.h>
#include <string.h>

#include "arena.h"
#include "classify.h"
#include "model.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *p, size_t n)
{
	struct arena		 a;
	struct otlp_export	 ex;
	struct otlp_err		 err;
	struct rowbufs		 rb;
	struct trace_rec	 tr;
	struct log_rec		 lr;
	struct metric_rec	 mr;
	size_t			 i;

	if (n < 1)
		return 0;
	arena_init(&a, 64 << 20);
	memset(&ex, 0, sizeof(ex));
	ex.signal = (enum otlp_signal)(p[0] % OTLP__MAX);
	ex.arena = &a;
	if (otlp_parse_protobuf(p + 1, n - 1, &ex, &err) == OTLP_OK) {
		rowbufs_init(&rb);
		for (i = 0; i < ex.nspans; i++)
			if (!ex.spans[i].bad)
				otlp_span_row(&ex.spans[i], &rb, 0, &tr);
		for (i = 0; i < ex.nlogs; i++)
			if (!ex.logs[i].bad)
				otlp_log_row(&ex.logs[i], &rb, 0, &lr);
		for (i = 0; i < ex.npoints; i++)
			if (!ex.points[i].bad)
				otlp_point_row(&ex.points[i], &rb, 0, &mr);
		rowbufs_free(&rb);
	}
	arena_free(&a);
	return 0;
}
