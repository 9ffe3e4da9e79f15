package dev.attune.adapters;

import static java.util.Objects.requireNonNull;

import dev.attune.AttuneException;
import dev.attune.Network;
import dev.attune.adapters.lora.Lora;
import dev.attune.internal.bert.BertHandle;
import dev.attune.internal.io.Safetensors;
import dev.attune.spi.AdapterWeights;
import dev.attune.spi.LowRankSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.shade.jackson.databind.JsonNode;
import org.nd4j.shade.jackson.databind.ObjectMapper;
import org.nd4j.shade.jackson.databind.node.ArrayNode;
import org.nd4j.shade.jackson.databind.node.ObjectNode;

/**
 * LoRA adapters of the BERT encoder ({@link Network#of(dev.attune.BertEncoder)}) in Hugging Face PEFT's
 * own directory layout, both ways.
 *
 * <p>{@link #export} writes what PEFT's {@code save_pretrained} writes for a {@code LoraConfig} on a
 * BERT model: {@code adapter_config.json} ({@code peft_type "LORA"}, {@code r}, {@code lora_alpha},
 * {@code lora_dropout}, {@code target_modules}, {@code bias "none"}, {@code fan_in_fan_out false},
 * {@code use_rslora}, {@code use_dora false}, {@code task_type "SEQ_CLS"} with
 * {@code modules_to_save ["classifier"]} when a head was trained, {@code "FEATURE_EXTRACTION"}
 * otherwise, {@code base_model_name_or_path}, and {@value #FINGERPRINT_KEY}, the
 * {@link Network#fingerprint() fingerprint} of the base it was trained on) and
 * {@code adapter_model.safetensors} under PEFT's names: the adapter of module
 * {@code encoder.N.attention.self.query} as
 * {@code base_model.model.bert.encoder.layer.N.attention.self.query.lora_A.weight} ({@code [r, in]})
 * and {@code .lora_B.weight} ({@code [out, r]}) ({@code base_model.model.encoder.layer.N...} without a
 * head, PEFT's names on a bare {@code BertModel}), and the head as
 * {@code base_model.model.classifier.weight} ({@code [classes, hidden]}, PyTorch's {@code [out, in]}:
 * the transpose of Attune's {@code head.W}) and {@code .bias}. Attune's {@code lora_A} and
 * {@code lora_B} already have PEFT's layout and scaling ({@code alpha / r}, {@code alpha / sqrt(r)}
 * with rsLoRA), so they are written as they are. The head acts on the mean-pooled last hidden states, as
 * Attune's head does; Hugging Face's {@code BertForSequenceClassification} puts its classifier on the
 * pooler's output of the first token instead, so there the head's weights carry over but not its
 * function.
 *
 * <p>{@link #importFrom} reads such a directory (PEFT's or Attune's) onto a BERT base: the adapter it
 * returns is sealed to that base's fingerprint, so {@code AdaptedNetwork} refuses it on another base as
 * it refuses any adapter file of another base. Everything that does not fit is refused with the
 * problem and the fix: another {@code peft_type}, a target Attune's encoder cannot adapt, an option
 * Attune does not compute ({@code use_dora}, {@code bias} other than {@code "none"},
 * {@code fan_in_fan_out}, {@code layers_to_transform}, {@code rank_pattern}, {@code alpha_pattern},
 * {@code lora_bias}, {@code layer_replication}, {@code exclude_modules}), a tensor missing, unexpected
 * or of a shape the base does not have, a rank other than the config's {@code r}, and a directory
 * made for another base. {@code lora_dropout} only acts in training and is kept in the adapter's
 * provenance; {@code init_lora_weights} is irrelevant to trained weights.
 *
 * <pre>{@code
 * PeftAdapters.export(result.adapters().orElseThrow(), Path.of("out/intents-lora"), "sentence-transformers/all-MiniLM-L6-v2");
 * AdapterWeights back = PeftAdapters.importFrom(Path.of("out/intents-lora"), base);
 * }</pre>
 */
public final class PeftAdapters {
    /** The configuration file PEFT reads and writes. */
    public static final String CONFIG_FILE = "adapter_config.json";
    /** The weights file PEFT reads and writes. */
    public static final String WEIGHTS_FILE = "adapter_model.safetensors";
    /** Attune's key in {@code adapter_config.json}: the fingerprint of the base model the adapter was trained on. */
    public static final String FINGERPRINT_KEY = "attune_base_fingerprint";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PREFIX = "base_model.model.";
    private static final String BERT = "bert.";
    private static final String CLASSIFIER = "classifier";
    /** The projections of one layer, in forward order, under Hugging Face's names. */
    private static final List<String> PROJECTIONS = List.of("attention.self.query", "attention.self.key",
            "attention.self.value", "attention.output.dense", "intermediate.dense", "output.dense");
    private static final Pattern MODULE = Pattern.compile("encoder\\.(\\d+)\\.(.+)\\.lora_([AB])");
    /** Options of PEFT's LoraConfig that change what the adapter computes and that Attune does not compute. */
    private static final Map<String, String> UNSUPPORTED = unsupported();

    private PeftAdapters() {
    }

    /**
     * As {@link #export(AdapterWeights, Path, String)} with no {@code base_model_name_or_path}.
     */
    public static void export(AdapterWeights adapter, Path dir) {
        export(adapter, dir, null);
    }

    /**
     * Writes a LoRA adapter of the BERT encoder into {@code dir} as PEFT does: {@value #CONFIG_FILE} and
     * {@value #WEIGHTS_FILE} (each written atomically; the directory is created when missing, other
     * files in it are left alone). The tensors keep their data type (float32 for a float32 encoder).
     *
     * @param adapter a LoRA adapter trained on {@code Network.of(BertEncoder)} ({@code result.adapters()})
     * @param dir the directory to write
     * @param baseModelNameOrPath what PEFT records as {@code base_model_name_or_path} (a Hugging Face
     *     model id such as {@code "sentence-transformers/all-MiniLM-L6-v2"}), or {@code null}
     * @throws IllegalArgumentException when the adapter is no plain LoRA of the BERT encoder (another
     *     method, DoRA, a trained bias, a tensor that is no encoder projection's adapter or the head's)
     * @throws AttuneException when the files cannot be written
     */
    public static void export(AdapterWeights adapter, Path dir, String baseModelNameOrPath) {
        requireNonNull(adapter, "adapter");
        requireNonNull(dir, "dir");
        LowRankSpec spec = adapter.method().lowRank().orElseThrow(() -> new IllegalArgumentException(
                "the adapter method '" + adapter.method().name() + "' has no PEFT LoRA form; export a LoRA adapter"
                        + " (Lora.rank(r)) trained on the BERT encoder, or save this one with AdapterFile.save"));
        if (spec.dora()) {
            throw new IllegalArgumentException("DoRA adapters are not exported to PEFT (the BERT encoder does not train"
                    + " them); train plain LoRA, or save this one with AdapterFile.save");
        }
        if (spec.bias() != LowRankSpec.Bias.NONE) {
            throw new IllegalArgumentException("LoRA bias " + spec.bias() + " is not exported to PEFT (the BERT encoder"
                    + " trains no biases); train with bias NONE, or save this one with AdapterFile.save");
        }
        AdapterWeights.Head head = adapter.head();
        String prefix = PREFIX + (head != null ? BERT : "");
        Map<String, INDArray> out = new LinkedHashMap<>();
        Map<Integer, Set<String>> adapted = new TreeMap<>();
        for (Map.Entry<String, INDArray> e : adapter.tensors().entrySet()) {
            String name = e.getKey();
            Matcher m = MODULE.matcher(name);
            if (m.matches() && PROJECTIONS.contains(m.group(2))) {
                int layer = Integer.parseInt(m.group(1));
                adapted.computeIfAbsent(layer, k -> new LinkedHashSet<>()).add(m.group(2));
                out.put(prefix + "encoder.layer." + layer + "." + m.group(2) + ".lora_" + m.group(3) + ".weight", e.getValue());
            } else if (head != null && name.equals(head.name() + ".W")) {
                out.put(PREFIX + CLASSIFIER + ".weight", e.getValue().transpose().dup('c'));
            } else if (head != null && name.equals(head.name() + ".b")) {
                out.put(PREFIX + CLASSIFIER + ".bias", e.getValue().reshape(e.getValue().length()));
            } else {
                throw new IllegalArgumentException("tensor '" + name + "' has no place in PEFT's LoRA layout of BERT;"
                        + " export adapters trained on Network.of(BertEncoder), whose tensors are"
                        + " encoder.N.<projection>.lora_A and .lora_B and the head's W and b");
            }
        }
        if (adapted.isEmpty()) {
            throw new IllegalArgumentException("the adapter holds no LoRA tensors of encoder projections (tensors: "
                    + adapter.tensors().keySet() + "); export a LoRA adapter trained on Network.of(BertEncoder)");
        }
        ObjectNode config = JSON.createObjectNode();
        config.putObject("alpha_pattern");
        config.putNull("auto_mapping");
        if (baseModelNameOrPath == null) {
            config.putNull("base_model_name_or_path");
        } else {
            config.put("base_model_name_or_path", baseModelNameOrPath);
        }
        config.put("bias", "none");
        config.put("fan_in_fan_out", false);
        config.put("inference_mode", true);
        if (spec.init() == LowRankSpec.Init.GAUSSIAN) {
            config.put("init_lora_weights", "gaussian");
        } else {
            config.put("init_lora_weights", true);
        }
        config.putNull("layers_pattern");
        config.putNull("layers_to_transform");
        if (spec.alpha() == Math.rint(spec.alpha()) && Math.abs(spec.alpha()) < 1e15) {
            config.put("lora_alpha", (long) spec.alpha());
        } else {
            config.put("lora_alpha", spec.alpha());
        }
        config.put("lora_dropout", spec.dropout());
        if (head != null) {
            config.putArray("modules_to_save").add(CLASSIFIER);
        } else {
            config.putNull("modules_to_save");
        }
        config.put("peft_type", "LORA");
        config.put("r", spec.rank());
        config.putObject("rank_pattern");
        config.putNull("revision");
        ArrayNode targets = config.putArray("target_modules");
        targetModules(adapted).forEach(targets::add);
        config.put("task_type", head != null ? "SEQ_CLS" : "FEATURE_EXTRACTION");
        config.put("use_dora", false);
        config.put("use_rslora", spec.rsLora());
        config.put(FINGERPRINT_KEY, adapter.baseFingerprint());
        try {
            Files.createDirectories(dir);
            Safetensors.write(dir.resolve(WEIGHTS_FILE), out, Map.of("format", "pt"));
            byte[] json = JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(config);
            Path tmp = Files.createTempFile(dir, CONFIG_FILE, ".tmp");
            try {
                Files.write(tmp, json);
                Files.move(tmp, dir.resolve(CONFIG_FILE), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new AttuneException("cannot write the PEFT adapter into " + dir.toAbsolutePath() + ": " + e.getMessage(), e);
        }
    }

    /**
     * PEFT's {@code target_modules} for the adapted projections: a projection's own name
     * ({@code query}, {@code attention.output.dense}, ...) when every layer has it and no other
     * projection's name ends with it, each module's full name ({@code encoder.layer.N.output.dense})
     * otherwise. PEFT takes a module when its name is a target or ends with {@code "." + target}.
     */
    private static List<String> targetModules(Map<Integer, Set<String>> adapted) {
        int layers = adapted.keySet().stream().mapToInt(Integer::intValue).max().orElse(-1) + 1;
        List<String> out = new ArrayList<>();
        for (String p : PROJECTIONS) {
            boolean everywhere = adapted.size() == layers && adapted.values().stream().allMatch(s -> s.contains(p));
            String shortName = p.startsWith("attention.self.") ? p.substring("attention.self.".length()) : p;
            // "output.dense" alone would also take attention.output.dense.
            boolean ambiguous = p.equals("output.dense") && !adapted.values().stream()
                    .allMatch(s -> s.contains("attention.output.dense"));
            if (everywhere && !ambiguous) {
                out.add(shortName);
            } else {
                adapted.forEach((layer, s) -> {
                    if (s.contains(p)) {
                        out.add("encoder.layer." + layer + "." + p);
                    }
                });
            }
        }
        return out;
    }

    /**
     * Reads a PEFT LoRA directory ({@value #CONFIG_FILE} and {@value #WEIGHTS_FILE}) onto a BERT base:
     * the adapter of each targeted projection (query and value, or any of the six projections of a
     * layer) and, when the directory holds {@code classifier.weight} and {@code .bias}, a new head
     * {@code "head"} of that many classes. The result is sealed to {@code base}'s fingerprint and its
     * tensors take the base's data type; serve it with {@code AdaptedNetwork.of(base).add(name, it)}.
     *
     * @param dir a directory written by PEFT's {@code save_pretrained} or by {@link #export}
     * @param base the BERT encoder the adapter was trained on ({@code Network.of(BertEncoder)})
     * @throws IllegalArgumentException when the base is no BERT encoder, when the directory does not
     *     fit it (another architecture or peft_type, a target Attune cannot adapt, a tensor missing,
     *     unexpected or mis-shaped, a rank other than the config's {@code r}, an adapter made for
     *     another base) or uses a PEFT option Attune does not compute; the message names it and the fix
     * @throws AttuneException when a file is missing or cannot be read
     */
    public static AdapterWeights importFrom(Path dir, Network base) {
        requireNonNull(dir, "dir");
        requireNonNull(base, "base");
        if (!(base.handle() instanceof BertHandle bert)) {
            throw new IllegalArgumentException("PEFT LoRA adapters are imported onto the BERT encoder"
                    + " (Network.of(BertEncoder)), not onto " + base + "; load the encoder the adapter was trained on");
        }
        JsonNode config = readConfig(dir);
        String where = dir.resolve(CONFIG_FILE).toString();
        String peftType = config.path("peft_type").asText("");
        if (!peftType.equals("LORA")) {
            throw new IllegalArgumentException(where + " has peft_type '" + peftType + "'; Attune imports PEFT's LORA"
                    + " adapters only: give the directory of a LoraConfig adapter");
        }
        String task = config.path("task_type").isNull() ? "" : config.path("task_type").asText("");
        if (!task.isEmpty() && !task.equals("SEQ_CLS") && !task.equals("FEATURE_EXTRACTION")) {
            throw new IllegalArgumentException(where + " has task_type '" + task + "', a task of another architecture;"
                    + " Attune imports BERT adapters for SEQ_CLS (with the classifier) or FEATURE_EXTRACTION");
        }
        for (Map.Entry<String, String> u : UNSUPPORTED.entrySet()) {
            JsonNode v = config.path(u.getKey());
            boolean set = !(v.isMissingNode() || v.isNull() || (v.isBoolean() && !v.asBoolean())
                    || (v.isContainerNode() && v.size() == 0) || (u.getKey().equals("bias") && v.asText().equals("none")));
            if (set) {
                throw new IllegalArgumentException(where + " sets " + u.getKey() + " = " + v + ", which Attune does not"
                        + " compute on the BERT encoder; " + u.getValue());
            }
        }
        int rank = config.path("r").asInt(0);
        if (!config.path("r").isIntegralNumber() || rank < 1) {
            throw new IllegalArgumentException(where + " has r = " + config.path("r") + "; a LoRA config needs a whole"
                    + " rank of at least 1");
        }
        double alpha = config.path("lora_alpha").asDouble(Double.NaN);
        if (!config.path("lora_alpha").isNumber() || !(alpha > 0) || Double.isInfinite(alpha)) {
            throw new IllegalArgumentException(where + " has lora_alpha = " + config.path("lora_alpha")
                    + "; a LoRA config needs a finite lora_alpha above 0");
        }
        JsonNode modulesToSave = config.path("modules_to_save");
        if (modulesToSave.isArray()) {
            for (JsonNode m : modulesToSave) {
                // PEFT adds "classifier" and "score" to every SEQ_CLS config.
                if (!m.asText().equals(CLASSIFIER) && !m.asText().equals("score")) {
                    throw new IllegalArgumentException(where + " saves module '" + m.asText() + "' in full"
                            + " (modules_to_save); Attune's encoder trains only the classifier head beside LoRA:"
                            + " keep modules_to_save to [\"classifier\"]");
                }
            }
        }
        String fingerprint = config.path(FINGERPRINT_KEY).asText("");
        if (!fingerprint.isEmpty() && !fingerprint.equals(base.fingerprint())) {
            throw new IllegalArgumentException("the adapter in " + dir + " was trained on base model " + fingerprint
                    + ", not on this one (" + base.fingerprint() + "); import it onto the base model it was trained on");
        }

        // Which modules the targets take, as PEFT matches them: a name equal to a target or ending with "." + target.
        Map<String, INDArray> params = bert.parameters();
        int layers = 0;
        while (params.containsKey("encoder." + layers + ".attention.self.query.weight")) {
            layers++;
        }
        List<String> modules = new ArrayList<>();   // Attune's names, forward order
        List<String> targets = targets(config.path("target_modules"), where);
        Set<String> unused = new LinkedHashSet<>(targets);
        for (int n = 0; n < layers; n++) {
            for (String p : PROJECTIONS) {
                String hf = "bert.encoder.layer." + n + "." + p;
                for (String t : targets) {
                    if (hf.equals(t) || hf.endsWith("." + t)) {
                        unused.remove(t);
                        if (!modules.contains("encoder." + n + "." + p)) {
                            modules.add("encoder." + n + "." + p);
                        }
                    }
                }
            }
        }
        if (!unused.isEmpty()) {
            throw new IllegalArgumentException(where + " targets " + unused + ", which name no projection of this"
                    + " BERT encoder; Attune adapts query, key, value, attention.output.dense, intermediate.dense and"
                    + " output.dense of encoder.layer.0 to " + (layers - 1) + ": target those");
        }

        Map<String, INDArray> file = readWeights(dir);
        boolean bare = file.keySet().stream().anyMatch(k -> k.startsWith(PREFIX + "encoder."));
        String prefix = PREFIX + (bare ? "" : BERT);
        DataType type = bert.params().dataType();
        Map<String, INDArray> tensors = new LinkedHashMap<>();
        Set<String> remaining = new LinkedHashSet<>(file.keySet());
        for (String m : modules) {
            long[] w = params.get(m + ".weight").shape();   // [in, out]
            String hf = prefix + m.replaceFirst("^encoder\\.", "encoder.layer.");
            INDArray a = take(file, remaining, hf + ".lora_A.weight", dir);
            INDArray b = take(file, remaining, hf + ".lora_B.weight", dir);
            check(a, new long[] {rank, w[0]}, hf + ".lora_A.weight", rank, dir);
            check(b, new long[] {w[1], rank}, hf + ".lora_B.weight", rank, dir);
            tensors.put(m + ".lora_A", a.castTo(type));
            tensors.put(m + ".lora_B", b.castTo(type));
        }
        AdapterWeights.Head head = null;
        String cw = PREFIX + CLASSIFIER + ".weight";
        String cb = PREFIX + CLASSIFIER + ".bias";
        if (file.containsKey(cw) || file.containsKey(cb)) {
            INDArray w = take(file, remaining, cw, dir);
            INDArray b = take(file, remaining, cb, dir);
            long hidden = params.get("encoder.0.attention.self.query.weight").size(0);
            if (w.rank() != 2 || w.size(1) != hidden || w.size(0) < 2) {
                throw new IllegalArgumentException(dir.resolve(WEIGHTS_FILE) + ": tensor '" + cw + "' has shape "
                        + java.util.Arrays.toString(w.shape()) + " where this encoder's head needs [classes, " + hidden
                        + "] (at least 2 classes, PyTorch's [out, in]); export the classifier of an adapter of this base");
            }
            if (b.rank() != 1 || b.size(0) != w.size(0)) {
                throw new IllegalArgumentException(dir.resolve(WEIGHTS_FILE) + ": tensor '" + cb + "' has shape "
                        + java.util.Arrays.toString(b.shape()) + " where [" + w.size(0) + "] was expected (one bias per"
                        + " class of '" + cw + "'); export the classifier's weight and bias together");
            }
            head = new AdapterWeights.Head("head", (int) w.size(0));
            tensors.put("head.W", w.transpose().castTo(type).dup('c'));
            tensors.put("head.b", b.castTo(type));
        }
        if (!remaining.isEmpty()) {
            throw new IllegalArgumentException(dir.resolve(WEIGHTS_FILE) + " holds " + remaining + ", which the config's"
                    + " target_modules " + targets + " do not explain on this BERT encoder (expected "
                    + prefix + "encoder.layer.N.<projection>.lora_A.weight and .lora_B.weight, and "
                    + PREFIX + "classifier.weight and .bias); remove them or give target_modules that cover them");
        }
        Lora method = Lora.rank(rank).alpha(alpha).rsLora(config.path("use_rslora").asBoolean(false))
                .targets(modules.toArray(String[]::new));
        Map<String, String> provenance = new LinkedHashMap<>();
        provenance.put("source", "peft");
        provenance.put("peft_dir", dir.toAbsolutePath().toString());
        if (config.hasNonNull("base_model_name_or_path")) {
            provenance.put("base_model_name_or_path", config.path("base_model_name_or_path").asText());
        }
        provenance.put("lora_dropout", config.path("lora_dropout").asText("0"));
        return new AdapterWeights(method, head, tensors, base.fingerprint(), provenance);
    }

    private static List<String> targets(JsonNode node, String where) {
        if (!node.isArray() || node.size() == 0) {
            throw new IllegalArgumentException(where + " has target_modules = " + node + "; Attune reads a list of module"
                    + " names such as [\"query\", \"value\"] (a regular expression or \"all-linear\" is not read): list"
                    + " the modules");
        }
        List<String> out = new ArrayList<>();
        for (JsonNode t : node) {
            if (!t.isTextual() || t.asText().isBlank()) {
                throw new IllegalArgumentException(where + " has a target module " + t + "; give module names such as"
                        + " \"query\"");
            }
            out.add(t.asText());
        }
        return out;
    }

    private static INDArray take(Map<String, INDArray> file, Set<String> remaining, String key, Path dir) {
        INDArray t = file.get(key);
        if (t == null) {
            throw new IllegalArgumentException(dir.resolve(WEIGHTS_FILE) + " has no tensor '" + key + "', which its"
                    + " config's target_modules and modules_to_save call for; write the adapter again with PEFT's"
                    + " save_pretrained or PeftAdapters.export, or fix target_modules");
        }
        remaining.remove(key);
        return t;
    }

    private static void check(INDArray t, long[] expected, String key, int rank, Path dir) {
        long[] s = t.shape();
        if (s.length == 2 && java.util.Arrays.equals(s, expected)) {
            return;
        }
        boolean otherRank = s.length == 2 && (key.endsWith("lora_A.weight") ? s[1] == expected[1] && s[0] != rank
                : s[0] == expected[0] && s[1] != rank);
        if (otherRank) {
            throw new IllegalArgumentException(dir.resolve(WEIGHTS_FILE) + ": tensor '" + key + "' has rank "
                    + (key.endsWith("lora_A.weight") ? s[0] : s[1]) + " but the config's r is " + rank
                    + " (shape " + java.util.Arrays.toString(s) + ", expected " + java.util.Arrays.toString(expected)
                    + "); set r in " + CONFIG_FILE + " to the rank the adapter was trained with");
        }
        throw new IllegalArgumentException(dir.resolve(WEIGHTS_FILE) + ": tensor '" + key + "' has shape "
                + java.util.Arrays.toString(s) + " where this base needs " + java.util.Arrays.toString(expected)
                + " (PyTorch's layout, lora_A [r, in], lora_B [out, r]); import the adapter onto the base model it was"
                + " trained on");
    }

    private static JsonNode readConfig(Path dir) {
        Path file = dir.resolve(CONFIG_FILE);
        if (!Files.isRegularFile(file)) {
            throw new AttuneException("no " + CONFIG_FILE + " in " + dir.toAbsolutePath() + "; give the directory PEFT's"
                    + " save_pretrained (or PeftAdapters.export) wrote", null);
        }
        try {
            JsonNode node = JSON.readTree(file.toFile());
            if (node == null || !node.isObject()) {
                throw new IllegalArgumentException(file + " is not a JSON object; give the adapter_config.json PEFT wrote");
            }
            return node;
        } catch (IOException e) {
            throw new IllegalArgumentException(file + " is not valid JSON (" + e.getMessage() + "); give the"
                    + " adapter_config.json PEFT wrote", e);
        }
    }

    private static Map<String, INDArray> readWeights(Path dir) {
        Path file = dir.resolve(WEIGHTS_FILE);
        if (!Files.isRegularFile(file)) {
            String hint = Files.isRegularFile(dir.resolve("adapter_model.bin"))
                    ? "; it holds adapter_model.bin (PyTorch pickle), which Attune does not read: save with"
                            + " safe_serialization=True" : "; give the directory PEFT's save_pretrained wrote";
            throw new AttuneException("no " + WEIGHTS_FILE + " in " + dir.toAbsolutePath() + hint, null);
        }
        try {
            return PeftSafetensors.read(file);
        } catch (IOException e) {
            throw new AttuneException("cannot read " + file.toAbsolutePath() + ": " + e.getMessage(), e);
        }
    }

    private static Map<String, String> unsupported() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("use_dora", "train plain LoRA (use_dora=False)");
        m.put("bias", "train with bias=\"none\"");
        m.put("fan_in_fan_out", "BERT's projections are nn.Linear: use fan_in_fan_out=False");
        m.put("layers_to_transform", "adapt every layer (layers_to_transform=None), or name each module in target_modules");
        m.put("layers_pattern", "leave layers_pattern unset");
        m.put("rank_pattern", "train one rank for every module (rank_pattern={})");
        m.put("alpha_pattern", "train one alpha for every module (alpha_pattern={})");
        m.put("lora_bias", "train without a bias on lora_B (lora_bias=False)");
        m.put("layer_replication", "leave layer_replication unset");
        m.put("exclude_modules", "list the modules to adapt in target_modules instead");
        m.put("target_parameters", "target modules, not parameters");
        return m;
    }
}
