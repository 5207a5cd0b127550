/* check.c - TAP-style EXPECT checks, the final summary, and leaving the machine. */
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/hw/printf.h"

#include "runtime.h"
#include "x86g.h"

/* QEMU -device isa-debug-exit,iobase=0xf4: a write of C makes QEMU exit with (C << 1) | 1. */
#define QEMU_DEBUG_EXIT_PORT 0xf4
/* Bochs: writing the bytes of "Shutdown" to this port ends the simulation. */
#define BOCHS_SHUTDOWN_PORT 0x8900
#define BOCHS_SHUTDOWN_STR  "Shutdown"

/* Long enough for every check name the debug suite formats. */
#define GUEST_NAME_MAX 128

static unsigned checks_run;
static unsigned checks_failed;

static bool record(bool ok)
{
	checks_run++;
	if (!ok)
		checks_failed++;
	return ok;
}

bool guest_expect_eq(const char *name, uint64_t got, uint64_t want)
{
	bool ok = record(got == want);

	if (ok)
		gprintf("ok %u - %s\n", checks_run, name);
	else
		gprintf("not ok %u - %s: got 0x%llx want 0x%llx\n", checks_run, name,
			(unsigned long long)got, (unsigned long long)want);
	return ok;
}

bool guest_expect_true(const char *name, bool cond, const char *cond_text)
{
	bool ok = record(cond);

	if (ok)
		gprintf("ok %u - %s\n", checks_run, name);
	else
		gprintf("not ok %u - %s: false: %s\n", checks_run, name, cond_text);
	return ok;
}

unsigned guest_checks_run(void)
{
	return checks_run;
}

unsigned guest_checks_failed(void)
{
	return checks_failed;
}

void guest_finish(void)
{
	gprintf("guest: %u checks, %u failed\n", checks_run, checks_failed);
	guest_exit(checks_failed ? GUEST_EXIT_FAILED : GUEST_EXIT_OK);
}

void guest_exit(int code)
{
	const char *p;

	x86g_cli();
	gprintf("guest: exit code %d\n", code);
	guest_serial_drain();
	/* QEMU stops here; elsewhere the port is unassigned and the write is dropped. */
	x86g_outb(QEMU_DEBUG_EXIT_PORT, (uint8_t)code);
	for (p = BOCHS_SHUTDOWN_STR; *p; p++)
		x86g_outb(BOCHS_SHUTDOWN_PORT, (uint8_t)*p);
	x86g_halt_forever();
}

const char *guest_name(const char *fmt, ...)
{
	static char buf[GUEST_NAME_MAX];
	va_list ap;

	va_start(ap, fmt);
	fmt_vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	return buf;
}
