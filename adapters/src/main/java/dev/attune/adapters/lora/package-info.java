/**
 * LoRA, low-rank adaptation: {@link dev.attune.adapters.lora.Lora} configures it; its layers compute
 * the adapted forward and backward pass of dense, output and convolution layers as whole-array ND4J ops,
 * and of DL4J's self-attention layers as a SameDiff graph, with no gradient for the frozen base weights.
 */
package dev.attune.adapters.lora;
