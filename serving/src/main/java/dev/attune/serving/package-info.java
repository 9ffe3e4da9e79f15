/**
 * In-process serving: {@link dev.attune.serving.PredictorService} answers many concurrent callers
 * with one model, gathering their requests into micro-batches (up to {@code maxBatch} rows, or what
 * arrived within {@code maxWait} of the first), with a bounded queue, per-request timeouts, a clean
 * shutdown and counters read as a {@link dev.attune.serving.ServingStats} snapshot. It serves a
 * {@link dev.attune.Network}'s feature rows, a deployment package's image
 * {@link dev.attune.deploy.Predictor}, or any {@link dev.attune.serving.BatchFunction}.
 *
 * <p>This module depends on {@code core} and {@code deploy}, through their public API only; no library
 * module depends on it.
 */
package dev.attune.serving;
