/* Author tool, built by scripts/interop-nghttp3.js: nghttp3's QPACK encoder and decoder (RFC 9204) behind a line
 * protocol on stdin/stdout, so the course's QPACK reference can be tested against them in both directions.
 * Every byte string is hex. Commands (one line each; header lists follow as `name-hex value-hex` lines):
 *   INIT <maxTableCapacity> <maxBlockedStreams>   both sides announce these settings
 *   ENCODE <stream> <n>  + n field lines  ->  SECTION <section-hex|-> <encoder-stream-hex|->
 *   ACK <decoder-stream-hex>              nghttp3's encoder reads our decoder stream  ->  OK | ERR <code>
 *   ENC <encoder-stream-hex>              nghttp3's decoder reads our encoder stream  ->  UNBLOCKED lines, then OK
 *   SEC <stream> <section-hex>            nghttp3's decoder reads a field section  ->  HEADERS <stream> <n> + lines | BLOCKED | ERR
 *   DEC                                   nghttp3's decoder stream so far  ->  DECODER <hex|->
 */
#include <nghttp3/nghttp3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_STREAMS 4096
static nghttp3_qpack_encoder *enc;
static nghttp3_qpack_decoder *dec;
static const nghttp3_mem *mem;
static struct pending { int64_t id; nghttp3_qpack_stream_context *ctx; uint8_t *data; size_t len, at; } blocked[MAX_STREAMS];
static size_t nblocked;

static size_t unhex(const char *s, uint8_t *out) {
  size_t n = 0;
  if (strcmp(s, "-") == 0) return 0;
  for (; s[0] && s[1]; s += 2) { unsigned v; sscanf(s, "%2x", &v); out[n++] = (uint8_t)v; }
  return n;
}
static void puthex(const uint8_t *p, size_t n) {
  if (!n) { fputc('-', stdout); return; }
  for (size_t i = 0; i < n; i++) printf("%02x", p[i]);
}

/* Decodes what it can of one stream's section; 1 done, 0 blocked, -1 error (printed). */
static int run(struct pending *p, int emitAsUnblocked) {
  nghttp3_qpack_nv nv; uint8_t flags;
  char *lines = NULL; size_t cap = 0; int count = 0;
  FILE *mf = open_memstream(&lines, &cap);
  for (;;) {
    nghttp3_ssize r = nghttp3_qpack_decoder_read_request(dec, p->ctx, &nv, &flags, p->data + p->at, p->len - p->at, 1);
    if (r < 0) { fclose(mf); free(lines); printf("ERR %s\n", nghttp3_strerror((int)r)); return -1; }
    p->at += (size_t)r;
    if (flags & NGHTTP3_QPACK_DECODE_FLAG_EMIT) {
      nghttp3_vec n = nghttp3_rcbuf_get_buf(nv.name), v = nghttp3_rcbuf_get_buf(nv.value);
      for (size_t i = 0; i < n.len; i++) fprintf(mf, "%02x", n.base[i]);
      fputc(' ', mf);
      if (!v.len) fputc('-', mf);
      for (size_t i = 0; i < v.len; i++) fprintf(mf, "%02x", v.base[i]);
      fputc('\n', mf);
      count++;
      nghttp3_rcbuf_decref(nv.name); nghttp3_rcbuf_decref(nv.value);
    }
    if (flags & NGHTTP3_QPACK_DECODE_FLAG_FINAL) break;
    if (flags & NGHTTP3_QPACK_DECODE_FLAG_BLOCKED) { fclose(mf); free(lines); return 0; }
    if (r == 0 && !(flags & NGHTTP3_QPACK_DECODE_FLAG_EMIT)) break;
  }
  fclose(mf);
  printf("%s %lld %d\n%s", emitAsUnblocked ? "UNBLOCKED" : "HEADERS", (long long)p->id, count, lines ? lines : "");
  free(lines);
  return 1;
}

int main(void) {
  static char line[1 << 20];
  static uint8_t buf[1 << 19];
  mem = nghttp3_mem_default();
  setvbuf(stdout, NULL, _IOFBF, 1 << 16);
  while (fgets(line, sizeof line, stdin)) {
    line[strcspn(line, "\n")] = 0;
    char *cmd = strtok(line, " ");
    if (!cmd) continue;
    if (!strcmp(cmd, "INIT")) {
      size_t capacity = strtoul(strtok(NULL, " "), NULL, 10), blockedLimit = strtoul(strtok(NULL, " "), NULL, 10);
      nghttp3_qpack_encoder_new(&enc, capacity, mem);
      nghttp3_qpack_encoder_set_max_dtable_capacity(enc, capacity);
      nghttp3_qpack_encoder_set_max_blocked_streams(enc, blockedLimit);
      nghttp3_qpack_decoder_new(&dec, capacity, blockedLimit, mem);
      printf("OK\n");
    } else if (!strcmp(cmd, "ENCODE")) {
      int64_t id = strtoll(strtok(NULL, " "), NULL, 10);
      int n = atoi(strtok(NULL, " "));
      nghttp3_nv *nva = calloc((size_t)n + 1, sizeof *nva);
      for (int i = 0; i < n; i++) {
        char *l = malloc(1 << 16);
        if (!fgets(l, 1 << 16, stdin)) return 1;
        l[strcspn(l, "\n")] = 0;
        char *name = strtok(l, " "), *value = strtok(NULL, " ");
        uint8_t *nb = malloc(strlen(name) / 2 + 1), *vb = malloc(strlen(value) / 2 + 1);
        nva[i].namelen = unhex(name, nb); nva[i].valuelen = unhex(value, vb);
        nva[i].name = nb; nva[i].value = vb; nva[i].flags = NGHTTP3_NV_FLAG_NONE;
        free(l);
      }
      nghttp3_buf pbuf, rbuf, ebuf;
      nghttp3_buf_init(&pbuf); nghttp3_buf_init(&rbuf); nghttp3_buf_init(&ebuf);
      int rv = nghttp3_qpack_encoder_encode(enc, &pbuf, &rbuf, &ebuf, id, nva, (size_t)n);
      if (rv) { printf("ERR %s\n", nghttp3_strerror(rv)); }
      else {
        printf("SECTION ");
        size_t pl = nghttp3_buf_len(&pbuf), rl = nghttp3_buf_len(&rbuf);
        uint8_t *s = malloc(pl + rl + 1);
        memcpy(s, pbuf.pos, pl); memcpy(s + pl, rbuf.pos, rl);
        puthex(s, pl + rl); fputc(' ', stdout); puthex(ebuf.pos, nghttp3_buf_len(&ebuf)); fputc('\n', stdout);
        free(s);
      }
      nghttp3_buf_free(&pbuf, mem); nghttp3_buf_free(&rbuf, mem); nghttp3_buf_free(&ebuf, mem);
      for (int i = 0; i < n; i++) { free(nva[i].name); free(nva[i].value); }
      free(nva);
    } else if (!strcmp(cmd, "ACK")) {
      size_t n = unhex(strtok(NULL, " "), buf);
      nghttp3_ssize r = nghttp3_qpack_encoder_read_decoder(enc, buf, n);
      if (r < 0) printf("ERR %s\n", nghttp3_strerror((int)r)); else printf("OK\n");
    } else if (!strcmp(cmd, "ENC")) {
      size_t n = unhex(strtok(NULL, " "), buf);
      nghttp3_ssize r = nghttp3_qpack_decoder_read_encoder(dec, buf, n);
      if (r < 0) { printf("ERR %s\n", nghttp3_strerror((int)r)); fflush(stdout); continue; }
      for (size_t i = 0; i < nblocked;) {
        int done = run(&blocked[i], 1);
        if (done != 0) { nghttp3_qpack_stream_context_del(blocked[i].ctx); free(blocked[i].data); blocked[i] = blocked[--nblocked]; }
        else i++;
      }
      printf("OK\n");
    } else if (!strcmp(cmd, "SEC")) {
      struct pending p;
      p.id = strtoll(strtok(NULL, " "), NULL, 10);
      char *h = strtok(NULL, " ");
      p.data = malloc(strlen(h) / 2 + 1); p.len = unhex(h, p.data); p.at = 0;
      nghttp3_qpack_stream_context_new(&p.ctx, p.id, mem);
      int done = run(&p, 0);
      if (done == 0) { blocked[nblocked++] = p; printf("BLOCKED\n"); }
      else { nghttp3_qpack_stream_context_del(p.ctx); free(p.data); }
    } else if (!strcmp(cmd, "DEC")) {
      nghttp3_buf d; nghttp3_buf_init(&d);
      size_t need = nghttp3_qpack_decoder_get_decoder_streamlen(dec);
      uint8_t *space = malloc(need + 1);
      d.begin = d.pos = d.last = space; d.end = space + need;
      nghttp3_qpack_decoder_write_decoder(dec, &d);
      printf("DECODER "); puthex(d.pos, nghttp3_buf_len(&d)); fputc('\n', stdout);
      free(space);
    }
    fflush(stdout);
  }
  return 0;
}
