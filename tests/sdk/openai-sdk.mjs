// Drives LLMFlow's proxy with the official OpenAI SDK, as a user would.
// Env: LLMFLOW_PROXY_URL (http://127.0.0.1:PORT), MARKER (text put in each
// prompt so the test can find the traces).  Prints one JSON line.
import OpenAI from "openai";

const client = new OpenAI({
  baseURL: process.env.LLMFLOW_PROXY_URL + "/v1",
  apiKey: "sk-sdk-client-key",
  maxRetries: 0,
});
const mk = process.env.MARKER;
const out = {};

const r = await client.chat.completions.create({
  model: "gpt-4o-mini",
  messages: [{ role: "user", content: "sdk " + mk + "-ns" }],
});
out.nonstream = { content: r.choices[0].message.content, usage: r.usage, model: r.model };

const s = await client.chat.completions.create({
  model: "gpt-4o-mini",
  messages: [{ role: "user", content: "sdk " + mk + "-st" }],
  stream: true,
});
let text = "", chunks = 0, usageSeen = false, finish = null;
for await (const ch of s) {
  chunks++;
  if (ch.usage || ch.choices.length === 0) usageSeen = true;
  text += ch.choices[0]?.delta?.content ?? "";
  finish = ch.choices[0]?.finish_reason ?? finish;
}
out.stream = { text, chunks, usageSeen, finish };

const e = await client.embeddings.create({ model: "text-embedding-3-small", input: "sdk " + mk + "-em" });
out.embeddings = { n: e.data.length, usage: e.usage };

try {
  await client.chat.completions.create(
    { model: "gpt-4o-mini", messages: [{ role: "user", content: "sdk " + mk + "-er" }] },
    { headers: { "X-Fake-Status": "429" } },
  );
  out.error = { status: null };
} catch (err) {
  out.error = { status: err.status, message: err.message };
}
console.log(JSON.stringify(out));
