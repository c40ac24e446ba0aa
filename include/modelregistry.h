/*
 * modelregistry.h - the C interface of libmodelregistry.
 *
 * One call shape reaches a model registry either in this process (an "embedded" registry on
 * an SQLite file) or on a server over HTTP(S). Both run the same request handler, so for the
 * same request and the same data they return the same status and the same body bytes.
 *
 *   mr_handle *h;
 *   if (mr_open("sqlite:///var/lib/mr/registry.db", NULL, &h) != MR_OK) {
 *       fprintf(stderr, "%s\n", mr_errmsg(h));
 *       mr_close(h);
 *       return 1;
 *   }
 *   int status; uint8_t *body; size_t len;
 *   const char *json = "{\"name\": \"my-model\"}";
 *   if (mr_request(h, "POST", "/api/model_registry/v1alpha3/registered_models", NULL,
 *                  (const uint8_t *)json, strlen(json), &status, &body, &len) == MR_OK) {
 *       printf("%d %.*s", status, (int)len, (const char *)body);
 *       mr_free(body);
 *   }
 *   mr_close(h);
 *
 * Result codes
 *   Every function returning int returns MR_OK or one of the MR_* codes below. An HTTP
 *   error (404, 409, 500, ...) is not a failure of the call: mr_request returns MR_OK and
 *   reports it in *status_out, with the registry's JSON error body
 *   {"code": "...", "message": "..."}. MR_* failures mean no HTTP status exists.
 *
 * Ownership
 *   - Every pointer this library hands out for the caller to keep (the handle aside) is
 *     released with mr_free: response bodies today. mr_free(NULL) does nothing.
 *   - A handle is released with mr_close, also after a failed mr_open.
 *   - Strings from mr_errmsg, mr_errstr and mr_version belong to the library: never free
 *     them. mr_version and mr_errstr strings are static. An mr_errmsg string stays valid
 *     until the same thread's next call on that handle, or until mr_close.
 *   - Arguments are only read during the call; the library keeps no pointer to them.
 *
 * Threads
 *   - A handle may be used by any number of threads at once. An embedded handle serialises
 *     requests on its SQLite connection; a remote handle keeps a pool of keep-alive
 *     connections and runs requests in parallel.
 *   - mr_errmsg reports the last call made on the handle *by the calling thread*, so threads
 *     sharing a handle never see each other's errors.
 *   - mr_close must not race with other calls on the same handle: close it once, after
 *     every other thread is done with it.
 *   - The library installs no signal handlers and raises no signals (libcurl runs with
 *     CURLOPT_NOSIGNAL).
 */
#ifndef MODELREGISTRY_H
#define MODELREGISTRY_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Result codes. */
#define MR_OK        0  /* success */
#define MR_ERROR     1  /* any failure without a more specific code */
#define MR_MISUSE    2  /* invalid arguments, unknown option, closed or failed handle */
#define MR_NOMEM     3  /* out of memory */
#define MR_CANTOPEN  4  /* the URI is not usable, or the embedded store cannot be opened */
#define MR_IO        5  /* remote: could not connect, TLS failure, connection lost */
#define MR_TIMEOUT   6  /* remote: no complete answer within timeout_ms */

/* An open registry: embedded or remote. Opaque. */
typedef struct mr_handle mr_handle;

/* The library version, e.g. "0.1.0". Static. */
const char *mr_version(void);

/*
 * Opens a registry and stores a new handle in *out.
 *
 * uri selects the registry:
 *   http://host[:port][/prefix]   remote server; request paths are appended to this URL
 *   https://host[:port][/prefix]  the same over TLS (certificates verified by default)
 *   sqlite:///abs/path.db         embedded registry on that SQLite file ("sqlite://localhost/..."
 *   file:///abs/path.db           is accepted too; %XX escapes are decoded)
 *   sqlite:rel/path.db, file:rel/path.db, /abs/path.db, rel/path.db
 *                                 embedded, the path relative to the working directory
 * An embedded store is created if the file does not exist (its directory must exist), or
 * checked and migrated if it does; the same file can be served by `model-registry up`.
 *
 * options_json is NULL or a JSON object; unknown keys are rejected (MR_MISUSE):
 *   "token"              string   remote: sent as "Authorization: Bearer <token>"
 *   "ca_file"            string   remote: PEM file of CA certificates to trust
 *   "verify_tls"         boolean  remote: verify the server certificate and host (true)
 *   "timeout_ms"         integer  remote: whole-request timeout, 0 = none (60000)
 *   "connect_timeout_ms" integer  remote: connection timeout (10000)
 *   "max_page_size"      integer  embedded: largest pageSize a list request may ask (1000)
 * Options that do not apply to the chosen kind of registry are accepted and ignored.
 *
 * Returns MR_OK, MR_MISUSE (NULL uri or out, bad options), MR_CANTOPEN or MR_NOMEM. On
 * failure *out still receives a handle (NULL only for MR_NOMEM and NULL out) whose
 * mr_errmsg explains the failure; release it with mr_close. A remote open does not contact
 * the server: connection errors surface on the first mr_request.
 */
int mr_open(const char *uri, const char *options_json, mr_handle **out);

/*
 * Sends one request and waits for the answer.
 *
 *   method      "GET", "POST", "PATCH", "PUT", "DELETE" or "HEAD"
 *   path        the full API path, starting with '/', e.g.
 *               "/api/model_registry/v1alpha3/registered_models/1"; %XX escapes allowed
 *   query       the query string without '?', percent-encoded (e.g. "pageSize=10&name=a%20b");
 *               NULL or "" for none
 *   body        request body (JSON), body_len bytes; NULL when body_len is 0. A non-empty
 *               body is sent with "Content-Type: application/json".
 *   status_out  receives the HTTP status
 *   body_out    receives a malloc'd response body with one extra NUL byte after it (so a
 *               JSON body is also a C string); release with mr_free. May be NULL to discard.
 *   body_len_out receives the body length without the extra NUL. May be NULL.
 *
 * Returns MR_OK when a response arrived (any HTTP status), else MR_MISUSE, MR_IO,
 * MR_TIMEOUT, MR_NOMEM or MR_ERROR; then *body_out is set to NULL and *status_out to 0.
 */
int mr_request(mr_handle *handle, const char *method, const char *path, const char *query,
               const uint8_t *body, size_t body_len,
               int *status_out, uint8_t **body_out, size_t *body_len_out);

/*
 * Registers a model version and its model artifact as one transaction, creating the
 * registered model when none has that name: the requests the Python SDK's register_model
 * sends (POST registered_models, POST model_versions, POST model_versions/{id}/artifacts),
 * all or nothing. Embedded registries only: MR_MISUSE for a server (upstream's REST API has
 * no such operation).
 *
 *   body  {"registeredModel": {...}, "modelVersion": {...}, "modelArtifact": {...}} in the
 *         REST create shapes; the version's registeredModelId is filled in
 *
 * The answer works as mr_request's: status 201 and the three entities under the same keys,
 * or the API Error of the step that failed (400, 409, ...) with nothing written.
 */
int mr_register_model(mr_handle *handle, const uint8_t *body, size_t body_len,
                      int *status_out, uint8_t **body_out, size_t *body_len_out);

/*
 * The message for the calling thread's last call on handle: "not an error" after a success.
 * mr_errmsg(NULL) returns "out of memory" (the only case where mr_open returns no handle).
 */
const char *mr_errmsg(mr_handle *handle);

/* A static English description of a result code, e.g. mr_errstr(MR_IO). */
const char *mr_errstr(int code);

/* Releases memory this library returned (response bodies). NULL is ignored. */
void mr_free(void *pointer);

/*
 * Closes the handle and releases everything it holds (SQLite connection, connection pool).
 * NULL is accepted (MR_OK). Closing an unknown or already closed handle returns MR_MISUSE.
 */
int mr_close(mr_handle *handle);

#ifdef __cplusplus
}
#endif

#endif /* MODELREGISTRY_H */
