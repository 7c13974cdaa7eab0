// SPDX-License-Identifier: GPL-2.0
/*
 * smtprlctl: configure and inspect the smtprl kernel module over its
 * generic-netlink family (include/uapi/linux/smtprl.h, generated from
 * Documentation/netlink/specs/smtprl.yaml).
 *
 * One command table; every object is "<object>_main(argc, argv)" in the
 * wg(8) style; every reply goes through the print path of util.c.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/netlink.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>

#include "linux/smtprl.h"
#include "linux/smtprl-names.h"
#include "smtprl-policy.h"
#include "util.h"

#define SMTPRL_TOOL_VERSION "0.2"

enum { EXIT_OK = 0, EXIT_REFUSED = 1, EXIT_USAGE = 2 };

static const char *prog = "smtprlctl";
static struct nl_sock *sk;
static int family_id;

static int usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, "%s: ", prog);
	fprintf(stderr, fmt, arg);
	fputc('\n', stderr);
	return EXIT_USAGE;
}

/*
 * -b: the file is read and parsed whole first (@dry), so that a usage
 * error anywhere changes nothing. Then changes (requests without a reply)
 * are pipelined: queued without NLM_F_ACK, so that the kernel answers
 * only refusals, and sent PIPE_MAX per system call, the last of each
 * window with NLM_F_ACK to mark its end. A request that prints a reply
 * drains the pipeline first, so output keeps the file's order. Every
 * refusal is reported with its line; the other commands still apply.
 */
#define PIPE_MAX 256
/*
 * Receive buffer a refusal takes (an error message with the request's
 * header and the extack text is one skb of about 1 KiB truesize); the
 * window is as many changes as answers fit, so none is ever dropped.
 */
#define PIPE_ANSWER_BYTES 2048
/* Answers arrive while the kernel runs the send; this is only a backstop. */
#define PIPE_ANSWER_TIMEOUT_MS 10000

static struct {
	bool on, dry;
	const char *file;
	int lineno;		/* of the command being run */
	int failed;		/* refusals so far */
	unsigned int n;		/* queued */
	unsigned int window;	/* queued at most: answers that fit the socket */
	struct nl_msg *msg[PIPE_MAX];
	int line[PIPE_MAX];
} pipe_q;

/* The kernel's extack text for @err, or its errno text, as iw prints it. */
static const char *err_text(struct nlmsgerr *err)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)err - 1;
	struct nlattr *tb[NLMSGERR_ATTR_MAX + 1] = { 0 };
	int ack_len = sizeof(*nlh) + sizeof(int) + sizeof(*nlh);
	const char *msg = NULL;

	if (nlh->nlmsg_flags & NLM_F_ACK_TLVS) {
		if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
			ack_len += err->msg.nlmsg_len - sizeof(*nlh);
		if ((int)nlh->nlmsg_len > ack_len &&
		    !nla_parse(tb, NLMSGERR_ATTR_MAX, (struct nlattr *)((char *)nlh + ack_len),
			       nlh->nlmsg_len - ack_len, NULL) && tb[NLMSGERR_ATTR_MSG])
			msg = nla_get_string(tb[NLMSGERR_ATTR_MSG]);
	}
	if (msg && !strncmp(msg, "smtprl: ", 8))
		msg += 8;
	return msg ? msg : strerror(-err->error);
}

static void report(int lineno, const char *text)
{
	if (pipe_q.on)
		fprintf(stderr, "%s: %s:%d: %s\n", prog, pipe_q.file, lineno, text);
	else
		fprintf(stderr, "%s: %s\n", prog, text);
}

/* A dump met a resize and will be asked again: no message for that. */
static bool quiet_busy;

static int error_cb(struct sockaddr_nl *nla, struct nlmsgerr *err, void *arg)
{
	(void)nla;
	*(int *)arg = err->error;
	if (!(quiet_busy && err->error == -EBUSY))
		report(pipe_q.lineno, err_text(err));
	return NL_STOP;
}

/*
 * The end of a dump. A dump that failed midway says so here: NLMSG_DONE
 * carries an error code (and extack attributes after it), which libnl
 * does not look at.
 */
static int finish_cb(struct nl_msg *m, void *arg)
{
	struct nlmsghdr *nlh = nlmsg_hdr(m);
	struct nlattr *tb[NLMSGERR_ATTR_MAX + 1] = { 0 };
	int len = NLMSG_LENGTH(sizeof(int)), err = 0;
	const char *msg = NULL;

	if ((int)nlh->nlmsg_len >= len)
		memcpy(&err, nlmsg_data(nlh), sizeof(err));
	*(int *)arg = err < 0 ? err : 0;
	if (err >= 0 || (quiet_busy && err == -EBUSY))
		return NL_STOP;
	if ((nlh->nlmsg_flags & NLM_F_ACK_TLVS) && (int)nlh->nlmsg_len > len &&
	    !nla_parse(tb, NLMSGERR_ATTR_MAX, (struct nlattr *)((char *)nlh + len),
		       nlh->nlmsg_len - len, NULL) && tb[NLMSGERR_ATTR_MSG])
		msg = nla_get_string(tb[NLMSGERR_ATTR_MSG]);
	if (msg && !strncmp(msg, "smtprl: ", 8))
		msg += 8;
	report(pipe_q.lineno, msg ? msg : strerror(-err));
	return NL_STOP;
}

static int ack_cb(struct nl_msg *m, void *arg)
{
	(void)m;
	*(int *)arg = 0;
	return NL_STOP;
}

struct reply {
	int (*parse)(struct nlattr **tb, void *arg);
	void *arg;
	int maxattr;
	void (*reset)(void *arg);	/* a dump starts over: forget what parse kept */
};

/* The reply being parsed, for repeated attributes (genlmsg_parse keeps the last). */
static struct nl_msg *cur_msg;

static int valid_cb(struct nl_msg *m, void *arg)
{
	struct reply *r = arg;

	cur_msg = m;
	struct nlattr *tb[64] = { 0 };

	if (genlmsg_parse(nlmsg_hdr(m), 0, tb, r->maxattr, NULL))
		return NL_SKIP;
	if (r->parse)
		r->parse(tb, r->arg);
	return NL_OK;
}

static int nl_open(const char *netns)
{
	int one = 1;

	if (netns) {
		char path[256];
		int fd;

		snprintf(path, sizeof(path), "/run/netns/%s", netns);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0 || setns(fd, CLONE_NEWNET)) {
			fprintf(stderr, "%s: netns %s: %s\n", prog, netns, strerror(errno));
			return EXIT_REFUSED;
		}
		close(fd);
	}
	sk = nl_socket_alloc();
	if (!sk || genl_connect(sk)) {
		fprintf(stderr, "%s: cannot open a generic netlink socket\n", prog);
		return EXIT_REFUSED;
	}
	/*
	 * One recvmsg per 32 KiB dump skb (the kernel sizes them by the
	 * largest buffer we have read with), instead of a peek and a read
	 * per page: a million sources are a few hundred MB of dump.
	 */
	nl_socket_disable_msg_peek(sk);
	nl_socket_set_msg_buf_size(sk, 64 << 10);
	setsockopt(nl_socket_get_fd(sk), SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	setsockopt(nl_socket_get_fd(sk), SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	family_id = genl_ctrl_resolve(sk, SMTPRL_FAMILY_NAME);
	if (family_id < 0) {
		fprintf(stderr, "%s: generic netlink family \"%s\" not found (is smtprl.ko loaded?)\n",
			prog, SMTPRL_FAMILY_NAME);
		return EXIT_REFUSED;
	}
	return EXIT_OK;
}

/*
 * Send @cmd with the attributes @fill puts in, wait for the ack (do) or
 * the end of the dump; @r parses every reply. EXIT_REFUSED on a kernel
 * error, whose text error_cb printed.
 */
static int pipe_flush(void);

/* Answers to anything but the request in flight are stale: skip them. */
static unsigned int cur_seq;

static int seq_cb(struct nl_msg *m, void *arg)
{
	(void)arg;
	return nlmsg_hdr(m)->nlmsg_seq == cur_seq ? NL_OK : NL_SKIP;
}

static int pipe_add(uint8_t cmd, void (*fill)(struct nl_msg *m, void *arg), void *farg)
{
	/* Changes are small (< 256 bytes); nlmsg_alloc() would zero a page. */
	struct nl_msg *m = nlmsg_alloc_size(512);

	if (!m)
		return EXIT_REFUSED;
	/* nl_send_auto() would add NLM_F_REQUEST; we send these ourselves. */
	genlmsg_put(m, nl_socket_get_local_port(sk), nl_socket_use_seq(sk), family_id, 0,
		    NLM_F_REQUEST, cmd, SMTPRL_FAMILY_VERSION);
	if (fill)
		fill(m, farg);
	pipe_q.msg[pipe_q.n] = m;
	pipe_q.line[pipe_q.n++] = pipe_q.lineno;
	if (pipe_q.n >= pipe_q.window)
		pipe_flush();
	return EXIT_OK;
}

/* The kernel flagged the dump NLM_F_DUMP_INTR: a table was resized under it. */
static int dump_intr_cb(struct nl_msg *m, void *arg)
{
	(void)m;
	*(bool *)arg = true;
	return NL_OK;
}

static int request_once(uint8_t cmd, bool dump, void (*fill)(struct nl_msg *m, void *arg),
			void *farg, struct reply *r, bool *intr)
{
	struct nl_msg *m;
	struct nl_cb *cb;
	int ret = 1;

	m = nlmsg_alloc();
	cb = nl_cb_alloc(NL_CB_DEFAULT);
	if (!m || !cb)
		return EXIT_REFUSED;
	cur_seq = nl_socket_use_seq(sk);
	genlmsg_put(m, NL_AUTO_PORT, cur_seq, family_id, 0,
		    dump ? NLM_F_DUMP : NLM_F_ACK, cmd, SMTPRL_FAMILY_VERSION);
	if (fill)
		fill(m, farg);
	nl_cb_set(cb, NL_CB_SEQ_CHECK, NL_CB_CUSTOM, seq_cb, NULL);
	nl_cb_err(cb, NL_CB_CUSTOM, error_cb, &ret);
	nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, finish_cb, &ret);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, ack_cb, &ret);
	nl_cb_set(cb, NL_CB_DUMP_INTR, NL_CB_CUSTOM, dump_intr_cb, intr);
	if (r)
		nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, valid_cb, r);
	if (nl_send_auto(sk, m) < 0) {
		ret = -EIO;
	} else {
		while (ret > 0)
			if (nl_recvmsgs(sk, cb) < 0 && ret > 0)
				ret = -EIO;
	}
	nlmsg_free(m);
	nl_cb_put(cb);
	return ret;
}

/*
 * A dump the kernel flags as interrupted, or refuses with EBUSY, met a
 * resize of the table it walked: it may hold duplicates or miss entries.
 * Its output is held back (in memory) and the dump asked again.
 */
#define DUMP_TRIES	10

static int request_dump(uint8_t cmd, struct reply *r)
{
	unsigned int try;
	int ret;

	for (try = 1;; try++) {
		FILE *real = stdout, *buf;
		struct out_state st;
		bool intr = false;
		char *text = NULL;
		size_t len = 0;

		fflush(stdout);
		buf = open_memstream(&text, &len);
		if (!buf) {
			perror(prog);
			return EXIT_REFUSED;
		}
		out_save(&st);
		stdout = buf;		/* glibc: stdout is an ordinary variable */
		quiet_busy = try < DUMP_TRIES;
		ret = request_once(cmd, true, NULL, NULL, r, &intr);
		quiet_busy = false;
		stdout = real;
		fclose(buf);
		if (!intr && ret != -EBUSY) {
			fwrite(text, 1, len, stdout);
			free(text);
			return ret ? EXIT_REFUSED : EXIT_OK;
		}
		free(text);
		if (try == DUMP_TRIES) {
			fprintf(stderr, "%s: the kernel's table kept being resized during the dump (%u tries); try again\n",
				prog, try);
			return EXIT_REFUSED;
		}
		out_restore(&st);
		if (r && r->reset)
			r->reset(r->arg);
		usleep(10000U << (try < 6 ? try : 6));
	}
}

static int request(uint8_t cmd, bool dump, void (*fill)(struct nl_msg *m, void *arg),
		   void *farg, struct reply *r)
{
	bool intr = false;

	if (pipe_q.on) {
		if (pipe_q.dry)
			return EXIT_OK;
		if (!dump && !r)
			return pipe_add(cmd, fill, farg);
		pipe_flush();
	}
	if (dump && !fill)
		return request_dump(cmd, r);
	return request_once(cmd, dump, fill, farg, r, &intr) ? EXIT_REFUSED : EXIT_OK;
}

struct pipe_wait {
	unsigned int first;	/* sequence number of pipe_q.msg[0] */
	bool done;
};

static int pipe_err_cb(struct sockaddr_nl *nla, struct nlmsgerr *err, void *arg)
{
	struct pipe_wait *w = arg;
	unsigned int i = err->msg.nlmsg_seq - w->first;

	(void)nla;
	if (i >= pipe_q.n)
		return NL_SKIP;		/* stale */
	pipe_q.failed++;
	report(pipe_q.line[i], err_text(err));
	if (i == pipe_q.n - 1)
		w->done = true;
	return NL_SKIP;
}

static int pipe_ack_cb(struct nl_msg *m, void *arg)
{
	struct pipe_wait *w = arg;

	if (nlmsg_hdr(m)->nlmsg_seq - w->first == pipe_q.n - 1)
		w->done = true;
	return NL_OK;
}

static int pipe_pass_cb(struct nl_msg *m, void *arg)
{
	(void)m;
	(void)arg;
	return NL_OK;
}

/*
 * The socket's receive buffer decides the window: as many changes as
 * answers fit (a batch where every line is refused must lose none). As
 * big as CAP_NET_ADMIN allows, or the default (about 100 changes).
 */
static void pipe_window(void)
{
	int fd = nl_socket_get_fd(sk), rcvbuf = 8 << 20;
	socklen_t len = sizeof(rcvbuf);

	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)))
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	if (getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, &len))
		rcvbuf = 0;
	pipe_q.window = rcvbuf / PIPE_ANSWER_BYTES;
	if (pipe_q.window > PIPE_MAX)
		pipe_q.window = PIPE_MAX;
	if (pipe_q.window < 1)
		pipe_q.window = 1;
}

/* Is an answer waiting? The kernel answers within the send. */
static bool pipe_readable(void)
{
	struct pollfd p = { .fd = nl_socket_get_fd(sk), .events = POLLIN };

	return poll(&p, 1, PIPE_ANSWER_TIMEOUT_MS) > 0;
}

/*
 * Send the queued changes in one system call; collect the refusals. Each
 * refusal is reported with its line. Answers the socket dropped (it never
 * should: see pipe_window()) or that never came are reported for the
 * whole range, which may or may not have applied.
 */
static int pipe_flush(void)
{
	struct pipe_wait w = { 0 };
	size_t len = 0, off = 0;
	bool lost = false;
	struct nl_cb *cb;
	unsigned int i;
	char *buf;
	int err = 0;

	if (!pipe_q.n)
		return 0;
	w.first = nlmsg_hdr(pipe_q.msg[0])->nlmsg_seq;
	nlmsg_hdr(pipe_q.msg[pipe_q.n - 1])->nlmsg_flags |= NLM_F_ACK;
	for (i = 0; i < pipe_q.n; i++)
		len += NLMSG_ALIGN(nlmsg_hdr(pipe_q.msg[i])->nlmsg_len);
	buf = calloc(1, len);
	cb = nl_cb_alloc(NL_CB_DEFAULT);
	if (!buf || !cb) {
		err = -ENOMEM;
	} else {
		for (i = 0; i < pipe_q.n; i++) {
			struct nlmsghdr *h = nlmsg_hdr(pipe_q.msg[i]);

			memcpy(buf + off, h, h->nlmsg_len);
			off += NLMSG_ALIGN(h->nlmsg_len);
		}
		nl_cb_set(cb, NL_CB_SEQ_CHECK, NL_CB_CUSTOM, pipe_pass_cb, NULL);
		nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, pipe_ack_cb, &w);
		nl_cb_err(cb, NL_CB_CUSTOM, pipe_err_cb, &w);
		if (nl_sendto(sk, buf, len) < 0)
			err = -EIO;
		while (!err && !w.done) {
			int ret;

			if (!pipe_readable()) {
				lost = true;	/* never answered: give up, never hang */
				break;
			}
			/* ENOBUFS (-NLE_NOMEM): some were dropped; read the rest. */
			ret = nl_recvmsgs(sk, cb);
			if (ret == -NLE_NOMEM)
				lost = true;
			else if (ret < 0)
				err = -EIO;
		}
	}
	if (err || lost) {
		/* We cannot tell which of them applied. */
		fprintf(stderr, "%s: %s:%d-%d: %s\n", prog, pipe_q.file, pipe_q.line[0],
			pipe_q.line[pipe_q.n - 1], err == -EIO ?
			"cannot send to the kernel" : err ? strerror(-err) :
			"lost some of the kernel's answers: these lines may or may not have applied");
		pipe_q.failed++;
	}
	free(buf);
	nl_cb_put(cb);
	for (i = 0; i < pipe_q.n; i++) {
		nlmsg_free(pipe_q.msg[i]);
		pipe_q.msg[i] = NULL;
	}
	pipe_q.n = 0;
	return err || lost ? -EIO : 0;
}

/* policy: every field as include/smtprl-policy-fields.h says */

struct field {
	const char *name;	/* the spec's, and the word of policy set and save */
	const char *key;	/* show and JSON (seconds: with "_s") */
	int attr;
	int width;		/* on the wire */
	enum smtprl_field_kind kind;
};

#define SMTPRL_FIELD(a, member, k, d) {					\
	SMTPRL_POLICY_##a##_NAME, SMTPRL_POLICY_##a##_KEY,		\
	SMTPRL_A_POLICY_##a, SMTPRL_POLICY_##a##_WIDTH, SMTPRL_KIND_##k	\
},

static const struct field fields[] = {
#include "smtprl-policy-fields.h"
};

#undef SMTPRL_FIELD

#define NFIELDS (sizeof(fields) / sizeof(fields[0]))

static const char *const hook_names[] = SMTPRL_HOOKS_NAMES;
static const char *const action_names[] = SMTPRL_ACTION_NAMES;
static const char *const full_names[] = SMTPRL_WHEN_FULL_NAMES;

/* The words of a field that is one word of a list, and how many: or 0. */
static unsigned int kind_words(enum smtprl_field_kind kind, const char *const **words)
{
	switch (kind) {
	case SMTPRL_KIND_ACTION:
		*words = action_names;
		return SMTPRL_ACTION_COUNT;
	case SMTPRL_KIND_WHEN_FULL:
		*words = full_names;
		return SMTPRL_WHEN_FULL_COUNT;
	default:
		return 0;
	}
}

/* The word that sets @f: its name, but "ports" for the list of ports. */
static const char *field_word(const struct field *f, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s", f->name, f->kind == SMTPRL_KIND_PORTS ? "s" : "");
	return buf;
}

static uint32_t attr_uint(const struct nlattr *a, int width)
{
	return width == 1 ? nla_get_u8((struct nlattr *)a) :
	       width == 2 ? nla_get_u16((struct nlattr *)a) : nla_get_u32((struct nlattr *)a);
}

/* "prerouting,output" from the bits of @v. */
static void format_hooks(uint32_t v, char *buf, size_t len)
{
	size_t off = 0;
	unsigned int i;

	buf[0] = '\0';
	for (i = 0; i < SMTPRL_HOOKS_COUNT; i++)
		if (v & (1U << i) && off < len)
			off += snprintf(buf + off, len - off, "%s%s", off ? "," : "", hook_names[i]);
}

static int parse_hooks(const char *s, uint32_t *v)
{
	char buf[64], *tok, *save = NULL;
	int w;

	snprintf(buf, sizeof(buf), "%s", s);
	*v = 0;
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		w = parse_word(tok, hook_names, SMTPRL_HOOKS_COUNT);
		if (w < 0)
			return -1;
		*v |= 1U << w;
	}
	return *v ? 0 : -1;
}

/* The ports of a policy message, "25,587". */
static void format_ports(char *buf, size_t len)
{
	struct nlattr *a;
	size_t off = 0;
	int rem;

	buf[0] = '\0';
	if (!cur_msg)
		return;
	nlmsg_for_each_attr(a, nlmsg_hdr(cur_msg), GENL_HDRLEN, rem)
		if (nla_type(a) == SMTPRL_A_POLICY_PORT && off < len - 6)
			off += snprintf(buf + off, len - off, "%s%u", off ? "," : "", nla_get_u16(a));
}

/*
 * The value of @f as policy set takes it: "10/minute", "off", "25,587",
 * "drop", "prerouting,output", or the number. @secs_unit: "s" after
 * seconds (save), or nothing (show, where the key says _s).
 */
static void format_field(const struct field *f, struct nlattr **tb, const char *secs_unit,
			 char *buf, size_t len)
{
	uint32_t v = attr_uint(tb[f->attr], f->width), u;
	const char *const *words;

	switch (f->kind) {
	case SMTPRL_KIND_RATE:
		u = tb[SMTPRL_A_POLICY_RATE_UNIT] ? nla_get_u32(tb[SMTPRL_A_POLICY_RATE_UNIT]) : 0;
		snprintf(buf, len, "%u/%s", v, u < SMTPRL_UNIT_COUNT ? unit_names[u] : "?");
		return;
	case SMTPRL_KIND_DAILY:
		if (!v) {
			snprintf(buf, len, "off");
			return;
		}
		break;
	case SMTPRL_KIND_PORTS:
		format_ports(buf, len);
		return;
	case SMTPRL_KIND_ACTION:
	case SMTPRL_KIND_WHEN_FULL:
		if (v < kind_words(f->kind, &words)) {
			snprintf(buf, len, "%s", words[v]);
			return;
		}
		break;
	case SMTPRL_KIND_HOOKS:
		format_hooks(v, buf, len);
		return;
	case SMTPRL_KIND_SECONDS:
		snprintf(buf, len, "%u%s", v, secs_unit);
		return;
	default:
		break;
	}
	snprintf(buf, len, "%u", v);
}

static int policy_print(struct nlattr **tb, void *arg)
{
	const struct field *f;
	char key[48], val[64];

	(void)arg;
	out_open_obj();
	out_str("enabled", tb[SMTPRL_A_POLICY_ENABLED] &&
		nla_get_u8(tb[SMTPRL_A_POLICY_ENABLED]) ? "yes" : "no");
	for (f = fields; f < fields + NFIELDS; f++) {
		if (!tb[f->attr] || f->kind == SMTPRL_KIND_UNIT)
			continue;
		switch (f->kind) {
		case SMTPRL_KIND_COUNT:
			out_uint(f->key, attr_uint(tb[f->attr], f->width));
			break;
		case SMTPRL_KIND_SECONDS:
			snprintf(key, sizeof(key), "%s_s", f->key);
			out_uint(key, attr_uint(tb[f->attr], f->width));
			break;
		case SMTPRL_KIND_DAILY:
			if (attr_uint(tb[f->attr], f->width)) {
				out_uint(f->key, attr_uint(tb[f->attr], f->width));
				break;
			}
			/* fall through */
		default:
			format_field(f, tb, "", val, sizeof(val));
			out_str(f->kind == SMTPRL_KIND_PORTS ?
				field_word(f, key, sizeof(key)) : f->key, val);
		}
	}
	out_close_obj();
	return 0;
}

struct policy_req {
	uint32_t set[SMTPRL_A_POLICY_MAX + 1];
	bool given[SMTPRL_A_POLICY_MAX + 1];
	uint16_t ports[9];
	int nports;
};

static void policy_fill(struct nl_msg *m, void *arg)
{
	struct policy_req *r = arg;
	const struct field *f;
	int i;

	if (r->given[SMTPRL_A_POLICY_ENABLED])
		nla_put_u8(m, SMTPRL_A_POLICY_ENABLED, (uint8_t)r->set[SMTPRL_A_POLICY_ENABLED]);
	for (f = fields; f < fields + NFIELDS; f++) {
		if (!r->given[f->attr])
			continue;
		if (f->kind == SMTPRL_KIND_PORTS)
			for (i = 0; i < r->nports; i++)
				nla_put_u16(m, f->attr, r->ports[i]);
		else if (f->width == 1)
			nla_put_u8(m, f->attr, (uint8_t)r->set[f->attr]);
		else if (f->width == 2)
			nla_put_u16(m, f->attr, (uint16_t)r->set[f->attr]);
		else
			nla_put_u32(m, f->attr, r->set[f->attr]);
	}
}

/* Parse @v for @f into @r: 0, or a usage error. */
static int parse_field(const struct field *f, const char *v, struct policy_req *r)
{
	uint32_t *out = &r->set[f->attr], p;
	char what[96], buf[160], *tok, *save = NULL;
	const char *const *words;
	const char *hint = "";
	unsigned int n, i;
	uint64_t d;
	int w;

	snprintf(what, sizeof(what), "%s \"%.40s\"", f->name, v);
	switch (f->kind) {
	case SMTPRL_KIND_RATE:
		hint = " (N/second|minute|hour|day)";
		if (parse_rate(v, out, &r->set[SMTPRL_A_POLICY_RATE_UNIT]))
			goto bad;
		r->given[SMTPRL_A_POLICY_RATE_UNIT] = true;
		break;
	case SMTPRL_KIND_SECONDS:
		hint = " (a duration: N[s|m|h|d])";
		if (parse_duration(v, &d) || d > UINT32_MAX)
			goto bad;
		*out = (uint32_t)d;
		break;
	case SMTPRL_KIND_DAILY:
		hint = " (N or off)";
		if (!strcmp(v, "off"))
			*out = 0;
		else if (parse_u32(v, UINT32_MAX, out))
			goto bad;
		break;
	case SMTPRL_KIND_PORTS:
		snprintf(buf, sizeof(buf), "%s", v);
		for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
			if (r->nports == 9 || parse_u32(tok, 65535, &p) || !p)
				goto bad;
			r->ports[r->nports++] = (uint16_t)p;
		}
		break;
	case SMTPRL_KIND_ACTION:
	case SMTPRL_KIND_WHEN_FULL:
		n = kind_words(f->kind, &words);
		w = parse_word(v, words, n);
		if (w < 0) {
			/* " (drop|reject|monitor)" */
			for (i = 0, p = 0; i < n; i++)
				p += snprintf(buf + p, sizeof(buf) - p, "%s%s",
					      i ? "|" : " (", words[i]);
			snprintf(buf + p, sizeof(buf) - p, ")");
			hint = buf;
			goto bad;
		}
		*out = (uint32_t)w;
		break;
	case SMTPRL_KIND_HOOKS:
		hint = " (prerouting, output or prerouting,output)";
		if (parse_hooks(v, out))
			goto bad;
		break;
	default:
		/* The wire type's range; the kernel checks the spec's. */
		if (parse_u32(v, f->width == 1 ? 255 : f->width == 2 ? 65535 : UINT32_MAX, out))
			goto bad;
	}
	r->given[f->attr] = true;
	return 0;
bad:
	fprintf(stderr, "%s: invalid %s%s\n", prog, what, hint);
	return EXIT_USAGE;
}

static int policy_set(int argc, char **argv)
{
	struct policy_req r = { 0 };
	const struct field *f;
	char word[48];
	int i, w;

	for (i = 0; i < argc; i += 2) {
		const char *k = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!v)
			return usage_error("policy set: %s needs a value", k);
		if (!strcmp(k, "enabled")) {
			w = parse_word(v, (const char *const[]){ "no", "yes" }, 2);
			if (w < 0)
				return usage_error("invalid enabled \"%s\" (yes|no)", v);
			r.set[SMTPRL_A_POLICY_ENABLED] = (uint32_t)w;
			r.given[SMTPRL_A_POLICY_ENABLED] = true;
			continue;
		}
		for (f = fields; f < fields + NFIELDS; f++)
			if (f->kind != SMTPRL_KIND_UNIT &&
			    !strcmp(k, field_word(f, word, sizeof(word))))
				break;
		if (f == fields + NFIELDS)
			return usage_error("policy set: unknown setting \"%s\"", k);
		w = parse_field(f, v, &r);
		if (w)
			return w;
	}
	if (!argc)
		return usage_error("policy set: %s", "nothing to set");
	return request(SMTPRL_CMD_POLICY_SET, false, policy_fill, &r, NULL);
}

static int policy_main(int argc, char **argv)
{
	struct reply r = { policy_print, NULL, SMTPRL_A_POLICY_MAX, NULL };

	if (argc >= 2 && !strcmp(argv[1], "set"))
		return policy_set(argc - 2, argv + 2);
	if (argc == 1 || (argc == 2 && !strcmp(argv[1], "show")))
		return request(SMTPRL_CMD_POLICY_GET, false, NULL, NULL, &r);
	return usage_error("usage: policy show | policy set SETTING VALUE...%s", "");
}

/* stats */

static int stats_print(struct nlattr **tb, void *arg)
{
	static const char *const names[SMTPRL_A_STATS_MAX + 1] = SMTPRL_STATS_KEYS;
	int a;

	(void)arg;
	out_open_obj();
	for (a = 1; a < (int)(sizeof(names) / sizeof(names[0])); a++) {
		if (!names[a] || !tb[a] || a == SMTPRL_A_STATS_PAD)
			continue;
		/* Bytes, as /proc/net/smtprl/stats says it. */
		out_uint(a == SMTPRL_A_STATS_MEMORY ? "memory_bytes" : names[a],
			 nla_len(tb[a]) == 4 ? nla_get_u32(tb[a]) : nla_get_u64(tb[a]));
	}
	out_close_obj();
	return 0;
}

static int stats_main(int argc, char **argv)
{
	struct reply r = { stats_print, NULL, SMTPRL_A_STATS_MAX, NULL };

	(void)argv;
	if (argc != 1)
		return usage_error("usage: stats%s", "");
	return request(SMTPRL_CMD_STATS_GET, false, NULL, NULL, &r);
}

/* prefixes: scope, relay, exempt, source */

static void put_prefix(struct nl_msg *m, const struct prefix *p, bool plen)
{
	if (p->family == AF_INET)
		nla_put(m, SMTPRL_A_ENTRY_ADDR4, 4, &p->addr.v4);
	else
		nla_put(m, SMTPRL_A_ENTRY_ADDR6, 16, &p->addr.v6);
	if (plen)
		nla_put_u8(m, SMTPRL_A_ENTRY_PLEN, p->plen);
}

static bool get_prefix(struct nlattr **tb, struct prefix *p)
{
	memset(p, 0, sizeof(*p));
	if (tb[SMTPRL_A_ENTRY_ADDR4]) {
		p->family = AF_INET;
		memcpy(&p->addr.v4, nla_data(tb[SMTPRL_A_ENTRY_ADDR4]), 4);
	} else if (tb[SMTPRL_A_ENTRY_ADDR6]) {
		p->family = AF_INET6;
		memcpy(&p->addr.v6, nla_data(tb[SMTPRL_A_ENTRY_ADDR6]), 16);
	} else {
		return false;
	}
	p->plen = tb[SMTPRL_A_ENTRY_PLEN] ? nla_get_u8(tb[SMTPRL_A_ENTRY_PLEN]) : 0;
	return true;
}

struct entry_req {
	struct prefix p;
	bool plen;
	const char *ifname;
	uint32_t rate, unit, burst, daily;
	uint64_t expires;
	const char *comment;
	bool replace;
};

static void entry_fill(struct nl_msg *m, void *arg)
{
	struct entry_req *r = arg;

	if (r->ifname) {
		nla_put_string(m, SMTPRL_A_ENTRY_IFNAME, r->ifname);
		return;
	}
	put_prefix(m, &r->p, r->plen);
	if (r->rate) {
		nla_put_u32(m, SMTPRL_A_ENTRY_RATE, r->rate);
		nla_put_u32(m, SMTPRL_A_ENTRY_RATE_UNIT, r->unit);
	}
	if (r->burst)
		nla_put_u32(m, SMTPRL_A_ENTRY_BURST, r->burst);
	if (r->daily)
		nla_put_u32(m, SMTPRL_A_ENTRY_DAILY, r->daily);
	if (r->expires)
		nla_put_u64(m, SMTPRL_A_ENTRY_EXPIRES, r->expires);
	if (r->comment)
		nla_put_string(m, SMTPRL_A_ENTRY_COMMENT, r->comment);
	if (r->replace)
		nla_put_flag(m, SMTPRL_A_ENTRY_REPLACE);
}

static void out_u64_attr(struct nlattr **tb, int a, const char *key)
{
	if (tb[a])
		out_uint(key, nla_get_u64(tb[a]));
}

static const char *const state_names[] = SMTPRL_STATE_NAMES;
static const char *const cause_names[] = SMTPRL_CAUSE_NAMES;
static const char *const release_names[] = SMTPRL_RELEASE_NAMES;

/* A u32 enum attribute as its name (or its number, from a newer kernel). */
static void out_enum_attr(struct nlattr **tb, int a, const char *key,
			  const char *const *names, uint32_t n)
{
	uint32_t v;

	if (!tb[a])
		return;
	v = nla_get_u32(tb[a]);
	if (v < n)
		out_str(key, names[v]);
	else
		out_uint(key, v);
}

/* The event name, if @arg is one (monitor), then the entry. */
static int entry_print(struct nlattr **tb, void *arg)
{
	struct prefix p;
	char buf[64];

	out_open_obj();
	if (arg)
		out_str("event", arg);
	if (tb[SMTPRL_A_ENTRY_IFNAME]) {
		out_str("dev", nla_get_string(tb[SMTPRL_A_ENTRY_IFNAME]));
	} else if (get_prefix(tb, &p)) {
		format_prefix(&p, buf, sizeof(buf));
		out_str("prefix", buf);
	}
	if (tb[SMTPRL_A_ENTRY_RATE] && tb[SMTPRL_A_ENTRY_RATE_UNIT]) {
		uint32_t u = nla_get_u32(tb[SMTPRL_A_ENTRY_RATE_UNIT]);

		snprintf(buf, sizeof(buf), "%u/%s", nla_get_u32(tb[SMTPRL_A_ENTRY_RATE]),
			 u < SMTPRL_UNIT_COUNT ? unit_names[u] : "?");
		out_str("rate", buf);
		if (tb[SMTPRL_A_ENTRY_BURST])
			out_uint("burst", nla_get_u32(tb[SMTPRL_A_ENTRY_BURST]));
		if (tb[SMTPRL_A_ENTRY_DAILY])
			out_uint("daily", nla_get_u32(tb[SMTPRL_A_ENTRY_DAILY]));
	}
	out_u64_attr(tb, SMTPRL_A_ENTRY_TOKENS, "tokens");
	out_u64_attr(tb, SMTPRL_A_ENTRY_DAILY_TOKENS, "daily_tokens");
	out_u64_attr(tb, SMTPRL_A_ENTRY_ALLOWED, "allowed");
	out_u64_attr(tb, SMTPRL_A_ENTRY_LIMITED, "limited");
	out_u64_attr(tb, SMTPRL_A_ENTRY_AGE, "age_s");
	out_u64_attr(tb, SMTPRL_A_ENTRY_IDLE, "idle_s");
	out_u64_attr(tb, SMTPRL_A_ENTRY_LAST_LIMITED, "last_limited_s");
	out_u64_attr(tb, SMTPRL_A_ENTRY_EXPIRES, "expires_s");
	if (tb[SMTPRL_A_ENTRY_COMMENT])
		out_str("comment", nla_get_string(tb[SMTPRL_A_ENTRY_COMMENT]));
	out_enum_attr(tb, SMTPRL_A_ENTRY_STATE, "state", state_names, SMTPRL_STATE_COUNT);
	if (tb[SMTPRL_A_ENTRY_STRIKES])
		out_uint("strikes", nla_get_u32(tb[SMTPRL_A_ENTRY_STRIKES]));
	if (tb[SMTPRL_A_ENTRY_FANOUT])
		out_uint("fanout", nla_get_u32(tb[SMTPRL_A_ENTRY_FANOUT]));
	out_enum_attr(tb, SMTPRL_A_ENTRY_CAUSE, "cause", cause_names, SMTPRL_CAUSE_COUNT);
	out_u64_attr(tb, SMTPRL_A_ENTRY_QUARANTINED, "quarantined_s");
	out_u64_attr(tb, SMTPRL_A_ENTRY_REMAINING, "remaining_s");
	out_u64_attr(tb, SMTPRL_A_ENTRY_REFUSED, "refused");
	out_enum_attr(tb, SMTPRL_A_ENTRY_RELEASE, "release", release_names, SMTPRL_RELEASE_COUNT);
	out_u64_attr(tb, SMTPRL_A_ENTRY_SUPPRESSED, "suppressed");
	out_u64_attr(tb, SMTPRL_A_ENTRY_TIME, "time");
	out_close_obj();
	return 0;
}

static int list(uint8_t cmd)
{
	struct reply r = { entry_print, NULL, SMTPRL_A_ENTRY_MAX, NULL };
	int ret;

	out_open_list();
	ret = request(cmd, true, NULL, NULL, &r);
	out_close_list();
	return ret;
}

/* scope/relay: add|del PREFIX | add|del dev IFNAME | list | flush */
static int pfxlist_main(int argc, char **argv, uint8_t base, bool devs)
{
	struct entry_req r = { .plen = true };
	const char *verb = argc > 1 ? argv[1] : "list";

	if (!strcmp(verb, "list") && argc <= 2)
		return list(base + 2);
	if (!strcmp(verb, "flush") && argc == 2)
		return request(base + 3, false, NULL, NULL, NULL);
	if ((!strcmp(verb, "add") || !strcmp(verb, "del")) && argc >= 3) {
		if (devs && !strcmp(argv[2], "dev") && argc == 4)
			r.ifname = argv[3];
		else if (argc != 3 || parse_prefix(argv[2], true, &r.p))
			return usage_error("invalid prefix \"%s\"", argv[2]);
		return request(base + (verb[0] == 'd'), false, entry_fill, &r, NULL);
	}
	return usage_error("usage: %s add|del PREFIX | list | flush", argv[0]);
}

static int scope_main(int argc, char **argv)
{
	return pfxlist_main(argc, argv, SMTPRL_CMD_SCOPE_ADD, true);
}

static int relay_main(int argc, char **argv)
{
	return pfxlist_main(argc, argv, SMTPRL_CMD_RELAY_ADD, false);
}

/* exempt add ADDR[/LEN] [rate N/UNIT [burst N] [daily N]] [expires D] [comment T] [replace] */
static int exempt_main(int argc, char **argv)
{
	struct entry_req r = { .plen = true };
	const char *verb = argc > 1 ? argv[1] : "list";
	int i;

	if (!strcmp(verb, "list") && argc <= 2)
		return list(SMTPRL_CMD_EXEMPT_GET);
	if (!strcmp(verb, "flush") && argc == 2)
		return request(SMTPRL_CMD_EXEMPT_FLUSH, false, NULL, NULL, NULL);
	if (argc < 3 || parse_prefix(argv[2], true, &r.p))
		return usage_error("usage: exempt add|del ADDR[/LEN] ... | list | flush%s", "");
	if (!strcmp(verb, "del") && argc == 3)
		return request(SMTPRL_CMD_EXEMPT_DEL, false, entry_fill, &r, NULL);
	if (!strcmp(verb, "show") && argc == 3) {
		struct reply rep = { entry_print, NULL, SMTPRL_A_ENTRY_MAX, NULL };

		return request(SMTPRL_CMD_EXEMPT_GET, false, entry_fill, &r, &rep);
	}
	if (strcmp(verb, "add") && strcmp(verb, "replace"))
		return usage_error("unknown exempt command \"%s\"", verb);
	r.replace = !strcmp(verb, "replace");
	for (i = 3; i < argc; i++) {
		const char *k = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(k, "replace")) {
			r.replace = true;
			continue;
		}
		if (!v)
			return usage_error("exempt: %s needs a value", k);
		i++;
		if (!strcmp(k, "rate")) {
			if (parse_rate(v, &r.rate, &r.unit))
				return usage_error("invalid rate \"%s\"", v);
		} else if (!strcmp(k, "burst")) {
			if (parse_u32(v, UINT32_MAX, &r.burst) || !r.burst)
				return usage_error("invalid burst \"%s\"", v);
		} else if (!strcmp(k, "daily")) {
			if (parse_u32(v, UINT32_MAX, &r.daily) || !r.daily)
				return usage_error("invalid daily \"%s\"", v);
		} else if (!strcmp(k, "expires")) {
			if (parse_duration(v, &r.expires))
				return usage_error("invalid duration \"%s\" (90s, 15m, 12h, 30d)", v);
		} else if (!strcmp(k, "comment")) {
			if (strlen(v) > 64)
				return usage_error("comment longer than 64 bytes: \"%s\"", v);
			r.comment = v;
		} else {
			return usage_error("exempt: unknown setting \"%s\"", k);
		}
	}
	return request(SMTPRL_CMD_EXEMPT_ADD, false, entry_fill, &r, NULL);
}

/* Sources collected for "source list top N sort KEY". */
struct source_row {
	struct nlattr *tb[SMTPRL_A_ENTRY_MAX + 1];
	void *copy;
	uint64_t key;
};

static struct {
	struct source_row *rows;
	size_t n, cap;
	int sort_attr;
} srcs;

static int source_collect(struct nlattr **tb, void *arg)
{
	struct nlmsghdr *nlh = nlmsg_hdr(cur_msg);
	struct source_row *row;
	int i;

	(void)arg;
	if (srcs.n == srcs.cap) {
		srcs.cap = srcs.cap ? srcs.cap * 2 : 1024;
		srcs.rows = realloc(srcs.rows, srcs.cap * sizeof(*srcs.rows));
		if (!srcs.rows) {
			perror(prog);
			exit(EXIT_REFUSED);
		}
	}
	row = &srcs.rows[srcs.n++];
	/* Keep the message: the attribute pointers point into it. */
	row->copy = malloc(nlh->nlmsg_len);
	if (!row->copy) {
		perror(prog);
		exit(EXIT_REFUSED);
	}
	memcpy(row->copy, nlh, nlh->nlmsg_len);
	for (i = 0; i <= SMTPRL_A_ENTRY_MAX; i++)
		row->tb[i] = tb[i] ? (struct nlattr *)((char *)row->copy +
						       ((char *)tb[i] - (char *)nlh)) : NULL;
	row->key = tb[srcs.sort_attr] ? nla_get_u64(tb[srcs.sort_attr]) : 0;
	return 0;
}

static void source_forget(void *arg)
{
	size_t i;

	(void)arg;
	for (i = 0; i < srcs.n; i++)
		free(srcs.rows[i].copy);
	srcs.n = 0;
}

static int row_cmp(const void *a, const void *b)
{
	const struct source_row *x = a, *y = b;

	/* Largest first; for "last", the most recent (smallest idle) first. */
	if (srcs.sort_attr == SMTPRL_A_ENTRY_IDLE)
		return x->key < y->key ? -1 : x->key > y->key;
	return x->key > y->key ? -1 : x->key < y->key;
}

static int source_top(int argc, char **argv)
{
	struct reply rep = { source_collect, NULL, SMTPRL_A_ENTRY_MAX, source_forget };
	uint32_t top = UINT32_MAX;
	size_t i;
	int ret;

	srcs.sort_attr = SMTPRL_A_ENTRY_LIMITED;
	for (i = 2; i < (size_t)argc; i += 2) {
		if (i + 1 >= (size_t)argc)
			return usage_error("source list: %s needs a value", argv[i]);
		if (!strcmp(argv[i], "top")) {
			if (parse_u32(argv[i + 1], UINT32_MAX, &top) || !top)
				return usage_error("invalid top \"%s\"", argv[i + 1]);
		} else if (!strcmp(argv[i], "sort")) {
			if (!strcmp(argv[i + 1], "limited"))
				srcs.sort_attr = SMTPRL_A_ENTRY_LIMITED;
			else if (!strcmp(argv[i + 1], "allowed"))
				srcs.sort_attr = SMTPRL_A_ENTRY_ALLOWED;
			else if (!strcmp(argv[i + 1], "last"))
				srcs.sort_attr = SMTPRL_A_ENTRY_IDLE;
			else
				return usage_error("invalid sort \"%s\" (limited|allowed|last)",
						   argv[i + 1]);
		} else {
			return usage_error("source list: unknown option \"%s\"", argv[i]);
		}
	}
	ret = request(SMTPRL_CMD_SOURCE_GET, true, NULL, NULL, &rep);
	if (ret)
		return ret;
	qsort(srcs.rows, srcs.n, sizeof(*srcs.rows), row_cmp);
	out_open_list();
	for (i = 0; i < srcs.n && i < top; i++)
		entry_print(srcs.rows[i].tb, NULL);
	out_close_list();
	source_forget(NULL);
	free(srcs.rows);
	memset(&srcs, 0, sizeof(srcs));
	return EXIT_OK;
}

/*
 * source list [top N] [sort limited|allowed|last] | show ADDR | reset ADDR |
 *	  quarantine ADDR [for DURATION] | release ADDR | flush
 */
static int source_main(int argc, char **argv)
{
	struct entry_req r = { .plen = false };
	struct reply rep = { entry_print, NULL, SMTPRL_A_ENTRY_MAX, NULL };
	const char *verb = argc > 1 ? argv[1] : "list";

	if (!strcmp(verb, "list") && argc <= 2)
		return list(SMTPRL_CMD_SOURCE_GET);
	if (!strcmp(verb, "list"))
		return source_top(argc, argv);
	if (!strcmp(verb, "flush") && argc == 2)
		return request(SMTPRL_CMD_SOURCE_FLUSH, false, NULL, NULL, NULL);
	if (!strcmp(verb, "quarantine") && argc == 5 && !strcmp(argv[3], "for")) {
		if (parse_duration(argv[4], &r.expires))
			return usage_error("invalid duration \"%s\" (90s, 15m, 12h, 30d)", argv[4]);
		argc = 3;
	}
	if (argc != 3 || parse_prefix(argv[2], false, &r.p))
		return usage_error("usage: source list | show ADDR | reset ADDR | quarantine ADDR [for DURATION] | release ADDR | flush%s", "");
	if (!strcmp(verb, "quarantine"))
		return request(SMTPRL_CMD_SOURCE_QUARANTINE, false, entry_fill, &r, NULL);
	if (!strcmp(verb, "release"))
		return request(SMTPRL_CMD_SOURCE_RELEASE, false, entry_fill, &r, NULL);
	if (!strcmp(verb, "show"))
		return request(SMTPRL_CMD_SOURCE_GET, false, entry_fill, &r, &rep);
	if (!strcmp(verb, "reset"))
		return request(SMTPRL_CMD_SOURCE_DEL, false, entry_fill, &r, NULL);
	return usage_error("unknown source command \"%s\"", verb);
}

/* monitor: one line (or JSON object) per event, as "ip monitor" does. */

static int monitor_cb(struct nl_msg *m, void *arg)
{
	static const char *const names[] = {
		[SMTPRL_CMD_LIMITED_NTF] = "limited",
		[SMTPRL_CMD_QUARANTINED_NTF] = "quarantined",
		[SMTPRL_CMD_RELEASED_NTF] = "released",
		[SMTPRL_CMD_EXEMPT_EXPIRED_NTF] = "exempt-expired",
		[SMTPRL_CMD_TABLE_FULL_NTF] = "table-full",
	};
	struct genlmsghdr *g = nlmsg_data(nlmsg_hdr(m));
	struct nlattr *tb[SMTPRL_A_ENTRY_MAX + 1] = { 0 };
	bool *json = arg;

	if (g->cmd >= sizeof(names) / sizeof(names[0]) || !names[g->cmd] ||
	    genlmsg_parse(nlmsg_hdr(m), 0, tb, SMTPRL_A_ENTRY_MAX, NULL))
		return NL_SKIP;
	out_init(*json, false);		/* one object per line */
	entry_print(tb, (void *)names[g->cmd]);
	fflush(stdout);
	return NL_OK;
}

static int monitor_main(int argc, char **argv)
{
	int grp, err, rcvbuf = 4 << 20;
	bool json = out_is_json();

	(void)argv;
	if (argc != 1)
		return usage_error("usage: monitor%s", "");
	grp = genl_ctrl_resolve_grp(sk, SMTPRL_FAMILY_NAME, SMTPRL_MCGRP_EVENTS);
	if (grp < 0) {
		fprintf(stderr, "%s: no \"%s\" group: %s\n", prog, SMTPRL_MCGRP_EVENTS,
			nl_geterror(grp));
		return EXIT_REFUSED;
	}
	err = nl_socket_add_membership(sk, grp);
	if (err) {
		fprintf(stderr, "%s: cannot join the events group: %s\n", prog,
			nl_geterror(err));
		return EXIT_REFUSED;
	}
	/* Room for bursts (best effort: SO_RCVBUFFORCE needs CAP_NET_ADMIN). */
	setsockopt(nl_socket_get_fd(sk), SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf));
	nl_socket_disable_seq_check(sk);
	nl_socket_modify_cb(sk, NL_CB_VALID, NL_CB_CUSTOM, monitor_cb, &json);
	for (;;) {
		err = nl_recvmsgs_default(sk);
		if (err == -NLE_NOMEM) {
			/* ENOBUFS: the socket overflowed; say so, go on. */
			fprintf(stderr, "%s: monitor: events lost (receive buffer full)\n", prog);
		} else if (err < 0) {
			fprintf(stderr, "%s: monitor: %s\n", prog, nl_geterror(err));
			return EXIT_REFUSED;
		}
	}
}

/* save: a batch file that "smtprlctl -b" restores exactly. */

static void save_quoted(const char *str)
{
	putchar('"');
	for (; *str; str++) {
		if (*str == '"' || *str == '\\')
			putchar('\\');
		putchar(*str);
	}
	putchar('"');
}

static int save_policy(struct nlattr **tb, void *arg)
{
	const struct field *f;
	char word[48], val[64];

	(void)arg;
	fputs("policy set", stdout);
	for (f = fields; f < fields + NFIELDS; f++) {
		if (!tb[f->attr] || f->kind == SMTPRL_KIND_UNIT)
			continue;
		format_field(f, tb, "s", val, sizeof(val));
		printf(" %s %s", field_word(f, word, sizeof(word)), val);
	}
	printf(" enabled %s\n", tb[SMTPRL_A_POLICY_ENABLED] &&
	       nla_get_u8(tb[SMTPRL_A_POLICY_ENABLED]) ? "yes" : "no");
	return 0;
}

static int save_entry(struct nlattr **tb, void *arg)
{
	const char *what = arg;
	struct prefix p;
	char buf[64];

	if (tb[SMTPRL_A_ENTRY_IFNAME]) {
		printf("%s add dev %s\n", what, nla_get_string(tb[SMTPRL_A_ENTRY_IFNAME]));
		return 0;
	}
	if (!get_prefix(tb, &p))
		return 0;
	format_prefix(&p, buf, sizeof(buf));
	printf("%s add %s", what, buf);
	if (tb[SMTPRL_A_ENTRY_RATE] && tb[SMTPRL_A_ENTRY_RATE_UNIT]) {
		uint32_t u = nla_get_u32(tb[SMTPRL_A_ENTRY_RATE_UNIT]);

		printf(" rate %u/%s", nla_get_u32(tb[SMTPRL_A_ENTRY_RATE]), unit_names[u < SMTPRL_UNIT_COUNT ? u : 0]);
		if (tb[SMTPRL_A_ENTRY_BURST])
			printf(" burst %u", nla_get_u32(tb[SMTPRL_A_ENTRY_BURST]));
		if (tb[SMTPRL_A_ENTRY_DAILY])
			printf(" daily %u", nla_get_u32(tb[SMTPRL_A_ENTRY_DAILY]));
	}
	/* The remaining time, rounded up by the kernel. */
	if (tb[SMTPRL_A_ENTRY_EXPIRES])
		printf(" expires %llus", (unsigned long long)nla_get_u64(tb[SMTPRL_A_ENTRY_EXPIRES]));
	if (tb[SMTPRL_A_ENTRY_COMMENT]) {
		fputs(" comment ", stdout);
		save_quoted(nla_get_string(tb[SMTPRL_A_ENTRY_COMMENT]));
	}
	putchar('\n');
	return 0;
}

static int save_main(int argc, char **argv)
{
	struct reply pol = { save_policy, NULL, SMTPRL_A_POLICY_MAX, NULL };
	struct reply scope = { save_entry, "scope", SMTPRL_A_ENTRY_MAX, NULL };
	struct reply relay = { save_entry, "relay", SMTPRL_A_ENTRY_MAX, NULL };
	struct reply exempt = { save_entry, "exempt", SMTPRL_A_ENTRY_MAX, NULL };

	(void)argv;
	if (argc != 1)
		return usage_error("usage: save%s", "");
	puts("# smtprlctl save: restore with smtprlctl -b FILE");
	if (request(SMTPRL_CMD_POLICY_GET, false, NULL, NULL, &pol))
		return EXIT_REFUSED;
	puts("scope flush\nrelay flush\nexempt flush");
	if (request(SMTPRL_CMD_SCOPE_GET, true, NULL, NULL, &scope) ||
	    request(SMTPRL_CMD_RELAY_GET, true, NULL, NULL, &relay) ||
	    request(SMTPRL_CMD_EXEMPT_GET, true, NULL, NULL, &exempt))
		return EXIT_REFUSED;
	return EXIT_OK;
}

static int help_main(int argc, char **argv);

static int version_main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	printf("smtprlctl %s, kernel family \"%s\" id %d\n", SMTPRL_TOOL_VERSION,
	       SMTPRL_FAMILY_NAME, family_id);
	return EXIT_OK;
}

static const struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *help;
} commands[] = {
	{ "policy",  policy_main,  "show | set [rate N/UNIT] [burst N] [daily N|off] [ports P,..] [action drop|reject|monitor] [when-full accept|drop] [v4-prefix L] [v6-prefix L] [max-sources N] [hooks prerouting[,output]] [enabled yes|no]" },
	{ "scope",   scope_main,   "add|del PREFIX | add|del dev IFNAME | list | flush" },
	{ "relay",   relay_main,   "add|del PREFIX | list | flush" },
	{ "exempt",  exempt_main,  "add|replace ADDR[/LEN] [rate N/UNIT [burst N] [daily N]] [expires DURATION] [comment TEXT] | del|show ADDR[/LEN] | list | flush" },
	{ "source",  source_main,  "list [top N] [sort limited|allowed|last] | show ADDR | reset ADDR | quarantine ADDR [for DURATION] | release ADDR | flush" },
	{ "monitor", monitor_main, "(events as they happen: limited, quarantined, released, exempt-expired, table-full)" },
	{ "stats",   stats_main,   "" },
	{ "save",    save_main,    "(prints a batch file that -b restores)" },
	{ "version", version_main, "" },
	{ "help",    help_main,    "" },
};

#define N_COMMANDS (sizeof(commands) / sizeof(commands[0]))

static void usage(FILE *f)
{
	size_t i;

	fprintf(f, "Usage: %s [-j [-p]] [-n NETNS] COMMAND ...\n"
		   "       %s [-n NETNS] -b FILE|-\n\n", prog, prog);
	for (i = 0; i < N_COMMANDS; i++)
		fprintf(f, "  %s %s\n", commands[i].name, commands[i].help);
}

static int help_main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	usage(stdout);
	return EXIT_OK;
}

static const struct command *find_command(const char *name)
{
	size_t i;

	for (i = 0; i < N_COMMANDS; i++)
		if (!strcmp(name, commands[i].name))
			return &commands[i];
	return NULL;
}

/*
 * Split @line into words in place: blanks separate, "..." may hold blanks
 * and \" or \\, '...' is literal. Returns the word count, -1 if unbalanced.
 */
static int tokenize(char *line, char **argv, int max)
{
	char *in = line, *out;
	int n = 0;

	for (;;) {
		while (*in == ' ' || *in == '\t' || *in == '\n' || *in == '\r')
			in++;
		if (!*in || *in == '#')
			return n;
		if (n == max)
			return -1;
		argv[n++] = out = in;
		while (*in && *in != ' ' && *in != '\t' && *in != '\n' && *in != '\r') {
			if (*in == '"' || *in == '\'') {
				char q = *in++;

				while (*in && *in != q) {
					if (q == '"' && *in == '\\' && in[1])
						in++;
					*out++ = *in++;
				}
				if (*in != q)
					return -1;
				in++;
			} else {
				*out++ = *in++;
			}
		}
		if (*in)
			in++;
		*out = '\0';
	}
}

/* Run every line of @text (@len bytes of NUL-terminated lines) once. */
static int batch_pass(char *text, size_t len)
{
	char *line, *argv[64], *copy;
	const struct command *c;
	int argc, ret = EXIT_OK;

	pipe_q.lineno = 0;
	for (line = text; line < text + len; line += strlen(line) + 1) {
		pipe_q.lineno++;
		copy = strdup(line);	/* tokenize() works in place */
		if (!copy)
			return EXIT_REFUSED;
		argc = tokenize(copy, argv, 63);
		if (argc < 0) {
			report(pipe_q.lineno, "unbalanced quotes or too many words");
			ret = EXIT_USAGE;
		} else if (argc) {
			argv[argc] = NULL;
			c = find_command(argv[0]);
			optind = 1;
			if (!c) {
				fprintf(stderr, "%s: %s:%d: unknown command \"%s\"\n", prog,
					pipe_q.file, pipe_q.lineno, argv[0]);
				ret = EXIT_USAGE;
			} else {
				switch (c->fn(argc, argv)) {
				case EXIT_USAGE:
					fprintf(stderr, "%s: %s:%d: in this line\n", prog,
						pipe_q.file, pipe_q.lineno);
					ret = EXIT_USAGE;
					break;
				case EXIT_REFUSED:	/* reported by error_cb */
					pipe_q.failed++;
					break;
				}
			}
		}
		free(copy);
		if (ret == EXIT_USAGE)
			break;
	}
	return ret;
}

/*
 * -b FILE: the whole file is checked first (nothing is sent if any line
 * is malformed), then run over one socket, changes pipelined. Refusals
 * are reported per line; the exit status is 1 if there was any.
 */
static int batch(const char *file, bool json, bool pretty)
{
	FILE *f = strcmp(file, "-") ? fopen(file, "r") : stdin;
	char *text = NULL, buf[65536];
	size_t len = 0, i;
	int ret, out;
	FILE *mem;

	if (!f) {
		fprintf(stderr, "%s: %s: %s\n", prog, file, strerror(errno));
		return EXIT_USAGE;
	}
	/* Read it all (stdin cannot be read twice); lines become strings. */
	mem = open_memstream(&text, &len);
	if (!mem)
		return EXIT_REFUSED;
	for (size_t got; (got = fread(buf, 1, sizeof(buf), f));)
		fwrite(buf, 1, got, mem);
	fclose(mem);
	if (f != stdin)
		fclose(f);
	for (i = 0; i < len; i++)
		if (text[i] == '\n')
			text[i] = '\0';

	pipe_q.on = true;
	pipe_q.file = strcmp(file, "-") ? file : "<stdin>";
	pipe_window();
	/* Pass 1: parse only; what commands would print goes nowhere. */
	pipe_q.dry = true;
	fflush(stdout);
	out = dup(STDOUT_FILENO);
	ret = out < 0 ? EXIT_REFUSED : EXIT_OK;
	if (!ret && !freopen("/dev/null", "w", stdout))
		ret = EXIT_REFUSED;
	if (!ret)
		ret = batch_pass(text, len);
	fflush(stdout);
	if (out >= 0) {
		dup2(out, STDOUT_FILENO);
		close(out);
	}
	/* Pass 2: for real. */
	if (!ret) {
		pipe_q.dry = false;
		out_init(json, pretty);
		ret = batch_pass(text, len);
		pipe_flush();
		if (!ret && pipe_q.failed)
			ret = EXIT_REFUSED;
	}
	free(text);
	return ret;
}

int main(int argc, char **argv)
{
	const char *netns = NULL, *batch_file = NULL;
	bool json = false, pretty = false;
	size_t i;
	int opt, ret;

	while ((opt = getopt(argc, argv, "+jpn:b:hV")) != -1) {
		switch (opt) {
		case 'b': batch_file = optarg; break;
		case 'j': json = true; break;
		case 'p': pretty = true; break;
		case 'n': netns = optarg; break;
		case 'V': printf("smtprlctl %s\n", SMTPRL_TOOL_VERSION); return EXIT_OK;
		case 'h': usage(stdout); return EXIT_OK;
		default: usage(stderr); return EXIT_USAGE;
		}
	}
	argc -= optind;
	argv += optind;
	/* Dumps can be large; write them in big blocks (a tty stays line-buffered). */
	if (!isatty(STDOUT_FILENO))
		setvbuf(stdout, NULL, _IOFBF, 64 << 10);
	if (batch_file) {
		if (argc)
			return usage_error("-b takes no command on the command line (got \"%s\")",
					   argv[0]);
		out_init(json, pretty);
		ret = nl_open(netns);
		if (!ret)
			ret = batch(batch_file, json, pretty);
		if (sk)
			nl_socket_free(sk);
		return ret;
	}
	if (argc < 1) {
		usage(stderr);
		return EXIT_USAGE;
	}
	out_init(json, pretty);
	for (i = 0; i < N_COMMANDS; i++) {
		if (strcmp(argv[0], commands[i].name))
			continue;
		if (commands[i].fn == help_main)
			return help_main(argc, argv);
		ret = nl_open(netns);
		if (ret)
			return ret;
		ret = commands[i].fn(argc, argv);
		nl_socket_free(sk);
		return ret;
	}
	fprintf(stderr, "%s: unknown command \"%s\"\n", prog, argv[0]);
	usage(stderr);
	return EXIT_USAGE;
}
