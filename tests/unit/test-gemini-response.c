/*
 * GenerateContentResponse bodies through gemini_xlate.response (to an
 * OpenAI chat.completion) and gemini_xlate.native_body (passthrough
 * usage): text with thought parts skipped, usage with cached and
 * thinking tokens, tool calls, finish reasons, a blocked prompt, error
 * bodies, and whole JSON-array stream bodies.
 */
#include <string.h>

#include "buf.h"
#include "gemini.h"
#include "limits.h"
#include "openai.h"
#include "xlate.h"
#include "gemini-t.h"

struct rs {
	struct llm_result	 r;
	struct buf		 out;
	int			 rc;
};

static void
rs(struct rs *t, int status, const char *body, const char *model)
{
	llm_result_init(&t->r, 1 << 16);
	buf_init(&t->out, 1 << 20);
	t->rc = gemini_xlate.response(status, body, strlen(body), model,
	    &t->out, &t->r);
}

static void
rs_free(struct rs *t)
{
	llm_result_free(&t->r);
	buf_free(&t->out);
}

/* The answer without its "created" (checked to be a number). */
static const char *
no_created(struct rs *t)
{
	static char		 s[1 << 16];
	struct json_object	*o, *c;

	s[0] = '\0';
	if ((o = t_parse(buf_str(&t->out), t->out.len)) == NULL)
		return s;
	if (json_object_object_get_ex(o, "created", &c) &&
	    json_object_is_type(c, json_type_int) &&
	    json_object_get_int64(c) > 1600000000)
		json_object_object_del(o, "created");
	snprintf(s, sizeof(s), "%s", json_object_to_json_string_ext(o,
	    JSON_C_TO_STRING_PLAIN));
	json_object_put(o);
	return s;
}

#define CHECK_BODY(name, t, want) do {					\
	const char *t_s = no_created(t);				\
	CHECK_JSON(name, t_s, strlen(t_s), want);			\
} while (0)

int
main(void)
{
	struct rs	 t;
	const char	*s;

	rs(&t, 200, Q("{'candidates':[{'content':{'parts':["
	    "{'text':'Let me think','thought':true},"
	    "{'text':'Hello'},{'text':', world'}],'role':'model'},"
	    "'finishReason':'STOP','index':0}],"
	    "'usageMetadata':{'promptTokenCount':120,'candidatesTokenCount':8,"
	    "'totalTokenCount':228,'cachedContentTokenCount':100,"
	    "'thoughtsTokenCount':100,'promptTokensDetails':[{'modality':'TEXT',"
	    "'tokenCount':120}]},'modelVersion':'gemini-2.5-flash',"
	    "'responseId':'abc123'}"), "gemini-2.5-flash-latest");
	CHECK_I64("text (rc)", t.rc, 0);
	CHECK_BODY("text: content joined, thoughts skipped, usage", &t,
	    "{'id':'chatcmpl-abc123','object':'chat.completion',"
	    "'model':'gemini-2.5-flash','choices':[{'index':0,'message':"
	    "{'role':'assistant','content':'Hello, world'},"
	    "'finish_reason':'stop'}],'usage':{'prompt_tokens':120,"
	    "'completion_tokens':108,'total_tokens':228,"
	    "'prompt_tokens_details':{'cached_tokens':100},"
	    "'completion_tokens_details':{'reasoning_tokens':100}}}");
	CHECK_I64("usage prompt (includes cached)", t.r.usage.prompt, 120);
	CHECK_I64("usage cached", t.r.usage.cached, 100);
	CHECK_I64("usage completion = candidates + thoughts",
	    t.r.usage.completion, 108);
	CHECK_I64("usage reasoning", t.r.usage.reasoning, 100);
	CHECK_I64("usage total", t.r.usage.total, 228);
	CHECK_STR("result model", t.r.model, "gemini-2.5-flash");
	CHECK_STR("result id", t.r.id, "abc123");
	CHECK_STR("result finish", t.r.finish_reason, "stop");
	rs_free(&t);

	rs(&t, 200, Q("{'candidates':[{'content':{'parts':["
	    "{'text':'Checking.'},"
	    "{'functionCall':{'name':'weather','args':{'city':'Paris','days':[1,2.5],'x':null}},"
	    "'thoughtSignature':'c2ln'},"
	    "{'functionCall':{'name':'time'}}],'role':'model'},"
	    "'finishReason':'STOP'}],"
	    "'usageMetadata':{'promptTokenCount':10,'candidatesTokenCount':5,"
	    "'totalTokenCount':15}}"), "gemini-2.0-flash");
	CHECK_I64("tool calls (rc)", t.rc, 0);
	s = no_created(&t);
	CHECK("random id when there is no responseId",
	    strncmp(s, "{\"id\":\"chatcmpl-", 16) == 0);
	{
		struct json_object *o = t_parse(s, strlen(s));
		json_object_object_del(o, "id");
		s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
		CHECK_JSON("tool calls: ids (signature carried in one), arguments text", s,
		    strlen(s), "{'object':'chat.completion',"
		    "'model':'gemini-2.0-flash','choices':[{'index':0,'message':"
		    "{'role':'assistant','content':'Checking.','tool_calls':["
		    "{'id':'call_0__thought__c2ln','type':'function','function':{'name':'weather',"
		    "'arguments':'{\\'city\\':\\'Paris\\',\\'days\\':[1,2.5],\\'x\\':null}'}},"
		    "{'id':'call_1','type':'function','function':{'name':'time',"
		    "'arguments':'{}'}}]},'finish_reason':'tool_calls'}],"
		    "'usage':{'prompt_tokens':10,'completion_tokens':5,"
		    "'total_tokens':15}}");
		json_object_put(o);
	}
	CHECK_STR("tool calls finish", t.r.finish_reason, "tool_calls");
	CHECK_I64("no thoughts: reasoning not reported", t.r.usage.reasoning, -1);
	CHECK_I64("no cache: cached not reported", t.r.usage.cached, -1);
	rs_free(&t);

	rs(&t, 200, Q("{'candidates':[{'content':{'parts':[{'text':'a'}]},"
	    "'finishReason':'MAX_TOKENS'}]}"), "g");
	CHECK_STR("MAX_TOKENS -> length", t.r.finish_reason, "length");
	CHECK("client model when none is named",
	    strstr(t.out.p, "\"model\":\"g\"") != NULL);
	CHECK("usage without usageMetadata: zeros",
	    strstr(t.out.p, "\"prompt_tokens\":0") != NULL);
	rs_free(&t);
	rs(&t, 200, Q("{'candidates':[{'content':{'parts':[]},"
	    "'finishReason':'PROHIBITED_CONTENT'}]}"), "g");
	CHECK_STR("PROHIBITED_CONTENT -> content_filter", t.r.finish_reason,
	    "content_filter");
	CHECK("no text: content null", strstr(t.out.p, "\"content\":null")
	    != NULL);
	rs_free(&t);
	rs(&t, 200, Q("{'candidates':[{'finishReason':'RECITATION'}]}"), "g");
	CHECK_STR("RECITATION -> content_filter", t.r.finish_reason,
	    "content_filter");
	rs_free(&t);
	rs(&t, 200, Q("{'candidates':[{'finishReason':'MALFORMED_FUNCTION_CALL'}]}"),
	    "g");
	CHECK_STR("others lower-cased", t.r.finish_reason,
	    "malformed_function_call");
	rs_free(&t);

	rs(&t, 200, Q("{'promptFeedback':{'blockReason':'SAFETY'},"
	    "'usageMetadata':{'promptTokenCount':7,'totalTokenCount':7},"
	    "'responseId':'r1'}"), "gemini-x");
	CHECK_BODY("blocked prompt: content_filter, no content", &t,
	    "{'id':'chatcmpl-r1','object':'chat.completion','model':'gemini-x',"
	    "'choices':[{'index':0,'message':{'role':'assistant','content':null},"
	    "'finish_reason':'content_filter'}],'usage':{'prompt_tokens':7,"
	    "'completion_tokens':0,'total_tokens':7}}");
	CHECK_I64("blocked prompt: completion not reported",
	    t.r.usage.completion, -1);
	rs_free(&t);

	rs(&t, 2, Q("{'candidates':[{'content':{'parts':[{'text':'a'}]},'index':1},"
	    "{'content':{'parts':[{'text':'b'}]},'index':0,'finishReason':'STOP'}]}"),
	    "g");
	CHECK("two candidates, two choices with their indexes",
	    strstr(t.out.p, "\"index\":1,\"message\":{\"role\":\"assistant\","
	    "\"content\":\"a\"}") != NULL && strstr(t.out.p,
	    "\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"b\"}")
	    != NULL);
	rs_free(&t);

	rs(&t, 400, Q("{'error':{'code':400,'message':'API key not valid.',"
	    "'status':'INVALID_ARGUMENT','details':[]}}"), "g");
	CHECK_I64("error (rc)", t.rc, 0);
	CHECK_JSON("error body", t.out.p, t.out.len, "{'error':{'message':"
	    "'API key not valid.','type':'invalid_argument','code':null}}");
	CHECK_STR("error message kept", t.r.error, "API key not valid.");
	rs_free(&t);
	rs(&t, 503, Q("[{'error':{'code':503,'message':'overloaded'}}]"), "g");
	CHECK_JSON("error in an array, no status", t.out.p, t.out.len,
	    "{'error':{'message':'overloaded','type':'api_error','code':null}}");
	rs_free(&t);
	rs(&t, 502, "<html>bad gateway</html>", "g");
	CHECK_I64("not JSON: -1", t.rc, -1);
	rs_free(&t);
	rs(&t, 500, "{\"oops\":1}", "g");
	CHECK_I64("error without a message: -1", t.rc, -1);
	rs_free(&t);
	rs(&t, 200, "[1,2]", "g");
	CHECK_I64("not an object: -1", t.rc, -1);
	rs_free(&t);

	rs(&t, 200, Q("{'candidates':[],'usageMetadata':{'promptTokenCount':120,"
	    "'candidatesTokenCount':99999999999999999999999,"
	    "'thoughtsTokenCount':-4,'totalTokenCount':9007199254740993}}"), "g");
	CHECK("absurd counts are not reported", t.rc == 0 &&
	    t.r.usage.prompt == 120 && t.r.usage.completion == -1 &&
	    t.r.usage.reasoning == -1 && t.r.usage.total == -1);
	rs_free(&t);

	/* Passthrough: a non-stream body. */
	llm_result_init(&t.r, 1 << 16);
	s = Q("{'candidates':[{'content':{'parts':[{'text':'hi'}]},"
	    "'finishReason':'STOP'}],'usageMetadata':{'promptTokenCount':3,"
	    "'candidatesTokenCount':1,'totalTokenCount':4},"
	    "'modelVersion':'gemini-1.5-pro-002','responseId':'n1'}");
	CHECK_I64("native object (rc)", gemini_xlate.native_body(s,
	    strlen(s), &t.r), 0);
	CHECK("native object usage", t.r.usage.prompt == 3 &&
	    t.r.usage.completion == 1 && t.r.usage.total == 4);
	CHECK_STR("native object model", t.r.model, "gemini-1.5-pro-002");
	CHECK_STR("native object id", t.r.id, "n1");
	CHECK_STR("native object finish", t.r.finish_reason, "stop");
	llm_result_free(&t.r);

	/* Passthrough: a whole streamGenerateContent body (JSON array). */
	llm_result_init(&t.r, 1 << 16);
	s = Q("[{'candidates':[{'content':{'parts':[{'text':'Hel'}],'role':'model'}}],"
	    "'usageMetadata':{'promptTokenCount':9,'totalTokenCount':9},"
	    "'modelVersion':'gemini-2.5-pro'},\r\n"
	    "{'candidates':[{'content':{'parts':[{'text':'lo'}],'role':'model'},"
	    "'finishReason':'STOP'}],'usageMetadata':{'promptTokenCount':9,"
	    "'candidatesTokenCount':2,'thoughtsTokenCount':30,"
	    "'cachedContentTokenCount':4,'totalTokenCount':41},"
	    "'modelVersion':'gemini-2.5-pro'}\r\n,"
	    "{'candidates':[{'content':{'parts':[{'text':''}],'role':'model'}}],"
	    "'modelVersion':'gemini-2.5-pro'}\r\n]");
	CHECK_I64("native array (rc)", gemini_xlate.native_body(s,
	    strlen(s), &t.r), 0);
	CHECK("native array: usage of the last element with usage",
	    t.r.usage.prompt == 9 && t.r.usage.completion == 32 &&
	    t.r.usage.reasoning == 30 && t.r.usage.cached == 4 &&
	    t.r.usage.total == 41);
	CHECK_STR("native array model", t.r.model, "gemini-2.5-pro");
	CHECK_STR("native array finish", t.r.finish_reason, "stop");
	CHECK_STR("native array text", buf_str(&t.r.text), "Hello");
	CHECK_I64("native not JSON", gemini_xlate.native_body("[{", 2,
	    &t.r), -1);
	llm_result_free(&t.r);

	llm_result_init(&t.r, 1 << 16);
	s = Q("{'error':{'code':429,'message':'Resource exhausted','status':"
	    "'RESOURCE_EXHAUSTED'}}");
	gemini_xlate.native_body(s, strlen(s), &t.r);
	CHECK_STR("native error message", t.r.error, "Resource exhausted");
	llm_result_free(&t.r);
	return t_done();
}
