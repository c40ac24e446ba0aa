/// The embedded copy of `nginx/model-registry.conf.template`, so an installed binary can
/// run `model-registry up` without the source tree. `NginxConfigTests` fails when the two
/// differ; edit the file, then paste it here.
public enum NginxConfigTemplate {
    public static let fileName = "model-registry.conf.template"

    public static let embedded = #"""
# nginx in front of the model-registry FastCGI worker pool.
#
# `model-registry up` renders this file into its run directory, filling in these
# placeholders (each written as its name in double braces below):
#   HOST, PORT        the HTTP listen address (IPv6 hosts come bracketed)
#   SOCKET            the workers' unix socket
#   WRITER_SOCKET     the writer worker's unix socket (every request but GET and HEAD)
#   RUN_DIR           where nginx keeps its pid and temporary files, so nothing is
#                     written to /var/lib/nginx and it runs as root or not
#   MAX_BODY_BYTES    the largest request body, the same limit the workers enforce
#   USER_DIRECTIVE    "user root;" when started as root (the socket and the run
#                     directory may not be reachable by nginx's default user), else empty
# The binary embeds a copy of this file (NginxConfigTemplate.swift); a test keeps both identical.

{{USER_DIRECTIVE}}
daemon off;
master_process on;
worker_processes 1;
pid "{{RUN_DIR}}/nginx.pid";
error_log stderr warn;

# Room for many idle or slow clients (each costs one connection and about 1 KB until its
# timeout below cuts it off); a connection being proxied uses two descriptors.
worker_rlimit_nofile 16384;
events {
    worker_connections 8192;
}

http {
    access_log off;
    server_tokens off;

    client_max_body_size {{MAX_BODY_BYTES}};
    # Slow clients (a slowloris sending its headers byte by byte, a body that trickles in, a
    # reader that stops reading) lose their connection after these many seconds of silence
    # and cost nothing but one idle connection meanwhile: nginx, not a worker, waits.
    client_header_timeout 10s;
    client_body_timeout 10s;
    send_timeout 10s;
    keepalive_timeout 60s;
    # nginx reads the whole body before passing the request on (fastcgi_request_buffering
    # is on), so workers never wait for slow clients; typical JSON bodies stay in memory.
    client_body_buffer_size 1m;

    client_body_temp_path "{{RUN_DIR}}/client_body_temp";
    fastcgi_temp_path "{{RUN_DIR}}/fastcgi_temp";
    proxy_temp_path "{{RUN_DIR}}/proxy_temp";
    uwsgi_temp_path "{{RUN_DIR}}/uwsgi_temp";
    scgi_temp_path "{{RUN_DIR}}/scgi_temp";

    # Reads go to the workers; writes to the pool's one writer, which keeps its page cache warm
    # and answers writes after one disk sync shared by all those committed meanwhile (see
    # Docs/architecture.md, "One writer"). Either kind of worker can serve any request.
    upstream model_registry_workers {
        server "unix:{{SOCKET}}";
    }
    upstream model_registry_writer {
        server "unix:{{WRITER_SOCKET}}";
    }
    map $request_method $model_registry_upstream {
        GET     model_registry_workers;
        HEAD    model_registry_workers;
        default model_registry_writer;
    }

    server {
        listen {{HOST}}:{{PORT}};
        server_name _;

        location / {
            # A new FastCGI connection per request: fastcgi_keep_conn stays off. A
            # single-threaded libfcgi worker stays bound to a kept-alive connection while
            # idle, so further connections would queue behind it (see DESIGN.md).
            fastcgi_pass $model_registry_upstream;
            # The longest a worker may take to answer (a write waits at most 10 s for
            # SQLite's lock, then answers 503); past it the client gets 504.
            fastcgi_connect_timeout 5s;
            fastcgi_send_timeout 60s;
            fastcgi_read_timeout 60s;
            # Typical responses fit in memory; larger ones spill into the run directory.
            fastcgi_buffer_size 16k;
            fastcgi_buffers 16 16k;

            # Explicit parameters rather than an include of the system's fastcgi_params.
            # Request headers are passed as HTTP_* automatically.
            fastcgi_param REQUEST_METHOD    $request_method;
            fastcgi_param QUERY_STRING      $query_string;
            fastcgi_param CONTENT_TYPE      $content_type;
            fastcgi_param CONTENT_LENGTH    $content_length;
            fastcgi_param DOCUMENT_URI      $uri;
            fastcgi_param REQUEST_URI       $request_uri;
            fastcgi_param SCRIPT_NAME       $fastcgi_script_name;
            fastcgi_param REQUEST_SCHEME    $scheme;
            fastcgi_param SERVER_PROTOCOL   $server_protocol;
            fastcgi_param GATEWAY_INTERFACE CGI/1.1;
            fastcgi_param SERVER_SOFTWARE   nginx;
            fastcgi_param REMOTE_ADDR       $remote_addr;
            fastcgi_param REMOTE_PORT       $remote_port;
            fastcgi_param SERVER_ADDR       $server_addr;
            fastcgi_param SERVER_PORT       $server_port;
            fastcgi_param SERVER_NAME       $server_name;
            fastcgi_param HTTPS             $https if_not_empty;
        }

        # Errors nginx produces itself, in the API's error shape. Errors from the workers
        # pass through untouched (fastcgi_intercept_errors is off).
        error_page 413 @request_entity_too_large;
        error_page 502 @bad_gateway;
        error_page 503 @service_unavailable;
        error_page 504 @gateway_timeout;
        # Errors in the request line or headers come before nginx knows a URI, so a named
        # location cannot serve them; these go to internal URIs instead.
        error_page 400 494 /_model_registry_error/400;
        error_page 404 /_model_registry_error/404;
        error_page 405 /_model_registry_error/405;
        error_page 408 /_model_registry_error/408;
        error_page 411 /_model_registry_error/411;
        error_page 414 /_model_registry_error/414;
        error_page 500 /_model_registry_error/500;
        error_page 501 /_model_registry_error/501;
        error_page 505 /_model_registry_error/505;

        location ^~ /_model_registry_error/ {
            internal;
            default_type "application/json; charset=UTF-8";
            location = /_model_registry_error/400 { return 400 '{"code":"Bad Request","message":"the HTTP request is malformed"}'; }
            location = /_model_registry_error/404 { return 404 '{"code":"Not Found","message":"not found"}'; }
            location = /_model_registry_error/405 { return 405 '{"code":"Method Not Allowed","message":"the HTTP method is not allowed"}'; }
            location = /_model_registry_error/408 { return 408 '{"code":"Request Timeout","message":"the request was not received in time"}'; }
            location = /_model_registry_error/411 { return 411 '{"code":"Length Required","message":"the request needs a Content-Length"}'; }
            location = /_model_registry_error/414 { return 414 '{"code":"URI Too Long","message":"the request URI is too long"}'; }
            location = /_model_registry_error/500 { return 500 '{"code":"Internal Server Error","message":"the web server failed to handle the request"}'; }
            location = /_model_registry_error/501 { return 501 '{"code":"Not Implemented","message":"the request uses an unsupported HTTP feature"}'; }
            location = /_model_registry_error/505 { return 505 '{"code":"HTTP Version Not Supported","message":"the HTTP version is not supported"}'; }
        }

        location @request_entity_too_large {
            default_type "application/json; charset=UTF-8";
            return 413 '{"code":"Request Entity Too Large","message":"request body is larger than the limit of {{MAX_BODY_BYTES}} bytes"}';
        }
        location @bad_gateway {
            default_type "application/json; charset=UTF-8";
            return 502 '{"code":"Bad Gateway","message":"no valid response from the model registry workers"}';
        }
        location @service_unavailable {
            default_type "application/json; charset=UTF-8";
            return 503 '{"code":"Service Unavailable","message":"the model registry is not available"}';
        }
        location @gateway_timeout {
            default_type "application/json; charset=UTF-8";
            return 504 '{"code":"Gateway Timeout","message":"the model registry did not answer in time"}';
        }
    }
}

"""#
}
