package dev.attune.internal.bert;

import dev.attune.spi.ModelFileException;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.shade.jackson.databind.JsonNode;
import org.nd4j.shade.jackson.databind.ObjectMapper;

/**
 * The BERT family's model file: a zip of two entries, {@value #JSON} (format {@value #FORMAT}, its
 * tag: the data type, the {@link BertConfig}, the head's name and classes or {@code null}, and every
 * tensor's name, shape and offset into the parameter vector) and {@value #PARAMS} (the flat vector in
 * ND4J's binary format, {@code Nd4j.write}). Models with LoRA are written merged.
 */
final class BertFile {
    static final String JSON = "attune-bert.json";
    static final String PARAMS = "params.bin";
    static final String FORMAT = "attune-bert/1";
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private BertFile() {
    }

    /** The model file's JSON: format, data type, configuration, head and tensor layout. */
    static JsonNode description(BertHandle h) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("format", FORMAT);
        d.put("dataType", h.dataType().name());
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("vocabSize", h.config().vocabSize());
        c.put("hiddenSize", h.config().hiddenSize());
        c.put("numLayers", h.config().numLayers());
        c.put("numHeads", h.config().numHeads());
        c.put("intermediateSize", h.config().intermediateSize());
        c.put("maxPositions", h.config().maxPositions());
        c.put("typeVocabSize", h.config().typeVocabSize());
        c.put("layerNormEps", h.config().layerNormEps());
        d.put("config", c);
        d.put("head", h.headClasses() > 0 ? Map.of("name", h.headName(), "classes", h.headClasses()) : null);
        if (h.lora() != null) {
            d.put("lora", h.lora().toString());
        }
        List<Map<String, Object>> t = new ArrayList<>();
        BertLayout.shapes(h.config(), h.lora(), h.headName(), h.headClasses()).forEach((name, shape) -> {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("name", name);
            e.put("shape", shape);
            e.put("offset", h.offset(name)[0]);
            t.add(e);
        });
        d.put("tensors", t);
        return MAPPER.valueToTree(d);
    }

    /**
     * Writes the model file.
     *
     * @throws IllegalStateException for a model with LoRA (its file holds plain encoders only: write
     *     {@link BertHandle#mergedCopy()} instead)
     */
    static void write(BertHandle h, Path file) throws IOException {
        if (h.lora() != null) {
            throw new IllegalStateException("a BERT encoder with LoRA is written merged; save the fine-tuning result's"
                    + " model (merged) or the adapter with AdapterFile.save");
        }
        try (OutputStream os = Files.newOutputStream(file); ZipOutputStream zip = new ZipOutputStream(os)) {
            zip.putNextEntry(new ZipEntry(JSON));
            zip.write(MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(description(h)));
            zip.closeEntry();
            zip.putNextEntry(new ZipEntry(PARAMS));
            DataOutputStream out = new DataOutputStream(zip);
            Nd4j.write(h.vector(), out);
            out.flush();
            zip.closeEntry();
        }
    }

    /**
     * Reads a model file written by {@link #write}.
     *
     * @throws ModelFileException when an entry is missing or does not match the description
     */
    static BertHandle read(ZipFile zip, String source) throws IOException {
        try {
            return readChecked(zip, source);
        } catch (RuntimeException e) {
            if (e instanceof ModelFileException) {
                throw e;
            }
            throw new ModelFileException("BERT model file " + source + " could not be read (truncated or corrupted?): "
                    + e + "; write it again with Network.save", e);
        }
    }

    private static BertHandle readChecked(ZipFile zip, String source) throws IOException {
        ZipEntry params = zip.getEntry(PARAMS);
        if (params == null) {
            throw new ModelFileException("BERT model file " + source + " lacks " + PARAMS
                    + "; write it again with Network.save");
        }
        JsonNode d = MAPPER.readTree(zip.getInputStream(zip.getEntry(JSON)));
        if (!FORMAT.equals(d.path("format").asText())) {
            throw new ModelFileException("BERT model file " + source + " has format '" + d.path("format").asText()
                    + "', expected '" + FORMAT + "'; write it again with Network.save");
        }
        JsonNode c = d.get("config");
        BertConfig config = new BertConfig(c.get("vocabSize").asInt(), c.get("hiddenSize").asInt(),
                c.get("numLayers").asInt(), c.get("numHeads").asInt(), c.get("intermediateSize").asInt(),
                c.get("maxPositions").asInt(), c.get("typeVocabSize").asInt(), c.get("layerNormEps").asDouble());
        JsonNode head = d.get("head");
        String headName = head == null || head.isNull() ? null : head.get("name").asText();
        int classes = headName == null ? 0 : head.get("classes").asInt();
        INDArray flat;
        try (DataInputStream in = new DataInputStream(zip.getInputStream(params))) {
            flat = Nd4j.read(in);
        }
        DataType dataType = DataType.valueOf(d.get("dataType").asText());
        long expected = BertLayout.count(BertLayout.shapes(config, headName, classes));
        if (flat.dataType() != dataType || flat.length() != expected) {
            throw new ModelFileException("BERT model file " + source + " holds " + flat.length() + " " + flat.dataType()
                    + " parameters, its description " + expected + " " + dataType + "; write it again with Network.save");
        }
        BertHandle h = BertHandle.plain(config, dataType, headName, classes, flat.reshape('c', 1, flat.length()).dup('c'));
        if (!h.architecture().equals(MAPPER.valueToTree(d).toString())) {
            throw new ModelFileException("BERT model file " + source + " describes a tensor layout other than "
                    + FORMAT + "'s; write it again with Network.save");
        }
        return h;
    }
}
