/**
 * LoRA, low-rank adaptation, and DoRA: {@link dev.attune.adapters.lora.Lora} configures them; their
 * layers compute the adapted forward and backward pass of dense, output and convolution layers as
 * whole-array ND4J ops, and of DL4J's self-attention layers as a SameDiff graph, with no optimizer
 * state for the frozen base weights (and, for dense, output and attention layers, no gradient for them).
 */
package dev.attune.adapters.lora;
