/* Runs one registry request N times in process through the C ABI (embedded mode), for
 * profiling the API -> Registry -> MLMD path without nginx or FastCGI:
 *
 *   microbench <db-path> <count> <METHOD> <path> [query] [body]
 *
 * e.g. valgrind --tool=callgrind ./microbench /tmp/x.db 1000 GET /api/model_registry/v1alpha3/model_versions/2
 * Prints the elapsed time per request and the last status and body. A body containing
 * "%d" gets the iteration number (for unique names on POST). MR_OPTIONS, if set, is passed to
 * mr_open as its options JSON, e.g. '{"response_cache": false}' to compute every GET. */
#include "modelregistry.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int main(int argc, char **argv) {
    if (argc < 5) { fprintf(stderr, "usage: %s <db> <count> <method> <path> [query] [body]\n", argv[0]); return 2; }
    mr_handle *h = NULL;
    if (mr_open(argv[1], getenv("MR_OPTIONS"), &h) != 0) { fprintf(stderr, "mr_open: %s\n", h ? mr_errmsg(h) : "failed"); return 1; }
    int count = atoi(argv[2]);
    const char *query = argc > 5 ? argv[5] : "";
    const char *bodyTemplate = argc > 6 ? argv[6] : NULL;
    char body[65536];
    int status = 0;
    uint8_t *out = NULL;
    size_t outLength = 0;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (int i = 0; i < count; i++) {
        size_t bodyLength = 0;
        if (bodyTemplate) {
            snprintf(body, sizeof body, bodyTemplate, i);
            bodyLength = strlen(body);
        }
        mr_free(out);
        out = NULL;
        if (mr_request(h, argv[3], argv[4], query, (const uint8_t *)(bodyTemplate ? body : NULL), bodyLength,
                       &status, &out, &outLength) != 0) {
            fprintf(stderr, "mr_request: %s\n", mr_errmsg(h));
            return 1;
        }
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double us = ((t1.tv_sec - t0.tv_sec) * 1e9 + (t1.tv_nsec - t0.tv_nsec)) / 1e3 / (count ? count : 1);
    fprintf(stderr, "%d x %s %s: %.1f us/request, last status %d\n", count, argv[3], argv[4], us, status);
    fwrite(out, 1, outLength, stdout);
    fputc('\n', stdout);
    mr_free(out);
    mr_close(h);
    return 0;
}
