package dev.attune.adapters;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.attune.AdaptedNetwork;
import dev.attune.BertEncoder;
import dev.attune.BertEncoders;
import dev.attune.FineTuneResult;
import dev.attune.Network;
import dev.attune.adapters.lora.Lora;
import dev.attune.internal.bert.BertGraph;
import dev.attune.spi.AdapterWeights;
import dev.attune.spi.LowRankSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.shade.jackson.databind.JsonNode;
import org.nd4j.shade.jackson.databind.ObjectMapper;

/**
 * LoRA adapters of the BERT encoder across to and from PEFT's layout: the exact files Attune writes, a
 * round trip, and a Python peer (numpy, {@code src/test/python/peft_lora.py}) that builds the same BERT
 * with LoRA by hand: its PEFT directory imported into Attune, and Attune's export read by it, each
 * giving the other side's class probabilities within 1e-5.
 */
class PeftInterchangeTest {
    private static final double TOLERANCE = 1e-5;

    @TempDir
    Path work;

    @Test
    void anExportedAdapterHasPeftsFilesNamesLayoutsAndConfig() throws Exception {
        Network base = Network.of(PeftPeer.tiny());
        FineTuneResult r = PeftPeer.train(base, Lora.rank(4).alpha(8).targets("*.attention.self.query", "*.attention.self.value"));
        AdapterWeights w = r.adapters().orElseThrow();
        Path dir = work.resolve("peft");
        PeftAdapters.export(w, dir, "tiny-bert");

        JsonNode config = new ObjectMapper().readTree(dir.resolve("adapter_config.json").toFile());
        assertThat(config.path("peft_type").asText()).isEqualTo("LORA");
        assertThat(config.path("task_type").asText()).isEqualTo("SEQ_CLS");
        assertThat(config.path("r").asInt()).isEqualTo(4);
        assertThat(config.path("lora_alpha").isIntegralNumber()).isTrue();
        assertThat(config.path("lora_alpha").asInt()).isEqualTo(8);
        assertThat(config.path("lora_dropout").asDouble()).isZero();
        assertThat(config.path("target_modules").toString()).isEqualTo("[\"query\",\"value\"]");
        assertThat(config.path("bias").asText()).isEqualTo("none");
        assertThat(config.path("fan_in_fan_out").asBoolean(true)).isFalse();
        assertThat(config.path("use_dora").asBoolean(true)).isFalse();
        assertThat(config.path("use_rslora").asBoolean(true)).isFalse();
        assertThat(config.path("modules_to_save").toString()).isEqualTo("[\"classifier\"]");
        assertThat(config.path("base_model_name_or_path").asText()).isEqualTo("tiny-bert");
        assertThat(config.path(PeftAdapters.FINGERPRINT_KEY).asText()).isEqualTo(base.fingerprint());

        Map<String, INDArray> tensors = PeftSafetensors.read(dir.resolve("adapter_model.safetensors"));
        String p = "base_model.model.bert.encoder.layer.";
        assertThat(tensors.keySet()).containsExactlyInAnyOrder(
                p + "0.attention.self.query.lora_A.weight", p + "0.attention.self.query.lora_B.weight",
                p + "0.attention.self.value.lora_A.weight", p + "0.attention.self.value.lora_B.weight",
                p + "1.attention.self.query.lora_A.weight", p + "1.attention.self.query.lora_B.weight",
                p + "1.attention.self.value.lora_A.weight", p + "1.attention.self.value.lora_B.weight",
                "base_model.model.classifier.weight", "base_model.model.classifier.bias");
        // PEFT's lora_A [r, in] and lora_B [out, r] are Attune's own; the head is PyTorch's [out, in].
        assertThat(tensors.get(p + "1.attention.self.value.lora_A.weight"))
                .isEqualTo(w.tensor("encoder.1.attention.self.value.lora_A"));
        assertThat(tensors.get(p + "1.attention.self.value.lora_B.weight"))
                .isEqualTo(w.tensor("encoder.1.attention.self.value.lora_B"));
        assertThat(tensors.get("base_model.model.classifier.weight").shape()).containsExactly(3, 16);
        assertThat(tensors.get("base_model.model.classifier.weight")).isEqualTo(w.tensor("head.W").transpose());
        assertThat(tensors.get("base_model.model.classifier.bias")).isEqualTo(w.tensor("head.b").reshape(3));
    }

    @Test
    void exportThenImportGivesTheSameAdapterSealedToItsBase() {
        Network base = Network.of(PeftPeer.tiny());
        // Every projection, rsLoRA: target names that tell output.dense from attention.output.dense.
        FineTuneResult r = PeftPeer.train(base, Lora.rank(2).alpha(3).rsLora(true).targets("encoder.0.*",
                "encoder.1.attention.self.key", "encoder.1.output.dense"));
        AdapterWeights w = r.adapters().orElseThrow();
        Path dir = work.resolve("peft");
        PeftAdapters.export(w, dir);
        AdapterWeights back = PeftAdapters.importFrom(dir, base);

        assertThat(back.tensors().keySet()).containsExactlyElementsOf(w.tensors().keySet());
        assertThat(back.fingerprint()).isEqualTo(w.fingerprint());
        assertThat(back.head()).isEqualTo(w.head());
        assertThat(back.baseFingerprint()).isEqualTo(base.fingerprint());
        LowRankSpec spec = back.method().lowRank().orElseThrow();
        assertThat(spec.rank()).isEqualTo(2);
        assertThat(spec.alpha()).isEqualTo(3.0);
        assertThat(spec.rsLora()).isTrue();
        INDArray x = PeftPeer.tokens(12, 9).features();
        INDArray expected = r.model().output(x);
        assertThat(AdaptedNetwork.of(base).add("peft", back).output(x).equalsWithEps(expected, 1e-5)).isTrue();

        // Sealed: another base is refused at import (the config names the fingerprint) and when served.
        Network other = Network.of(BertEncoders.of(BertGraph.random(
                BertEncoders.graph(PeftPeer.tiny()).config(), 8, org.nd4j.linalg.api.buffer.DataType.FLOAT,
                BertGraph.Lookup.GATHER)));
        assertThatThrownBy(() -> PeftAdapters.importFrom(dir, other)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(base.fingerprint()).hasMessageContaining(other.fingerprint())
                .hasMessageContaining("onto the base model it was trained on");
        assertThatThrownBy(() -> AdaptedNetwork.of(other).add("x", back)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(other.fingerprint());
    }

    @Test
    void anAdapterWithoutAHeadIsPeftsFeatureExtractionLayoutOnABareBertModel() throws Exception {
        // A base with its own head; the adapter trains alone and keeps that head.
        Network headed = PeftPeer.train(Network.of(PeftPeer.tiny()), Lora.rank(2).targets("*.attention.self.query"))
                .model();
        FineTuneResult r = dev.attune.FineTuner.builder(headed).adapter(Lora.rank(4).alpha(4).targets("*.attention.self.value"))
                .optimizer(dev.attune.spi.Optimizer.adam(5e-2)).batchSize(32).epochs(1).seed(4).build()
                .fit(PeftPeer.tokens(64, 3), null);
        AdapterWeights w = r.adapters().orElseThrow();
        assertThat(w.head()).isNull();
        Path dir = work.resolve("bare");
        PeftAdapters.export(w, dir);

        JsonNode config = new ObjectMapper().readTree(dir.resolve("adapter_config.json").toFile());
        assertThat(config.path("task_type").asText()).isEqualTo("FEATURE_EXTRACTION");
        assertThat(config.path("modules_to_save").isNull()).isTrue();
        assertThat(config.path("target_modules").toString()).isEqualTo("[\"value\"]");
        assertThat(PeftSafetensors.read(dir.resolve("adapter_model.safetensors")).keySet()).containsExactlyInAnyOrder(
                "base_model.model.encoder.layer.0.attention.self.value.lora_A.weight",
                "base_model.model.encoder.layer.0.attention.self.value.lora_B.weight",
                "base_model.model.encoder.layer.1.attention.self.value.lora_A.weight",
                "base_model.model.encoder.layer.1.attention.self.value.lora_B.weight");
        AdapterWeights back = PeftAdapters.importFrom(dir, headed);
        assertThat(back.head()).isNull();
        assertThat(back.fingerprint()).isEqualTo(w.fingerprint());
        INDArray x = PeftPeer.tokens(8, 6).features();
        assertThat(AdaptedNetwork.of(headed).add("bare", back).output(x).equalsWithEps(r.model().output(x), 1e-5)).isTrue();
    }

    @Test
    void aPythonPeftAdapterImportsAndGivesPythonsOutputs() throws Exception {
        assumeTrue(PeftPeer.available(), "the Python peer needs " + PeftPeer.PYTHON + " with numpy");
        BertEncoder encoder = PeftPeer.tiny();
        Network base = Network.of(encoder);
        INDArray x = PeftPeer.tokens(24, 5).features();
        Path dir = work.resolve("from-python");
        INDArray python = PeftPeer.run("make", encoder, x, dir, work, "--rank", "4", "--alpha", "8",
                "--targets", "query,value");

        AdapterWeights w = PeftAdapters.importFrom(dir, base);
        assertThat(w.head()).isEqualTo(new AdapterWeights.Head("head", 3));
        assertThat(w.tensors()).hasSize(10);
        assertThat(w.provenance()).containsEntry("lora_dropout", "0.1").containsEntry("source", "peft");
        INDArray attune = AdaptedNetwork.of(base).add("python", w).output(x).castTo(python.dataType());
        double diff = attune.sub(python).amaxNumber().doubleValue();
        System.out.printf("PEFT from Python into Attune: largest difference %.2e%n", diff);
        assertThat(diff).as("largest difference of class probabilities").isLessThan(TOLERANCE);
        // The LoRA tensors matter: with B zeroed the outputs are not Python's.
        Map<String, INDArray> zeroed = new java.util.LinkedHashMap<>(w.tensors());
        zeroed.replaceAll((name, t) -> name.endsWith(".lora_B") ? t.mul(0) : t);
        AdapterWeights headOnly = new AdapterWeights(w.method(), w.head(), zeroed, w.baseFingerprint(), Map.of());
        INDArray without = AdaptedNetwork.of(base).add("head only", headOnly).output(x).castTo(python.dataType());
        assertThat(without.sub(python).amaxNumber().doubleValue()).isGreaterThan(1e-3);
    }

    @Test
    void anAttuneAdapterExportedIsReadByPythonWithAttunesOutputs() throws Exception {
        assumeTrue(PeftPeer.available(), "the Python peer needs " + PeftPeer.PYTHON + " with numpy");
        BertEncoder encoder = PeftPeer.tiny();
        Network base = Network.of(encoder);
        for (Lora lora : List.of(Lora.rank(4).alpha(8).targets("*.attention.self.query", "*.attention.self.value"),
                Lora.rank(2).alpha(5).rsLora(true).targets("encoder.1.*", "encoder.0.intermediate.dense"))) {
            FineTuneResult r = PeftPeer.train(base, lora);
            Path dir = Files.createTempDirectory(work, "to-python");
            PeftAdapters.export(r.adapters().orElseThrow(), dir, "tiny-bert");
            INDArray x = PeftPeer.tokens(24, 5).features();
            INDArray python = PeftPeer.run("run", encoder, x, dir, work);
            INDArray attune = AdaptedNetwork.of(base).add("tuned", r.adapters().orElseThrow()).output(x)
                    .castTo(python.dataType());
            double diff = attune.sub(python).amaxNumber().doubleValue();
            System.out.printf("PEFT from Attune into Python (%s): largest difference %.2e%n", lora, diff);
            assertThat(diff).as(lora + ": largest difference of class probabilities").isLessThan(TOLERANCE);
        }
    }
}
