/*
 * CSV rows of GET /api/traces/export?format=csv, in the original's
 * columns.  A field is quoted only when it holds ',', '"', CR or LF, with
 * '"' doubled (RFC 4180); an absent value is an empty field; rows end in
 * "\n".
 *
 * Spreadsheet formula injection: a text field that starts with '=', '+',
 * '-', '@', TAB or CR would be run as a formula by Excel, LibreOffice or
 * Sheets when the file is opened, so it gets a leading "'" (OWASP's
 * advice).  Numbers are written as numbers: numeric columns are never
 * changed, and neither is a text field that is a plain decimal number
 * ("-1.5"), which a spreadsheet reads as that number and never runs.
 */
#ifndef LF_API_CSV_H
#define LF_API_CSV_H

#include <stdint.h>

#include "buf.h"
#include "db.h"

/* One text field (NULL: empty), neutralised and quoted as above. */
void	 csv_text(struct buf *, const char *);
/* A whole number, empty for DB_NULL. */
void	 csv_int(struct buf *, int64_t);
/* A number in its shortest exact form, empty when not finite. */
void	 csv_double(struct buf *, double);

/* The header row, and one trace row (summary columns). */
void	 csv_header(struct buf *);
void	 csv_trace_row(struct buf *, const struct trace_rec *);

#endif
