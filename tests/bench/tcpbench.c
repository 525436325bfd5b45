/* The proxy benchmark's servers and clients (tests/bench/proxy.sh): one iterative server per kind,
 * and clients that time bulk transfers and fresh-connection requests.
 *
 *   tcpbench serve-bulk ADDR          prints its port; per connection reads 'U'|'D' + 8-byte length:
 *                                     U: reads that many bytes, answers one byte; D: sends them, closes
 *   tcpbench serve-http ADDR          prints its port; answers every request with a 6-byte body, closes
 *   tcpbench bulk HOST PORT up|down BYTES     prints: seconds MiB/s
 *   tcpbench requests HOST PORT N             N GETs, each on a fresh connection; prints, in µs:
 *                                             p50 p99 of the request, p50 p99 of connect() alone,
 *                                             p50 p99 of connect() to the first response byte
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BUF (1 << 20)
static char buf[BUF];

static void die(const char *what) {
    fprintf(stderr, "tcpbench: %s: %s\n", what, strerror(errno));
    exit(1);
}

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

static int listen_on(const char *addr) {
    struct sockaddr_in a = {.sin_family = AF_INET};
    if (inet_pton(AF_INET, addr, &a.sin_addr) != 1) { errno = EINVAL; die("address"); }
    int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    if (s < 0) die("socket");
    setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(s, (struct sockaddr *)&a, sizeof a) < 0) die("bind");
    if (listen(s, 128) < 0) die("listen");
    socklen_t len = sizeof a;
    if (getsockname(s, (struct sockaddr *)&a, &len) < 0) die("getsockname");
    printf("%d\n", ntohs(a.sin_port));
    fflush(stdout);
    return s;
}

static int dial(const char *host, int port) {
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
    if (inet_pton(AF_INET, host, &a.sin_addr) != 1) { errno = EINVAL; die("host"); }
    int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (s < 0) die("socket");
    if (connect(s, (struct sockaddr *)&a, sizeof a) < 0) die("connect");
    return s;
}

static int read_full(int fd, void *p, size_t n) {
    for (size_t got = 0; got < n;) {
        ssize_t r = read(fd, (char *)p + got, n - got);
        if (r <= 0) return -1;
        got += r;
    }
    return 0;
}

static int write_full(int fd, const void *p, size_t n) {
    for (size_t done = 0; done < n;) {
        ssize_t w = write(fd, (const char *)p + done, n - done);
        if (w < 0) { if (errno == EINTR) continue; return -1; }
        done += w;
    }
    return 0;
}

static void serve_bulk(const char *addr) {
    int l = listen_on(addr);
    for (;;) {
        int c = accept4(l, NULL, NULL, SOCK_CLOEXEC);
        if (c < 0) continue;
        unsigned char h[9];
        if (read_full(c, h, sizeof h) == 0) {
            uint64_t n = 0;
            for (int i = 1; i < 9; i++) n = n << 8 | h[i];
            if (h[0] == 'U') {
                uint64_t got = 0;
                ssize_t r;
                while (got < n && (r = read(c, buf, BUF)) > 0) got += r;
                write_full(c, "k", 1);
            } else if (h[0] == 'D') {
                while (n > 0) {
                    size_t k = n < BUF ? n : BUF;
                    if (write_full(c, buf, k) < 0) break;
                    n -= k;
                }
            }
        }
        close(c);
    }
}

static void serve_http(const char *addr) {
    static const char reply[] = "HTTP/1.0 200 OK\r\nContent-Length: 6\r\nConnection: close\r\n\r\nhello\n";
    int l = listen_on(addr);
    for (;;) {
        int c = accept4(l, NULL, NULL, SOCK_CLOEXEC);
        if (c < 0) continue;
        size_t have = 0;
        ssize_t r;
        while (have < 4096 && (r = read(c, buf + have, 4096 - have)) > 0) {
            have += r;
            if (memmem(buf, have, "\r\n\r\n", 4)) {
                write_full(c, reply, sizeof reply - 1);
                break;
            }
        }
        close(c);
    }
}

static void bulk(const char *host, int port, const char *dir, uint64_t n) {
    unsigned char h[9] = {dir[0] == 'u' ? 'U' : 'D'};
    for (int i = 0; i < 8; i++) h[8 - i] = (unsigned char)(n >> (8 * i));
    memset(buf, 0x5a, BUF);
    double t0 = now();
    int s = dial(host, port);
    if (write_full(s, h, sizeof h) < 0) die("write header");
    if (h[0] == 'U') {
        for (uint64_t left = n; left > 0;) {
            size_t k = left < BUF ? left : BUF;
            if (write_full(s, buf, k) < 0) die("write");
            left -= k;
        }
        char k;
        if (read_full(s, &k, 1) < 0) die("read the server's receipt");
    } else {
        uint64_t got = 0;
        ssize_t r;
        while ((r = read(s, buf, BUF)) > 0) got += r;
        if (got != n) { fprintf(stderr, "tcpbench: got %llu of %llu bytes\n", (unsigned long long)got,
                                (unsigned long long)n); exit(1); }
    }
    double t = now() - t0;
    close(s);
    printf("%.4f %.1f\n", t, n / t / 1048576.0);
}

static int cmp(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double pct(double *v, int n, double p) {
    int i = (int)(p * (n - 1) + 0.5);
    return v[i] * 1e6;
}

static void requests(const char *host, int port, int n) {
    static const char get[] = "GET / HTTP/1.0\r\nHost: bench\r\n\r\n";
    double *total = calloc(n, sizeof *total), *conn = calloc(n, sizeof *conn), *first = calloc(n, sizeof *first);
    if (!total || !conn || !first) die("calloc");
    for (int i = 0; i < n; i++) {
        double t0 = now();
        int s = dial(host, port);
        double t1 = now();
        if (write_full(s, get, sizeof get - 1) < 0) die("write request");
        ssize_t r = read(s, buf, BUF);
        double t2 = now();
        if (r <= 0) { fprintf(stderr, "tcpbench: request %d: no answer\n", i); exit(1); }
        while ((r = read(s, buf, BUF)) > 0) {}
        close(s);
        double t3 = now();
        total[i] = t3 - t0;
        conn[i] = t1 - t0;
        first[i] = t2 - t0;
    }
    qsort(total, n, sizeof *total, cmp);
    qsort(conn, n, sizeof *conn, cmp);
    qsort(first, n, sizeof *first, cmp);
    printf("%.1f %.1f %.1f %.1f %.1f %.1f\n", pct(total, n, .5), pct(total, n, .99), pct(conn, n, .5),
           pct(conn, n, .99), pct(first, n, .5), pct(first, n, .99));
}

int main(int argc, char **argv) {
    if (argc == 3 && !strcmp(argv[1], "serve-bulk")) serve_bulk(argv[2]);
    else if (argc == 3 && !strcmp(argv[1], "serve-http")) serve_http(argv[2]);
    else if (argc == 6 && !strcmp(argv[1], "bulk")) bulk(argv[2], atoi(argv[3]), argv[4], strtoull(argv[5], NULL, 10));
    else if (argc == 5 && !strcmp(argv[1], "requests")) requests(argv[2], atoi(argv[3]), atoi(argv[4]));
    else {
        fprintf(stderr, "usage: tcpbench serve-bulk|serve-http ADDR | bulk HOST PORT up|down BYTES"
                        " | requests HOST PORT N\n");
        return 2;
    }
    return 0;
}
