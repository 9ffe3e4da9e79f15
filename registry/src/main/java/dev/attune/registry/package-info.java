/**
 * The model registry: named models whose versions are artifact files stored by their SHA-256, with
 * their metrics and provenance, moved between stages ({@code staging}, {@code production},
 * {@code archived}), rolled back, pruned and verified, with an audit log of every change.
 *
 * <p>{@link dev.attune.registry.ModelRegistry} is the entry point; its metadata lives in a database
 * reached through a {@link dev.attune.registry.RegistryStore} (SQLite next to the artifacts, or
 * PostgreSQL for a team), its schema created and migrated by Flyway.
 * {@link dev.attune.registry.RegistryCommand} is the operators' command line over the same API.
 * This module depends on {@code attune-core}'s public API alone.
 */
package dev.attune.registry;

