package dev.attune.adapters;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.attune.AttuneException;
import dev.attune.Network;
import dev.attune.adapters.lora.Lora;
import dev.attune.internal.io.Safetensors;
import dev.attune.spi.AdapterWeights;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.shade.jackson.databind.ObjectMapper;
import org.nd4j.shade.jackson.databind.node.ObjectNode;

/**
 * What {@link PeftAdapters} refuses, each with the problem and the fix named: PEFT directories that do
 * not fit the BERT base (another peft_type or task, targets, keys, shapes, a rank other than r, options
 * Attune does not compute) and adapters that have no PEFT form. Each case starts from a directory that
 * imports (checked) and changes one thing.
 */
class PeftAdaptersRefusalTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String Q0 = "base_model.model.bert.encoder.layer.0.attention.self.query";
    private static Network base;
    private static AdapterWeights adapter;

    @TempDir
    Path work;

    @BeforeAll
    static void train() {
        base = Network.of(PeftPeer.tiny());
        adapter = PeftPeer.train(base, Lora.rank(4).alpha(8).targets("*.attention.self.query", "*.attention.self.value"))
                .adapters().orElseThrow();
    }

    private Path exported() {
        Path dir = work.resolve("peft");
        PeftAdapters.export(adapter, dir);
        assertThat(PeftAdapters.importFrom(dir, base).fingerprint()).isEqualTo(adapter.fingerprint());
        return dir;
    }

    private Path withConfig(Consumer<ObjectNode> change) throws IOException {
        Path dir = exported();
        ObjectNode config = (ObjectNode) JSON.readTree(dir.resolve(PeftAdapters.CONFIG_FILE).toFile());
        change.accept(config);
        Files.writeString(dir.resolve(PeftAdapters.CONFIG_FILE), config.toString());
        return dir;
    }

    private Path withTensors(Consumer<Map<String, INDArray>> change) throws IOException {
        Path dir = exported();
        Map<String, INDArray> t = new LinkedHashMap<>(PeftSafetensors.read(dir.resolve(PeftAdapters.WEIGHTS_FILE)));
        change.accept(t);
        Safetensors.write(dir.resolve(PeftAdapters.WEIGHTS_FILE), t, Map.of("format", "pt"));
        return dir;
    }

    private static void refused(Path dir, String... fragments) {
        var thrown = assertThatThrownBy(() -> PeftAdapters.importFrom(dir, base)).isInstanceOf(IllegalArgumentException.class);
        for (String f : fragments) {
            thrown.hasMessageContaining(f);
        }
    }

    @Test
    void anotherPeftTypeOrTaskIsRefused() throws IOException {
        refused(withConfig(c -> c.put("peft_type", "IA3")), "peft_type 'IA3'", "LORA adapters only");
        refused(withConfig(c -> c.put("task_type", "CAUSAL_LM")), "task_type 'CAUSAL_LM'", "SEQ_CLS");
    }

    @Test
    void optionsAttuneDoesNotComputeAreRefusedByName() throws IOException {
        refused(withConfig(c -> c.put("use_dora", true)), "use_dora = true", "use_dora=False");
        refused(withConfig(c -> c.put("bias", "all")), "bias = \"all\"", "bias=\"none\"");
        refused(withConfig(c -> c.put("fan_in_fan_out", true)), "fan_in_fan_out = true", "fan_in_fan_out=False");
        refused(withConfig(c -> c.putArray("layers_to_transform").add(0)), "layers_to_transform = [0]",
                "layers_to_transform=None");
        refused(withConfig(c -> c.putObject("rank_pattern").put("query", 8)), "rank_pattern = {\"query\":8}",
                "rank_pattern={}");
        refused(withConfig(c -> c.putObject("alpha_pattern").put("value", 32)), "alpha_pattern = {\"value\":32}",
                "alpha_pattern={}");
        refused(withConfig(c -> c.put("lora_bias", true)), "lora_bias = true", "lora_bias=False");
        refused(withConfig(c -> c.putArray("layer_replication").addArray().add(0).add(1)), "layer_replication = [[0,1]]");
        refused(withConfig(c -> c.putArray("exclude_modules").add("key")), "exclude_modules = [\"key\"]",
                "in target_modules instead");
        refused(withConfig(c -> c.putArray("modules_to_save").add("classifier").add("pooler")), "module 'pooler'",
                "modules_to_save to [\"classifier\"]");
    }

    @Test
    void targetsAttuneCannotAdaptAreRefused() throws IOException {
        refused(withConfig(c -> c.putArray("target_modules").add("q_proj").add("v_proj")), "[q_proj, v_proj]",
                "name no projection", "query, key, value");
        refused(withConfig(c -> c.put("target_modules", "all-linear")), "target_modules = \"all-linear\"",
                "list the modules");
    }

    @Test
    void missingUnexpectedAndMisShapedTensorsAreRefused() throws IOException {
        refused(withTensors(t -> t.remove(Q0 + ".lora_B.weight")), "no tensor '" + Q0 + ".lora_B.weight'",
                "fix target_modules");
        refused(withTensors(t -> t.put("base_model.model.bert.pooler.dense.lora_A.weight", Nd4j.zeros(DataType.FLOAT, 4, 16))),
                "holds [base_model.model.bert.pooler.dense.lora_A.weight]", "remove them");
        refused(withTensors(t -> t.put(Q0 + ".lora_A.weight", Nd4j.zeros(DataType.FLOAT, 4, 8))),
                "'" + Q0 + ".lora_A.weight' has shape [4, 8] where this base needs [4, 16]", "the base model it was trained on");
        refused(withTensors(t -> t.put("base_model.model.classifier.weight", Nd4j.zeros(DataType.FLOAT, 3, 12))),
                "'base_model.model.classifier.weight' has shape [3, 12]", "[classes, 16]");
        refused(withTensors(t -> t.remove("base_model.model.classifier.bias")),
                "no tensor 'base_model.model.classifier.bias'");
    }

    @Test
    void aRankOtherThanTheConfigsIsRefused() throws IOException {
        refused(withConfig(c -> c.put("r", 8)), "has rank 4 but the config's r is 8", "set r in adapter_config.json");
        refused(withConfig(c -> c.put("r", 0)), "r = 0");
    }

    @Test
    void anotherBaseOrNoBertBaseIsRefused() throws IOException {
        Path dir = exported();
        Network mlp = Network.of(TestNets.base(4, 8, 3, true, DataType.FLOAT, 1));
        assertThatThrownBy(() -> PeftAdapters.importFrom(dir, mlp)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("onto the BERT encoder (Network.of(BertEncoder))");
        Path foreign = withConfig(c -> c.put(PeftAdapters.FINGERPRINT_KEY, "0123abcd"));
        refused(foreign, "trained on base model 0123abcd", base.fingerprint());
    }

    @Test
    void missingFilesAreRefusedWithWhatToGive() throws IOException {
        Path empty = Files.createDirectories(work.resolve("empty"));
        assertThatThrownBy(() -> PeftAdapters.importFrom(empty, base)).isInstanceOf(AttuneException.class)
                .hasMessageContaining("no adapter_config.json");
        Path dir = exported();
        Files.move(dir.resolve(PeftAdapters.WEIGHTS_FILE), dir.resolve("adapter_model.bin"));
        assertThatThrownBy(() -> PeftAdapters.importFrom(dir, base)).isInstanceOf(AttuneException.class)
                .hasMessageContaining("no adapter_model.safetensors").hasMessageContaining("safe_serialization=True");
    }

    @Test
    void adaptersWithoutAPeftFormOfBertAreNotExported() {
        AdapterWeights mlp = new AdapterWeights(Lora.rank(2).targets("dense0"), null,
                Map.of("dense0.lora_A", Nd4j.zeros(2, 4), "dense0.lora_B", Nd4j.zeros(8, 2)), base.fingerprint(), Map.of());
        assertThatThrownBy(() -> PeftAdapters.export(mlp, work.resolve("x"))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'dense0.lora_").hasMessageContaining("has no place in PEFT's LoRA layout of BERT")
                .hasMessageContaining("Network.of(BertEncoder)");
        AdapterWeights dora = new AdapterWeights(Lora.rank(4).dora(), adapter.head(), adapter.tensors(),
                adapter.baseFingerprint(), Map.of());
        assertThatThrownBy(() -> PeftAdapters.export(dora, work.resolve("y"))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("DoRA").hasMessageContaining("plain LoRA");
    }
}
