package dev.attune.registry;

import dev.attune.FineTuneResult;
import dev.attune.FineTuner;
import dev.attune.data.BundledTables;
import dev.attune.data.TabularData;
import dev.attune.deploy.ModelPackage;
import dev.attune.evaluation.EvaluationReport;
import dev.attune.evaluation.Groups;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * Real deployment packages for the registry's tests: a small network fine-tuned for two epochs on German
 * credit, with its tabular transform and an evaluation that checks fairness by foreign worker.
 */
final class CreditPackages {
    private static FineTuneResult result;
    private static EvaluationReport report;
    private static TabularData train;

    private CreditPackages() {
    }

    private static synchronized void fineTune() {
        if (result != null) {
            return;
        }
        train = BundledTables.GERMAN_CREDIT.train();
        TabularData test = BundledTables.GERMAN_CREDIT.test();
        int features = train.featureNames().size();
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(3).list()
                .layer(new DenseLayer.Builder().name("dense0").nIn(features).nOut(8).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).name("out").nIn(8).nOut(2)
                        .activation(Activation.SOFTMAX).build())
                .build());
        net.init();
        result = FineTuner.builder(net).epochs(2).batchSize(64).seed(3).build().fit(train.data());
        report = EvaluationReport.builder(result, test.data()).classNames(train.classNames()).positiveClass(0)
                .groups("foreign_worker", Groups.of(test.groups("foreign_worker").toArray(String[]::new)))
                .resamples(100).build();
    }

    /** The package of the fine-tuned model, named {@code name}, signed when {@code key} is given. */
    static ModelPackage write(Path file, String name, PrivateKey key) {
        fineTune();
        var b = ModelPackage.builder(name).from(result).tabular(train.transform()).evaluation(report)
                .reproduceCommand("./train.sh --seed 3");
        if (key != null) {
            b.signWith(key);
        }
        return b.write(file);
    }

    /** The evaluation packaged with the model. */
    static EvaluationReport report() {
        fineTune();
        return report;
    }

    /**
     * A copy of {@code from} with one byte of {@code REPRODUCE.md} changed, rewritten as a well-formed zip
     * (as an edit with a zip tool leaves it): only the package's seal can tell.
     */
    static Path tampered(Path from, Path to) throws IOException {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        try (ZipFile zip = new ZipFile(from.toFile())) {
            for (Enumeration<? extends ZipEntry> en = zip.entries(); en.hasMoreElements(); ) {
                ZipEntry e = en.nextElement();
                entries.put(e.getName(), zip.getInputStream(e).readAllBytes());
            }
        }
        byte[] reproduce = entries.get("REPRODUCE.md");
        String text = new String(reproduce, StandardCharsets.UTF_8);
        entries.put("REPRODUCE.md", text.replace("--seed 3", "--seed 4").getBytes(StandardCharsets.UTF_8));
        if (text.equals(new String(entries.get("REPRODUCE.md"), StandardCharsets.UTF_8))) {
            throw new AssertionError("REPRODUCE.md does not name the command's seed: nothing was changed");
        }
        try (OutputStream f = Files.newOutputStream(to); ZipOutputStream out = new ZipOutputStream(f)) {
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                out.putNextEntry(new ZipEntry(e.getKey()));
                out.write(e.getValue());
                out.closeEntry();
            }
        }
        return to;
    }
}
