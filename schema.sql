-- LLMFlow database schema.
--
-- The blocks below are forward migrations, applied in order by whichever
-- program opens the database first (inside BEGIN IMMEDIATE, so programs
-- starting together do not race).  PRAGMA user_version records the last
-- block applied.  Never edit a released block: add a new one.
--
-- The OTLP ingest queue lives in a file of its own beside this one
-- (<database>-queue; its table is created by lib/db.c).
--
-- Conventions: times are milliseconds since the Unix epoch (UTC); NULL
-- means "not known" and is never written for a real 0; JSON columns hold
-- one JSON value as text.

-- version 1
CREATE TABLE traces (
  seq                     INTEGER PRIMARY KEY,  -- row number: stable key for the search index and tags
  id                      TEXT NOT NULL UNIQUE, -- span id (16 hex for proxied calls and OTLP spans)
  trace_id                TEXT NOT NULL,     -- groups the spans of one trace (32 hex, or the caller's X-Trace-Id)
  parent_id               TEXT,              -- parent span id, NULL for a root
  timestamp               INTEGER NOT NULL,  -- start of the call or span
  duration_ms             INTEGER,           -- start to last byte
  ttft_ms                 INTEGER,           -- start to first byte of a streamed answer
  provider                TEXT,              -- openai, anthropic, ... (proxied calls) or gen_ai.provider.name
  model                   TEXT,              -- model the response names, else the request's
  prompt_tokens           INTEGER,           -- all input tokens, cached ones included
  completion_tokens       INTEGER,           -- all output tokens, reasoning ones included
  total_tokens            INTEGER,
  cached_tokens           INTEGER,           -- input tokens read from the provider's cache (part of prompt_tokens)
  cache_creation_tokens   INTEGER,           -- input tokens written to the cache (part of prompt_tokens)
  reasoning_tokens        INTEGER,           -- output tokens spent reasoning (part of completion_tokens)
  estimated_cost          REAL,              -- USD; NULL when it cannot be known
  cost_source             TEXT NOT NULL DEFAULT 'unknown'
                          CHECK (cost_source IN ('computed', 'reported', 'unknown')),
                                             -- computed from the price list, reported by the provider/span, or unknown
  status                  INTEGER,           -- HTTP status given to the client (499: client went away; 502/504: upstream failed)
  error                   TEXT,              -- what went wrong, NULL on success
  request_method          TEXT,
  request_path            TEXT,              -- path and query string, key= values redacted
  request_headers         TEXT,              -- JSON object, secrets redacted
  request_body            TEXT,              -- client's body as sent, cut at LLMFLOW_MAX_STORED_BODY
  request_body_truncated  INTEGER NOT NULL DEFAULT 0,  -- 1 when request_body was cut
  response_status         INTEGER,           -- upstream's status
  response_headers        TEXT,              -- JSON object
  response_body           TEXT,              -- upstream's body (streams: assembled answer), cut like request_body
  response_body_truncated INTEGER NOT NULL DEFAULT 0,  -- 1 when response_body was cut
  tags                    TEXT,              -- JSON array of strings (X-LLMFlow-Tag)
  span_type               TEXT NOT NULL DEFAULT 'llm',  -- llm, embedding, retrieval, tool, agent, chain, trace, custom
  span_name               TEXT,
  service_name            TEXT,              -- OTel resource service.name
  session_id              TEXT,
  conversation_id         TEXT,
  agent_name              TEXT,
  input                   TEXT,              -- JSON: input messages or value of a span
  output                  TEXT,              -- JSON: output of a span
  attributes              TEXT               -- JSON object of span attributes
);
CREATE INDEX idx_traces_timestamp ON traces(timestamp DESC, id DESC);
CREATE INDEX idx_traces_trace_id ON traces(trace_id);
CREATE INDEX idx_traces_model ON traces(model, timestamp DESC);
-- Provider, status and span type filters walk the timestamp index: each
-- index costs every insert, and these match many rows each.
-- Partial indexes: proxied calls have no session, and cost nothing here.
CREATE INDEX idx_traces_session_id ON traces(session_id) WHERE session_id IS NOT NULL;
CREATE INDEX idx_traces_conversation_id ON traces(conversation_id) WHERE conversation_id IS NOT NULL;

CREATE TABLE logs (
  id                  TEXT PRIMARY KEY,      -- random 16 hex
  timestamp           INTEGER NOT NULL,      -- time of the event (observed time if the event has none)
  observed_timestamp  INTEGER,
  severity_number     INTEGER,               -- OTel 1..24
  severity_text       TEXT,
  body                TEXT,                  -- string body as is, other bodies as JSON
  trace_id            TEXT,
  span_id             TEXT,
  event_name          TEXT,
  service_name        TEXT,
  scope_name          TEXT,
  attributes          TEXT,                  -- JSON object
  resource_attributes TEXT                   -- JSON object
);
CREATE INDEX idx_logs_timestamp ON logs(timestamp DESC);
CREATE INDEX idx_logs_trace_id ON logs(trace_id);
CREATE INDEX idx_logs_event_name ON logs(event_name);
CREATE INDEX idx_logs_service_name ON logs(service_name);
CREATE INDEX idx_logs_severity ON logs(severity_number);

CREATE TABLE metrics (
  id                  TEXT PRIMARY KEY,      -- random 16 hex
  timestamp           INTEGER NOT NULL,      -- time of the data point
  name                TEXT NOT NULL,
  description         TEXT,
  unit                TEXT,
  metric_type         TEXT NOT NULL,         -- sum, gauge, histogram, exponential_histogram, summary
  value_int           INTEGER,               -- integer value (histograms: count)
  value_double        REAL,                  -- double value (histograms: sum)
  histogram_data      TEXT,                  -- JSON: buckets, bounds, quantiles, temporality, monotonicity
  service_name        TEXT,
  scope_name          TEXT,
  attributes          TEXT,                  -- JSON object
  resource_attributes TEXT                   -- JSON object
);
CREATE INDEX idx_metrics_timestamp ON metrics(timestamp DESC);
CREATE INDEX idx_metrics_name ON metrics(name);
CREATE INDEX idx_metrics_service_name ON metrics(service_name);
CREATE INDEX idx_metrics_type ON metrics(metric_type);

-- version 2
-- OTLP ingest: span detail the v1 columns have no place for.
ALTER TABLE traces ADD COLUMN span_kind TEXT;            -- OTel SpanKind: internal, server, client, producer, consumer, unspecified (or the number)
ALTER TABLE traces ADD COLUMN scope_name TEXT;           -- instrumentation scope that made the span
ALTER TABLE traces ADD COLUMN user_id TEXT;              -- user.id / enduser.id / association properties
ALTER TABLE traces ADD COLUMN events TEXT;               -- JSON array of span events {time, name, attributes}
ALTER TABLE traces ADD COLUMN resource_attributes TEXT;  -- JSON object of the resource's attributes
CREATE INDEX idx_traces_user_id ON traces(user_id) WHERE user_id IS NOT NULL;

-- version 3
-- Queries that stay fast at millions of rows, and retention.

CREATE INDEX idx_traces_service ON traces(service_name, timestamp DESC)
  WHERE service_name IS NOT NULL;

-- Full-text search over what a person looks for.  Contentless: the text
-- lives in traces; each trigger hands the index the same values (bodies,
-- input and output cut at 16 KiB), which a delete needs again.
CREATE VIRTUAL TABLE traces_fts USING fts5(
  span_name, model, input, output, request_body, response_body,
  content = '', tokenize = 'unicode61');
CREATE TRIGGER traces_fts_insert AFTER INSERT ON traces BEGIN
  INSERT INTO traces_fts(rowid, span_name, model, input, output, request_body, response_body)
  VALUES (new.seq, new.span_name, new.model, substr(new.input, 1, 16384),
          substr(new.output, 1, 16384), substr(new.request_body, 1, 16384),
          substr(new.response_body, 1, 16384));
END;
CREATE TRIGGER traces_fts_delete AFTER DELETE ON traces BEGIN
  INSERT INTO traces_fts(traces_fts, rowid, span_name, model, input, output, request_body, response_body)
  VALUES ('delete', old.seq, old.span_name, old.model, substr(old.input, 1, 16384),
          substr(old.output, 1, 16384), substr(old.request_body, 1, 16384),
          substr(old.response_body, 1, 16384));
END;

-- Exact tags (traces.tags is a JSON array of strings).
CREATE TABLE trace_tags (
  tag  TEXT NOT NULL,
  seq  INTEGER NOT NULL,                     -- traces.seq
  PRIMARY KEY (tag, seq)
) WITHOUT ROWID;
CREATE INDEX idx_trace_tags_seq ON trace_tags(seq);
CREATE TRIGGER trace_tags_insert AFTER INSERT ON traces
  WHEN new.tags IS NOT NULL AND json_valid(new.tags) AND new.tags <> '[]' BEGIN
  INSERT OR IGNORE INTO trace_tags(tag, seq)
    SELECT value, new.seq FROM json_each(new.tags) WHERE type = 'text';
END;
CREATE TRIGGER trace_tags_delete AFTER DELETE ON traces
  WHEN old.tags IS NOT NULL AND old.tags <> '[]' BEGIN
  DELETE FROM trace_tags WHERE seq = old.seq;
END;

-- Who adds the rows being written to rollup_hourly and row_counts:
-- 0: the triggers below, for every plain INSERT and DELETE (any tool);
-- 1: LLMFlow's batch writer (OTLP exports), which sets it inside its own
--    transaction, adds the whole transaction's rows per group in C (one
--    upsert per group instead of one per row) and sets it back to 0
--    before it commits, so no other connection ever reads 1.
-- The triggers use no application-defined function: tools that INSERT
-- with plain SQL still keep the rollups and counts right.
CREATE TABLE rollup_writer (
  in_c  INTEGER NOT NULL                     -- 1 only inside LLMFlow's batch transactions
);
INSERT INTO rollup_writer VALUES (0);

-- Totals per UTC hour and group, kept on insert and never decreased by
-- pruning: stats, trends and breakdowns read these, not raw rows.
CREATE TABLE rollup_hourly (
  hour              INTEGER NOT NULL,         -- ms at the start of the hour
  model             TEXT NOT NULL DEFAULT '', -- '' when none
  provider          TEXT NOT NULL DEFAULT '',
  service_name      TEXT NOT NULL DEFAULT '',
  requests          INTEGER NOT NULL DEFAULT 0,
  errors            INTEGER NOT NULL DEFAULT 0, -- status >= 400 or an error
  unpriced          INTEGER NOT NULL DEFAULT 0, -- a model, but no known cost
  prompt_tokens     INTEGER NOT NULL DEFAULT 0,
  completion_tokens INTEGER NOT NULL DEFAULT 0,
  total_tokens      INTEGER NOT NULL DEFAULT 0,
  cost              REAL NOT NULL DEFAULT 0,    -- priced calls only
  duration_ms       INTEGER NOT NULL DEFAULT 0, -- sum
  duration_n        INTEGER NOT NULL DEFAULT 0, -- rows with a duration
  PRIMARY KEY (hour, model, provider, service_name)
) WITHOUT ROWID;
CREATE TRIGGER rollup_insert AFTER INSERT ON traces
  WHEN (SELECT in_c FROM rollup_writer) = 0 BEGIN
  INSERT INTO rollup_hourly(hour, model, provider, service_name, requests, errors,
      unpriced, prompt_tokens, completion_tokens, total_tokens, cost,
      duration_ms, duration_n)
  VALUES ((new.timestamp / 3600000) * 3600000, coalesce(new.model, ''),
      coalesce(new.provider, ''), coalesce(new.service_name, ''), 1,
      (coalesce(new.status, 0) >= 400 OR new.error IS NOT NULL),
      (new.model IS NOT NULL AND new.estimated_cost IS NULL),
      coalesce(new.prompt_tokens, 0), coalesce(new.completion_tokens, 0),
      coalesce(new.total_tokens, 0), coalesce(new.estimated_cost, 0),
      coalesce(new.duration_ms, 0), new.duration_ms IS NOT NULL)
  ON CONFLICT (hour, model, provider, service_name) DO UPDATE SET
      requests = requests + 1,
      errors = errors + excluded.errors,
      unpriced = unpriced + excluded.unpriced,
      prompt_tokens = prompt_tokens + excluded.prompt_tokens,
      completion_tokens = completion_tokens + excluded.completion_tokens,
      total_tokens = total_tokens + excluded.total_tokens,
      cost = cost + excluded.cost,
      duration_ms = duration_ms + excluded.duration_ms,
      duration_n = duration_n + excluded.duration_n;
END;
INSERT INTO rollup_hourly(hour, model, provider, service_name, requests, errors,
    unpriced, prompt_tokens, completion_tokens, total_tokens, cost,
    duration_ms, duration_n)
  SELECT (timestamp / 3600000) * 3600000, coalesce(model, ''),
      coalesce(provider, ''), coalesce(service_name, ''), count(*),
      sum(coalesce(status, 0) >= 400 OR error IS NOT NULL),
      sum(model IS NOT NULL AND estimated_cost IS NULL),
      sum(coalesce(prompt_tokens, 0)), sum(coalesce(completion_tokens, 0)),
      sum(coalesce(total_tokens, 0)), sum(coalesce(estimated_cost, 0)),
      sum(coalesce(duration_ms, 0)), count(duration_ms)
  FROM traces GROUP BY 1, 2, 3, 4;

-- Row counts kept by triggers (and by the batch writer: see rollup_writer),
-- so retention never counts rows.
CREATE TABLE row_counts (
  tbl  TEXT PRIMARY KEY,                     -- traces, logs, metrics
  n    INTEGER NOT NULL
) WITHOUT ROWID;
INSERT INTO row_counts VALUES
  ('traces', (SELECT count(*) FROM traces)),
  ('logs', (SELECT count(*) FROM logs)),
  ('metrics', (SELECT count(*) FROM metrics));
CREATE TRIGGER count_traces_insert AFTER INSERT ON traces
  WHEN (SELECT in_c FROM rollup_writer) = 0 BEGIN
  UPDATE row_counts SET n = n + 1 WHERE tbl = 'traces'; END;
CREATE TRIGGER count_traces_delete AFTER DELETE ON traces BEGIN
  UPDATE row_counts SET n = n - 1 WHERE tbl = 'traces'; END;
CREATE TRIGGER count_logs_insert AFTER INSERT ON logs BEGIN
  UPDATE row_counts SET n = n + 1 WHERE tbl = 'logs'; END;
CREATE TRIGGER count_logs_delete AFTER DELETE ON logs BEGIN
  UPDATE row_counts SET n = n - 1 WHERE tbl = 'logs'; END;
CREATE TRIGGER count_metrics_insert AFTER INSERT ON metrics BEGIN
  UPDATE row_counts SET n = n + 1 WHERE tbl = 'metrics'; END;
CREATE TRIGGER count_metrics_delete AFTER DELETE ON metrics BEGIN
  UPDATE row_counts SET n = n - 1 WHERE tbl = 'metrics'; END;

-- version 4
-- The batch writer (rollup_writer.in_c = 1: OTLP ingest) adds what the
-- triggers would for all its rows at commit, one statement each: rollups
-- (one upsert per group), the row count, and now the search index too.
-- A trigger per row would flush FTS5's pending terms into a new segment
-- at every INSERT inside a transaction (each statement opens a savepoint,
-- and FTS5 writes out what it holds at each one).  Plain INSERTs still go
-- through the triggers.
DROP TRIGGER traces_fts_insert;
CREATE TRIGGER traces_fts_insert AFTER INSERT ON traces
  WHEN (SELECT in_c FROM rollup_writer) = 0 BEGIN
  INSERT INTO traces_fts(rowid, span_name, model, input, output, request_body, response_body)
  VALUES (new.seq, new.span_name, new.model, substr(new.input, 1, 16384),
          substr(new.output, 1, 16384), substr(new.request_body, 1, 16384),
          substr(new.response_body, 1, 16384));
END;

-- version 5
-- Indexes in ascending order, without the span id: rows arrive roughly in
-- time order, so new entries go at the end of each index (a descending
-- one took every new entry at its start), and the row number every index
-- entry carries already orders rows of the same time.  Lists walk them
-- backwards: newest first, then the row stored last.
DROP INDEX idx_traces_timestamp;
CREATE INDEX idx_traces_timestamp ON traces(timestamp);
DROP INDEX idx_traces_model;
CREATE INDEX idx_traces_model ON traces(model, timestamp);
DROP INDEX idx_traces_service;
CREATE INDEX idx_traces_service ON traces(service_name, timestamp)
  WHERE service_name IS NOT NULL;

-- version 6
-- The search index keeps no per-row column sizes (columnsize=0): they
-- serve only ranking, which LLMFlow does not do, and cost a row in a
-- table of their own for every trace.  Rebuilt from traces, with the
-- values of traces_fts_insert.
DROP TABLE traces_fts;
CREATE VIRTUAL TABLE traces_fts USING fts5(
  span_name, model, input, output, request_body, response_body,
  content = '', columnsize = 0, tokenize = 'unicode61');
INSERT INTO traces_fts(rowid, span_name, model, input, output, request_body, response_body)
  SELECT seq, span_name, model, substr(input, 1, 16384), substr(output, 1, 16384),
         substr(request_body, 1, 16384), substr(response_body, 1, 16384)
  FROM traces;

-- version 7
-- OTLP span links: the spans a span points at in other traces (or its
-- own), e.g. the requests a batch job handles.
ALTER TABLE traces ADD COLUMN links TEXT;   -- JSON array of {trace_id, span_id, trace_state?, attributes}

-- version 8
-- Span ids move out of traces into a table of their own, span_ids.  A
-- UNIQUE span id in traces cost every insert a search and an entry in a
-- random-key index, inside a statement that also writes six other
-- B-trees; the OTLP ingest queue's mover now fills span_ids for a whole
-- batch in one statement first and stores only the spans it took, about
-- a quarter less work per span.  Any other INSERT keeps the same rule
-- through the triggers below: a span whose id is already stored is
-- ignored (as INSERT OR IGNORE did), and deleted rows leave span_ids.
-- The mover sets rollup_writer.in_c to 2 inside its transaction: it adds
-- the span ids itself, so these two triggers stand aside for it (the
-- others do at any in_c above 0).
-- traces is rebuilt without the UNIQUE (SQLite cannot drop it), with
-- the same rows, row numbers, indexes and triggers.
CREATE TABLE traces_v8 (
  seq                     INTEGER PRIMARY KEY,  -- row number: stable key for the search index and tags
  id                      TEXT NOT NULL,     -- span id (16 hex for proxied calls and OTLP spans), unique: see span_ids
  trace_id                TEXT NOT NULL,     -- groups the spans of one trace (32 hex, or the caller's X-Trace-Id)
  parent_id               TEXT,              -- parent span id, NULL for a root
  timestamp               INTEGER NOT NULL,  -- start of the call or span
  duration_ms             INTEGER,           -- start to last byte
  ttft_ms                 INTEGER,           -- start to first byte of a streamed answer
  provider                TEXT,              -- openai, anthropic, ... (proxied calls) or gen_ai.provider.name
  model                   TEXT,              -- model the response names, else the request's
  prompt_tokens           INTEGER,           -- all input tokens, cached ones included
  completion_tokens       INTEGER,           -- all output tokens, reasoning ones included
  total_tokens            INTEGER,
  cached_tokens           INTEGER,           -- input tokens read from the provider's cache (part of prompt_tokens)
  cache_creation_tokens   INTEGER,           -- input tokens written to the cache (part of prompt_tokens)
  reasoning_tokens        INTEGER,           -- output tokens spent reasoning (part of completion_tokens)
  estimated_cost          REAL,              -- USD; NULL when it cannot be known
  cost_source             TEXT NOT NULL DEFAULT 'unknown'
                          CHECK (cost_source IN ('computed', 'reported', 'unknown')),
                                             -- computed from the price list, reported by the provider/span, or unknown
  status                  INTEGER,           -- HTTP status given to the client (499: client went away; 502/504: upstream failed)
  error                   TEXT,              -- what went wrong, NULL on success
  request_method          TEXT,
  request_path            TEXT,              -- path and query string, key= values redacted
  request_headers         TEXT,              -- JSON object, secrets redacted
  request_body            TEXT,              -- client's body as sent, cut at LLMFLOW_MAX_STORED_BODY
  request_body_truncated  INTEGER NOT NULL DEFAULT 0,  -- 1 when request_body was cut
  response_status         INTEGER,           -- upstream's status
  response_headers        TEXT,              -- JSON object
  response_body           TEXT,              -- upstream's body (streams: assembled answer), cut like request_body
  response_body_truncated INTEGER NOT NULL DEFAULT 0,  -- 1 when response_body was cut
  tags                    TEXT,              -- JSON array of strings (X-LLMFlow-Tag)
  span_type               TEXT NOT NULL DEFAULT 'llm',  -- llm, embedding, retrieval, tool, agent, chain, trace, custom
  span_name               TEXT,
  service_name            TEXT,              -- OTel resource service.name
  session_id              TEXT,
  conversation_id         TEXT,
  agent_name              TEXT,
  input                   TEXT,              -- JSON: input messages or value of a span
  output                  TEXT,              -- JSON: output of a span
  attributes              TEXT,              -- JSON object of span attributes
  span_kind               TEXT,              -- OTel SpanKind: internal, server, client, producer, consumer, unspecified (or the number)
  scope_name              TEXT,              -- instrumentation scope that made the span
  user_id                 TEXT,              -- user.id / enduser.id / association properties
  events                  TEXT,              -- JSON array of span events {time, name, attributes}
  resource_attributes     TEXT,              -- JSON object of the resource's attributes
  links                   TEXT               -- JSON array of {trace_id, span_id, trace_state?, attributes}
);
INSERT INTO traces_v8 (seq, id, trace_id, parent_id, timestamp, duration_ms, ttft_ms,
    provider, model, prompt_tokens, completion_tokens, total_tokens, cached_tokens,
    cache_creation_tokens, reasoning_tokens, estimated_cost, cost_source, status, error,
    request_method, request_path, request_headers, request_body, request_body_truncated,
    response_status, response_headers, response_body, response_body_truncated, tags,
    span_type, span_name, service_name, session_id, conversation_id, agent_name, input,
    output, attributes, span_kind, scope_name, user_id, events, resource_attributes, links)
  SELECT seq, id, trace_id, parent_id, timestamp, duration_ms, ttft_ms,
    provider, model, prompt_tokens, completion_tokens, total_tokens, cached_tokens,
    cache_creation_tokens, reasoning_tokens, estimated_cost, cost_source, status, error,
    request_method, request_path, request_headers, request_body, request_body_truncated,
    response_status, response_headers, response_body, response_body_truncated, tags,
    span_type, span_name, service_name, session_id, conversation_id, agent_name, input,
    output, attributes, span_kind, scope_name, user_id, events, resource_attributes, links
  FROM traces ORDER BY seq;
DROP TABLE traces;   -- and its indexes and triggers, made again below
ALTER TABLE traces_v8 RENAME TO traces;

CREATE TABLE span_ids (
  id   TEXT PRIMARY KEY,                     -- traces.id
  seq  INTEGER NOT NULL                      -- traces.seq
) WITHOUT ROWID;
INSERT INTO span_ids(id, seq) SELECT id, seq FROM traces;
CREATE TRIGGER span_ids_once BEFORE INSERT ON traces
  WHEN (SELECT in_c FROM rollup_writer) < 2
   AND EXISTS (SELECT 1 FROM span_ids WHERE id = new.id) BEGIN
  SELECT RAISE(IGNORE);
END;
CREATE TRIGGER span_ids_insert AFTER INSERT ON traces
  WHEN (SELECT in_c FROM rollup_writer) < 2 BEGIN
  INSERT INTO span_ids(id, seq) VALUES (new.id, new.seq);
END;
CREATE TRIGGER span_ids_delete AFTER DELETE ON traces BEGIN
  DELETE FROM span_ids WHERE id = old.id AND seq = old.seq;
END;

CREATE INDEX idx_traces_timestamp ON traces(timestamp);
CREATE INDEX idx_traces_trace_id ON traces(trace_id);
CREATE INDEX idx_traces_model ON traces(model, timestamp);
CREATE INDEX idx_traces_service ON traces(service_name, timestamp)
  WHERE service_name IS NOT NULL;
CREATE INDEX idx_traces_session_id ON traces(session_id) WHERE session_id IS NOT NULL;
CREATE INDEX idx_traces_conversation_id ON traces(conversation_id) WHERE conversation_id IS NOT NULL;
CREATE INDEX idx_traces_user_id ON traces(user_id) WHERE user_id IS NOT NULL;
-- The triggers of version 3 and 4, as they were.
CREATE TRIGGER traces_fts_delete AFTER DELETE ON traces BEGIN
  INSERT INTO traces_fts(traces_fts, rowid, span_name, model, input, output, request_body, response_body)
  VALUES ('delete', old.seq, old.span_name, old.model, substr(old.input, 1, 16384),
          substr(old.output, 1, 16384), substr(old.request_body, 1, 16384),
          substr(old.response_body, 1, 16384));
END;
CREATE TRIGGER trace_tags_insert AFTER INSERT ON traces
  WHEN new.tags IS NOT NULL AND json_valid(new.tags) AND new.tags <> '[]' BEGIN
  INSERT OR IGNORE INTO trace_tags(tag, seq)
    SELECT value, new.seq FROM json_each(new.tags) WHERE type = 'text';
END;
CREATE TRIGGER trace_tags_delete AFTER DELETE ON traces
  WHEN old.tags IS NOT NULL AND old.tags <> '[]' BEGIN
  DELETE FROM trace_tags WHERE seq = old.seq;
END;
CREATE TRIGGER rollup_insert AFTER INSERT ON traces
  WHEN (SELECT in_c FROM rollup_writer) = 0 BEGIN
  INSERT INTO rollup_hourly(hour, model, provider, service_name, requests, errors,
      unpriced, prompt_tokens, completion_tokens, total_tokens, cost,
      duration_ms, duration_n)
  VALUES ((new.timestamp / 3600000) * 3600000, coalesce(new.model, ''),
      coalesce(new.provider, ''), coalesce(new.service_name, ''), 1,
      (coalesce(new.status, 0) >= 400 OR new.error IS NOT NULL),
      (new.model IS NOT NULL AND new.estimated_cost IS NULL),
      coalesce(new.prompt_tokens, 0), coalesce(new.completion_tokens, 0),
      coalesce(new.total_tokens, 0), coalesce(new.estimated_cost, 0),
      coalesce(new.duration_ms, 0), new.duration_ms IS NOT NULL)
  ON CONFLICT (hour, model, provider, service_name) DO UPDATE SET
      requests = requests + 1,
      errors = errors + excluded.errors,
      unpriced = unpriced + excluded.unpriced,
      prompt_tokens = prompt_tokens + excluded.prompt_tokens,
      completion_tokens = completion_tokens + excluded.completion_tokens,
      total_tokens = total_tokens + excluded.total_tokens,
      cost = cost + excluded.cost,
      duration_ms = duration_ms + excluded.duration_ms,
      duration_n = duration_n + excluded.duration_n;
END;
CREATE TRIGGER count_traces_insert AFTER INSERT ON traces
  WHEN (SELECT in_c FROM rollup_writer) = 0 BEGIN
  UPDATE row_counts SET n = n + 1 WHERE tbl = 'traces'; END;
CREATE TRIGGER count_traces_delete AFTER DELETE ON traces BEGIN
  UPDATE row_counts SET n = n - 1 WHERE tbl = 'traces'; END;
CREATE TRIGGER traces_fts_insert AFTER INSERT ON traces
  WHEN (SELECT in_c FROM rollup_writer) = 0 BEGIN
  INSERT INTO traces_fts(rowid, span_name, model, input, output, request_body, response_body)
  VALUES (new.seq, new.span_name, new.model, substr(new.input, 1, 16384),
          substr(new.output, 1, 16384), substr(new.request_body, 1, 16384),
          substr(new.response_body, 1, 16384));
END;

-- version 9
-- A trace's spans are found through two tables instead of an index on
-- traces.trace_id.  Trace ids are random: that index took every new span
-- at a random place, so each move of the OTLP ingest queue rewrote most
-- of its pages, more of them the larger the table (in the sqlite3 shell,
-- from 1,500,000 to 2,000,000 spans, about two fifths of what storing a
-- span and its id cost).  trace_ids holds one row per
-- trace, numbered by the row number of its first span stored
-- (trace_no); trace_spans lists each trace's row numbers under that
-- number, so a new trace's spans go at its end.  The mover fills both
-- in two statements per move (in_c 2); every other writer through the
-- triggers below.  A trace's last span deleted takes its trace_ids row.
CREATE TABLE trace_ids (
  trace_id  TEXT PRIMARY KEY,                -- traces.trace_id
  trace_no  INTEGER NOT NULL                 -- traces.seq of the trace's first span stored
) WITHOUT ROWID;
INSERT INTO trace_ids(trace_id, trace_no)
  SELECT trace_id, min(seq) FROM traces GROUP BY trace_id;
CREATE TABLE trace_spans (
  trace_no  INTEGER NOT NULL,                -- trace_ids.trace_no
  seq       INTEGER NOT NULL,                -- traces.seq
  PRIMARY KEY (trace_no, seq)
) WITHOUT ROWID;
INSERT INTO trace_spans(trace_no, seq)
  SELECT i.trace_no, t.seq FROM traces t JOIN trace_ids i ON i.trace_id = t.trace_id
  ORDER BY 1, 2;
DROP INDEX idx_traces_trace_id;
CREATE TRIGGER trace_ids_insert AFTER INSERT ON traces
  WHEN (SELECT in_c FROM rollup_writer) < 2 BEGIN
  INSERT OR IGNORE INTO trace_ids(trace_id, trace_no) VALUES (new.trace_id, new.seq);
  INSERT INTO trace_spans(trace_no, seq)
    SELECT trace_no, new.seq FROM trace_ids WHERE trace_id = new.trace_id;
END;
CREATE TRIGGER trace_ids_delete AFTER DELETE ON traces BEGIN
  DELETE FROM trace_spans WHERE seq = old.seq AND trace_no =
    (SELECT trace_no FROM trace_ids WHERE trace_id = old.trace_id);
  DELETE FROM trace_ids WHERE trace_id = old.trace_id AND NOT EXISTS
    (SELECT 1 FROM trace_spans WHERE trace_spans.trace_no = trace_ids.trace_no);
END;
