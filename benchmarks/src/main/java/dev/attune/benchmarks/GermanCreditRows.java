package dev.attune.benchmarks;

import dev.attune.LabeledData;
import dev.attune.data.TabularData;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How the German credit jobs divide the 700 training rows: half, labels unread, pretrains the network;
 * four fifths of the other half (stratified, seeded) fine-tune it and the remaining fifth is the
 * validation set. Each part carries the sensitive attributes of its rows
 * ({@link BiasAuditJob#sensitive}: sex, foreign worker, age banded at 25).
 *
 * @param unlabelled       the rows that pretrain the network, labels unread
 * @param fit              the rows that fine-tune it
 * @param validation       the rows that choose the epoch
 * @param fitGroups        the sensitive attributes of the fine-tuning rows, by column
 * @param validationGroups the sensitive attributes of the validation rows, by column
 */
record GermanCreditRows(LabeledData unlabelled, LabeledData fit, LabeledData validation,
                        Map<String, List<String>> fitGroups, Map<String, List<String>> validationGroups) {
    /** Divides the training table, always the same way. */
    static GermanCreditRows of(TabularData train) {
        Map<String, List<String>> groups = BiasAuditJob.sensitive(train);
        int[][] halves = BiasAuditJob.split(train.data(), 0.5, 7);
        LabeledData labelled = train.data().select(halves[1]);
        int[][] fifths = BiasAuditJob.split(labelled, 0.8, 11);
        Map<String, List<String>> fitGroups = new LinkedHashMap<>();
        Map<String, List<String>> validationGroups = new LinkedHashMap<>();
        groups.forEach((column, values) -> {
            List<String> labelledValues = pick(values, halves[1]);
            fitGroups.put(column, pick(labelledValues, fifths[0]));
            validationGroups.put(column, pick(labelledValues, fifths[1]));
        });
        return new GermanCreditRows(train.data().select(halves[0]), labelled.select(fifths[0]),
                labelled.select(fifths[1]), Map.copyOf(fitGroups), Map.copyOf(validationGroups));
    }

    private static List<String> pick(List<String> values, int[] indices) {
        return Arrays.stream(indices).mapToObj(values::get).toList();
    }
}
