#include <stdio.h>
#include <string.h>

#include "health.h"
#include "limits.h"
#include "providers.h"
#include "upstream.h"

/* What counts as a healthy answer: 2xx; for a check that posts an empty
 * body, the 400/422 that says the key was accepted and the body was not. */
static int
healthy(const struct provider *p, long status)
{
	if (status >= 200 && status < 300)
		return 1;
	return p->health_body != NULL && (status == 400 || status == 422);
}

void
api_health_providers(struct jw *w)
{
	struct probe	 pr[PROV__MAX];
	char		 url[PROV__MAX][1024], auth[PROV__MAX][1024];
	int		 idx[PROV__MAX], i, k, np = 0, ok = 0, configured = 0;
	char		 msg[200];

	memset(pr, 0, sizeof(pr));
	for (i = 0; i < PROV__MAX; i++) {
		const struct provider		*p = &providers[i];
		const struct provider_conf	*c = &provider_conf[i];

		idx[i] = -1;
		if (p->health_path == NULL || c->error[0] != '\0' ||
		    (c->key == NULL && p->auth != AUTH_NONE))
			continue;
		k = np;
		if ((size_t)snprintf(url[k], sizeof(url[k]), "%s%s", c->origin,
		    p->health_path) >= sizeof(url[k]))
			continue;
		np++;
		idx[i] = k;
		pr[k].url = url[k];
		pr[k].method = p->health_method;
		pr[k].body = p->health_body;
		if (p->health_body != NULL)
			pr[k].headers[1] = "Content-Type: application/json";
		if (c->key != NULL && provider_auth_header(i, c->key, auth[k],
		    sizeof(auth[k])) == 0)
			pr[k].headers[0] = auth[k];
		if (i == PROV_ANTHROPIC)
			pr[k].headers[2] = "anthropic-version: 2023-06-01";
	}
	upstream_probe(pr, (size_t)np, LF_HEALTH_TIMEOUT_MS);

	jw_obj(w);
	jw_key(w, "providers");
	jw_obj(w);
	for (i = 0; i < PROV__MAX; i++) {
		const struct provider		*p = &providers[i];
		const struct provider_conf	*c = &provider_conf[i];

		if (p->health_path == NULL)
			continue;
		jw_key(w, p->name);
		jw_obj(w);
		if (idx[i] < 0) {
			jw_kstr(w, "status", "unconfigured");
			if (c->error[0] != '\0')
				snprintf(msg, sizeof(msg), "%s", c->error);
			else
				snprintf(msg, sizeof(msg), "%s not set",
				    p->key_env[0]);
			jw_kstr(w, "message", msg);
		} else {
			struct probe *q = &pr[idx[i]];

			configured++;
			if (q->error[0] == '\0' && healthy(p, q->status)) {
				ok++;
				jw_kstr(w, "status", "ok");
				jw_kint(w, "latency_ms", q->latency_ms);
			} else {
				jw_kstr(w, "status", "error");
				if (q->error[0] != '\0')
					snprintf(msg, sizeof(msg), "%s", q->error);
				else
					snprintf(msg, sizeof(msg), "HTTP %ld",
					    q->status);
				jw_kstr(w, "message", msg);
				if (q->latency_ms >= 0)
					jw_kint(w, "latency_ms", q->latency_ms);
			}
		}
		jw_obj_end(w);
	}
	jw_obj_end(w);
	snprintf(msg, sizeof(msg), "%d/%d providers healthy", ok, configured);
	jw_kstr(w, "summary", msg);
	jw_obj_end(w);
}
