/* msr_virt.h - the MSRs the guest must not reach: EFER.SVME, the SVM and VMX control MSRs. */
#ifndef DBGVISOR_MSR_VIRT_H
#define DBGVISOR_MSR_VIRT_H

#include <stdbool.h>
#include <stdint.h>

#include "vcpu.h"

/* AMD SVM MSRs (APM vol. 2, 15.30). */
#define MSR_VM_IGNNE 0xc0010115
#define MSR_SMM_CTL  0xc0010116
#define MSR_SVM_KEY  0xc0010118

/* Intel VMX capability MSRs: IA32_VMX_BASIC .. IA32_VMX_VMFUNC (SDM vol. 4, table 2-2). */
#define MSR_VMX_FIRST 0x480
#define MSR_VMX_LAST  0x491

enum msr_result { MSR_DONE, MSR_RAISE_GP };

/* Install the intercepts for every protected MSR through the backend. */
void msr_virt_protect(struct vcpu *v);
enum msr_result msr_virt_read(struct vcpu *v, uint32_t index, uint64_t *val);
enum msr_result msr_virt_write(struct vcpu *v, uint32_t index, uint64_t val);

#endif
