// SPDX-License-Identifier: GPL-2.0
/*
 * smtprl_bench.ko: push prepared packets through nf_hook() at PREROUTING
 * and report ns/packet. Not a test: it prints figures (scripts/bench/
 * collects them). Whatever rules the namespace has run: smtprl, iptables
 * hashlimit, an nftables set with per-element limits, or nothing.
 *
 *   insmod smtprl_bench.ko case=udp|ack|syn family=4|6 sources=N
 *          iterations=N [netns_pid=PID] [dummy=1] [threads=N] [offset=N]
 *
 * netns_pid: the packets enter the network namespace of that process
 * (default: the initial one). dummy=1 registers a hook that only returns
 * NF_ACCEPT, at smtprl's priority: the cost of hook dispatch alone.
 * threads=N runs the measured pass on N CPUs at once, each over its own
 * share of the sources. offset=N starts at source N instead of source 0
 * (sources N .. N + sources - 1). Packets a hook drops are counted (the bench keeps
 * a reference, so the skb survives). Loading always "fails" with
 * -ECANCELED once the figures are printed, so nothing stays loaded.
 * Under qemu -icount shift=0 a guest nanosecond is one instruction.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/kthread.h>
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
static unsigned int family = 4;
module_param(family, uint, 0444);
static unsigned int sources = 1000;
module_param(sources, uint, 0444);
static unsigned int iterations = 1000000;
module_param(iterations, uint, 0444);
static bool dummy;
module_param(dummy, bool, 0444);
static int netns_pid;
module_param(netns_pid, int, 0444);
static unsigned int threads = 1;
module_param(threads, uint, 0444);
static unsigned int offset;
module_param(offset, uint, 0444);

#define WARM_BATCH	256U

static unsigned int accept_hook(void *priv, struct sk_buff *skb,
				const struct nf_hook_state *state)
{
	return NF_ACCEPT;
}

static struct nf_hook_ops dummy_ops = {
	.hook = accept_hook,
	.hooknum = NF_INET_PRE_ROUTING,
	.priority = NF_IP_PRI_RAW - 1,
};

static int noop_okfn(struct net *net, struct sock *sk, struct sk_buff *skb)
{
	return 0;
}

/*
 * Source @i (+ offset): distinct IPv4 addresses spread out, or distinct
 * IPv6 /64s: 10.0.0.0 ^ (i * 2654435761 mod 2^32), 2001:db8:<the same>::/64.
 */
static void set_source(struct sk_buff *skb, unsigned int i)
{
	u32 a = 0x0a000000 ^ ((i + offset) * 2654435761U);	/* odd multiplier: a bijection */

	if (family == 4) {
		ip_hdr(skb)->saddr = htonl(a);
	} else {
		struct in6_addr *s = &ipv6_hdr(skb)->saddr;

		s->s6_addr32[0] = htonl(0x20010db8);
		s->s6_addr32[1] = htonl(a);
	}
}

static struct sk_buff *build(struct net *net, bool udp, bool syn)
{
	struct sk_buff *skb = alloc_skb(160, GFP_KERNEL);
	int l4len = udp ? sizeof(struct udphdr) : sizeof(struct tcphdr);
	u8 proto = udp ? IPPROTO_UDP : IPPROTO_TCP;

	if (!skb)
		return NULL;
	skb_reset_network_header(skb);
	if (family == 4) {
		struct iphdr *iph = skb_put_zero(skb, sizeof(*iph));

		iph->version = 4;
		iph->ihl = 5;
		iph->ttl = 64;
		iph->protocol = proto;
		iph->daddr = htonl(0xc6336401);	/* 198.51.100.1 */
		iph->tot_len = htons(sizeof(*iph) + l4len);
		skb->protocol = htons(ETH_P_IP);
	} else {
		struct ipv6hdr *ip6h = skb_put_zero(skb, sizeof(*ip6h));

		ip6h->version = 6;
		ip6h->hop_limit = 64;
		ip6h->nexthdr = proto;
		ip6h->payload_len = htons(l4len);
		ip6h->daddr.s6_addr32[0] = htonl(0x20010db8);
		ip6h->daddr.s6_addr32[3] = htonl(0x25);
		skb->protocol = htons(ETH_P_IPV6);
	}
	skb_set_transport_header(skb, skb->len);
	if (udp) {
		struct udphdr *uh = skb_put_zero(skb, sizeof(*uh));

		uh->dest = htons(53);
		uh->len = htons(sizeof(*uh));
	} else {
		struct tcphdr *th = skb_put_zero(skb, sizeof(*th));

		th->dest = htons(25);
		th->doff = 5;
		th->syn = syn;
		th->ack = !syn;
	}
	skb->dev = net->loopback_dev;
	return skb;
}

struct run {
	struct net *net;
	struct sk_buff *skb;
	unsigned int first, n;	/* sources first .. first + n - 1, cyclically */
	unsigned int count;	/* packets to push */
	u64 t0, ns, dropped;	/* t0: ktime_get_ns() at the start */
	struct completion done;
};

/* One pass of @r->count packets; a dropped packet keeps our reference. */
static void pass(struct run *r)
{
	u8 pf = family == 4 ? NFPROTO_IPV4 : NFPROTO_IPV6;
	struct sk_buff *skb = r->skb;
	unsigned int i;
	u64 t0;

	r->dropped = 0;
	t0 = ktime_get_ns();
	r->t0 = t0;
	local_bh_disable();
	for (i = 0; i < r->count; i++) {
		set_source(skb, r->first + i % r->n);
		skb_get(skb);
		if (nf_hook(pf, NF_INET_PRE_ROUTING, r->net, NULL, skb, skb->dev,
			    NULL, noop_okfn) == 1)
			kfree_skb(skb);	/* only our extra reference */
		else
			r->dropped++;
		if (!(i & 1023)) {
			local_bh_enable();
			cond_resched();
			local_bh_disable();
		}
	}
	local_bh_enable();
	r->ns = ktime_get_ns() - t0;
}

static int thread_fn(void *arg)
{
	struct run *r = arg;

	pass(r);
	complete(&r->done);
	return 0;
}

static int __init bench_init(void)
{
	bool udp = !strcmp(bcase, "udp"), syn = !strcmp(bcase, "syn");
	struct run *runs;
	struct net *net;
	unsigned int t, first;
	u64 warm_ns, ns = 0, dropped = 0, t0 = 0, t1 = 0;
	int err = -ENOMEM;

	if ((!udp && !syn && strcmp(bcase, "ack")) || !sources || !iterations ||
	    (family != 4 && family != 6) || !threads || threads > num_online_cpus())
		return -EINVAL;
	net = netns_pid ? get_net_ns_by_pid(netns_pid) : get_net(&init_net);
	if (IS_ERR(net))
		return PTR_ERR(net);
	runs = kcalloc(threads, sizeof(*runs), GFP_KERNEL);
	if (!runs)
		goto out_net;
	for (t = 0; t < threads; t++) {
		runs[t].net = net;
		runs[t].skb = build(net, udp, syn);
		if (!runs[t].skb)
			goto out_free;
		init_completion(&runs[t].done);
	}
	if (dummy) {
		dummy_ops.pf = family == 4 ? NFPROTO_IPV4 : NFPROTO_IPV6;
		err = nf_register_net_hook(net, &dummy_ops);
		if (err)
			goto out_free;
	}
	/*
	 * Warm-up: one pass over every source creates its entry, in batches
	 * with a pause between them. A table that grows in a worker (the
	 * rhashtables of smtprl and of the nft set) grows one step each time
	 * the worker runs after an insert; real sources arrive over time, and
	 * the timed pass should find the table as they would leave it, not
	 * as one burst of a million inserts on a busy CPU does.
	 */
	warm_ns = 0;
	for (first = 0; first < sources; first += WARM_BATCH) {
		runs[0].first = first;
		runs[0].n = min(sources - first, WARM_BATCH);
		runs[0].count = runs[0].n;
		pass(&runs[0]);
		warm_ns += runs[0].ns;
		usleep_range(1000, 2000);
	}

	for (t = 0; t < threads; t++) {
		runs[t].first = t * (sources / threads);
		runs[t].n = max(sources / threads, 1U);
		runs[t].count = iterations / threads;
	}
	if (threads == 1) {
		pass(&runs[0]);
	} else {
		for (t = 0; t < threads; t++) {
			struct task_struct *k;

			k = kthread_create(thread_fn, &runs[t], "smtprl_bench/%u", t);
			if (IS_ERR(k)) {
				err = PTR_ERR(k);
				while (t--)	/* those started must finish */
					wait_for_completion(&runs[t].done);
				goto out_hook;
			}
			kthread_bind(k, t);
			wake_up_process(k);
		}
		for (t = 0; t < threads; t++)
			wait_for_completion(&runs[t].done);
	}
	for (t = 0; t < threads; t++) {
		ns = max(ns, runs[t].ns);	/* wall time of the slowest */
		dropped += runs[t].dropped;
		t0 = t ? min(t0, runs[t].t0) : runs[t].t0;
		t1 = max(t1, runs[t].t0 + runs[t].ns);
	}
	/* t0..t1: the timed passes on CLOCK_MONOTONIC, for a trace to match. */
	pr_info("case=%s family=%u sources=%u iterations=%u threads=%u dummy=%d warmup_ns_per_pkt=%llu t0_ns=%llu t1_ns=%llu ns_per_pkt=%llu dropped=%llu\n",
		bcase, family, sources, iterations, threads, dummy,
		div_u64(warm_ns, sources), t0, t1,
		div_u64(ns, iterations / threads * threads), dropped);
	err = -ECANCELED;
out_hook:
	if (dummy)
		nf_unregister_net_hook(net, &dummy_ops);
out_free:
	for (t = 0; t < threads; t++)
		kfree_skb(runs[t].skb);
	kfree(runs);
out_net:
	put_net(net);
	return err;
}

module_init(bench_init);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("smtprl packet-path benchmark (prints figures, stays unloaded)");
