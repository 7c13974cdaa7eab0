/* SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause) */
/* Do not edit directly, auto-generated from: */
/*	Documentation/netlink/specs/smtprl.yaml */
/* by scripts/ynl/ynl-names.py: names and ranges for kmod/ and userspace/ */
/* (include <linux/smtprl.h> first) */

#ifndef _SMTPRL_NAMES_H
#define _SMTPRL_NAMES_H

#define SMTPRL_UNIT_NAMES \
	{ "second", "minute", "hour", "day" }
#define SMTPRL_UNIT_COUNT 4

#define SMTPRL_ACTION_NAMES \
	{ "drop", "reject", "monitor" }
#define SMTPRL_ACTION_COUNT 3

#define SMTPRL_WHEN_FULL_NAMES \
	{ "accept", "drop" }
#define SMTPRL_WHEN_FULL_COUNT 2

#define SMTPRL_HOOKS_NAMES \
	{ "prerouting", "output" }
#define SMTPRL_HOOKS_COUNT 2

#define SMTPRL_STATE_NAMES \
	{ "normal", "limited", "quarantined" }
#define SMTPRL_STATE_COUNT 3

#define SMTPRL_CAUSE_NAMES \
	{ "none", "strikes", "fanout", "operator" }
#define SMTPRL_CAUSE_COUNT 4

#define SMTPRL_RELEASE_NAMES \
	{ "none", "quiet", "timeout", "operator", "policy", "gone" }
#define SMTPRL_RELEASE_COUNT 6

#define SMTPRL_SUB_MODE_NAMES \
	{ "policy", "exempt", "own" }
#define SMTPRL_SUB_MODE_COUNT 3

#define SMTPRL_POLICY_KEYS { \
	[SMTPRL_A_POLICY_RATE] = "rate", \
	[SMTPRL_A_POLICY_RATE_UNIT] = "rate_unit", \
	[SMTPRL_A_POLICY_BURST] = "burst", \
	[SMTPRL_A_POLICY_DAILY] = "daily", \
	[SMTPRL_A_POLICY_PORT] = "port", \
	[SMTPRL_A_POLICY_ACTION] = "action", \
	[SMTPRL_A_POLICY_WHEN_FULL] = "when_full", \
	[SMTPRL_A_POLICY_V4_PREFIX] = "v4_prefix", \
	[SMTPRL_A_POLICY_V6_PREFIX] = "v6_prefix", \
	[SMTPRL_A_POLICY_MAX_SOURCES] = "max_sources", \
	[SMTPRL_A_POLICY_HOOKS] = "hooks", \
	[SMTPRL_A_POLICY_ENABLED] = "enabled", \
	[SMTPRL_A_POLICY_STRIKES] = "strikes", \
	[SMTPRL_A_POLICY_STRIKE_WINDOW] = "strike_window", \
	[SMTPRL_A_POLICY_RELEASE_AFTER] = "release_after", \
	[SMTPRL_A_POLICY_QUARANTINE_MAX] = "quarantine_max", \
	[SMTPRL_A_POLICY_FANOUT_LIMIT] = "fanout_limit", \
	[SMTPRL_A_POLICY_EVENT_INTERVAL] = "event_interval", \
	[SMTPRL_A_POLICY_MAX_SUBSCRIBERS] = "max_subscribers", \
	[SMTPRL_A_POLICY_SUBSCRIBER_LINGER] = "subscriber_linger", \
}

#define SMTPRL_POLICY_RATE_NAME "rate"
#define SMTPRL_POLICY_RATE_KEY "rate"
#define SMTPRL_POLICY_RATE_WIDTH 4
#define SMTPRL_POLICY_RATE_MIN 1U
#define SMTPRL_POLICY_RATE_MAX 4294967295U
#define SMTPRL_POLICY_RATE_RANGE "rate: must be 1 to 4294967295"
#define SMTPRL_POLICY_RATE_UNIT_NAME "rate-unit"
#define SMTPRL_POLICY_RATE_UNIT_KEY "rate_unit"
#define SMTPRL_POLICY_RATE_UNIT_WIDTH 4
#define SMTPRL_POLICY_RATE_UNIT_MIN 0U
#define SMTPRL_POLICY_RATE_UNIT_MAX 3U
#define SMTPRL_POLICY_RATE_UNIT_RANGE "rate-unit: must be 0 to 3"
#define SMTPRL_POLICY_BURST_NAME "burst"
#define SMTPRL_POLICY_BURST_KEY "burst"
#define SMTPRL_POLICY_BURST_WIDTH 4
#define SMTPRL_POLICY_BURST_MIN 1U
#define SMTPRL_POLICY_BURST_MAX 4294967295U
#define SMTPRL_POLICY_BURST_RANGE "burst: must be 1 to 4294967295"
#define SMTPRL_POLICY_DAILY_NAME "daily"
#define SMTPRL_POLICY_DAILY_KEY "daily"
#define SMTPRL_POLICY_DAILY_WIDTH 4
#define SMTPRL_POLICY_DAILY_MIN 0U
#define SMTPRL_POLICY_DAILY_MAX 4294967295U
#define SMTPRL_POLICY_DAILY_RANGE "daily: must be 0 to 4294967295"
#define SMTPRL_POLICY_PORT_NAME "port"
#define SMTPRL_POLICY_PORT_KEY "port"
#define SMTPRL_POLICY_PORT_WIDTH 2
#define SMTPRL_POLICY_PORT_MIN 1U
#define SMTPRL_POLICY_PORT_MAX 65535U
#define SMTPRL_POLICY_PORT_RANGE "port: must be 1 to 65535"
#define SMTPRL_POLICY_ACTION_NAME "action"
#define SMTPRL_POLICY_ACTION_KEY "action"
#define SMTPRL_POLICY_ACTION_WIDTH 4
#define SMTPRL_POLICY_ACTION_MIN 0U
#define SMTPRL_POLICY_ACTION_MAX 2U
#define SMTPRL_POLICY_ACTION_RANGE "action: must be 0 to 2"
#define SMTPRL_POLICY_WHEN_FULL_NAME "when-full"
#define SMTPRL_POLICY_WHEN_FULL_KEY "when_full"
#define SMTPRL_POLICY_WHEN_FULL_WIDTH 4
#define SMTPRL_POLICY_WHEN_FULL_MIN 0U
#define SMTPRL_POLICY_WHEN_FULL_MAX 1U
#define SMTPRL_POLICY_WHEN_FULL_RANGE "when-full: must be 0 to 1"
#define SMTPRL_POLICY_V4_PREFIX_NAME "v4-prefix"
#define SMTPRL_POLICY_V4_PREFIX_KEY "v4_prefix"
#define SMTPRL_POLICY_V4_PREFIX_WIDTH 1
#define SMTPRL_POLICY_V4_PREFIX_MIN 1U
#define SMTPRL_POLICY_V4_PREFIX_MAX 32U
#define SMTPRL_POLICY_V4_PREFIX_RANGE "v4-prefix: must be 1 to 32"
#define SMTPRL_POLICY_V6_PREFIX_NAME "v6-prefix"
#define SMTPRL_POLICY_V6_PREFIX_KEY "v6_prefix"
#define SMTPRL_POLICY_V6_PREFIX_WIDTH 1
#define SMTPRL_POLICY_V6_PREFIX_MIN 1U
#define SMTPRL_POLICY_V6_PREFIX_MAX 128U
#define SMTPRL_POLICY_V6_PREFIX_RANGE "v6-prefix: must be 1 to 128"
#define SMTPRL_POLICY_MAX_SOURCES_NAME "max-sources"
#define SMTPRL_POLICY_MAX_SOURCES_KEY "max_sources"
#define SMTPRL_POLICY_MAX_SOURCES_WIDTH 4
#define SMTPRL_POLICY_MAX_SOURCES_MIN 1U
#define SMTPRL_POLICY_MAX_SOURCES_MAX 16777216U
#define SMTPRL_POLICY_MAX_SOURCES_RANGE "max-sources: must be 1 to 16777216"
#define SMTPRL_POLICY_HOOKS_NAME "hooks"
#define SMTPRL_POLICY_HOOKS_KEY "hooks"
#define SMTPRL_POLICY_HOOKS_WIDTH 4
#define SMTPRL_POLICY_HOOKS_MIN 1U
#define SMTPRL_POLICY_HOOKS_MAX 3U
#define SMTPRL_POLICY_HOOKS_RANGE "hooks: must be 1 to 3"
#define SMTPRL_POLICY_ENABLED_NAME "enabled"
#define SMTPRL_POLICY_ENABLED_KEY "enabled"
#define SMTPRL_POLICY_ENABLED_WIDTH 1
#define SMTPRL_POLICY_ENABLED_MIN 0U
#define SMTPRL_POLICY_ENABLED_MAX 1U
#define SMTPRL_POLICY_ENABLED_RANGE "enabled: must be 0 to 1"
#define SMTPRL_POLICY_STRIKES_NAME "strikes"
#define SMTPRL_POLICY_STRIKES_KEY "strikes"
#define SMTPRL_POLICY_STRIKES_WIDTH 4
#define SMTPRL_POLICY_STRIKES_MIN 0U
#define SMTPRL_POLICY_STRIKES_MAX 32U
#define SMTPRL_POLICY_STRIKES_RANGE "strikes: must be 0 to 32"
#define SMTPRL_POLICY_STRIKE_WINDOW_NAME "strike-window"
#define SMTPRL_POLICY_STRIKE_WINDOW_KEY "strike_window"
#define SMTPRL_POLICY_STRIKE_WINDOW_WIDTH 4
#define SMTPRL_POLICY_STRIKE_WINDOW_MIN 32U
#define SMTPRL_POLICY_STRIKE_WINDOW_MAX 2592000U
#define SMTPRL_POLICY_STRIKE_WINDOW_RANGE "strike-window: must be 32 to 2592000"
#define SMTPRL_POLICY_RELEASE_AFTER_NAME "release-after"
#define SMTPRL_POLICY_RELEASE_AFTER_KEY "release_after"
#define SMTPRL_POLICY_RELEASE_AFTER_WIDTH 4
#define SMTPRL_POLICY_RELEASE_AFTER_MIN 1U
#define SMTPRL_POLICY_RELEASE_AFTER_MAX 2592000U
#define SMTPRL_POLICY_RELEASE_AFTER_RANGE "release-after: must be 1 to 2592000"
#define SMTPRL_POLICY_QUARANTINE_MAX_NAME "quarantine-max"
#define SMTPRL_POLICY_QUARANTINE_MAX_KEY "quarantine_max"
#define SMTPRL_POLICY_QUARANTINE_MAX_WIDTH 4
#define SMTPRL_POLICY_QUARANTINE_MAX_MIN 1U
#define SMTPRL_POLICY_QUARANTINE_MAX_MAX 31536000U
#define SMTPRL_POLICY_QUARANTINE_MAX_RANGE "quarantine-max: must be 1 to 31536000"
#define SMTPRL_POLICY_FANOUT_LIMIT_NAME "fanout-limit"
#define SMTPRL_POLICY_FANOUT_LIMIT_KEY "fanout_limit"
#define SMTPRL_POLICY_FANOUT_LIMIT_WIDTH 4
#define SMTPRL_POLICY_FANOUT_LIMIT_MIN 0U
#define SMTPRL_POLICY_FANOUT_LIMIT_MAX 265U
#define SMTPRL_POLICY_FANOUT_LIMIT_RANGE "fanout-limit: must be 0 to 265"
#define SMTPRL_POLICY_EVENT_INTERVAL_NAME "event-interval"
#define SMTPRL_POLICY_EVENT_INTERVAL_KEY "event_interval"
#define SMTPRL_POLICY_EVENT_INTERVAL_WIDTH 4
#define SMTPRL_POLICY_EVENT_INTERVAL_MIN 1U
#define SMTPRL_POLICY_EVENT_INTERVAL_MAX 86400U
#define SMTPRL_POLICY_EVENT_INTERVAL_RANGE "event-interval: must be 1 to 86400"
#define SMTPRL_POLICY_MAX_SUBSCRIBERS_NAME "max-subscribers"
#define SMTPRL_POLICY_MAX_SUBSCRIBERS_KEY "max_subscribers"
#define SMTPRL_POLICY_MAX_SUBSCRIBERS_WIDTH 4
#define SMTPRL_POLICY_MAX_SUBSCRIBERS_MIN 1U
#define SMTPRL_POLICY_MAX_SUBSCRIBERS_MAX 16777216U
#define SMTPRL_POLICY_MAX_SUBSCRIBERS_RANGE "max-subscribers: must be 1 to 16777216"
#define SMTPRL_POLICY_SUBSCRIBER_LINGER_NAME "subscriber-linger"
#define SMTPRL_POLICY_SUBSCRIBER_LINGER_KEY "subscriber_linger"
#define SMTPRL_POLICY_SUBSCRIBER_LINGER_WIDTH 4
#define SMTPRL_POLICY_SUBSCRIBER_LINGER_MIN 0U
#define SMTPRL_POLICY_SUBSCRIBER_LINGER_MAX 2592000U
#define SMTPRL_POLICY_SUBSCRIBER_LINGER_RANGE "subscriber-linger: must be 0 to 2592000"

#define SMTPRL_ENTRY_KEYS { \
	[SMTPRL_A_ENTRY_ADDR4] = "addr4", \
	[SMTPRL_A_ENTRY_ADDR6] = "addr6", \
	[SMTPRL_A_ENTRY_PLEN] = "plen", \
	[SMTPRL_A_ENTRY_IFNAME] = "ifname", \
	[SMTPRL_A_ENTRY_RATE] = "rate", \
	[SMTPRL_A_ENTRY_RATE_UNIT] = "rate_unit", \
	[SMTPRL_A_ENTRY_BURST] = "burst", \
	[SMTPRL_A_ENTRY_DAILY] = "daily", \
	[SMTPRL_A_ENTRY_EXPIRES] = "expires", \
	[SMTPRL_A_ENTRY_COMMENT] = "comment", \
	[SMTPRL_A_ENTRY_REPLACE] = "replace", \
	[SMTPRL_A_ENTRY_ALLOWED] = "allowed", \
	[SMTPRL_A_ENTRY_LIMITED] = "limited", \
	[SMTPRL_A_ENTRY_TOKENS] = "tokens", \
	[SMTPRL_A_ENTRY_DAILY_TOKENS] = "daily_tokens", \
	[SMTPRL_A_ENTRY_AGE] = "age", \
	[SMTPRL_A_ENTRY_IDLE] = "idle", \
	[SMTPRL_A_ENTRY_LAST_LIMITED] = "last_limited", \
	[SMTPRL_A_ENTRY_STATE] = "state", \
	[SMTPRL_A_ENTRY_STRIKES] = "strikes", \
	[SMTPRL_A_ENTRY_FANOUT] = "fanout", \
	[SMTPRL_A_ENTRY_CAUSE] = "cause", \
	[SMTPRL_A_ENTRY_QUARANTINED] = "quarantined", \
	[SMTPRL_A_ENTRY_REMAINING] = "remaining", \
	[SMTPRL_A_ENTRY_REFUSED] = "refused", \
	[SMTPRL_A_ENTRY_RELEASE] = "release", \
	[SMTPRL_A_ENTRY_TIME] = "time", \
	[SMTPRL_A_ENTRY_SUPPRESSED] = "suppressed", \
	[SMTPRL_A_ENTRY_NAME] = "name", \
	[SMTPRL_A_ENTRY_MODE] = "mode", \
	[SMTPRL_A_ENTRY_BIND] = "bind", \
	[SMTPRL_A_ENTRY_LINGER] = "linger", \
	[SMTPRL_A_ENTRY_GROUP] = "group", \
}

#define SMTPRL_STATS_KEYS { \
	[SMTPRL_A_STATS_SEEN] = "seen", \
	[SMTPRL_A_STATS_ALLOWED] = "allowed", \
	[SMTPRL_A_STATS_LIMITED] = "limited", \
	[SMTPRL_A_STATS_WOULD_LIMIT] = "would_limit", \
	[SMTPRL_A_STATS_EXEMPT] = "exempt", \
	[SMTPRL_A_STATS_EXEMPT_LIMITED] = "exempt_limited", \
	[SMTPRL_A_STATS_RELAY] = "relay", \
	[SMTPRL_A_STATS_OUT_OF_SCOPE] = "out_of_scope", \
	[SMTPRL_A_STATS_TABLE_FULL] = "table_full", \
	[SMTPRL_A_STATS_REJECT_SENT] = "reject_sent", \
	[SMTPRL_A_STATS_GC_REMOVED] = "gc_removed", \
	[SMTPRL_A_STATS_EXEMPT_EXPIRED] = "exempt_expired", \
	[SMTPRL_A_STATS_ENTRIES] = "entries", \
	[SMTPRL_A_STATS_EXEMPTIONS] = "exemptions", \
	[SMTPRL_A_STATS_MEMORY] = "memory", \
	[SMTPRL_A_STATS_QUARANTINES] = "quarantines", \
	[SMTPRL_A_STATS_RELEASES] = "releases", \
	[SMTPRL_A_STATS_QUARANTINE_REFUSED] = "quarantine_refused", \
	[SMTPRL_A_STATS_QUARANTINED_NOW] = "quarantined_now", \
	[SMTPRL_A_STATS_EVENTS] = "events", \
	[SMTPRL_A_STATS_EVENTS_DROPPED] = "events_dropped", \
	[SMTPRL_A_STATS_FRAGMENTS_DROPPED] = "fragments_dropped", \
	[SMTPRL_A_STATS_SUBSCRIBERS] = "subscribers", \
	[SMTPRL_A_STATS_BINDINGS] = "bindings", \
	[SMTPRL_A_STATS_LINGERING] = "lingering", \
	[SMTPRL_A_STATS_SUBSCRIBER_EXPIRED] = "subscriber_expired", \
	[SMTPRL_A_STATS_BIND_MOVED] = "bind_moved", \
	[SMTPRL_A_STATS_SUBSCRIBER_FULL] = "subscriber_full", \
}

#define SMTPRL_STATS_DOCS { \
	[SMTPRL_A_STATS_SEEN] = "New connections to the policy's ports.", \
	[SMTPRL_A_STATS_ALLOWED] = "Allowed under a source's buckets.", \
	[SMTPRL_A_STATS_LIMITED] = "Dropped or rejected.", \
	[SMTPRL_A_STATS_WOULD_LIMIT] = "Over the limit in monitor mode, let through.", \
	[SMTPRL_A_STATS_EXEMPT] = "Allowed under an exemption.", \
	[SMTPRL_A_STATS_EXEMPT_LIMITED] = "Over an exemption's own rate.", \
	[SMTPRL_A_STATS_RELAY] = "To the relay allowlist.", \
	[SMTPRL_A_STATS_OUT_OF_SCOPE] = "From outside the subscriber scope.", \
	[SMTPRL_A_STATS_TABLE_FULL] = "New sources that could not be tracked.", \
	[SMTPRL_A_STATS_REJECT_SENT] = "TCP resets sent.", \
	[SMTPRL_A_STATS_GC_REMOVED] = "Entries forgotten by GC.", \
	[SMTPRL_A_STATS_EXEMPT_EXPIRED] = "Exemptions removed at expiry.", \
	[SMTPRL_A_STATS_ENTRIES] = "Sources tracked now.", \
	[SMTPRL_A_STATS_EXEMPTIONS] = "Exemptions now.", \
	[SMTPRL_A_STATS_MEMORY] = "Bytes used by source entries and their hash buckets.", \
	[SMTPRL_A_STATS_QUARANTINES] = "Quarantines begun.", \
	[SMTPRL_A_STATS_RELEASES] = "Quarantines ended.", \
	[SMTPRL_A_STATS_QUARANTINE_REFUSED] = "Connections refused because their source was quarantined.", \
	[SMTPRL_A_STATS_QUARANTINED_NOW] = "Sources in quarantine now.", \
	[SMTPRL_A_STATS_EVENTS] = "Events sent to the events multicast group.", \
	[SMTPRL_A_STATS_EVENTS_DROPPED] = "Events not sent: over the per-CPU event budget, or no memory (listeners may then miss events; nothing else is lost).", \
	[SMTPRL_A_STATS_FRAGMENTS_DROPPED] = "Fragments that would hide a connection's TCP flags from the limiter, dropped (RFC 1858): a first fragment to a policed port too short for the whole TCP header, or a TCP fragment at offset 8. Counted, not dropped, in monitor mode.", \
	[SMTPRL_A_STATS_SUBSCRIBERS] = "Subscribers now, bound or lingering.", \
	[SMTPRL_A_STATS_BINDINGS] = "Addresses and prefixes bound to subscribers now.", \
	[SMTPRL_A_STATS_LINGERING] = "Subscribers now without a session, kept for their linger.", \
	[SMTPRL_A_STATS_SUBSCRIBER_EXPIRED] = "Subscribers forgotten when their linger ran out.", \
	[SMTPRL_A_STATS_BIND_MOVED] = "Bindings taken over by another subscriber (the pool handed the address on before the old session's subscriber-del).", \
	[SMTPRL_A_STATS_SUBSCRIBER_FULL] = "New subscribers refused at max-subscribers.", \
}

#endif /* _SMTPRL_NAMES_H */
