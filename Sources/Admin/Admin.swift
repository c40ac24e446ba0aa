/// Maintenance operations for a registry store, used by the admin subcommands.
public enum Admin {}
