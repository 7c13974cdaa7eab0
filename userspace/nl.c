// SPDX-License-Identifier: GPL-2.0
/*
 * smtprlctl's netlink transport: one generic-netlink socket, requests and
 * their answers, dumps asked again when a resize broke them, and the
 * pipeline that batch files (-b) send their changes through.
 */

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include <linux/netlink.h>
#include <netlink/genl/ctrl.h>

#include "smtprlctl.h"

static struct nl_sock *sk;
static int family_id;

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

void report(int lineno, const char *text)
{
	if (pipe_q.on)
		fprintf(stderr, "%s: %s:%d: %s\n", prog, pipe_q.file, lineno, text);
	else
		fprintf(stderr, "%s: %s\n", prog, text);
}
/* One request in flight: what its callbacks share. */
struct request {
	struct reply *r;
	unsigned int seq;	/* answers to anything else are stale */
	int ret;		/* > 0 until the ack, the end of the dump or an error */
	bool quiet_busy;	/* a dump to be asked again: EBUSY needs no message */
	bool intr;		/* the kernel flagged the dump NLM_F_DUMP_INTR */
};

/* A refusal the caller expects and explains itself (0: none). */
static int quiet_err;

void request_quiet(int err)
{
	quiet_err = err;
}

static int error_cb(struct sockaddr_nl *nla, struct nlmsgerr *err, void *arg)
{
	struct request *q = arg;

	(void)nla;
	q->ret = err->error;
	if (!(q->quiet_busy && err->error == -EBUSY) &&
	    !(quiet_err && err->error == quiet_err))
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
	struct request *q = arg;
	const char *msg = NULL;

	if ((int)nlh->nlmsg_len >= len)
		memcpy(&err, nlmsg_data(nlh), sizeof(err));
	q->ret = err < 0 ? err : 0;
	if (err >= 0 || (q->quiet_busy && err == -EBUSY))
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
	((struct request *)arg)->ret = 0;
	return NL_STOP;
}

/* A reply: parsed, then handed over with its message (for repeated attributes). */
static int valid_cb(struct nl_msg *m, void *arg)
{
	struct reply *r = ((struct request *)arg)->r;
	struct nlattr *tb[64] = { 0 };

	if (r->maxattr >= 64 || genlmsg_parse(nlmsg_hdr(m), 0, tb, r->maxattr, NULL))
		return NL_SKIP;
	if (r->parse)
		r->parse(nlmsg_hdr(m), tb, r->arg);
	return NL_OK;
}

int ctl_open(const char *netns)
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

void ctl_close(void)
{
	if (sk)
		nl_socket_free(sk);
	sk = NULL;
}

struct nl_sock *ctl_sock(void)
{
	return sk;
}

int ctl_family(void)
{
	return family_id;
}

static int pipe_flush(void);

/* Answers to anything but the request in flight are stale: skip them. */
static int seq_cb(struct nl_msg *m, void *arg)
{
	return nlmsg_hdr(m)->nlmsg_seq == ((struct request *)arg)->seq ? NL_OK : NL_SKIP;
}

static int pipe_add(uint8_t cmd, fill_fn fill, void *farg)
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
	((struct request *)arg)->intr = true;
	return NL_OK;
}

/*
 * Send @cmd with the attributes @fill puts in, wait for the ack (do) or
 * the end of the dump; @q->r parses every reply. Returns 0, or the
 * kernel's error (whose text error_cb() printed) or -EIO.
 */
static int request_once(uint8_t cmd, bool dump, fill_fn fill, void *farg,
			struct request *q)
{
	struct nl_msg *m;
	struct nl_cb *cb;

	m = nlmsg_alloc();
	cb = nl_cb_alloc(NL_CB_DEFAULT);
	if (!m || !cb)
		return -ENOMEM;
	q->ret = 1;
	q->seq = nl_socket_use_seq(sk);
	genlmsg_put(m, NL_AUTO_PORT, q->seq, family_id, 0,
		    dump ? NLM_F_DUMP : NLM_F_ACK, cmd, SMTPRL_FAMILY_VERSION);
	if (fill)
		fill(m, farg);
	nl_cb_set(cb, NL_CB_SEQ_CHECK, NL_CB_CUSTOM, seq_cb, q);
	nl_cb_err(cb, NL_CB_CUSTOM, error_cb, q);
	nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, finish_cb, q);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, ack_cb, q);
	nl_cb_set(cb, NL_CB_DUMP_INTR, NL_CB_CUSTOM, dump_intr_cb, q);
	if (q->r)
		nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, valid_cb, q);
	if (nl_send_auto(sk, m) < 0) {
		q->ret = -EIO;
	} else {
		while (q->ret > 0)
			if (nl_recvmsgs(sk, cb) < 0 && q->ret > 0)
				q->ret = -EIO;
	}
	nlmsg_free(m);
	nl_cb_put(cb);
	return q->ret;
}

/*
 * A dump the kernel flags as interrupted, or refuses with EBUSY, met a
 * resize of the table it walked: it may hold duplicates or miss entries.
 * Its output is held back and the dump asked again.
 */
#define DUMP_TRIES	10

/*
 * Where a dump's output goes until the dump is known whole.
 *
 * Standard output that is a regular file is written straight away, and a
 * dump that starts over truncates it back to where the dump began: no
 * second copy. Anything else (a pipe, a terminal) cannot take output back,
 * so the dump is held in a file in memory (memfd), written in large
 * blocks and copied out once. An open_memstream() buffer had the process
 * fault in a page per 4 KiB of output: 134 MB resident and 8.8 s for a
 * million sources under UML, where the same dump printing only its top 10
 * took 1.4 s.
 */
struct hold {
	FILE *real;		/* stdout while the dump is held elsewhere */
	off_t start;		/* or, writing a regular file, where it began */
};

static int hold_open(struct hold *h)
{
	int fd = fileno(stdout), flags = fcntl(fd, F_GETFL);
	struct stat st;
	FILE *f;

	h->real = NULL;
	h->start = 0;
	if (fflush(stdout))
		return -1;
	if (flags >= 0 && !fstat(fd, &st) && S_ISREG(st.st_mode)) {
		/* O_APPEND: the file's end is where this output begins */
		h->start = lseek(fd, 0, flags & O_APPEND ? SEEK_END : SEEK_CUR);
		if (h->start >= 0)
			return 0;
	}
	fd = memfd_create("smtprlctl-dump", MFD_CLOEXEC);
	if (fd < 0)
		f = tmpfile();
	else if (!(f = fdopen(fd, "w+")))
		close(fd);
	if (!f)
		return -1;
	setvbuf(f, NULL, _IOFBF, 1 << 20);
	h->real = stdout;
	stdout = f;		/* glibc: stdout is an ordinary variable */
	return 0;
}

/* Forget what the dump wrote, to write it again. */
static int hold_discard(struct hold *h)
{
	if (!h->real) {
		fflush(stdout);
		return ftruncate(fileno(stdout), h->start) ||
		       fseeko(stdout, h->start, SEEK_SET) ? -1 : 0;
	}
	fclose(stdout);
	stdout = h->real;
	return 0;
}

/* The dump is whole: copy what was held to stdout; -1 if any of it was lost. */
static int hold_release(struct hold *h)
{
	static char blk[1 << 16];
	FILE *f = stdout;
	int err;
	size_t n;

	if (!h->real)
		return ferror(stdout) || fflush(stdout) ? -1 : 0;
	stdout = h->real;
	err = ferror(f) || fflush(f) || fseek(f, 0, SEEK_SET);
	while (!err && (n = fread(blk, 1, sizeof(blk), f)) > 0)
		err = fwrite(blk, 1, n, stdout) != n;
	if (ferror(f) || fflush(stdout))
		err = 1;
	if (fclose(f))
		err = 1;
	return err ? -1 : 0;
}

static int request_dump(uint8_t cmd, struct reply *r)
{
	struct request q = { .r = r };
	unsigned int try;
	int ret;

	for (try = 1;; try++) {
		struct out_state st;
		struct hold h;

		if (hold_open(&h)) {
			perror(prog);
			return EXIT_REFUSED;
		}
		out_save(&st);
		q.quiet_busy = try < DUMP_TRIES;
		q.intr = false;
		ret = request_once(cmd, true, NULL, NULL, &q);
		if (!q.intr && ret != -EBUSY) {
			if (hold_release(&h)) {
				perror(prog);
				return EXIT_REFUSED;
			}
			return ret ? EXIT_REFUSED : EXIT_OK;
		}
		if (hold_discard(&h)) {
			perror(prog);
			return EXIT_REFUSED;
		}
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

int request(uint8_t cmd, bool dump, fill_fn fill, void *farg, struct reply *r)
{
	struct request q = { .r = r };

	if (pipe_q.on) {
		if (pipe_q.dry)
			return EXIT_OK;
		if (!dump && !r)
			return pipe_add(cmd, fill, farg);
		pipe_flush();
	}
	if (dump && !fill)
		return request_dump(cmd, r);
	return request_once(cmd, dump, fill, farg, &q) ? EXIT_REFUSED : EXIT_OK;
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

/* -b FILE: the pipeline is on from here until pipe_end(). */
void pipe_begin(const char *file)
{
	pipe_q.on = true;
	pipe_q.file = file;
	if (sk)		/* none with -c: the file is only checked */
		pipe_window();
}

/* The dry pass parses every line and sends nothing. */
void pipe_dry(bool dry)
{
	pipe_q.dry = dry;
}

/* In the parse-only pass: commands check their words and send nothing. */
bool pipe_is_dry(void)
{
	return pipe_q.on && pipe_q.dry;
}

/* The line whose command runs now, for its refusals. */
void pipe_line(int lineno)
{
	pipe_q.lineno = lineno;
}

/* A line was refused before it reached the pipeline (already reported). */
void pipe_refused(void)
{
	pipe_q.failed++;
}

/* Send what is queued; how many lines were refused in all. */
int pipe_end(void)
{
	pipe_flush();
	return pipe_q.failed;
}
