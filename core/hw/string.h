/* string.h - the few C library string routines the freestanding hypervisor needs. */
#ifndef DBGVISOR_STRING_H
#define DBGVISOR_STRING_H

#include <stddef.h>

void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);

/* The number of elements of an array (not of a pointer). */
#define NELEMS(a) (sizeof(a) / sizeof((a)[0]))

#endif
