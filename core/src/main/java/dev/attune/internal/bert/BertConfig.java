package dev.attune.internal.bert;

/**
 * The shape of a BERT encoder, as Hugging Face's {@code BertConfig} names it.
 *
 * @param vocabSize the number of token ids (word-embedding rows)
 * @param hiddenSize the width of every hidden state
 * @param numLayers the number of transformer layers
 * @param numHeads the number of attention heads; divides {@code hiddenSize}
 * @param intermediateSize the width of the feed-forward layer
 * @param maxPositions the longest sequence (position-embedding rows)
 * @param typeVocabSize the number of token types (segment-embedding rows)
 * @param layerNormEps the epsilon added to the variance in every layer norm
 */
public record BertConfig(int vocabSize, int hiddenSize, int numLayers, int numHeads, int intermediateSize, int maxPositions,
        int typeVocabSize, double layerNormEps) {

    /** Validates. */
    public BertConfig {
        positive("vocabSize", vocabSize);
        positive("hiddenSize", hiddenSize);
        positive("numLayers", numLayers);
        positive("numHeads", numHeads);
        positive("intermediateSize", intermediateSize);
        positive("maxPositions", maxPositions);
        positive("typeVocabSize", typeVocabSize);
        if (hiddenSize % numHeads != 0) {
            throw new IllegalArgumentException("hiddenSize " + hiddenSize + " is not a multiple of numHeads " + numHeads
                    + "; choose heads that divide the hidden size");
        }
        if (!(layerNormEps > 0)) {
            throw new IllegalArgumentException("layerNormEps must be > 0, got " + layerNormEps);
        }
    }

    private static void positive(String name, int value) {
        if (value < 1) {
            throw new IllegalArgumentException(name + " must be >= 1, got " + value);
        }
    }

    /** The width of one attention head. */
    int headSize() {
        return hiddenSize / numHeads;
    }
}
