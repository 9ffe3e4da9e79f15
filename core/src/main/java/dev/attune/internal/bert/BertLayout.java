package dev.attune.internal.bert;

import dev.attune.spi.LayerInfo;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.common.util.ArrayUtil;

/**
 * The parameter layout of a BERT model: every tensor's name and shape in the order of the flat
 * parameter vector (the encoder's, then LoRA's, then the head's), and the layers they make up.
 */
final class BertLayout {
    private BertLayout() {
    }

    /** Every tensor's name and shape, encoder first, then the head's {@code W} and {@code b}. */
    static Map<String, long[]> shapes(BertConfig config, String headName, int headClasses) {
        return shapes(config, null, headName, headClasses);
    }

    /**
     * Every tensor's name and shape: the encoder's, then with LoRA each adapted module's
     * {@code lora_A} {@code [r, in]} and {@code lora_B} {@code [out, r]} in module order, then the
     * head's {@code W} and {@code b}.
     */
    static Map<String, long[]> shapes(BertConfig config, BertLora lora, String headName, int headClasses) {
        Map<String, long[]> s = new LinkedHashMap<>(BertGraph.parameterShapes(config));
        if (lora != null) {
            for (String m : lora.modules(config)) {
                long[] w = s.get(m + ".weight"); // [in, out]
                s.put(m + ".lora_A", new long[] {lora.rank(), w[0]});
                s.put(m + ".lora_B", new long[] {w[1], lora.rank()});
            }
        }
        if (headClasses > 0) {
            s.put(headName + ".W", new long[] {config.hiddenSize(), headClasses});
            s.put(headName + ".b", new long[] {headClasses});
        }
        return s;
    }

    /** The number of values in tensors of these shapes. */
    public static long count(Map<String, long[]> shapes) {
        return shapes.values().stream().mapToLong(ArrayUtil::prodLong).sum();
    }

    /** Whether a tensor is an adapter's ({@code <module>.lora_A} or {@code .lora_B}). */
    static boolean isAdapterTensor(String name) {
        return name.endsWith(".lora_A") || name.endsWith(".lora_B");
    }

    /** The layer a tensor belongs to: {@code embeddings}, {@code encoder.N}, or else the head. */
    static String layerOf(String tensor, String head) {
        if (tensor.startsWith("embeddings.")) {
            return "embeddings";
        }
        if (tensor.startsWith("encoder.")) {
            return tensor.substring(0, tensor.indexOf('.', "encoder.".length()));
        }
        return head;
    }

    /** The layers, in forward order, with the number of parameters of each; the head last, when there is one. */
    static List<LayerInfo> layers(BertConfig config, BertLora lora, String head, int classes) {
        Map<String, Long> sizes = new LinkedHashMap<>();
        shapes(config, lora, head, classes).forEach((name, shape) ->
                sizes.merge(layerOf(name, head), ArrayUtil.prodLong(shape), Long::sum));
        List<LayerInfo> out = new ArrayList<>();
        String previous = "input";
        int i = 0;
        for (Map.Entry<String, Long> e : sizes.entrySet()) {
            String type = e.getKey().equals("embeddings") ? "BertEmbeddings"
                    : e.getKey().equals(head) ? "OutputLayer" : "BertLayer";
            out.add(new LayerInfo(e.getKey(), i++, type, e.getValue(), List.of(previous)));
            previous = e.getKey();
        }
        return List.copyOf(out);
    }
}
