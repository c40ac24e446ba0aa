/*
 * Registers a model through libmodelregistry, using nothing but the public header:
 *
 *   register <registry-uri> <model-name>
 *
 * Prints the library version ("library <version>"), then creates the registered model, a
 * version "v1" and its model artifact, reads the version back, and prints one line per step
 * ("<step> <status> <body>"). Exits 0 only if every step answered as the API promises.
 * tests/sdk/test_c_program.py builds and runs it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "modelregistry.h"

#define API "/api/model_registry/v1alpha3"

static mr_handle *registry;

/* Sends one request; prints and returns the status, copies the body into out (if given). */
static int call(const char *step, const char *method, const char *path, const char *query,
                const char *json, char *out, size_t out_size) {
    int status = 0;
    uint8_t *body = NULL;
    size_t len = 0;
    int rc = mr_request(registry, method, path, query, (const uint8_t *)json,
                        json ? strlen(json) : 0, &status, &body, &len);
    if (rc != MR_OK) {
        fprintf(stderr, "%s: mr_request failed: %s (%s)\n", step, mr_errstr(rc), mr_errmsg(registry));
        exit(2);
    }
    /* The body is NUL-terminated, so it can be used as a C string. */
    printf("%s %d %s", step, status, (const char *)body);
    if (len == 0 || body[len - 1] != '\n') printf("\n");
    if (out) snprintf(out, out_size, "%s", (const char *)body);
    mr_free(body);
    return status;
}

/* The string value of "key" in a flat JSON object (enough for ids). */
static void field(const char *json, const char *key, char *out, size_t out_size) {
    char pattern[64];
    snprintf(pattern, sizeof pattern, "\"%s\":\"", key);
    const char *start = strstr(json, pattern);
    if (!start) {
        fprintf(stderr, "no %s in %s\n", key, json);
        exit(3);
    }
    start += strlen(pattern);
    size_t n = strcspn(start, "\"");
    if (n >= out_size) n = out_size - 1;
    memcpy(out, start, n);
    out[n] = '\0';
}

static void expect(const char *step, int got, int want) {
    if (got != want) {
        fprintf(stderr, "%s: status %d, expected %d\n", step, got, want);
        exit(4);
    }
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: %s <registry-uri> <model-name>\n", argv[0]);
        return 64;
    }
    printf("library %s\n", mr_version());
    int rc = mr_open(argv[1], "{\"timeout_ms\": 30000}", &registry);
    if (rc != MR_OK) {
        fprintf(stderr, "mr_open: %s: %s\n", mr_errstr(rc), mr_errmsg(registry));
        mr_close(registry);
        return 1;
    }

    char body[8192], model_id[32], version_id[32], path[256], json[1024];
    snprintf(json, sizeof json, "{\"name\": \"%s\", \"owner\": \"c-program\"}", argv[2]);
    expect("model", call("model", "POST", API "/registered_models", NULL, json, body, sizeof body), 201);
    field(body, "id", model_id, sizeof model_id);

    snprintf(json, sizeof json, "{\"name\": \"v1\", \"registeredModelId\": \"%s\", \"author\": \"c-program\"}",
             model_id);
    expect("version", call("version", "POST", API "/model_versions", NULL, json, body, sizeof body), 201);
    field(body, "id", version_id, sizeof version_id);

    snprintf(path, sizeof path, API "/model_versions/%s/artifacts", version_id);
    snprintf(json, sizeof json,
             "{\"artifactType\": \"model-artifact\", \"name\": \"%s\", \"uri\": \"s3://models/%s/v1\","
             " \"modelFormatName\": \"onnx\", \"modelFormatVersion\": \"1\"}", argv[2], argv[2]);
    expect("artifact", call("artifact", "POST", path, NULL, json, NULL, 0), 201);

    char query[256];
    snprintf(query, sizeof query, "name=v1&parentResourceId=%s", model_id);
    expect("find", call("find", "GET", API "/model_version", query, NULL, NULL, 0), 200);
    expect("missing", call("missing", "GET", API "/registered_models/999999", NULL, NULL, NULL, 0), 404);

    /* A misuse is reported through the result code and mr_errmsg, not a status. */
    int status;
    rc = mr_request(registry, "BREW", API "/registered_models", NULL, NULL, 0, &status, NULL, NULL);
    printf("misuse %d %s\n", rc, mr_errmsg(registry));
    if (rc != MR_MISUSE) return 5;

    return mr_close(registry) == MR_OK ? 0 : 6;
}
