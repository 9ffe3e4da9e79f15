/**
 * Serving many adapters on one base model in one pass: a model family's forward pass in which each
 * row of a batch goes through its own low-rank adapter, the base layers running once for the batch.
 */
package dev.attune.internal.multi;
