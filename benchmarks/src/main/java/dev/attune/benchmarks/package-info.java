/**
 * Runnable end-to-end jobs: the quickstart (pretrain on Fashion-MNIST, fine-tune on MNIST digits
 * against training from scratch) and the training-loop benchmark against DL4J's own {@code fit}.
 */
package dev.attune.benchmarks;
