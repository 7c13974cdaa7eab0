/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _SMTPRL_H
#define _SMTPRL_H

#include <kunit/visibility.h>

#define SMTPRL_VERSION "0.1"

#endif /* _SMTPRL_H */
