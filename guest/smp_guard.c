/* smp_guard.c - park the application processors and hide them from the guest's ACPI tables. */
#include "smp_guard.h"

#include "core/apic_guard.h"
#include "core/cpuid_view.h"
#include "core/hw/apic.h"
#include "core/hw/console.h"
#include "core/hw/mem.h"
#include "core/hw/string.h"
#include "core/hw/x86.h"
#include "core/paging/guest_mem.h"
#include "acpi.h"

#define CPUID1_EBX_APIC_ID_SHIFT 24
#define CPUID_LEAF_TOPOLOGY	 0xbu /* EDX: the x2APIC ID (SDM vol. 2A, CPUID leaf 0BH) */
#define ACPI_TABLE_MAX_LEN	 (1u << 20)
#define MP_TABLE_MAX		 8192u /* a base table is a few hundred bytes */

/* ACPI tables live in reserved or ACPI memory: reach them through the direct map. */
void *smp_guard_acpi_map(uint64_t gpa, size_t len, void *ctx)
{
	(void)ctx;
	if (!len || gpa + len < gpa || len > ACPI_TABLE_MAX_LEN ||
	    gpa + len > mem_region()->direct_map_end)
		return 0;
	if (guest_mem_hv_owns(gpa) || guest_mem_hv_owns(gpa + len - 1))
		return 0;
	return phys_to_virt(gpa);
}

/* The MP table (Linux reads it with acpi=off) usually sits in the read-only BIOS ROM shadow:
 * the guest is shown patched copies of its pages instead. */
static void hide_in_mptable(uint8_t bsp_apic_id)
{
	static uint8_t buf[MP_TABLE_MAX];
	uint64_t cfg;
	uint32_t len;
	unsigned disabled;
	int err = mptable_find(smp_guard_acpi_map, 0, &cfg, &len);

	if (err == ACPI_E_NOT_FOUND)
		return; /* none: nothing to hide */
	if (!err && len > sizeof(buf))
		err = ACPI_E_MALFORMED;
	if (!err) {
		memcpy(buf, phys_to_virt(cfg), len);
		err = mptable_disable_aps(buf, len, bsp_apic_id, &disabled);
	}
	for (uint64_t page = cfg & ~(PAGE_SIZE - 1); !err && disabled && page < cfg + len;
	     page += PAGE_SIZE) {
		uint8_t *copy = guest_mem_shadow_page(page);
		uint64_t from = page > cfg ? page : cfg;
		uint64_t to = page + PAGE_SIZE < cfg + len ? page + PAGE_SIZE : cfg + len;
		if (!copy)
			err = ACPI_E_TRUNCATED;
		else
			memcpy(copy + (from - page), buf + (from - cfg), to - from);
	}
	if (err)
		printk("smp: MP table not patched (%s)\n", acpi_strerror(err));
	else
		printk("smp: MP table shows the guest 1 CPU (%u other CPU(s) marked disabled)\n",
		       disabled);
}

void smp_guard(struct vcpu *v, const struct boot_info *bi)
{
	uint64_t apic_base = x86_rdmsr(MSR_IA32_APIC_BASE);
	struct cpuid_regs r;
	uint64_t rsdp = bi->acpi_rsdp_phys;
	unsigned disabled = 0, kept = 0;
	int err;

	x86_cpuid(CPUID_LEAF_VENDOR, 0, &r);
	if (r.eax >= CPUID_LEAF_TOPOLOGY) {
		x86_cpuid(CPUID_LEAF_TOPOLOGY, 0, &r);
		v->apic_id = r.edx;
	}
	x86_cpuid(CPUID_LEAF_FEATURES, 0, &r);
	if (!v->apic_id)
		v->apic_id = r.ebx >> CPUID1_EBX_APIC_ID_SHIFT;
	/* Wait-for-SIPI is the one state a CPU leaves only through a STARTUP IPI. */
	apic_ipi_others(apic_base, ICR_DELIVERY_INIT, 0);
	err = rsdp ? 0 : acpi_find_rsdp(smp_guard_acpi_map, 0, &rsdp);
	if (!err)
		err = acpi_madt_disable_aps(smp_guard_acpi_map, 0, rsdp,
					    r.ebx >> CPUID1_EBX_APIC_ID_SHIFT, &disabled, &kept);
	if (err)
		printk("smp: ACPI MADT not patched (%s); guarding the local APIC anyway\n",
		       acpi_strerror(err));
	else
		printk("smp: MADT shows the guest 1 CPU (%u other CPU(s) marked disabled)\n",
		       disabled);
	hide_in_mptable((uint8_t)(r.ebx >> CPUID1_EBX_APIC_ID_SHIFT));
	if (err || disabled) {
		v->lapic_base = apic_base & APIC_BASE_ADDR_MASK;
		guest_mem_set_readonly(v->lapic_base, LAPIC_MMIO_SIZE);
		/* The firmware may have left another CPU's ID there: the guest's next ICR low
		 * write sends to it unless it writes the high half first. */
		if (!(apic_base & APIC_BASE_X2APIC_ENABLE))
			v->icr_high =
			    *(volatile uint32_t *)phys_to_virt(v->lapic_base + LAPIC_ICR_HIGH);
	}
	/* The same tables say where the guest will power off: the run's report comes first. */
	if (!err && !acpi_pm1a_cnt_port(smp_guard_acpi_map, 0, rsdp, &v->pm1a_cnt_port))
		printk("acpi: power-off through PM1a control port 0x%x is reported, then done\n",
		       v->pm1a_cnt_port);
}
