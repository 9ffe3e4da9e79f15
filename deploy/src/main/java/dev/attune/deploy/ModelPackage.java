package dev.attune.deploy;

import static java.util.Objects.requireNonNull;

import dev.attune.AdaptedNetwork;
import dev.attune.AttuneException;
import dev.attune.Network;
import dev.attune.Provenance;
import dev.attune.adapters.AdapterFile;
import dev.attune.data.TabularTransform;
import dev.attune.data.WordPieceTokenizer;
import dev.attune.evaluation.DriftReference;
import dev.attune.spi.AdapterWeights;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A deployment package: one sealed file ({@code *.attune}) that holds everything needed to serve a
 * fine-tuned model and to know where it came from. Written by {@link #builder(String)}, read by
 * {@link #load(Path)}, which verifies it whole before anything in it is used.
 *
 * <pre>{@code
 * ModelPackage.builder("credit-risk")
 *         .model(result.model())                 // or .adapter(adapterWeights): a base reference + adapter
 *         .provenance(result.provenance())
 *         .tabular(train.transform())            // or .text(tokenizerJson, maxLength), .image(255f, 784)
 *         .evaluation(report).modelCard(card)
 *         .signWith(privateKey)                  // optional
 *         .write(Path.of("credit-risk.attune"));
 *
 * Predictor predictor = ModelPackage.load(file, publicKey).predictor();
 * Prediction p = predictor.predict(Map.of("duration", "12", ...));
 * }</pre>
 *
 * <p><b>Format {@code attune-package/1}.</b> A zip whose entry {@code attune-package.json} (the manifest)
 * gives the format, the model's name, the Attune version, the model ({@code kind} {@code merged} with
 * its entry and fingerprint, or {@code adapter} with its entry, method and base model's fingerprint),
 * the class names, the input signature, the preprocessing, headline metrics of the evaluation, the
 * provenance, and every other entry's name, size and SHA-256. {@code attune-package.sha256} holds the
 * SHA-256 of the manifest's bytes (the package's {@link #contentSha256() content digest}), and the
 * optional {@code attune-package.sig} an Ed25519 signature of that digest with the signer's key id.
 * The other entries: {@code model/model.zip} ({@code Network.save}'s zip: DL4J's, or
 * {@code attune-bert/1}) or {@code model/adapter.safetensors} ({@code AdapterFile}'s file);
 * {@code preprocessing/tabular-transform.tsv} ({@code TabularTransform.toText()}) or
 * {@code preprocessing/tokenizer.json}; {@code evaluation/evaluation.json}, {@code evaluation.html} and
 * {@code MODEL_CARD.md} when given; {@code monitoring/drift-reference.json} (a {@code DriftReference}'s
 * JSON) when given; {@code REPRODUCE.md}. The seal's entries come first, so a reader
 * that streams the file meets the manifest before what it describes.
 *
 * <p><b>Verification.</b> Loading refuses, with {@link AttuneException} naming the entry and the fix:
 * a file that is not a zip or is cut short; an entry name with {@code ..}, an absolute path, a
 * backslash, a colon or a control character (zip slip); more entries, or more inflated bytes per
 * entry or in all, than the {@link PackageLimits} (checked from the zip's directory before inflating,
 * and while inflating); a manifest of a newer format; a manifest that does not match its SHA-256; a
 * missing signature, or one by another key or that does not verify, when a public key is required;
 * an entry the manifest names that the file lacks, and one it holds that the manifest does not list;
 * an entry whose size or SHA-256 differs from the manifest's. Nothing is deserialised with Java
 * serialisation: the manifest is JSON, the model is read by {@code Network.load}, the adapter by
 * {@code AdapterFile.load}.
 *
 * <p>The seal without a signature proves a package unchanged since it was written by anyone with the
 * file (against damage, not against someone who rewrites the manifest and its digest); a signature
 * checked against a public key the reader trusts proves who wrote it.
 */
public final class ModelPackage {
    static final String MODEL = "model/model.zip";
    static final String ADAPTER = "model/adapter.safetensors";
    static final String TRANSFORM = "preprocessing/tabular-transform.tsv";
    static final String TOKENIZER = "preprocessing/tokenizer.json";
    static final String EVALUATION_JSON = "evaluation/evaluation.json";
    static final String EVALUATION_HTML = "evaluation/evaluation.html";
    static final String MODEL_CARD = "evaluation/MODEL_CARD.md";
    static final String REPRODUCE = "REPRODUCE.md";
    static final String DRIFT_REFERENCE = "monitoring/drift-reference.json";

    private final Path file;
    private final PackageLimits limits;
    private final PackageReader.Verified verified;

    private ModelPackage(Path file, PackageLimits limits, PackageReader.Verified verified) {
        this.file = file;
        this.limits = limits;
        this.verified = verified;
    }

    /**
     * A builder for a package of the model named {@code name} (letters, digits, {@code . _ -}, at most
     * 100 characters, starting with a letter or digit).
     *
     * @throws IllegalArgumentException for another name
     */
    public static PackageBuilder builder(String name) {
        return new PackageBuilder(name);
    }

    /**
     * Reads and verifies a package, signed or not, with the {@link PackageLimits#DEFAULT default limits}.
     * A signature it holds is not checked (there is no key to check it with): require one with
     * {@link #load(Path, PublicKey)}.
     *
     * @throws AttuneException when the package is missing, damaged, tampered with, of a newer format, or
     *     over the limits (the message names the entry and the fix)
     */
    public static ModelPackage load(Path file) {
        return load(file, PackageLimits.DEFAULT);
    }

    /**
     * Reads and verifies a package that must be signed by {@code publicKey}'s private key.
     *
     * @throws AttuneException as {@link #load(Path)}, and when the package is unsigned, signed by another
     *     key, or its signature does not verify
     */
    public static ModelPackage load(Path file, PublicKey publicKey) {
        return load(file, publicKey, PackageLimits.DEFAULT);
    }

    /** {@link #load(Path)} with other limits. */
    public static ModelPackage load(Path file, PackageLimits limits) {
        requireNonNull(file, "file");
        requireNonNull(limits, "limits");
        return new ModelPackage(file.toAbsolutePath(), limits,
                PackageReader.read(file, Optional.empty(), limits, Set.of(MODEL, ADAPTER)));
    }

    /** {@link #load(Path, PublicKey)} with other limits. */
    public static ModelPackage load(Path file, PublicKey publicKey, PackageLimits limits) {
        requireNonNull(file, "file");
        requireNonNull(publicKey, "publicKey");
        requireNonNull(limits, "limits");
        PackageKeys.requireEd25519(publicKey.getAlgorithm());
        return new ModelPackage(file.toAbsolutePath(), limits,
                PackageReader.read(file, Optional.of(publicKey), limits, Set.of(MODEL, ADAPTER)));
    }

    /** The package file. */
    public Path path() {
        return file;
    }

    /** The model's name, as given to {@link #builder(String)}. */
    public String name() {
        return verified.manifest().name();
    }

    /** The Attune version that wrote the package. */
    public String attuneVersion() {
        return verified.manifest().attuneVersion();
    }

    /**
     * The SHA-256 of the manifest's bytes, in hex: it covers every entry (through their digests in the
     * manifest) but not the signature. Two writes of one model differ (the model's zip carries DL4J's
     * own time stamps), so this names one written package, not a model.
     */
    public String contentSha256() {
        return verified.contentSha256();
    }

    /** The SHA-256 of the whole file's bytes as it was verified, in hex. */
    public String fileSha256() {
        return verified.fileSha256();
    }

    /**
     * The key id ({@link PackageKeys#keyId}) the signature names, when the package is signed. Verified
     * only when {@link #signatureVerified()}.
     */
    public Optional<String> signerKeyId() {
        return verified.signerKeyId();
    }

    /** Whether the signature was checked against a required public key ({@link #load(Path, PublicKey)}). */
    public boolean signatureVerified() {
        return verified.signatureVerified();
    }

    /** Every entry the manifest lists (the seal's own entries aside), with its size and SHA-256. */
    public List<PackageEntry> entries() {
        return verified.manifest().entries();
    }

    /** The class names, in output order. */
    public List<String> classNames() {
        return verified.manifest().classes();
    }

    /** What the model takes. */
    public InputSignature input() {
        return verified.manifest().input();
    }

    /** Whether the package holds an adapter on a base model the caller gives, rather than a whole model. */
    public boolean isAdapter() {
        return "adapter".equals(verified.manifest().model().get("kind"));
    }

    /** The fingerprint of the base model an adapter package needs ({@code Network.fingerprint()}). */
    public Optional<String> baseFingerprint() {
        return Optional.ofNullable(verified.manifest().model().get("baseFingerprint"));
    }

    /** The fingerprint of a whole model's architecture and weights ({@code Network.fingerprint()}). */
    public Optional<String> modelFingerprint() {
        return Optional.ofNullable(verified.manifest().model().get("fingerprint"));
    }

    /** How the model was made, when the package was given it. */
    public Optional<Provenance> provenance() {
        return verified.manifest().provenance();
    }

    /**
     * Headline figures of the packaged evaluation: {@code accuracy}, {@code accuracy.lower},
     * {@code accuracy.upper}, {@code f1Macro} (and its bounds), {@code expectedCalibrationError},
     * {@code examples}, and per fairness check {@code fairness.<column>.<measure>} with its verdict as
     * {@code fairness.<column>.<measure>.verdict} (0 pass, 1 warn, 2 fail). Empty without an evaluation.
     */
    public Map<String, Double> metrics() {
        return verified.manifest().metrics();
    }

    /** The evaluation report's JSON ({@code EvaluationReport.toJson()}), when given. */
    public Optional<String> evaluationJson() {
        return text(EVALUATION_JSON);
    }

    /** The evaluation report's HTML page, when given. */
    public Optional<String> evaluationHtml() {
        return text(EVALUATION_HTML);
    }

    /** The model card's Markdown, when given. */
    public Optional<String> modelCard() {
        return text(MODEL_CARD);
    }

    /**
     * The drift reference packaged with {@link PackageBuilder#driftReference}, for a
     * {@code DriftMonitor} of this model's traffic; empty when none was packaged.
     *
     * @throws AttuneException when the packaged reference is of another or a newer schema than this
     *     version reads (the message names the package entry and the schema)
     */
    public Optional<DriftReference> driftReference() {
        return text(DRIFT_REFERENCE).map(json -> DriftReference.fromJson(json, file + "!" + DRIFT_REFERENCE));
    }

    /**
     * {@code REPRODUCE.md}: how to make the model again (command, seed, options, versions, data and result
     * fingerprints, and the {@code FineTuner.reproduce} call on {@link #provenance()}).
     */
    public String reproduce() {
        return text(REPRODUCE).orElseThrow();
    }

    /** The packaged tabular transform, for a tabular model. */
    public Optional<TabularTransform> tabularTransform() {
        return text(TRANSFORM).map(TabularTransform::parse);
    }

    /** The packaged tokenizer at the packaged maximum length and padding, for a text model. */
    public Optional<WordPieceTokenizer> tokenizer() {
        byte[] json = verified.entries().get(TOKENIZER);
        if (json == null) {
            return Optional.empty();
        }
        Map<String, String> p = verified.manifest().preprocessing();
        return Optional.of(WordPieceTokenizer.fromJson(new ByteArrayInputStream(json), file + "!" + TOKENIZER)
                .withMaxLength(Integer.parseInt(p.get("maxLength")))
                .withPadding(WordPieceTokenizer.Padding.valueOf(p.get("padding"))));
    }

    /**
     * The packaged whole model, read from the file again (and verified again against the manifest).
     *
     * @throws IllegalStateException for an adapter package (use {@link #network(Network)})
     * @throws AttuneException when the file changed since it was loaded
     */
    public Network network() {
        if (isAdapter()) {
            throw new IllegalStateException("package " + name() + " holds an adapter, not a whole model; call"
                    + " network(base) with the base model of fingerprint " + baseFingerprint().orElseThrow());
        }
        return withEntry(MODEL, ".zip", Network::load);
    }

    /**
     * The packaged adapter on {@code base}, active (unmerged).
     *
     * @throws IllegalStateException for a package of a whole model (use {@link #network()})
     * @throws IllegalArgumentException when {@code base} is not the model the adapter was trained on (both
     *     fingerprints are named)
     */
    public AdaptedNetwork network(Network base) {
        requireNonNull(base, "base");
        if (!isAdapter()) {
            throw new IllegalStateException("package " + name() + " holds a whole model, not an adapter; call network()"
                    + " without a base model");
        }
        String expected = baseFingerprint().orElseThrow();
        String actual = base.fingerprint();
        if (!expected.equals(actual)) {
            throw new IllegalArgumentException("package " + name() + " holds an adapter for the base model of fingerprint "
                    + expected + ", but the given base model's fingerprint is " + actual + baseHint() + "; give the base"
                    + " model the adapter was trained on");
        }
        AdapterWeights weights = withEntry(ADAPTER, ".safetensors", f -> AdapterFile.load(f, base));
        return AdaptedNetwork.of(base).add(name(), weights);
    }

    private String baseHint() {
        String described = verified.manifest().model().getOrDefault("baseModel", "");
        return described.isEmpty() ? "" : " (the package describes its base as '" + described + "')";
    }

    /**
     * A predictor over the packaged whole model and preprocessing.
     *
     * @throws IllegalStateException for an adapter package (use {@link #predictor(Network)})
     */
    public Predictor predictor() {
        Network model = network();
        return predictor(model::output);
    }

    /**
     * A predictor over the packaged adapter on {@code base} and the packaged preprocessing.
     *
     * @throws IllegalStateException for a package of a whole model (use {@link #predictor()})
     * @throws IllegalArgumentException when {@code base} is another model than the adapter's (both
     *     fingerprints are named)
     */
    public Predictor predictor(Network base) {
        AdaptedNetwork adapted = network(base);
        return predictor(adapted::output);
    }

    private Predictor predictor(java.util.function.UnaryOperator<org.nd4j.linalg.api.ndarray.INDArray> model) {
        Map<String, String> p = verified.manifest().preprocessing();
        float divisor = p.containsKey("divisor") ? Float.parseFloat(p.get("divisor")) : 1f;
        return new Predictor(input(), classNames(), model, tabularTransform().orElse(null), tokenizer().orElse(null),
                divisor);
    }

    @FunctionalInterface
    private interface Reading<T> {
        T read(Path file);
    }

    /** Extracts a verified entry to a temporary file, reads it, and removes the file. */
    private <T> T withEntry(String name, String suffix, Reading<T> reading) {
        PackageEntry entry = entries().stream().filter(e -> e.name().equals(name)).findFirst().orElseThrow(
                () -> new AttuneException("package " + file + " lists no " + name + "; write it again"));
        Path tmp = null;
        try {
            tmp = Files.createTempFile("attune-package-", suffix);
            try (OutputStream out = Files.newOutputStream(tmp)) {
                PackageReader.extract(file, entry, out, limits);
            }
            return reading.read(tmp);
        } catch (IOException e) {
            throw new AttuneException("cannot extract " + name + " from package " + file + " to a temporary file: " + e, e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // a temporary file left behind is not the caller's failure
                }
            }
        }
    }

    private Optional<String> text(String entry) {
        byte[] b = verified.entries().get(entry);
        return b == null ? Optional.empty() : Optional.of(new String(b, StandardCharsets.UTF_8));
    }

    @Override
    public String toString() {
        return "ModelPackage[" + name() + ", " + (isAdapter() ? "adapter" : "model") + ", " + input().kind() + ", "
                + classNames().size() + " classes, sha256 " + contentSha256() + "]";
    }
}
