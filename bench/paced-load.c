// A paced GET/SET load for bench/rewrite.mjs (REWRITE_LOADER=c), for when a Node load generator's
// own event loop is too late to measure a p99 near 1 ms: on two cores, the bench's Node loader
// was itself 2-3 ms late at p99 while a server rewrote 10M keys.
//
//   paced-load PORT CONNECTIONS RATE SECONDS KEYS
//
// CONNECTIONS connections on 127.0.0.1:PORT, one request in flight each, RATE requests/s in all,
// alternating GET and SET on random keys key:0 .. key:KEYS-1. It stops after SECONDS or on
// SIGINT/SIGTERM and prints one JSON line: count and p50/p99/p999/max latency in ms, and
// lateSends, how many requests this program itself sent over 1 ms after they were due.
// Latency follows rewrite.mjs's rule: a request still waiting on the previous reply when it was due
// counts from when it was due (the server delayed it); one this program sent late counts from
// its send (the delay was ours, not the server's), and the schedule moves with it.
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

typedef struct {
  int fd;
  int busy;
  double due;     /* when the next request is due */
  double started; /* what its latency counts from */
  double replied; /* when the last reply completed */
  unsigned sent;
  char buffer[4096];
  int length;
} Connection;

static volatile sig_atomic_t stopping = 0;
static void onSignal(int signal_) {
  (void)signal_;
  stopping = 1;
}

static double nowMs(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static int byValue(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

/* Length of the complete reply at the start of buffer, or -1. Only +OK, -ERR and bulk strings come back. */
static int replyLength(const char *buffer, int length) {
  const char *lineEnd = memmem(buffer, length, "\r\n", 2);
  if (lineEnd == NULL) return -1;
  int header = (int)(lineEnd - buffer) + 2;
  if (buffer[0] != '$') return header;
  int bulk = atoi(buffer + 1);
  if (bulk < 0) return header;
  return length >= header + bulk + 2 ? header + bulk + 2 : -1;
}

int main(int argc, char **argv) {
  if (argc != 6) {
    fprintf(stderr, "usage: paced-load PORT CONNECTIONS RATE SECONDS KEYS\n");
    return 2;
  }
  int port = atoi(argv[1]), count = atoi(argv[2]);
  double rate = atof(argv[3]), seconds = atof(argv[4]);
  long keys = atol(argv[5]);
  double interval = 1000.0 * count / rate;
  /* Grown as replies come: SECONDS may be a day (rewrite.mjs stops it with SIGINT). */
  size_t capacity = 1 << 16;
  double *samples = malloc(capacity * sizeof(double));
  size_t taken = 0;
  long lateSends = 0;
  Connection *connections = calloc(count, sizeof(Connection));
  int poller = epoll_create1(0);
  if (samples == NULL || connections == NULL || poller < 0) return 1;

  double start = nowMs();
  for (int i = 0; i < count; i++) {
    Connection *c = &connections[i];
    c->fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = htons(port), .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    if (connect(c->fd, (struct sockaddr *)&address, sizeof address) != 0) {
      perror("connect");
      return 1;
    }
    int on = 1;
    setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
    struct epoll_event event = {.events = EPOLLIN, .data.u32 = (unsigned)i};
    epoll_ctl(poller, EPOLL_CTL_ADD, c->fd, &event);
    /* Spread over one interval, so the paced load is not sent in bursts. */
    c->due = start + interval * i / count;
    c->sent = (unsigned)i;
  }
  signal(SIGINT, onSignal);
  signal(SIGTERM, onSignal);
  unsigned seed = 12345;
  double end = start + seconds * 1000;

  while (!stopping) {
    double now = nowMs();
    if (now > end) break;
    double next = end;
    for (int i = 0; i < count; i++) {
      Connection *c = &connections[i];
      if (c->busy) continue;
      if (c->due > now) {
        if (c->due < next) next = c->due;
        continue;
      }
      if (c->replied > c->due) {
        c->started = c->due;
      } else {
        c->started = nowMs();
        if (c->started - c->due > 1) lateSends++;
        c->due = c->started;
      }
      char key[32], request[128];
      int keyLength = snprintf(key, sizeof key, "key:%ld", (long)(rand_r(&seed) % keys));
      int length = (c->sent++ & 1) == 0
                       ? snprintf(request, sizeof request, "*2\r\n$3\r\nGET\r\n$%d\r\n%s\r\n", keyLength, key)
                       : snprintf(request, sizeof request, "*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$16\r\nvalue-rewritten!\r\n", keyLength, key);
      if (write(c->fd, request, length) != length) {
        perror("write");
        return 1;
      }
      c->busy = 1;
    }
    /* Wait with sub-millisecond precision for a reply or the next due request. */
    double wait = next - nowMs();
    if (wait < 0) wait = 0;
    struct timespec timeout = {.tv_sec = (time_t)(wait / 1000), .tv_nsec = (long)(((long)(wait * 1e6)) % 1000000000L)};
    struct epoll_event events[64];
    int ready = epoll_pwait2(poller, events, 64, &timeout, NULL);
    if (ready < 0) {
      if (errno == EINTR) continue;
      perror("epoll_pwait2");
      return 1;
    }
    for (int j = 0; j < ready; j++) {
      Connection *c = &connections[events[j].data.u32];
      int got = (int)read(c->fd, c->buffer + c->length, sizeof c->buffer - c->length);
      if (got <= 0) {
        fprintf(stderr, "connection closed\n");
        return 1;
      }
      c->length += got;
      int used = replyLength(c->buffer, c->length);
      if (used < 0) continue;
      double done = nowMs();
      if (taken == capacity) {
        capacity *= 2;
        samples = realloc(samples, capacity * sizeof(double));
        if (samples == NULL) return 1;
      }
      samples[taken++] = done - c->started;
      memmove(c->buffer, c->buffer + used, c->length - used);
      c->length -= used;
      c->busy = 0;
      c->replied = done;
      c->due += interval;
    }
  }
  if (taken == 0) {
    fprintf(stderr, "no replies\n");
    return 1;
  }
  qsort(samples, taken, sizeof(double), byValue);
#define AT(q) samples[(size_t)((q) * taken) < taken ? (size_t)((q) * taken) : taken - 1]
  printf("{\"count\":%zu,\"p50\":%.4f,\"p99\":%.4f,\"p999\":%.4f,\"max\":%.4f,\"lateSends\":%ld}\n", taken, AT(0.5), AT(0.99), AT(0.999),
         samples[taken - 1], lateSends);
  return 0;
}
