/* The "do-nothing" FastCGI ceiling: a libfcgi prefork pool that answers every request with
 * the same JSON body, read once from a file at start. It stands where our workers stand
 * (behind the same nginx config, on a unix socket, one connection per request), so the gap
 * between it and our server is the cost of routing, SQLite and JSON.
 *
 *   fcgi_null <socket-path> <workers> <body-file>
 *
 * Workers block in FCGX_Accept_r on the shared listening socket (the kernel wakes one).
 * SIGTERM to the parent stops the pool. */
#include <fcgiapp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile sig_atomic_t stopping = 0;
static void on_term(int sig) { (void)sig; stopping = 1; }

static void serve(int listen_fd, const char *body, size_t length) {
    FCGX_Request request;
    char head[256];
    int head_length = snprintf(head, sizeof head,
        "Status: 200 OK\r\nContent-Type: application/json; charset=UTF-8\r\nContent-Length: %zu\r\n\r\n", length);
    FCGX_InitRequest(&request, listen_fd, 0);
    while (FCGX_Accept_r(&request) >= 0) {
        char sink[4096];
        while (FCGX_GetStr(sink, sizeof sink, request.in) > 0) {}  /* drain any body */
        FCGX_PutStr(head, head_length, request.out);
        FCGX_PutStr(body, (int)length, request.out);
        FCGX_Finish_r(&request);
    }
}

int main(int argc, char **argv) {
    if (argc != 4) { fprintf(stderr, "usage: %s <socket> <workers> <body-file>\n", argv[0]); return 2; }
    const char *socket_path = argv[1];
    int workers = atoi(argv[2]);
    FILE *f = fopen(argv[3], "rb");
    if (!f) { perror(argv[3]); return 1; }
    static char body[1 << 20];
    size_t length = fread(body, 1, sizeof body, f);
    fclose(f);

    if (FCGX_Init() != 0) { fprintf(stderr, "FCGX_Init failed\n"); return 1; }
    unlink(socket_path);
    int listen_fd = FCGX_OpenSocket(socket_path, 1024);
    if (listen_fd < 0) { fprintf(stderr, "cannot listen on %s\n", socket_path); return 1; }
    chmod(socket_path, 0777);

    pid_t children[256];
    if (workers < 1 || workers > 256) workers = 2;
    for (int i = 0; i < workers; i++) {
        pid_t pid = fork();
        if (pid == 0) { signal(SIGTERM, SIG_DFL); serve(listen_fd, body, length); _exit(0); }
        children[i] = pid;
    }
    signal(SIGTERM, on_term);
    signal(SIGINT, on_term);
    while (!stopping) pause();
    for (int i = 0; i < workers; i++) kill(children[i], SIGTERM);
    for (int i = 0; i < workers; i++) waitpid(children[i], NULL, 0);
    unlink(socket_path);
    return 0;
}
