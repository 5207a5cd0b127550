/* vmcs_fields.h - VMCS field encodings and names (Intel SDM vol. 3D, appendix B). */
#ifndef DBGVISOR_VMCS_FIELDS_H
#define DBGVISOR_VMCS_FIELDS_H

/* Exit reasons, event and exit-qualification formats, segment AR bytes, EPT: */
#include "vmx_defs.h"

/*
 * An encoding is (SDM vol. 3C, "VMREAD, VMWRITE, and Encodings of VMCS Fields"): bit 0 access
 * type (1 = high half of a 64-bit field), 9:1 index, 11:10 type, 14:13 width.
 */
#define VMCS_ENC_TYPE_SHIFT	10
#define VMCS_ENC_TYPE_MASK	(3u << VMCS_ENC_TYPE_SHIFT)
#define VMCS_ENC_TYPE_CONTROL	0
#define VMCS_ENC_TYPE_EXIT_INFO 1 /* read-only VM-exit information */
#define VMCS_ENC_TYPE_GUEST	2
#define VMCS_ENC_TYPE_HOST	3
#define VMCS_ENC_WIDTH_SHIFT	13
#define VMCS_ENC_WIDTH_MASK	(3u << VMCS_ENC_WIDTH_SHIFT)
#define VMCS_ENC_WIDTH_16	0
#define VMCS_ENC_WIDTH_64	1
#define VMCS_ENC_WIDTH_32	2
#define VMCS_ENC_WIDTH_NATURAL	3
#define VMCS_ENC_WIDTH(enc)	(((enc)&VMCS_ENC_WIDTH_MASK) >> VMCS_ENC_WIDTH_SHIFT)
#define VMCS_ENC_TYPE(enc)	(((enc)&VMCS_ENC_TYPE_MASK) >> VMCS_ENC_TYPE_SHIFT)

/*
 * The fields used here, by appendix B section, named as Linux and Xen do. X(name, encoding)
 * yields enum vmcs_field and the names in VMREAD/VMWRITE failure reports (vmcs.c).
 */
#define VMCS_FIELDS(X)                                                                             \
	/* B.1.1 16-bit control fields */                                                          \
	X(VIRTUAL_PROCESSOR_ID, 0x0000)                                                            \
	/* B.1.2 16-bit guest-state fields */                                                      \
	X(GUEST_ES_SELECTOR, 0x0800)                                                               \
	X(GUEST_CS_SELECTOR, 0x0802)                                                               \
	X(GUEST_SS_SELECTOR, 0x0804)                                                               \
	X(GUEST_DS_SELECTOR, 0x0806)                                                               \
	X(GUEST_FS_SELECTOR, 0x0808)                                                               \
	X(GUEST_GS_SELECTOR, 0x080a)                                                               \
	X(GUEST_LDTR_SELECTOR, 0x080c)                                                             \
	X(GUEST_TR_SELECTOR, 0x080e)                                                               \
	/* B.1.3 16-bit host-state fields */                                                       \
	X(HOST_ES_SELECTOR, 0x0c00)                                                                \
	X(HOST_CS_SELECTOR, 0x0c02)                                                                \
	X(HOST_SS_SELECTOR, 0x0c04)                                                                \
	X(HOST_DS_SELECTOR, 0x0c06)                                                                \
	X(HOST_FS_SELECTOR, 0x0c08)                                                                \
	X(HOST_GS_SELECTOR, 0x0c0a)                                                                \
	X(HOST_TR_SELECTOR, 0x0c0c)                                                                \
	/* B.2.1 64-bit control fields */                                                          \
	X(IO_BITMAP_A, 0x2000)                                                                     \
	X(IO_BITMAP_B, 0x2002)                                                                     \
	X(MSR_BITMAP, 0x2004)                                                                      \
	X(EPT_POINTER, 0x201a)                                                                     \
	/* B.2.2 64-bit read-only data field */                                                    \
	X(GUEST_PHYSICAL_ADDRESS, 0x2400)                                                          \
	/* B.2.3 64-bit guest-state fields */                                                      \
	X(VMCS_LINK_POINTER, 0x2800)                                                               \
	X(GUEST_IA32_DEBUGCTL, 0x2802)                                                             \
	X(GUEST_IA32_PAT, 0x2804)                                                                  \
	X(GUEST_IA32_EFER, 0x2806)                                                                 \
	/* B.2.4 64-bit host-state fields */                                                       \
	X(HOST_IA32_PAT, 0x2c00)                                                                   \
	X(HOST_IA32_EFER, 0x2c02)                                                                  \
	/* B.3.1 32-bit control fields */                                                          \
	X(PIN_BASED_VM_EXEC_CONTROL, 0x4000)                                                       \
	X(CPU_BASED_VM_EXEC_CONTROL, 0x4002)                                                       \
	X(EXCEPTION_BITMAP, 0x4004)                                                                \
	X(PAGE_FAULT_ERROR_CODE_MASK, 0x4006)                                                      \
	X(PAGE_FAULT_ERROR_CODE_MATCH, 0x4008)                                                     \
	X(CR3_TARGET_COUNT, 0x400a)                                                                \
	X(VM_EXIT_CONTROLS, 0x400c)                                                                \
	X(VM_EXIT_MSR_STORE_COUNT, 0x400e)                                                         \
	X(VM_EXIT_MSR_LOAD_COUNT, 0x4010)                                                          \
	X(VM_ENTRY_CONTROLS, 0x4012)                                                               \
	X(VM_ENTRY_MSR_LOAD_COUNT, 0x4014)                                                         \
	X(VM_ENTRY_INTR_INFO_FIELD, 0x4016)                                                        \
	X(VM_ENTRY_EXCEPTION_ERROR_CODE, 0x4018)                                                   \
	X(VM_ENTRY_INSTRUCTION_LEN, 0x401a)                                                        \
	X(SECONDARY_VM_EXEC_CONTROL, 0x401e)                                                       \
	/* B.3.2 32-bit read-only data fields */                                                   \
	X(VM_INSTRUCTION_ERROR, 0x4400)                                                            \
	X(VM_EXIT_REASON, 0x4402)                                                                  \
	X(VM_EXIT_INTR_INFO, 0x4404)                                                               \
	X(VM_EXIT_INTR_ERROR_CODE, 0x4406)                                                         \
	X(IDT_VECTORING_INFO_FIELD, 0x4408)                                                        \
	X(IDT_VECTORING_ERROR_CODE, 0x440a)                                                        \
	X(VM_EXIT_INSTRUCTION_LEN, 0x440c)                                                         \
	/* B.3.3 32-bit guest-state fields */                                                      \
	X(GUEST_ES_LIMIT, 0x4800)                                                                  \
	X(GUEST_CS_LIMIT, 0x4802)                                                                  \
	X(GUEST_SS_LIMIT, 0x4804)                                                                  \
	X(GUEST_DS_LIMIT, 0x4806)                                                                  \
	X(GUEST_FS_LIMIT, 0x4808)                                                                  \
	X(GUEST_GS_LIMIT, 0x480a)                                                                  \
	X(GUEST_LDTR_LIMIT, 0x480c)                                                                \
	X(GUEST_TR_LIMIT, 0x480e)                                                                  \
	X(GUEST_GDTR_LIMIT, 0x4810)                                                                \
	X(GUEST_IDTR_LIMIT, 0x4812)                                                                \
	X(GUEST_ES_AR_BYTES, 0x4814)                                                               \
	X(GUEST_CS_AR_BYTES, 0x4816)                                                               \
	X(GUEST_SS_AR_BYTES, 0x4818)                                                               \
	X(GUEST_DS_AR_BYTES, 0x481a)                                                               \
	X(GUEST_FS_AR_BYTES, 0x481c)                                                               \
	X(GUEST_GS_AR_BYTES, 0x481e)                                                               \
	X(GUEST_LDTR_AR_BYTES, 0x4820)                                                             \
	X(GUEST_TR_AR_BYTES, 0x4822)                                                               \
	X(GUEST_INTERRUPTIBILITY_INFO, 0x4824)                                                     \
	X(GUEST_ACTIVITY_STATE, 0x4826)                                                            \
	X(GUEST_SYSENTER_CS, 0x482a)                                                               \
	X(VMX_PREEMPTION_TIMER_VALUE, 0x482e)                                                      \
	/* B.3.4 32-bit host-state field */                                                        \
	X(HOST_IA32_SYSENTER_CS, 0x4c00)                                                           \
	/* B.4.1 natural-width control fields */                                                   \
	X(CR0_GUEST_HOST_MASK, 0x6000)                                                             \
	X(CR4_GUEST_HOST_MASK, 0x6002)                                                             \
	X(CR0_READ_SHADOW, 0x6004)                                                                 \
	X(CR4_READ_SHADOW, 0x6006)                                                                 \
	/* B.4.2 natural-width read-only data fields */                                            \
	X(EXIT_QUALIFICATION, 0x6400)                                                              \
	X(GUEST_LINEAR_ADDRESS, 0x640a)                                                            \
	/* B.4.3 natural-width guest-state fields */                                               \
	X(GUEST_CR0, 0x6800)                                                                       \
	X(GUEST_CR3, 0x6802)                                                                       \
	X(GUEST_CR4, 0x6804)                                                                       \
	X(GUEST_ES_BASE, 0x6806)                                                                   \
	X(GUEST_CS_BASE, 0x6808)                                                                   \
	X(GUEST_SS_BASE, 0x680a)                                                                   \
	X(GUEST_DS_BASE, 0x680c)                                                                   \
	X(GUEST_FS_BASE, 0x680e)                                                                   \
	X(GUEST_GS_BASE, 0x6810)                                                                   \
	X(GUEST_LDTR_BASE, 0x6812)                                                                 \
	X(GUEST_TR_BASE, 0x6814)                                                                   \
	X(GUEST_GDTR_BASE, 0x6816)                                                                 \
	X(GUEST_IDTR_BASE, 0x6818)                                                                 \
	X(GUEST_DR7, 0x681a)                                                                       \
	X(GUEST_RSP, 0x681c)                                                                       \
	X(GUEST_RIP, 0x681e)                                                                       \
	X(GUEST_RFLAGS, 0x6820)                                                                    \
	X(GUEST_PENDING_DBG_EXCEPTIONS, 0x6822)                                                    \
	X(GUEST_SYSENTER_ESP, 0x6824)                                                              \
	X(GUEST_SYSENTER_EIP, 0x6826)                                                              \
	/* B.4.4 natural-width host-state fields */                                                \
	X(HOST_CR0, 0x6c00)                                                                        \
	X(HOST_CR3, 0x6c02)                                                                        \
	X(HOST_CR4, 0x6c04)                                                                        \
	X(HOST_FS_BASE, 0x6c06)                                                                    \
	X(HOST_GS_BASE, 0x6c08)                                                                    \
	X(HOST_TR_BASE, 0x6c0a)                                                                    \
	X(HOST_GDTR_BASE, 0x6c0c)                                                                  \
	X(HOST_IDTR_BASE, 0x6c0e)                                                                  \
	X(HOST_IA32_SYSENTER_ESP, 0x6c10)                                                          \
	X(HOST_IA32_SYSENTER_EIP, 0x6c12)                                                          \
	X(HOST_RSP, 0x6c14)                                                                        \
	X(HOST_RIP, 0x6c16)

#define VMCS_FIELD_ENUM(name, enc) name = enc,
enum vmcs_field { VMCS_FIELDS(VMCS_FIELD_ENUM) };
#undef VMCS_FIELD_ENUM

#endif
