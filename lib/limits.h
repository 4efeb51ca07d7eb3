/*
 * Every limit LLMFlow enforces, with the reason for it.  A limit read from
 * the environment has its default here and its variable named beside it.
 */
#ifndef LF_LIMITS_H
#define LF_LIMITS_H

/* Request body accepted by the proxy (LLMFLOW_MAX_BODY).  Large enough for
 * prompts with a few base64 images; larger bodies get 413. */
#define LF_MAX_BODY_DEFAULT		(32UL << 20)
/* Request and response bodies kept in the database per call
 * (LLMFLOW_MAX_STORED_BODY); longer bodies are cut and marked. */
#define LF_MAX_STORED_BODY_DEFAULT	(256UL << 10)
/* Ceiling for either setting, so a typo cannot ask for terabytes. */
#define LF_MAX_BODY_CEILING		(1UL << 30)

/* Request headers forwarded and stored: count and total bytes. */
#define LF_MAX_HEADERS			128
#define LF_MAX_HEADER_BYTES		(64UL << 10)
/* Upstream response headers kept (same reason). */
#define LF_MAX_RESP_HEADERS		128

/* One SSE event is buffered until complete; an event longer than this is
 * forwarded unparsed (its usage, if any, is lost, the stream is not). */
#define LF_SSE_MAX_EVENT		(1UL << 20)
/* Assembled streamed text kept for the stored response. */
#define LF_MAX_ASSEMBLED_TEXT		LF_MAX_STORED_BODY_DEFAULT

/* Nesting accepted by the JSON parser (json-c's default is 32). */
#define LF_JSON_MAX_DEPTH		64

/* Upstream transfers: connect timeout, and how long a stream may stay
 * silent before it is abandoned (reasoning models pause for minutes). */
#define LF_UPSTREAM_CONNECT_TIMEOUT_S	10
#define LF_UPSTREAM_IDLE_TIMEOUT_S	600
/* Whole transfer cap (LLMFLOW_UPSTREAM_TIMEOUT), 0 = none. */
#define LF_UPSTREAM_TIMEOUT_S		3600
/* Silence after which an SSE comment is sent to the client, so that a
 * client that has gone away is noticed (FastCGI only reports it on write). */
#define LF_HEARTBEAT_S			10

/* /api/health/providers: all checks together finish within this. */
#define LF_HEALTH_TIMEOUT_MS		5000

/* Threads per FastCGI process (LLMFLOW_THREADS): the number of calls one
 * process serves at once; streams mostly sleep on the upstream. */
#define LF_THREADS_DEFAULT		32
#define LF_THREADS_MAX			512

/* SQLite: wait for a lock, then retry a bounded number of times. */
#define LF_DB_BUSY_TIMEOUT_MS		5000
#define LF_DB_BUSY_RETRIES		3
/* Opening and migrating (many threads at once at start-up): retries of a
 * lock that SQLite refuses without waiting, and the pause between them. */
#define LF_DB_OPEN_RETRIES		100
#define LF_DB_OPEN_RETRY_MS		20
/* WAL pages after which a writer checkpoints and restarts the WAL (under
 * steady concurrent writes SQLite's passive checkpoints never finish and
 * the file grows without bound); the size the file is cut back to; and
 * the page cache of each writer connection (one per proxy thread). */
#define LF_DB_WAL_CHECKPOINT_PAGES	4096
/* The ingest queue's mover leaves checkpoints to another thread and goes
 * on moving; past this many WAL pages the checkpointer starts the WAL
 * over, and the mover waits for it before its next move.  A move of
 * 50,000 spans writes about 10,000-12,000 pages: this lets one move
 * overlap the copy of the one before, and keeps the WAL under about six
 * moves (256 MiB, cut back to LF_DB_JOURNAL_SIZE_LIMIT once started
 * over).  Each start over holds the next move up for the copy of the
 * last move (0.1-0.3 s), so a longer WAL leaves the mover waiting less:
 * at 24,576 pages it waited about every second move.
 * The queue file's WAL is bounded the same way, in its own (larger)
 * pages: its restarts are left to that thread, which skips them when a
 * move is reading, until the WAL passes LF_DB_QUEUE_WAL_MAX_PAGES; then
 * the mover waits for one itself. */
#define LF_DB_WAL_MAX_PAGES		65536
#define LF_DB_JOURNAL_SIZE_LIMIT	(64LL << 20)
#define LF_DB_WRITER_CACHE_KIB		512
/* The page cache of a process's batch writer (OTLP logs and metrics,
 * retention), and of the ingest queue's mover: the pages of the
 * random-key indexes (span and trace ids) a move touches stay in memory
 * from one move to the next. */
#define LF_DB_BATCH_CACHE_KIB		16384
#define LF_DB_MOVE_CACHE_KIB		65536
/* Virtual-machine steps a read query may take before it is interrupted
 * (progress handler is called every LF_DB_PROGRESS_OPS ops). */
#define LF_DB_PROGRESS_OPS		1000
#define LF_DB_MAX_PROGRESS_CALLS	200000

/* A search word or tag on at least this many rows is "common": the
 * list walks rows newest first and tests each, instead of gathering
 * every match first (fast for common, slow for rare ones). */
#define LF_COMMON_ROWS			2000
#define LF_STR_(x)			#x
#define LF_STR(x)			LF_STR_(x)

/* Spans in one /api/traces/:id/tree answer. */
#define LF_MAX_TREE_SPANS		10000
/* Retention: rows deleted per round (one transaction, off the request
 * path), pages given back after a round, and how many stored calls
 * between two checks in one proxy thread. */
#define LF_PRUNE_BATCH			500
#define LF_PRUNE_VACUUM_PAGES		2000
#define LF_PRUNE_EVERY			64
/* Retention defaults (MAX_TRACES, MAX_LOGS, MAX_METRICS). */
#define LF_MAX_TRACES_DEFAULT		10000
#define LF_MAX_LOGS_DEFAULT		100000
#define LF_MAX_METRICS_DEFAULT		1000000

/* Query API: rows one export may be limited to (its default is all of
 * them); the size of the pieces an export is written in; the most bytes
 * one exported row may take (summary columns only). */
#define LF_EXPORT_MAX_ROWS		10000000LL
#define LF_EXPORT_FLUSH			(64UL << 10)
#define LF_EXPORT_ROW_MAX		(4UL << 20)
/* POST /api/spans: one span with its input and output; bulk ingest goes
 * through OTLP. */
#define LF_SPAN_MAX_BODY		(1UL << 20)
/* /tree: deepest span kept in place (roots are depth 0); deeper ones hang
 * from their ancestor at this depth, so the JSON nests at most 55 levels
 * (2 per level plus 3 around the roots, under JW_MAX_DEPTH 64). */
#define LF_TREE_MAX_DEPTH		25

/* Query API paging. */
#define LF_PAGE_DEFAULT			50
#define LF_PAGE_MAX			1000
#define LF_OFFSET_MAX			100000000LL
/* Largest JSON answer the query program builds in memory. */
#define LF_MAX_RESPONSE			(64UL << 20)
/* Query-string bytes parsed, and one parameter's value. */
#define LF_MAX_QUERY_STRING		8192
#define LF_MAX_PARAM			1024

/* Ids taken from request headers (X-Trace-Id, X-Parent-Id). */
#define LF_MAX_ID			128
/* Tags from X-LLMFlow-Tag(s): count and length of one tag. */
#define LF_MAX_TAGS			32
#define LF_MAX_TAG			128
/* Model names taken from request or response bodies. */
#define LF_MAX_MODEL			256
/* Token counts read from answers above this are taken as not reported,
 * so sums and prices cannot overflow (no call comes near it). */
#define LF_MAX_TOKEN_COUNT		1000000000000LL
/* Error text kept per call. */
#define LF_MAX_ERROR			1024

/* Largest price file read: LiteLLM's full list is a few MiB; the cap stops
 * a wrong path (a log, a disk image) from being read whole, and keeps the
 * length within json-c's int. */
#define LF_PRICING_FILE_MAX		(64UL << 20)

/* A log line. */
#define LF_MAX_LOG_LINE			2048

/* Per-request arena block size. */
#define LF_ARENA_BLOCK			(16UL << 10)

/* OTLP ingest (llmflow-otlp).  The body as sent (compressed or not), and
 * after gzip is undone: the second cap is what stops a gzip bomb, since
 * inflate output is counted as it is produced.  16 MiB holds a collector
 * batch of several thousand spans with prompts; larger exports get 413
 * and the sender splits them. */
#define LF_OTLP_MAX_WIRE_BODY		(16UL << 20)
#define LF_OTLP_MAX_BODY		(16UL << 20)
/* Records (spans, log records or data points) in one export: bounds the
 * transaction and the decoded model; more is 413. */
#define LF_OTLP_MAX_RECORDS		100000
/* Attributes of one span, log record, data point, event, resource or
 * scope, and elements of one array or kvlist value.  SDKs default to 128;
 * a record over this is rejected (partialSuccess), never cut silently. */
#define LF_OTLP_MAX_ATTRS		1024
/* Events of one span (SDK default 128); more: the span is rejected. */
#define LF_OTLP_MAX_EVENTS		1024
/* Links of one span (SDK default 128); more: the span is rejected. */
#define LF_OTLP_MAX_LINKS		1024
/* Exemplars of one metric data point; more: the point is rejected. */
#define LF_OTLP_MAX_EXEMPLARS		1024
/* Bytes of one string or bytes value: prompts with images are large, a
 * value over this rejects its record. */
#define LF_OTLP_MAX_VALUE		(4UL << 20)
/* Nesting of JSON objects/arrays, and of protobuf messages, in an export.
 * An attribute nested kvlist in kvlist costs 3-4 levels, so this allows
 * about a dozen levels of attribute nesting.  Deeper is 400: the
 * protobuf decoder recurses per level, so this also bounds its stack. */
#define LF_OTLP_MAX_DEPTH		64
/* Values and member names of one OTLP/JSON export (20 bytes of tokens
 * each while it is decoded): a 16 MiB export of real spans has well under
 * a million; more is 413 and the sender splits the batch. */
#define LF_OTLP_MAX_JSON_TOKENS		2000000
/* Text of the partialSuccess errorMessage: the first few reasons. */
#define LF_OTLP_MAX_ERRMSG		1024
/* JSON kept per span for input/output/attributes/events (each); a longer
 * value is replaced by a note saying so, and counted. */
#define LF_OTLP_MAX_COLUMN		(8UL << 20)
/* Records of the exports that one transaction stores together when
 * several arrive at once (group commit): large enough that 8 concurrent
 * exports of 1,000 spans share a commit, small enough that a
 * transaction stays short for the readers and writers waiting on it. */
#define LF_OTLP_GROUP_RECORDS		16000
/* ... and at most this many exports. */
#define LF_OTLP_GROUP_EXPORTS		64
/* malloc arenas of the OTLP program (glibc's default is 8 per core): the
 * memory a decoded export used stays with its arena. */
#define LF_OTLP_MALLOC_ARENAS		2
/* Exports the OTLP program decodes at once (the others wait): about the
 * cores of a small machine. */
#define LF_OTLP_DECODERS		2
/* The ingest queue (otlp_queue_batch; FastCGI only).  An export is answered once
 * its spans are queued; the mover moves them into traces when this many
 * are queued, when the oldest has waited LF_OTLP_MOVE_WAIT_MS, or when
 * no export has come for LF_OTLP_MOVE_IDLE_MS (so a lone export shows in
 * the dashboard at once).  Large moves are what makes ingest fast: each
 * span touches a page of the span id and trace id indexes, and a move
 * writes each such page once for all its spans.  One move takes at most
 * LF_OTLP_MOVE_MAX spans.  Past LF_OTLP_QUEUE_MAX queued spans, exports
 * wait for the mover (the senders slow down; nothing is dropped). */
#define LF_OTLP_MOVE_ROWS		50000
#define LF_OTLP_MOVE_WAIT_MS		1000
#define LF_OTLP_MOVE_IDLE_MS		30
#define LF_OTLP_MOVE_MAX		50000
#define LF_OTLP_QUEUE_MAX		200000
/* Queued spans are packed into batches (one row each) of about
 * LF_DB_QUEUE_BATCH_BYTES; a batch being packed holds at most
 * LF_DB_QUEUE_BATCH_MAX bytes and one value LF_DB_QUEUE_TEXT_MAX (far
 * above what a span may hold: LF_OTLP_MAX_COLUMN).  A move sums the
 * rollups of LF_DB_MOVE_GROUPS groups (hour, model, provider, service) at
 * a time. */
#define LF_DB_QUEUE_BATCH_BYTES		(4UL << 20)
#define LF_DB_QUEUE_BATCH_MAX		(512UL << 20)
#define LF_DB_QUEUE_TEXT_MAX		(64UL << 20)
#define LF_DB_MOVE_GROUPS		256
/* The queue file's pages (set when it is made; a batch spans few of them)
 * and the page cache of a connection to it alone (a batch fits). */
#define LF_DB_QUEUE_PAGE_SIZE		65536
#define LF_DB_QUEUE_CACHE_KIB		8192
/* LF_DB_WAL_CHECKPOINT_PAGES and LF_DB_WAL_MAX_PAGES in the queue's
 * pages (the same bytes). */
#define LF_DB_QUEUE_WAL_CHECKPOINT_PAGES	256
#define LF_DB_QUEUE_WAL_MAX_PAGES	1536

#endif
