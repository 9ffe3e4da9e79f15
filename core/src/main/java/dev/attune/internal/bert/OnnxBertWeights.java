package dev.attune.internal.bert;

import dev.attune.spi.ModelFileException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Maps the initializers of a PyTorch-exported BERT ONNX file (Hugging Face {@code BertModel}, e.g.
 * all-MiniLM-L6-v2) to {@link BertGraph}'s parameters, and reads the configuration from them.
 *
 * <p>Such a file keeps embeddings, biases and layer norms under their module names
 * ({@code encoder.layer.0.attention.self.query.bias}) but stores each Linear weight as an anonymous
 * initializer ({@code onnx::MatMul_787}) already transposed to {@code [in, out]}; its module is the
 * name of the {@code MatMul} node that consumes it ({@code /encoder/layer.0/attention/self/query/MatMul}).
 * The head count comes from the attention's scale constant (1 / sqrt(head size)) and the layer-norm
 * epsilon from the embedding layer norm's constant (HF's default 1e-12 when the file has none).
 */
public final class OnnxBertWeights {
    private static final String FIX = "; give the ONNX export of a BERT / MiniLM model"
            + " (such as all-MiniLM-L6-v2's model.onnx, float32)";

    private OnnxBertWeights() {
    }

    /** The configuration and the weights (float, by {@link BertGraph} name) of a BERT ONNX model. */
    public record Loaded(BertConfig config, Map<String, INDArray> weights) {
    }

    /**
     * @param source the file name, for messages
     * @throws ModelFileException when a tensor is missing or of the wrong shape, or the model is not BERT-shaped
     */
    public static Loaded load(OnnxModel model, String source) {
        Map<String, OnnxModel.Tensor> init = model.initializers();
        Map<String, OnnxModel.Tensor> byModule = new LinkedHashMap<>(init);
        for (OnnxModel.Node node : model.nodes()) {
            if (node.opType().equals("MatMul") && node.inputs().size() == 2 && init.containsKey(node.inputs().get(1))
                    && node.name().endsWith("/MatMul")) {
                String module = node.name().substring(node.name().startsWith("/") ? 1 : 0, node.name().length() - 7)
                        .replace('/', '.');
                byModule.putIfAbsent(module + ".weight", init.get(node.inputs().get(1)));
            }
        }
        OnnxModel.Tensor words = require(byModule, "embeddings.word_embeddings.weight", source, 2);
        OnnxModel.Tensor positions = require(byModule, "embeddings.position_embeddings.weight", source, 2);
        OnnxModel.Tensor types = require(byModule, "embeddings.token_type_embeddings.weight", source, 2);
        OnnxModel.Tensor intermediate = require(byModule, "encoder.layer.0.intermediate.dense.bias", source, 1);
        int layers = 0;
        while (byModule.containsKey("encoder.layer." + layers + ".attention.self.query.bias")) {
            layers++;
        }
        int hidden = (int) words.dims()[1];
        int headSize = headSize(model, source);
        if (headSize < 1 || hidden % headSize != 0) {
            throw new ModelFileException(source + ": the attention scale gives a head size of " + headSize
                    + ", which does not divide the hidden size " + hidden + FIX);
        }
        double eps = model.node("/embeddings/LayerNorm/Add")
                .filter(n -> n.inputs().size() == 2)
                .flatMap(n -> model.constant(n.inputs().get(1)))
                .map(f -> Double.parseDouble(Float.toString(f))).orElse(1e-12); // 1e-12, not float's 9.99999996e-13
        BertConfig config = new BertConfig((int) words.dims()[0], hidden, layers, hidden / headSize,
                (int) intermediate.dims()[0], (int) positions.dims()[0], (int) types.dims()[0], eps);

        Map<String, INDArray> weights = new LinkedHashMap<>();
        BertGraph.parameterShapes(config).forEach((name, shape) -> {
            String onnxName = name.startsWith("encoder.") ? "encoder.layer." + name.substring(8) : name;
            OnnxModel.Tensor t = byModule.get(onnxName);
            if (t == null) {
                throw new ModelFileException(source + " has no tensor '" + onnxName + "' of shape " + Arrays.toString(shape)
                        + FIX);
            }
            if (!Arrays.equals(t.dims(), shape)) {
                throw new ModelFileException(source + ": tensor '" + onnxName + "'"
                        + (t.name().equals(onnxName) ? "" : " (initializer '" + t.name() + "')") + " has shape "
                        + t.shape() + ", expected " + Arrays.toString(shape) + FIX);
            }
            weights.put(name, Nd4j.createFromArray(t.floats()).reshape(shape));
        });
        return new Loaded(config, weights);
    }

    private static OnnxModel.Tensor require(Map<String, OnnxModel.Tensor> tensors, String name, String source, int rank) {
        OnnxModel.Tensor t = tensors.get(name);
        if (t == null) {
            throw new ModelFileException(source + " has no tensor '" + name + "'; it holds " + tensors.size()
                    + " initializers" + FIX);
        }
        if (t.dims().length != rank) {
            throw new ModelFileException(source + ": tensor '" + name + "' has shape " + t.shape() + ", expected rank "
                    + rank + FIX);
        }
        return t;
    }

    /** The head size from layer 0's attention scale: scores divided by sqrt(head size) (or multiplied by its inverse). */
    private static int headSize(OnnxModel model, String source) {
        Optional<Double> scale = model.node("/encoder/layer.0/attention/self/Div")
                .filter(n -> n.inputs().size() == 2)
                .flatMap(n -> model.constant(n.inputs().get(1)))
                .map(Float::doubleValue);
        if (scale.isEmpty()) {
            scale = model.node("/encoder/layer.0/attention/self/Mul")
                    .filter(n -> n.inputs().size() == 2)
                    .flatMap(n -> model.constant(n.inputs().get(1)))
                    .map(f -> 1.0 / f);
        }
        return (int) Math.round(Math.pow(scale.orElseThrow(() -> new ModelFileException(source
                + " has no attention scale constant (node '/encoder/layer.0/attention/self/Div'), so the number of"
                + " heads is unknown" + FIX)), 2));
    }
}
