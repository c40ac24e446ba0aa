/// Reported by `mr_version()`; the Python SDK checks it against its own version.
let libraryVersion = "0.1.0"
