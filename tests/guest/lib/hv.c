/* hv.c - detect whether the guest runs under dbgvisor (its CPUID leaf 0x40000000 signature). */
#include <stdbool.h>
#include <stdint.h>

#include "guest.h"
#include "x86g.h"

#define CPUID_LEAF_HV	      0x40000000 /* hypervisor vendor leaf, valid if the HV bit is set */
/* What dbgvisor reports in CPUID 0x40000000 EBX:ECX:EDX. */
#define DBGVISOR_HV_SIGNATURE "dbgvisor\0\0\0\0"
#define CPUID_SIGNATURE_LEN   12
#define CPUID_SIGNATURE_REGS  3

bool guest_under_dbgvisor(void)
{
	struct x86g_cpuid hv;
	uint32_t sig[CPUID_SIGNATURE_REGS];

	/* No hypervisor bit needed: a bare CPU never answers leaf 0x40000000 with the signature. */
	hv = x86g_cpuid(CPUID_LEAF_HV, 0);
	sig[0] = hv.ebx;
	sig[1] = hv.ecx;
	sig[2] = hv.edx;
	return memcmp(sig, DBGVISOR_HV_SIGNATURE, CPUID_SIGNATURE_LEN) == 0;
}
