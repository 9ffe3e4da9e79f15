package dev.attune.data;

import dev.attune.Balancer;
import dev.attune.LabeledData;

class ReweighContractTest implements BalancerContract {
    /** Three groups that depend on both the example's position and its label, so that cells differ in size. */
    @Override
    public Balancer balancer(LabeledData train) {
        int[] groups = new int[train.size()];
        for (int i = 0; i < groups.length; i++) {
            groups[i] = (i + 2 * train.label(i)) % 3;
        }
        return Balancing.reweigh(groups);
    }

    @Override
    public int[] expectedCounts(int[] counts) {
        return null;
    }
}
