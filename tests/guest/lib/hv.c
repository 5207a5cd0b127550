/* hv.c - detect whether the guest runs under dbgvisor (CPUID hypervisor bit and vendor leaf). */
#include <stdbool.h>
#include <stdint.h>

#include "guest.h"
#include "x86g.h"

#define CPUID_LEAF_FEATURES   0x00000001
#define CPUID_LEAF_HV	      0x40000000 /* hypervisor vendor leaf, valid if the HV bit is set */
#define CPUID1_ECX_HYPERVISOR (1u << 31)
/* What dbgvisor reports in CPUID 0x40000000 EBX:ECX:EDX. */
#define DBGVISOR_HV_SIGNATURE "dbgvisor\0\0\0\0"
#define CPUID_SIGNATURE_LEN   12
#define CPUID_SIGNATURE_REGS  3

bool guest_under_dbgvisor(void)
{
	struct x86g_cpuid hv;
	uint32_t sig[CPUID_SIGNATURE_REGS];

	if (!(x86g_cpuid(CPUID_LEAF_FEATURES, 0).ecx & CPUID1_ECX_HYPERVISOR))
		return false;
	hv = x86g_cpuid(CPUID_LEAF_HV, 0);
	sig[0] = hv.ebx;
	sig[1] = hv.ecx;
	sig[2] = hv.edx;
	return memcmp(sig, DBGVISOR_HV_SIGNATURE, CPUID_SIGNATURE_LEN) == 0;
}
