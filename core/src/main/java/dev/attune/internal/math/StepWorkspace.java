package dev.attune.internal.math;

import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.memory.conf.WorkspaceConfiguration;
import org.nd4j.linalg.api.memory.enums.AllocationPolicy;
import org.nd4j.linalg.api.memory.enums.LearningPolicy;
import org.nd4j.linalg.api.memory.enums.ResetPolicy;
import org.nd4j.linalg.api.memory.enums.SpillPolicy;

/**
 * The workspace an optimizer step's temporary arrays live in: allocated once, learnt on the first
 * step and reused on every later one, instead of allocating and freeing per step.
 */
public final class StepWorkspace {
    public static final WorkspaceConfiguration CONFIG = WorkspaceConfiguration.builder()
            .initialSize(0)
            .overallocationLimit(0.05)
            .policyLearning(LearningPolicy.FIRST_LOOP)
            .policyReset(ResetPolicy.BLOCK_LEFT)
            .policySpill(SpillPolicy.REALLOCATE)
            .policyAllocation(AllocationPolicy.OVERALLOCATE)
            .build();

    /** Workspaces are per thread, so one manager serves every training thread. */
    public static final LayerWorkspaceMgr UPDATER = LayerWorkspaceMgr.builder()
            .with(ArrayType.UPDATER_WORKING_MEM, "ATTUNE_UPDATER_WORKING_MEM", CONFIG)
            .build();

    private StepWorkspace() {
    }
}
