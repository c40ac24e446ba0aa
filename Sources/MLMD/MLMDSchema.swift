/// The ML-Metadata schema version 10, exactly as ml-metadata 1.17.1 creates it for SQLite
/// (`sqlite3 <file> .schema` of a fresh store). `sqlite_sequence` is left out because SQLite
/// creates it itself with the first AUTOINCREMENT table.
public enum MLMDSchema {
    public static let version: Int64 = 10

    public static let statements: [String] = [
        #"CREATE TABLE `Type` (    `id` INTEGER PRIMARY KEY AUTOINCREMENT,    `name` VARCHAR(255) NOT NULL,    `version` VARCHAR(255),    `type_kind` TINYINT(1) NOT NULL,    `description` TEXT,    `input_type` TEXT,    `output_type` TEXT,    `external_id` VARCHAR(255) UNIQUE )"#,
        #"CREATE TABLE `TypeProperty` (    `type_id` INT NOT NULL,    `name` VARCHAR(255) NOT NULL,    `data_type` INT NULL,  PRIMARY KEY (`type_id`, `name`))"#,
        #"CREATE TABLE `ParentType` (    `type_id` INT NOT NULL,    `parent_type_id` INT NOT NULL,  PRIMARY KEY (`type_id`, `parent_type_id`))"#,
        #"CREATE TABLE `Artifact` (    `id` INTEGER PRIMARY KEY AUTOINCREMENT,    `type_id` INT NOT NULL,    `uri` TEXT,    `state` INT,    `name` VARCHAR(255),    `external_id` VARCHAR(255) UNIQUE,    `create_time_since_epoch` INT NOT NULL DEFAULT 0,    `last_update_time_since_epoch` INT NOT NULL DEFAULT 0,    UNIQUE(`type_id`, `name`)  )"#,
        #"CREATE TABLE `ArtifactProperty` (    `artifact_id` INT NOT NULL,    `name` VARCHAR(255) NOT NULL,    `is_custom_property` TINYINT(1) NOT NULL,    `int_value` INT,    `double_value` DOUBLE,    `string_value` TEXT,    `byte_value` BLOB,    `proto_value` BLOB,    `bool_value` BOOLEAN,  PRIMARY KEY (`artifact_id`, `name`, `is_custom_property`))"#,
        #"CREATE TABLE `Execution` (    `id` INTEGER PRIMARY KEY AUTOINCREMENT,    `type_id` INT NOT NULL,    `last_known_state` INT,    `name` VARCHAR(255),    `external_id` VARCHAR(255) UNIQUE,    `create_time_since_epoch` INT NOT NULL DEFAULT 0,    `last_update_time_since_epoch` INT NOT NULL DEFAULT 0,    UNIQUE(`type_id`, `name`)  )"#,
        #"CREATE TABLE `ExecutionProperty` (    `execution_id` INT NOT NULL,    `name` VARCHAR(255) NOT NULL,    `is_custom_property` TINYINT(1) NOT NULL,    `int_value` INT,    `double_value` DOUBLE,    `string_value` TEXT,    `byte_value` BLOB,    `proto_value` BLOB,    `bool_value` BOOLEAN,  PRIMARY KEY (`execution_id`, `name`, `is_custom_property`))"#,
        #"CREATE TABLE `Event` (    `id` INTEGER PRIMARY KEY AUTOINCREMENT,    `artifact_id` INT NOT NULL,    `execution_id` INT NOT NULL,    `type` INT NOT NULL,    `milliseconds_since_epoch` INT,    UNIQUE(`artifact_id`, `execution_id`, `type`)  )"#,
        #"CREATE TABLE `EventPath` (    `event_id` INT NOT NULL,    `is_index_step` TINYINT(1) NOT NULL,    `step_index` INT,    `step_key` TEXT  )"#,
        #"CREATE TABLE `MLMDEnv` (    `schema_version` INTEGER PRIMARY KEY  )"#,
        #"CREATE TABLE `Context` (    `id` INTEGER PRIMARY KEY AUTOINCREMENT,    `type_id` INT NOT NULL,    `name` VARCHAR(255) NOT NULL,    `external_id` VARCHAR(255) UNIQUE,    `create_time_since_epoch` INT NOT NULL DEFAULT 0,    `last_update_time_since_epoch` INT NOT NULL DEFAULT 0,    UNIQUE(`type_id`, `name`)  )"#,
        #"CREATE TABLE `ContextProperty` (    `context_id` INT NOT NULL,    `name` VARCHAR(255) NOT NULL,    `is_custom_property` TINYINT(1) NOT NULL,    `int_value` INT,    `double_value` DOUBLE,    `string_value` TEXT,    `byte_value` BLOB,    `proto_value` BLOB,    `bool_value` BOOLEAN,  PRIMARY KEY (`context_id`, `name`, `is_custom_property`))"#,
        #"CREATE TABLE `ParentContext` (    `context_id` INT NOT NULL,    `parent_context_id` INT NOT NULL,  PRIMARY KEY (`context_id`, `parent_context_id`))"#,
        #"CREATE TABLE `Association` (    `id` INTEGER PRIMARY KEY AUTOINCREMENT,    `context_id` INT NOT NULL,    `execution_id` INT NOT NULL,    UNIQUE(`context_id`, `execution_id`)  )"#,
        #"CREATE TABLE `Attribution` (    `id` INTEGER PRIMARY KEY AUTOINCREMENT,    `context_id` INT NOT NULL,    `artifact_id` INT NOT NULL,    UNIQUE(`context_id`, `artifact_id`)  )"#,
        #"CREATE INDEX `idx_artifact_uri`  ON `Artifact`(`uri`)"#,
        #"CREATE INDEX `idx_artifact_create_time_since_epoch`  ON `Artifact`(`create_time_since_epoch`)"#,
        #"CREATE INDEX `idx_artifact_last_update_time_since_epoch`  ON `Artifact`(`last_update_time_since_epoch`)"#,
        #"CREATE INDEX `idx_event_execution_id`  ON `Event`(`execution_id`)"#,
        #"CREATE INDEX `idx_parentcontext_parent_context_id`  ON `ParentContext`(`parent_context_id`)"#,
        #"CREATE INDEX `idx_type_name`  ON `Type`(`name`)"#,
        #"CREATE INDEX `idx_execution_create_time_since_epoch`  ON `Execution`(`create_time_since_epoch`)"#,
        #"CREATE INDEX `idx_execution_last_update_time_since_epoch`  ON `Execution`(`last_update_time_since_epoch`)"#,
        #"CREATE INDEX `idx_context_create_time_since_epoch`  ON `Context`(`create_time_since_epoch`)"#,
        #"CREATE INDEX `idx_context_last_update_time_since_epoch`  ON `Context`(`last_update_time_since_epoch`)"#,
        #"CREATE INDEX `idx_eventpath_event_id`  ON `EventPath`(`event_id`)"#,
        #"CREATE INDEX `idx_artifact_property_int`  ON `ArtifactProperty`(`name`, `is_custom_property`, `int_value`)  WHERE `int_value` IS NOT NULL"#,
        #"CREATE INDEX `idx_artifact_property_double`  ON `ArtifactProperty`(`name`, `is_custom_property`, `double_value`)  WHERE `double_value` IS NOT NULL"#,
        #"CREATE INDEX `idx_artifact_property_string`  ON `ArtifactProperty`(`name`, `is_custom_property`, `string_value`)  WHERE `string_value` IS NOT NULL"#,
        #"CREATE INDEX `idx_execution_property_int`  ON `ExecutionProperty`(`name`, `is_custom_property`, `int_value`)  WHERE `int_value` IS NOT NULL"#,
        #"CREATE INDEX `idx_execution_property_double`  ON `ExecutionProperty`(`name`, `is_custom_property`, `double_value`)  WHERE `double_value` IS NOT NULL"#,
        #"CREATE INDEX `idx_execution_property_string`  ON `ExecutionProperty`(`name`, `is_custom_property`, `string_value`)  WHERE `string_value` IS NOT NULL"#,
        #"CREATE INDEX `idx_context_property_int`  ON `ContextProperty`(`name`, `is_custom_property`, `int_value`)  WHERE `int_value` IS NOT NULL"#,
        #"CREATE INDEX `idx_context_property_double`  ON `ContextProperty`(`name`, `is_custom_property`, `double_value`)  WHERE `double_value` IS NOT NULL"#,
        #"CREATE INDEX `idx_context_property_string`  ON `ContextProperty`(`name`, `is_custom_property`, `string_value`)  WHERE `string_value` IS NOT NULL"#,
        #"CREATE INDEX `idx_type_external_id`  ON `Type`(`external_id`)"#,
        #"CREATE INDEX `idx_artifact_external_id`  ON `Artifact`(`external_id`)"#,
        #"CREATE INDEX `idx_execution_external_id`  ON `Execution`(`external_id`)"#,
        #"CREATE INDEX `idx_context_external_id`  ON `Context`(`external_id`)"#,
    ]

    /// The simple types every MLMD store starts with, ids 1-9 in this order.
    public static let simpleTypes: [(name: String, kind: TypeKind)] = [
        ("mlmd.Dataset", .artifact), ("mlmd.Model", .artifact), ("mlmd.Metrics", .artifact),
        ("mlmd.Statistics", .artifact), ("mlmd.Train", .execution), ("mlmd.Transform", .execution),
        ("mlmd.Process", .execution), ("mlmd.Evaluate", .execution), ("mlmd.Deploy", .execution),
    ]

    /// Tables a valid MLMD v10 store has; used to tell an MLMD store from any other SQLite file.
    public static let tableNames: [String] = [
        "Type", "TypeProperty", "ParentType", "Artifact", "ArtifactProperty", "Execution",
        "ExecutionProperty", "Event", "EventPath", "MLMDEnv", "Context", "ContextProperty",
        "ParentContext", "Association", "Attribution",
    ]
}
