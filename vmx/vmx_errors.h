/* vmx_errors.h - names for VM-instruction error numbers and VM-exit reasons, for logs. */
#ifndef DBGVISOR_VMX_ERRORS_H
#define DBGVISOR_VMX_ERRORS_H

#include <stdint.h>

/* VM_INSTRUCTION_ERROR value -> SDM text (vol. 3C 31.4, table 31-1); never NULL. */
const char *vmx_instruction_error_str(uint32_t n);

/* Basic exit reason (VM_EXIT_REASON bits 15:0) -> SDM vol. 3D appendix C name; never NULL. */
const char *vmx_exit_reason_str(uint32_t basic_reason);

#endif
