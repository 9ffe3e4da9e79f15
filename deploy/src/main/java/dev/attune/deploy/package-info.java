/**
 * Deployment packages: one sealed file ({@code *.attune}) per fine-tuned model, holding the model (or
 * a base model's reference and its adapter), the preprocessing it needs (a tabular transform, a
 * tokenizer and its maximum length, or an image's shape and scaling), its class names and input
 * signature, its evaluation, model card, provenance and reproduction instructions.
 * {@link dev.attune.deploy.ModelPackage} writes and verifies them (SHA-256 per entry and over the
 * manifest, an optional Ed25519 signature made with {@link dev.attune.deploy.PackageKeys}), and gives
 * a {@link dev.attune.deploy.Predictor} from raw input to class probabilities.
 *
 * <p>This module depends on {@code core}, {@code data}, {@code evaluation} and {@code adapters}, through
 * their public API only; no library module depends on it.
 */
package dev.attune.deploy;

