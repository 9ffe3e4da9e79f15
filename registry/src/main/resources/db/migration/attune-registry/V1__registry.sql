-- The model registry's schema, version 1. One script for SQLite and PostgreSQL: portable types only,
-- times as epoch milliseconds, and numbers (versions, log entries) given by the registry under the
-- model's lock rather than by a vendor's auto-increment.

-- One row per model: the row a change locks, and the next version number (never reused after a prune).
CREATE TABLE registry_models (
    name         VARCHAR(100) NOT NULL PRIMARY KEY,
    next_version INTEGER      NOT NULL,
    created_at   BIGINT       NOT NULL
);

-- One row per version; the artifact is the file named by its SHA-256 in the model's artifact folder.
CREATE TABLE registry_versions (
    model         VARCHAR(100) NOT NULL REFERENCES registry_models (name),
    version       INTEGER      NOT NULL,
    sha256        CHAR(64)     NOT NULL,
    size_bytes    BIGINT       NOT NULL,
    stage         VARCHAR(20),
    stage_since   BIGINT,
    registered_at BIGINT       NOT NULL,
    registered_by VARCHAR(200) NOT NULL,
    PRIMARY KEY (model, version),
    UNIQUE (model, sha256),
    CHECK (stage IS NULL OR stage IN ('staging', 'production', 'archived'))
);

-- Staging and production hold one version of a model each; the database refuses a second.
CREATE UNIQUE INDEX registry_one_version_per_live_stage ON registry_versions (model, stage)
    WHERE stage IN ('staging', 'production');

CREATE TABLE registry_metrics (
    model        VARCHAR(100)     NOT NULL,
    version      INTEGER          NOT NULL,
    position     INTEGER          NOT NULL,
    metric_name  VARCHAR(200)     NOT NULL,
    metric_value DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (model, version, metric_name),
    FOREIGN KEY (model, version) REFERENCES registry_versions (model, version)
);

CREATE TABLE registry_provenance (
    model       VARCHAR(100) NOT NULL,
    version     INTEGER      NOT NULL,
    position    INTEGER      NOT NULL,
    entry_key   VARCHAR(200) NOT NULL,
    entry_value TEXT         NOT NULL,
    PRIMARY KEY (model, version, entry_key),
    FOREIGN KEY (model, version) REFERENCES registry_versions (model, version)
);

-- Each time a version entered a live stage; a rollback marks the entries it undoes.
CREATE TABLE registry_stage_history (
    model      VARCHAR(100) NOT NULL,
    stage      VARCHAR(20)  NOT NULL,
    seq        INTEGER      NOT NULL,
    version    INTEGER      NOT NULL,
    entered_at BIGINT       NOT NULL,
    undone     INTEGER      NOT NULL,
    PRIMARY KEY (model, stage, seq)
);

-- Every change: who, when, why, and from which version to which. Never updated or deleted.
CREATE TABLE registry_audit (
    model        VARCHAR(100) NOT NULL,
    seq          INTEGER      NOT NULL,
    at           BIGINT       NOT NULL,
    actor        VARCHAR(200) NOT NULL,
    action       VARCHAR(20)  NOT NULL,
    stage        VARCHAR(20),
    from_version INTEGER,
    to_version   INTEGER,
    reason       TEXT         NOT NULL,
    PRIMARY KEY (model, seq)
);
