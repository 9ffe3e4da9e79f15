package dev.attune.deploy;

import static java.util.Objects.requireNonNull;

import dev.attune.AttuneException;
import dev.attune.FineTuneResult;
import dev.attune.Network;
import dev.attune.Provenance;
import dev.attune.adapters.AdapterFile;
import dev.attune.data.TabularTransform;
import dev.attune.data.WordPieceTokenizer;
import dev.attune.evaluation.DriftReference;
import dev.attune.evaluation.EvaluationReport;
import dev.attune.evaluation.FairnessCheck;
import dev.attune.evaluation.ModelCard;
import dev.attune.spi.AdapterWeights;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Builds and writes one {@link ModelPackage}. Each option is set once; {@link #write(Path)} checks
 * that they fit together (one model, one kind of preprocessing, as many class names as the model has
 * outputs, features of the shape the model takes) before anything is written, then writes the file
 * atomically and reads it back verified.
 *
 * <p>Required: a model ({@link #model(Network)}, {@link #from(FineTuneResult)} or
 * {@link #adapter(AdapterWeights)}) and its preprocessing ({@link #tabular(TabularTransform)},
 * {@link #text(Path, int)} or {@link #image(float, long...)}). Class names come from
 * {@link #classNames(List)}, else from the tabular transform, else from the evaluation report.
 */
public final class PackageBuilder {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");
    private static final java.time.LocalDateTime ENTRY_TIME = java.time.LocalDateTime.of(2000, 1, 1, 0, 0);

    private final String name;
    private Network model;
    private AdapterWeights adapter;
    private String baseDescription = "";
    private List<String> classNames;
    private InputKind kind;
    private TabularTransform transform;
    private byte[] tokenizerJson;
    private WordPieceTokenizer tokenizer;
    private float divisor;
    private long[] imageShape;
    private EvaluationReport report;
    private ModelCard card;
    private Provenance provenance;
    private String command;
    private PrivateKey signingKey;
    private DriftReference drift;

    PackageBuilder(String name) {
        requireNonNull(name, "name");
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("a package name is 1 to 100 letters, digits, '.', '_' or '-', starting with"
                    + " a letter or digit, got '" + name + "'; for example \"credit-risk\"");
        }
        this.name = name;
    }

    /**
     * The whole (merged) model: a DL4J network, or a BERT encoder with its head.
     *
     * @throws IllegalStateException when a model or adapter is already set
     */
    public PackageBuilder model(Network network) {
        requireNonNull(network, "network");
        requireNoModel();
        this.model = network;
        return this;
    }

    /**
     * The fine-tuned model and its provenance, from a fine-tuning result.
     *
     * @throws IllegalStateException when a model, adapter or provenance is already set
     */
    public PackageBuilder from(FineTuneResult result) {
        requireNonNull(result, "result");
        model(result.model());
        return provenance(result.provenance());
    }

    /**
     * An adapter instead of a whole model: the package holds the adapter file (sealed to its base
     * model's fingerprint) and a reference to the base; the base model is given when the package is used.
     *
     * @throws IllegalStateException when a model or adapter is already set
     */
    public PackageBuilder adapter(AdapterWeights weights) {
        requireNonNull(weights, "weights");
        requireNoModel();
        this.adapter = weights;
        return this;
    }

    /**
     * A description of an adapter's base model for people (such as {@code "all-MiniLM-L6-v2"}), named
     * in the package and in the refusal of another base. The fingerprint is what is checked.
     */
    public PackageBuilder baseModel(String description) {
        this.baseDescription = requireNonNull(description, "description");
        return this;
    }

    /**
     * The class names, in the model's output order.
     *
     * @throws IllegalArgumentException for fewer than two names, a blank one or a repeated one
     */
    public PackageBuilder classNames(List<String> names) {
        requireNonNull(names, "names");
        if (classNames != null) {
            throw new IllegalStateException("class names are already set");
        }
        List<String> copy = List.copyOf(names);
        if (copy.size() < 2 || copy.stream().anyMatch(String::isBlank) || copy.stream().distinct().count() != copy.size()) {
            throw new IllegalArgumentException("class names are two or more distinct, non-blank names, got " + copy);
        }
        this.classNames = copy;
        return this;
    }

    /**
     * A tabular model's preprocessing: the transform fitted on its training data. Its class names are
     * the package's unless {@link #classNames(List)} gives them.
     *
     * @throws IllegalStateException when a preprocessing is already set
     */
    public PackageBuilder tabular(TabularTransform transform) {
        requireNonNull(transform, "transform");
        requireNoInput();
        this.kind = InputKind.TABULAR;
        this.transform = transform;
        return this;
    }

    /**
     * A text model's preprocessing: the Hugging Face {@code tokenizer.json} its token ids come from and
     * the maximum length (special tokens included) its texts were encoded at, padded to that length.
     *
     * @throws IllegalStateException when a preprocessing is already set
     * @throws AttuneException when the file is missing or not a WordPiece tokenizer
     * @throws IllegalArgumentException for a maximum length the tokenizer refuses
     */
    public PackageBuilder text(Path tokenizerJson, int maxLength) {
        requireNonNull(tokenizerJson, "tokenizerJson");
        requireNoInput();
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(tokenizerJson);
        } catch (IOException e) {
            throw new AttuneException("cannot read the tokenizer file " + tokenizerJson.toAbsolutePath() + ": " + e, e);
        }
        this.tokenizer = WordPieceTokenizer.fromJson(new ByteArrayInputStream(bytes), tokenizerJson.toString())
                .withMaxLength(maxLength);
        this.tokenizerJson = bytes;
        this.kind = InputKind.TEXT;
        return this;
    }

    /**
     * An image model's preprocessing: each raw pixel value is divided by {@code divisor} (255 for 8-bit
     * pixels, as {@code Idx} and the bundled images are scaled), and an image is shaped as
     * {@code shape} (one example, without the batch dimension: {@code 784} for a flat MNIST image,
     * {@code 1, 28, 28} for a CNN's).
     *
     * @throws IllegalStateException when a preprocessing is already set
     * @throws IllegalArgumentException for a divisor that is not positive and finite, or an empty or
     *     non-positive shape
     */
    public PackageBuilder image(float divisor, long... shape) {
        requireNonNull(shape, "shape");
        requireNoInput();
        if (!(divisor > 0) || !Float.isFinite(divisor)) {
            throw new IllegalArgumentException("the pixel divisor must be positive and finite, got " + divisor
                    + "; use 255 for 8-bit pixels");
        }
        if (shape.length == 0 || Arrays.stream(shape).anyMatch(d -> d < 1)) {
            throw new IllegalArgumentException("an image's shape is one or more positive sizes, got "
                    + Arrays.toString(shape) + "; for example 1, 28, 28");
        }
        this.kind = InputKind.IMAGE;
        this.divisor = divisor;
        this.imageShape = shape.clone();
        return this;
    }

    /**
     * The evaluation on test data: packaged as JSON and HTML, its headline metrics in the manifest;
     * its provenance is the package's unless {@link #provenance(Provenance)} gives one.
     */
    public PackageBuilder evaluation(EvaluationReport report) {
        requireNonNull(report, "report");
        if (this.report != null) {
            throw new IllegalStateException("an evaluation is already set");
        }
        this.report = report;
        return this;
    }

    /**
     * The model card (packaged as Markdown); its report is packaged as the evaluation when none is given.
     *
     * @throws IllegalArgumentException at {@link #write} when the card is of another report than the
     *     evaluation's
     */
    public PackageBuilder modelCard(ModelCard card) {
        requireNonNull(card, "card");
        if (this.card != null) {
            throw new IllegalStateException("a model card is already set");
        }
        this.card = card;
        return this;
    }

    /** How the model was made (seed, options, data fingerprints, versions). */
    public PackageBuilder provenance(Provenance provenance) {
        requireNonNull(provenance, "provenance");
        if (this.provenance != null) {
            throw new IllegalStateException("a provenance is already set");
        }
        this.provenance = provenance;
        return this;
    }

    /**
     * The drift reference production traffic is compared with (built from the training or validation
     * data, see {@code DriftReference.builder()}): packaged as JSON of its schema and sealed like every
     * entry, read back by {@link ModelPackage#driftReference()}.
     *
     * @throws IllegalStateException when a drift reference is already set
     * @throws IllegalArgumentException at {@link #write} when its predictions are over another number of
     *     classes than the package's
     */
    public PackageBuilder driftReference(DriftReference reference) {
        requireNonNull(reference, "reference");
        if (this.drift != null) {
            throw new IllegalStateException("a drift reference is already set");
        }
        this.drift = reference;
        return this;
    }

    /** The command that runs the fine-tuning again, written into {@code REPRODUCE.md}. */
    public PackageBuilder reproduceCommand(String command) {
        requireNonNull(command, "command");
        if (command.isBlank()) {
            throw new IllegalArgumentException("the reproduce command is blank; give the command that trains the model");
        }
        this.command = command;
        return this;
    }

    /**
     * Signs the package with an Ed25519 private key ({@link PackageKeys}): the signature covers the
     * manifest's SHA-256, and so every entry.
     *
     * @throws IllegalArgumentException for a key of another algorithm
     */
    public PackageBuilder signWith(PrivateKey key) {
        requireNonNull(key, "key");
        PackageKeys.requireEd25519(key.getAlgorithm());
        this.signingKey = key;
        return this;
    }

    /**
     * Checks the options, writes the package to {@code file} (a name ending in {@code .attune}) under a
     * temporary name in the same directory, moves it into place, and reads it back verified.
     *
     * @throws IllegalStateException when no model or no preprocessing is set
     * @throws IllegalArgumentException for options that do not fit together (the message says which)
     * @throws AttuneException when the file cannot be written
     */
    public ModelPackage write(Path file) {
        requireNonNull(file, "file");
        if (!file.getFileName().toString().endsWith(".attune")) {
            throw new IllegalArgumentException("a package file's name ends in .attune, got " + file.getFileName()
                    + "; for example " + name + ".attune");
        }
        if (model == null && adapter == null) {
            throw new IllegalStateException("no model to package; call model(network), from(result) or adapter(weights)");
        }
        if (kind == null) {
            throw new IllegalStateException("no preprocessing; call tabular(transform), text(tokenizerJson, maxLength) or"
                    + " image(divisor, shape...) for the input the model takes");
        }
        EvaluationReport evaluation = report;
        if (card != null) {
            if (evaluation == null) {
                evaluation = card.report();
            } else if (card.report() != evaluation) {
                throw new IllegalArgumentException("the model card was built from another report than the evaluation;"
                        + " build it with ModelCard.builder(report) from the packaged report");
            }
        }
        List<String> classes = classes(evaluation);
        if (drift != null && drift.hasPredictions() && drift.classes() != classes.size()) {
            throw new IllegalArgumentException("the drift reference's predictions are over " + drift.classes()
                    + " classes but the package has " + classes.size() + " (" + classes + "); build the reference"
                    + " from this model's predictions");
        }
        InputSignature input = signature();
        checkModel(input, classes);
        Provenance how = provenance != null ? provenance : evaluation != null ? evaluation.provenance() : null;

        Map<String, byte[]> entries = new LinkedHashMap<>();
        Map<String, String> modelInfo = new LinkedHashMap<>();
        try {
            Path tmpDir = Files.createTempDirectory("attune-package-");
            try {
                if (model != null) {
                    Path zip = tmpDir.resolve("model.zip");
                    model.save(zip);
                    entries.put(ModelPackage.MODEL, Files.readAllBytes(zip));
                    modelInfo.put("kind", "merged");
                    modelInfo.put("entry", ModelPackage.MODEL);
                    modelInfo.put("fingerprint", model.fingerprint());
                } else {
                    Path st = tmpDir.resolve("adapter.safetensors");
                    AdapterFile.save(adapter, st);
                    entries.put(ModelPackage.ADAPTER, Files.readAllBytes(st));
                    modelInfo.put("kind", "adapter");
                    modelInfo.put("entry", ModelPackage.ADAPTER);
                    modelInfo.put("format", AdapterFile.FORMAT);
                    modelInfo.put("method", adapter.method().name());
                    modelInfo.put("baseFingerprint", adapter.baseFingerprint());
                    modelInfo.put("baseModel", baseDescription);
                }
            } finally {
                try (var files = Files.list(tmpDir)) {
                    for (Path p : files.toList()) {
                        Files.deleteIfExists(p);
                    }
                }
                Files.deleteIfExists(tmpDir);
            }
        } catch (IOException e) {
            throw new AttuneException("cannot stage the model for package " + file.toAbsolutePath() + ": " + e, e);
        }
        Map<String, String> preprocessing = new LinkedHashMap<>();
        preprocessing.put("kind", kind.name().toLowerCase(Locale.ROOT));
        switch (kind) {
            case TABULAR -> {
                entries.put(ModelPackage.TRANSFORM, utf8(transform.toText()));
                preprocessing.put("transform", ModelPackage.TRANSFORM);
            }
            case TEXT -> {
                entries.put(ModelPackage.TOKENIZER, tokenizerJson);
                preprocessing.put("tokenizer", ModelPackage.TOKENIZER);
                preprocessing.put("maxLength", String.valueOf(tokenizer.maxLength()));
                preprocessing.put("padding", tokenizer.padding().name());
            }
            case IMAGE -> preprocessing.put("divisor", Float.toString(divisor));
        }
        if (evaluation != null) {
            entries.put(ModelPackage.EVALUATION_JSON, utf8(evaluation.toJson()));
            entries.put(ModelPackage.EVALUATION_HTML, utf8(evaluation.toHtml()));
        }
        if (drift != null) {
            entries.put(ModelPackage.DRIFT_REFERENCE, utf8(drift.toJson()));
        }
        if (card != null) {
            entries.put(ModelPackage.MODEL_CARD, utf8(card.toMarkdown()));
        }
        entries.put(ModelPackage.REPRODUCE, utf8(Reproduce.markdown(name, how, command, modelInfo, input)));

        List<PackageEntry> listed = new ArrayList<>();
        entries.forEach((n, b) -> listed.add(new PackageEntry(n, b.length,
                HexFormat.of().formatHex(PackageReader.sha256(b)))));
        Manifest manifest = new Manifest(name, dev.attune.Provenance.libraryVersion(), modelInfo, classes, input,
                preprocessing, evaluation == null ? Map.of() : metrics(evaluation), Optional.ofNullable(how), listed);
        byte[] manifestBytes = utf8(manifest.toJson());
        byte[] digest = PackageReader.sha256(manifestBytes);
        Map<String, byte[]> seal = new LinkedHashMap<>();
        seal.put(Manifest.ENTRY, manifestBytes);
        seal.put(PackageReader.DIGEST, utf8(HexFormat.of().formatHex(digest) + "\n"));
        if (signingKey != null) {
            seal.put(PackageReader.SIGNATURE, utf8(sign(digest)));
        }
        seal.putAll(entries);
        AtomicWrite.write(file.toAbsolutePath(), tmp -> zip(tmp, seal), "package");
        return ModelPackage.load(file);
    }

    private void requireNoModel() {
        if (model != null || adapter != null) {
            throw new IllegalStateException("the package already has a " + (model != null ? "model" : "adapter")
                    + "; a package holds one model, or one adapter");
        }
    }

    private void requireNoInput() {
        if (kind != null) {
            throw new IllegalStateException("the package already has " + kind.name().toLowerCase(Locale.ROOT)
                    + " preprocessing; a package holds the preprocessing of one kind of input");
        }
    }

    private List<String> classes(EvaluationReport evaluation) {
        List<String> c = classNames;
        if (c == null && transform != null) {
            c = transform.classNames();
        }
        if (c == null && evaluation != null) {
            c = evaluation.classNames();
        }
        if (c == null) {
            throw new IllegalStateException("no class names; call classNames(List.of(...)) with the model's classes in"
                    + " output order");
        }
        if (transform != null && !transform.classNames().equals(c)) {
            throw new IllegalArgumentException("the class names " + c + " differ from the tabular transform's "
                    + transform.classNames() + "; give the transform's classes in its order");
        }
        if (evaluation != null && !evaluation.classNames().equals(c)) {
            throw new IllegalArgumentException("the class names " + c + " differ from the evaluation report's "
                    + evaluation.classNames() + "; package the report of this model");
        }
        return c;
    }

    private InputSignature signature() {
        return switch (kind) {
            case TABULAR -> new InputSignature(kind, transform.featureColumns(),
                    List.of((long) transform.featureNames().size()), "float32", transform.featureNames());
            case TEXT -> new InputSignature(kind, List.of("text"), List.of(2L, (long) tokenizer.maxLength()), "float32",
                    List.of("input_ids", "attention_mask"));
            case IMAGE -> new InputSignature(kind, List.of("pixels"), Arrays.stream(imageShape).boxed().toList(),
                    "float32", List.of());
        };
    }

    /**
     * Runs a whole model once on an example of the signature's shape: a model that cannot take the
     * packaged input, or has another number of outputs than classes, is refused before anything is written.
     */
    private void checkModel(InputSignature input, List<String> classes) {
        int outputs;
        if (model == null) {
            if (adapter.head() == null) {
                return; // the base model's own head: its output count is known only with the base
            }
            outputs = adapter.head().classes();
        } else {
            INDArray example = switch (kind) {
                case TEXT -> tokenizer.encode("").features();
                default -> {
                    long[] shape = new long[input.exampleShape().size() + 1];
                    shape[0] = 1;
                    for (int d = 1; d < shape.length; d++) {
                        shape[d] = input.exampleShape().get(d - 1);
                    }
                    yield Nd4j.zeros(DataType.FLOAT, shape);
                }
            };
            INDArray out;
            try {
                out = model.output(example);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("the model does not take the packaged " + kind.name().toLowerCase(Locale.ROOT)
                        + " input of shape " + input.exampleShape() + " per example: " + e.getMessage()
                        + "; package the preprocessing the model was trained with", e);
            }
            outputs = (int) out.size(1);
        }
        if (outputs != classes.size()) {
            throw new IllegalArgumentException("the model has " + outputs + " outputs but " + classes.size()
                    + " class names are given (" + classes + "); give one name per output");
        }
    }

    static Map<String, Double> metrics(EvaluationReport r) {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("accuracy", r.accuracy().estimate());
        m.put("accuracy.lower", r.accuracy().lower());
        m.put("accuracy.upper", r.accuracy().upper());
        m.put("f1Macro", r.f1Macro().estimate());
        m.put("f1Macro.lower", r.f1Macro().lower());
        m.put("f1Macro.upper", r.f1Macro().upper());
        m.put("expectedCalibrationError", r.expectedCalibrationError());
        m.put("examples", (double) r.examples());
        for (EvaluationReport.GroupColumn g : r.fairness()) {
            for (FairnessCheck c : g.checks()) {
                String key = "fairness." + g.column() + "." + c.measure().name().toLowerCase(Locale.ROOT);
                m.put(key, c.value());
                m.put(key + ".verdict", (double) c.verdict().ordinal());
            }
        }
        return m;
    }

    private String sign(byte[] digest) {
        try {
            Signature s = Signature.getInstance(PackageKeys.ALGORITHM);
            s.initSign(signingKey);
            s.update(digest);
            byte[] sig = s.sign();
            java.security.PublicKey pub = publicOf(signingKey);
            return PackageReader.signatureJson(PackageKeys.keyId(pub), Base64.getEncoder().encodeToString(sig));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot sign with the given key (" + e.getMessage() + "); give an Ed25519"
                    + " private key from PackageKeys.generate() or PackageKeys.readPrivate(path)", e);
        }
    }

    /**
     * The public key of an Ed25519 private key, for the key id: the JDK does not derive it, so it is
     * recomputed from the PKCS#8 seed by signing nothing with a fresh generator seeded from it.
     */
    private static java.security.PublicKey publicOf(PrivateKey key) throws GeneralSecurityException {
        byte[] pkcs8 = key.getEncoded();
        // An Ed25519 PKCS#8 encoding ends with the 32-byte seed; a generator seeded with exactly those
        // bytes yields the same key pair (RFC 8032 derives the public key from the seed alone).
        byte[] seed = Arrays.copyOfRange(pkcs8, pkcs8.length - 32, pkcs8.length);
        java.security.KeyPairGenerator g = java.security.KeyPairGenerator.getInstance(PackageKeys.ALGORITHM);
        g.initialize(new java.security.spec.NamedParameterSpec(PackageKeys.ALGORITHM), new FixedRandom(seed));
        java.security.KeyPair pair = g.generateKeyPair();
        if (!Arrays.equals(pair.getPrivate().getEncoded(), pkcs8)) {
            throw new GeneralSecurityException("the private key's encoding is not a plain Ed25519 PKCS#8 seed");
        }
        return pair.getPublic();
    }

    /** A random source that gives one fixed seed: how the JDK's generator is made to rebuild a key pair. */
    private static final class FixedRandom extends java.security.SecureRandom {
        private static final long serialVersionUID = 1L;
        private final byte[] seed;

        FixedRandom(byte[] seed) {
            this.seed = seed.clone();
        }

        @Override
        public void nextBytes(byte[] bytes) {
            System.arraycopy(seed, 0, bytes, 0, Math.min(seed.length, bytes.length));
        }
    }

    private static void zip(Path tmp, Map<String, byte[]> entries) throws IOException {
        try (var out = new java.util.zip.ZipOutputStream(new java.io.BufferedOutputStream(Files.newOutputStream(tmp),
                1 << 16))) {
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                java.util.zip.ZipEntry z = new java.util.zip.ZipEntry(e.getKey());
                z.setTimeLocal(ENTRY_TIME);
                byte[] b = e.getValue();
                if (e.getKey().startsWith("model/")) {
                    // Model files are zips or binary tensors already: storing them saves a slow, useless deflate.
                    java.util.zip.CRC32 crc = new java.util.zip.CRC32();
                    crc.update(b);
                    z.setMethod(java.util.zip.ZipEntry.STORED);
                    z.setSize(b.length);
                    z.setCompressedSize(b.length);
                    z.setCrc(crc.getValue());
                }
                out.putNextEntry(z);
                out.write(b);
                out.closeEntry();
            }
        }
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
