"""A second, independent solver for the matching tests and the benchmark: scipy is a test
dependency only, so it stays out of the runtime."""

import numpy as np
from scipy import sparse
from scipy.sparse.csgraph import min_weight_full_bipartite_matching

from samen.volunteering import matching


def reference_optimum(scores: np.ndarray, capacity: np.ndarray) -> int:
    """The optimum over *all* feasible pairs with a second, independent solver: scipy's
    sparse assignment solver (LAPJVsp) on the needs expanded into places. For tests and the
    benchmark's small instances."""
    rows, cols = np.nonzero(scores != matching.INFEASIBLE)
    if not rows.size:
        return 0
    weights = scores[rows, cols].astype(np.int64)
    assigned = _assign_places(rows, cols, weights, scores.shape[0], capacity)
    chosen = np.nonzero(assigned >= 0)[0]
    return int(scores[chosen, assigned[chosen]].astype(np.int64).sum())


def _assign_places(rows, cols, weights, n_volunteers, capacity):
    """Maximum-weight assignment of volunteers to places. Returns need index per volunteer
    (-1: none)."""
    capacity = np.asarray(capacity, dtype=np.int64)
    offsets = np.concatenate([[0], np.cumsum(capacity)])
    n_places = int(offsets[-1])
    per_pair = capacity[cols]
    edge_rows = np.repeat(rows, per_pair)
    # Column of each place: offset of the need + 0..c-1.
    start = np.repeat(offsets[cols], per_pair)
    within = np.arange(len(edge_rows)) - np.repeat(np.cumsum(per_pair) - per_pair, per_pair)
    edge_cols = start + within
    edge_weights = np.repeat(weights.astype(np.float64) + 1.0, per_pair)  # weights must be != 0
    # "No proposal" column per volunteer, weight 1: a full matching always exists, and every
    # volunteer contributes exactly +1 whatever happens, so the optimum is unchanged.
    dummy = np.arange(n_volunteers)
    graph = sparse.csr_array(
        (
            np.concatenate([edge_weights, np.ones(n_volunteers)]),
            (np.concatenate([edge_rows, dummy]), np.concatenate([edge_cols, n_places + dummy])),
        ),
        shape=(n_volunteers, n_places + n_volunteers),
    )
    row_ind, col_ind = min_weight_full_bipartite_matching(graph, maximize=True)
    place_need = np.repeat(np.arange(len(capacity)), capacity)
    assigned = np.full(n_volunteers, -1, dtype=np.int64)
    real = col_ind < n_places
    assigned[row_ind[real]] = place_need[col_ind[real]]
    return assigned
