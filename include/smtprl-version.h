/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one version of smtprl: the module's (MODULE_VERSION, modinfo,
 * /sys/module/smtprl/version), smtprlctl's, and the packages' (the top
 * entry of debian/changelog; the static tier checks they agree).
 */
#ifndef _SMTPRL_VERSION_H
#define _SMTPRL_VERSION_H

#define SMTPRL_VERSION "0.3.0"

#endif
