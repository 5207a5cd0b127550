/* debug_hooks.h - the hook table main() gives the vcpu: all debugging behind one name. */
#ifndef DBGVISOR_DEBUG_HOOKS_H
#define DBGVISOR_DEBUG_HOOKS_H

#include "core/vcpu_hooks.h"

extern const struct vcpu_debug_hooks debug_hooks;

#endif
