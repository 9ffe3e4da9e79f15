// Fine-tune the quickstart's base model on 50 labelled digits per class, in JShell.
// Start it from the repository root, after the quickstart has made the base model:
//   mvn -q -B -DskipTests install && mvn -q -B -pl benchmarks dependency:build-classpath -Dmdep.outputFile=target/jshell.classpath && jshell --class-path "$(cat benchmarks/target/jshell.classpath)" examples/fine-tune.jsh
// This is the README's example with each chained call ending its line with a dot, so that JShell
// reads the statement to its end.
import dev.attune.*;
import dev.attune.data.*;
import dev.attune.evaluation.*;
import dev.attune.spi.*;
import java.nio.file.Path;

LabeledData pool = BundledData.MNIST.train();
Split labelled = Splits.kPerClass(pool, 50, 42);                  // 50 labelled digits per class
LabeledData validation = Splits.kPerClass(labelled.validation(), 20, 42).train();

FineTuneResult result = FineTuner.builder(Network.load(Path.of("target/attune/quickstart/base-fashion-cnn.zip"))).
        replaceHead(10).                                          // a new 10-class output layer
        freeze(Freeze.upTo("pool1")).                             // keep the pretrained convolutions
        optimizer(Optimizer.adamW(1e-3)).
        epochs(20).batchSize(32).seed(42).
        metrics(Metrics.accuracy(), Metrics.f1Macro()).
        earlyStopping(EarlyStopping.on(Metrics.f1Macro()).patience(4)).
        listener(Progress.console()).
        build().
        fit(labelled.train(), validation);

System.out.println(result.predict(BundledData.MNIST.test()).score(Metrics.f1Macro()));
