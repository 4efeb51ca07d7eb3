/*
 * Span type by the order of evidence, and model/provider/tokens/cost,
 * input/output and session fields from each GenAI dialect.
 */
#include "t.h"
#include "otlp-t.h"

#include "pricing.h"

#define S(k, v)	"{\"key\":\"" k "\",\"value\":{\"stringValue\":\"" v "\"}}"
#define I(k, v)	"{\"key\":\"" k "\",\"value\":{\"intValue\":\"" #v "\"}}"
#define D(k, v)	"{\"key\":\"" k "\",\"value\":{\"doubleValue\":" #v "}}"

static const char *
type_of(const char *name, const char *attrs)
{
	struct otlp_export	 ex;

	if (t_span(name, attrs, &ex) != OTLP_OK || ex.nspans != 1)
		return "(decode failed)";
	return otlp_span_type(&ex.spans[0]);
}

static struct rowbufs	 rb;

static struct trace_rec
row_of(const char *name, const char *attrs)
{
	struct otlp_export	 ex;
	struct trace_rec	 r;

	trace_rec_init(&r);
	if (t_span(name, attrs, &ex) == OTLP_OK && ex.nspans == 1)
		otlp_span_row(&ex.spans[0], &rb, 1, &r);
	return r;
}

int
main(void)
{
	struct trace_rec	 r;
	char			 err[256];

	arena_init(&t_arena, 64 << 20);
	rowbufs_init(&rb);
	static const char prices[] = "{\"gpt-4o\":{\"input_cost_per_token\":"
	    "0.000001,\"output_cost_per_token\":0.000002}}";

	CHECK("prices load", pricing_load_mem(prices, strlen(prices), 1, err,
	    sizeof(err)) == 0);

	/* Order of evidence. */
	CHECK_STR("openinference first", type_of("x", "[" S("openinference.span.kind",
	    "RETRIEVER") "," S("gen_ai.operation.name", "chat") "]"), "retrieval");
	CHECK_STR("gen_ai.operation.name before traceloop", type_of("x", "["
	    S("gen_ai.operation.name", "embeddings") ","
	    S("traceloop.span.kind", "tool") "]"), "embedding");
	CHECK_STR("traceloop workflow is a trace", type_of("x", "["
	    S("traceloop.span.kind", "workflow") "]"), "trace");
	CHECK_STR("llm.request.type", type_of("x", "["
	    S("llm.request.type", "chat") "," S("ai.operationId", "ai.toolCall")
	    "]"), "llm");
	CHECK_STR("vercel doGenerate", type_of("x", "["
	    S("ai.operationId", "ai.generateText.doGenerate") "]"), "llm");
	CHECK_STR("vercel wrapper is a chain", type_of("x", "["
	    S("ai.operationId", "ai.generateText") "," S("ai.model.id", "gpt-4o")
	    "]"), "chain");
	CHECK_STR("tool attribute", type_of("x", "[" S("gen_ai.tool.name", "f")
	    "," S("db.system", "qdrant") "]"), "tool");
	CHECK_STR("vector db", type_of("x", "[" S("db.system", "qdrant") ","
	    S("gen_ai.request.model", "m") "]"), "retrieval");
	CHECK_STR("model attribute", type_of("agent", "["
	    S("llm.model_name", "m") "]"), "llm");
	CHECK_STR("name embed", type_of("Embed docs", "[]"), "embedding");
	CHECK_STR("name agent", type_of("my agent", "[]"), "agent");
	CHECK_STR("name workflow", type_of("workflow run", "[]"), "trace");
	CHECK_STR("custom", type_of("http get", "[]"), "custom");

	/* OTel GenAI. */
	r = row_of("chat", "[" S("gen_ai.operation.name", "chat") ","
	    S("gen_ai.request.model", "gpt-4o-2024") ","
	    S("gen_ai.response.model", "gpt-4o") ","
	    S("gen_ai.provider.name", "openai") ","
	    I("gen_ai.usage.input_tokens", 1000) ","
	    I("gen_ai.usage.output_tokens", 500) ","
	    I("gen_ai.usage.cache_read.input_tokens", 10) ","
	    I("gen_ai.usage.cache_creation.input_tokens", 20) ","
	    I("gen_ai.usage.reasoning.output_tokens", 30) ","
	    S("gen_ai.conversation.id", "c1") "," S("user.id", "u1") ","
	    S("gen_ai.agent.name", "ag") "," S("session.id", "s1") ","
	    S("gen_ai.input.messages", "[{\\\"role\\\":\\\"user\\\"}]") "]");
	CHECK_STR("genai model prefers response", r.model, "gpt-4o");
	CHECK_STR("genai provider", r.provider, "openai");
	CHECK_I64("genai input tokens", r.prompt_tokens, 1000);
	CHECK_I64("genai output tokens", r.completion_tokens, 500);
	CHECK_I64("genai total", r.total_tokens, 1500);
	CHECK_I64("genai cache read", r.cached_tokens, 10);
	CHECK_I64("genai cache creation", r.cache_creation_tokens, 20);
	CHECK_I64("genai reasoning", r.reasoning_tokens, 30);
	CHECK_STR("computed cost", r.cost_source, "computed");
	CHECK("cost value", r.estimated_cost > 0);
	CHECK_STR("conversation", r.conversation_id, "c1");
	CHECK_STR("user", r.user_id, "u1");
	CHECK_STR("agent", r.agent_name, "ag");
	CHECK_STR("session", r.session_id, "s1");
	CHECK_STR("input messages JSON string", r.input, "[{\"role\":\"user\"}]");

	/* Older GenAI names and reported cost. */
	r = row_of("x", "[" S("gen_ai.system", "anthropic") ","
	    S("gen_ai.request.model", "claude") ","
	    I("gen_ai.usage.prompt_tokens", 7) ","
	    I("gen_ai.usage.completion_tokens", 3) ","
	    D("gen_ai.usage.cost", 0.25) "]");
	CHECK_STR("gen_ai.system provider", r.provider, "anthropic");
	CHECK_I64("prompt_tokens", r.prompt_tokens, 7);
	CHECK_I64("completion_tokens", r.completion_tokens, 3);
	CHECK_STR("reported cost kept", r.cost_source, "reported");
	CHECK_NEAR("reported cost value", r.estimated_cost, 0.25);

	/* OpenInference. */
	r = row_of("x", "[" S("openinference.span.kind", "LLM") ","
	    S("llm.model_name", "gpt-4o") "," S("llm.provider", "openai") ","
	    I("llm.token_count.prompt", 11) ","
	    I("llm.token_count.completion", 12) ","
	    I("llm.token_count.total", 23) "," D("llm.cost.total", 0.5) ","
	    S("llm.input_messages.0.message.role", "user") ","
	    S("llm.input_messages.0.message.content", "hi") ","
	    S("output.value", "hello") "]");
	CHECK_STR("oi model", r.model, "gpt-4o");
	CHECK_I64("oi prompt", r.prompt_tokens, 11);
	CHECK_I64("oi total", r.total_tokens, 23);
	CHECK_STR("oi reported cost", r.cost_source, "reported");
	CHECK_STR("oi input messages", r.input,
	    "[{\"role\":\"user\",\"content\":\"hi\"}]");
	CHECK_STR("oi output.value", r.output, "\"hello\"");

	/* OpenLLMetry. */
	r = row_of("openai.chat", "[" S("llm.request.type", "chat") ","
	    S("gen_ai.system", "openai") "," S("gen_ai.request.model", "gpt-4o") ","
	    S("gen_ai.prompt.1.role", "user") ","
	    S("gen_ai.prompt.1.content", "q") ","
	    S("gen_ai.prompt.0.role", "system") ","
	    S("gen_ai.prompt.0.content", "be brief") ","
	    S("gen_ai.completion.0.content", "a") ","
	    S("traceloop.association.properties.session_id", "ts") "]");
	CHECK_STR("openllmetry prompts in index order", r.input,
	    "[{\"role\":\"system\",\"content\":\"be brief\"},"
	    "{\"role\":\"user\",\"content\":\"q\"}]");
	CHECK_STR("openllmetry completion", r.output, "[{\"content\":\"a\"}]");
	CHECK_STR("openllmetry session", r.session_id, "ts");
	r = row_of("wf", "[" S("traceloop.span.kind", "agent") ","
	    S("traceloop.entity.name", "planner") ","
	    S("traceloop.entity.input", "{\\\"q\\\":1}") "]");
	CHECK_STR("traceloop agent name", r.agent_name, "planner");
	CHECK_STR("traceloop entity input", r.input, "{\"q\":1}");

	/* Vercel AI SDK. */
	r = row_of("ai.generateText.doGenerate", "["
	    S("ai.operationId", "ai.generateText.doGenerate") ","
	    S("ai.model.id", "gpt-4o") "," S("ai.model.provider", "openai.chat") ","
	    I("ai.usage.promptTokens", 5) "," I("ai.usage.completionTokens", 6) ","
	    S("ai.response.text", "hey") ","
	    S("ai.telemetry.metadata.sessionId", "vs") "]");
	CHECK_STR("vercel provider", r.provider, "openai");
	CHECK_I64("vercel prompt", r.prompt_tokens, 5);
	CHECK_I64("vercel completion", r.completion_tokens, 6);
	CHECK_STR("vercel output", r.output, "\"hey\"");
	CHECK_STR("vercel session", r.session_id, "vs");
	r = row_of("ai.generateText", "[" S("ai.operationId", "ai.generateText")
	    "," I("ai.usage.promptTokens", 5) "]");
	CHECK_I64("wrapper tokens not counted twice", r.prompt_tokens, DB_NULL);

	/* LangSmith. */
	r = row_of("x", "[" S("langsmith.trace.session_id", "ls") "]");
	CHECK_STR("langsmith session", r.session_id, "ls");

	/* Unpriced. */
	r = row_of("x", "[" S("gen_ai.request.model", "nope") ","
	    I("gen_ai.usage.input_tokens", 1) "]");
	CHECK_STR("unknown model unpriced", r.cost_source, "unknown");
	CHECK("unpriced cost NaN", isnan(r.estimated_cost));

	rowbufs_free(&rb);
	arena_free(&t_arena);
	return t_done();
}
