package dev.attune.internal.bert;

import static java.util.Objects.requireNonNull;

import dev.attune.internal.layers.InputChecks;
import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The checks of a BERT encoder's inputs, one wording wherever they come from: token ids as whole
 * numbers in the vocabulary, a 0/1 mask with a token in every row, a length the position
 * embeddings allow.
 */
public final class TokenInputs {
    private TokenInputs() {
    }

    /**
     * Checks ids and mask given apart, both {@code [n, seqLen]}.
     *
     * @throws IllegalArgumentException for mismatched shapes, NaN or infinite values, no row, a length outside {@code [1, maxLength]},
     *     an id outside the vocabulary, a mask value other than 0 or 1, or a row with no token
     */
    public static void checkIdsAndMask(INDArray ids, INDArray mask, int vocabSize, int maxLength) {
        requireNonNull(ids, "ids");
        requireNonNull(mask, "mask");
        if (ids.rank() != 2 || !Arrays.equals(ids.shape(), mask.shape())) {
            throw new IllegalArgumentException("ids and mask must both be [n, seqLen], got ids "
                    + Arrays.toString(ids.shape()) + " and mask " + Arrays.toString(mask.shape()));
        }
        InputChecks.requireFinite(ids);
        InputChecks.requireFinite(mask);
        if (ids.size(0) < 1 || ids.size(1) < 1 || ids.size(1) > maxLength) {
            throw new IllegalArgumentException("ids " + Arrays.toString(ids.shape()) + " must hold at least one row"
                    + " and a length in [1, " + maxLength + "]; truncate longer sequences");
        }
        checkIds(ids, vocabSize);
        checkMask(mask);
    }

    /**
     * Checks {@code [n, 2, seqLen]} features: channel 0 the token ids, channel 1 the attention mask.
     *
     * @throws IllegalArgumentException for another shape, a length over the model's positions, or ids
     *     and mask that {@link #checkIdsAndMask} refuses
     */
    public static void checkFeatures(INDArray features, BertConfig config) {
        if (features.rank() != 3 || features.size(1) != 2) {
            throw new IllegalArgumentException("a BERT network takes [n, 2, seqLen] features (channel 0 token ids,"
                    + " channel 1 the attention mask, as TokenizedText.features() gives), got "
                    + Arrays.toString(features.shape()));
        }
        if (features.size(2) > config.maxPositions()) {
            throw new IllegalArgumentException("sequences of length " + features.size(2) + " exceed the model's "
                    + config.maxPositions() + " positions; tokenise with a smaller maximum length");
        }
        checkIds(features.get(NDArrayIndex.all(), NDArrayIndex.point(0), NDArrayIndex.all()), config.vocabSize());
        checkMask(features.get(NDArrayIndex.all(), NDArrayIndex.point(1), NDArrayIndex.all()));
    }

    /** Whole numbers in {@code [0, vocabSize)}, of any numeric type. */
    private static void checkIds(INDArray ids, int vocabSize) {
        INDArray longIds = ids.castTo(DataType.INT64);
        long min = longIds.minNumber().longValue();
        long max = longIds.maxNumber().longValue();
        if (min < 0 || max >= vocabSize || !ids.castTo(DataType.DOUBLE).equals(longIds.castTo(DataType.DOUBLE))) {
            throw new IllegalArgumentException("token ids must be whole numbers in [0, " + vocabSize + "), got values in ["
                    + (ids.dataType().isIntType() ? min + ", " + max : ids.minNumber() + ", " + ids.maxNumber())
                    + "]; tokenise with the model's own vocabulary");
        }
    }

    /** Only 0 (padding) and 1 (token), at least one token per row. */
    private static void checkMask(INDArray mask) {
        INDArray m = mask.castTo(DataType.DOUBLE);
        if (m.mul(m.rsub(1.0)).amaxNumber().doubleValue() != 0) { // m (1 - m) is 0 only for 0 and 1
            throw new IllegalArgumentException("the mask must hold only 0 (padding) and 1 (token)");
        }
        INDArray tokens = m.sum(1);
        if (tokens.minNumber().doubleValue() < 1) {
            throw new IllegalArgumentException("row " + Nd4j.argMin(tokens).getInt(0)
                    + " of the mask has no token (all 0); every input needs at least one token");
        }
    }
}
