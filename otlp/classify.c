/*
 * What a span is and what it says about an LLM call, across the
 * instrumentation dialects: OTel GenAI semantic conventions, OpenInference
 * (Arize/Phoenix), OpenLLMetry (Traceloop), the Vercel AI SDK and
 * LangSmith.  Every table here is an ordered list of attribute keys: the
 * first present wins.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "classify.h"
#include "limits.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

struct map {
	const char	*from;
	const char	*to;
};

/* to of the entry whose from equals s (case-insensitive), or NULL. */
static const char *
map_find(const struct map *m, size_t n, const char *s)
{
	size_t	 i;

	if (s == NULL)
		return NULL;
	for (i = 0; i < n; i++)
		if (strcasecmp(m[i].from, s) == 0)
			return m[i].to;
	return NULL;
}

static const struct map oi_kinds[] = {	/* openinference.span.kind */
	{ "LLM", "llm" }, { "EMBEDDING", "embedding" },
	{ "RETRIEVER", "retrieval" }, { "RERANKER", "retrieval" },
	{ "TOOL", "tool" }, { "AGENT", "agent" }, { "CHAIN", "chain" },
	{ "GUARDRAIL", "custom" }, { "EVALUATOR", "custom" },
	{ "PROMPT", "custom" }, { "UNKNOWN", "custom" },
};
static const struct map genai_ops[] = {	/* gen_ai.operation.name */
	{ "chat", "llm" }, { "text_completion", "llm" },
	{ "generate_content", "llm" }, { "completion", "llm" },
	{ "embeddings", "embedding" }, { "embedding", "embedding" },
	{ "execute_tool", "tool" }, { "invoke_agent", "agent" },
	{ "create_agent", "agent" }, { "invoke_workflow", "trace" },
	{ "retrieval", "retrieval" }, { "retrieve", "retrieval" },
};
static const struct map tl_kinds[] = {	/* traceloop.span.kind */
	{ "workflow", "trace" }, { "task", "chain" }, { "agent", "agent" },
	{ "tool", "tool" }, { "llm", "llm" },
};
static const struct map llm_req_types[] = {	/* llm.request.type */
	{ "chat", "llm" }, { "completion", "llm" }, { "rerank", "retrieval" },
	{ "embedding", "embedding" }, { "embeddings", "embedding" },
};
static const struct map vercel_ops[] = {	/* ai.operationId */
	{ "ai.generateText.doGenerate", "llm" },
	{ "ai.streamText.doStream", "llm" },
	{ "ai.generateObject.doGenerate", "llm" },
	{ "ai.streamObject.doStream", "llm" },
	{ "ai.embed.doEmbed", "embedding" },
	{ "ai.embedMany.doEmbed", "embedding" },
	{ "ai.embed", "embedding" }, { "ai.embedMany", "embedding" },
	{ "ai.toolCall", "tool" },
	/* The wrappers around one or more model calls (and tools). */
	{ "ai.generateText", "chain" }, { "ai.streamText", "chain" },
	{ "ai.generateObject", "chain" }, { "ai.streamObject", "chain" },
};
static const char *const vector_dbs[] = {
	"pinecone", "chroma", "chromadb", "weaviate", "qdrant", "milvus",
	"pgvector", "lancedb", "marqo", "vespa", "elasticsearch",
	"opensearch", "redis", "mongodb_atlas", "faiss",
};
static const char *const tool_keys[] = {
	"gen_ai.tool.name", "gen_ai.tool.call.id", "tool.name",
	"ai.toolCall.name", "traceloop.entity.tool",
};
static const char *const model_keys[] = {
	"gen_ai.response.model", "gen_ai.request.model", "llm.model_name",
	"ai.response.model", "ai.model.id", "llm.response.model",
	"llm.request.model", "llm.model", "embedding.model_name",
};
static const char *const provider_keys[] = {
	"gen_ai.provider.name", "gen_ai.system", "llm.provider", "llm.system",
	"ai.model.provider", "llm.vendor",
};
static const char *const prompt_keys[] = {
	"gen_ai.usage.input_tokens", "gen_ai.usage.prompt_tokens",
	"llm.token_count.prompt", "ai.usage.inputTokens",
	"ai.usage.promptTokens", "llm.usage.prompt_tokens",
};
static const char *const completion_keys[] = {
	"gen_ai.usage.output_tokens", "gen_ai.usage.completion_tokens",
	"llm.token_count.completion", "ai.usage.outputTokens",
	"ai.usage.completionTokens", "llm.usage.completion_tokens",
};
static const char *const total_keys[] = {
	"gen_ai.usage.total_tokens", "llm.token_count.total",
	"ai.usage.totalTokens", "llm.usage.total_tokens",
};
static const char *const cached_keys[] = {
	"gen_ai.usage.cache_read.input_tokens",
	"gen_ai.usage.cache_read_input_tokens",
	"llm.token_count.prompt_details.cache_read",
	"ai.usage.cachedInputTokens",
};
static const char *const cache_creation_keys[] = {
	"gen_ai.usage.cache_creation.input_tokens",
	"gen_ai.usage.cache_creation_input_tokens",
	"llm.token_count.prompt_details.cache_write",
};
static const char *const reasoning_keys[] = {
	"gen_ai.usage.reasoning.output_tokens",
	"gen_ai.usage.reasoning_tokens",
	"llm.token_count.completion_details.reasoning",
	"ai.usage.reasoningTokens",
};
static const char *const session_keys[] = {
	"session.id", "gen_ai.session.id", "langsmith.trace.session_id",
	"langsmith.metadata.session_id",
	"traceloop.association.properties.session_id",
	"ai.telemetry.metadata.sessionId",
};
static const char *const conversation_keys[] = {
	"gen_ai.conversation.id", "conversation.id",
	"traceloop.association.properties.conversation_id",
	"traceloop.association.properties.thread_id",
	"ai.telemetry.metadata.conversationId",
	"ai.telemetry.metadata.threadId", "langsmith.metadata.thread_id",
	"langsmith.metadata.conversation_id",
};
static const char *const user_keys[] = {
	"user.id", "enduser.id", "traceloop.association.properties.user_id",
	"ai.telemetry.metadata.userId", "langsmith.metadata.user_id",
};
static const char *const agent_keys[] = {
	"gen_ai.agent.name", "gen_ai.agent.id", "agent.name",
};

/* The first of keys that is a non-empty string attribute. */
static const char *
first_str(const struct attrs *a, const char *const *keys, size_t n)
{
	const char	*s;
	size_t		 i;

	for (i = 0; i < n; i++)
		if ((s = otlp_attr_str(a, keys[i])) != NULL && *s != '\0')
			return s;
	return NULL;
}

/* The first of keys that reads as a count >= 0, else -1. */
static int64_t
first_count(const struct attrs *a, const char *const *keys, size_t n)
{
	int64_t	 v;
	size_t	 i;

	for (i = 0; i < n; i++)
		if (otlp_value_i64(otlp_attr(a, keys[i]), &v) == 0 && v >= 0)
			return v;
	return -1;
}

static int
contains(const char *s, const char *needle)
{
	return s != NULL && strcasestr(s, needle) != NULL;
}

const char *
otlp_span_type(const struct otlp_span *s)
{
	const struct attrs	*a = &s->attrs;
	const char		*v, *t;
	size_t			 i;

	/* 1. OpenInference. */
	if ((t = map_find(oi_kinds, NELEM(oi_kinds),
	    otlp_attr_str(a, "openinference.span.kind"))) != NULL)
		return t;
	/* 2. OTel GenAI. */
	if ((t = map_find(genai_ops, NELEM(genai_ops),
	    otlp_attr_str(a, "gen_ai.operation.name"))) != NULL)
		return t;
	/* 3. OpenLLMetry. */
	if ((t = map_find(tl_kinds, NELEM(tl_kinds),
	    otlp_attr_str(a, "traceloop.span.kind"))) != NULL)
		return t;
	if ((v = otlp_attr_str(a, "llm.request.type")) != NULL)
		return (t = map_find(llm_req_types, NELEM(llm_req_types), v)) ?
		    t : "llm";
	/* 4. Vercel AI SDK. */
	if ((t = map_find(vercel_ops, NELEM(vercel_ops),
	    otlp_attr_str(a, "ai.operationId"))) != NULL)
		return t;
	/* 5. Tool attributes. */
	for (i = 0; i < NELEM(tool_keys); i++)
		if (otlp_attr(a, tool_keys[i]) != NULL)
			return "tool";
	/* 6. Vector databases. */
	if ((v = otlp_attr_str(a, "db.system")) != NULL ||
	    (v = otlp_attr_str(a, "db.system.name")) != NULL)
		for (i = 0; i < NELEM(vector_dbs); i++)
			if (contains(v, vector_dbs[i]))
				return "retrieval";
	/* 7. A model. */
	if (first_str(a, model_keys, NELEM(model_keys)) != NULL)
		return "llm";
	/* 8. The span name. */
	v = s->name;
	if (contains(v, "embed"))
		return "embedding";
	if (contains(v, "retriev") || contains(v, "search"))
		return "retrieval";
	if (contains(v, "agent"))
		return "agent";
	if (contains(v, "tool") || contains(v, "function"))
		return "tool";
	if (contains(v, "workflow"))
		return "trace";
	if (contains(v, "chain"))
		return "chain";
	return "custom";
}

/* Vercel's ai.model.provider is "openai.chat", "anthropic.messages". */
static const char *
provider_of(const struct otlp_span *s)
{
	static const char *const	 known[] = { "openai", "anthropic",
		"google", "mistral", "cohere", "groq", "xai", "deepseek",
		"amazon-bedrock", "azure", "vertex", "ollama", "fireworks",
		"togetherai", "perplexity" };
	const char			*p;
	size_t				 i, n;

	p = first_str(&s->attrs, provider_keys, NELEM(provider_keys));
	if (p == NULL || otlp_attr_str(&s->attrs, "ai.model.provider") != p)
		return p;
	for (i = 0; i < NELEM(known); i++) {
		n = strlen(known[i]);
		if (strncmp(p, known[i], n) == 0 && (p[n] == '.' || !p[n]))
			return known[i];
	}
	return p;
}

void
otlp_span_info(const struct otlp_span *s, struct span_info *si)
{
	const struct attrs	*a = &s->attrs;
	double			 d, d2;

	memset(si, 0, sizeof(*si));
	usage_init(&si->usage);
	si->type = otlp_span_type(s);
	si->name = s->name != NULL && *s->name ? s->name :
	    otlp_attr_str(a, "traceloop.entity.name");
	si->model = first_str(a, model_keys, NELEM(model_keys));
	si->provider = provider_of(s);
	si->session_id = first_str(a, session_keys, NELEM(session_keys));
	si->conversation_id = first_str(a, conversation_keys,
	    NELEM(conversation_keys));
	si->user_id = first_str(a, user_keys, NELEM(user_keys));
	si->agent_name = first_str(a, agent_keys, NELEM(agent_keys));
	if (si->agent_name == NULL && strcmp(si->type, "agent") == 0)
		si->agent_name = otlp_attr_str(a, "traceloop.entity.name");
	/*
	 * Tokens and cost count once per model call: wrappers (chains,
	 * agents, workflows) often repeat their children's totals, and the
	 * totals are summed over rows.
	 */
	if (strcmp(si->type, "llm") != 0 && strcmp(si->type, "embedding") != 0)
		return;
	si->usage.prompt = first_count(a, prompt_keys, NELEM(prompt_keys));
	si->usage.completion = first_count(a, completion_keys,
	    NELEM(completion_keys));
	si->usage.total = first_count(a, total_keys, NELEM(total_keys));
	si->usage.cached = first_count(a, cached_keys, NELEM(cached_keys));
	si->usage.cache_creation = first_count(a, cache_creation_keys,
	    NELEM(cache_creation_keys));
	si->usage.reasoning = first_count(a, reasoning_keys,
	    NELEM(reasoning_keys));
	if (si->usage.total < 0 && (si->usage.prompt >= 0 ||
	    si->usage.completion >= 0))
		si->usage.total = usage_sum(&si->usage);
	if ((otlp_value_double(otlp_attr(a, "gen_ai.usage.cost"), &d) == 0 ||
	    otlp_value_double(otlp_attr(a, "llm.cost.total"), &d) == 0) &&
	    d >= 0)
		si->usage.reported_cost = d;
	else if (otlp_value_double(otlp_attr(a, "llm.cost.prompt"), &d) == 0 &&
	    otlp_value_double(otlp_attr(a, "llm.cost.completion"), &d2) == 0 &&
	    d >= 0 && d2 >= 0)
		si->usage.reported_cost = d + d2;
}

/* ---- input and output ---- */

/* An indexed attribute: prefix, N, ".", rest. */
struct indexed {
	unsigned long	 n;
	size_t		 order;
	const char	*field;
	const struct anyvalue *v;
};

static int
indexed_cmp(const void *a, const void *b)
{
	const struct indexed	*x = a, *y = b;

	if (x->n != y->n)
		return x->n < y->n ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

/*
 * Messages spread over indexed attributes (gen_ai.prompt.0.role,
 * gen_ai.prompt.0.content, llm.input_messages.0.message.role, ...) as
 * [{"role":...,"content":...}, ...] in index order.  strip is a part of
 * the field name to drop ("message.").  0 if there were none.
 */
static int
write_indexed(struct jw *w, const struct attrs *a, const char *prefix,
    const char *strip)
{
	struct indexed	*e;
	size_t		 i, n = 0, plen = strlen(prefix), slen;
	const char	*k;
	char		*end;
	unsigned long	 idx, cur = 0;
	int		 open = 0;

	for (i = 0; i < a->n; i++)
		if (strncmp(a->kv[i].key, prefix, plen) == 0)
			n++;
	if (n == 0 || (e = calloc(n, sizeof(*e))) == NULL)
		return 0;
	n = 0;
	for (i = 0; i < a->n; i++) {
		k = a->kv[i].key;
		if (strncmp(k, prefix, plen) != 0 || k[plen] < '0' ||
		    k[plen] > '9')
			continue;
		idx = strtoul(k + plen, &end, 10);
		if (*end != '.' || end[1] == '\0' || idx > LF_OTLP_MAX_ATTRS)
			continue;
		end++;
		slen = strip ? strlen(strip) : 0;
		if (slen && strncmp(end, strip, slen) == 0 && end[slen])
			end += slen;
		e[n].n = idx;
		e[n].order = i;
		e[n].field = end;
		e[n].v = &a->kv[i].v;
		n++;
	}
	if (n == 0) {
		free(e);
		return 0;
	}
	qsort(e, n, sizeof(*e), indexed_cmp);
	jw_arr(w);
	for (i = 0; i < n; i++) {
		if (!open || e[i].n != cur) {
			if (open)
				jw_obj_end(w);
			jw_obj(w);
			open = 1;
			cur = e[i].n;
		}
		jw_key(w, e[i].field);
		if (e[i].v->type == AV_STRING && (strcmp(e[i].field,
		    "tool_calls") == 0 || strcmp(e[i].field, "arguments") == 0))
			otlp_jw_maybe_json(w, e[i].v->s, e[i].v->len);
		else
			otlp_jw_value(w, e[i].v);
	}
	if (open)
		jw_obj_end(w);
	jw_arr_end(w);
	free(e);
	return 1;
}

/* A value that may be a JSON string, a structure or text. */
static int
write_value(struct jw *w, const struct anyvalue *v)
{
	if (v == NULL || v->type == AV_EMPTY)
		return 0;
	if (v->type == AV_STRING)
		otlp_jw_maybe_json(w, v->s, v->len);
	else
		otlp_jw_value(w, v);
	return 1;
}

static const char *const in_event_names[] = {
	"gen_ai.system.message", "gen_ai.user.message",
	"gen_ai.assistant.message", "gen_ai.tool.message",
	"gen_ai.content.prompt",
};
static const char *const out_event_names[] = {
	"gen_ai.choice", "gen_ai.content.completion",
};

/* Span events that carry messages, as [{"event":name, ...attrs}]. */
static int
write_events(struct jw *w, const struct otlp_span *s,
    const char *const *names, size_t nnames)
{
	size_t	 i, j, k;
	int	 any = 0;

	for (i = 0; i < s->nevents; i++) {
		for (j = 0; j < nnames; j++)
			if (s->events[i].name && strcmp(s->events[i].name,
			    names[j]) == 0)
				break;
		if (j == nnames)
			continue;
		if (!any)
			jw_arr(w);
		any = 1;
		jw_obj(w);
		jw_kstr(w, "event", s->events[i].name);
		for (k = 0; k < s->events[i].attrs.n; k++) {
			const struct kv	*kv = &s->events[i].attrs.kv[k];

			jw_key(w, kv->key);
			if (kv->v.type == AV_STRING)
				otlp_jw_maybe_json(w, kv->v.s, kv->v.len);
			else
				otlp_jw_value(w, &kv->v);
		}
		jw_obj_end(w);
	}
	if (any)
		jw_arr_end(w);
	return any;
}

static int
io_one(struct jw *w, const struct otlp_span *s, int out)
{
	const struct attrs	*a = &s->attrs;
	const struct anyvalue	*v;
	static const char *const in_keys[] = { "gen_ai.input.messages",
	    NULL, NULL, "input.value", "traceloop.entity.input",
	    "ai.prompt.messages", "ai.prompt", "gen_ai.prompt",
	    "gen_ai.tool.call.arguments", "ai.toolCall.args" };
	static const char *const out_keys[] = { "gen_ai.output.messages",
	    NULL, NULL, "output.value", "traceloop.entity.output",
	    "ai.response.text", "ai.response.object", "gen_ai.completion",
	    "gen_ai.tool.call.result", "ai.toolCall.result" };
	const char *const	*keys = out ? out_keys : in_keys;
	size_t			 i;

	if (write_value(w, otlp_attr(a, keys[0])))
		return 1;
	if (write_indexed(w, a, out ? "gen_ai.completion." : "gen_ai.prompt.",
	    NULL))
		return 1;
	if (write_indexed(w, a, out ? "llm.output_messages." :
	    "llm.input_messages.", "message."))
		return 1;
	for (i = 3; i < NELEM(in_keys); i++) {
		v = otlp_attr(a, keys[i]);
		if (v != NULL && i == 5 && out && v->type == AV_STRING) {
			jw_strn(w, v->s, v->len);	/* ai.response.text */
			return 1;
		}
		if (write_value(w, v))
			return 1;
	}
	return out ? write_events(w, s, out_event_names,
	    NELEM(out_event_names)) : write_events(w, s, in_event_names,
	    NELEM(in_event_names));
}

void
otlp_span_io(const struct otlp_span *s, struct jw *in, int *has_in,
    struct jw *out, int *has_out)
{
	*has_in = io_one(in, s, 0);
	*has_out = io_one(out, s, 1);
}
