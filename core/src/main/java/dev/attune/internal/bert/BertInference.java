package dev.attune.internal.bert;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The inference graphs of one view of a BERT model, built once and refreshed from the parameter
 * vector when it may have changed: SameDiff keeps its own copies of variable arrays.
 */
final class BertInference {
    private final BertConfig config;
    private final DataType dataType;
    private final Map<String, INDArray> tensors;
    private final BertLora lora;
    private final List<String> loraModules;
    private final Set<String> merged;
    private final long[] version;
    private BertGraph inference;
    private BertGraph adaptedInference;
    private long synced = -1;
    private long adaptedSynced = -1;

    /**
     * @param tensors the model's tensors, live views into its parameter vector
     * @param merged the adapted modules whose adapter is folded into the base weight (shared, live)
     * @param version how often the parameters may have been written (shared, live)
     */
    BertInference(BertConfig config, DataType dataType, Map<String, INDArray> tensors, BertLora lora,
                  List<String> loraModules, Set<String> merged, long[] version) {
        this.config = config;
        this.dataType = dataType;
        this.tensors = tensors;
        this.lora = lora;
        this.loraModules = loraModules;
        this.merged = merged;
        this.version = version;
    }

    /**
     * Under the handle's lock (its callers hold it): the graphs are built lazily and refreshed in place,
     * which must not interleave with another thread's run.
     *
     * <p>The inference graph (gather lookup) with its weights refreshed from the parameter vector when it
     * may have changed: the plain graph without LoRA or with every adapter merged, else the graph with
     * the adapter path (a merged module's {@code lora_B} given as zero there).
     */
    BertGraph graph() {
        long now = version[0];
        if (lora == null || merged.containsAll(loraModules)) {
            if (inference == null) {
                inference = BertGraph.build(config, tensors, dataType, BertGraph.Lookup.GATHER);
            } else if (synced != now) {
                for (String name : BertGraph.parameterShapes(config).keySet()) {
                    inference.sameDiff().getArrForVarName(name).assign(tensors.get(name));
                }
            }
            synced = now;
            return inference;
        }
        if (adaptedInference == null) {
            adaptedInference = BertGraph.build(config, tensors, dataType, BertGraph.Lookup.GATHER, lora);
            adaptedSynced = -1;
        }
        if (adaptedSynced != now) {
            SameDiff sd = adaptedInference.sameDiff();
            for (String name : BertGraph.parameterShapes(config).keySet()) {
                sd.getArrForVarName(name).assign(tensors.get(name));
            }
            for (String m : loraModules) {
                sd.getArrForVarName(m + ".lora_A").assign(tensors.get(m + ".lora_A"));
                INDArray b = sd.getArrForVarName(m + ".lora_B");
                if (merged.contains(m)) {
                    b.assign(0);
                } else {
                    b.assign(tensors.get(m + ".lora_B"));
                }
            }
        }
        adaptedSynced = now;
        return adaptedInference;
    }
}
