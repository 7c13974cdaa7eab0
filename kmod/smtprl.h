/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _SMTPRL_H
#define _SMTPRL_H

#include <linux/compiler.h>
#include <kunit/visibility.h>

/*
 * Kernels built with INIT_STACK_ALL_ZERO (Debian's) zero every local
 * variable on entry; the packet path's few large ones are written before
 * they are read, and opt out. 6.1 lacks the macro, not the attribute.
 */
#ifndef __uninitialized
#if __has_attribute(__uninitialized__)
#define __uninitialized __attribute__((__uninitialized__))
#else
#define __uninitialized
#endif
#endif

#include "smtprl-version.h"

#endif /* _SMTPRL_H */
