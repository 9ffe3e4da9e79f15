/**
 * LoRA, low-rank adaptation: {@link dev.attune.adapters.lora.Lora} configures it; its layers compute
 * the adapted forward and backward pass of dense and output layers as whole-array ND4J ops, with no
 * gradient for the frozen base weights.
 */
package dev.attune.adapters.lora;
