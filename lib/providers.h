/*
 * The providers LLMFlow knows: where each one's upstream is, which
 * environment variables configure it, how it takes a key, and how to
 * check it cheaply.  Shared by the proxy (forwarding) and the query
 * program (/api/health/providers).  Origins and keys are read once at
 * start-up with providers_load(); hosts never come from request data.
 */
#ifndef LF_PROVIDERS_H
#define LF_PROVIDERS_H

enum provider_id {
	PROV_OPENAI,
	PROV_ANTHROPIC,
	PROV_GEMINI,
	PROV_COHERE,
	PROV_OLLAMA,
	PROV_GROQ,
	PROV_MISTRAL,
	PROV_TOGETHER,
	PROV_OPENROUTER,
	PROV_PERPLEXITY,
	PROV_AZURE,
	PROV_HELICONE,
	PROV__MAX
};

/* How a provider takes its key. */
enum auth_style {
	AUTH_BEARER,		/* Authorization: Bearer KEY */
	AUTH_X_API_KEY,		/* x-api-key: KEY (Anthropic) */
	AUTH_GOOG,		/* x-goog-api-key: KEY (Gemini) */
	AUTH_AZURE,		/* api-key: KEY (Azure OpenAI) */
	AUTH_NONE		/* no key (Ollama) */
};

struct provider {
	const char	*name;		/* in traces.provider and URLs */
	const char	*display;
	const char	*upstream_env;	/* LLMFLOW_UPSTREAM_<NAME> */
	const char	*origin_default;
	const char	*key_env[2];	/* first one set wins */
	enum auth_style	 auth;
	const char	*health_method;	/* cheap authenticated check */
	const char	*health_path;
	const char	*health_body;	/* NULL for none */
};

extern const struct provider	providers[PROV__MAX];

/* What start-up found in the environment for one provider. */
struct provider_conf {
	char		 origin[512];	/* scheme://host[:port][/base], no trailing slash */
	char		 error[200];	/* why the origin is unusable, "" if fine */
	const char	*key;		/* from the environment, or NULL */
	const char	*key_name;	/* which variable held it */
};

extern struct provider_conf	provider_conf[PROV__MAX];

/* Read every provider's origin and key from the environment. */
void	 providers_load(void);
/* The provider named name (case-insensitive), or -1. */
int	 provider_by_name(const char *name);
/* Header line that carries key the way provider p wants it, written into
 * out ("x-api-key: KEY").  0, or -1 if it does not fit or p takes none. */
int	 provider_auth_header(enum provider_id p, const char *key, char *out,
	    unsigned long outsz);

#endif
