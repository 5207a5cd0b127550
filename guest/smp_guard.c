/* smp_guard.c - park the application processors and hide them from the guest's ACPI tables. */
#include "smp_guard.h"

#include "core/apic_guard.h"
#include "core/cpuid_view.h"
#include "core/hw/apic.h"
#include "core/hw/console.h"
#include "core/hw/mem.h"
#include "core/hw/x86.h"
#include "core/paging/guest_mem.h"
#include "acpi.h"

#define CPUID1_EBX_APIC_ID_SHIFT 24
#define ACPI_TABLE_MAX_LEN	 (1u << 20)

/* ACPI tables live in reserved or ACPI memory: reach them through the direct map. */
static void *acpi_map(uint64_t gpa, size_t len, void *ctx)
{
	(void)ctx;
	if (!len || gpa + len < gpa || len > ACPI_TABLE_MAX_LEN ||
	    gpa + len > mem_region()->direct_map_end)
		return 0;
	if (guest_mem_hv_owns(gpa) || guest_mem_hv_owns(gpa + len - 1))
		return 0;
	return phys_to_virt(gpa);
}

void smp_guard(struct vcpu *v, const struct boot_info *bi)
{
	uint64_t apic_base = x86_rdmsr(MSR_IA32_APIC_BASE);
	struct cpuid_regs r;
	uint64_t rsdp;
	unsigned disabled = 0, kept = 0;
	int err;

	x86_cpuid(CPUID_LEAF_FEATURES, 0, &r);
	/* Wait-for-SIPI is the one state a CPU leaves only through a STARTUP IPI. */
	apic_ipi_others(apic_base, ICR_DELIVERY_INIT, 0);
	err = bi->acpi_rsdp_phys ? 0 : acpi_find_rsdp(acpi_map, 0, &rsdp);
	if (bi->acpi_rsdp_phys)
		rsdp = bi->acpi_rsdp_phys;
	if (!err)
		err = acpi_madt_disable_aps(acpi_map, 0, rsdp, r.ebx >> CPUID1_EBX_APIC_ID_SHIFT,
					    &disabled, &kept);
	if (err)
		printk("smp: ACPI MADT not patched (%s); guarding the local APIC anyway\n",
		       acpi_strerror(err));
	else
		printk("smp: MADT shows the guest 1 CPU (%u other CPU(s) marked disabled)\n",
		       disabled);
	if (err || disabled) {
		v->lapic_base = apic_base & APIC_BASE_ADDR_MASK;
		guest_mem_set_readonly(v->lapic_base, LAPIC_MMIO_SIZE);
	}
	/* The same tables say where the guest will power off: the run's report comes first. */
	if (!err && !acpi_pm1a_cnt_port(acpi_map, 0, rsdp, &v->pm1a_cnt_port))
		printk("acpi: power-off through PM1a control port 0x%x is reported, then done\n",
		       v->pm1a_cnt_port);
}
