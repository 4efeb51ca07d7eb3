#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "log.h"
#include "providers.h"

const struct provider providers[PROV__MAX] = {
	[PROV_OPENAI] = { "openai", "OpenAI", "LLMFLOW_UPSTREAM_OPENAI",
	    "https://api.openai.com", { "OPENAI_API_KEY", NULL }, AUTH_BEARER,
	    "GET", "/v1/models", NULL },
	[PROV_ANTHROPIC] = { "anthropic", "Anthropic Claude",
	    "LLMFLOW_UPSTREAM_ANTHROPIC", "https://api.anthropic.com",
	    { "ANTHROPIC_API_KEY", NULL }, AUTH_X_API_KEY,
	    "GET", "/v1/models", NULL },
	[PROV_GEMINI] = { "gemini", "Google Gemini", "LLMFLOW_UPSTREAM_GEMINI",
	    "https://generativelanguage.googleapis.com",
	    { "GOOGLE_API_KEY", "GEMINI_API_KEY" }, AUTH_GOOG,
	    "GET", "/v1beta/models?pageSize=1", NULL },
	[PROV_COHERE] = { "cohere", "Cohere", "LLMFLOW_UPSTREAM_COHERE",
	    "https://api.cohere.com", { "COHERE_API_KEY", NULL }, AUTH_BEARER,
	    "GET", "/v1/models?page_size=1", NULL },
	[PROV_OLLAMA] = { "ollama", "Ollama", "LLMFLOW_UPSTREAM_OLLAMA",
	    "http://localhost:11434", { NULL, NULL }, AUTH_NONE,
	    "GET", "/api/tags", NULL },
	[PROV_GROQ] = { "groq", "Groq", "LLMFLOW_UPSTREAM_GROQ",
	    "https://api.groq.com", { "GROQ_API_KEY", NULL }, AUTH_BEARER,
	    "GET", "/openai/v1/models", NULL },
	[PROV_MISTRAL] = { "mistral", "Mistral AI", "LLMFLOW_UPSTREAM_MISTRAL",
	    "https://api.mistral.ai", { "MISTRAL_API_KEY", NULL }, AUTH_BEARER,
	    "GET", "/v1/models", NULL },
	[PROV_TOGETHER] = { "together", "Together AI",
	    "LLMFLOW_UPSTREAM_TOGETHER", "https://api.together.xyz",
	    { "TOGETHER_API_KEY", NULL }, AUTH_BEARER, "GET", "/v1/models",
	    NULL },
	[PROV_OPENROUTER] = { "openrouter", "OpenRouter",
	    "LLMFLOW_UPSTREAM_OPENROUTER", "https://openrouter.ai",
	    { "OPENROUTER_API_KEY", NULL }, AUTH_BEARER, "GET", "/api/v1/key",
	    NULL },
	/* No listing endpoint: an empty completion request is refused with
	 * 400 when the key is good and 401 when it is not; nothing is billed. */
	[PROV_PERPLEXITY] = { "perplexity", "Perplexity",
	    "LLMFLOW_UPSTREAM_PERPLEXITY", "https://api.perplexity.ai",
	    { "PERPLEXITY_API_KEY", NULL }, AUTH_BEARER, "POST",
	    "/chat/completions", "{}" },
	/* Origin built from AZURE_OPENAI_RESOURCE unless overridden. */
	[PROV_AZURE] = { "azure", "Azure OpenAI", "LLMFLOW_UPSTREAM_AZURE",
	    NULL, { "AZURE_OPENAI_API_KEY", NULL }, AUTH_AZURE,
	    "GET", "/openai/models?api-version=2024-10-21", NULL },
	[PROV_HELICONE] = { "helicone", "Helicone", "LLMFLOW_UPSTREAM_HELICONE",
	    "https://oai.helicone.ai", { "HELICONE_API_KEY", NULL },
	    AUTH_BEARER, NULL, NULL, NULL },
};

struct provider_conf	provider_conf[PROV__MAX];

static int
value_ok(const char *v)
{
	return v != NULL && *v != '\0' && strpbrk(v, "\r\n") == NULL;
}

/* origin must be http(s)://host[:port][/base] without query or fragment. */
static void
set_origin(struct provider_conf *c, const char *var, const char *v)
{
	const char	*host;
	size_t		 n;

	if (strncmp(v, "http://", 7) == 0)
		host = v + 7;
	else if (strncmp(v, "https://", 8) == 0)
		host = v + 8;
	else
		host = NULL;
	n = strlen(v);
	while (n > 0 && v[n - 1] == '/')
		n--;
	if (host == NULL || *host == '\0' || *host == '/' ||
	    strpbrk(v, "?# \r\n\t@") != NULL || n >= sizeof(c->origin)) {
		snprintf(c->error, sizeof(c->error),
		    "%s must be an http:// or https:// origin", var);
		log_warn("%s", c->error);
		return;
	}
	memcpy(c->origin, v, n);
	c->origin[n] = '\0';
}

/* Ollama: OLLAMA_HOST is "host", "host:port" or a URL; OLLAMA_PORT. */
static void
ollama_origin(struct provider_conf *c)
{
	const char	*h = getenv("OLLAMA_HOST"), *port = getenv("OLLAMA_PORT");
	char		 tmp[512];

	if (!value_ok(h)) {
		set_origin(c, "OLLAMA_HOST", providers[PROV_OLLAMA].origin_default);
		return;
	}
	if (strncmp(h, "http://", 7) == 0 || strncmp(h, "https://", 8) == 0)
		snprintf(tmp, sizeof(tmp), "%s", h);
	else if (strchr(h, ':') != NULL)
		snprintf(tmp, sizeof(tmp), "http://%s", h);
	else
		snprintf(tmp, sizeof(tmp), "http://%s:%s", h,
		    value_ok(port) ? port : "11434");
	set_origin(c, "OLLAMA_HOST", tmp);
}

static void
azure_origin(struct provider_conf *c)
{
	const char	*r = getenv("AZURE_OPENAI_RESOURCE");
	char		 tmp[512];
	size_t		 i;

	if (!value_ok(r)) {
		snprintf(c->error, sizeof(c->error), "AZURE_OPENAI_RESOURCE "
		    "(or LLMFLOW_UPSTREAM_AZURE) is not set");
		return;
	}
	for (i = 0; r[i] != '\0'; i++)
		if (!isalnum((unsigned char)r[i]) && r[i] != '-') {
			snprintf(c->error, sizeof(c->error),
			    "AZURE_OPENAI_RESOURCE must be a resource name "
			    "(letters, digits, dashes)");
			return;
		}
	snprintf(tmp, sizeof(tmp), "https://%s.openai.azure.com", r);
	set_origin(c, "AZURE_OPENAI_RESOURCE", tmp);
}

void
providers_load(void)
{
	const struct provider	*p;
	struct provider_conf	*c;
	const char		*v;
	int			 i, k;

	for (i = 0; i < PROV__MAX; i++) {
		p = &providers[i];
		c = &provider_conf[i];
		memset(c, 0, sizeof(*c));
		for (k = 0; k < 2 && p->key_env[k] != NULL; k++)
			if (value_ok(v = getenv(p->key_env[k]))) {
				c->key = v;
				c->key_name = p->key_env[k];
				break;
			}
		if (value_ok(v = getenv(p->upstream_env)))
			set_origin(c, p->upstream_env, v);
		else if (i == PROV_OLLAMA)
			ollama_origin(c);
		else if (i == PROV_AZURE)
			azure_origin(c);
		else
			set_origin(c, p->upstream_env, p->origin_default);
	}
}

int
provider_by_name(const char *name)
{
	int	 i;

	for (i = 0; i < PROV__MAX; i++)
		if (strcasecmp(name, providers[i].name) == 0)
			return i;
	return -1;
}

int
provider_auth_header(enum provider_id id, const char *key, char *out,
    unsigned long outsz)
{
	const char	*name;
	int		 n;

	switch (providers[id].auth) {
	case AUTH_BEARER:
		name = "Authorization: Bearer ";
		break;
	case AUTH_X_API_KEY:
		name = "x-api-key: ";
		break;
	case AUTH_GOOG:
		name = "x-goog-api-key: ";
		break;
	case AUTH_AZURE:
		name = "api-key: ";
		break;
	case AUTH_NONE:
	default:
		return -1;
	}
	n = snprintf(out, outsz, "%s%s", name, key);
	return n < 0 || (unsigned long)n >= outsz ? -1 : 0;
}
