package dev.attune.data;

import dev.attune.Balancer;
import dev.attune.LabeledData;
import java.util.Arrays;

class OversampleContractTest implements BalancerContract {
    @Override
    public Balancer balancer(LabeledData train) {
        return Balancing.oversample();
    }

    @Override
    public int[] expectedCounts(int[] counts) {
        int max = Arrays.stream(counts).max().orElseThrow();
        return Arrays.stream(counts).map(c -> c == 0 ? 0 : max).toArray();
    }
}
