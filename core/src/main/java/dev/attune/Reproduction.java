package dev.attune;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * {@link FineTuner#reproduce}: compares a fine-tuner, its data and this library with a recorded
 * provenance, fits, and checks that the result's fingerprints are the recorded ones.
 */
final class Reproduction {
    /**
     * Options that only watch a run and never change its weights; their text may differ between runs
     * (a checkpoint store names no stable value).
     */
    private static final Set<String> OBSERVERS = Set.of("checkpoints");

    private Reproduction() {
    }

    static FineTuneResult run(FineTuner tuner, Provenance recorded, LabeledData train, LabeledData validation) {
        requireNonNull(recorded, "provenance");
        requireNonNull(train, "train");
        if (recorded.resultModel().isEmpty()) {
            throw new IllegalArgumentException("the provenance of the run started at " + recorded.startedAt()
                    + " records no fingerprint of its result (resultModel is empty: it was made before the run finished,"
                    + " or by an Attune that did not record it), so a new run could not be checked against it; give the"
                    + " provenance of a FineTuneResult (result.provenance()) or of a package written from one");
        }
        List<String> differences = differences(tuner, recorded, train, validation);
        if (!differences.isEmpty()) {
            throw new IllegalArgumentException("cannot reproduce the run started at " + recorded.startedAt() + ": "
                    + String.join("; ", differences) + ". Build the fine-tuner with the same code, base model and"
                    + " options, give the same data, and use the recorded library versions");
        }
        FineTuneResult again = tuner.fit(train, validation);
        Provenance now = again.provenance();
        List<String> mismatches = new ArrayList<>();
        if (!now.resultModel().equals(recorded.resultModel())) {
            mismatches.add("the model's fingerprint is " + now.resultModel() + " but the run recorded " + recorded.resultModel());
        }
        if (!now.resultAdapter().equals(recorded.resultAdapter())) {
            mismatches.add("the adapter's fingerprint is " + quoted(now.resultAdapter()) + " but the run recorded "
                    + quoted(recorded.resultAdapter()));
        }
        if (!mismatches.isEmpty()) {
            throw new IllegalStateException("the reproduced weights differ from the run started at " + recorded.startedAt()
                    + " although its configuration, base model, data and library versions are the same: "
                    + String.join("; ", mismatches) + ". This run used " + now.backend() + ", the recorded one "
                    + recorded.backend() + (now.backend().equals(recorded.backend()) ? "" : " (another backend or thread"
                    + " count may round differently)") + "; an option object whose description hides a difference (a"
                    + " balancer, metric or check that keeps state between fits, or draws from an unseeded random"
                    + " generator) gives other weights too");
        }
        return again;
    }

    /** Every difference between the recorded run and this one, in words; empty when none. */
    private static List<String> differences(FineTuner tuner, Provenance recorded, LabeledData train, LabeledData validation) {
        List<String> out = new ArrayList<>();
        Map<String, String> now = tuner.config();
        Set<String> options = new TreeSet<>(now.keySet());
        options.addAll(recorded.config().keySet());
        options.removeAll(OBSERVERS);
        for (String option : options) {
            String here = now.get(option);
            String then = recorded.config().get(option);
            if (!Objects.equals(here, then)) {
                out.add("option '" + option + "' is " + quoted(here) + " here but was " + quoted(then) + " in the run");
            }
        }
        if (tuner.seed() != recorded.seed() && Objects.equals(now.get("seed"), recorded.config().get("seed"))) {
            out.add("the seed is " + tuner.seed() + " here but was " + recorded.seed() + " in the run");
        }
        String base = tuner.base().fingerprint();
        if (!base.equals(recorded.baseModel())) {
            out.add("the base model's fingerprint is " + base + " but the run's was " + recorded.baseModel());
        }
        String trainData = train.fingerprint();
        if (!trainData.equals(recorded.trainData())) {
            out.add("the training data's fingerprint is " + trainData + " but the run's was " + recorded.trainData());
        }
        String validationData = validation == null ? "" : validation.fingerprint();
        if (!validationData.equals(recorded.validationData())) {
            out.add(recorded.validationData().isEmpty() ? "validation data (fingerprint " + validationData
                    + ") is given but the run had none: call reproduce(provenance, train)"
                    : validation == null ? "no validation data is given but the run had some (fingerprint "
                    + recorded.validationData() + ")"
                    : "the validation data's fingerprint is " + validationData + " but the run's was " + recorded.validationData());
        }
        if (!Provenance.libraryVersion().equals(recorded.attuneVersion())) {
            out.add("this is Attune " + Provenance.libraryVersion() + " but the run used Attune " + recorded.attuneVersion());
        }
        if (!Provenance.dl4jLibraryVersion().equals(recorded.dl4jVersion())) {
            out.add("this is Deeplearning4j " + Provenance.dl4jLibraryVersion() + " but the run used Deeplearning4j "
                    + recorded.dl4jVersion());
        }
        return out;
    }

    private static String quoted(String s) {
        return s == null ? "absent" : s.isEmpty() ? "empty" : "'" + s + "'";
    }
}
