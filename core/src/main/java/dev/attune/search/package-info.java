/**
 * Hyperparameter search over any option of a {@code FineTuner}: a {@link dev.attune.search.SearchSpace}
 * of named parameters, a {@link dev.attune.search.Strategy} (grid, seeded random, successive halving,
 * Hyperband), trials run in parallel within a thread and memory budget, a journal to resume from, and a
 * {@link dev.attune.search.SearchResult} with the leaderboard, JSON and the compute saved.
 */
package dev.attune.search;
