/*
 * Anthropic Messages API (POST /v1/messages, anthropic-version 2023-06-01)
 * as a translated provider: the whole struct xlate contract of xlate.h.
 *
 *   request       OpenAI chat/completions body -> Messages body.
 *   response      Messages answer -> chat.completion (or an OpenAI error
 *                 body for an Anthropic error); res->finish_reason gets the
 *                 OpenAI value the client saw, res->id the native msg id.
 *   stream_*      Messages SSE events -> chat.completion.chunk events.
 *   native_body,  Passthrough: the same reading of a Messages body or one
 *   native_event  SSE event's data; res->finish_reason gets Anthropic's
 *                 own stop_reason ("end_turn", ...), the client's bytes are
 *                 not touched.
 *
 * Usage in one meaning (lib/usage.h): Anthropic's input_tokens exclude the
 * cache, so prompt = input_tokens + cache_read_input_tokens +
 * cache_creation_input_tokens, cached = cache_read_input_tokens,
 * cache_creation = cache_creation_input_tokens, completion =
 * output_tokens.  In streams each count only grows: message_start gives
 * the input side, message_delta the final output and (in newer API
 * versions) the input side again; a later event never lowers or zeroes a
 * count an earlier one reported.
 */
#ifndef LF_ANTHROPIC_H
#define LF_ANTHROPIC_H

#include "xlate.h"

extern const struct xlate anthropic_xlate;

#endif
