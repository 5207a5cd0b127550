/* host_env.h - the hypervisor's real-hardware implementation of struct vcpu_host. */
#ifndef DBGVISOR_HOST_ENV_H
#define DBGVISOR_HOST_ENV_H

#include "core/vcpu.h"

extern const struct vcpu_host host_env;

#endif
