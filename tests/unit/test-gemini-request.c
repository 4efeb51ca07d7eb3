/*
 * OpenAI chat/completions bodies through gemini_xlate.request: roles and
 * merging, system instruction, images (data and http URLs), tool calls
 * and tool results, tools and tool_choice, generation settings, dropped
 * parameters, stream flags, and the 400s (not JSON, no messages, bad
 * model, bad parameter).
 */
#include <string.h>

#include "buf.h"
#include "gemini.h"
#include "limits.h"
#include "xlate.h"
#include "gemini-t.h"

struct tr {
	struct xlate_req	 req;
	char			 err[256];
	int			 rc;
};

static void
tr(struct tr *t, const char *body)
{
	memset(t, 0, sizeof(*t));
	buf_init(&t->req.body, 1 << 20);
	t->rc = gemini_xlate.request(body, strlen(body), &t->req, t->err,
	    sizeof(t->err));
}

#define OK(name, in, want) do {					\
	struct tr t_t;							\
	tr(&t_t, Q(in));						\
	CHECK_I64(name " (rc)", t_t.rc, 0);				\
	CHECK_JSON(name, buf_str(&t_t.req.body), t_t.req.body.len, want);\
	buf_free(&t_t.req.body);					\
} while (0)

#define BAD(name, in, errpart) do {					\
	struct tr t_t;							\
	tr(&t_t, Q(in));						\
	CHECK_I64(name " (rc)", t_t.rc, -1);				\
	CHECK(name " (message)", strstr(t_t.err, errpart) != NULL);	\
	buf_free(&t_t.req.body);					\
} while (0)

int
main(void)
{
	struct tr	 t;

	OK("plain chat: system, user, assistant, merged users",
	    "{'model':'gemini-2.5-flash','messages':["
	    "{'role':'system','content':'Be brief.'},"
	    "{'role':'developer','content':[{'type':'text','text':'No lists.'}]},"
	    "{'role':'user','content':'Hi'},"
	    "{'role':'user','content':[{'type':'text','text':'there'}]},"
	    "{'role':'assistant','content':'Hello!'},"
	    "{'role':'user','content':'Bye'}],"
	    "'temperature':0.2,'max_tokens':100,'top_p':1,'stop':'END',"
	    "'n':1,'seed':7,'presence_penalty':0.5,'frequency_penalty':-1,"
	    "'logit_bias':{'1':2},'logprobs':true,'user':'u1',"
	    "'service_tier':'auto','store':false,'parallel_tool_calls':true}",
	    "{'contents':["
	    "{'role':'user','parts':[{'text':'Hi'},{'text':'there'}]},"
	    "{'role':'model','parts':[{'text':'Hello!'}]},"
	    "{'role':'user','parts':[{'text':'Bye'}]}],"
	    "'systemInstruction':{'parts':[{'text':'Be brief.'},"
	    "{'text':'No lists.'}]},"
	    "'generationConfig':{'maxOutputTokens':100,'temperature':0.2,"
	    "'topP':1,'presencePenalty':0.5,'frequencyPenalty':-1,"
	    "'stopSequences':['END'],'candidateCount':1,'seed':7}}");

	tr(&t, Q("{'model':'models/gemini-2.0-flash','stream':true,"
	    "'stream_options':{'include_usage':true},"
	    "'messages':[{'role':'user','content':'x'}]}"));
	CHECK_I64("stream flags (rc)", t.rc, 0);
	CHECK_I64("stream", t.req.stream, 1);
	CHECK_I64("include_usage", t.req.include_usage, 1);
	CHECK_STR("model as the client named it", t.req.model,
	    "models/gemini-2.0-flash");
	CHECK("model not in the body", strstr(buf_str(&t.req.body),
	    "model\"") == NULL && strstr(buf_str(&t.req.body), "stream")
	    == NULL);
	buf_free(&t.req.body);
	tr(&t, Q("{'model':'g','stream':false,'stream_options':"
	    "{'include_usage':true},'messages':[{'role':'user','content':'x'}]}"));
	CHECK("no stream: no include_usage", t.rc == 0 && !t.req.stream &&
	    !t.req.include_usage);
	buf_free(&t.req.body);

	OK("images: data URL, http URL with extension, default type",
	    "{'model':'g','messages':[{'role':'user','content':["
	    "{'type':'text','text':'What is this?'},"
	    "{'type':'image_url','image_url':{'url':'data:image/png;base64,iVBO','detail':'high'}},"
	    "{'type':'image_url','image_url':{'url':'https://x.test/a/cat.WEBP?s=1'}},"
	    "{'type':'image_url','image_url':'http://x.test/img'}]}]}",
	    "{'contents':[{'role':'user','parts':[{'text':'What is this?'},"
	    "{'inlineData':{'mimeType':'image/png','data':'iVBO'}},"
	    "{'fileData':{'mimeType':'image/webp','fileUri':'https://x.test/a/cat.WEBP?s=1'}},"
	    "{'fileData':{'mimeType':'image/jpeg','fileUri':'http://x.test/img'}}]}]}");

	OK("audio and file parts",
	    "{'model':'g','messages':[{'role':'user','content':["
	    "{'type':'input_audio','input_audio':{'data':'UklG','format':'wav'}},"
	    "{'type':'file','file':{'filename':'a.pdf','file_data':'data:application/pdf;base64,JVBE'}}]}]}",
	    "{'contents':[{'role':'user','parts':["
	    "{'inlineData':{'mimeType':'audio/wav','data':'UklG'}},"
	    "{'inlineData':{'mimeType':'application/pdf','data':'JVBE'}}]}]}");

	OK("tool round trip: calls, results by id, merged user turn",
	    "{'model':'g','messages':["
	    "{'role':'user','content':'Weather in Paris and Rome?'},"
	    "{'role':'assistant','content':null,'tool_calls':["
	    "{'id':'call_a','type':'function','function':{'name':'weather','arguments':'{\\'city\\':\\'Paris\\'}'}},"
	    "{'id':'call_b','type':'function','function':{'name':'weather2','arguments':''},"
	    "'extra_content':{'google':{'thought_signature':'c2ln'}}}]},"
	    "{'role':'tool','tool_call_id':'call_b','content':'{\\'temp\\':21}'},"
	    "{'role':'tool','tool_call_id':'call_a','content':'sunny'},"
	    "{'role':'user','content':'Thanks'}],"
	    "'tools':[{'type':'function','function':{'name':'weather',"
	    "'description':'Get weather','parameters':{'type':'object',"
	    "'$schema':'http://json-schema.org/draft-07/schema#',"
	    "'additionalProperties':false,'properties':{'city':{'type':'string'},"
	    "'additionalProperties':{'type':'string'}},'required':['city']}}},"
	    "{'type':'function','function':{'name':'weather2','parameters':"
	    "{'type':'object','properties':{}}}}],"
	    "'tool_choice':'required'}",
	    "{'contents':["
	    "{'role':'user','parts':[{'text':'Weather in Paris and Rome?'}]},"
	    "{'role':'model','parts':["
	    "{'functionCall':{'name':'weather','args':{'city':'Paris'}}},"
	    "{'functionCall':{'name':'weather2','args':{}},'thoughtSignature':'c2ln'}]},"
	    "{'role':'user','parts':["
	    "{'functionResponse':{'name':'weather2','response':{'content':{'temp':21}}}},"
	    "{'functionResponse':{'name':'weather','response':{'content':'sunny'}}},"
	    "{'text':'Thanks'}]}],"
	    "'tools':[{'functionDeclarations':["
	    "{'name':'weather','description':'Get weather','parameters':"
	    "{'type':'object','properties':{'city':{'type':'string'},"
	    "'additionalProperties':{'type':'string'}},'required':['city']}},"
	    "{'name':'weather2'}]}],"
	    "'toolConfig':{'functionCallingConfig':{'mode':'ANY'}}}");

	OK("thought signature carried in the tool call id comes back",
	    "{'model':'g','messages':[{'role':'user','content':'x'},"
	    "{'role':'assistant','tool_calls':[{'id':'call_0__thought__QUJD+/=',"
	    "'type':'function','function':{'name':'f','arguments':'{}'}}]},"
	    "{'role':'tool','tool_call_id':'call_0__thought__QUJD+/=','content':''}]}",
	    "{'contents':[{'role':'user','parts':[{'text':'x'}]},"
	    "{'role':'model','parts':[{'functionCall':{'name':'f','args':{}},"
	    "'thoughtSignature':'QUJD+/='}]},"
	    "{'role':'user','parts':[{'functionResponse':{'name':'f',"
	    "'response':{'content':''}}}]}]}");

	OK("tool_choice function, auto, none",
	    "{'model':'g','messages':[{'role':'user','content':'x'}],"
	    "'tools':[{'type':'function','function':{'name':'f'}}],"
	    "'tool_choice':{'type':'function','function':{'name':'f'}}}",
	    "{'contents':[{'role':'user','parts':[{'text':'x'}]}],"
	    "'tools':[{'functionDeclarations':[{'name':'f'}]}],"
	    "'toolConfig':{'functionCallingConfig':{'mode':'ANY',"
	    "'allowedFunctionNames':['f']}}}");
	OK("tool_choice auto",
	    "{'model':'g','messages':[{'role':'user','content':'x'}],'tool_choice':'auto'}",
	    "{'contents':[{'role':'user','parts':[{'text':'x'}]}],"
	    "'toolConfig':{'functionCallingConfig':{'mode':'AUTO'}}}");
	OK("tool_choice none",
	    "{'model':'g','messages':[{'role':'user','content':'x'}],'tool_choice':'none'}",
	    "{'contents':[{'role':'user','parts':[{'text':'x'}]}],"
	    "'toolConfig':{'functionCallingConfig':{'mode':'NONE'}}}");

	OK("response_format json_object, max_completion_tokens wins",
	    "{'model':'g','messages':[{'role':'user','content':'x'}],"
	    "'response_format':{'type':'json_object'},'max_tokens':5,"
	    "'max_completion_tokens':9,'stop':['a','b']}",
	    "{'contents':[{'role':'user','parts':[{'text':'x'}]}],"
	    "'generationConfig':{'maxOutputTokens':9,'stopSequences':['a','b'],"
	    "'responseMimeType':'application/json'}}");
	OK("response_format json_schema",
	    "{'model':'g','messages':[{'role':'user','content':'x'}],"
	    "'response_format':{'type':'json_schema','json_schema':{'name':'p',"
	    "'strict':true,'schema':{'type':'object','properties':{'n':"
	    "{'type':'array','items':{'type':'object','additionalProperties':false,"
	    "'properties':{'v':{'type':'integer'}}}}},'additionalProperties':false}}}}",
	    "{'contents':[{'role':'user','parts':[{'text':'x'}]}],"
	    "'generationConfig':{'responseMimeType':'application/json',"
	    "'responseSchema':{'type':'object','properties':{'n':{'type':'array',"
	    "'items':{'type':'object','properties':{'v':{'type':'integer'}}}}}}}}");
	OK("null parameters are absent; text format adds nothing",
	    "{'model':'g','messages':[{'role':'user','content':'x'}],"
	    "'temperature':null,'stop':null,'response_format':{'type':'text'}}",
	    "{'contents':[{'role':'user','parts':[{'text':'x'}]}]}");
	OK("tool result with unknown id falls back to the message name",
	    "{'model':'g','messages':[{'role':'user','content':'x'},"
	    "{'role':'tool','tool_call_id':'zz','name':'lookup','content':"
	    "[{'type':'text','text':'[1,2]'}]}]}",
	    "{'contents':[{'role':'user','parts':[{'text':'x'},"
	    "{'functionResponse':{'name':'lookup','response':{'content':'[1,2]'}}}]}]}");
	OK("unicode and escapes survive",
	    "{'model':'g','messages':[{'role':'user','content':'caf\\u00e9 \\'q\\' \\n \\ud83d\\ude00'}]}",
	    "{'contents':[{'role':'user','parts':[{'text':'caf\\u00e9 \\'q\\' \\n \\ud83d\\ude00'}]}]}");

	BAD("not JSON", "{'model':'g','messages':[", "not a JSON object");
	BAD("array body", "[1]", "not a JSON object");
	BAD("no messages", "{'model':'g'}", "messages");
	BAD("empty messages", "{'model':'g','messages':[]}", "messages");
	BAD("only system", "{'model':'g','messages':[{'role':'system','content':'s'}]}",
	    "no user or assistant");
	BAD("no model", "{'messages':[{'role':'user','content':'x'}]}", "model");
	BAD("model ..", "{'model':'..','messages':[{'role':'user','content':'x'}]}", "model");
	BAD("model models/", "{'model':'models/','messages':[{'role':'user','content':'x'}]}", "model");
	BAD("model with NUL", "{'model':'a\\u0000b','messages':[{'role':'user','content':'x'}]}", "model");
	BAD("unknown role", "{'model':'g','messages':[{'role':'robot','content':'x'}]}", "messages[0]: unknown role");
	BAD("bad image scheme", "{'model':'g','messages':[{'role':'user','content':"
	    "[{'type':'image_url','image_url':{'url':'file:///etc/passwd'}}]}]}", "image_url");
	BAD("data URL without base64", "{'model':'g','messages':[{'role':'user','content':"
	    "[{'type':'image_url','image_url':{'url':'data:image/png,abc'}}]}]}", "base64");
	BAD("tool result for no call", "{'model':'g','messages':[{'role':'user','content':'x'},"
	    "{'role':'tool','tool_call_id':'nope','content':'r'}]}", "tool_call_id");
	BAD("arguments not an object", "{'model':'g','messages':[{'role':'assistant',"
	    "'tool_calls':[{'id':'c','type':'function','function':{'name':'f','arguments':'[1]'}}]}]}",
	    "arguments");
	BAD("temperature a string", "{'model':'g','messages':[{'role':'user','content':'x'}],"
	    "'temperature':'hot'}", "temperature");
	BAD("max_tokens zero", "{'model':'g','messages':[{'role':'user','content':'x'}],"
	    "'max_tokens':0}", "max_tokens");
	BAD("stop of numbers", "{'model':'g','messages':[{'role':'user','content':'x'}],"
	    "'stop':[1]}", "stop");
	BAD("non-function tool", "{'model':'g','messages':[{'role':'user','content':'x'}],"
	    "'tools':[{'type':'web_search'}]}", "tools");
	BAD("image in system", "{'model':'g','messages':[{'role':'system','content':"
	    "[{'type':'image_url','image_url':{'url':'https://x/a.png'}}]},"
	    "{'role':'user','content':'x'}]}", "only text");

	/* The translated body is bounded by the caller's buffer. */
	memset(&t, 0, sizeof(t));
	buf_init(&t.req.body, 16);
	t.rc = gemini_xlate.request(Q("{'model':'g','messages':[{'role':"
	    "'user','content':'a long enough text'}]}"), 56, &t.req, t.err,
	    sizeof(t.err));
	CHECK("body overflow is an error", t.rc == -1 && t.err[0] != '\0');
	buf_free(&t.req.body);
	return t_done();
}
