/**
 * Bottleneck adapters (Houlsby et al., 2019): {@link dev.attune.adapters.bottleneck.Bottleneck}
 * configures them; their layers compute a frozen dense layer followed by a small trainable residual
 * network (down-projection, nonlinearity, up-projection) as whole-array ND4J ops, with no gradient
 * for the frozen base weights.
 */
package dev.attune.adapters.bottleneck;
