/*
 * Cohere's v2 chat API (POST /v2/chat) behind the OpenAI chat-completions
 * dialect: requests, answers and streams translated both ways, and usage
 * read from native answers for passthrough (see proxy/xlate.h for the
 * contract every provider keeps).
 *
 * What the translation promises beyond xlate.h:
 *  - request: messages (system/developer, user with text and image parts,
 *    assistant with tool calls, tool results), tools, tool_choice and the
 *    sampling parameters Cohere has are translated; n > 1, a content part
 *    Cohere cannot take (audio, files), the legacy "function" role and a
 *    parameter of the wrong type are refused with a message naming them.
 *    logit_bias, logprobs, top_logprobs, user, service_tier, store,
 *    parallel_tool_calls, metadata and unknown members are dropped.
 *  - usage: prompt = usage.tokens.input_tokens, completion =
 *    usage.tokens.output_tokens (all tokens the model read and wrote),
 *    each falling back to usage.billed_units when tokens lacks it; total
 *    is left unreported (-1).
 *  - finish reasons: translated answers and streams store the OpenAI
 *    value the client saw (COMPLETE and STOP_SEQUENCE -> stop, MAX_TOKENS
 *    -> length, TOOL_CALL -> tool_calls, ERROR and TIMEOUT -> stop with
 *    the reason in res->error, anything else -> stop); native_body and
 *    native_event store Cohere's own value.
 *  - answers: text items of message.content joined; message.tool_calls
 *    copied as OpenAI tool calls; when there are tool calls and no text,
 *    message.tool_plan is the content (the request maps it back).
 *  - streams: the role chunk comes before the first content or tool
 *    chunk; tool calls are numbered from 0 in the order of their
 *    tool-call-start, and tool-call-delta arguments belong to the call
 *    started last; tool-plan-delta and citation events are dropped; the
 *    finish chunk is written at message-end.  After an error event only
 *    "data: [DONE]" follows.  A stream cut before message-end is closed
 *    with finish_reason "stop" but res->finish_reason stays "" and
 *    res->done 0.
 *  - Cohere names no model in its answers: the client's model is reported
 *    to the client and res->model is left "".
 */
#ifndef LF_COHERE_H
#define LF_COHERE_H

#include "xlate.h"

extern const struct xlate cohere_xlate;

#endif
