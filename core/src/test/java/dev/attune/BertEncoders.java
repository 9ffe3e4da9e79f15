package dev.attune;

import dev.attune.internal.bert.BertGraph;

/** Lets the tests of the BERT family, in its own package, build encoders from graphs and look inside them. */
public final class BertEncoders {
    private BertEncoders() {
    }

    /** An encoder over the graph (not copied). */
    public static BertEncoder of(BertGraph graph) {
        return BertEncoder.of(graph);
    }

    /** The encoder's graph (shared). */
    public static BertGraph graph(BertEncoder encoder) {
        return encoder.graph();
    }
}
