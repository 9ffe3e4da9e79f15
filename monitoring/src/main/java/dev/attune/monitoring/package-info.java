/**
 * Watching a served model and acting on what is seen: serving metrics exported to Prometheus, drift
 * of live inputs against the reference a deployment package carries, and a retraining policy that
 * trains, compares, promotes and rolls back through the model registry.
 *
 * <p>This module depends on {@code core}, {@code evaluation}, {@code deploy}, {@code registry} and
 * {@code serving}, through their public API only; no library module depends on it.
 */
package dev.attune.monitoring;
