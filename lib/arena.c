#include <stdalign.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "limits.h"

struct arena_block {
	struct arena_block	*next;
	size_t			 size;	/* bytes in data[] */
	size_t			 off;	/* bytes used in data[] */
	alignas(max_align_t) unsigned char data[];
};

void
arena_init(struct arena *a, size_t max)
{
	a->head = NULL;
	a->used = 0;
	a->max = max;
}

void *
arena_alloc(struct arena *a, size_t n)
{
	struct arena_block	*b;
	size_t			 al = alignof(max_align_t), sz;
	void			*p;

	if (n == 0)
		n = 1;
	if (n > SIZE_MAX - al || n > a->max - a->used)
		return NULL;
	n = (n + al - 1) & ~(al - 1);
	b = a->head;
	if (b == NULL || b->size - b->off < n) {
		sz = n > LF_ARENA_BLOCK ? n : LF_ARENA_BLOCK;
		if ((b = malloc(sizeof(*b) + sz)) == NULL)
			return NULL;
		b->size = sz;
		b->off = 0;
		b->next = a->head;
		a->head = b;
	}
	p = b->data + b->off;
	b->off += n;
	a->used += n;
	memset(p, 0, n);
	return p;
}

char *
arena_strndup(struct arena *a, const char *s, size_t n)
{
	char	*p;

	if (n == SIZE_MAX || (p = arena_alloc(a, n + 1)) == NULL)
		return NULL;
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *
arena_strdup(struct arena *a, const char *s)
{
	return arena_strndup(a, s, strlen(s));
}

void
arena_reset(struct arena *a)
{
	struct arena_block	*b, *next;

	if (a->head == NULL)
		return;
	/* Keep the oldest block (the last in the list) if it is a plain one. */
	for (b = a->head; b->next != NULL; b = next) {
		next = b->next;
		free(b);
	}
	if (b->size != LF_ARENA_BLOCK) {
		free(b);
		b = NULL;
	} else
		b->off = 0;
	a->head = b;
	a->used = 0;
}

void
arena_free(struct arena *a)
{
	struct arena_block	*b, *next;

	for (b = a->head; b != NULL; b = next) {
		next = b->next;
		free(b);
	}
	a->head = NULL;
	a->used = 0;
}
