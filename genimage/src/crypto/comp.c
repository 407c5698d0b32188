// SPDX-License-Identifier: MIT
#include "crypto/comp.h"

#include <errno.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <string.h>
#include <unistd.h>

#include "base/fileio.h"
#include "base/ssl_util.h"
#include "base/util.h"

/*
 * A slot is filled by the caller's thread (read, pad, transform) and then
 * has up to three jobs pending: the hasher adds its stored bytes to the PLD,
 * the writer puts its output into the sink and the inspector shows the
 * plaintext to the component's check. Each worker takes slots in ring order,
 * so the PLD and the check see the bytes exactly in address order; the slot is
 * free again when all are done. Writing on its own thread matters: allocating
 * a gigabyte of page cache costs as much CPU as the encryption; checking on
 * its own thread matters more: inflating a compressed initrd costs several
 * times the SHA-512 of it.
 */
enum slot_job {
	JOB_HASH = 1,
	JOB_WRITE = 2,
	JOB_INSPECT = 4,
};

struct slot {
	uint8_t *in;		  /* bytes as read, padded */
	uint8_t *out;		  /* transformed bytes */
	const uint8_t *stored;	  /* what the PLD covers: in or out */
	const uint8_t *write_buf; /* what goes to the sink: in or out */
	size_t len;		  /* page multiple */
	int write_fd;
	uint8_t *write_mem; /* with write_fd -1: copy the output here */
	uint64_t write_offset;
	const char *write_name;
	const uint8_t *inspect_buf; /* plaintext without padding: in or out */
	size_t inspect_len;
	comp_inspect_fn inspect;
	void *inspect_opaque;
	unsigned int pending; /* enum slot_job bits; 0 = free */
};

struct worker {
	pthread_t thread;
	bool started;
	enum slot_job job;
	unsigned int next; /* ring index of the next slot to work on */
	struct comp_pipeline *p;
};

struct comp_pipeline {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool stopping;
	int worker_rc; /* first failure of a worker */
	char worker_msg[ERRINFO_MAX];

	struct slot slots[COMP_NR_SLOTS];
	unsigned int next_fill; /* caller side ring index */
	struct worker hasher, writer, inspector;

	EVP_MD_CTX *pld, *ald, *tld;
	EVP_CIPHER_CTX *xts;
	uint64_t nr_pages;
	uint64_t last_addr_end;
	uint64_t bytes_done;
	comp_progress_fn progress;
	void *progress_opaque;
};

/* Called without the lock held: do one job on one slot. */
static int run_job(struct comp_pipeline *p, enum slot_job job, struct slot *s, char *msg,
		   size_t msg_len)
{
	struct errinfo inspect_err = { .msg = "" };
	int rc;

	if (job == JOB_HASH) {
		if (EVP_DigestUpdate(p->pld, s->stored, s->len))
			return 0;
		snprintf(msg, msg_len, "SHA-512 failed");
		return -EIO;
	}
	if (job == JOB_INSPECT) {
		if (!s->inspect)
			return 0;
		rc = s->inspect(s->inspect_opaque, s->inspect_buf, s->inspect_len, &inspect_err);
		if (rc)
			snprintf(msg, msg_len, "%s", inspect_err.msg);
		return rc;
	}
	if (s->write_fd < 0) {
		if (s->write_mem)
			memcpy(s->write_mem, s->write_buf, s->len);
		return 0;
	}
	rc = fd_pwrite_full(s->write_fd, s->write_buf, s->len, s->write_offset);
	if (rc)
		snprintf(msg, msg_len, "%s: write failed: %s", s->write_name, strerror(-rc));
	return rc;
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct comp_pipeline *p = w->p;
	char msg[ERRINFO_MAX];

	pthread_mutex_lock(&p->lock);
	for (;;) {
		struct slot *s = &p->slots[w->next];
		int rc = 0;

		while (!(s->pending & w->job) && !p->stopping)
			pthread_cond_wait(&p->cond, &p->lock);
		if (!(s->pending & w->job))
			break;
		/* After a failure the slots only need releasing. */
		if (!p->worker_rc) {
			pthread_mutex_unlock(&p->lock);
			rc = run_job(p, w->job, s, msg, sizeof(msg));
			pthread_mutex_lock(&p->lock);
		}
		if (rc && !p->worker_rc) {
			p->worker_rc = rc;
			memcpy(p->worker_msg, msg, sizeof(msg));
		}
		s->pending &= ~(unsigned int)w->job;
		w->next = (w->next + 1) % COMP_NR_SLOTS;
		pthread_cond_broadcast(&p->cond);
	}
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

static int start_worker(struct comp_pipeline *p, struct worker *w, enum slot_job job)
{
	w->p = p;
	w->job = job;
	if (pthread_create(&w->thread, NULL, worker_main, w))
		return -EAGAIN;
	w->started = true;
	return 0;
}

int comp_pipeline_new(struct comp_pipeline **ret_pipeline)
{
	struct comp_pipeline *p = calloc(1, sizeof(*p));
	int rc = -ENOMEM;

	if (!p)
		return -ENOMEM;
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->cond, NULL);
	for (unsigned int i = 0; i < COMP_NR_SLOTS; i++) {
		p->slots[i].in = aligned_alloc(SE_PAGE_SIZE, COMP_CHUNK_SIZE);
		p->slots[i].out = aligned_alloc(SE_PAGE_SIZE, COMP_CHUNK_SIZE);
		if (!p->slots[i].in || !p->slots[i].out)
			goto fail;
	}
	p->pld = EVP_MD_CTX_new();
	p->ald = EVP_MD_CTX_new();
	p->tld = EVP_MD_CTX_new();
	p->xts = EVP_CIPHER_CTX_new();
	if (!p->pld || !p->ald || !p->tld || !p->xts)
		goto fail;
	rc = -EIO;
	if (!EVP_DigestInit_ex(p->pld, EVP_sha512(), NULL) ||
	    !EVP_DigestInit_ex(p->ald, EVP_sha512(), NULL) ||
	    !EVP_DigestInit_ex(p->tld, EVP_sha512(), NULL))
		goto fail;
	rc = start_worker(p, &p->hasher, JOB_HASH);
	rc = rc ?: start_worker(p, &p->writer, JOB_WRITE);
	rc = rc ?: start_worker(p, &p->inspector, JOB_INSPECT);
	if (rc)
		goto fail;
	*ret_pipeline = p;
	return 0;
fail:
	comp_pipeline_free(p);
	return rc;
}

void comp_pipeline_set_progress(struct comp_pipeline *p, comp_progress_fn fn, void *opaque)
{
	p->progress = fn;
	p->progress_opaque = opaque;
}

/* Workers finish every pending job before they honour the stop request. */
static void stop_workers(struct comp_pipeline *p)
{
	struct worker *workers[] = { &p->hasher, &p->writer, &p->inspector };

	pthread_mutex_lock(&p->lock);
	p->stopping = true;
	pthread_cond_broadcast(&p->cond);
	pthread_mutex_unlock(&p->lock);
	for (size_t i = 0; i < ARRAY_SIZE(workers); i++) {
		if (workers[i]->started)
			pthread_join(workers[i]->thread, NULL);
		workers[i]->started = false;
	}
}

void comp_pipeline_free(struct comp_pipeline *p)
{
	if (!p)
		return;
	stop_workers(p);
	for (unsigned int i = 0; i < COMP_NR_SLOTS; i++) {
		/* Slots held plaintext kernels, initrds and command lines. */
		if (p->slots[i].in)
			OPENSSL_cleanse(p->slots[i].in, COMP_CHUNK_SIZE);
		if (p->slots[i].out)
			OPENSSL_cleanse(p->slots[i].out, COMP_CHUNK_SIZE);
		free(p->slots[i].in);
		free(p->slots[i].out);
	}
	EVP_MD_CTX_free(p->pld);
	EVP_MD_CTX_free(p->ald);
	EVP_MD_CTX_free(p->tld);
	EVP_CIPHER_CTX_free(p->xts);
	pthread_cond_destroy(&p->cond);
	pthread_mutex_destroy(&p->lock);
	free(p);
}

void comp_page_tweak(uint64_t tweak_prefix, uint64_t index, uint8_t tweak[16])
{
	put_be64(tweak, tweak_prefix);
	put_be64(tweak + 8, index * SE_PAGE_SIZE);
}

/*
 * Wait until @nr slots from @first on have none of the @jobs pending (or a
 * worker failed: its error is returned, with its message in @err).
 */
static int wait_slots_done(struct comp_pipeline *p, unsigned int first, unsigned int nr,
			   unsigned int jobs, struct errinfo *err)
{
	int rc;

	pthread_mutex_lock(&p->lock);
	for (unsigned int i = first; i < first + nr; i++)
		while ((p->slots[i].pending & jobs) && !p->worker_rc)
			pthread_cond_wait(&p->cond, &p->lock);
	rc = p->worker_rc;
	if (rc)
		err_set(err, rc, "%s", p->worker_msg);
	pthread_mutex_unlock(&p->lock);
	return rc;
}

/*
 * Wait until the next slot in ring order is free again and hand it out;
 * returns a worker's failure instead, with its message in @err.
 */
static int claim_slot(struct comp_pipeline *p, struct slot **ret_slot, struct errinfo *err)
{
	*ret_slot = &p->slots[p->next_fill];
	return wait_slots_done(p, p->next_fill, 1, JOB_HASH | JOB_WRITE | JOB_INSPECT, err);
}

static void post_slot(struct comp_pipeline *p, struct slot *s, unsigned int jobs)
{
	pthread_mutex_lock(&p->lock);
	s->pending = jobs;
	p->next_fill = (p->next_fill + 1) % COMP_NR_SLOTS;
	pthread_cond_broadcast(&p->cond);
	pthread_mutex_unlock(&p->lock);
}

static int fill_slot(const struct comp_source *src, uint64_t pos, struct slot *s, size_t data_len,
		     struct errinfo *err)
{
	int rc;

	if (src->fd >= 0) {
		rc = fd_pread_full(src->fd, s->in, data_len, src->offset + pos);
		if (rc == -EIO)
			return err_set(err, rc, "%s: file shrank while being read", src->name);
		if (rc)
			return err_set(err, rc, "%s: %s", src->name, strerror(-rc));
	} else if (data_len) {
		memcpy(s->in, src->buf + pos, data_len);
	}
	memset(s->in + data_len, 0, s->len - data_len);
	return 0;
}

/* Transform the pages of one slot and add their addresses and tweaks to ALD/TLD. */
static int transform_slot(struct comp_pipeline *p, const struct comp_spec *spec, struct slot *s,
			  uint64_t first_page)
{
	const bool xts = spec->transform == COMP_ENCRYPT || spec->transform == COMP_DECRYPT;
	int outl;

	for (size_t off = 0; off < s->len; off += SE_PAGE_SIZE) {
		uint64_t index = first_page + off / SE_PAGE_SIZE;
		uint8_t tweak[16], addr[8];

		comp_page_tweak(spec->tweak_prefix, index, tweak);
		put_be64(addr, spec->addr + index * SE_PAGE_SIZE);
		if (!EVP_DigestUpdate(p->ald, addr, sizeof(addr)) ||
		    !EVP_DigestUpdate(p->tld, tweak, sizeof(tweak)))
			return -EIO;
		if (!xts)
			continue;
		if (!EVP_CipherInit_ex2(p->xts, NULL, NULL, tweak, -1, NULL) ||
		    !EVP_CipherUpdate(p->xts, s->out + off, &outl, s->in + off, SE_PAGE_SIZE))
			return -EIO;
	}
	p->nr_pages += s->len / SE_PAGE_SIZE;
	return 0;
}

int comp_pipeline_run(struct comp_pipeline *p, const struct comp_spec *spec,
		      const struct comp_source *src, const struct comp_sink *sink,
		      struct errinfo *err)
{
	const bool xts = spec->transform == COMP_ENCRYPT || spec->transform == COMP_DECRYPT;
	const bool in_is_plain = spec->transform != COMP_DECRYPT;
	uint64_t total_pages = comp_nr_pages(src->size);
	uint64_t pos = 0, page = 0;
	int rc;

	if (!IS_ALIGNED(spec->addr, SE_PAGE_SIZE) || spec->addr < p->last_addr_end)
		return err_set(err, -EINVAL, "%s: component address 0x%llx out of order", src->name,
			       (unsigned long long)spec->addr);
	if (xts && !EVP_CipherInit_ex2(p->xts, EVP_aes_256_xts(), spec->xts_key, NULL,
				       spec->transform == COMP_ENCRYPT, NULL))
		return err_set_ssl(err, -EIO, "%s: cannot set up AES-256-XTS", src->name);

	while (page < total_pages) {
		uint64_t pages = MIN(total_pages - page,
				     (uint64_t)(COMP_CHUNK_SIZE / SE_PAGE_SIZE));
		size_t data_len = (size_t)MIN(src->size - pos, pages * SE_PAGE_SIZE);
		struct slot *s;

		rc = claim_slot(p, &s, err);
		if (rc)
			return rc;
		s->len = (size_t)(pages * SE_PAGE_SIZE);
		rc = fill_slot(src, pos, s, data_len, err);
		if (rc)
			return rc;
		rc = transform_slot(p, spec, s, page);
		if (rc)
			return err_set_ssl(err, rc, "%s: encryption or digest failed", src->name);
		s->inspect = spec->inspect;
		s->inspect_opaque = spec->inspect_opaque;
		s->inspect_buf = xts && !in_is_plain ? s->out : s->in;
		s->inspect_len = data_len;
		s->stored = spec->transform == COMP_ENCRYPT ? s->out : s->in;
		s->write_buf = xts ? s->out : s->in;
		s->write_fd = sink->fd;
		s->write_mem = sink->buf ? sink->buf + page * SE_PAGE_SIZE : NULL;
		s->write_offset = sink->offset + page * SE_PAGE_SIZE;
		s->write_name = sink->name;
		/* Every worker visits every slot, so each keeps to the ring order. */
		post_slot(p, s, JOB_HASH | JOB_WRITE | JOB_INSPECT);
		pos += data_len;
		page += pages;
		p->bytes_done += data_len;
		if (p->progress)
			p->progress(p->progress_opaque, p->bytes_done);
	}
	p->last_addr_end = spec->addr + total_pages * SE_PAGE_SIZE;
	/* The check has seen the whole component when this returns. */
	if (spec->inspect)
		return wait_slots_done(p, 0, COMP_NR_SLOTS, JOB_INSPECT, err);
	return 0;
}

int comp_pipeline_drain(struct comp_pipeline *p, struct errinfo *err)
{
	return wait_slots_done(p, 0, COMP_NR_SLOTS, JOB_HASH | JOB_WRITE | JOB_INSPECT, err);
}

int comp_pipeline_finish(struct comp_pipeline *p, uint8_t pld[SE_DIGEST_LEN],
			 uint8_t ald[SE_DIGEST_LEN], uint8_t tld[SE_DIGEST_LEN],
			 uint64_t *ret_nr_pages, struct errinfo *err)
{
	unsigned int len;

	stop_workers(p);
	if (p->worker_rc)
		return err_set(err, p->worker_rc, "%s", p->worker_msg);
	if (!p->nr_pages)
		return err_set(err, -EINVAL, "no component was streamed");
	if (!EVP_DigestFinal_ex(p->pld, pld, &len) || !EVP_DigestFinal_ex(p->ald, ald, &len) ||
	    !EVP_DigestFinal_ex(p->tld, tld, &len))
		return err_set_ssl(err, -EIO, "SHA-512 failed");
	*ret_nr_pages = p->nr_pages;
	return 0;
}
