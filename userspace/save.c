// SPDX-License-Identifier: GPL-2.0
/*
 * save: a batch file that "smtprlctl -b" restores: the policy, scope,
 * relays, exemptions and subscribers exactly, and running quarantines
 * for what is left of them (their strikes, buckets and counters are not
 * configuration, and start afresh).
 *
 * save config: the configuration alone (policy, scope, relays,
 * exemptions), for /etc/smtprl/smtprl.conf: applied again at boot and on
 * every reload, it leaves the subscribers the sessions bound, and every
 * quarantine, as they are.
 */

#include <stdio.h>
#include <string.h>

#include "smtprlctl.h"

int save_main(int argc, char **argv)
{
	struct reply pol = { policy_save, NULL, SMTPRL_A_POLICY_MAX, NULL };
	struct reply scope = { entry_save, "scope", SMTPRL_A_ENTRY_MAX, NULL };
	struct reply relay = { entry_save, "relay", SMTPRL_A_ENTRY_MAX, NULL };
	struct reply exempt = { entry_save, "exempt", SMTPRL_A_ENTRY_MAX, NULL };
	struct reply subs = { sub_save, NULL, SMTPRL_A_ENTRY_MAX, NULL };
	struct reply quar = { quarantine_save, NULL, SMTPRL_A_ENTRY_MAX, NULL };
	bool config = argc == 2 && !strcmp(argv[1], "config");

	if (argc != 1 && !config)
		return usage_error("usage: save [config]%s", "");
	if (pipe_is_dry())
		return EXIT_OK;
	if (config)
		puts("# smtprlctl save config: apply with smtprlctl -b FILE; what it does\n"
		     "# not name is removed, subscribers and quarantines are kept");
	else
		puts("# smtprlctl save: restore with smtprlctl -b FILE");
	if (request(SMTPRL_CMD_POLICY_GET, false, NULL, NULL, &pol))
		return EXIT_REFUSED;
	puts(config ? "scope flush\nrelay flush\nexempt flush"
		    : "scope flush\nrelay flush\nexempt flush\nsubscriber flush");
	if (request(SMTPRL_CMD_SCOPE_GET, true, NULL, NULL, &scope) ||
	    request(SMTPRL_CMD_RELAY_GET, true, NULL, NULL, &relay) ||
	    request(SMTPRL_CMD_EXEMPT_GET, true, NULL, NULL, &exempt))
		return EXIT_REFUSED;
	if (config)
		return EXIT_OK;
	if (request(SMTPRL_CMD_SUBSCRIBER_GET, true, NULL, NULL, &subs))
		return EXIT_REFUSED;
	/* Last: a subscriber's quarantine names a subscriber restored above. */
	if (request(SMTPRL_CMD_SOURCE_GET, true, NULL, NULL, &quar))
		return EXIT_REFUSED;
	return EXIT_OK;
}
