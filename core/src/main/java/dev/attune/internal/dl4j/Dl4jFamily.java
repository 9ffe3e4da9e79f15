package dev.attune.internal.dl4j;

import dev.attune.spi.ModelFamily;
import dev.attune.spi.ModelFileException;
import dev.attune.spi.ModelHandle;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.zip.ZipFile;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;

/**
 * DL4J's {@link MultiLayerNetwork} and {@link ComputationGraph}. Its files are DL4J model zips
 * ({@code ModelSerializer}'s format): {@value #CONFIGURATION} and {@value #COEFFICIENTS} are its tag.
 */
public final class Dl4jFamily implements ModelFamily {
    /** The one instance. */
    public static final Dl4jFamily INSTANCE = new Dl4jFamily();
    static final String CONFIGURATION = "configuration.json";
    static final String COEFFICIENTS = "coefficients.bin";

    private Dl4jFamily() {
    }

    /** The handle over a multi-layer network (shared, not copied). */
    public static ModelHandle handle(MultiLayerNetwork network) {
        return new MlnHandle(network);
    }

    /**
     * The handle over a computation graph (shared, not copied).
     *
     * @throws IllegalArgumentException unless it has one input and one output
     */
    public static ModelHandle handle(ComputationGraph graph) {
        return new GraphHandle(graph);
    }

    @Override
    public String name() {
        return "dl4j";
    }

    @Override
    public String formatTag() {
        return "dl4j-model-zip";
    }

    @Override
    public boolean recognises(ZipFile zip) {
        return zip.getEntry(CONFIGURATION) != null && zip.getEntry(COEFFICIENTS) != null;
    }

    @Override
    public ModelHandle read(ZipFile zip, Path file) throws IOException {
        var conf = zip.getEntry(CONFIGURATION);
        var coefficients = zip.getEntry(COEFFICIENTS);
        if (conf == null || coefficients == null) {
            throw new ModelFileException("checkpoint " + file + " is a zip but not a DL4J model: it lacks "
                    + (conf == null ? CONFIGURATION : COEFFICIENTS)
                    + "; give a zip written by Network.save or ModelSerializer.writeModel");
        }
        String json = new String(zip.getInputStream(conf).readAllBytes(), StandardCharsets.UTF_8);
        boolean graph = json.contains("\"vertices\"");
        try {
            return graph ? new GraphHandle(ModelSerializer.restoreComputationGraph(file.toFile(), false))
                    : new MlnHandle(ModelSerializer.restoreMultiLayerNetwork(file.toFile(), false));
        } catch (Exception | Error e) {
            throw new ModelFileException("checkpoint " + file + " could not be read (truncated or corrupted?): "
                    + e + "; write it again with Network.save", e);
        }
    }

    @Override
    public String toString() {
        return "DL4J networks (" + formatTag() + ")";
    }
}
