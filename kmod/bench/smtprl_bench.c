// SPDX-License-Identifier: GPL-2.0
/*
 * smtprl_bench.ko: push prepared packets through nf_hook() at IPv4
 * PREROUTING in the initial namespace and report ns/packet. Not a test:
 * it prints figures (scripts/bench/core.sh collects them).
 *
 *   insmod smtprl_bench.ko case=udp|ack|syn sources=N iterations=N [dummy=1]
 *
 * dummy=1 registers a hook that only returns NF_ACCEPT, at smtprl's
 * priority: the cost of hook dispatch alone. Loading always "fails" with
 * -ECANCELED once the figures are printed, so nothing stays loaded.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/ip.h>
#include <linux/module.h>
#include <linux/netdevice.h>
#include <linux/netfilter.h>
#include <linux/netfilter_ipv4.h>
#include <linux/skbuff.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <linux/vmalloc.h>
#include <net/net_namespace.h>

static char *bcase = "syn";
module_param_named(case, bcase, charp, 0444);
static unsigned int sources = 1000;
module_param(sources, uint, 0444);
static unsigned int iterations = 1000000;
module_param(iterations, uint, 0444);
static bool dummy;
module_param(dummy, bool, 0444);

static unsigned int accept_hook(void *priv, struct sk_buff *skb,
				const struct nf_hook_state *state)
{
	return NF_ACCEPT;
}

static struct nf_hook_ops dummy_ops = {
	.hook = accept_hook,
	.pf = NFPROTO_IPV4,
	.hooknum = NF_INET_PRE_ROUTING,
	.priority = NF_IP_PRI_RAW - 1,
};

static int noop_okfn(struct net *net, struct sock *sk, struct sk_buff *skb)
{
	return 0;
}

static struct sk_buff *build(bool udp, bool syn)
{
	struct sk_buff *skb = alloc_skb(128, GFP_KERNEL);
	struct iphdr *iph;

	if (!skb)
		return NULL;
	skb_reset_network_header(skb);
	iph = skb_put_zero(skb, sizeof(*iph));
	iph->version = 4;
	iph->ihl = 5;
	iph->ttl = 64;
	iph->daddr = htonl(0xc6336401);	/* 198.51.100.1 */
	if (udp) {
		struct udphdr *uh = skb_put_zero(skb, sizeof(*uh));

		iph->protocol = IPPROTO_UDP;
		uh->dest = htons(53);
		uh->len = htons(sizeof(*uh));
	} else {
		struct tcphdr *th = skb_put_zero(skb, sizeof(*th));

		iph->protocol = IPPROTO_TCP;
		th->dest = htons(25);
		th->doff = 5;
		th->syn = syn;
		th->ack = !syn;
	}
	iph->tot_len = htons(skb->len);
	skb->protocol = htons(ETH_P_IP);
	skb->dev = init_net.loopback_dev;
	return skb;
}

/* One pass over every source; returns ns, or -1 if a packet was dropped. */
static s64 pass(struct sk_buff *skb, const __be32 *addrs, unsigned int n)
{
	struct iphdr *iph = ip_hdr(skb);
	unsigned int i;
	u64 t0;

	t0 = ktime_get_ns();
	local_bh_disable();
	for (i = 0; i < n; i++) {
		iph->saddr = addrs[i % sources];
		if (nf_hook(NFPROTO_IPV4, NF_INET_PRE_ROUTING, &init_net, NULL,
			    skb, skb->dev, NULL, noop_okfn) != 1) {
			local_bh_enable();
			return -1;	/* the skb is gone */
		}
		if (!(i & 1023)) {
			local_bh_enable();
			cond_resched();
			local_bh_disable();
		}
	}
	local_bh_enable();
	return ktime_get_ns() - t0;
}

static int __init bench_init(void)
{
	bool udp = !strcmp(bcase, "udp"), syn = !strcmp(bcase, "syn");
	struct sk_buff *skb;
	__be32 *addrs;
	unsigned int i;
	s64 warm, ns = -1;
	int err;

	if ((!udp && !syn && strcmp(bcase, "ack")) || !sources || !iterations)
		return -EINVAL;
	addrs = vmalloc(array_size(sources, sizeof(*addrs)));
	if (!addrs)
		return -ENOMEM;
	/* Distinct sources (odd multiplier: a bijection), spread out. */
	for (i = 0; i < sources; i++)
		addrs[i] = htonl(0x0a000000 ^ (i * 2654435761U));
	err = -ENOMEM;
	skb = build(udp, syn);
	if (!skb)
		goto out_free;
	if (dummy) {
		err = nf_register_net_hook(&init_net, &dummy_ops);
		if (err) {
			kfree_skb(skb);
			goto out_free;
		}
	}
	/* Warm-up: one pass over every source creates its entry. */
	warm = pass(skb, addrs, sources);
	if (warm >= 0)
		ns = pass(skb, addrs, iterations);
	if (ns < 0) {
		/* A dropped packet took the skb with it. */
		pr_err("case=%s: a packet was dropped; raise the rate\n", bcase);
		err = -EIO;
	} else {
		pr_info("case=%s sources=%u iterations=%u dummy=%d warmup_ns_per_pkt=%lld ns_per_pkt=%lld\n",
			bcase, sources, iterations, dummy,
			div_s64(warm, sources), div_s64(ns, iterations));
		kfree_skb(skb);
		err = -ECANCELED;
	}
	if (dummy)
		nf_unregister_net_hook(&init_net, &dummy_ops);
out_free:
	vfree(addrs);
	return err;
}

module_init(bench_init);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("smtprl packet-path benchmark (prints figures, stays unloaded)");
