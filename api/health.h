/*
 * GET /api/health/providers: every configured provider checked at once
 * with a cheap authenticated request, within LF_HEALTH_TIMEOUT_MS.
 */
#ifndef LF_API_HEALTH_H
#define LF_API_HEALTH_H

#include "json.h"

/* Write {"summary":"N/M providers healthy","providers":{name:{...}}}. */
void	 api_health_providers(struct jw *);

#endif
