/* loadgen: N MJPEG or fragmented-MP4 viewers on one epoll loop.
 *
 * Counts parts per viewer, distinct frames (a part whose X-Timestamp differs from the previous
 * one on that connection) and capture->receive latency (receive wall time - X-Timestamp).
 * Parts are framed by Content-Length, so segmentation does not matter. A response of
 * Content-Type video/mp4 (stream.mp4) is read box by box instead: each media fragment
 * (prft+moof+mdat) is a part, its capture time the prft box's NTP time. Chunked bodies are
 * decoded first.
 *
 * usage: loadgen HOST PORT PATH N WARMUP_S WINDOW_S READY_TIMEOUT_S [HEADER]
 * stdout: "READY", "SNAP0", "SNAP1" lines (the driver samples server CPU at SNAP0/SNAP1),
 *         then one JSON line with the results.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum { S_CONNECTING, S_HTTP, S_LINE, S_HEADERS, S_BODY, S_BOX, S_DEAD };
#define NTP_UNIX 2208988800.0
#define LINE_MAX_LEN 256
#define LAT_BUCKETS 100000 /* 0.1 ms buckets up to 10 s */
#define CONNECT_WINDOW 8

typedef struct {
    int fd, state, first;
    long parts, distinct, window_parts, window_distinct;
    long long bytes;
    long body_left, content_length;
    double ts, last_ts;
    char line[LINE_MAX_LEN];
    int line_len;
    int chunked, ch_state; /* chunked transfer coding: 0 size line, 1 data, 2 CRLF after data */
    long ch_left;
    char ch_line[32];
    int ch_line_len;
    int mp4;                 /* the body is a fragmented MP4 */
    unsigned char box[32];   /* the current box's first bytes (header; all of a prft) */
    int box_have;
    long long box_left;      /* bytes of the current box not yet read (after box[]) */
} conn_t;

static conn_t *conns;
static int n_conns, epfd, measuring;
static long lat_hist[LAT_BUCKETS + 1];
static long lat_count;
static char request[2048];
static struct sockaddr_in addr;
static unsigned char buf[1 << 18];

static double now_mono(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}
static double now_wall(void) {
    struct timespec t;
    clock_gettime(CLOCK_REALTIME, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

static void kill_conn(conn_t *c) {
    if (c->fd >= 0) {
        epoll_ctl(epfd, EPOLL_CTL_DEL, c->fd, NULL);
        close(c->fd);
    }
    c->fd = -1;
    c->state = S_DEAD;
}

static int start_connect(conn_t *c) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    if (fd < 0) return -1;
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (connect(fd, (struct sockaddr *)&addr, sizeof addr) < 0 && errno != EINPROGRESS) {
        close(fd);
        return -1;
    }
    c->fd = fd;
    c->state = S_CONNECTING;
    struct epoll_event ev = {.events = EPOLLOUT | EPOLLIN, .data.ptr = c};
    epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev);
    return 0;
}

static void part_done(conn_t *c) {
    c->parts++;
    c->first = 1;
    if (measuring) c->window_parts++;
    if (c->ts != c->last_ts) {
        c->distinct++;
        if (measuring) {
            c->window_distinct++;
            double lat = now_wall() - c->ts;
            long b = lat < 0 ? 0 : (long)(lat * 10000.0);
            if (b > LAT_BUCKETS) b = LAT_BUCKETS;
            lat_hist[b]++;
            lat_count++;
        }
        c->last_ts = c->ts;
    }
}

static void on_line(conn_t *c) {
    char *l = c->line;
    switch (c->state) {
    case S_HTTP: /* response headers: wait for the blank line */
        if (c->line_len == 0) c->state = c->mp4 ? S_BOX : S_LINE;
        else if (strncasecmp(l, "content-type:", 13) == 0 && strcasestr(l, "video/mp4")) c->mp4 = 1;
        else if (strncmp(l, "HTTP/1.", 7) == 0 && strncmp(l + 9, "200", 3) != 0) kill_conn(c);
        else if (strncasecmp(l, "transfer-encoding:", 18) == 0 && strcasestr(l, "chunked")) c->chunked = 1;
        break;
    case S_LINE: /* between parts: skip the CRLF after a body, then the boundary */
        if (c->line_len >= 2 && l[0] == '-' && l[1] == '-') {
            c->state = S_HEADERS;
            c->content_length = -1;
            c->ts = 0;
        }
        break;
    case S_HEADERS:
        if (c->line_len == 0) {
            if (c->content_length < 0) { kill_conn(c); return; } /* we need lengths */
            c->body_left = c->content_length;
            c->state = S_BODY;
        } else if (strncasecmp(l, "Content-Length:", 15) == 0) {
            c->content_length = strtol(l + 15, NULL, 10);
        } else if (strncasecmp(l, "X-Timestamp:", 12) == 0) {
            c->ts = strtod(l + 12, NULL);
        }
        break;
    }
}

static unsigned long be32(const unsigned char *p) {
    return (unsigned long)p[0] << 24 | (unsigned long)p[1] << 16 | (unsigned long)p[2] << 8 | p[3];
}

/* The MP4 layer: top-level boxes; an mdat ends a fragment, a prft dates it. */
static long feed_box(conn_t *c, const unsigned char *p, long n) {
    long used = 0;
    if (c->box_have < 8) { /* the box header */
        long take = 8 - c->box_have < n ? 8 - c->box_have : n;
        memcpy(c->box + c->box_have, p, take);
        c->box_have += take;
        if (c->box_have < 8) return take;
        used = take;
        unsigned long size = be32(c->box);
        if (size < 8) { kill_conn(c); return n; } /* 64-bit sizes never occur here */
        c->box_left = size - 8;
    }
    int prft = memcmp(c->box + 4, "prft", 4) == 0;
    long take = n - used < c->box_left ? n - used : (long)c->box_left;
    if (prft && c->box_have + take <= (long)sizeof c->box) memcpy(c->box + c->box_have, p + used, take);
    if (prft) c->box_have += take;
    c->box_left -= take;
    used += take;
    if (c->box_left == 0) {
        if (prft && c->box_have >= 24)
            c->ts = be32(c->box + 16) - NTP_UNIX + be32(c->box + 20) / 4294967296.0;
        else if (memcmp(c->box + 4, "mdat", 4) == 0) part_done(c);
        c->box_have = 0;
    }
    return used;
}

/* The multipart layer: part headers by line, bodies by Content-Length. */
static void feed_body(conn_t *c, const unsigned char *p, long n) {
    while (n > 0 && c->state != S_DEAD) {
        if (c->state == S_BOX) {
            long used = feed_box(c, p, n);
            p += used;
            n -= used;
            continue;
        }
        if (c->state == S_BODY) {
            long take = n < c->body_left ? n : c->body_left;
            c->body_left -= take;
            p += take;
            n -= take;
            if (c->body_left == 0) {
                part_done(c);
                c->state = S_LINE;
            }
            continue;
        }
        const unsigned char *nl = memchr(p, '\n', n);
        long take = nl ? (nl - p) + 1 : n;
        for (long i = 0; i < take; i++) {
            unsigned char ch = p[i];
            if (ch == '\n' || ch == '\r') continue;
            if (c->line_len < LINE_MAX_LEN - 1) c->line[c->line_len++] = (char)ch;
        }
        p += take;
        n -= take;
        if (nl) {
            c->line[c->line_len] = 0;
            on_line(c);
            c->line_len = 0;
        }
    }
}

/* The HTTP layer: response headers, then the body as is or through the chunked decoder. */
static void feed(conn_t *c, const unsigned char *p, long n) {
    c->bytes += n;
    while (n > 0 && c->state == S_HTTP) {
        const unsigned char *nl = memchr(p, '\n', n);
        long take = nl ? (nl - p) + 1 : n;
        feed_body(c, p, take); /* S_HTTP lines go through the same line reader */
        p += take;
        n -= take;
    }
    if (!c->chunked) {
        feed_body(c, p, n);
        return;
    }
    while (n > 0 && c->state != S_DEAD) {
        if (c->ch_state == 0) { /* chunk size line */
            unsigned char ch = *p++;
            n--;
            if (ch == '\n') {
                c->ch_line[c->ch_line_len] = 0;
                c->ch_left = strtol(c->ch_line, NULL, 16);
                c->ch_line_len = 0;
                if (c->ch_left <= 0) { kill_conn(c); return; }
                c->ch_state = 1;
            } else if (ch != '\r' && c->ch_line_len < 30) {
                c->ch_line[c->ch_line_len++] = (char)ch;
            }
        } else if (c->ch_state == 1) {
            long take = n < c->ch_left ? n : c->ch_left;
            feed_body(c, p, take);
            p += take;
            n -= take;
            c->ch_left -= take;
            if (c->ch_left == 0) { c->ch_state = 2; c->ch_line_len = 0; }
        } else { /* the CRLF after a chunk's data */
            unsigned char ch = *p++;
            n--;
            if (ch == '\n') c->ch_state = 0;
        }
    }
}

static void on_event(conn_t *c, unsigned events) {
    if (c->state == S_CONNECTING) {
        int err = 0;
        socklen_t len = sizeof err;
        getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len);
        if (err || (events & (EPOLLERR | EPOLLHUP))) { kill_conn(c); return; }
        if (write(c->fd, request, strlen(request)) < 0) { kill_conn(c); return; }
        c->state = S_HTTP;
        struct epoll_event ev = {.events = EPOLLIN, .data.ptr = c};
        epoll_ctl(epfd, EPOLL_CTL_MOD, c->fd, &ev);
        return;
    }
    ssize_t r = read(c->fd, buf, sizeof buf);
    if (r > 0) feed(c, buf, r);
    else if (r == 0 || (errno != EAGAIN && errno != EINTR)) kill_conn(c);
}

static void run_for(double seconds, int *next_to_open) {
    struct epoll_event events[256];
    double end = now_mono() + seconds;
    while (now_mono() < end) {
        /* Ramp: at most CONNECT_WINDOW connections waiting for their first part. */
        int opening = 0;
        for (int i = 0; i < *next_to_open; i++)
            if (conns[i].state != S_DEAD && !conns[i].first) opening++;
        while (*next_to_open < n_conns && opening < CONNECT_WINDOW) {
            if (start_connect(&conns[*next_to_open]) == 0) opening++;
            else conns[*next_to_open].state = S_DEAD;
            (*next_to_open)++;
        }
        int ms = (int)((end - now_mono()) * 1000);
        if (ms > 50) ms = 50;
        if (ms < 0) ms = 0;
        int k = epoll_wait(epfd, events, 256, ms);
        for (int i = 0; i < k; i++) on_event(events[i].data.ptr, events[i].events);
    }
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double lat_pct(double q) {
    if (!lat_count) return -1;
    long target = (long)(q * lat_count), seen = 0;
    for (long b = 0; b <= LAT_BUCKETS; b++) {
        seen += lat_hist[b];
        if (seen > target) return b / 10.0;
    }
    return LAT_BUCKETS / 10.0;
}

static double cpu_seconds(void) {
    struct rusage u;
    getrusage(RUSAGE_SELF, &u);
    return u.ru_utime.tv_sec + u.ru_utime.tv_usec / 1e6 + u.ru_stime.tv_sec + u.ru_stime.tv_usec / 1e6;
}

int main(int argc, char **argv) {
    if (argc < 8) {
        fprintf(stderr, "usage: %s HOST PORT PATH N WARMUP WINDOW READY_TIMEOUT [HEADER]\n", argv[0]);
        return 2;
    }
    n_conns = atoi(argv[4]);
    double warmup = atof(argv[5]), window = atof(argv[6]), ready_timeout = atof(argv[7]);
    snprintf(request, sizeof request, "GET %s HTTP/1.0\r\nHost: %s\r\n%s%s\r\n",
             argv[3], argv[1], argc > 8 ? argv[8] : "", argc > 8 ? "\r\n" : "");
    addr.sin_family = AF_INET;
    addr.sin_port = htons((unsigned short)atoi(argv[2]));
    inet_pton(AF_INET, argv[1], &addr.sin_addr);
    struct rlimit rl = {n_conns + 64, n_conns + 64};
    setrlimit(RLIMIT_NOFILE, &rl);
    conns = calloc(n_conns > 0 ? n_conns : 1, sizeof *conns);
    for (int i = 0; i < n_conns; i++) {
        conns[i].fd = -1;
        conns[i].state = S_CONNECTING;
        conns[i].last_ts = -1;
    }
    epfd = epoll_create1(0);
    int next = 0;
    double started = now_mono();
    /* Phase 1: every viewer connected and got a first part (or the timeout). */
    while (now_mono() - started < ready_timeout) {
        run_for(0.05, &next);
        int ready = 0;
        for (int i = 0; i < n_conns; i++) ready += conns[i].first;
        if (next >= n_conns && ready == n_conns) break;
    }
    double ready_s = now_mono() - started;
    int ready = 0, dead = 0;
    for (int i = 0; i < n_conns; i++) ready += conns[i].first, dead += conns[i].state == S_DEAD;
    printf("READY\n");
    fflush(stdout);
    run_for(warmup, &next);
    measuring = 1;
    double cpu0 = cpu_seconds(), t0 = now_mono();
    long long bytes0 = 0;
    for (int i = 0; i < n_conns; i++) bytes0 += conns[i].bytes;
    printf("SNAP0\n");
    fflush(stdout);
    run_for(window, &next);
    double t1 = now_mono(), cpu1 = cpu_seconds();
    printf("SNAP1\n");
    fflush(stdout);
    measuring = 0;
    long long bytes1 = 0;
    for (int i = 0; i < n_conns; i++) bytes1 += conns[i].bytes;
    /* Keep reading while the driver samples the server at SNAP1: a server whose viewers
     * stopped reading idles, answers that sample faster than the SNAP0 one, and its counters
     * then come out skewed (encodes per frame read ~0.98 under load instead of 1.00). */
    run_for(1.0, &next);
    long total_parts = 0, total_distinct = 0;
    double *fps = calloc(n_conns > 0 ? n_conns : 1, sizeof *fps);
    double *pps = calloc(n_conns > 0 ? n_conns : 1, sizeof *pps);
    int alive = 0;
    for (int i = 0; i < n_conns; i++) {
        total_parts += conns[i].window_parts;
        total_distinct += conns[i].window_distinct;
        fps[i] = conns[i].window_distinct / (t1 - t0);
        pps[i] = conns[i].window_parts / (t1 - t0);
        alive += conns[i].state != S_DEAD;
    }
    qsort(fps, n_conns, sizeof *fps, cmp_double);
    qsort(pps, n_conns, sizeof *pps, cmp_double);
    double dur = t1 - t0;
    printf("{\"n\":%d,\"ready\":%d,\"alive\":%d,\"dead_at_ready\":%d,\"ready_s\":%.3f,\"window_s\":%.3f,"
           "\"fps_min\":%.2f,\"fps_p10\":%.2f,\"fps_median\":%.2f,\"parts_min\":%.2f,\"parts_median\":%.2f,"
           "\"parts_per_s\":%.1f,\"distinct_per_s\":%.1f,\"mb_per_s\":%.2f,"
           "\"lat_p50_ms\":%.2f,\"lat_p99_ms\":%.2f,\"client_cpu_pct\":%.1f}\n",
           n_conns, ready, alive, dead, ready_s, dur,
           n_conns ? fps[0] : 0, n_conns ? fps[n_conns / 10] : 0, n_conns ? fps[n_conns / 2] : 0,
           n_conns ? pps[0] : 0, n_conns ? pps[n_conns / 2] : 0,
           total_parts / dur, total_distinct / dur, (bytes1 - bytes0) / dur / 1e6,
           lat_pct(0.5), lat_pct(0.99), 100.0 * (cpu1 - cpu0) / dur);
    fflush(stdout);
    return 0;
}
